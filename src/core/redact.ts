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

/**
 * The secrets worth masking among `passwords`, longest first (so that masking a longer one is never undone by a
 * shorter one inside it). The one rule of what is a secret, for every list of them: a password that is also a
 * name the connection uses (its user, its database: the service container's postgres/postgres/postgres) is no
 * secret from anyone who reads that name, and masking it would garble every mention of the name (the postgres
 * service, host:port/postgres) and tell the reader which name the password is: it is left out.
 */
export function worthMasking(
  passwords: Iterable<string | null | undefined>,
  names: Iterable<string | null | undefined>,
): string[] {
  const known = new Set(names);
  const out = new Set<string>();
  for (const p of passwords) if (p && !known.has(p)) out.add(p);
  return [...out].sort((a, b) => b.length - a.length);
}

/** Remove every secret and every password-bearing URL from a text before it is printed anywhere. */
export function redact(text: string, secrets: string[]): string {
  let out = text.replace(/postgres(?:ql)?:\/\/[^\s'"]+/gi, (m) => redactUrl(m));
  // Longest first: a password that holds another one (p@ss and its encoded p%40ss) is masked whole.
  const live = secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  for (const s of live) out = maskWhole(out, s);
  return out;
}

const WORD = /[\p{L}\p{N}_]/u;

/**
 * Every occurrence of `secret` that stands on its own, as a secret stands in a message (between blanks, quotes,
 * "=", ":", "@"...), replaced by ***. An occurrence inside a longer word is part of that word, not the secret:
 * with the password "ro", "role" stays "role". The edge check applies only on a side where the secret itself
 * ends in a word character; a secret that begins or ends with punctuation is masked wherever it touches.
 */
export function maskWhole(text: string, secret: string): string {
  const first = WORD.test(secret.slice(0, 1));
  const last = WORD.test(secret.slice(-1));
  let out = "";
  let from = 0;
  for (let at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + 1)) {
    if (at < from) continue;
    const end = at + secret.length;
    const inWordBefore = first && at > 0 && WORD.test(text.slice(at - 1, at));
    const inWordAfter = last && end < text.length && WORD.test(text.slice(end, end + 1));
    if (inWordBefore || inWordAfter) continue;
    out += `${text.slice(from, at)}***`;
    from = end;
  }
  return out + text.slice(from);
}
