#!/usr/bin/env node
import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 2957:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _process_warnings_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(9396);
/* harmony import */ var _run_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(5503);
// Entry point of the bundled CLI (dist/cli.js). run.ts loads the driver, the engine, restoring and the embedded
// server only for the commands that use them (dynamic imports, kept in this one file by ncc).


// node-postgres tells a Cloudflare Worker by `navigator.userAgent`, and where there is no `navigator` (Node 20;
// Node 21 and later have one) by constructing a `Response`, which loads Node's whole fetch implementation (undici,
// zlib): a fifth of the time the CLI takes to load. Give Node 20 the `navigator` later versions have.
if (typeof globalThis.navigator === "undefined") {
    Object.defineProperty(globalThis, "navigator", {
        value: { userAgent: `Node.js/${process.versions.node.split(".")[0]}` },
        configurable: true,
        writable: true,
    });
}
(0,_process_warnings_js__WEBPACK_IMPORTED_MODULE_1__/* .oneLineDriverWarnings */ .i)((line) => process.stderr.write(line));
// A reader that goes away (`seq-guard check --json | head`) is no error of ours: stop writing, keep cleaning up.
let closed = false;
process.stdout.on("error", (err) => {
    if (err.code === "EPIPE")
        closed = true;
    else
        throw err;
});
process.exitCode = await (0,_run_js__WEBPACK_IMPORTED_MODULE_0__/* .run */ .e)(process.argv.slice(2), {
    stdout: (s) => closed || process.stdout.write(s)
        ? undefined
        : new Promise((resolve) => {
            const done = () => {
                process.stdout.off("drain", done);
                process.stdout.off("error", done);
                resolve();
            };
            process.stdout.on("drain", done);
            process.stdout.on("error", done);
        }),
    stderr: (s) => process.stderr.write(s),
    isTTY: Boolean(process.stdout.isTTY),
    stderrTTY: Boolean(process.stderr.isTTY),
    env: process.env,
});

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 5503:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  e: () => (/* binding */ run)
});

// UNUSED EXPORTS: USAGE

// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __nccwpck_require__(4296);
// EXTERNAL MODULE: ./src/core/printable.ts
var printable = __nccwpck_require__(8080);
// EXTERNAL MODULE: ./src/core/report.ts
var core_report = __nccwpck_require__(8557);
// EXTERNAL MODULE: ./src/core/filters.ts
var core_filters = __nccwpck_require__(1336);
;// CONCATENATED MODULE: ./src/core/sql-names.ts
// SQL names as a script writes them, read the way the server reads them.
/**
 * Split a possibly schema-qualified SQL name as written in a script into its parts, the way the server reads
 * them: unquoted parts folded to lower case, quoted parts verbatim with "" read as ". Returns null when the text
 * does not start with a name.
 */
