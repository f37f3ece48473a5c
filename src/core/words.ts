// One vocabulary for the settings. Below the front ends a message never spells a setting the way one front end
// does (--lock-timeout, "the lock-timeout input"): it names the setting by its key with `say`, and the front end
// renders the message in its own words with inWords() just before it shows it. A reworded message keeps its
// setting names, so nothing escapes translation, and the CLI and the Action can never drift apart. Pure.
//
// A named setting travels inside the text as a marker made of Unicode private-use characters, which no message of
// ours uses otherwise. A marker that a dump or a server smuggles into a name can only turn into a setting's name.

import type { Mode, Report } from "./types.ts";

/** Every setting a message may name, with the CLI's flag (without --) and the Action's input. */
export const SETTINGS = {
  "database-url": { flag: "database-url", input: "database-url" },
  "restore-database": { flag: "restore-database", input: "restore-database" },
  "restore-via": { flag: "restore-via", input: "container" },
  "restore-arg": { flag: "restore-arg", input: "restore-args" },
  "on-restore-error": { flag: "on-restore-error", input: "on-restore-error" },
  "trust-fixture": { flag: "trust-fixture", input: "trust-fixture" },
  extension: { flag: "extension", input: "extensions" },
  clean: { flag: "clean", input: "clean" },
  keep: { flag: "keep", input: "keep-database" },
  jobs: { flag: "jobs", input: "jobs" },
  schema: { flag: "schema", input: "schemas" },
  exclude: { flag: "exclude", input: "exclude" },
  "fail-on": { flag: "fail-on", input: "fail-on" },
  "headroom-threshold": { flag: "headroom-threshold", input: "headroom-threshold" },
  concurrency: { flag: "concurrency", input: "concurrency" },
  "statement-timeout": { flag: "statement-timeout", input: "statement-timeout" },
  "lock-timeout": { flag: "lock-timeout", input: "lock-timeout" },
  "connect-timeout": { flag: "connect-timeout", input: "connect-timeout" },
} as const satisfies Record<string, { flag: string; input: string }>;

export type SettingKey = keyof typeof SETTINGS;

/** How one front end words what messages name: its options, its modes, and the few phrases that differ. */
export interface FrontEndWords {
  frontEnd: "cli" | "action";
  /** The setting as the reader writes it: "--schema" / "the schemas input". */
  option(key: SettingKey): string;
  /** The setting with a value: "--on-restore-error continue" / "on-restore-error: continue". */
  set(key: SettingKey, value: string): string;
  /** One value of a list setting: '--schema "app"' / 'the schemas entry "app"'. */
  entry(key: SettingKey, value: string): string;
  /** A switch turned on: "--clean" / "clean: true". */
  enable(key: SettingKey): string;
  /** A mode, as a name: "seq-guard check" / "mode: check". */
  mode(mode: Mode): string;
  /** What to do to run a mode: "run seq-guard fix" / "set mode: fix". */
  runMode(mode: Mode): string;
  /** Where the role is chosen: "run seq-guard as" / "connect in database-url as". */
  runAs(): string;
  /** Where the fix statements are shown: "the setval() calls that seq-guard fix prints" / "... of a check run". */
  fixStatements(): string;
}

export const CLI_WORDS: FrontEndWords = {
  frontEnd: "cli",
  option: (key) => `--${SETTINGS[key].flag}`,
  set: (key, value) => `--${SETTINGS[key].flag} ${value}`,
  entry: (key, value) => `--${SETTINGS[key].flag} "${value}"`,
  enable: (key) => `--${SETTINGS[key].flag}`,
  mode: (mode) => `seq-guard ${mode}`,
  runMode: (mode) => `run seq-guard ${mode}`,
  runAs: () => "run seq-guard as",
  fixStatements: () => "the setval() calls that seq-guard fix prints",
};

