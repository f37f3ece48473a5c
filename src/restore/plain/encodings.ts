// The client encodings a plain SQL script may be written in, converted to UTF-8 as the script is read (the
// session seq-guard runs it in speaks UTF-8 only): PostgreSQL's names and aliases mapped to WHATWG labels, and
// the checks for bytes that are not what the script says they are. Pure.

/** PostgreSQL's client encodings, by their cleaned name (upper case, letters and digits), as WHATWG labels. */
const ENCODINGS: Record<string, string> = {
  LATIN2: "iso-8859-2",
  LATIN3: "iso-8859-3",
  LATIN4: "iso-8859-4",
  LATIN6: "iso-8859-10",
  LATIN7: "iso-8859-13",
  LATIN8: "iso-8859-14",
  LATIN9: "iso-8859-15",
  LATIN10: "iso-8859-16",
  ISO88595: "iso-8859-5",
  ISO88596: "iso-8859-6",
  ISO88597: "iso-8859-7",
  ISO88598: "iso-8859-8",
  WIN866: "ibm866",
  WIN874: "windows-874",
  WIN1250: "windows-1250",
  WIN1251: "windows-1251",
  WIN1252: "windows-1252",
  WIN1253: "windows-1253",
  WIN1254: "windows-1254",
  WIN1255: "windows-1255",
  WIN1256: "windows-1256",
  WIN1257: "windows-1257",
  WIN1258: "windows-1258",
  KOI8R: "koi8-r",
  KOI8U: "koi8-u",
  EUCJP: "euc-jp",
  SJIS: "shift_jis",
  EUCKR: "euc-kr",
  UHC: "euc-kr",
  BIG5: "big5",
  GBK: "gbk",
  GB18030: "gb18030",
  EUCCN: "gbk",
};

/** PostgreSQL's other names for them (pg_wchar's alias table, the ones in use). */
const ALIASES: Record<string, string> = {
  UNICODE: "UTF8",
  ISO88591: "LATIN1",
  ISO88592: "LATIN2",
  ISO88593: "LATIN3",
  ISO88594: "LATIN4",
  ISO88599: "LATIN5",
  ISO885910: "LATIN6",
  ISO885913: "LATIN7",
  ISO885914: "LATIN8",
  ISO885915: "LATIN9",
  ISO885916: "LATIN10",
  WINDOWS1250: "WIN1250",
  WINDOWS1251: "WIN1251",
  WINDOWS1252: "WIN1252",
  WINDOWS1253: "WIN1253",
  WINDOWS1254: "WIN1254",
  WINDOWS1255: "WIN1255",
  WINDOWS1256: "WIN1256",
  WINDOWS1257: "WIN1257",
  WINDOWS1258: "WIN1258",
  WINDOWS866: "WIN866",
  WINDOWS874: "WIN874",
  ALT: "WIN866",
  KOI8: "KOI8R",
  SHIFTJIS: "SJIS",
  MSKANJI: "SJIS",
  WINDOWS932: "SJIS",
  WIN932: "SJIS",
  WINDOWS936: "GBK",
  WIN936: "GBK",
  WINDOWS949: "UHC",
  WIN949: "UHC",
  WINDOWS950: "BIG5",
  WIN950: "BIG5",
  TCVN: "WIN1258",
  TCVN5712: "WIN1258",
  VSCII: "WIN1258",
};

/** An encoding's name as PostgreSQL compares them: upper case, letters and digits only; aliases resolved. */
export function cleanEncoding(name: string): string {
  const c = name.toUpperCase().replace(/[^A-Z0-9]/g, "");
  return ALIASES[c] ?? c;
}

/** Bytes of a script in `name` to UTF-8: null for UTF-8 itself (passed through untouched). Throws on bad bytes. */
export type Transcoder = ((b: Buffer) => Buffer) | null;

export function transcoder(name: string): Transcoder | undefined {
  if (name === "UTF8") return null;
  if (name === "SQLASCII") {
    // No encoding declared: accepted as long as it is UTF-8 (what the session speaks); passed through.
    const check = new TextDecoder("utf-8", { fatal: true });
    return (b) => {
      check.decode(b, { stream: true });
      return b;
    };
  }
  // Node's latin1 is ISO-8859-1 exactly (WHATWG's label would give windows-1252).
  if (name === "LATIN1") return (b) => Buffer.from(b.toString("latin1"), "utf8");
  if (name === "LATIN5") {
    // ISO-8859-9: windows-1254 above 0x9F, the C1 controls below (WHATWG's label would give windows-1254 there).
    const high = new TextDecoder("windows-1254").decode(Uint8Array.from({ length: 96 }, (_, i) => 0xa0 + i));
    return (b) => {
      let s = "";
      for (const c of b) s += c < 0xa0 ? String.fromCharCode(c) : high[c - 0xa0];
      return Buffer.from(s, "utf8");
    };
  }
  const label = ENCODINGS[name];
  if (label === undefined) return undefined;
  const d = new TextDecoder(label, { fatal: true });
  return (b) => Buffer.from(d.decode(b, { stream: true }), "utf8");
}

/** What converts bytes in `encoding` (as SqlScript.encoding names it) to UTF-8: null for UTF-8 itself. */
export function encodingTranscoder(encoding: string): ((b: Buffer) => Buffer) | null {
  return transcoder(cleanEncoding(encoding)) ?? null;
}

/** A statement's or line's bytes as UTF-8 text, or null when they are not UTF-8. */
const utf8Strict = new TextDecoder("utf-8", { fatal: true });
export function decodeUtf8(b: Buffer): string | null {
  try {
    return utf8Strict.decode(b);
  } catch {
    return null;
  }
}
