// The parsers of single option values (core/options.ts): what each accepts, and a refusal that names the
// setting and says what it takes. Without a database.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  parseDuration,
  parseExtensionName,
  parseFailOn,
  parseInteger,
  parseOnRestoreError,
  parsePercent,
} from "../src/core/options.ts";
import { CLI_WORDS, inWords } from "../src/core/words.ts";

/** The refusal of `fn`, as the CLI shows it. */
function refused(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: Error & { exitCode?: number }) => {
    assert.equal(err.exitCode, 2, "a usage error");
    assert.match(inWords(err.message, CLI_WORDS), pattern);
    return true;
  });
}

describe("durations take a unit", () => {
  test("ms, s, sec, min and m, with decimals and blanks; rounded to whole milliseconds", () => {
    assert.equal(parseDuration("statement-timeout", "5000ms"), 5000);
    assert.equal(parseDuration("statement-timeout", "5s"), 5000);
    assert.equal(parseDuration("statement-timeout", "5 sec"), 5000);
    assert.equal(parseDuration("statement-timeout", "2min"), 120_000);
    assert.equal(parseDuration("statement-timeout", "2m"), 120_000);
    assert.equal(parseDuration("statement-timeout", " 1.5S "), 1500);
    assert.equal(parseDuration("lock-timeout", "0.0004s"), 0);
  });

  test("a bare number is refused, saying why; anything else says what a duration looks like", () => {
    refused(
      () => parseDuration("statement-timeout", "5"),
      /^--statement-timeout takes a duration with its unit, such as 5ms or 5s \(got "5"\): a bare number is ambiguous/,
    );
    refused(() => parseDuration("statement-timeout", "5"), /\(PostgreSQL reads it as milliseconds\)$/);
    // libpq's connect_timeout is in seconds: the reason given must not claim milliseconds for it.
    refused(() => parseDuration("connect-timeout", "5"), /libpq's connect_timeout reads it as seconds/);
    refused(() => parseDuration("lock-timeout", "soon"), /^--lock-timeout takes a duration such as 5000ms/);
    refused(() => parseDuration("lock-timeout", "5h"), /\(got "5h"\)/);
    refused(() => parseDuration("lock-timeout", "-1s"), /takes a duration such as/);
  });
});

describe("numbers", () => {
  test("a whole number within its bounds", () => {
    assert.equal(parseInteger("jobs", "1", 1, 64), 1);
    assert.equal(parseInteger("jobs", " 64 ", 1, 64), 64);
    for (const bad of ["0", "65", "1.5", "two", "", "-1"]) {
      refused(() => parseInteger("jobs", bad, 1, 64), /^--jobs takes a whole number from 1 to 64/);
    }
  });

  test("a percentage above 0 and at most 100, with or without %", () => {
    assert.equal(parsePercent("headroom-threshold", "80"), 80);
    assert.equal(parsePercent("headroom-threshold", "99.5%"), 99.5);
    assert.equal(parsePercent("headroom-threshold", "100"), 100);
    for (const bad of ["0", "101", "abc", "", " "]) {
      refused(() => parsePercent("headroom-threshold", bad), /^--headroom-threshold takes a percentage/);
    }
  });
});

describe("words", () => {
  test("fail-on: kinds separated by commas, blanks or lines; _ for -; none for nothing", () => {
    assert.deepEqual(parseFailOn("behind,exhausted"), ["behind", "exhausted"]);
    assert.deepEqual(parseFailOn("Behind\nnear_exhaustion error"), ["behind", "near-exhaustion", "error"]);
    assert.deepEqual(parseFailOn("none"), []);
    refused(() => parseFailOn("behind,weird"), /^--fail-on takes a list of .* or none \(got "weird"\)/);
    refused(() => parseFailOn("none,behind"), /\(got "none"\)/);
  });

  test("on-restore-error: stop or continue, any case", () => {
    assert.equal(parseOnRestoreError("stop"), "stop");
    assert.equal(parseOnRestoreError(" CONTINUE "), "continue");
    refused(() => parseOnRestoreError("skip"), /^--on-restore-error takes stop or continue \(got "skip"\)/);
  });

  test("an extension's name, as CREATE EXTENSION takes it unquoted", () => {
    assert.equal(parseExtensionName(" postgis "), "postgis");
    assert.equal(parseExtensionName("uuid-ossp"), "uuid-ossp");
    for (const bad of ["", "1abc", "a b", 'x"; DROP', "x".repeat(64)]) {
      refused(() => parseExtensionName(bad), /^--extension takes the name of an extension/);
    }
  });
});