export const ACTION_WORDS: FrontEndWords = {
  frontEnd: "action",
  option: (key) => `the ${SETTINGS[key].input} input`,
  set: (key, value) =>
    // The container the service runs in is named by a workflow expression, which the reader writes as is.
    key === "restore-via"
      ? // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression the user writes, verbatim
        "the container input (container: ${{ job.services.postgres.id }})"
      : `${SETTINGS[key].input}: ${value}`,
  entry: (key, value) => `the ${SETTINGS[key].input} entry "${value}"`,
  enable: (key) => `${SETTINGS[key].input}: true`,
  mode: (mode) => `mode: ${mode}`,
  runMode: (mode) => `set mode: ${mode}`,
  runAs: () => "connect in database-url as",
  fixStatements: () => "the setval() calls in the fix column of a check run",
};

// ---- Setting names inside messages ------------------------------------------------------------------------------

const OPEN = "\u{e000}";
const CLOSE = "\u{e001}";
const SEP = "\u{e002}";
const MARKER =
  /\u{e000}([a-zA-Z]+)\u{e002}([^\u{e000}\u{e001}\u{e002}]*)\u{e002}([^\u{e000}\u{e001}\u{e002}]*)\u{e001}/gu;

// A value (a filter entry, a fail-on list) is the reader's text: the marker characters are taken out of it, so
// that it can neither end its marker early nor start another.
const MARKER_CHARS = /[\u{e000}\u{e001}\u{e002}]/gu;
const marker = (kind: string, a: string, b = "") =>
  `${OPEN}${kind}${SEP}${a}${SEP}${b.replace(MARKER_CHARS, "")}${CLOSE}`;

/** Name a setting, a mode or a phrase in a message; the front end renders it in its words (inWords). */
export const say = {
  option: (key: SettingKey) => marker("option", key),
  set: (key: SettingKey, value: string) => marker("set", key, value),
  entry: (key: SettingKey, value: string) => marker("entry", key, value),
  enable: (key: SettingKey) => marker("enable", key),
  mode: (mode: Mode) => marker("mode", mode),
  runMode: (mode: Mode) => marker("runMode", mode),
  runAs: () => marker("runAs", ""),
  fixStatements: () => marker("fixStatements", ""),
};

const isKey = (k: string): k is SettingKey => Object.hasOwn(SETTINGS, k);
const isMode = (m: string): m is Mode => m === "check" || m === "fix" || m === "report";

/** A message with every setting it names in the front end's words. Text without markers comes back as it was. */
export function inWords(text: string, words: FrontEndWords): string {
  if (!text.includes(OPEN)) return text;
  return text.replace(MARKER, (all, kind: string, a: string, b: string) => {
    switch (kind) {
      case "option":
        return isKey(a) ? words.option(a) : all;
      case "set":
        return isKey(a) ? words.set(a, b) : all;
      case "entry":
        return isKey(a) ? words.entry(a, b) : all;
      case "enable":
        return isKey(a) ? words.enable(a) : all;
      case "mode":
        return isMode(a) ? words.mode(a) : all;
      case "runMode":
        return isMode(a) ? words.runMode(a) : all;
      case "runAs":
        return words.runAs();
      case "fixStatements":
        return words.fixStatements();
      default:
        return all;
    }
  });
}

/**
 * The report with every free-text field (the run's error, each target's error and hints, each row's reason,
 * warnings and column notes) in the front end's words. Rows whose text names no setting are the same objects,
 * not copies: at 100,000 sequences a copy of every row would double the memory.
 */
export function inWordsReport(report: Report, words: FrontEndWords): Report {
  const render = (t: string) => inWords(t, words);
  const named = (t: string | null | undefined) => t?.includes(OPEN) ?? false;
  return {
    ...report,
    ...(report.error ? { error: { ...report.error, message: render(report.error.message) } } : {}),
    targets: report.targets.map((t) => ({
      ...t,
      error: t.error === null ? null : render(t.error),
      hints: t.hints.map(render),
      sequences: t.sequences.map((r) =>
        !named(r.reason) && !r.warnings.some((w) => named(w.message)) && !r.columns.some((c) => named(c.note))
          ? r
          : {
              ...r,
              reason: r.reason === null ? null : render(r.reason),
              warnings: r.warnings.map((w) => ({ ...w, message: render(w.message) })),
              columns: r.columns.map((c) => (c.note === undefined ? c : { ...c, note: render(c.note) })),
            },
      ),
    })),
  };
}