function parseQualifiedName(s) {
    const parts = [];
    let i = 0;
    for (;;) {
        if (s[i] === '"') {
            let name = "";
            i++;
            for (;;) {
                if (i >= s.length)
                    return null;
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
        }
        else {
            const m = /^[\p{L}_][\p{L}\p{N}_$]*/u.exec(s.slice(i));
            if (!m)
                return null;
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

// EXTERNAL MODULE: ./src/core/words.ts
var words = __nccwpck_require__(7522);
;// CONCATENATED MODULE: ./src/core/report-filters.ts
// Filters that do nothing: a schema or exclude entry that matches no sequence of the verified databases (a quoted
// name, a typo) reads as a clean bill of health. One logic for both front ends; the messages name each entry with
// say.entry, which each front end renders in its own words (--schema "app", the schemas entry "app"). Pure.




/** Filters left nothing to verify: a usage error (exit 2) that keeps the targets, for the JSON report. */
class NothingVerifiedError extends errors/* UsageError */.eb {
    targets;
    constructor(message, targets) {
        super(message);
        this.targets = targets;
        this.name = "NothingVerifiedError";
    }
}
/** The targets an error carries (filters that left nothing to verify), else none. */
function targetsOf(err) {
    return err instanceof NothingVerifiedError ? err.targets : [];
}
/** "Weird Schema".* as the summary shows names, written unquoted as the filters match them: Weird Schema.* */
function unquoted(entry) {
    return entry.replace(/"((?:[^"]|"")*)"/g, (_, inner) => inner.replaceAll('""', '"'));
}
const hint = (entry) => unquoted(entry) !== entry ? ` Names are matched unquoted: write ${unquoted(entry)} instead.` : "";
/** The verified targets' sequences as [schema, name], unquoted. */
function namesOf(report) {
    const names = [];
    for (const t of report.targets) {
        if (t.error !== null)
            continue;
        for (const r of t.sequences) {
            const p = parseQualifiedName(r.sequence);
            if (p && p.rest === "" && p.parts.length === 2)
                names.push(p.parts);
        }
    }
    return names;
}
/** Warnings (without a prefix) for the schema and exclude entries that match no sequence of the verified databases. */
async function unmatchedFilters(report, filters) {
    if (filters.schemas.length === 0 && filters.exclude.length === 0)
        return [];
    const verified = report.targets.filter((t) => t.error === null);
    if (verified.length === 0)
        return [];
    const names = namesOf(report);
    const where = verified.map((t) => t.database).join(", ");
    const out = [];
    const schemas = new Set(names.map(([schema]) => schema));
    const unmatchedSchemas = filters.schemas.filter((s) => !schemas.has(s));
    for (const s of unmatchedSchemas) {
        const none = unmatchedSchemas.length === filters.schemas.length ? ", so no sequence was checked" : "";
        out.push(`${words/* say */.cv.entry("schema", s)} names no schema with sequences in ${where}${none}. Check the spelling (case matters).${hint(s)}`);
    }
    for (const e of filters.exclude) {
        const drops = await (0,core_filters/* exclusionFilter */.J)({ schemas: [], exclude: [e] });
        if (names.some(([schema, name]) => drops(schema, name)))
            continue;
        out.push(`${words/* say */.cv.entry("exclude", e)} matches no sequence in ${where}, so it excludes nothing. Entries are globs over the unquoted schema.name, such as audit.* or public.users_id_seq.${hint(e)}`);
    }
    return out;
}
/**
 * A run whose filters leave nothing to verify in a database that has sequences checked nothing: a usage error
 * (exit 2) naming the filters, rather than a green run. Databases without sequences are no such case.
 */
function checkFiltersLeftSomething(report, filters) {
    if (filters.schemas.length === 0 && filters.exclude.length === 0)
        return;
    for (const t of report.targets) {
        if (t.error !== null || t.sequences.length === 0)
            continue;
        if (!t.sequences.every((r) => r.skip_reason === "excluded"))
            continue;
        const given = [
            ...filters.schemas.map((s) => words/* say */.cv.entry("schema", s)),
            ...filters.exclude.map((e) => words/* say */.cv.entry("exclude", e)),
        ].join(", ");
        const quoted = [...filters.schemas, ...filters.exclude].some((e) => unquoted(e) !== e);
        throw new NothingVerifiedError(`the filters (${given}) leave none of the ${t.sequences.length} ${t.sequences.length === 1 ? "sequence" : "sequences"} of ${t.database} to verify, so nothing was checked. Check the spelling (case matters)${quoted ? '; names are matched unquoted: Weird Schema, not "Weird Schema"' : ""}.`, report.targets);
    }
}

;// CONCATENATED MODULE: ./src/core/version.ts
// The version printed by --version and written into reports; a test keeps it equal to package.json's.
const VERSION = "0.1.0";

// EXTERNAL MODULE: ./src/db/connection.ts + 4 modules
var connection = __nccwpck_require__(2917);
// EXTERNAL MODULE: ./src/process/cleanup.ts
var cleanup = __nccwpck_require__(781);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
;// CONCATENATED MODULE: external "node:util"
const external_node_util_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");
// EXTERNAL MODULE: ./src/core/engine-options.ts
var engine_options = __nccwpck_require__(5774);
;// CONCATENATED MODULE: ./src/core/options.ts
// Parsers of single option values, shared by the CLI and the Action through settings.ts. A bad value is a usage
// error that names the setting (say.option: the front end renders it as --jobs or "the jobs input") and says
// what it takes. Pure.



/**
 * A duration with its unit: "5000ms", "5s", "2min". A bare number is refused: PostgreSQL's statement_timeout
 * (and Rails' database.yml) read 5 as 5 milliseconds, most people as 5 seconds, and a check that times out after
 * 5 ms reports every unindexed column as an error.
 */
function parseDuration(setting, value) {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|min|m)?\s*$/i.exec(value);
    if (!m) {
        throw new errors/* UsageError */.eb(`${words/* say */.cv.option(setting)} takes a duration such as 5000ms, 5s or 2min (got "${value}")`);
    }
    if (m[2] === undefined) {
        throw new errors/* UsageError */.eb(`${words/* say */.cv.option(setting)} takes a duration with its unit, such as ${m[1]}ms or ${m[1]}s (got "${value}"): a bare number is ambiguous (${setting === "connect-timeout" ? "libpq's connect_timeout reads it as seconds, PostgreSQL's statement_timeout as milliseconds" : "PostgreSQL reads it as milliseconds"})`);
    }
    const n = Number(m[1]);
    const unit = m[2].toLowerCase();
    const factor = unit === "ms" ? 1 : unit === "s" || unit === "sec" ? 1000 : 60_000;
    return Math.round(n * factor);
}
/** What a restore does at a failing statement: stop (the default) or continue past it. */
function parseOnRestoreError(value) {
    const v = value.trim().toLowerCase();
    if (v !== "stop" && v !== "continue") {
        throw new errors/* UsageError */.eb(`${words/* say */.cv.option("on-restore-error")} takes stop or continue (got "${value}")`);
    }
    return v;
}
/** A whole number from `min` to `max`. */
function parseInteger(setting, value, min, max) {
    if (!/^\s*\d+\s*$/.test(value) || Number(value) < min || Number(value) > max) {
        throw new errors/* UsageError */.eb(`${words/* say */.cv.option(setting)} takes a whole number from ${min} to ${max} (got "${value}")`);
    }
    return Number(value);
}
/** A percentage above 0 and at most 100, with or without its %. */
function parsePercent(setting, value) {
    const n = Number(value.replace(/%$/, ""));
    if (value.trim() === "" || !Number.isFinite(n) || n <= 0 || n > 100) {
        throw new errors/* UsageError */.eb(`${words/* say */.cv.option(setting)} takes a percentage above 0 and at most 100 (got "${value}")`);
    }
    return n;
}
/** A list of fail-on kinds, separated by commas, spaces or new lines; "none" for nothing. */
function parseFailOn(value) {
    const items = value
        .split(/[\s,]+/)
        .map((s) => s.trim().toLowerCase().replace("_", "-"))
        .filter(Boolean);
    if (items.length === 1 && items[0] === "none")
        return [];
    for (const i of items) {
        if (!core_report/* FAIL_ON_VALUES */.Qm.includes(i)) {
            throw new errors/* UsageError */.eb(`${words/* say */.cv.option("fail-on")} takes a list of ${core_report/* FAIL_ON_VALUES */.Qm.join(", ")} or none (got "${i}")`);
        }
    }
    return items;
}
/**
 * An extension name as CREATE EXTENSION takes it (the name, unquoted): letters, digits, _ and -, as the
 * extensions shipped with PostgreSQL and PostGIS are named.
 */
function parseExtensionName(value) {
    const name = value.trim();
    if (!/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/.test(name)) {
        throw new errors/* UsageError */.eb(`${words/* say */.cv.option("extension")} takes the name of an extension, as in CREATE EXTENSION name (got ${JSON.stringify(value)})`);
    }
    return name;
}

;// CONCATENATED MODULE: ./src/core/settings.ts
// The settings of one run, whichever front end they came from. The CLI reads its argv and the Action its inputs
// into a GivenSettings (each value as the reader wrote it, nothing checked); buildSettings() checks every value,
// applies the defaults and the rules between settings, and returns the one typed Settings everything below the
// front ends uses. A rule lives here once, and its message names each setting with `say`, so that each front end
// shows it in its own words. Pure: what it needs to know of the machine (its CPUs) is passed in.





/** A value that was given: absent and blank are the same. */
function given(value) {
    return value === undefined || value.trim() === "" ? undefined : value;
}
/**
 * Check what was given and make the Settings of the run. `cpus` is the default number of parallel restore
 * jobs (one per CPU). Throws a UsageError naming the setting for a bad value or settings that do not go together.
 */
function buildSettings(g, cpus) {
    const dumps = g.dumps ?? [];
    const restoreDatabase = given(g.restoreDatabase);
    if (restoreDatabase !== undefined && dumps.length === 0) {
        throw new errors/* UsageError */.eb(`${words/* say */.cv.option("restore-database")} names the database to restore the dumps into: give at least one dump with it, or leave it out`);
    }
    const jobs = given(g.jobs);
    const onError = given(g.onRestoreError);
    const restore = {
        database: restoreDatabase,
        clean: g.clean ?? false,
        keep: g.keep ?? false,
        extraArgs: g.restoreArgs ?? [],
        jobs: jobs !== undefined ? parseInteger("jobs", jobs, 1, 64) : cpus,
        onError: onError !== undefined ? parseOnRestoreError(onError) : "stop",
        viaContainer: given(g.restoreVia),
        trustFixture: g.trustFixture ?? false,
        extensions: (g.extensions ?? []).map(parseExtensionName),
    };
    if (g.dumpsWithin !== undefined)
        restore.within = g.dumpsWithin;
    return {
        mode: g.mode,
        databaseUrl: given(g.databaseUrl),
        dumps,
        restore,
        engine: engineSettings(g),
        failOn: failOnOf(g.mode, given(g.failOn)),
        reportJson: given(g.reportJson),
    };
}
/** The engine's settings: mode and filters, headroom, and the tuning, each with its default. */
function engineSettings(g) {
    const headroom = given(g.headroomThreshold);
    const concurrency = given(g.concurrency);
    const statementTimeout = given(g.statementTimeout);
    const lockTimeout = given(g.lockTimeout);
    const connectTimeout = given(g.connectTimeout);
    return {
        ...engine_options/* DEFAULT_ENGINE */.T,
        mode: g.mode,
        schemas: g.schemas ?? [],
        exclude: g.exclude ?? [],
        headroomThreshold: headroom !== undefined
            ? parsePercent("headroom-threshold", headroom)
            : engine_options/* DEFAULT_ENGINE */.T.headroomThreshold,
        concurrency: concurrency !== undefined
            ? parseInteger("concurrency", concurrency, 1, 64)
            : engine_options/* DEFAULT_ENGINE */.T.concurrency,
        statementTimeoutMs: statementTimeout !== undefined
            ? parseDuration("statement-timeout", statementTimeout)
            : engine_options/* DEFAULT_ENGINE */.T.statementTimeoutMs,
        lockTimeoutMs: lockTimeout !== undefined ? parseDuration("lock-timeout", lockTimeout) : engine_options/* DEFAULT_ENGINE */.T.lockTimeoutMs,
        connectTimeoutMs: connectTimeout !== undefined
            ? parseDuration("connect-timeout", connectTimeout)
            : engine_options/* DEFAULT_ENGINE */.T.connectTimeoutMs,
    };
}
/**
 * The findings that fail the run. Report never fails on findings, so a fail-on given with it is refused (the
 * reader meant check); without one, check and fix fail on behind, exhausted and error.
 */
function failOnOf(mode, failOn) {
    if (failOn === undefined)
        return (0,core_report/* defaultFailOn */.Nn)(mode);
    if (mode === "report") {
        throw new errors/* UsageError */.eb(`${words/* say */.cv.option("fail-on")} does not go with report, which never fails on findings: to fail on them, use ${words/* say */.cv.mode("check")} with ${words/* say */.cv.set("fail-on", failOn.trim())}`);
    }
    return parseFailOn(failOn);
}

;// CONCATENATED MODULE: ./src/cli/args.ts
// The command line, read: node's parseArgs takes the flags apart, and core/settings.ts checks them and applies
// the defaults and the rules the Action's inputs go through too. What only the CLI has is checked here: the
// command, how the report is printed, the docker: prefix of --restore-via, and `seq-guard sql`'s own flags.









/** Node's parseArgs message on one line, without its closing full stop and its remedy for a value that looks like a flag. */
function parseArgsMessage(err) {
    return err.message
        .replace(/\s*\n\s*/g, " ")
        .replace(/\. To specify a positional argument.*$/s, "")
        .replace(/\.+$/, "");
}
const COMMANDS = ["check", "fix", "report"];
/** Read the command line. `isTTY` and `env` decide the colour. Throws a UsageError for what is wrong in it. */
function parseCommandLine(argv, isTTY, env) {
    let parsed;
    try {
        parsed = (0,external_node_util_namespaceObject.parseArgs)({
            args: argv,
            allowPositionals: true,
            strict: true,
            options: {
                "database-url": { type: "string" },
                dump: { type: "string", multiple: true },
                "restore-database": { type: "string" },
                clean: { type: "boolean" },
                keep: { type: "boolean" },
                "restore-arg": { type: "string", multiple: true },
                jobs: { type: "string" },
                "on-restore-error": { type: "string" },
                "restore-via": { type: "string" },
                extension: { type: "string", multiple: true },
                "trust-fixture": { type: "boolean" },
                schema: { type: "string", multiple: true },
                exclude: { type: "string", multiple: true },
                fix: { type: "boolean" },
                "headroom-threshold": { type: "string" },
                "fail-on": { type: "string" },
                concurrency: { type: "string" },
                "statement-timeout": { type: "string" },
                "lock-timeout": { type: "string" },
                "connect-timeout": { type: "string" },
                "report-json": { type: "string" },
                json: { type: "boolean" },
                quiet: { type: "boolean", short: "q" },
                verbose: { type: "boolean", short: "v" },
                "no-color": { type: "boolean" },
                debug: { type: "boolean" },
                help: { type: "boolean", short: "h" },
                version: { type: "boolean", short: "V" },
            },
        });
    }
    catch (err) {
        const text = parseArgsMessage(err);
        // A dump whose file name starts with a dash reads as options: say how to give it.
        const dashed = argv.find((a) => a.startsWith("-") && a.length > 1 && (0,external_node_fs_.existsSync)(a));
        if (dashed) {
            throw new errors/* UsageError */.eb(`${text}: "${(0,printable/* printable */.g$)(dashed)}" is read as options. A dump whose name starts with a dash goes after --, as ./${(0,printable/* printable */.g$)(dashed)} or as --dump=${(0,printable/* printable */.g$)(dashed)}`);
        }
        throw new errors/* UsageError */.eb(`${text}. Run seq-guard --help for the options.`);
    }
    const v = parsed.values;
    if (v.help)
        return { kind: "help" };
    if (v.version)
        return { kind: "version" };
    const [command, ...rest] = parsed.positionals;
    if (command === "sql")
        return { kind: "sql", options: parseSqlCommand(argv) };
    if (!command) {
        throw new errors/* UsageError */.eb("no command given: use seq-guard check, fix, report or sql (seq-guard --help)");
    }
    if (!COMMANDS.includes(command)) {
        throw new errors/* UsageError */.eb(`unknown command "${command}": use check, fix, report or sql (seq-guard --help)`);
    }
    if (v.fix) {
        throw new errors/* UsageError */.eb("--fix belongs to seq-guard sql --fix; to fix a database, run seq-guard fix");
    }
    if (v.quiet && v.verbose) {
        throw new errors/* UsageError */.eb("--quiet and --verbose contradict each other: give one of them");
    }
    const str = (k) => v[k];
    const list = (k) => v[k] ?? [];
    const via = str("restore-via");
    if (via !== undefined && !/^docker:.+/.test(via)) {
        throw new errors/* UsageError */.eb(`--restore-via takes docker:CONTAINER (got "${via}")`);
    }
    const settings = buildSettings({
        mode: command,
        databaseUrl: str("database-url"),
        // Dumps come as --dump PATH or as plain arguments after the command: seq-guard check fixture.dump
        dumps: [...list("dump"), ...rest],
        restoreDatabase: str("restore-database"),
        clean: Boolean(v.clean),
        keep: Boolean(v.keep),
        restoreArgs: list("restore-arg"),
        jobs: str("jobs"),
        onRestoreError: str("on-restore-error"),
        restoreVia: via?.replace(/^docker:/, ""),
        trustFixture: Boolean(v["trust-fixture"]),
        extensions: list("extension"),
        schemas: list("schema"),
        exclude: list("exclude"),
        headroomThreshold: str("headroom-threshold"),
        failOn: str("fail-on"),
        concurrency: str("concurrency"),
        statementTimeout: str("statement-timeout"),
        lockTimeout: str("lock-timeout"),
        connectTimeout: str("connect-timeout"),
        reportJson: str("report-json"),
    }, (0,external_node_os_.availableParallelism)());
    return {
        kind: "run",
        settings: {
            ...settings,
            print: {
                json: Boolean(v.json),
                quiet: Boolean(v.quiet),
                verbose: Boolean(v.verbose),
                color: isTTY && !v["no-color"] && !env.NO_COLOR,
                debug: Boolean(v.debug),
            },
        },
    };
}
/** `seq-guard sql`: its own, smaller set of options; it connects to nothing, so connection and restore flags are errors. */
function parseSqlCommand(argv) {
    let parsed;
    try {
        parsed = (0,external_node_util_namespaceObject.parseArgs)({
            args: argv,
            allowPositionals: true,
            strict: true,
            options: {
                fix: { type: "boolean" },
                schema: { type: "string", multiple: true },
                exclude: { type: "string", multiple: true },
                "headroom-threshold": { type: "string" },
                "lock-timeout": { type: "string" },
                debug: { type: "boolean" },
            },
        });
    }
    catch (err) {
        throw new errors/* UsageError */.eb(`${parseArgsMessage(err)}. seq-guard sql prints a script and connects to nothing: it takes only --fix, --schema, --exclude, --headroom-threshold and --lock-timeout.`);
    }
    const extra = parsed.positionals.filter((p, i) => !(p === "sql" && i === 0));
    if (extra.length > 0) {
        throw new errors/* UsageError */.eb(`seq-guard sql takes no arguments (got "${extra[0]}"): it prints a script for psql; run it with psql -X -v ON_ERROR_STOP=1 -d DATABASE -f FILE`);
    }
    const v = parsed.values;
    return {
        fix: Boolean(v.fix),
        schemas: v.schema ?? [],
        exclude: v.exclude ?? [],
        headroomThreshold: v["headroom-threshold"] !== undefined
            ? parsePercent("headroom-threshold", v["headroom-threshold"])
            : engine_options/* DEFAULT_ENGINE */.T.headroomThreshold,
        lockTimeoutMs: v["lock-timeout"] !== undefined
            ? parseDuration("lock-timeout", v["lock-timeout"])
            : engine_options/* DEFAULT_ENGINE */.T.lockTimeoutMs,
        version: VERSION,
    };
}
/**
 * The value of a string flag as written on the command line (`--flag VALUE` or `--flag=VALUE`), if any: the
 * password in --database-url is known, to be masked, before the command line is read (and found bad).
 */
function flagValue(argv, flag) {
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--")
            break;
        if (a === flag)
            return argv[i + 1];
        if (a.startsWith(`${flag}=`))
            return a.slice(flag.length + 1);
    }
    return undefined;
}

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: ./src/core/redact.ts
var redact = __nccwpck_require__(2258);
;// CONCATENATED MODULE: ./src/render/json.ts
// The JSON report as text, in pieces: the envelope pretty-printed, each sequence on a line of its own. At 100,000
// sequences one JSON.stringify of the whole report (and the copies redaction makes of it) costs hundreds of MB;
// pieces of a few hundred sequences keep memory flat. Pure: the caller writes the pieces where they go.
const PIECE = 100;
/** Yield the report's JSON text in pieces; joined, they parse to the report. Ends with a newline. */
function* reportJsonPieces(report) {
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

;// CONCATENATED MODULE: ./src/render/text.ts
// Human output of the CLI: a table per target, problems first, with the fix SQL. Pure: returns a string.
// Every name and message from a dump or a server goes through printable() (logText() for a multi-line error):
// a name holding a line break or a workflow command stays on its line and commands nothing.



const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const COLORS = {
    ok: "\x1b[32m",
    fixed: "\x1b[36m",
    behind: "\x1b[31m",
    exhausted: "\x1b[35m",
    error: "\x1b[31;1m",
    skipped: "\x1b[2m",
};
const RESET = "\x1b[0m";
function columnsOf(r) {
    return r.columns.map((c) => (0,printable/* printable */.g$)((0,core_report/* columnLabel */.Zp)(c)) + (0,core_report/* viaMark */.si)(c)).join(", ") || "-";
}
function extremeOf(r) {
    if (r.max !== null)
        return r.max;
    if (r.min !== null)
        return r.min;
    // No collision: show the column extreme nearest the sequence's end (largest max, or smallest min descending).
    const descending = r.increment.startsWith("-");
    const ints = r.columns.map((c) => (descending ? c.min : c.max)).filter((v) => v !== null);
    if (ints.length === 0)
        return "-";
    return ints.reduce((a, b) => ((descending ? BigInt(b) < BigInt(a) : BigInt(b) > BigInt(a)) ? b : a));
}
/** The status cell: an ok row that fails the run (near exhaustion under fail-on) says so. */
const NEAR = "ok, near";
function statusOf(r, failOn) {
    return r.status === "ok" && failOn !== undefined && (0,core_report/* fails */.c6)(r, failOn) ? NEAR : r.status;
}
function row(r, failOn, mixed) {
    const next = r.status === "fixed" ? `${r.next_value} -> ${r.fixed_next_value}` : (r.next_value ?? "-");
    const detail = r.fix_sql ?? (r.status === "ok" || r.status === "fixed" ? "" : (r.reason ?? ""));
    const extreme = extremeOf(r);
    // In a table of both directions, a descending row's value is labelled: it is the min.
    const shown = mixed && (0,core_report/* isDescending */.$c)(r) && extreme !== "-" ? `min ${extreme}` : extreme;
    return [
        statusOf(r, failOn),
        (0,printable/* printable */.g$)(r.sequence),
        columnsOf(r),
        shown,
        (0,printable/* printable */.g$)(next),
        (0,printable/* printable */.g$)(detail),
    ];
}
/** The header of the extreme's column: max, min when every row descends, "max / min" for both. */
function headOf(rows) {
    const down = rows.filter(core_report/* isDescending */.$c).length;
    const extreme = down === 0 ? "max" : down === rows.length ? "min" : "max / min";
    return ["status", "sequence", "columns", extreme, "next", "fix / reason"];
}
/** The table's lines, in pieces of a few hundred: a table of 100,000 rows is never one string. */
function* table(HEAD, rows, color) {
    const widths = HEAD.map((_, i) => {
        let w = HEAD[i]?.length ?? 0;
        for (const r of rows)
            w = Math.max(w, (r[i] ?? "").length);
        return Math.min(60, w);
    });
    const line = (r, head) => {
        const cells = r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])));
        const text = cells.join("  ").trimEnd();
        if (!color || head)
            return text;
        const status = (r[0] === NEAR ? "behind" : r[0]);
        return `${COLORS[status]}${r[0].padEnd(widths[0])}${RESET}${text.slice(widths[0])}`;
    };
    yield line(HEAD, true);
    for (let i = 0; i < rows.length; i += text_PIECE) {
        yield rows
            .slice(i, i + text_PIECE)
            .map((r) => line(r, false))
            .join("\n");
    }
}
const text_PIECE = 500;
function counts(t) {
    const s = t.summary;
    // An ok sequence near exhaustion fails with --fail-on near-exhaustion: the count says so, so that "7 ok"
    // never stands above a FAILED with nothing to explain it.
    const near = t.sequences.filter((r) => r.status === "ok" && (0,core_report/* isNearExhaustion */.ZL)(r)).length;
    const parts = [
        plural(s.sequences, "sequence"),
        `${s.ok} ok${near > 0 ? ` (${near} near exhaustion)` : ""}`,
    ];
    for (const k of ["behind", "fixed", "exhausted", "error", "skipped"])
        if (s[k] > 0)
            parts.push(`${s[k]} ${k}`);
    return parts.join(", ");
}
/** One target's text, in pieces (each a run of whole lines, without the final newline). */
function* renderTargetPieces(t, opts) {
    const dump = t.dump === null ? null : (0,printable/* printable */.g$)(t.dump);
    const database = (0,printable/* printable */.g$)(t.database);
    const title = !dump
        ? database
        : t.restore_ms === null
            ? `${dump} (${t.format ?? "unknown format"}, not restored)`
            : `${dump} (${t.format}, restored into ${database} in ${t.restore_ms} ms)`;
    yield `== ${title}`;
    if (t.error) {
        yield `error: ${(0,printable/* logText */.kc)(t.error)}`;
        return;
    }
    const sorted = [...t.sequences].sort(core_report/* byImportance */.G5);
    const shown = sorted.filter((r) => opts.verbose || !(r.status === "ok" || r.status === "skipped") || r.warnings.length > 0);
    if (shown.length > 0) {
        const head = headOf(shown);
        const mixed = head[3] === "max / min";
        yield* table(head, shown.map((r) => row(r, opts.failOn, mixed)), opts.color);
    }
    const notes = [];
    for (const r of shown) {
        for (const w of r.warnings)
            notes.push(`warning: ${(0,printable/* printable */.g$)(r.sequence)}: ${(0,printable/* printable */.g$)(w.message)}`);
    }
    for (const h of t.hints)
        notes.push(`hint: ${(0,printable/* printable */.g$)(h)}`);
    if (notes.length > 0)
        yield notes.join("\n");
    const hidden = sorted.length - shown.length;
    yield `${counts(t)}${hidden > 0 ? ` (${hidden} ok or skipped not listed; ${opts.listAll ?? "--verbose lists them"})` : ""}`;
}
function renderTarget(t, opts) {
    return [...renderTargetPieces(t, opts)].join("\n");
}
/** The CLI's text, in pieces that joined make renderText's string. */
function* renderTextPieces(report, opts) {
    for (const [i, t] of report.targets.entries()) {
        let first = true;
        for (const piece of renderTargetPieces(t, opts)) {
            yield `${i > 0 && first ? "\n\n" : first ? "" : "\n"}${piece}`;
            first = false;
        }
    }
    const s = report.summary;
    const findings = ["behind", "exhausted", "error"]
        .filter((k) => s[k] > 0)
        .map((k) => `${s[k]} ${k}`);
    // A target that could not be restored or verified has an error and no rows to point at.
    const failOn = opts.failOn ?? (0,core_report/* defaultFailOn */.Nn)(report.mode);
    const rowsFail = report.targets.some((t) => t.sequences.some((r) => (0,core_report/* fails */.c6)(r, failOn)));
    const verdict = !report.ok
        ? rowsFail
            ? "FAILED: see the rows above"
            : "FAILED: see the error above"
        : report.mode === "fix" && s.fixed > 0
            ? `fixed ${plural(s.fixed, "sequence")}; nothing left that fails`
            : findings.length > 0
                ? `reported ${findings.join(", ")}: not counted as failures (${report.mode === "report" ? "report mode never fails" : words/* say */.cv.option("fail-on")})`
                : "ok: no sequence fails the check";
    yield `\n${(0,words/* inWords */.r4)(verdict, opts.words ?? words/* CLI_WORDS */.xP)}\n`;
}
function renderText(report, opts) {
    return [...renderTextPieces(report, opts)].join("");
}

;// CONCATENATED MODULE: ./src/cli/output.ts
// What the CLI shows: the report (the table, or JSON on stdout) and the --report-json file, the JSON report of a
// run that stopped, progress on stderr, and the check that the --report-json path can be written. Everything
// shown is in the CLI's words (inWords), has its secrets masked, and passes logText, the last guard of a log.









/** A message of any layer as the CLI shows it: settings named as flags, secrets masked. */
function cliText(text, secrets) {
    return (0,redact/* redact */.E$)((0,words/* inWords */.r4)(text, words/* CLI_WORDS */.xP), secrets);
}
/** Seconds between progress lines when stderr is not a terminal. */
const PLAIN_PROGRESS_MS = 10_000;
/**
 * Progress on stderr once a run has taken more than a moment: on a terminal one line rewritten in place;
 * elsewhere (a CI log) a plain line at most every 10 seconds. Never with --quiet or --json.
 */
