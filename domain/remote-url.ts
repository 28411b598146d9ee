/**
 * A remote URL reduced to `host/path` in lower case, without scheme, user, port, `.git` or a
 * trailing slash, so that the https, ssh and scp-like spellings of one repository compare equal.
 */
export function normaliseRemoteUrl(url: string): string | null {
  const trimmed = url.trim();
  if (!trimmed) return null;
  const scpLike = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/.exec(trimmed);
  let host: string;
  let pathname: string;
  if (scpLike && !/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    host = scpLike[1] ?? '';
    pathname = scpLike[2] ?? '';
  } else {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      return null;
    }
    if (parsed.protocol === 'file:') return `file${parsed.pathname.replace(/\.git\/?$/, '').replace(/\/+$/, '')}`;
    host = parsed.hostname;
    pathname = parsed.pathname;
  }
  const cleanPath = pathname
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  if (!host || !cleanPath) return null;
  return `${host}/${cleanPath}`.toLowerCase();
}
