// Data loading for pages: one fetch on mount (and when `deps` change), a reload that
// live events call, and in-place updates that keep what is on screen while refetching.

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => Promise<void>;
  set: (update: (old: T | undefined) => T | undefined) => void;
}

export function useResource<T>(load: () => Promise<T>, deps: unknown[]): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  // Answers to an older request are dropped when a newer one was started.
  const generation = useRef(0);

  const reload = useCallback(async () => {
    const g = ++generation.current;
    try {
      const v = await loadRef.current();
      if (g !== generation.current) return;
      setData(v);
      setError(null);
    } catch (e) {
      if (g !== generation.current) return;
      setError(e);
    } finally {
      if (g === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    setLoading(true);
    setData(undefined);
    setError(null);
    void reload();
    return () => {
      generation.current++;
    };
  }, deps);

  const set = useCallback((update: (old: T | undefined) => T | undefined) => setData(update), []);
  return { data, error, loading, reload, set };
}

export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Kraken` : 'Kraken';
  }, [title]);
}