function makeProgress(io, settings) {
    const started = Date.now();
    let shown = false;
    let lastPlain = started;
    return (text) => {
        if (settings.print.quiet || settings.print.json)
            return;
        if (!io.stderrTTY) {
            if (text === null || Date.now() - lastPlain < PLAIN_PROGRESS_MS)
                return;
            lastPlain = Date.now();
            io.stderr(`seq-guard: ${(0,printable/* printable */.g$)((0,words/* inWords */.r4)(text, words/* CLI_WORDS */.xP))}\n`);
            return;
        }
        if (text === null) {
            if (shown)
                io.stderr("\r\x1b[K");
            shown = false;
            return;
        }
        if (Date.now() - started < 1000)
            return;
        shown = true;
        io.stderr(`\r\x1b[K${(0,printable/* printable */.g$)((0,words/* inWords */.r4)(text, words/* CLI_WORDS */.xP))}`);
    };
}
/**
 * A --report-json path that cannot be written is a usage error found before anything runs, not an unexpected
 * error after a long restore.
 */
function checkReportPath(path) {
    let stat;
    try {
        stat = (0,external_node_fs_.statSync)(path);
    }
    catch {
        // It does not exist yet: its folder must.
    }
    if (stat?.isDirectory())
        throw new errors/* UsageError */.eb(`--report-json ${path} is a folder: give a file name in it`);
    const dir = (0,external_node_path_.dirname)((0,external_node_path_.resolve)(path));
    try {
        if (!(0,external_node_fs_.statSync)(dir).isDirectory())
            throw new Error("not a folder");
        (0,external_node_fs_.accessSync)(dir, external_node_fs_.constants.W_OK);
        if (stat)
            (0,external_node_fs_.accessSync)(path, external_node_fs_.constants.W_OK);
    }
    catch {
        throw new errors/* UsageError */.eb(`--report-json ${path} cannot be written: ${(0,external_node_fs_.existsSync)(dir) ? "permission denied" : `the folder ${dir} does not exist`}. Give a path in a folder you may write to`);
    }
}
/** The report as the CLI shows it: its free text in the CLI's words, and redacted (free text only). */
function shown(report, secrets) {
    return (0,core_report/* redactReport */.a5)((0,words/* inWordsReport */.TR)(report, words/* CLI_WORDS */.xP), secrets);
}
/**
 * The JSON report of a run that stopped (ok false, the error's code and message), on stdout with --json and in
 * the --report-json file: a consumer of the JSON is never left with nothing. Never throws.
 */
async function printFailure(out, exitCode, message, targets, io, secrets) {
    if (!out.json && !out.reportJson)
        return;
    const report = shown((0,core_report/* failedRunReport */.Nb)(out.mode, exitCode, message, targets), secrets);
    try {
        if (out.reportJson)
            (0,external_node_fs_.writeFileSync)(out.reportJson, [...reportJsonPieces(report)].join(""));
        if (out.json)
            for (const piece of reportJsonPieces(report))
                await io.stdout((0,printable/* logText */.kc)(piece));
    }
    catch {
        // the message on stderr says what failed
    }
}
/** The report of a run that finished: the --report-json file, then the table or the JSON on stdout. */
async function printReport(report, settings, io, secrets, onThrowaway) {
    const { print } = settings;
    // Only the free text of a report can carry a secret (a server's error echoing a connection string): it is
    // redacted there, so names, keys and SQL stay intact whatever the password looks like.
    const clean = shown(report, secrets);
    if (settings.reportJson) {
        try {
            const fd = (0,external_node_fs_.openSync)(settings.reportJson, "w");
            try {
                for (const piece of reportJsonPieces(clean))
                    (0,external_node_fs_.writeSync)(fd, piece);
            }
            finally {
                (0,external_node_fs_.closeSync)(fd);
            }
        }
        catch (err) {
            throw new errors/* SeqGuardError */.rv(`could not write the report to --report-json ${settings.reportJson}: ${err.message}. Check the path and the free space`, errors/* EXIT */.dc.internal);
        }
    }
    // A dump that could not be restored or verified is an error: with --quiet and --json (whose stdout may go to
    // a file) said on stderr; otherwise the table says it, once.
    if (print.quiet || print.json) {
        for (const t of clean.targets) {
            if (t.error)
                io.stderr(`seq-guard: ${(0,printable/* printable */.g$)(t.dump ?? t.database)}: ${(0,printable/* logText */.kc)(t.error)}\n`);
        }
    }
    // What goes to a terminal or a CI log passes logText (in JSON, its escapes read back as the same strings): a
    // name or a message that the renderers let through still cannot start a workflow command.
    if (print.json)
        for (const piece of reportJsonPieces(clean))
            await io.stdout((0,printable/* logText */.kc)(piece));
    else if (!print.quiet) {
        for (const piece of renderTextPieces(clean, {
            color: print.color,
            verbose: print.verbose,
            failOn: settings.failOn,
        }))
            await io.stdout((0,printable/* logText */.kc)(piece));
    }
    if (settings.mode === "fix" &&
        settings.dumps.length > 0 &&
        !settings.restore.keep &&
        clean.summary.fixed > 0 &&
        !print.quiet) {
        io.stderr(onThrowaway
            ? "note: the fixes were made in scratch databases on the throwaway server, which is stopped again; to keep them, name a server of your own (--database-url) and add --keep\n"
            : "note: the fixes were made in the scratch databases, which are dropped again; add --keep to keep them\n");
    }
}

;// CONCATENATED MODULE: ./src/cli/server.ts
// Where the CLI connects, decided once: the server that --database-url, DATABASE_URL or the PG* variables name
// (libpq's settings read, secrets known), or, for dumps with no server named anywhere, a throwaway PostgreSQL of
// seq-guard's own, started here and removed at the end.


/**
 * The server the settings and the environment name, resolved (a malformed URL is a usage error here); a
 * throwaway one when there are dumps and none is named. Without dumps the libpq defaults apply (localhost).
 */
function serverOf(settings, env) {
    if (settings.dumps.length > 0 && !(0,connection/* serverNamed */.Jl)(settings.databaseUrl, env)) {
        // The throwaway server and everything in it is removed at the end: there is nothing --keep could keep.
        if (settings.restore.keep) {
            throw new errors/* UsageError */.eb("--keep keeps the restored databases on a server of your own, but none is named, and the throwaway PostgreSQL seq-guard would start is removed at the end: name one with --database-url (or DATABASE_URL, PGHOST...)");
        }
        return { kind: "throwaway" };
    }
    return { kind: "named", connection: (0,connection/* resolveConnection */.XC)(settings.databaseUrl, env) };
}
/**
 * Start the throwaway server, showing how long it takes. It registers its own cleanup (stop, remove its folder)
 * as soon as it starts anything, so an interrupt removes it too.
 */
async function startThrowaway(progress) {
    const since = Date.now();
    const tick = setInterval(() => progress(`starting the embedded PostgreSQL ${Math.round((Date.now() - since) / 1000)}s`), 1000);
    try {
        const { startEmbedded } = await (0,errors/* loadPart */.AX)(() => __nccwpck_require__.e(/* import() */ 443).then(__nccwpck_require__.bind(__nccwpck_require__, 3443)));
        const server = await startEmbedded();
        return { server, connection: (0,connection/* parseDatabaseUrl */.mx)(server.url, "--database-url") };
    }
    finally {
        clearInterval(tick);
        progress(null);
    }
}

;// CONCATENATED MODULE: ./src/cli/usage.ts
// The CLI's --help text: every command, flag and exit code, in the CLI's words.

const USAGE = `seq-guard ${VERSION}: find PostgreSQL sequences that fell behind their data, and fix them.

Usage:
  seq-guard check  [options]   verify; exit 1 when a sequence is behind, exhausted or unreadable
  seq-guard fix    [options]   advance behind sequences exactly, verify again; exit 1 on what stays unfixed
  seq-guard report [options]   verify and report; never exits 1 on findings
  seq-guard sql [--fix] [opts] print a standalone SQL script that checks (--fix: fixes) the same way with psql
                               alone; connects to nothing. Takes --schema, --exclude, --headroom-threshold,
                               --lock-timeout

Dumps (restored into scratch databases, then verified; see Restore below):
  seq-guard check [options] DUMP...     or  --dump PATH (repeatable)

Connection (first found wins):
  --database-url URL         postgres://USER:PASSWORD@HOST:PORT/DATABASE (libpq's meaning: ?sslmode=
                             disable|allow|prefer|require|verify-ca|verify-full, sslrootcert, sslcert, sslkey)
  DATABASE_URL, or PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE/PGSERVICE in the environment (and
  PGSSLMODE, PGSSLROOTCERT, PGSSLCERT, PGSSLKEY); percent-encode a password's % # ? / @ :
  None of them set and dumps given: seq-guard starts a throwaway PostgreSQL of its own (embedded-
  postgres), restores into it and removes it at the end. Any one of them set (even a stray PGHOST)
  means that server is used instead.

Restore:
  --restore-database NAME    database to restore the dumps into, in order (must not exist, or be
                             empty): a schema file and its data file go together this way
  --clean                    drop --restore-database first if it exists
  --keep                     keep the restored databases (dropped by default); needs a server of your
                             own (the throwaway one is removed at the end)
  --restore-arg ARG          pass ARG to pg_restore (archives); plain SQL, which seq-guard runs itself,
                             takes only -1 (one transaction); repeatable; write an ARG that starts with a
                             dash as --restore-arg=-t (--no-owner --no-privileges are the default)
  --jobs N                   parallel pg_restore jobs for custom and directory archives (default: CPUs)
  --on-restore-error MODE    stop (default) or continue
  --restore-via docker:ID    run pg_restore inside that container (a GitHub job's postgres service); plain
                             SQL always goes over seq-guard's own connection
  --extension NAME           let seq-guard create extension NAME when a dump asks for it (repeatable);
                             beyond the built-in list of extensions that reach nothing outside the database
  --trust-fixture            restore as the connecting role, with all its rights, instead of a throwaway
                             role that owns only the scratch database: never for dumps from forks

Options:
  --schema S                 only sequences of schema S (repeatable)
  --exclude PATTERN          skip sequences whose schema.name matches the glob (repeatable)
  --headroom-threshold PCT   warn when this share of a sequence's range is used (default 80)
  --fail-on LIST             findings that fail the run: behind,exhausted,error,near-exhaustion or none
                             (default: behind,exhausted,error); not with report, which never fails
  --concurrency N            connections used side by side (default 2)
  --statement-timeout T      bound on each query, with its unit: 5000ms, 30s, 2min (default 30s)
  --lock-timeout T           how long to wait for a table another session keeps locked (default 5s);
                             then it is reported busy, not waited on
  --connect-timeout T        how long to keep trying to connect (default 10s)
  --report-json PATH         write the JSON report to PATH
  --json                     print the JSON report on stdout instead of the table
  --quiet                    print nothing but errors (not with --verbose)
  --verbose                  list ok and skipped sequences too
  --no-color                 no colour (colour is used only on a terminal; NO_COLOR is honoured)
  --debug                    print stack traces of unexpected errors
  -h, --help                 this text
  -V, --version              the version

Exit codes: 0 nothing fails; 1 findings fail the mode; 2 usage error; 3 connection or database error;
4 restore failure; 70 internal error; 130 interrupted (SIGINT), 143 terminated (SIGTERM).
`;

;// CONCATENATED MODULE: ./src/cli/run.ts
// The CLI front end: read the command line into the run's settings, decide the server, run the engine on each
// target, print, and exit with a documented code. All I/O of the CLI lives in this folder; the engine and the
// renderers know nothing of argv or stdout, and name settings with `say`, which the CLI renders as its flags.













/** Run the CLI. Returns the exit code; never throws. */
async function run(argv, io) {
    // The passwords of the command line and the environment, known before anything can fail; the throwaway
    // server's is added once it is started.
    const secrets = (0,connection/* secretsOf */.Fj)(flagValue(argv, "--database-url") ?? "", io.env);
    let debug = argv.includes("--debug");
    // Once the settings are read, --json and --report-json get a report whatever happens after (ok false, the error).
    let settings;
    try {
        const command = parseCommandLine(argv, io.isTTY, io.env);
        if (command.kind === "help") {
            io.stdout(USAGE);
            return errors/* EXIT */.dc.ok;
        }
        if (command.kind === "version") {
            io.stdout(`${VERSION}\n`);
            return errors/* EXIT */.dc.ok;
        }
        if (command.kind === "sql") {
            const { sqlScript } = await (0,errors/* loadPart */.AX)(() => Promise.all(/* import() */[__nccwpck_require__.e(138), __nccwpck_require__.e(904), __nccwpck_require__.e(591)]).then(__nccwpck_require__.bind(__nccwpck_require__, 6591)));
            io.stdout(sqlScript(command.options));
            return errors/* EXIT */.dc.ok;
        }
        debug = command.settings.print.debug;
        if (command.settings.reportJson)
            checkReportPath(command.settings.reportJson);
        settings = command.settings;
        return await verify(settings, serverOf(settings, io.env), io, secrets);
    }
    catch (err) {
        // Whatever failed after an interrupt (a server start cut short, a tool killed) is the interrupt's doing.
        if (err instanceof cleanup/* InterruptedError */.p4 || (0,cleanup/* interrupted */.VM)()) {
            await printFailure(failureOutput(settings, argv), (0,cleanup/* interruptedExitCode */.An)(), "interrupted", [], io, secrets);
            return (0,cleanup/* interruptedExitCode */.An)();
        }
        if (err instanceof errors/* SeqGuardError */.rv) {
            io.stderr(`seq-guard: ${(0,printable/* logText */.kc)(cliText(err.message, secrets))}\n`);
            await printFailure(failureOutput(settings, argv), err.exitCode, err.message, targetsOf(err), io, secrets);
            return err.exitCode;
        }
        const e = err;
        const message = e?.message ?? String(err);
        await printFailure(failureOutput(settings, argv), errors/* EXIT */.dc.internal, `unexpected error: ${message}`, [], io, secrets);
        io.stderr((0,printable/* logText */.kc)(`seq-guard: unexpected error: ${cliText(message, secrets)}\n${debug && e?.stack ? `${cliText(e.stack, secrets)}\n` : "Run again with --debug for details, and report it if it persists.\n"}`));
        return errors/* EXIT */.dc.internal;
    }
}
/**
 * Where a stopped run's JSON report goes. Once the settings are read, they say; when the command line itself was
 * refused, its --json and --report-json are taken as written, so a consumer of the JSON still gets a report.
 */
function failureOutput(settings, argv) {
    if (settings)
        return { mode: settings.mode, json: settings.print.json, reportJson: settings.reportJson };
    const options = argv.slice(0, argv.includes("--") ? argv.indexOf("--") : argv.length);
    // The command word as written: `seq-guard sql` prints a script, never a report, and without one no run was asked.
    const command = options.find((a) => ["check", "fix", "report", "sql"].includes(a));
    if (command !== "check" && command !== "fix" && command !== "report") {
        return { mode: "check", json: false, reportJson: undefined };
    }
    const reportJson = flagValue(argv, "--report-json");
    // A value that is another flag (`--report-json --json`) is no file name.
    const file = reportJson && !reportJson.startsWith("-") ? reportJson : undefined;
    return { mode: command, json: options.includes("--json"), reportJson: file };
}
/**
 * Verify: the database as it is, or each dump restored (on the server named, or on a throwaway one started for
 * it), then print. The throwaway server's password joins `secrets`.
 */
