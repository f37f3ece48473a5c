// The JSON report as text, in pieces: the envelope pretty-printed, each sequence on a line of its own. At 100,000
// sequences one JSON.stringify of the whole report (and the copies redaction makes of it) costs hundreds of MB;
// pieces of a few hundred sequences keep memory flat. Pure: the caller writes the pieces where they go.

import type { Report } from "../core/types.ts";

const PIECE = 100;

/** Yield the report's JSON text in pieces; joined, they parse to the report. Ends with a newline. */
export function* reportJsonPieces(report: Report): Generator<string> {
  const { targets, ...head } = report;
  const headText = JSON.stringify(head, null, 2);
  yield `${headText.slice(0, headText.lastIndexOf("}")).trimEnd()},\n  "targets": [`;
  for (const [ti, target] of targets.entries()) {
    const { sequences, ...rest } = target;
    const restText = JSON.stringify(rest, null, 2).replace(/\n/g, "\n    ");
    yield `${ti > 0 ? "," : ""}\n    ${restText.slice(0, restText.lastIndexOf("}")).trimEnd()},\n      "sequences": [`;
    for (let i = 0; i < sequences.length; i += PIECE) {
      const lines = sequences.slice(i, i + PIECE).map((s) => `        ${JSON.stringify(s)}`);
      yield `${i > 0 ? "," : ""}\n${lines.join(",\n")}`;
    }
    yield `${sequences.length > 0 ? "\n      " : ""}]\n    }`;
  }
  yield `${targets.length > 0 ? "\n  " : ""}]\n}\n`;
}
