// Where to go after signing in: the page that asked for it, if it is one of ours.
export function nextPath(): string {
  const next = new URLSearchParams(location.search).get('next');
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}