async function verify(settings, server, io, secrets) {
    const progress = makeProgress(io, settings);
    // Dumps: scratch databases (and maybe a server) to clean up, also on Ctrl-C and SIGTERM (exit 130 / 143).
    const restoring = settings.dumps.length > 0;
    const removeHandlers = restoring
        ? (0,cleanup/* installSignalHandlers */.Xd)({
            notify: (t) => io.stderr((0,printable/* logText */.kc)((0,words/* inWords */.r4)(t, words/* CLI_WORDS */.xP))),
            exit: (code) => process.exit(code),
        })
        : () => undefined;
    let throwaway = null;
    try {
        const { checkDumps, runTargets, targetsExitCode } = await (0,errors/* loadPart */.AX)(() => Promise.all(/* import() */[__nccwpck_require__.e(849), __nccwpck_require__.e(904), __nccwpck_require__.e(51)]).then(__nccwpck_require__.bind(__nccwpck_require__, 8051)));
        if (restoring)
            checkDumps(settings.dumps, settings.restore);
        let connection;
        if (server.kind === "named")
            connection = server.connection;
        else
            ({ server: throwaway, connection } = await startThrowaway(progress));
        for (const s of connection.secrets)
            if (!secrets.includes(s))
                secrets.push(s);
        const targets = await runTargets({
            connection,
            dumps: settings.dumps,
            restore: settings.restore,
            engine: settings.engine,
            progress,
        });
        (0,cleanup/* throwIfInterrupted */.sK)();
        const report = (0,core_report/* buildReport */.FK)(settings.mode, targets, settings.failOn);
        // A --schema or --exclude that matches nothing is a warning; filters that leave nothing to verify fail.
        if (!settings.print.quiet) {
            for (const w of await unmatchedFilters(report, settings.engine)) {
                io.stderr(`seq-guard: warning: ${(0,printable/* logText */.kc)(cliText(w, secrets))}\n`);
            }
        }
        checkFiltersLeftSomething(report, settings.engine);
        await printReport(report, settings, io, secrets, throwaway !== null);
        return targetsExitCode(targets, report.ok);
    }
    finally {
        // Interrupted: the signal handler's cleanup stops it, last, after what lives on it (the scratch database,
        // the restore role) is dropped; stopping it here would race that cleanup.
        if (throwaway && !(0,cleanup/* interrupted */.VM)()) {
            progress("stopping the embedded PostgreSQL");
            await throwaway.stop();
            progress(null);
        }
        removeHandlers();
    }
}


/***/ }),

/***/ 5774:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   T: () => (/* binding */ DEFAULT_ENGINE),
/* harmony export */   V: () => (/* binding */ DEFAULT_PROBE)
/* harmony export */ });
// The engine's options and their defaults, apart from the engine itself: settings.ts builds them from what the
// front end was given before it knows whether it will connect at all, and loading them must not load the driver.
const DEFAULT_PROBE = {
    concurrency: 2,
    statementTimeoutMs: 30_000,
    lockTimeoutMs: 5_000,
    lockBudget: 1000,
    batchSize: 250,
};
const DEFAULT_ENGINE = {
    schemas: [],
    exclude: [],
    headroomThreshold: 80,
    concurrency: DEFAULT_PROBE.concurrency,
    statementTimeoutMs: DEFAULT_PROBE.statementTimeoutMs,
    lockTimeoutMs: 5_000,
    connectTimeoutMs: 10_000,
};


/***/ }),

/***/ 4296:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   AX: () => (/* binding */ loadPart),
/* harmony export */   DZ: () => (/* binding */ RestoreError),
/* harmony export */   Rc: () => (/* binding */ ConnectionError),
/* harmony export */   dc: () => (/* binding */ EXIT),
/* harmony export */   eb: () => (/* binding */ UsageError),
/* harmony export */   rv: () => (/* binding */ SeqGuardError)
/* harmony export */ });
// Failures a user can act on. Each carries its documented exit code; the front ends print the message alone
// (no stack trace unless --debug).
const EXIT = {
    ok: 0,
    findings: 1,
    usage: 2,
    connection: 3,
    restore: 4,
    internal: 70,
    interrupted: 130,
};
class SeqGuardError extends Error {
    exitCode;
    constructor(message, exitCode) {
        super(message);
        this.exitCode = exitCode;
        this.name = "SeqGuardError";
    }
}
/** A bad command line: unknown command or flag, bad value, missing file. Exit 2. */
class UsageError extends SeqGuardError {
    constructor(message) {
        super(message, EXIT.usage);
        this.name = "UsageError";
    }
}
/** The server could not be reached, refused us, or the database is missing. Exit 3. */
class ConnectionError extends SeqGuardError {
    constructor(message) {
        super(message, EXIT.connection);
        this.name = "ConnectionError";
    }
}
/** A dump could not be restored. Exit 4. */
class RestoreError extends SeqGuardError {
    constructor(message) {
        super(message, EXIT.restore);
        this.name = "RestoreError";
    }
}
/**
 * Load a part of seq-guard that the bundle reads on first use (a file beside dist/cli.js or dist/index.js): a file
 * missing there is an incomplete installation, said as such, not an unexpected error to report.
 */
async function loadPart(load) {
    try {
        return await load();
    }
    catch (err) {
        if (err?.code !== "ERR_MODULE_NOT_FOUND")
            throw err;
        throw new SeqGuardError(`the installation is incomplete: ${err.message}. The bundle reads the files beside it (dist/*.js) when it needs them: reinstall seq-guard, or copy all of dist/`, EXIT.internal);
    }
}


/***/ }),

/***/ 1336:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   J: () => (/* binding */ exclusionFilter)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(4296);
// Filters: which sequences a run looks at. The schema setting keeps only those schemas; the exclude setting drops
// sequences whose unquoted `schema.name` matches a glob (minimatch syntax: *, ?, [...], {a,b}). Pure.

/**
 * A predicate telling whether a sequence is filtered out; the globs are compiled once, not per sequence. The glob
 * library is loaded only when there are globs: most runs have none, and it is a sixth of the CLI's code.
 */
async function exclusionFilter(filters) {
    const schemas = new Set(filters.schemas);
    let globs = [];
    if (filters.exclude.length > 0) {
        const { Minimatch } = await (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .loadPart */ .AX)(() => __nccwpck_require__.e(/* import() */ 138).then(__nccwpck_require__.bind(__nccwpck_require__, 1138)));
        globs = filters.exclude.map((p) => new Minimatch(p, { dot: true, nocomment: true, nonegate: true }));
    }
    return (schema, name) => {
        if (schemas.size > 0 && !schemas.has(schema))
            return true;
        const full = `${schema}.${name}`;
        return globs.some((g) => g.match(full));
    };
}


/***/ }),

/***/ 23:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   o: () => (/* binding */ interner)
/* harmony export */ });
// One shared copy of values that repeat across thousands of rows (type and column names, a sequence's start and
// increment, the decimal strings of a report): at 100,000 sequences one copy each saves tens of megabytes. Pure.
/**
 * `make`, remembering what it made for the first `limit` distinct keys: values that are all different (positions
 * of a large database) cost no more than without it.
 */
function interner(make, limit = 20_000) {
    const seen = new Map();
    return (key) => {
        const hit = seen.get(key);
        if (hit !== undefined)
            return hit;
        const value = make(key);
        if (seen.size < limit)
            seen.set(key, value);
        return value;
    };
}


/***/ }),

/***/ 8080:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   g$: () => (/* binding */ printable),
/* harmony export */   kc: () => (/* binding */ logText)
/* harmony export */ });
/* unused harmony export controlsVisible */
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
const NAMED = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
function escapeChar(c) {
    return NAMED[c] ?? `\\u${c.codePointAt(0).toString(16).padStart(4, "0")}`;
}
/** Every control character of `s` as a visible escape: "a\nb" shows as a\nb, on one line. */
function controlsVisible(s) {
    return s.replace(CONTROL, escapeChar);
}
/** The legacy command prefix, anywhere in a line: `##[` becomes `#\u0023[` (in JSON, the same string). */
function breakLegacyCommands(s) {
    return s.replaceAll("##[", "#\\u0023[");
}
/**
 * A name or a message as one line of a log: controls shown as escapes, the legacy `##[` command prefix broken.
 * For everything a dump or a server named, where it is put into a line.
 */
function printable(s) {
    return breakLegacyCommands(controlsVisible(s));
}
/**
 * Text written to a log, whose line breaks are its own: each line has its controls shown as escapes (tabs and
 * the escape character of colours stay), a \r\n ends a line as \n does, no line can begin with `::` (after
 * blanks), and no `##[` is left anywhere. Idempotent on text that needs none of it.
 */
function logText(text) {
    return text
        .replace(/\r\n/g, "\n")
        .split("\n")
        .map((line) => {
        const one = breakLegacyCommands(line.replace(CONTROL_IN_LINE, escapeChar));
        return one.replace(/^(\s*)::/u, "$1\\u003a:");
    })
        .join("\n");
}


/***/ }),

/***/ 2258:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   BO: () => (/* binding */ redactUrl),
/* harmony export */   Ds: () => (/* binding */ urlPassword),
/* harmony export */   E$: () => (/* binding */ redact),
/* harmony export */   LB: () => (/* binding */ worthMasking)
/* harmony export */ });
/* unused harmony export maskWhole */
// Masking of secrets in text: passwords in connection URLs, and the secrets a run knows, before anything is printed.
/**
 * The password of a URL as written, even in a malformed one: the user info runs to the last "@" (a password may
 * hold "/", "#", "?" or "@" that should have been percent-encoded), the password from its first ":". Null when
 * there is none. "PASSWORD" itself is the placeholder of our own messages, not a secret.
 */
function urlPassword(url) {
    const m = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
    if (!m)
        return null;
    const at = url.lastIndexOf("@");
    if (at < m[0].length)
        return null;
    const colon = url.indexOf(":", m[0].length);
    if (colon < 0 || colon > at)
        return null;
    if (url.slice(colon + 1, at) === "PASSWORD")
        return null;
    return { start: colon + 1, end: at };
}
/** Replace the password of a URL (in the user info, or a password= parameter) by ***. */
function redactUrl(url) {
    let out = url;
    const p = urlPassword(out);
    if (p && p.end > p.start)
        out = `${out.slice(0, p.start)}***${out.slice(p.end)}`;
    return out.replace(/([?&](?:ssl)?password=)[^&#\s]*/gi, "$1***");
}
/**
 * The secrets worth masking among `passwords`, longest first (so that masking a longer one is never undone by a
 * shorter one inside it). The one rule of what is a secret, for every list of them: a password that is also a
 * name the connection uses (its user, its database: the service container's postgres/postgres/postgres) is no
 * secret from anyone who reads that name, and masking it would garble every mention of the name (the postgres
 * service, host:port/postgres) and tell the reader which name the password is: it is left out.
 */
function worthMasking(passwords, names) {
    const known = new Set(names);
    const out = new Set();
    for (const p of passwords)
        if (p && !known.has(p))
            out.add(p);
    return [...out].sort((a, b) => b.length - a.length);
}
/** Remove every secret and every password-bearing URL from a text before it is printed anywhere. */
function redact(text, secrets) {
    let out = text.replace(/postgres(?:ql)?:\/\/[^\s'"]+/gi, (m) => redactUrl(m));
    // Longest first: a password that holds another one (p@ss and its encoded p%40ss) is masked whole.
    const live = secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
    for (const s of live)
        out = maskWhole(out, s);
    return out;
}
const WORD = /[\p{L}\p{N}_]/u;
/**
 * Every occurrence of `secret` that stands on its own, as a secret stands in a message (between blanks, quotes,
 * "=", ":", "@"...), replaced by ***. An occurrence inside a longer word is part of that word, not the secret:
 * with the password "ro", "role" stays "role". The edge check applies only on a side where the secret itself
 * ends in a word character; a secret that begins or ends with punctuation is masked wherever it touches.
 */
function maskWhole(text, secret) {
    const first = WORD.test(secret.slice(0, 1));
    const last = WORD.test(secret.slice(-1));
    let out = "";
    let from = 0;
    for (let at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + 1)) {
        if (at < from)
            continue;
        const end = at + secret.length;
        const inWordBefore = first && at > 0 && WORD.test(text.slice(at - 1, at));
        const inWordAfter = last && end < text.length && WORD.test(text.slice(end, end + 1));
        if (inWordBefore || inWordAfter)
            continue;
        out += `${text.slice(from, at)}***`;
        from = end;
    }
    return out + text.slice(from);
}


/***/ }),

/***/ 8557:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $c: () => (/* binding */ isDescending),
/* harmony export */   CB: () => (/* binding */ emptySummary),
/* harmony export */   FK: () => (/* binding */ buildReport),
/* harmony export */   G5: () => (/* binding */ byImportance),
/* harmony export */   Nb: () => (/* binding */ failedRunReport),
/* harmony export */   Nn: () => (/* binding */ defaultFailOn),
/* harmony export */   Qm: () => (/* binding */ FAIL_ON_VALUES),
/* harmony export */   Xo: () => (/* binding */ fixedReport),
/* harmony export */   ZL: () => (/* binding */ isNearExhaustion),
/* harmony export */   ZV: () => (/* binding */ errorReport),
/* harmony export */   Zp: () => (/* binding */ columnLabel),
/* harmony export */   a5: () => (/* binding */ redactReport),
/* harmony export */   c6: () => (/* binding */ fails),
/* harmony export */   eh: () => (/* binding */ summarize),
/* harmony export */   mq: () => (/* binding */ verdictReport),
/* harmony export */   si: () => (/* binding */ viaMark)
/* harmony export */ });
/* unused harmony exports viaOf, quoteIdent, addSummaries, targetFails, isProblem, STATUS_ORDER */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(4296);
/* harmony import */ var _intern_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(23);
/* harmony import */ var _redact_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(2258);
/* harmony import */ var _verdict_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(9478);
// Report building: turn verdicts into the JSON contract (decimal strings for every int8) and count them. Pure.




const FAIL_ON_VALUES = ["behind", "exhausted", "error", "near-exhaustion"];
/** What fails a run by default: in check and fix, behind (unfixed), exhausted and error; report never fails. */
function defaultFailOn(mode) {
    return mode === "report" ? [] : ["behind", "exhausted", "error"];
}
// A report holds a dozen decimal strings per sequence, most of them the same few values (increments, type
// bounds, small positions): one shared copy of each.
const dec = (0,_intern_js__WEBPACK_IMPORTED_MODULE_2__/* .interner */ .o)((v) => v.toString());
const s = (v) => (v === null || v === undefined ? null : dec(v));
/** How a link was found, for the report: an expression default is a default (of the regclass kind unless said). */
function viaOf(l) {
    return l.via ?? (l.kind === "expression" ? "default" : l.kind);
}
// Every keyword quote_ident() quotes: all but PostgreSQL's unreserved ones (pg_get_keywords() WHERE catcode <> 'U'
// on 15, and the JSON and MERGE words 16 and 17 added), so a column named int or between reads "int", as the
// standalone script, which calls quote_ident() itself, prints it.
const RESERVED = new Set(("all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both " +
    "case cast char character check coalesce collate collation column concurrently constraint create cross " +
    "current_catalog current_date current_role current_schema current_time current_timestamp current_user dec " +
    "decimal default deferrable desc distinct do else end except exists extract false fetch float for foreign " +
    "freeze from full grant greatest group grouping having ilike in initially inner inout int integer intersect " +
    "interval into is isnull join json json_array json_arrayagg json_exists json_object json_objectagg json_query " +
    "json_scalar json_serialize json_table json_value lateral leading least left like limit localtime " +
    "localtimestamp merge_action national natural nchar none normalize not notnull null nullif numeric offset on " +
    "only or order out outer overlaps overlay placing position precision primary real references returning right " +
    "row select session_user setof similar smallint some substring symmetric system_user table tablesample then " +
    "time timestamp to trailing treat trim true union unique user using values varchar variadic verbose when " +
    "where window with xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi " +
    "xmlroot xmlserialize xmltable").split(" "));
