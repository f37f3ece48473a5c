// Names as a script and the server's reports write them: an unquoted name folded to lower case (in ASCII only,
// as PostgreSQL does), a quoted one as written with "" read as ". A setval's 'schema.name' is read the way
// regclass reads it; a report's schema."Name" (format('%I.%I')) the same way. Pure.

import type { QualifiedName } from "./facts.ts";

/** PostgreSQL folds unquoted names to lower case in ASCII only (multibyte letters stay as written). */
export const asciiLower = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
export const asciiUpper = (s: string) => s.replace(/[a-z]+/g, (m) => m.toUpperCase());

/** The last two parts of a name: schema (null when unqualified) and name. */
export const qualified = (parts: string[]): QualifiedName => ({
  schema: parts.length > 1 ? (parts[parts.length - 2] as string) : null,
  name: parts[parts.length - 1] as string,
});

/** The parts of a dotted name (public."Mixed_id_seq", users), as the server reads them; null when it is none. */
export function nameParts(text: string): string[] | null {
  const parts: string[] = [];
  let i = 0;
  const s = text.trim();
  while (i < s.length) {
    if (s[i] === '"') {
      let j = i + 1;
      let v = "";
      for (; j < s.length; j++) {
        if (s[j] === '"') {
          if (s[j + 1] === '"') {
            v += '"';
            j++;
          } else break;
        } else v += s[j];
      }
      if (j >= s.length) return null;
      parts.push(v);
      i = j + 1;
    } else {
      const m = /^[^."\s]+/.exec(s.slice(i));
      if (!m) return null;
      parts.push(asciiLower(m[0]));
      i += m[0].length;
    }
    if (i < s.length) {
      if (s[i] !== ".") return null;
      i++;
    }
  }
  return parts.length > 0 ? parts : null;
}

/** A name written in a string, as regclass reads it: public."Mixed_id_seq", users. */
export function parseRegclassText(text: string): QualifiedName | null {
  const parts = nameParts(text);
  if (parts === null || parts.length > 3) return null;
  return qualified(parts);
}

/** Schema and name of a sequence or table as the report writes it (format('%I.%I')): app."Mixed Case_Id_seq". */
export function splitQualified(q: string): QualifiedName | null {
  const parts = nameParts(q);
  if (parts?.length !== 2) return null;
  return { schema: parts[0] as string, name: parts[1] as string };
}
