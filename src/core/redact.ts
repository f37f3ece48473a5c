// Masking of secrets in text: passwords in connection URLs, and the secrets a run knows, before anything is printed.

/**
 * The password of a URL as written, even in a malformed one: the user info runs to the last "@" (a password may
 * hold "/", "#", "?" or "@" that should have been percent-encoded), the password from its first ":". Null when
 * there is none. "PASSWORD" itself is the placeholder of our own messages, not a secret.
 */
export function urlPassword(url: string): { start: number; end: number } | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (!m) return null;
  const at = url.lastIndexOf("@");
  if (at < m[0].length) return null;
  const colon = url.indexOf(":", m[0].length);
  if (colon < 0 || colon > at) return null;
  if (url.slice(colon + 1, at) === "PASSWORD") return null;
  return { start: colon + 1, end: at };
}

/** Replace the password of a URL (in the user info, or a password= parameter) by ***. */
export function redactUrl(url: string): string {
  let out = url;
  const p = urlPassword(out);
  if (p && p.end > p.start) out = `${out.slice(0, p.start)}***${out.slice(p.end)}`;
  return out.replace(/([?&](?:ssl)?password=)[^&#\s]*/gi, "$1***");
}

/** Remove every secret and every password-bearing URL from a text before it is printed anywhere. */
export function redact(text: string, secrets: string[]): string {
  let out = text.replace(/postgres(?:ql)?:\/\/[^\s'"]+/gi, (m) => redactUrl(m));
  // Longest first: a password that holds another one (p@ss and its encoded p%40ss) is masked whole.
  const live = secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  for (const s of live) out = out.split(s).join("***");
  return out;
}
