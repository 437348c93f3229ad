// The live events stream (GET /api/v1/events, server-sent events). One EventSource is
// shared by the whole app; pages subscribe and refetch only what an event names.
// After a reconnect, subscribers get a null event: anything may have changed meanwhile.

import { useEffect, useRef, useState } from 'preact/hooks';
import { API } from './api';

export interface LiveEvent {
  kind: 'flow' | 'run' | 'job' | 'agent' | 'group' | 'machine' | string;
  id: number;
  // Present when the server includes them; saves a look-up.
  run_id?: number;
  flow_id?: number;
  branch_id?: number;
  group_id?: number;
}

type Listener = (event: LiveEvent | null) => void;
export type LiveStatus = 'connecting' | 'live' | 'offline';

const listeners = new Set<Listener>();
const statusListeners = new Set<(s: LiveStatus) => void>();
let source: EventSource | null = null;
let status: LiveStatus = 'offline';
let retryTimer: number | undefined;
let retryDelay = 1000;
let wasLive = false;

function setStatus(s: LiveStatus) {
  status = s;
  statusListeners.forEach((l) => l(s));
}

function emit(event: LiveEvent | null) {
  for (const l of [...listeners]) {
    try {
      l(event);
    } catch (e) {
      console.error(e);
    }
  }
}

export function startEvents(): void {
  if (source) return;
  setStatus('connecting');
  const es = new EventSource(`${API}/events`, { withCredentials: true });
  source = es;
  es.onopen = () => {
    retryDelay = 1000;
    setStatus('live');
    if (wasLive) emit(null);
    wasLive = true;
  };
  es.addEventListener('change', (m) => {
    try {
      const data = JSON.parse((m as MessageEvent<string>).data) as LiveEvent;
      if (data && typeof data.kind === 'string') emit(data);
    } catch {
      // A malformed event carries nothing to act on.
    }
  });
  es.onerror = () => {
    // The browser retries a dropped stream by itself; a refused one (CLOSED) we retry
    // once after a growing delay.
    if (es.readyState === EventSource.CLOSED) {
      source = null;
      setStatus('offline');
      window.clearTimeout(retryTimer);
      retryTimer = window.setTimeout(startEvents, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    } else {
      setStatus('connecting');
    }
  };
}

export function stopEvents(): void {
  window.clearTimeout(retryTimer);
  source?.close();
  source = null;
  wasLive = false;
  setStatus('offline');
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// Calls `listener` for every live event while the component is mounted; the latest
// closure is used, so it may read current state.
export function useLive(listener: Listener): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => subscribe((e) => ref.current(e)), []);
}

export function useLiveStatus(): LiveStatus {
  const [s, setS] = useState(status);
  useEffect(() => {
    statusListeners.add(setS);
    return () => {
      statusListeners.delete(setS);
    };
  }, []);
  return s;
}

// Coalesces bursts of events into one call per `ms` (a job finishing fires several
// events at once). Not a timer loop: it only runs after an event.
export function coalesce(fn: () => void, ms = 150): () => void {
  let timer: number | undefined;
  return () => {
    if (timer !== undefined) return;
    timer = window.setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
  };
}
