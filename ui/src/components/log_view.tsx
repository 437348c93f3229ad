// A log, followed live while its job runs (GET ...?follow=1 stays open and streams new
// text until the job ends). Text is appended to the DOM directly, so long logs stay cheap,
// and the view keeps to the bottom unless the reader scrolled up.

import { useEffect, useRef, useState } from 'preact/hooks';
import { messageOf, streamText } from '../api';

export function LogView({ path, follow, label }: { path: string; follow: boolean; label: string }) {
  const pre = useRef<HTMLPreElement>(null);
  const [state, setState] = useState<'loading' | 'streaming' | 'done' | 'error'>('loading');
  const [error, setError] = useState('');
  const [empty, setEmpty] = useState(true);

  useEffect(() => {
    const el = pre.current!;
    el.textContent = '';
    setEmpty(true);
    const abort = new AbortController();
    setState(follow ? 'streaming' : 'loading');
    const append = (text: string) => {
      const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      el.append(text);
      setEmpty(false);
      if (atBottom) el.scrollTop = el.scrollHeight;
    };
    streamText(`${path}${follow ? (path.includes('?') ? '&' : '?') + 'follow=1' : ''}`, append, abort.signal)
      .then(() => setState('done'))
      .catch((e) => {
        if (abort.signal.aborted) return;
        setError(messageOf(e));
        setState('error');
      });
    return () => abort.abort();
  }, [path, follow]);

  return (
    <div class="log">
      <pre ref={pre} tabIndex={0} aria-label={label} aria-live={follow ? 'off' : undefined} />
      {state === 'streaming' && <div class="log-state live-text">following live…</div>}
      {state === 'done' && empty && <div class="log-state muted">No output.</div>}
      {state === 'error' && <div class="log-state error-text">Cannot load the log: {error}</div>}
    </div>
  );
}
