// The signed-in user, shared by the top bar and the pages.

import { useEffect, useState } from 'preact/hooks';
import type { User } from './types';

let current: User | null = null;
const listeners = new Set<(u: User | null) => void>();

export function setUser(u: User | null): void {
  current = u;
  listeners.forEach((l) => l(u));
}

export function currentUser(): User | null {
  return current;
}

export function useUser(): User | null {
  const [u, setU] = useState(current);
  useEffect(() => {
    listeners.add(setU);
    return () => {
      listeners.delete(setU);
    };
  }, []);
  return u;
}
