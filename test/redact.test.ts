// Masking secrets in text (src/core/redact.ts): every secret that stands as one is masked; the words around it,
// and words that merely contain it, stay readable. Pure, no server.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { maskWhole, redact } from "../src/core/redact.ts";

test("a password that is part of a longer word leaves the word alone: ro does not eat role", () => {
  assert.equal(
    redact("the role may not create databases; password ro was given", ["ro"]),
    "the role may not create databases; password *** was given",
  );
});

test("a password standing alone is masked wherever it stands: quoted, after =, in user info, at either end", () => {
  assert.equal(redact("ro", ["ro"]), "***");
  assert.equal(redact("PGPASSWORD=ro 'ro' \"ro\" (ro)", ["ro"]), "PGPASSWORD=*** '***' \"***\" (***)");
  assert.equal(redact("user:s3cret@host", ["s3cret"]), "user:***@host");
});

test("a secret that begins or ends with punctuation is masked even where it touches a word", () => {
  assert.equal(maskWhole("xp@ss! p@ss!y", "p@ss!"), "xp@ss! ***y");
  assert.equal(maskWhole("#pw#x", "#pw#"), "***x");
});

test("longest first: a secret that holds another is masked whole, encoded forms too", () => {
  assert.equal(redact("x p%40ss y p@ss", ["p@ss", "p%40ss"]), "x *** y ***");
});

test("no secret standing between non-word characters survives redact (property)", () => {
  const word = fc.stringMatching(/^[A-Za-z0-9_@!#%]{1,12}$/);
  const sep = fc.constantFrom(" ", "'", '"', "=", ":", "@", "/", "(", ")", "\n", ",");
  fc.assert(
    fc.property(word, fc.array(fc.tuple(fc.string({ maxLength: 8 }), sep, sep)), (secret, parts) => {
      const text = parts.map(([filler, a, b]) => `${filler}${a}${secret}${b}`).join("");
      const out = redact(text, [secret]);
      for (const [, a, b] of parts) assert.ok(!out.includes(`${a}${secret}${b}`), `${secret} left in ${out}`);
    }),
  );
});
