// Formatting of times, durations and states for display. Pure functions.

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !isFinite(ms) || ms < 0) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

// The time between two instants; `end` missing means "still going".
export function span(start: number | null | undefined, end: number | null | undefined, now = Date.now()): string {
  if (!start) return '';
  return duration((end || now) - start);
}

export function ago(t: number | null | undefined, now = Date.now()): string {
  if (!t) return '';
  const d = now - t;
  if (d < 45_000) return 'just now';
  return `${duration(d).split(' ')[0]} ago`;
}

export function dateTime(t: number | null | undefined): string {
  if (!t) return '';
  const d = new Date(t);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function bytes(n: unknown): string {
  const v = Number(n);
  if (!isFinite(v) || v <= 0) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let x = v;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${x < 10 && i > 0 ? x.toFixed(1) : Math.round(x)} ${units[i]}`;
}