/** An identifier as quote_ident() writes it: bare when lower-case and not reserved, else in double quotes. */
function quoteIdent(name) {
    return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replaceAll('"', '""')}"`;
}
/** A linked column as the tables show it: the table (already quoted) and the column, quoted the same way. */
function columnLabel(c) {
    return `${c.table}.${quoteIdent(c.column)}`;
}
/** A descending sequence: its colliding extreme is a min, not a max. */
function isDescending(r) {
    return r.increment.startsWith("-");
}
/** A short mark after a column in the text and Markdown tables, for the links no dependency records. */
function viaMark(c) {
    return c.via === "trigger" ? " (trigger)" : c.via === "default_text" ? " (text default)" : "";
}
function columnReports(seq, state) {
    const ints = (0,_verdict_js__WEBPACK_IMPORTED_MODULE_1__/* .integerLinks */ .a3)(seq);
    return seq.links.map((l) => {
        const i = ints.indexOf(l);
        const ext = state && i >= 0 ? state.columns[i] : undefined;
        return {
            table: l.table,
            column: l.column,
            type: l.type,
            via: viaOf(l),
            ...(l.note === undefined ? {} : { note: l.note }),
            max: s(ext?.max),
            min: s(ext?.min),
        };
    });
}
function base(seq, state) {
    return {
        sequence: seq.name,
        status: "ok",
        reason: null,
        skip_reason: null,
        columns: columnReports(seq, state),
        data_type: seq.dataType,
        increment: dec(seq.increment),
        min_value: dec(seq.minValue),
        max_value: dec(seq.maxValue),
        cycle: seq.cycle,
        last_value: state ? dec(state.lastValue) : null,
        is_called: state ? state.isCalled : null,
        next_value: null,
        max: null,
        min: null,
        fixed_next_value: null,
        warnings: [],
        headroom: null,
        fix_sql: null,
    };
}
/** The report of a judged sequence. */
function verdictReport(seq, state, v) {
    const report = base(seq, state);
    if (v.status === "skipped")
        return { ...report, status: v.status, reason: v.reason, skip_reason: v.skipReason };
    const collision = v.status === "ok" ? null : s(v.collision);
    const ascending = seq.increment > 0n;
    return {
        ...report,
        status: v.status,
        reason: v.status === "ok" ? null : v.reason,
        next_value: dec(v.next),
        max: ascending ? collision : null,
        min: ascending ? null : collision,
        warnings: v.warnings,
        headroom: { used_pct: v.headroom.usedPct, remaining: dec(v.headroom.remaining) },
        fix_sql: v.status === "behind" ? (0,_verdict_js__WEBPACK_IMPORTED_MODULE_1__/* .fixSql */ .of)(seq.name, v.fixTo) : null,
    };
}
/** The report of a sequence that could not be read or fixed. */
function errorReport(seq, error, state = null) {
    return { ...base(seq, state), status: "error", reason: error };
}
/** Mark a behind sequence fixed: it now hands out `nextValue`. */
function fixedReport(before, nextValue, warnings) {
    return {
        ...before,
        status: "fixed",
        reason: `advanced from ${before.next_value} to ${nextValue}`,
        fixed_next_value: nextValue.toString(),
        warnings: [...before.warnings, ...warnings],
    };
}
function emptySummary() {
    return { sequences: 0, ok: 0, behind: 0, fixed: 0, exhausted: 0, skipped: 0, error: 0 };
}
function summarize(seqs) {
    const sum = emptySummary();
    for (const r of seqs) {
        sum.sequences++;
        sum[r.status]++;
    }
    return sum;
}
function addSummaries(a, b) {
    const out = emptySummary();
    for (const k of Object.keys(out))
        out[k] = a[k] + b[k];
    return out;
}
/** A sequence near the end of its range (a warning on an ok row, or beside another status). */
function isNearExhaustion(r) {
    return r.warnings.some((w) => w.code === "near_exhaustion");
}
/** Does this sequence fail the run under `failOn`? */
function fails(r, failOn) {
    if (failOn.includes(r.status))
        return true;
    return failOn.includes("near-exhaustion") && isNearExhaustion(r);
}
/** Does the target fail: any failing sequence, or the target itself could not be restored or verified. */
function targetFails(t, failOn) {
    return t.error !== null || t.sequences.some((r) => fails(r, failOn));
}
function buildReport(mode, targets, failOn) {
    const summary = targets.reduce((acc, t) => addSummaries(acc, t.summary), emptySummary());
    return {
        version: 1,
        mode,
        ok: !targets.some((t) => targetFails(t, failOn)),
        error: targetsError(targets),
        summary,
        targets,
    };
}
/** The run's error from its targets: a dump not restored (exit 4) before a target not verified (exit 3). */
function targetsError(targets) {
    const failed = targets.filter((t) => t.error !== null);
    const restore = failed.find((t) => t.dump !== null && t.restore_ms === null);
    const first = restore ?? failed[0];
    if (!first)
        return null;
    const more = failed.length > 1 ? ` (and ${failed.length - 1} more)` : "";
    return {
        code: restore ? "restore" : "connection",
        exit_code: restore ? _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .EXIT */ .dc.restore : _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .EXIT */ .dc.connection,
        message: `${first.dump ?? first.database} could not be ${restore ? "restored" : "verified"}: ${first.error}${more}`,
    };
}
const RUN_ERROR_CODES = [
    [_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .EXIT */ .dc.usage, "usage"],
    [_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .EXIT */ .dc.connection, "connection"],
    [_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .EXIT */ .dc.restore, "restore"],
    [_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .EXIT */ .dc.interrupted, "interrupted"],
    [143, "interrupted"],
];
/**
 * The report of a run that stopped before it had results (or whose results a check refused, such as filters that
 * leave nothing to verify): ok false, the error's code, exit code and message, and whatever targets it had.
 */
function failedRunReport(mode, exitCode, message, targets = []) {
    const code = RUN_ERROR_CODES.find(([c]) => c === exitCode)?.[1] ?? "internal";
    const summary = targets.reduce((acc, t) => addSummaries(acc, t.summary), emptySummary());
    return { version: 1, mode, ok: false, error: { code, exit_code: exitCode, message }, summary, targets };
}
/** Rows that need a reader's attention: anything but a plain ok or skipped. */
function isProblem(r) {
    return !(r.status === "ok" || r.status === "skipped") || r.warnings.length > 0;
}
/** Order for display: what needs attention first. */
const STATUS_ORDER = ["error", "exhausted", "behind", "fixed", "ok", "skipped"];
/**
 * Status, then those with warnings first, then by name compared character by character (JavaScript's string
 * order, much like `COLLATE "C"`): the same order on every machine, whatever its locale, so that two runs' reports
 * line up. localeCompare() would also load ICU's collator on first use, 8 ms of every run.
 */
function byImportance(a, b) {
    const d = STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status);
    if (d !== 0)
        return d;
    const wa = a.warnings.length > 0 ? 0 : 1;
    const wb = b.warnings.length > 0 ? 0 : 1;
    if (wa !== wb)
        return wa - wb;
    return a.sequence < b.sequence ? -1 : a.sequence > b.sequence ? 1 : 0;
}
/**
 * The report with every secret taken out of its free text (reasons, warnings, errors, hints): the only places a
 * secret can reach a report, through a server's or a tool's message that echoes a connection string. Names,
 * numbers and SQL are left as they are, so the report stays exact whatever the password looks like.
 */
function redactReport(report, secrets) {
    const live = secrets.filter((s) => s.length > 0);
    const clean = (t) => (0,_redact_js__WEBPACK_IMPORTED_MODULE_3__/* .redact */ .E$)(t, live);
    const cleanOpt = (t) => (t === null ? null : clean(t));
    // Copy only what changes: at 100,000 sequences a copy of every report would double the memory.
    const dirty = (r) => (r.reason !== null && clean(r.reason) !== r.reason) ||
        r.warnings.some((w) => clean(w.message) !== w.message);
    return {
        ...report,
        ...(report.error ? { error: { ...report.error, message: clean(report.error.message) } } : {}),
        targets: report.targets.map((t) => ({
            ...t,
            error: cleanOpt(t.error),
            hints: t.hints.map(clean),
            sequences: t.sequences.map((r) => !dirty(r)
                ? r
                : {
                    ...r,
                    reason: cleanOpt(r.reason),
                    warnings: r.warnings.map((w) => ({ ...w, message: clean(w.message) })),
                }),
        })),
    };
}


/***/ }),

/***/ 2918:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   cD: () => (/* binding */ SQLSTATE),
/* harmony export */   lf: () => (/* binding */ isConnectionClass),
/* harmony export */   v9: () => (/* binding */ sqlStateOf)
/* harmony export */ });
// The SQLSTATE codes seq-guard acts on, by name (PostgreSQL's errcodes.txt, Appendix A of its manual). A code is
// compared by its constant, never as a bare string, so a reader sees which condition a branch handles.
const SQLSTATE = {
    /** Class 08: the connection failed or was lost. Use isConnectionClass(). */
    connectionExceptionClass: "08",
    featureNotSupported: "0A000",
    invalidParameterValue: "22023",
    activeSqlTransaction: "25001",
    readOnlySqlTransaction: "25006",
    invalidAuthorizationSpecification: "28000",
    invalidPassword: "28P01",
    invalidCatalogName: "3D000",
    insufficientPrivilege: "42501",
    undefinedObject: "42704",
    duplicateObject: "42710",
    objectInUse: "55006",
    lockNotAvailable: "55P03",
    unsafeNewEnumValueUsage: "55P04",
    queryCanceled: "57014",
    adminShutdown: "57P01",
    crashShutdown: "57P02",
    cannotConnectNow: "57P03",
};
/** The SQLSTATE of an error from the driver, or undefined for an error that carries none. */
function sqlStateOf(err) {
    const code = err?.code;
    return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
/** Class 08 (connection exception) or the server shutting down or starting up: the session is gone or not yet there. */
function isConnectionClass(code) {
    if (code === undefined)
        return false;
    return (code.startsWith(SQLSTATE.connectionExceptionClass) ||
        code === SQLSTATE.adminShutdown ||
        code === SQLSTATE.crashShutdown ||
        code === SQLSTATE.cannotConnectNow);
}


/***/ }),

/***/ 9478:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   JW: () => (/* binding */ INT_RANGES),
/* harmony export */   PY: () => (/* binding */ skipReasonOf),
/* harmony export */   S4: () => (/* binding */ judge),
/* harmony export */   a3: () => (/* binding */ integerLinks),
/* harmony export */   hT: () => (/* binding */ skipped),
/* harmony export */   of: () => (/* binding */ fixSql)
/* harmony export */ });
/* unused harmony exports nextValue, effectiveBound, headroomOf, quoteLiteral */
// Verdict arithmetic: pure, exact (bigint only), no I/O. Given what the catalog says of a sequence and what
// probing read, decide ok / behind / exhausted / skipped and what setval() would fix it.
const INT_RANGES = {
    smallint: { min: -32768n, max: 32767n },
    integer: { min: -2147483648n, max: 2147483647n },
    bigint: { min: -9223372036854775808n, max: 9223372036854775807n },
};
function nextValue(lastValue, isCalled, increment) {
    return isCalled ? lastValue + increment : lastValue;
}
/**
 * The links that are judged: integer columns fed by the sequence's own values (never an expression around
 * nextval()), in the order probing reads them.
 */
function integerLinks(seq) {
    return seq.links.filter((l) => l.typeMin !== null && l.typeMax !== null && l.kind !== "expression");
}
/** Why a sequence is skipped before anything is read, or null when it must be probed. */
function skipReasonOf(seq) {
    if (seq.links.length === 0)
        return "unlinked";
    if (seq.links.every((l) => l.typeMin === null))
        return "non_integer_column";
    if (integerLinks(seq).length === 0)
        return "expression_default";
    if (seq.cycle)
        return "cycle";
    return null;
}
const SKIP_TEXT = {
    unlinked: "feeds no column: no OWNED BY or identity column, no DEFAULT calling nextval() of it (by regclass, or by a text name resolved on the database's search_path) and no BEFORE INSERT trigger assigning nextval() of it to a column links it to one (a sequence drawn only by application code is not inspected)",
    expression_default: "feeds its columns only through a DEFAULT that computes with nextval() (such as nextval(...) * 1024 + 7), so their values are not the sequence's and cannot be compared with it",
    non_integer_column: "feeds only columns that are not integers",
    cycle: "CYCLE sequence: it may legitimately sit below old data, so it is never judged or fixed",
    excluded: "excluded by the schema or exclude filters",
};
function skipped(seq, reason) {
    return {
        status: "skipped",
        reason: reason === "non_integer_column"
            ? `${SKIP_TEXT[reason]} (${describeTypes(seq)})`
            : reason === "expression_default"
                ? `${SKIP_TEXT[reason]} (${seq.links
                    .filter((l) => l.kind === "expression")
                    .map((l) => `${l.table}.${l.columnIdent}`)
                    .join(", ")})`
                : SKIP_TEXT[reason],
        skipReason: reason,
    };
}
function describeTypes(seq) {
    return seq.links.map((l) => `${l.table}.${l.columnIdent} is ${l.type}`).join(", ");
}
/** The effective bound: where the sequence runs out, by its own limit or the narrowest linked integer column. */
function effectiveBound(seq) {
    const ascending = seq.increment > 0n;
    let bound = ascending ? seq.maxValue : seq.minValue;
    let by = ascending ? `MAXVALUE of ${seq.name}` : `MINVALUE of ${seq.name}`;
    for (const l of integerLinks(seq)) {
        const colBound = ascending ? l.typeMax : l.typeMin;
        if (ascending ? colBound < bound : colBound > bound) {
            bound = colBound;
            by = `${l.type} column ${l.table}.${l.columnIdent}`;
        }
    }
    return { bound, by };
}
/**
 * Decide the verdict of a sequence that was read. Values outside the sequence's own MINVALUE..MAXVALUE never
 * count: the sequence can never hand them out, so they cannot collide with it.
 */
function judge(seq, state, opts) {
    const skip = skipReasonOf(seq);
    if (skip)
        return skipped(seq, skip);
    const inc = seq.increment;
    const ascending = inc > 0n;
    const next = nextValue(state.lastValue, state.isCalled, inc);
    const { bound, by } = effectiveBound(seq);
    // The colliding extreme over every linked column, inside the sequence's range.
    let collision = null;
    for (const c of state.columns) {
        const v = ascending ? c.max : c.min;
        if (v === null || v < seq.minValue || v > seq.maxValue)
            continue;
        if (ascending ? v >= next : v <= next) {
            if (collision === null || (ascending ? v > collision : v < collision))
                collision = v;
        }
    }
    const warnings = [];
    const beyond = (v) => (ascending ? v > bound : v < bound);
    // The next value handed out once any collision is fixed.
    const effectiveNext = collision === null ? next : collision + inc;
    const headroom = headroomOf(seq, effectiveNext, bound);
    if (beyond(next) || (collision !== null && beyond(effectiveNext))) {
        const what = collision === null
            ? `its next value ${next} lies beyond ${bound}, the bound set by the ${by}`
            : `it is behind (a linked column holds ${collision}) and ${collision} ${ascending ? "+" : "-"} ${abs(inc)} = ${effectiveNext} lies beyond ${bound}, the bound set by the ${by}`;
        return {
            status: "exhausted",
            reason: `exhausted: ${what}. setval() cannot help: ${remedy(seq, by)}`,
            next,
            collision,
            bound,
            warnings,
            headroom: { usedPct: 100, remaining: 0n },
        };
    }
    if (headroom.usedPct >= opts.headroomThreshold) {
        warnings.push({
            code: "near_exhaustion",
            message: `${headroom.usedPct}% of the range up to ${bound} (the ${by}) is used; ${headroom.remaining} values remain`,
        });
    }
    if (collision !== null) {
        return {
            status: "behind",
            reason: `next value ${next} ${ascending ? "<=" : ">="} ${collision}, a value already in a linked column: the next insert collides`,
            next,
            collision,
            fixTo: collision,
            bound,
            warnings,
            headroom,
        };
    }
    return { status: "ok", next, bound, warnings, headroom };
}
function abs(v) {
    return v < 0n ? -v : v;
}
function remedy(seq, by) {
    if (by.startsWith("MAXVALUE") || by.startsWith("MINVALUE")) {
        return seq.dataType === "bigint"
            ? `raise the sequence's ${seq.increment > 0n ? "MAXVALUE" : "MINVALUE"} (ALTER SEQUENCE ${seq.name} ${seq.increment > 0n ? "MAXVALUE" : "MINVALUE"} ...)`
            : `widen it (ALTER SEQUENCE ${seq.name} AS bigint) and its columns`;
    }
    return `widen the ${by} (ALTER TABLE ... ALTER COLUMN ... TYPE bigint)`;
}
/**
 * How much of the effective range is used. The range starts at START (values below it are never handed out
 * unless someone restarts the sequence) and ends at the effective bound. `remaining` counts the values nextval()
 * can still hand out, the next one included.
 */
