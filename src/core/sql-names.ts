// SQL names as a script writes them, read the way the server reads them.

/**
 * Split a possibly schema-qualified SQL name as written in a script into its parts, the way the server reads
 * them: unquoted parts folded to lower case, quoted parts verbatim with "" read as ". Returns null when the text
 * does not start with a name.
 */
export function parseQualifiedName(s: string): { parts: string[]; rest: string } | null {
  const parts: string[] = [];
  let i = 0;
  for (;;) {
    if (s[i] === '"') {
      let name = "";
      i++;
      for (;;) {
        if (i >= s.length) return null;
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            name += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        name += s[i];
        i++;
      }
      parts.push(name);
    } else {
      const m = /^[\p{L}_][\p{L}\p{N}_$]*/u.exec(s.slice(i));
      if (!m) return null;
      parts.push(m[0].toLowerCase());
      i += m[0].length;
    }
    if (s[i] === ".") {
      i++;
      continue;
    }
    return { parts, rest: s.slice(i) };
  }
}
