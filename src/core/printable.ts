// Text from a dump (file, schema, table, sequence and column names) and from a server (its messages) is hostile
// input: it must not start a workflow command in a GitHub log, nor end the line it is shown on. The runner reads
// `::command::` at the start of a line (after blanks) and the legacy `##[command]` anywhere in one, and a line
// ends at \n, at \r, or at both. Pure.
//
// printable() is for one name or one line of text where it is interpolated: every control character shows as an
// escape (\n, \r, \t, \u0085) and `##[` is broken. logText() is for what is written to a log as a whole, lines
// and all: the last guard, so that no line of it can be a command whatever a message carried.

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is replaced
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is replaced
const CONTROL_IN_LINE = /[\u0000-\u0008\u000a-\u001a\u001c-\u001f\u007f-\u009f\u2028\u2029]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeChar(c: string): string {
  return NAMED[c] ?? `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, "0")}`;
}

/** Every control character of `s` as a visible escape: "a\nb" shows as a\nb, on one line. */
export function controlsVisible(s: string): string {
  return s.replace(CONTROL, escapeChar);
}

/** The legacy command prefix, anywhere in a line: `##[` becomes `#\u0023[` (in JSON, the same string). */
function breakLegacyCommands(s: string): string {
  return s.replaceAll("##[", "#\\u0023[");
}

/**
 * A name or a message as one line of a log: controls shown as escapes, the legacy `##[` command prefix broken.
 * For everything a dump or a server named, where it is put into a line.
 */
export function printable(s: string): string {
  return breakLegacyCommands(controlsVisible(s));
}

/**
 * Text written to a log, whose line breaks are its own: each line has its controls shown as escapes (tabs and
 * the escape character of colours stay), a \r\n ends a line as \n does, no line can begin with `::` (after
 * blanks), and no `##[` is left anywhere. Idempotent on text that needs none of it.
 */
export function logText(text: string): string {
  return text
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((line) => {
      const one = breakLegacyCommands(line.replace(CONTROL_IN_LINE, escapeChar));
      return one.replace(/^(\s*)::/u, "$1\\u003a:");
    })
    .join("\n");
}