function headroomOf(seq, effectiveNext, bound) {
    const ascending = seq.increment > 0n;
    const step = abs(seq.increment);
    const start = seq.start;
    const span = ascending ? bound - start + 1n : start - bound + 1n;
    let used = ascending ? effectiveNext - start : start - effectiveNext;
    if (used < 0n)
        used = 0n;
    const left = ascending ? bound - effectiveNext : effectiveNext - bound;
    const remaining = left < 0n ? 0n : left / step + 1n;
    if (span <= 0n)
        return { usedPct: 100, remaining };
    // One decimal of percent, computed exactly, then made a number (a percentage is safe as a double).
    const permille = (used * 1000n) / span;
    const usedPct = Number(permille > 1000n ? 1000n : permille) / 10;
    return { usedPct, remaining };
}
/** The setval() statement a person can paste into psql, with the (server-quoted) name as a SQL literal. */
function fixSql(seqName, fixTo) {
    return `SELECT setval(${quoteLiteral(seqName)}, ${fixTo}, true);`;
}
/** Quote text as a SQL string literal (standard_conforming_strings on, as on every supported server). */
function quoteLiteral(text) {
    return `'${text.replaceAll("'", "''")}'`;
}


/***/ }),

/***/ 7522:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   TR: () => (/* binding */ inWordsReport),
/* harmony export */   cv: () => (/* binding */ say),
/* harmony export */   r4: () => (/* binding */ inWords),
/* harmony export */   xP: () => (/* binding */ CLI_WORDS)
/* harmony export */ });
/* unused harmony exports SETTINGS, ACTION_WORDS */
// One vocabulary for the settings. Below the front ends a message never spells a setting the way one front end
// does (--lock-timeout, "the lock-timeout input"): it names the setting by its key with `say`, and the front end
// renders the message in its own words with inWords() just before it shows it. A reworded message keeps its
// setting names, so nothing escapes translation, and the CLI and the Action can never drift apart. Pure.
//
// A named setting travels inside the text as a marker made of Unicode private-use characters, which no message of
// ours uses otherwise. A marker that a dump or a server smuggles into a name can only turn into a setting's name.
/** Every setting a message may name, with the CLI's flag (without --) and the Action's input. */
const SETTINGS = {
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
};
const CLI_WORDS = {
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
const ACTION_WORDS = {
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
const MARKER = /\u{e000}([a-zA-Z]+)\u{e002}([^\u{e000}\u{e001}\u{e002}]*)\u{e002}([^\u{e000}\u{e001}\u{e002}]*)\u{e001}/gu;
// A value (a filter entry, a fail-on list) is the reader's text: the marker characters are taken out of it, so
// that it can neither end its marker early nor start another.
const MARKER_CHARS = /[\u{e000}\u{e001}\u{e002}]/gu;
const marker = (kind, a, b = "") => `${OPEN}${kind}${SEP}${a}${SEP}${b.replace(MARKER_CHARS, "")}${CLOSE}`;
/** Name a setting, a mode or a phrase in a message; the front end renders it in its words (inWords). */
const say = {
    option: (key) => marker("option", key),
    set: (key, value) => marker("set", key, value),
    entry: (key, value) => marker("entry", key, value),
    enable: (key) => marker("enable", key),
    mode: (mode) => marker("mode", mode),
    runMode: (mode) => marker("runMode", mode),
    runAs: () => marker("runAs", ""),
    fixStatements: () => marker("fixStatements", ""),
};
const isKey = (k) => Object.hasOwn(SETTINGS, k);
const isMode = (m) => m === "check" || m === "fix" || m === "report";
/** A message with every setting it names in the front end's words. Text without markers comes back as it was. */
function inWords(text, words) {
    if (!text.includes(OPEN))
        return text;
    return text.replace(MARKER, (all, kind, a, b) => {
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
function inWordsReport(report, words) {
    const render = (t) => inWords(t, words);
    const named = (t) => t?.includes(OPEN) ?? false;
    return {
        ...report,
        ...(report.error ? { error: { ...report.error, message: render(report.error.message) } } : {}),
        targets: report.targets.map((t) => ({
            ...t,
            error: t.error === null ? null : render(t.error),
            hints: t.hints.map(render),
            sequences: t.sequences.map((r) => !named(r.reason) && !r.warnings.some((w) => named(w.message)) && !r.columns.some((c) => named(c.note))
                ? r
                : {
                    ...r,
                    reason: r.reason === null ? null : render(r.reason),
                    warnings: r.warnings.map((w) => ({ ...w, message: render(w.message) })),
                    columns: r.columns.map((c) => (c.note === undefined ? c : { ...c, note: render(c.note) })),
                }),
        })),
    };
}


/***/ }),

/***/ 2917:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  N9: () => (/* binding */ ConnectionLostError),
  M0: () => (/* binding */ explainConnectionError),
  y7: () => (/* binding */ isConnectionLoss),
  dg: () => (/* binding */ isTransient),
  Vb: () => (/* binding */ libpqConnection),
  mx: () => (/* binding */ parseDatabaseUrl),
  XC: () => (/* binding */ resolveConnection),
  Fj: () => (/* binding */ secretsOf),
  KM: () => (/* binding */ serverLabel),
  Jl: () => (/* binding */ serverNamed),
  VZ: () => (/* binding */ sourceName),
  kR: () => (/* binding */ withDatabase),
  E6: () => (/* binding */ withLogin)
});

// UNUSED EXPORTS: encodingHint, pgVarsSet

// EXTERNAL MODULE: ./src/core/errors.ts
var errors = __nccwpck_require__(4296);
// EXTERNAL MODULE: ./src/core/redact.ts
var redact = __nccwpck_require__(2258);
// EXTERNAL MODULE: ./src/core/sqlstate.ts
var sqlstate = __nccwpck_require__(2918);
// EXTERNAL MODULE: ./src/core/words.ts
var words = __nccwpck_require__(7522);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __nccwpck_require__(7030);
var external_node_net_default = /*#__PURE__*/__nccwpck_require__.n(external_node_net_);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
;// CONCATENATED MODULE: external "node:stream"
const external_node_stream_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");
;// CONCATENATED MODULE: external "node:tls"
const external_node_tls_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");
var external_node_tls_default = /*#__PURE__*/__nccwpck_require__.n(external_node_tls_namespaceObject);
;// CONCATENATED MODULE: ./src/db/libpq-socket.ts
// libpq's sslmode meanings for node-postgres. node-postgres (pg 8, pg-connection-string 2) reads prefer, require
// and verify-ca as verify-full, has no allow, and never falls back to a plain connection; its uselibpqcompat=true
// fixes the verification of require and verify-ca but still has no fallback for prefer or allow. So the TLS
// negotiation is done here, in a socket that node-postgres is handed as its `stream` (connection.ts puts it into
// every connection config): node-postgres speaks plain protocol to it, and it speaks to the server as libpq would.
//
//   disable      plain
//   allow        plain; when the server refuses that startup (pg_hba hostssl), again over SSL, unverified
//   prefer       SSL when the server offers it (unverified), else plain on the same connection; when the server
//                refuses the SSL startup or the handshake fails, again plain (libpq's default mode)
//   require      SSL, certificate unverified; verified like verify-ca when a root certificate is given or exists
//   verify-ca    SSL, certificate chain checked against the root certificate, the host name not
//   verify-full  SSL, chain and host name checked
//
// Root certificate: sslrootcert, else PGSSLROOTCERT, else ~/.postgresql/root.crt when it exists. verify-ca and
// verify-full without one are refused, as libpq refuses them; sslrootcert=system (libpq 16) verifies against the
// system's certificate authorities and, as in libpq, means verify-full (the default mode becomes verify-full, a
// weaker one given with it is refused). node-postgres's ssl=true is verify-full against the system's
// authorities. Client certificate: sslcert / sslkey (PGSSLCERT / PGSSLKEY, else ~/.postgresql/postgresql.crt and
// .key when they exist), sslpassword.






const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];
/** The SSL settings of a connection: URL parameters first, then the PGSSL* variables, then libpq's defaults. */
function sslSettings(params, env) {
    const p = (k) => params?.get(k) ?? undefined;
    let mode = p("sslmode");
    let origin = `sslmode=${mode}`;
    let systemRoots = false;
    if (mode === undefined) {
        // node-postgres's own ssl=true / ssl=1 (verify against the system's authorities) and ssl=0 / false.
        const ssl = p("ssl");
        if (ssl === "true" || ssl === "1")
            [mode, origin, systemRoots] = ["verify-full", `ssl=${ssl}`, true];
        else if (ssl === "false" || ssl === "0")
            [mode, origin] = ["disable", `ssl=${ssl}`];
    }
    if (mode === undefined && env.PGSSLMODE)
        [mode, origin] = [env.PGSSLMODE, `PGSSLMODE=${env.PGSSLMODE}`];
    const home = (f) => {
        const path = (0,external_node_path_.join)((0,external_node_os_.homedir)(), ".postgresql", f);
        return (0,external_node_fs_.existsSync)(path) ? path : undefined;
    };
    const rootcert = p("sslrootcert") ?? (env.PGSSLROOTCERT || (systemRoots ? "system" : home("root.crt")));
    if (mode === undefined) {
        [mode, origin] =
            rootcert === "system"
                ? ["verify-full", "sslrootcert=system (verify-full)"]
                : ["prefer", "the default sslmode (prefer)"];
    }
    // node-postgres's no-verify is libpq's require.
    if (mode === "no-verify")
        mode = "require";
    if (!SSL_MODES.includes(mode)) {
        throw new Error(`invalid ${origin}: use one of ${SSL_MODES.join(", ")}`);
    }
    if (rootcert === "system" && mode !== "verify-full") {
        throw new Error(`${origin} does not go with sslrootcert=system, which checks the server's certificate and name against the system's certificate authorities: use sslmode=verify-full (libpq refuses this pair too)`);
    }
    return {
        mode: mode,
        origin,
        rootcert,
        cert: p("sslcert") ?? (env.PGSSLCERT || home("postgresql.crt")),
        key: p("sslkey") ?? (env.PGSSLKEY || home("postgresql.key")),
        password: p("sslpassword"),
    };
}
/** The TLS options of a mode; a file that cannot be read is an error (libpq's too, for a named one). */
function tlsOptions(s, host) {
    const read = (what, path) => {
        try {
            return (0,external_node_fs_.readFileSync)(path);
        }
        catch (err) {
            throw new Error(`could not read the ${what} ${path}: ${err.message}`);
        }
    };
    const opts = {};
    if (host && external_node_net_default().isIP(host) === 0)
        opts.servername = host;
    if (host)
        opts.host = host;
    if (s.cert && s.key) {
        opts.cert = read("client certificate (sslcert)", s.cert);
        opts.key = read("client key (sslkey)", s.key);
        if (s.password !== undefined)
            opts.passphrase = s.password;
    }
    const verify = s.mode === "verify-ca" || s.mode === "verify-full" || s.rootcert !== undefined;
    if (!verify) {
        opts.rejectUnauthorized = false;
        return opts;
    }
    if (s.rootcert === undefined) {
        throw new Error(`${s.origin} verifies the server's certificate, and there is no root certificate to verify it against (${(0,external_node_path_.join)((0,external_node_os_.homedir)(), ".postgresql", "root.crt")} does not exist): give sslrootcert=/path/to/root.crt (or PGSSLROOTCERT), sslrootcert=system for the system's certificate authorities, or sslmode=require to encrypt without verifying`);
    }
    // sslrootcert=system: Node's own store of the system's authorities (no ca option).
    if (s.rootcert !== "system")
        opts.ca = read("root certificate (sslrootcert)", s.rootcert);
    opts.rejectUnauthorized = true;
    // Only verify-full checks the host name; below it libpq checks the chain alone.
    if (s.mode !== "verify-full")
        opts.checkServerIdentity = () => undefined;
    return opts;
}
/** PostgreSQL's SSLRequest: length 8, code 80877103. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 4, 210, 22, 47]);
/** A socket for node-postgres that negotiates SSL the libpq way (see above). */
class LibpqSocket extends external_node_stream_namespaceObject.Duplex {
    settings;
    inner = null;
    raw = null;
    noDelay = false;
    keepAlive = null;
    /** What node-postgres wrote before the server's first answer: replayed when the startup is tried again. */
    sent = [];
    awaitingReply = true;
    connected = false;
    constructor(settings) {
        super();
        this.settings = settings;
    }
    connect(port, host) {
        const path = typeof port === "string" && host === undefined ? port : null;
        const s = this.settings;
        // A Unix-domain socket never carries SSL (libpq's rule too).
        if (path !== null || s.mode === "disable")
            this.attempt("plain", null, path, Number(port), host);
        else if (s.mode === "allow")
            this.attempt("plain", "ssl", null, Number(port), host);
        else if (s.mode === "prefer")
            this.attempt("ssl", "plain", null, Number(port), host);
        else
            this.attempt("ssl", null, null, Number(port), host);
        return this;
    }
    setNoDelay(noDelay = true) {
        this.noDelay = noDelay;
        this.raw?.setNoDelay(noDelay);
        return this;
    }
    setKeepAlive(enable = false, delay = 0) {
        this.keepAlive = [enable, delay];
        this.raw?.setKeepAlive(enable, delay);
        return this;
    }
    ref() {
        this.raw?.ref();
        return this;
    }
    unref() {
        this.raw?.unref();
        return this;
    }
    attempt(kind, fallback, path, port, host) {
        const raw = path !== null ? external_node_net_default().connect(path) : external_node_net_default().connect({ port, host: host ?? "localhost" });
        this.raw = raw;
        raw.setNoDelay(this.noDelay);
        if (this.keepAlive)
            raw.setKeepAlive(...this.keepAlive);
        const fail = (err) => {
            raw.destroy();
            this.destroy(err);
        };
        raw.once("error", fail);
        raw.once("connect", () => {
            if (kind === "plain") {
                raw.off("error", fail);
                this.ready(raw, fallback, port, host);
                return;
            }
            raw.write(SSL_REQUEST);
            raw.once("data", (buf) => {
                const answer = String.fromCharCode(buf[0] ?? 0);
                if (answer === "N") {
                    // No SSL on this server: prefer (and allow's second try) go on plain, on this very connection.
                    if (this.settings.mode === "prefer" || this.settings.mode === "allow") {
                        raw.off("error", fail);
                        this.ready(raw, null, port, host);
                    }
                    else {
                        fail(Object.assign(new Error(`server does not support SSL, but SSL was required (${this.settings.origin}). Use sslmode=prefer or disable for a server without SSL`), { code: "SSL_NOT_SUPPORTED" }));
                    }
                    return;
                }
                if (answer !== "S") {
                    fail(new Error("the server answered the SSL request with an error"));
                    return;
                }
                let options;
                try {
                    options = tlsOptions(this.settings, host);
                }
                catch (err) {
                    fail(err);
                    return;
                }
                const secure = external_node_tls_default().connect({ ...options, socket: raw });
                raw.off("error", fail);
                const handshakeFailed = (err) => {
                    secure.destroy();
                    raw.destroy();
                    // prefer: a failed handshake is tried again without SSL, as libpq does.
                    if (fallback === "plain")
                        this.attempt("plain", null, null, port, host);
                    else
                        this.destroy(err);
                };
                secure.once("error", handshakeFailed);
                secure.once("secureConnect", () => {
                    secure.off("error", handshakeFailed);
                    this.ready(secure, fallback, port, host);
                });
            });
        });
    }
    /** The connection is negotiated: node-postgres may speak (again, after a retry). */
    ready(inner, fallback, port, host) {
        this.inner = inner;
        const onData = (chunk) => {
            if (this.awaitingReply) {
                // The server refused this startup at once (an ErrorResponse first, as pg_hba's "no encryption" /
                // "SSL off" rejections are): allow and prefer try the other way, as libpq does.
                if (fallback !== null && chunk[0] === 0x45) {
                    detach();
                    inner.destroy();
                    this.raw?.destroy();
                    this.attempt(fallback, null, null, port, host);
                    return;
                }
                this.awaitingReply = false;
                this.sent = [];
            }
            if (!this.push(chunk))
                inner.pause();
        };
        const onEnd = () => this.push(null);
        const onClose = () => this.destroy();
        const onError = (err) => this.destroy(err);
        const detach = () => {
            inner.off("data", onData);
            inner.off("end", onEnd);
            inner.off("close", onClose);
            inner.off("error", onError);
        };
        inner.on("data", onData);
        inner.on("end", onEnd);
        inner.on("close", onClose);
        inner.on("error", onError);
        if (!this.connected) {
            this.connected = true;
            this.emit("connect");
        }
        else {
            for (const b of this.sent)
                inner.write(b);
        }
    }
    _write(chunk, _enc, cb) {
        const inner = this.inner;
        if (!inner) {
            cb(new Error("not connected"));
            return;
        }
        if (this.awaitingReply)
            this.sent.push(Buffer.from(chunk));
        inner.write(chunk, (err) => cb(err ?? null));
    }
    _read() {
        this.inner?.resume();
    }
    _final(cb) {
        if (this.inner)
            this.inner.end(cb);
        else
            cb();
    }
    _destroy(err, cb) {
        this.inner?.destroy();
        this.raw?.destroy();
        cb(err);
    }
}
/**
 * The `stream` option of a node-postgres config: a LibpqSocket, with node-postgres's own SSL negotiation turned
 * off. node-postgres reads `ssl` from the connection string (sslmode=... makes it an object) and would send its
 * own SSLRequest; the factory is called by its Connection's constructor (as a method: `this` is the Connection)
 * before it reads config.ssl, so that is set false there, and the Client's call of requestSsl (it keeps its own
 * copy of `ssl`) goes straight on to the startup message. test/ssl.test.ts fails if a node-postgres release
 * changes this.
 */
