// The errors a restore passed over (on-restore-error continue), as notes for the report: the first 20 one by one,
// the rest counted, with how to see them. The same for pg_restore's errors and seq-guard's own plain SQL runner's.
// Pure.

import { say } from "../core/words.ts";

const SHOWN = 20;

/** Errors passed over with on-restore-error continue, one note each (the first 20), for the hints. */
export function passedOver(tool: "seq-guard" | "pg_restore", errors: string[], count: number): string[] {
  const total = Math.max(count, errors.length);
  if (total === 0) return [];
  const continued = say.set("on-restore-error", "continue");
  const stop = say.set("on-restore-error", "stop");
  const notes = errors
    .slice(0, SHOWN)
    .map((e, i) => `${tool} passed over error ${i + 1} of ${total} (${continued}): ${e}`);
  if (notes.length === 0) {
    notes.push(
      `${tool} passed over ${total} error(s) (${continued}); run the restore with ${stop} to see the first`,
    );
  } else if (total > notes.length) {
    notes.push(
      `${tool} passed over ${total - notes.length} more error(s) (${continued}), not listed here; run the restore with ${stop} to see them one at a time`,
    );
  }
  return notes;
}
