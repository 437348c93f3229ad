// Small building blocks shared by the pages: form fields with their errors, dialogs,
// empty states and state badges.

import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { ApiError, messageOf } from '../api';
import { Link } from '../router';

// The message for `field` when the API named it as the one at fault.
export function fieldError(err: unknown, ...fields: string[]): string | undefined {
  if (!(err instanceof ApiError) || !err.field) return undefined;
  return fields.some((f) => err.field === f || err.field!.startsWith(f + '.') || err.field!.startsWith(f + '['))
    ? err.message
    : undefined;
}

// An error not tied to one of `fields`, to show at the form's foot.
export function formError(err: unknown, ...fields: string[]): string | undefined {
  if (!err) return undefined;
  if (fieldError(err, ...fields)) return undefined;
  if (err instanceof ApiError && err.field) return `${err.field}: ${err.message}`;
  return messageOf(err);
}

interface FieldProps {
  id: string;
  label: string;
  error?: string;
  hint?: ComponentChildren;
  children: ComponentChildren;
  wide?: boolean;
}

export function Field({ id, label, error, hint, children, wide }: FieldProps) {
  return (
    <div class={`field${error ? ' has-error' : ''}${wide ? ' wide' : ''}`}>
      <label for={id}>{label}</label>
      {children}
      {hint && !error && <div class="hint" id={`${id}-hint`}>{hint}</div>}
      {error && (
        <div class="field-error" id={`${id}-error`} role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

export function Check({ id, label, checked, onChange, disabled }: {
  id: string;
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
  disabled?: boolean;
}) {
  return (
    <div class="field check">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChange((e.currentTarget as HTMLInputElement).checked)}
      />
      <label for={id}>{label}</label>
    </div>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const msg = typeof error === 'string' ? error : messageOf(error);
  return (
    <div class="error-box" role="alert">
      {msg}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

export function Loading() {
  return (
    <div class="loading" aria-live="polite">
      Loading…
    </div>
  );
}

// The page's whole-body state while its main resource loads or fails.
export function PageState({ error, loading }: { error: unknown; loading: boolean }) {
  if (error) {
    const notFound = error instanceof ApiError && error.status === 404;
    return <ErrorBox error={notFound ? 'Not found: it may have been deleted.' : error} />;
  }
  return loading ? <Loading /> : null;
}

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
}

// A modal dialog on the native <dialog> element: focus is trapped and Escape closes it.
export function Dialog({ title, onClose, children, wide }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  const titleId = `dlg-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <dialog
      ref={ref}
      class={wide ? 'wide' : ''}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <div class="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" class="icon" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
      {children}
    </dialog>
  );
}

export function Badge({ kind, children, title }: { kind: string; children: ComponentChildren; title?: string }) {
  return (
    <span class={`badge ${kind}`} title={title}>
      {children}
    </span>
  );
}

// Colour class of a job by its state and completion status.
export function jobTone(state: string, completion: string | null): string {
  if (state !== 'completed') return state === 'queued' ? 'wait' : 'busy';
  if (completion === 'ok') return 'ok';
  if (completion === 'user-cancel' || completion === 'preempted') return 'muted';
  return 'bad';
}

export function Tabs({ items }: { items: { href: string; label: string; current: boolean }[] }) {
  return (
    <nav class="tabs" aria-label="Sections">
      {items.map((t) => (
        <Link key={t.href} href={t.href} aria-current={t.current ? 'page' : undefined}>
          {t.label}
        </Link>
      ))}
    </nav>
  );
}
