// A thin client of the Kraken REST API (/api/v1). The session travels in the
// `kraken_session` cookie that POST /auth/login sets, so requests only need
// same-origin credentials. Errors come back as ApiError, naming the field at fault.

export const API = '/api/v1';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }

  get notFound(): boolean {
    return this.status === 404 || this.status === 405 || this.status === 501;
  }
}

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler = () => {};

// Called when the session has expired or was never there; the app sends the user to /login.
export function setUnauthorizedHandler(handler: UnauthorizedHandler): void {
  onUnauthorized = handler;
}

async function errorOf(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON: a proxy error page or an endpoint this server does not have.
  }
  const e = (body as { error?: Record<string, unknown> } | null)?.error;
  if (e && typeof e === 'object') {
    return new ApiError(
      res.status,
      String(e.code ?? 'error'),
      String(e.message ?? res.statusText),
      typeof e.field === 'string' && e.field ? e.field : undefined,
      typeof e.line === 'number' ? e.line : undefined,
      typeof e.column === 'number' ? e.column : undefined,
    );
  }
  const message = res.status === 404 ? 'This server does not offer this yet (404)' : `${res.status} ${res.statusText}`;
  return new ApiError(res.status, res.status === 404 ? 'not_found' : 'error', message);
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(API + path, init);
  } catch {
    throw new ApiError(0, 'unavailable', 'The Kraken server cannot be reached');
  }
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 401 && path !== '/auth/login') onUnauthorized();
    throw err;
  }
  const text = await res.text();
  return (text ? JSON.parse(text) : null) as T;
}

export const get = <T>(path: string) => request<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => request<T>('POST', path, body);
export const put = <T>(path: string, body: unknown) => request<T>('PUT', path, body);
export const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, body);
export const del = <T>(path: string) => request<T>('DELETE', path);

// Streams a text resource (a log followed with follow=1) chunk by chunk until the
// server ends it or `signal` aborts. Resolves when the stream ends.
export async function streamText(
  path: string,
  onText: (text: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const res = await fetch(API + path, { credentials: 'same-origin', signal });
  if (!res.ok) throw await errorOf(res);
  if (!res.body) {
    onText(await res.text());
    return;
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const text = decoder.decode(value, { stream: true });
    if (text) onText(text);
  }
  const rest = decoder.decode();
  if (rest) onText(rest);
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