function libpqStream(settings) {
    return function (config) {
        config.ssl = false;
        const connection = this;
        if (connection && typeof connection.emit === "function") {
            const emit = connection.emit.bind(connection);
            connection.requestSsl = () => {
                emit("sslconnect");
            };
        }
        return new LibpqSocket(settings);
    };
}

;// CONCATENATED MODULE: ./src/db/service-file.ts
// libpq's connection service file (pg_service.conf), read as libpq reads it, because node-postgres does not read
// it at all: a service named by service= in the connection string, else PGSERVICE, is looked up in the user's
// file (PGSERVICEFILE, else ~/.pg_service.conf), and only when that file does not define it in the system's
// (PGSYSCONFDIR/pg_service.conf). Its values are defaults below the connection string's own and above the PG*
// variables. No npm package reads this file; this is libpq's parseServiceInfo/parseServiceFile, small.




/** The connection parameters libpq knows (a service file's keys, a URL's parameters for the client tools). */
const LIBPQ_KEYWORDS = new Set([
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "channel_binding",
    "connect_timeout",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "gssencmode",
    "sslmode",
    "sslnegotiation",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslcertmode",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "require_auth",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "service",
    "target_session_attrs",
    "load_balance_hosts",
]);
/**
 * Where the system-wide file is when PGSYSCONFDIR is not set: libpq's compiled-in folder, which differs by
 * build. Debian's and Ubuntu's libpq (GitHub's runners) use /etc/postgresql-common, PGDG's RPMs /etc/sysconfig/pgsql,
 * a source build /usr/local/pgsql/etc; the first of them that holds a pg_service.conf is read.
 */
const SYSCONF_DIRS = ["/etc/postgresql-common", "/etc/sysconfig/pgsql", "/usr/local/pgsql/etc", "/etc"];
/** The files libpq reads for a service, in its order: the user's, then the system's (either may be absent). */
function serviceFiles(env) {
    const user = env.PGSERVICEFILE || (0,external_node_path_.join)(env.HOME || (0,external_node_os_.homedir)(), ".pg_service.conf");
    const system = env.PGSYSCONFDIR
        ? (0,external_node_path_.join)(env.PGSYSCONFDIR, "pg_service.conf")
        : (SYSCONF_DIRS.map((d) => (0,external_node_path_.join)(d, "pg_service.conf")).find((f) => (0,external_node_fs_.existsSync)(f)) ??
            (0,external_node_path_.join)(SYSCONF_DIRS[0], "pg_service.conf"));
    return { user, system };
}
/**
 * The section [name] of one file, as libpq reads it: blanks around a line and comment lines (#) ignored; the
 * first section of that name, up to the next section; in it each line key=value (the key as written, the value
 * to the end of the line), a key libpq knows, the first of a key counting. Null when the file does not define
 * the service. A malformed line of the section is an error, as in libpq.
 */
function parseServiceFile(text, file, name) {
    let values = null;
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i].trim();
        if (line === "" || line.startsWith("#"))
            continue;
        if (line.startsWith("[")) {
            if (values)
                break;
            if (line.startsWith(`[${name}]`))
                values = new Map();
            continue;
        }
        if (!values)
            continue;
        const eq = line.indexOf("=");
        const key = eq < 0 ? "" : line.slice(0, eq);
        if (key === "service") {
            throw new errors/* UsageError */.eb(`nested service specifications are not supported in service file "${file}", line ${i + 1}: a service cannot name another service.`);
        }
        if (!LIBPQ_KEYWORDS.has(key)) {
            throw new errors/* UsageError */.eb(`syntax error in service file "${file}", line ${i + 1}: each line of a service is keyword=value, with a connection parameter libpq knows as the keyword (${eq < 0 ? "no = on the line" : `"${key}" is none`}).`);
        }
        if (!values.has(key))
            values.set(key, line.slice(eq + 1));
    }
    return values;
}
/**
 * The service `name` (named by `how`, for the message) as libpq finds it: in the user's file, else the system's.
 * A service that neither defines is an error, as in libpq (definition of service "x" not found).
 */
function lookupService(name, env, how) {
    const { user, system } = serviceFiles(env);
    for (const file of [user, system]) {
        let text;
        try {
            text = (0,external_node_fs_.readFileSync)(file, "utf8");
        }
        catch {
            continue; // libpq skips a file it cannot stat
        }
        const values = parseServiceFile(text, file, name);
        if (values)
            return { name, file, values };
    }
    throw new errors/* UsageError */.eb(`definition of service "${name}" not found (named by ${how}; looked in ${user}${env.PGSERVICEFILE ? " (PGSERVICEFILE)" : ""} and ${system}). Define [${name}] in one of them, point PGSERVICEFILE at the file that does, or name another service.`);
}

;// CONCATENATED MODULE: ./src/db/connection.ts
// Connection settings: where the server is, how to say so without the password, and what a failure means.
// The URL comes from --database-url, else DATABASE_URL, else the libpq variables (PGHOST, PGPORT, PGUSER,
// PGPASSWORD, PGDATABASE), which node-postgres reads itself. A connection service (service=, PGSERVICE) is read
// here (service-file.ts), since node-postgres does not: its values go into the URL, below the URL's own.






/** Where a setting came from, as a message names it: the flag in the front end's words, else the variable. */
function sourceName(source) {
    return source === "--database-url" ? words/* say */.cv.option("database-url") : source;
}
const PG_VARS = ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSERVICE", "PGHOSTADDR"];
/** The PG* variables that are set, by name: the ones that made seq-guard use a server. */
function pgVarsSet(env) {
    return PG_VARS.filter((v) => env[v]);
}
/**
 * The node-postgres config of a URL (or, without one, of the PG* variables, which node-postgres reads itself):
 * every connection seq-guard makes gets its SSL negotiated as libpq would (libpq-socket.ts). The one place a
 * connection config is built; withDatabase and withLogin keep its stream.
 */
function buildConfig(url, ssl) {
    const stream = libpqStream(ssl);
    return url ? { connectionString: url, stream } : { stream };
}
function sslOf(url, env, source) {
    try {
        return sslSettings(url ? new URL(url).searchParams : null, env);
    }
    catch (err) {
        throw new errors/* UsageError */.eb(`${sourceName(source)}: ${err.message}`);
    }
}
/** Is any server named anywhere? When not, the CLI starts an embedded one. */
function serverNamed(url, env) {
    return Boolean(url || env.DATABASE_URL || PG_VARS.some((v) => env[v]));
}
/** Parse a postgres:// URL. A malformed one is a usage error, and the message never repeats its password. */
function parseDatabaseUrl(url, source, env = process.env) {
    let u;
    try {
        u = new URL(url);
    }
    catch {
        const p = (0,redact/* urlPassword */.Ds)(url);
        const hint = p && /[#?/@%:\s]/.test(url.slice(p.start, p.end))
            ? ` A password holding "/", "?", "#", "@", ":" or "%" must be percent-encoded (encodeURIComponent).`
            : "";
        throw new errors/* UsageError */.eb(`${sourceName(source)} is not a valid connection URL (${(0,redact/* redactUrl */.BO)(url)}). Use postgres://USER:PASSWORD@HOST:PORT/DATABASE.${hint}`);
    }
    if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
        throw new errors/* UsageError */.eb(`${sourceName(source)} must start with postgres:// or postgresql:// (got ${u.protocol}//). Use postgres://USER:PASSWORD@HOST:PORT/DATABASE`);
    }
    // The parser found no user info, but a person wrote one: the password would go out as host, port and database
    // name (postgres://u:2024/pw@host/db connects to host u, port 2024, database "pw@host/db").
    if (!u.username && !u.password && (0,redact/* urlPassword */.Ds)(url) && `${u.pathname}${u.search}${u.hash}`.includes("@")) {
        throw new errors/* UsageError */.eb(`${sourceName(source)} does not read as intended (${(0,redact/* redactUrl */.BO)(url)}): its user info ends at the last "@", but a character before it ends the host part. Percent-encode "/", "?", "#" and "@" in the password (encodeURIComponent), and write an "@" in a database name as %40.`);
    }
    const service = applyService(u, env, `service= in ${sourceName(source)}`);
    return targetOf(url, u, source, env, service);
}
/**
 * The connection a parsed URL names, the service's values in it already: its node-postgres config, its label and
 * its secrets. `written`: the URL as given, whose password is masked as a person wrote it too.
 */
