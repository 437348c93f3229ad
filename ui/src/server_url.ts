// The address agents use to reach this server, for the hints on the agents pages.

import { get } from './api';

let cached: Promise<string> | null = null;

export function serverUrl(): Promise<string> {
  cached ??= get<{ server_url?: string }>('/settings/general')
    .then((s) => s?.server_url || location.origin)
    .catch(() => location.origin);
  return cached;
}

export function forgetServerUrl(): void {
  cached = null;
}