function targetOf(written, u, source, env, service) {
    const q = u.searchParams;
    // Each password as written (percent-encoded or not) and decoded, as the parser read it and as a person meant
    // it (up to the last "@"): a password with an unencoded "/" parses as host and port, and its rest as the path.
    const secrets = (0,redact/* worthMasking */.LB)(passwordsOf(written, [u.password, q.get("password"), q.get("sslpassword")]), namesOf(u, env));
    // What node-postgres does with what the URL leaves out: the PG* variables, then its defaults.
    const host = u.hostname || q.get("host") || env.PGHOST || "localhost";
    const port = u.port || q.get("port") || env.PGPORT || "5432";
    const user = q.get("user") || safeDecode(u.username) || env.PGUSER;
    const db = safeDecode(u.pathname.replace(/^\//, "")) || env.PGDATABASE || user || "postgres";
    const url = u.toString();
    const ssl = sslOf(url, env, source);
    return {
        config: buildConfig(url, ssl),
        ssl,
        // Built from what the parser read, so masked too: postgres://u:2024/pw@host/db reads as host u, port 2024.
        label: (0,redact/* redact */.E$)(`${host}:${port}/${db}`, secrets),
        secrets,
        source,
        ...(service ? { service: { name: service.name, file: service.file } } : {}),
    };
}
/** The names a connection uses (its user and database, in every place one is given): never masked. */
function namesOf(u, env) {
    const names = [env.PGUSER, env.PGDATABASE];
    if (u) {
        names.push(safeDecode(u.username), safeDecode(u.pathname.replace(/^\//, "")));
        for (const k of ["user", "dbname"])
            names.push(u.searchParams.get(k) ?? undefined);
    }
    return names;
}
/**
 * The connection service the URL (service=) or PGSERVICE names, written into the URL as libpq applies it
 * (service-file.ts): each of its values where the URL gives none of its own, service= itself taken out (the
 * client tools then get the values, not the name). Null when no service is named.
 */
function applyService(u, env, how) {
    const q = u.searchParams;
    // An empty service= names none, as in libpq (PGSERVICE then counts); it never reaches the client tools.
    const named = q.get("service") || null;
    q.delete("service");
    const name = named ?? env.PGSERVICE;
    if (!name)
        return null;
    const service = lookupService(name, env, named !== null ? how : "PGSERVICE");
    checkServiceServer(u, service);
    for (const [k, v] of service.values) {
        if (k === "dbname") {
            if (u.pathname.replace(/^\//, "") === "" && !q.has("dbname"))
                u.pathname = `/${encodeURIComponent(v)}`;
        }
        else if (k === "host" || k === "port" || k === "user" || k === "password") {
            const inUrl = { host: u.hostname, port: u.port, user: u.username, password: u.password }[k];
            if (!inUrl && !q.has(k))
                q.set(k, v);
        }
        else if (!q.has(k)) {
            q.set(k, v);
        }
    }
    return service;
}
/** What a service can hold that proves who connects: its password, its client certificate and key, a passfile. */
const SERVICE_CREDENTIALS = ["password", "sslpassword", "sslcert", "sslkey", "passfile"];
/**
 * A service's credentials go only to the server the service names. libpq would send them wherever the connection
 * string points (postgres://other-host/?service=prod logs in to other-host as prod's user, with prod's password), so
 * a URL that a pull request can shape would reach the runner's stored credentials and hand them to a server of its
 * choosing. A URL that names a service holding credentials may not name another host or port than the service's.
 */
function checkServiceServer(u, service) {
    const held = SERVICE_CREDENTIALS.filter((k) => service.values.has(k));
    if (held.length === 0)
        return;
    const q = u.searchParams;
    const given = [
        ["host", u.hostname || q.get("host")],
        ["hostaddr", q.get("hostaddr")],
        ["port", u.port || q.get("port")],
    ];
    const other = given.filter(([k, v]) => v !== null && v !== "" && v !== (service.values.get(k) ?? null));
    if (other.length === 0)
        return;
    const theirs = (k) => service.values.get(k) ?? "none";
    throw new errors/* UsageError */.eb(`the connection names service "${service.name}" (in ${service.file}), which holds credentials (${held.join(", ")}), and also ${other.map(([k, v]) => `${k} ${v}`).join(", ")}, where the service says ${other.map(([k]) => `${k} ${theirs(k)}`).join(", ")}: a service's credentials go only to the server it names. Leave host and port out of the URL, or give the credentials in the URL instead of the service.`);
}
/** A percent-encoded part of a URL, decoded; as written when it does not decode. */
function safeDecode(s) {
    try {
        return decodeURIComponent(s);
    }
    catch {
        return s;
    }
}
/**
 * Every password a URL may hold, each as written and decoded: the user info's as written up to the last "@"
 * (urlPassword), those `parsed` by a URL parser, and password= and sslpassword= parameters (sslpassword unlocks a
 * client key).
 */
function passwordsOf(url, parsed) {
    const p = (0,redact/* urlPassword */.Ds)(url);
    const found = [
        p ? url.slice(p.start, p.end) : "",
        ...parsed,
        ...[...url.matchAll(/[?&](?:ssl)?password=([^&#\s]*)/gi)].map((m) => m[1] ?? ""),
    ];
    const out = new Set();
    for (const pw of found) {
        if (!pw)
            continue;
        out.add(pw);
        out.add(safeDecode(pw));
    }
    return [...out];
}
/** Resolve where to connect from the flag, DATABASE_URL, or the PG* variables (and PGSERVICE's service). */
function resolveConnection(url, env) {
    if (url)
        return parseDatabaseUrl(url, "--database-url", env);
    if (env.DATABASE_URL)
        return parseDatabaseUrl(env.DATABASE_URL, "DATABASE_URL", env);
    const set = pgVarsSet(env);
    const sourceDetail = set.length > 0 ? `the PG* variables set (${set.join(", ")})` : undefined;
    if (env.PGSERVICE) {
        // The service's values in a URL of their own, over the PG* variables that node-postgres reads itself.
        const u = new URL("postgres://");
        const service = applyService(u, env, "PGSERVICE");
        return { ...targetOf("", u, "PG* variables", env, service), sourceDetail };
    }
    const host = env.PGHOST || "localhost";
    const port = env.PGPORT || "5432";
    const db = env.PGDATABASE || env.PGUSER || "postgres";
    const ssl = sslOf(undefined, env, "PGSSLMODE");
    return {
        config: buildConfig(undefined, ssl),
        ssl,
        label: `${host}:${port}/${db}`,
        secrets: (0,redact/* worthMasking */.LB)([env.PGPASSWORD], namesOf(null, env)),
        source: "PG* variables",
        sourceDetail,
    };
}
/** The same server, another database (for restoring into a scratch database). */
function withDatabase(target, database) {
    const label = target.label.replace(/\/[^/]*$/, `/${database}`);
    if (target.config.connectionString) {
        const u = new URL(target.config.connectionString);
        u.pathname = `/${encodeURIComponent(database)}`;
        return { ...target, config: { ...target.config, connectionString: u.toString() }, label };
    }
    return { ...target, config: { ...target.config, database }, label };
}
/** The same server and database, logged in as another role (the restore's sandbox role). */
function withLogin(target, user, password) {
    if (target.config.connectionString) {
        const u = new URL(target.config.connectionString);
        // node-postgres lets the URL win over separate fields: the role goes into the URL itself.
        u.username = encodeURIComponent(user);
        u.password = encodeURIComponent(password);
        for (const k of ["user", "password", "passfile"])
            u.searchParams.delete(k);
        return {
            ...target,
            config: { ...target.config, connectionString: u.toString() },
            secrets: (0,redact/* worthMasking */.LB)([...target.secrets, password], [user]),
        };
    }
    const secrets = (0,redact/* worthMasking */.LB)([...target.secrets, password], [user]);
    return { ...target, config: { ...target.config, user, password }, secrets };
}
/** The server alone, host:port, for messages about it as a whole (a role or a database left on it). */
function serverLabel(target) {
    return target.label.replace(/\/[^/]*$/, "");
}
/** The parameters libpq knows in a connection URL (and node-postgres's ssl=); anything else is left out for its tools. */
const LIBPQ_PARAMS = new Set([...LIBPQ_KEYWORDS, "ssl"]);
function libpqConnection(target) {
    const cs = target.config.connectionString;
    if (!cs)
        return { url: null, user: null, password: null, sslpassword: null, service: null };
    const u = new URL(cs);
    const q = u.searchParams;
    const user = q.get("user") || (u.username ? safeDecode(u.username) : null);
    const password = q.get("password") ?? (u.password ? safeDecode(u.password) : null);
    const sslpassword = q.get("sslpassword");
    const service = q.get("service");
    u.password = "";
    for (const k of ["password", "sslpassword", "dbname"])
        q.delete(k);
    for (const k of [...q.keys()])
        if (!LIBPQ_PARAMS.has(k))
            q.delete(k);
    if (q.get("sslmode") === "no-verify")
        q.set("sslmode", "require");
    u.pathname = "/";
    return { url: u, user, password, sslpassword, service };
}
/** Turn a connection failure into a message that names host, port and database and says what to do. */
function explainConnectionError(err, target) {
    const e = err;
    const service = target.service ? `service ${target.service.name} in ${target.service.file}` : undefined;
    const source = `${sourceName(target.source)}${service ? ` or ${service}` : ""}`;
    // A server named by the environment (a stray PGHOST, an exported DATABASE_URL) is said to be, by name: it
    // is why seq-guard used it instead of a throwaway server of its own. So is a connection service's file.
    const named = [
        target.source === "PG* variables"
            ? target.sourceDetail
            : target.source === "DATABASE_URL"
                ? "DATABASE_URL in the environment"
                : undefined,
        service,
    ].filter((n) => n !== undefined);
    const where = named.length > 0 ? `${target.label} (named by ${named.join(" and ")})` : target.label;
    const msg = e.message ?? String(err);
    let text;
    switch (e.code) {
        case "ECONNREFUSED":
            text = `could not connect to ${where}: connection refused. Is PostgreSQL running and listening there? In a GitHub job, add a health check to the postgres service so the job waits for it.`;
            break;
        case "ENOTFOUND":
        case "EAI_AGAIN":
            text = `could not connect to ${where}: the host name does not resolve. Check the host in ${source}.`;
            break;
        case sqlstate/* SQLSTATE */.cD.invalidPassword:
        case sqlstate/* SQLSTATE */.cD.invalidAuthorizationSpecification:
            text = `could not connect to ${where}: authentication failed (${msg}). Check the user and password in ${source}.${encodingHint(target)}`;
            break;
        case sqlstate/* SQLSTATE */.cD.invalidCatalogName:
            text = `could not connect to ${where}: ${msg}. Create it first, or name an existing database in ${source}.`;
            break;
        default:
            if (e.code === "ECONNRESET" || /Connection terminated unexpectedly/.test(msg)) {
                text = `could not connect to ${where}: the server closed the connection before it answered (a service container still starting, or a port proxy with no server behind it yet). Check host and port in ${source}, add a health check to the service, or raise ${words/* say */.cv.option("connect-timeout")}.`;
            }
            else if (/timeout/i.test(msg)) {
                text = `could not connect to ${where}: no answer within the connect timeout. Check host and port in ${source}, or raise ${words/* say */.cv.option("connect-timeout")}.`;
            }
            else {
                text = `could not connect to ${where}: ${msg}${e.code ? ` (${e.code})` : ""}`;
            }
    }
    return new errors/* ConnectionError */.Rc((0,redact/* redact */.E$)(text, target.secrets));
}
/**
 * A hint when the URL's password, as written, holds what a URL reads differently: "%" not followed by two hex
 * digits (libpq refuses it; node-postgres took it literally), an escape like %41 (read as "A"), or a character
 * that ends the user info ("#", "?", "/", "@", ":" and blanks). Empty when there is nothing to say.
 */
function encodingHint(target) {
    const url = target.config.connectionString;
    if (!url)
        return "";
    const p = (0,redact/* urlPassword */.Ds)(url);
    if (!p)
        return "";
    const raw = url.slice(p.start, p.end);
    if (!/%(?![0-9a-f]{2})|%[0-9a-f]{2}|[#?/@:\s[\]]/i.test(raw))
        return "";
    return ` If the password holds "%", "#", "?", "/", "@" or ":", percent-encode it in the URL (encodeURIComponent: % as %25, # as %23, ? as %3F, / as %2F, @ as %40, : as %3A).`;
}
/** Errors worth retrying while a just-started service container comes up. */
function isTransient(err) {
    const e = err;
    return (e.code === "ECONNREFUSED" ||
        e.code === "ECONNRESET" ||
        e.code === sqlstate/* SQLSTATE */.cD.cannotConnectNow || // the database system is starting up
        /Connection terminated unexpectedly/.test(e.message ?? ""));
}
/**
 * A connection that was up and broke: the server stopped, crashed or restarted, or the session was terminated.
 * The run stops with exit 3 in every mode: what was read is incomplete, and none of it is a finding.
 */
class ConnectionLostError extends errors/* ConnectionError */.Rc {
    constructor(message) {
        super(message);
        this.name = "ConnectionLostError";
    }
}
/**
 * Did this error end the session? SQLSTATE class 08 (connection exception) and 57P01-57P03 (administrator or
 * crash shutdown, cannot connect now), the socket's own errors, and node-postgres's errors for a connection that
 * is gone (they carry no code).
 */
function isConnectionLoss(err) {
    const e = err;
    const code = typeof e?.code === "string" ? e.code : "";
    if ((0,sqlstate/* isConnectionClass */.lf)((0,sqlstate/* sqlStateOf */.v9)(err)))
        return true;
    if (["ECONNRESET", "ECONNREFUSED", "EPIPE", "ENOTCONN", "ECONNABORTED"].includes(code))
        return true;
    const message = typeof e?.message === "string" ? e.message : "";
    return /^Connection terminated|^Client was closed and is not queryable|^Client has encountered a connection error and is not queryable/.test(message);
}
/**
 * Every password the connection settings hold, in every spelling, a connection service's too: masked before
 * anything is logged, so before the settings are checked (a malformed URL, a service that is not found: its
 * passwords as far as they can be read). A password that is also a name the connection uses is left out (the one
 * rule: worthMasking).
 */
function secretsOf(url, env) {
    const passwords = [];
    const names = namesOf(null, env);
    const read = (written, u) => {
        try {
            applyService(u, env, "service=");
        }
        catch {
            // Not found or malformed: the run stops on it later, with the message.
        }
        const q = u.searchParams;
        passwords.push(...passwordsOf(written, [u.password, q.get("password"), q.get("sslpassword")]));
        names.push(...namesOf(u, env));
    };
    for (const written of [url, env.DATABASE_URL ?? ""]) {
        if (!written)
            continue;
        let parsed = null;
        try {
            parsed = new URL(written);
        }
        catch {
            // A malformed URL: its password as written, wherever it is.
            passwords.push(...passwordsOf(written, []));
            continue;
        }
        read(written, parsed);
    }
    if (!url && !env.DATABASE_URL && env.PGSERVICE)
        read("", new URL("postgres://"));
    passwords.push(env.PGPASSWORD ?? "");
    return (0,redact/* worthMasking */.LB)(passwords, names);
}


/***/ }),

/***/ 781:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   An: () => (/* binding */ interruptedExitCode),
/* harmony export */   Ki: () => (/* binding */ onCleanup),
/* harmony export */   VM: () => (/* binding */ interrupted),
/* harmony export */   Xd: () => (/* binding */ installSignalHandlers),
/* harmony export */   YW: () => (/* binding */ interruption),
/* harmony export */   p4: () => (/* binding */ InterruptedError),
/* harmony export */   sK: () => (/* binding */ throwIfInterrupted)
/* harmony export */ });
/* unused harmony exports runCleanups, stillToUndo, leftBehind, resetInterruption */
// Nothing left behind: whatever a run creates (a scratch database, a child process, the embedded server, a copy
// inside a container) registers how to undo it here, and unregisters once undone. On SIGINT or SIGTERM the
// handlers stop the work in flight (the abort signal), undo everything in reverse order and exit 130 or 143. A
// second signal while that runs (Ctrl-C pressed twice) only says what is still being undone; a third abandons
// the cleanup and says what is left behind.
const entries = new Set();
/** Entries taken by the cleanup under way (or done) whose undo has not finished, or failed. */
const unfinished = new Set();
let controller = new AbortController();
let exitCode = 130;
/**
 * Register an undo action; call the returned function once it is no longer needed (or done). `leftBehind` says
 * what remains if the undo never runs; `abandon` is a last immediate step for an abandoned cleanup.
 */
function onCleanup(label, undo, leftBehind, abandon) {
    const e = { label, undo, leftBehind, abandon };
    entries.add(e);
    return () => {
        entries.delete(e);
    };
}
/** Aborted when the run is interrupted: work in flight stops and creates nothing new. */
function interruption() {
    return controller.signal;
}
function interrupted() {
    return controller.signal.aborted;
}
/**
 * The exit code of an interrupted run: 130 after SIGINT, 143 after SIGTERM. Work that stops with InterruptedError
 * returns this, so the code is right whether the signal handler or the interrupted run ends the process first.
 */
function interruptedExitCode() {
    return exitCode;
}
/** Thrown by work that stops because the run was interrupted. */
class InterruptedError extends Error {
    constructor() {
        super("interrupted");
        this.name = "InterruptedError";
    }
}
function throwIfInterrupted() {
    if (interrupted())
        throw new InterruptedError();
}
/** Undo everything registered, newest first; each step bounded so a dead server cannot hang the exit. */
async function runCleanups(stepTimeoutMs = 15_000) {
    const list = [...entries].reverse();
    entries.clear();
    for (const e of list)
        unfinished.add(e);
    for (const e of list) {
        let timer;
        let done = false;
        try {
            await Promise.race([
                Promise.resolve()
                    .then(e.undo)
                    .then(() => {
                    done = true;
                }),
                new Promise((resolve) => {
                    timer = setTimeout(resolve, stepTimeoutMs);
                }),
            ]);
        }
        catch {
            // best effort: the next step still runs
        }
        finally {
            clearTimeout(timer);
        }
        if (done)
            unfinished.delete(e);
    }
}
const GERUNDS = { stop: "stopping", drop: "dropping", remove: "removing" };
/** "drop database x" -> "dropping database x". */
function doing(label) {
    const [verb, ...rest] = label.split(" ");
    const ing = GERUNDS[verb];
    return ing ? [ing, ...rest].join(" ") : label;
}
/** What the cleanup still has to do, newest first: "stopping psql, dropping database seq_guard_x". */
function stillToUndo() {
    const labels = [...new Set([...unfinished].map((e) => doing(e.label)))];
    return labels.length > 0 ? labels.join(", ") : "finishing";
}
/** What remains when the cleanup stops here: "database seq_guard_x on h:5432 (...)", one per thing. */
function leftBehind() {
    const out = [];
    for (const e of unfinished) {
        let text;
        try {
            text = e.leftBehind ? e.leftBehind() : `not done: ${e.label}`;
        }
        catch {
            text = `not done: ${e.label}`;
        }
        if (text && !out.includes(text))
            out.push(text);
    }
    return out;
}
/**
 * Handle SIGINT and SIGTERM while a run is under way: abort the work, clean up, and exit 130 (SIGINT) or 143
 * (SIGTERM). A second signal during the cleanup says what it still does and lets it go on; a third abandons it,
 * says what is left behind, and exits. Returns a function that removes the handlers.
 */
function installSignalHandlers(opts) {
    let signals = 0;
    let finished = false;
    const handler = (signal) => {
        signals++;
        if (finished)
            return;
        if (signals === 1) {
            const code = signal === "SIGINT" ? 130 : 143;
            exitCode = code;
            process.exitCode = code;
            controller.abort(new InterruptedError());
            opts.notify(`seq-guard: ${signal === "SIGINT" ? "interrupted" : "terminated"}: cleaning up\n`);
            void runCleanups().finally(() => {
                if (finished)
                    return;
                finished = true;
                const left = leftBehind();
                if (left.length > 0)
                    opts.notify(`seq-guard: the cleanup could not finish; left behind: ${left.join("; ")}\n`);
                opts.exit(exitCode);
            });
            return;
        }
        if (signals === 2) {
            const again = signal === "SIGINT" ? "press Ctrl-C again" : `send ${signal} again`;
            opts.notify(`seq-guard: still cleaning up: ${stillToUndo()}; ${again} to abandon it\n`);
            return;
        }
        finished = true;
        for (const e of unfinished) {
            try {
                e.abandon?.();
            }
            catch {
                // best effort
            }
        }
        const left = leftBehind();
        opts.notify(`seq-guard: cleanup abandoned; ${left.length > 0 ? `left behind: ${left.join("; ")}` : "nothing was left behind"}\n`);
        opts.exit(exitCode);
    };
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
    return () => {
        // The run may end (with the interrupt's exit code) while the cleanup still runs: its handlers stay until it
        // exits, or a second Ctrl-C would kill the process half-way (the default action).
        if (signals > 0 && !finished)
            return;
        process.off("SIGINT", handler);
        process.off("SIGTERM", handler);
    };
}
/** For tests that run several runs in one process. */
function resetInterruption() {
    controller = new AbortController();
    unfinished.clear();
}


/***/ }),

/***/ 9396:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   i: () => (/* binding */ oneLineDriverWarnings)
/* harmony export */ });
// Node's process warnings, as the front ends want them: node-postgres warns about how it reads sslmode in ten
// lines (with "(node:PID)" and a hint to use --trace-warnings); one line that says what it means is enough, and a
// run's stderr stays one paragraph per problem. Other warnings go on as Node prints them.
function oneLineDriverWarnings(write) {
    const emit = process.emitWarning.bind(process);
    process.emitWarning = ((warning, ...rest) => {
        const text = typeof warning === "string" ? warning : warning.message;
        // Its warning that prefer, require and verify-ca mean verify-full is not true of seq-guard: every connection
        // negotiates SSL as libpq does (libpq-socket.ts), so it is not passed on.
        if (text.startsWith("SECURITY WARNING: The SSL modes"))
            return;
        if (text.startsWith("SECURITY WARNING:")) {
            write(`seq-guard: note: ${text.split("\n")[0]?.replace(/^SECURITY WARNING: /, "")} (node-postgres)\n`);
            return;
        }
        emit(warning, ...rest);
    });
}


/***/ }),

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 181:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("buffer");

/***/ }),

/***/ 6982:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");

/***/ }),

/***/ 2250:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("dns");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 9896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 1421:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 1455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 6466:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 6928:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");

/***/ }),

/***/ 2203:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("stream");

/***/ }),

/***/ 3193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ }),

/***/ 8253:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util/types");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "cli." + chunkId + ".js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(2957);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
