export const id = 412;
export const ids = [412];
export const modules = {

/***/ 3412:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  Restorer: () => (/* binding */ Restorer),
  scratchName: () => (/* reexport */ scratchName)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/core/errors.ts
var core_errors = __webpack_require__(4296);
// EXTERNAL MODULE: ./src/core/words.ts
var words = __webpack_require__(7522);
// EXTERNAL MODULE: ./src/db/connection.ts + 4 modules
var db_connection = __webpack_require__(2917);
// EXTERNAL MODULE: ./src/process/cleanup.ts
var cleanup = __webpack_require__(781);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: ./src/restore/args.ts
var restore_args = __webpack_require__(909);
// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./src/restore/archive-header.ts
var archive_header = __webpack_require__(8932);
;// CONCATENATED MODULE: ./src/restore/clients.ts
// Finding pg_restore: every copy on PATH and in the usual versioned install folders, with the version each
// reports (plain SQL needs no client tool: seq-guard runs it itself, run-plain.ts). An archive can only be read
// by a pg_restore that knows its format version, so the choice follows the archive header; the rules and
// messages are pure functions of what was found.






/** Where the tools always match the server: its own container. */
const IN_CONTAINER = () => words/* say */.cv.set("restore-via", "docker:CONTAINER");
/** Folders where PostgreSQL client tools of several versions live side by side (globs end in a version). */
function candidateDirs(env, platform = process.platform) {
    const dirs = (env.PATH ?? "").split(external_node_path_.delimiter).filter(Boolean);
    const globs = platform === "win32"
        ? ["C:\\Program Files\\PostgreSQL\\*\\bin"]
        : [
            "/usr/lib/postgresql/*/bin",
            "/usr/pgsql-*/bin",
            "/usr/local/pgsql/bin",
            "/opt/homebrew/opt/postgresql@*/bin",
            "/opt/homebrew/opt/libpq/bin",
            "/usr/local/opt/postgresql@*/bin",
            "/usr/local/opt/libpq/bin",
            "/Applications/Postgres.app/Contents/Versions/*/bin",
        ];
    for (const g of globs)
        dirs.push(...expandGlob(g));
    return dirs;
}
/** Expand one `*` in a path (enough for the folders above). */
function expandGlob(pattern) {
    const star = pattern.indexOf("*");
    if (star < 0)
        return (0,external_node_fs_.existsSync)(pattern) ? [pattern] : [];
    const sep = pattern.includes("\\") ? "\\" : "/";
    const parentEnd = pattern.lastIndexOf(sep, star);
    const parent = pattern.slice(0, parentEnd);
    const nextSep = pattern.indexOf(sep, star);
    const segment = pattern.slice(parentEnd + 1, nextSep < 0 ? undefined : nextSep);
    const rest = nextSep < 0 ? "" : pattern.slice(nextSep);
    const [before, after] = segment.split("*");
    let names;
    try {
        names = (0,external_node_fs_.readdirSync)(parent);
    }
    catch {
        return [];
    }
    return names
        .filter((n) => n.startsWith(before) && n.endsWith(after) && n.length >= before.length + after.length)
        .map((n) => `${parent}${sep}${n}${rest}`)
        .filter((p) => (0,external_node_fs_.existsSync)(p));
}
/** Parse `pg_restore --version` output: "pg_restore (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)". */
function parseToolVersion(out) {
    const m = /\(PostgreSQL\)\s+(\S.*?)\s*$/m.exec(out);
    if (!m)
        return null;
    const version = m[1];
    const major = (0,archive_header/* majorOf */.Ds)(version);
    return major === null ? null : { version, major };
}
function versionOf(path) {
    return new Promise((resolve) => {
        (0,external_node_child_process_.execFile)(path, ["--version"], { timeout: 10_000, windowsHide: true }, (err, stdout) => {
            if (err)
                return resolve(null);
            const v = parseToolVersion(String(stdout));
            resolve(v ? { path, ...v } : null);
        });
    });
}
const cache = new Map();
/** Every copy of a tool found, in search order (PATH first), one per real file. */
function findClients(tool, env = process.env) {
    const key = `${tool}\0${env.PATH ?? ""}`;
    let found = cache.get(key);
    if (!found) {
        found = (async () => {
            const exe = process.platform === "win32" ? `${tool}.exe` : tool;
            const seen = new Set();
            const paths = [];
            for (const dir of candidateDirs(env)) {
                const p = (0,external_node_path_.join)(dir, exe);
                if (!(0,external_node_fs_.existsSync)(p))
                    continue;
                let real = p;
                try {
                    real = (0,external_node_fs_.realpathSync)(p);
                }
                catch {
                    continue;
                }
                // Debian's /usr/bin/pg_restore is a wrapper script shared by every tool: keep it (it picks a version),
                // but not twice.
                if (seen.has(real) && !real.endsWith("pg_wrapper"))
                    continue;
                if (seen.has(p))
                    continue;
                seen.add(real);
                seen.add(p);
                paths.push(p);
            }
            const tools = await Promise.all(paths.map(versionOf));
            return tools.filter((t) => t !== null);
        })();
        cache.set(key, found);
    }
    return found;
}
/** The newest archive format (minor of 1.x) a pg_restore of this major version reads. */
function maxArchiveMinor(major) {
    if (major < 12)
        return 13;
    if (major < 16)
        return 14;
    if (major < 17)
        return 15;
    if (major < 19)
        return 16;
    return Number.POSITIVE_INFINITY; // a release newer than this code: trust it
}
/** The oldest pg_restore major version that reads an archive of this format (minor of 1.x). */
function minMajorForArchive(minor) {
    if (minor <= 13)
        return 0;
    if (minor === 14)
        return 12;
    if (minor === 15)
        return 16;
    if (minor <= archive_header/* NEWEST_KNOWN_ARCHIVE_MINOR */.Wu)
        return 17;
    return 19;
}
/**
 * Pick a pg_restore that reads the archive: one at least as new as the pg_dump that wrote it when there is one,
 * preferring the server's own major version (a newer pg_restore may send settings an older server lacks), then the
 * newest. Null when none can read the archive's format.
 */
function chooseRestore(tools, header, serverMajor) {
    const minor = header.version[1];
    const readable = tools.filter((t) => maxArchiveMinor(t.major) >= minor);
    if (readable.length === 0)
        return null;
    const dumper = (0,archive_header/* majorOf */.Ds)(header.dumpVersion);
    const newEnough = dumper === null ? readable : readable.filter((t) => t.major >= dumper);
    const pool = newEnough.length > 0 ? newEnough : readable;
    const best = pool.find((t) => serverMajor !== null && t.major === serverMajor) ??
        [...pool].sort((a, b) => b.major - a.major)[0];
    if (!best)
        return null;
    const warning = newEnough.length === 0 && dumper !== null
        ? `the archive was written by pg_dump ${header.dumpVersion}, newer than any pg_restore found (using ${best.version}); if the restore fails, install the PostgreSQL ${dumper} client tools`
        : null;
    return { tool: best, warning };
}
function installHint(major) {
    const v = Number.isFinite(major) && major > 0 ? String(major) : "NN";
    return `install the PostgreSQL ${v} client tools (apt-get install postgresql-client-${v} from apt.postgresql.org, or brew install postgresql@${v}) and put them first on PATH`;
}
/** The message when no pg_restore found can read the archive. Names both versions and the remedy. */
function noReaderMessage(path, header, tools) {
    const minor = header.version[1];
    const need = minMajorForArchive(minor);
    const by = header.dumpVersion ? `written by pg_dump ${header.dumpVersion}` : "written by a pg_dump";
    const needText = minor > archive_header/* NEWEST_KNOWN_ARCHIVE_MINOR */.Wu
        ? "a pg_restore newer than any PostgreSQL release seq-guard knows of"
        : `pg_restore ${need} or newer`;
    const newest = [...tools].sort((a, b) => b.major - a.major)[0];
    const found = newest
        ? `the newest pg_restore found is ${newest.version} (${newest.path}), which reads archive formats up to 1.${maxArchiveMinor(newest.major)}`
        : "no pg_restore was found on PATH or in the usual install folders";
    const dumper = (0,archive_header/* majorOf */.Ds)(header.dumpVersion);
    const remedyMajor = Math.max(need, typeof dumper === "number" ? Math.floor(dumper) : 0);
    return `${JSON.stringify(path)} is a pg_dump archive in format ${header.versionText} (${by}), which needs ${needText}; ${found}. To restore it, ${installHint(remedyMajor)}, or run the restore inside the database server's container with ${IN_CONTAINER()} (its tools always match the server).`;
}
/** Find and pick the pg_restore for an archive, or fail with the message above (exit 4). */
async function restoreClientFor(path, header, serverMajor, env = process.env) {
    const tools = await findClients("pg_restore", env);
    if (tools.length === 0) {
        throw new core_errors/* RestoreError */.DZ(`restoring ${JSON.stringify(path)} needs pg_restore, and none was found on PATH or in the usual install folders: ${installHint(Math.max(minMajorForArchive(header.version[1]), Math.floor((0,archive_header/* majorOf */.Ds)(header.dumpVersion) ?? 0)))}, or use ${IN_CONTAINER()}.`);
    }
    const choice = chooseRestore(tools, header, serverMajor);
    if (!choice)
        throw new core_errors/* RestoreError */.DZ(noReaderMessage(path, header, tools));
    return choice;
}

// EXTERNAL MODULE: ./src/restore/hints.ts
var hints = __webpack_require__(1448);
;// CONCATENATED MODULE: ./src/restore/passed-over.ts
// The errors a restore passed over (on-restore-error continue), as notes for the report: the first 20 one by one,
// the rest counted, with how to see them. The same for pg_restore's errors and seq-guard's own plain SQL runner's.
// Pure.

const SHOWN = 20;
/** Errors passed over with on-restore-error continue, one note each (the first 20), for the hints. */
function passedOver(tool, errors, count) {
    const total = Math.max(count, errors.length);
    if (total === 0)
        return [];
    const continued = words/* say */.cv.set("on-restore-error", "continue");
    const stop = words/* say */.cv.set("on-restore-error", "stop");
    const notes = errors
        .slice(0, SHOWN)
        .map((e, i) => `${tool} passed over error ${i + 1} of ${total} (${continued}): ${e}`);
    if (notes.length === 0) {
        notes.push(`${tool} passed over ${total} error(s) (${continued}); run the restore with ${stop} to see the first`);
    }
    else if (total > notes.length) {
        notes.push(`${tool} passed over ${total - notes.length} more error(s) (${continued}), not listed here; run the restore with ${stop} to see them one at a time`);
    }
    return notes;
}

;// CONCATENATED MODULE: ./src/restore/pg-restore-errors.ts
// What pg_restore says, read and explained: the error lines of its stderr (a failing command followed past its
// LINE and caret lines), and what a failure means and what to do (a newer archive format, a corrupt or truncated
// archive, a worker or the whole tool killed, a directory archive with a file missing). Pure.


/** The error lines of pg_restore's stderr, shortened for a message. */
function pgRestoreErrors(stderr) {
    const lines = stderr.split("\n");
    const out = [];
    for (let i = 0; i < lines.length; i++) {
        const l = lines[i];
        const m = /^pg_restore: (?:error|fatal|\[archiver[^\]]*\]): (.*)$/.exec(l);
        if (!m)
            continue;
        let text = m[1].trim();
        // "could not execute query: ERROR:  x" is followed by "LINE n:", a caret line and "Command was: ..." (the
        // command may run over several lines), up to the next "pg_restore:" line.
        let j = i + 1;
        while (j < lines.length && !lines[j].startsWith("pg_restore:")) {
            if (lines[j].startsWith("Command was:")) {
                let cmd = lines[j].slice("Command was:".length);
                for (let k = j + 1; k < lines.length && !lines[k].startsWith("pg_restore:"); k++) {
                    cmd += ` ${lines[k]}`;
                }
                cmd = cmd.replace(/\s+/g, " ").trim();
                text += ` (while running: ${cmd.length > 160 ? `${cmd.slice(0, 160)}...` : cmd})`;
                break;
            }
            j++;
        }
        out.push(text.replace(/\s+/g, " "));
    }
    return out;
}
/** What pg_restore says when damaged bytes in an archive read as huge lengths or bad compressed data. */
const LOOKS_CORRUPT = /worker process died unexpectedly|out of memory|could not (uncompress|decompress)|invalid (compressed data|block type|distance|stored block|code lengths|literal)|incorrect (header|data) check|unrecognized data block type|unexpected data offset flag|invalid (OID|dumpId|negative|TOC)/i;
/** The signal a process died of: by the child's own signal, or docker exec's 128+N exit code. */
function deathSignal(exit, inContainer) {
    if (!exit)
        return null;
    if (exit.signal)
        return exit.signal;
    if (inContainer && exit.code !== null && exit.code > 128 && exit.code < 128 + 65) {
        const n = exit.code - 128;
        const name = Object.entries(external_node_os_.constants.signals).find(([, v]) => v === n)?.[0];
        return name ?? null;
    }
    return null;
}
const AGAIN = "Make it again with pg_dump, or copy it again if it was damaged on the way (compare its size and checksum with the original's).";
/** Explain pg_restore's failure: what went wrong and what to do. */
function explainArchiveFailure(errors, stderr, header, version, how = {}) {
    const { exit, format } = how;
    const inContainer = version === "in the container";
    const tool = inContainer ? "pg_restore (in the container)" : `pg_restore ${version}`;
    // A worker's death only echoes the error of the worker (or a crash): leave it out when there is more to say.
    const real = errors.filter((e) => !/worker process died unexpectedly/i.test(e));
    let all = (real.length > 0 ? real : errors).join(" | ");
    const v = /unsupported version \((\d+\.\d+)\) in file header/.exec(stderr);
    if (v) {
        return `pg_restore ${version} cannot read archive format ${v[1]} (written by pg_dump ${header.dumpVersion ?? "of a newer release"}). Use a pg_restore at least as new as that pg_dump: install those client tools, or run the restore in the server's container with ${words/* say */.cv.set("restore-via", "docker:CONTAINER")}.`;
    }
    const signal = deathSignal(exit, inContainer);
    if (signal) {
        const said = all ? ` (after: ${all})` : "";
        if (signal === "SIGKILL") {
            return `${tool} was killed (SIGKILL) while reading the archive${said}, most likely by the out-of-memory killer: damaged bytes in an archive read as absurd lengths, which make pg_restore ask for all the memory there is. The archive is most likely corrupt. ${AGAIN}`;
        }
        return `${tool} crashed (${signal}) while reading the archive${said}: the archive is corrupt (damaged bytes that pg_restore does not check for). ${AGAIN}`;
    }
    if (all === "")
        all = stderr.trim().split("\n").slice(-3).join(" ").replace(/\s+/g, " ").trim();
    if (all === "") {
        return `${tool} stopped (exit code ${exit?.code ?? "unknown"}) without a message while reading the archive: the archive is most likely corrupt. ${AGAIN}`;
    }
    const open = /could not open input file "([^"]+)": ([^|]+)/.exec(all);
    if (open && format === "directory") {
        const reason = open[2].trim();
        const remedy = /permission denied/i.test(reason)
            ? "Make the folder's files readable by this user (chmod -R a+rX on the folder), or run as a user who may read them."
            : "Copy the whole folder again (every file pg_dump -Fd wrote into it), or make the dump again with pg_dump -Fd.";
        return `the directory archive is incomplete or unreadable: pg_restore could not open ${open[1]} (${reason}). ${remedy}`;
    }
    if (/end of file|unexpected end|could not read from input file|did not find magic string|corrupt/i.test(all)) {
        return `${all}. The archive is truncated or corrupt: make it again with pg_dump, or copy it again if it was damaged on the way.`;
    }
    if (/lack of data offsets|non-seekable|could not find block ID/i.test(all)) {
        return `${all}. The archive was written to a pipe, so it cannot be restored in parallel: give ${words/* say */.cv.set("jobs", "1")}.`;
    }
    if (LOOKS_CORRUPT.test(all)) {
        return `${all}. The archive may be corrupt: damaged bytes in an archive read as absurd lengths or bad compressed data, which makes pg_restore run out of memory or its parallel workers die. Check the file against its source (size, checksum), copy it again or make it again with pg_dump; ${words/* say */.cv.set("jobs", "1")} shows pg_restore's own message where a worker's death hides it.`;
    }
    return all;
}

// EXTERNAL MODULE: ./src/core/sqlstate.ts
var sqlstate = __webpack_require__(2918);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
;// CONCATENATED MODULE: ./src/restore/child-env.ts
// The environment a child process (pg_restore, docker) gets: what it needs to run and to reach the server, and
// nothing else. In an Action step the environment holds the GitHub token, the Action's inputs (INPUT_*, the
// database URL among them) and the runner's own credentials (ACTIONS_RUNTIME_TOKEN ...); a child that a dump can
// influence must see none of them. Passwords reach the tools through a passfile (mode 600), never the
// environment or the command line, where every local user could read them (/proc/PID/environ, cmdline).
/** Variables passed on as they are: the system's, the locale's, and docker's own. */
const PASSED = new Set([
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "LANG",
    "LANGUAGE",
    "TZ",
    "TMPDIR",
    "TEMP",
    "TMP",
    "SYSTEMROOT",
    "COMSPEC",
    "PATHEXT",
    "WINDIR",
    "DOCKER_HOST",
    "DOCKER_CONFIG",
    "DOCKER_CONTEXT",
    "DOCKER_TLS_VERIFY",
    "DOCKER_CERT_PATH",
]);
/** libpq's variables, but for the password (which goes into a passfile instead). */
const LIBPQ = /^PG[A-Z_]+$/;
const SECRET = new Set(["PGPASSWORD"]);
/** The environment for a child process: only what it needs (see above). */
function childEnv(env) {
    const out = {};
    for (const [k, v] of Object.entries(env)) {
        if (v === undefined)
            continue;
        if (PASSED.has(k) || k.startsWith("LC_") || (LIBPQ.test(k) && !SECRET.has(k)))
            out[k] = v;
    }
    return out;
}
/** A libpq passfile line's field: backslash and colon escaped. */
const passfileField = (s) => s.replace(/[\\:]/g, (c) => `\\${c}`);

;// CONCATENATED MODULE: ./src/restore/credentials.ts
// Files that carry a secret to a client tool: a libpq passfile (a role's password) and a connection service file
// (the client key's passphrase, which libpq reads from no variable). Each is mode 600 in a folder of its own
// (mode 700), never the tool's environment or command line, where every local user could read it
// (/proc/PID/environ, cmdline). Removed by whoever made it, and on Ctrl-C.






/** A file of mode 600 holding `content`, alone in a new folder (mode 700) named from `prefix`. */
function privateFile(prefix, name, content) {
    const dir = (0,external_node_fs_.mkdtempSync)((0,external_node_path_.join)((0,external_node_os_.tmpdir)(), prefix));
    const file = (0,external_node_path_.join)(dir, name);
    try {
        (0,external_node_fs_.writeFileSync)(file, content, { mode: 0o600, flag: "wx" });
    }
    catch (err) {
        (0,external_node_fs_.rmSync)(dir, { recursive: true, force: true });
        throw err;
    }
    return { file, dir };
}
/** A passfile's line: this password for any server and database, for `user` (any user when null). */
const passfileLine = (user, password) => `*:*:*:${user === null ? "*" : passfileField(user)}:${passfileField(password)}\n`;
/** A private file that is removed on Ctrl-C too (named as left behind until then); remove() takes it away. */
function registered(what, prefix, name, content) {
    const made = privateFile(prefix, name, content);
    const remove = () => (0,external_node_fs_.rmSync)(made.dir, { recursive: true, force: true });
    const undo = (0,cleanup/* onCleanup */.Ki)(what, remove, () => `the folder ${made.dir} (rm -rf it)`);
    return {
        file: made.file,
        remove: () => {
            remove();
            undo();
        },
    };
}
/**
 * The secrets the tools get when they restore as the connecting role (trust-fixture, or no sandbox), each made
 * once a run and removed by close() or on Ctrl-C: a passfile with its password, and a service file with the
 * client key's passphrase (sslpassword).
 */
class ToolSecrets {
    passfile = null;
    service = null;
    /** The passfile that holds the connecting role's password. */
    passfileFor(password) {
        this.passfile ??= registered("remove the passfile", `seq-guard-pass-${process.pid}-`, "pgpass", passfileLine(null, password));
        return this.passfile.file;
    }
    /**
     * The connection service file that holds the sslpassword (null: none, the service is empty), and the service's
     * name in it.
     */
    serviceFor(sslpassword) {
        if (!this.service) {
            const name = `seq-guard-${(0,external_node_crypto_.randomBytes)(6).toString("hex")}`;
            const made = registered("remove the connection service file", `seq-guard-svc-${process.pid}-`, "pg_service.conf", `[${name}]\n${sslpassword === null ? "" : `sslpassword=${sslpassword}\n`}`);
            this.service = { ...made, name };
        }
        return { file: this.service.file, name: this.service.name };
    }
    close() {
        this.service?.remove();
        this.service = null;
        this.passfile?.remove();
        this.passfile = null;
    }
}

;// CONCATENATED MODULE: ./src/restore/sandbox.ts
// The restore's sandbox: a fixture is code (its DO blocks, defaults, CHECK constraints and index expressions run
// while it is restored), so it runs with no rights beyond its scratch database. For each database restored, a
// throwaway login role is made: no SUPERUSER, CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS, member of nothing
// (so none of pg_read_server_files, pg_write_server_files, pg_execute_server_program), owner of the scratch
// database and of its public schema. The restore's sessions (seq-guard's own for plain SQL, pg_restore's) are
// opened as that role: not SET ROLE or SET SESSION AUTHORIZATION, which the fixture could RESET.
//
// Its password is random, stored on the server as a SCRAM verifier made here (so no server log ever holds it in
// clear), and reaches pg_restore only through a passfile of mode 600 removed at the end; it is never printed.
// When the restore is done the role's objects and the database pass to the connecting role (a kept database is
// then an ordinary database of that role) and the role is dropped; on Ctrl-C the registered undo drops it after
// the database.
//
// Extensions: trusted ones (pgcrypto, hstore, pg_trgm, ...) the role, as database owner, creates itself. Others
// that reach nothing beyond the database (ADMIN_EXTENSIONS) or that the user names (--extension) are created by
// the connecting role when the fixture asks for them; those that reach files, programs, other databases or the
// network (dblink, postgres_fdw, file_fdw, adminpack, untrusted languages) never are, unless the user names them.




/**
 * Extensions the connecting role creates for a fixture that asks for them: each reaches nothing beyond the
 * database it is created in (no files, programs, other databases or network). Documented in the README.
 */
const ADMIN_EXTENSIONS = [
    "pg_stat_statements",
    "pgstattuple",
    "pg_buffercache",
    "pg_freespacemap",
    "pg_visibility",
    "pgrowlocks",
    "pg_prewarm",
    "amcheck",
    "bloom",
    "pageinspect",
    "earthdistance",
    "intagg",
    "postgis",
    "postgis_topology",
    "postgis_raster",
    "address_standardizer",
    "address_standardizer_data_us",
    "vector",
];
/** A SCRAM-SHA-256 verifier for a password, as PostgreSQL stores it (RFC 5802/7677, 4096 iterations). */
function scramVerifier(password, salt = (0,external_node_crypto_.randomBytes)(16), iterations = 4096) {
    const salted = (0,external_node_crypto_.pbkdf2Sync)(password, salt, iterations, 32, "sha256");
    const clientKey = (0,external_node_crypto_.createHmac)("sha256", salted).update("Client Key").digest();
    const storedKey = (0,external_node_crypto_.createHash)("sha256").update(clientKey).digest();
    const serverKey = (0,external_node_crypto_.createHmac)("sha256", salted).update("Server Key").digest();
    return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}
const quoteIdent = (s) => `"${s.replaceAll('"', '""')}"`;
/** Can the connecting role make the sandbox? Superusers can; others restore as themselves. */
async function sandboxPossible(admin) {
    const r = await admin.query("SELECT rolsuper AS su, current_user::text AS role FROM pg_catalog.pg_roles WHERE rolname = current_user");
    const row = r.rows[0];
    return { ok: row?.su === true, role: row?.role ?? "" };
}
/**
 * Make the restore role for `database` and hand it the database. `admin` runs a statement as the connecting
 * role in the maintenance database, each time in a session of its own (a Ctrl-C's cleanup may run when the
 * restore's own admin session is already closed).
 * `inDatabase` runs statements as the connecting role inside the scratch database. Registers the role's undo
 * (which stays registered, naming the role as left behind, when dropping it fails); returns the role with the
 * function that retires it.
 */
async function makeRestoreRole(admin, database, inDatabase, server) {
    const name = `seq_guard_restore_${(0,external_node_crypto_.randomBytes)(6).toString("hex")}`;
    const password = (0,external_node_crypto_.randomBytes)(24).toString("base64url");
    const { file: passfile, dir } = privateFile("seq-guard-pass-", "pgpass", passfileLine(name, password));
    const removeFile = () => (0,external_node_fs_.rmSync)(dir, { recursive: true, force: true });
    const ident = quoteIdent(name);
    const db = quoteIdent(database);
    let created = false;
    const dropRole = async () => {
        if (!created)
            return;
        // Its sessions first (a pg_restore worker still connected), then whatever it still owns or was granted in
        // the scratch database (when that is kept), then the role.
        await admin("SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = $1", [name]);
        await admin(`DROP ROLE IF EXISTS ${ident}`);
        created = false;
    };
    const undo = (0,cleanup/* onCleanup */.Ki)(`drop role ${name}`, 
    // Run first on Ctrl-C (it is newer than the database's): while the role still owns the database the DROP
    // fails, and the database's undo drops the role after the database. A failure keeps the entry unfinished,
    // so a role still there when the cleanup ends is named.
    async () => {
        try {
            await dropRole();
        }
        finally {
            removeFile();
        }
    }, () => (created ? `role ${name} on ${server} (DROP ROLE ${ident})` : null), 
    // A cleanup abandoned (a third Ctrl-C) still takes the password file with it: the role is named as left.
    removeFile);
    // Who owns the database now (the connecting role for a database made for the restore; someone else's for an
    // existing empty --restore-database): it is theirs again afterwards.
    const owner = await admin("SELECT pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(datdba)) AS o FROM pg_catalog.pg_database WHERE datname = $1", [database]);
    const previousOwner = owner.rows[0]?.o ?? "CURRENT_USER";
    try {
        await admin(`CREATE ROLE ${ident} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '${scramVerifier(password)}'`);
        created = true;
        await admin(`ALTER DATABASE ${db} OWNER TO ${ident}`);
        // Before 15 the public schema belongs to the bootstrap superuser; from 15 on to pg_database_owner, which the
        // role now is. Either way the role may then do in it what a database owner does.
        await inDatabase(`DO $$BEGIN IF pg_catalog.current_setting('server_version_num')::int < 150000 THEN ALTER SCHEMA public OWNER TO ${ident}; END IF; END$$`);
    }
    catch (err) {
        await dropRole().catch(() => undefined);
        removeFile();
        undo();
        throw err;
    }
    /**
     * The restore is over. handOver: the database stays (kept, or it existed before), so it and everything the role
     * made in it pass to its previous owner (the connecting role, for a database made for the restore), and what
     * was granted to the role goes (only in this database: the role could make nothing anywhere else). Otherwise
     * the database is gone already. Then the role is dropped.
     */
    const retire = async (handOver) => {
        try {
            if (created && handOver) {
                await admin("SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = $1", [name]);
                await inDatabase(`REASSIGN OWNED BY ${ident} TO ${previousOwner}; DROP OWNED BY ${ident}`);
            }
            await dropRole();
        }
        finally {
            removeFile();
            if (!created)
                undo();
        }
    };
    return { role: { name, password, passfile, adminCreated: new Set() }, retire };
}
/** The extension a CREATE EXTENSION or COMMENT ON EXTENSION statement names, and the schema it asks for. */
function extensionStatement(text) {
    // Comments and blank lines before the statement, as pg_dump writes them.
    const body = text.replace(/^(?:\s+|--[^\n]*\n)*/, "");
    const ident = `("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$-]*)`;
    const create = new RegExp(String.raw `^CREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?${ident}(?:\s+WITH)?(?:\s+SCHEMA\s+${ident})?`, "i").exec(body);
    const unquote = (s) => (s.startsWith('"') ? s.slice(1, -1).replaceAll('""', '"') : s.toLowerCase());
    if (create) {
        return {
            kind: "create",
            name: unquote(create[1]),
            schema: create[2] ? unquote(create[2]) : null,
        };
    }
    const comment = new RegExp(String.raw `^COMMENT\s+ON\s+EXTENSION\s+${ident}`, "i").exec(body);
    if (comment)
        return { kind: "comment", name: unquote(comment[1]), schema: null };
    return null;
}
/**
 * `ALTER TABLE [ONLY] name DISABLE|ENABLE TRIGGER ALL`, as `pg_dump --disable-triggers` writes around each
 * table's data: the table as written (for to_regclass, which reads it as the server does) and what it does.
 * Disabling a table's system triggers (its foreign keys') takes a superuser.
 */
function triggersStatement(text) {
    const body = text.replace(/^(?:\s+|--[^\n]*\n)*/, "");
    const part = '(?:"(?:[^"]|"")+"|[A-Za-z_\\u0080-\\uffff][A-Za-z0-9_$\\u0080-\\uffff]*)';
    const m = new RegExp(`^ALTER\\s+TABLE\\s+(ONLY\\s+)?(${part}(?:\\s*\\.\\s*${part})?)\\s+(DISABLE|ENABLE)\\s+TRIGGER\\s+ALL\\s*;?\\s*$`, "i").exec(body);
    if (!m)
        return null;
    return {
        only: m[1] !== undefined,
        table: m[2],
        enable: m[3].toUpperCase() === "ENABLE",
    };
}
/**
 * May the connecting role create this extension for the fixture? The allow-list, or named by the user
 * (--extension), and installed on the server.
 */
function adminMayCreate(name, userNamed) {
    return ADMIN_EXTENSIONS.includes(name) || userNamed.includes(name);
}
/**
 * The SQL that creates an extension for the fixture as the connecting role (in the scratch database): in the
 * schema the fixture names, which it has made by then (pg_dump writes schemas first). No CASCADE: what the
 * extension requires must be there already (pg_dump creates it first), or be created the same way, so that an
 * allow-listed name never brings in one that is not.
 */
function createExtensionSql(name, schema) {
    return `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(name)}${schema ? ` SCHEMA ${quoteIdent(schema)}` : ""}`;
}
/**
 * Why the dumps run with the connecting role's rights, said once a run; null with --trust-fixture (the user
 * asked for exactly that).
 */
function sandboxNote(admin, trusted) {
    if (trusted)
        return null;
    return `the connecting role ${admin} is not a superuser, so seq-guard cannot make a role of its own to restore as: the dumps were restored as ${admin}, with its rights (a managed database?). Restore fixtures you do not trust on a server where seq-guard connects as a superuser (a service container, or the CLI's own embedded server).`;
}

// EXTERNAL MODULE: ./node_modules/pg/esm/index.mjs
var esm = __webpack_require__(3849);
// EXTERNAL MODULE: ./src/db/clients.ts
var clients = __webpack_require__(6006);
;// CONCATENATED MODULE: ./src/restore/sessions.ts
// The restore's own sessions on the server, as the connecting role: the admin session in a maintenance database
// (postgres, else template1: a database cannot be made or dropped from a session inside it), and short sessions
// of their own for one statement, in the maintenance database or in a scratch database. Each is named seq-guard,
// bounded in its connect, and kept from crashing the process when the server drops it.



/** A client for one of the restore's own sessions (the query that meets a dropped connection says so). */
function sessionClient(target) {
    const c = new esm/* default.Client */.Ay.Client({
        ...target.config,
        application_name: "seq-guard",
        connectionTimeoutMillis: 10_000,
    });
    c.on("error", () => undefined);
    return c;
}
/** Run `work` in a session of its own on `target`, which is ended afterwards whatever happens. */
async function inSession(target, work) {
    const c = sessionClient(target);
    try {
        await c.connect();
        return await work(c);
    }
    finally {
        await c.end().catch(() => undefined);
    }
}
/** Run one statement over a fresh connection to `maintenance`, which works also once the admin session is closed. */
function onMaintenance(maintenance, sql, params) {
    return inSession(maintenance, (c) => c.query(sql, params));
}
/** Run SQL as the connecting role inside database `name`, in a session of its own; the last result's rows. */
function asAdminIn(connection, name, sql, params) {
    return inSession((0,db_connection/* withDatabase */.kR)(connection, name), async (c) => {
        // The restore's session may hold a lock this one would wait for (everything in one transaction, -1).
        await c.query("SET lock_timeout = '5s'");
        const r = await c.query(sql, params);
        return Array.isArray(r) ? (r.at(-1)?.rows ?? []) : r.rows;
    });
}
/**
 * Open the admin session: the connection's own database first (it says whether the server is there and lets us
 * in; retried while a just-started server comes up), then the maintenance database when that is another one.
 * `more` runs on the session before it is handed over; when it fails, the session is closed.
 */
async function openAdmin(connection, connectTimeoutMs, more) {
    const first = await (0,clients/* connectWithRetry */.ZO)(connection.config, connectTimeoutMs);
    let admin = first;
    try {
        const r = await first.query("SELECT current_setting('server_version_num')::int AS v, current_database() AS db");
        const { v, db } = r.rows[0];
        let maintenance = connection;
        // A database cannot be dropped from a session inside it: make and drop databases from postgres (else
        // template1, which a long session would block as a template for others, so only as a fallback).
        if (db !== "postgres") {
            for (const m of db === "template1" ? [] : ["postgres", "template1"]) {
                const target = (0,db_connection/* withDatabase */.kR)(connection, m);
                const c = sessionClient(target);
                try {
                    await c.connect();
                    admin = c;
                    maintenance = target;
                    break;
                }
                catch {
                    await c.end().catch(() => undefined);
                }
            }
        }
        if (admin !== first)
            await first.end().catch(() => undefined);
        return { admin, maintenance, connectedDatabase: db, serverVersionNum: v, more: await more(admin) };
    }
    catch (err) {
        await admin.end().catch(() => undefined);
        if (admin !== first)
            await first.end().catch(() => undefined);
        throw err;
    }
}

;// CONCATENATED MODULE: ./src/restore/sandboxes.ts
// The sandbox (sandbox.ts) at work in a restore: for each database being restored, its throwaway role, made when
// the database is, retired when it is dropped or kept; and what that role may not do but the connecting role does
// for it, because it is harmless inside the scratch database: the extensions a fixture asks for that are on the
// allow-list (or named with the extension setting), and `ALTER TABLE ... DISABLE|ENABLE TRIGGER ALL` around a
// table's data. Also what a failure the sandbox caused tells the user to do.









/**
 * What to do when a restore failed because the sandbox's role may not do something (see sandbox.ts): name the
 * extension with the extension setting, or trust the dump. "" when the failure is not of that kind.
 */
function sandboxRemedy(errorText, sandboxed) {
    if (!sandboxed)
        return "";
    const trust = words/* say */.cv.enable("trust-fixture");
    const ext = /permission denied to create extension "([^"]+)"/.exec(errorText)?.[1];
    if (ext !== undefined) {
        return ` The dump is restored as a role that owns only its scratch database, and ${ext} is not among the extensions seq-guard creates for a dump (those that reach nothing beyond the database). If ${ext} is safe to have there, name it: ${words/* say */.cv.set("extension", ext)}; or, for a dump you trust (never one from a fork), restore it with the connecting role's rights: ${trust}.`;
    }
    // pg_hba.conf `cert`: the restore role logs in (never SET ROLE, which the dump could undo) with the connecting
    // role's certificate, whose name is not its own, or with none.
    if (/certificate authentication failed for user|requires a valid client certificate/.test(errorText)) {
        return ` The server authenticates by client certificate (pg_hba.conf cert), and the dump is restored as a throwaway role of seq-guard's that owns only its scratch database and has no certificate to present. Let the seq_guard_restore_* roles log in with a password instead (seq-guard gives each a random one): on PostgreSQL 16 or later, a pg_hba.conf line above the cert lines, hostssl all /^seq_guard_restore_ ADDRESS scram-sha-256 (ADDRESS: where seq-guard connects from, as in the cert lines), then SELECT pg_reload_conf(); before 16, pg_hba.conf cannot name roles by a prefix. Or, for a dump you trust (never one from a fork), restore it as the connecting role: ${trust}.`;
    }
    if (/must be superuser|permission denied|must be owner|must be able to SET ROLE/.test(errorText)) {
        return ` The dump is restored as a role that owns only its scratch database, with no rights beyond it: a statement that needs more (a superuser's, another role's) fails. For a dump you trust (never one from a fork), restore it with the connecting role's rights: ${trust}.`;
    }
    return "";
}
/** The sandbox roles of the databases a Restorer restores into. */
class Sandboxes {
    connection;
    maintenance;
    admin;
    adminRole;
    opts;
    /** The restore role of each database being restored; absent when restoring as the connecting role. */
    roles = new Map();
    /** The note that the dumps run with the connecting role's rights, said once a run. */
    unsandboxedSaid = false;
    constructor(connection, 
    /** The maintenance database: the roles are made and dropped from there. */
    maintenance, admin, 
    /** The connecting role, and whether it may make the restore's sandbox role (see sandbox.ts). */
    adminRole, opts) {
        this.connection = connection;
        this.maintenance = maintenance;
        this.admin = admin;
        this.adminRole = adminRole;
        this.opts = opts;
    }
    /** The restore role of database `name`, if it has one. */
    roleOf(name) {
        return this.roles.get(name)?.role;
    }
    /** Make the restore role for database `name`, or say (once a run) why the dumps run as the connecting role. */
    async enter(name, notes) {
        if (!this.adminRole.sandbox) {
            if (!this.unsandboxedSaid) {
                this.unsandboxedSaid = true;
                const note = sandboxNote(this.adminRole.name, this.opts.trustFixture);
                if (note)
                    notes.push(note);
            }
            return;
        }
        const made = await makeRestoreRole((sql, params) => onMaintenance(this.maintenance, sql, params), name, async (sql) => {
            await asAdminIn(this.connection, name, sql);
        }, (0,db_connection/* serverLabel */.KM)(this.maintenance));
        this.roles.set(name, made);
    }
    /**
     * The restore into `name` is over: its role goes. `dropped`: the database is gone; otherwise it stays, and it
     * and its objects pass to the connecting role first. Returns what is left behind when that fails, for the
     * report (the role's undo stays registered, so a Ctrl-C later tries again and names it).
     */
    async finish(name, dropped) {
        const r = this.roles.get(name);
        if (!r)
            return null;
        this.roles.delete(name);
        try {
            await r.retire(!dropped);
            return null;
        }
        catch (err) {
            const ident = `"${r.role.name.replaceAll('"', '""')}"`;
            return `seq-guard could not drop its restore role ${r.role.name}${dropped ? "" : ` after handing database ${name} to ${this.adminRole.name}`}: ${err.message}. Drop it yourself: ${dropped ? "" : `REASSIGN OWNED BY ${ident} TO CURRENT_USER; DROP OWNED BY ${ident}; (in ${name}), then `}DROP ROLE ${ident};`;
        }
    }
    /**
     * A statement of a plain script failed in the sandbox: may the restore go on past it? Yes, with what it asked
     * for done by the connecting role, for what the role may not do but is harmless inside the scratch database
     * (see sandbox.ts): the extension a fixture asks for that the connecting role may create; the COMMENT ON
     * EXTENSION (or CREATE EXTENSION without IF NOT EXISTS) that then fails only because the extension exists and
     * is not the role's; and `ALTER TABLE t DISABLE|ENABLE TRIGGER ALL` around a table's data (pg_dump
     * --disable-triggers), whose foreign-key triggers only a superuser may switch. Nothing of the statement's text
     * runs as the connecting role: the table is resolved in the restore's own session and named by its OID.
     */
    async passFailure(name, statement, err, session) {
        const r = this.roles.get(name);
        const code = (0,sqlstate/* sqlStateOf */.v9)(err);
        // The role may not; or it exists already (an extension the connecting role made for the fixture).
        if (!r || (code !== sqlstate/* SQLSTATE */.cD.insufficientPrivilege && code !== sqlstate/* SQLSTATE */.cD.duplicateObject))
            return false;
        const triggers = triggersStatement(statement);
        if (triggers) {
            try {
                const oid = await session.query("SELECT pg_catalog.to_regclass($1)::oid::int8::text AS oid", [triggers.table]);
                const table = oid.rows[0]?.oid;
                if (!table)
                    return false;
                const [row] = await asAdminIn(this.connection, name, "SELECT pg_catalog.format('%s', $1::oid::regclass) AS t, c.relowner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $2) AS theirs FROM pg_catalog.pg_class c WHERE c.oid = $1::oid", [table, r.role.name]);
                // Only the role's own tables: what it restored, nothing the connecting role put there.
                if (row?.theirs !== true)
                    return false;
                await asAdminIn(this.connection, name, `ALTER TABLE ${triggers.only ? "ONLY " : ""}${row.t} ${triggers.enable ? "ENABLE" : "DISABLE"} TRIGGER ALL`);
                return true;
            }
            catch {
                return false;
            }
        }
        const ext = extensionStatement(statement);
        if (!ext)
            return false;
        if (ext.kind === "create" && code === sqlstate/* SQLSTATE */.cD.insufficientPrivilege) {
            if (!adminMayCreate(ext.name, this.opts.extensions))
                return false;
            try {
                await asAdminIn(this.connection, name, createExtensionSql(ext.name, ext.schema));
            }
            catch {
                return false;
            }
            r.role.adminCreated.add(ext.name);
            return true;
        }
        // Not the role's extension (made above, or there in every database, as plpgsql), or made twice.
        return ext.kind === "comment"
            ? code === sqlstate/* SQLSTATE */.cD.insufficientPrivilege
            : code === sqlstate/* SQLSTATE */.cD.duplicateObject;
    }
    /**
     * An archive restored in the sandbox: the extensions it asks for that the role may not create but the
     * connecting role may are created first, in the schema the archive names when that schema is there; their
     * COMMENT ON EXTENSION entries (and plpgsql's, there in every database) are left out with a -L list, since only
     * an extension's owner may comment on it. `toc` is the archive's table of contents as pg_restore -l prints it.
     * Returns the extra arguments, and what removes the list file.
     */
    async archiveExtensions(tools, p, name, toolArgs) {
        const none = { args: [], done: async () => undefined };
        // A list file for pg_restore: inside the container too when it runs there.
        const copies = [];
        const role = this.roleOf(name);
        if (!role)
            return none;
        const asked = [...p.toc.matchAll(/^(\d+); \d+ \d+ EXTENSION - (\S+)/gm)].map((m) => ({
            id: m[1],
            ext: m[2],
        }));
        if (asked.length === 0)
            return none;
        const untrusted = await this.admin.query(`SELECT name FROM pg_catalog.pg_available_extension_versions WHERE name = ANY($1)
       GROUP BY name HAVING NOT bool_or(trusted)`, [asked.map((a) => a.ext)]);
        const toCreate = untrusted.rows.map((r) => r.name).filter((n) => adminMayCreate(n, this.opts.extensions));
        if (toCreate.length > 0) {
            // Each extension's schema, from the archive's own CREATE EXTENSION statement.
            const only = toCreate
                .map((n) => `${asked.find((a) => a.ext === n)?.id}; 0 0 EXTENSION - ${n}`)
                .join("\n");
            const dir = (0,external_node_fs_.mkdtempSync)((0,external_node_path_.join)((0,external_node_os_.tmpdir)(), "seq-guard-list-"));
            try {
                (0,external_node_fs_.writeFileSync)((0,external_node_path_.join)(dir, "list"), `${only}\n`);
                const list = await tools.reachable((0,external_node_path_.join)(dir, "list"), copies);
                const sql = await tools.pgRestore(p, ["-f", "-", "-L", list], null, { captureStdout: true });
                for (const statement of sql.stdout.split(/;\s*\n/)) {
                    const ext = extensionStatement(statement);
                    if (ext?.kind !== "create" || !toCreate.includes(ext.name))
                        continue;
                    const schema = ext.schema ?? "public";
                    if (schema !== "public" && schema !== "pg_catalog")
                        continue; // not made yet: the restore says so
                    await asAdminIn(this.connection, name, createExtensionSql(ext.name, schema));
                    role.adminCreated.add(ext.name);
                }
            }
            finally {
                (0,external_node_fs_.rmSync)(dir, { recursive: true, force: true });
                for (const c of copies.splice(0))
                    await c();
            }
        }
        // The user's own -L list is theirs to edit.
        if (toolArgs.some((a) => /^(-L|--use-list)/.test(a)))
            return none;
        const skip = new Set([...role.adminCreated, "plpgsql"]);
        const comments = /^\d+; \d+ \d+ COMMENT - EXTENSION (\S+)/;
        let changed = false;
        const list = p.toc
            .split("\n")
            .map((l) => {
            const ext = comments.exec(l)?.[1];
            if (ext === undefined || !skip.has(ext))
                return l;
            changed = true;
            return `;${l}`;
        })
            .join("\n");
        if (!changed)
            return none;
        const dir = (0,external_node_fs_.mkdtempSync)((0,external_node_path_.join)((0,external_node_os_.tmpdir)(), "seq-guard-list-"));
        const file = (0,external_node_path_.join)(dir, "list");
        (0,external_node_fs_.writeFileSync)(file, list);
        const undo = (0,cleanup/* onCleanup */.Ki)("remove the restore list", () => (0,external_node_fs_.rmSync)(dir, { recursive: true, force: true }));
        return {
            args: [`--use-list=${await tools.reachable(file, copies)}`],
            done: async () => {
                (0,external_node_fs_.rmSync)(dir, { recursive: true, force: true });
                undo();
                for (const c of copies.splice(0))
                    await c();
            },
        };
    }
}

;// CONCATENATED MODULE: ./src/restore/archive.ts
// Archives (custom, directory, tar) restored with pg_restore: the pg_restore that reads the archive chosen
// (clients.ts; in a container, the container's own), the archive copied into the container when pg_restore must
// seek in it, its table of contents read (with the user's selection) for the hints and the sandbox, its encoding
// read for CREATE DATABASE; then the restore itself, with the arguments seq-guard always gives, the user's, and
// the sandbox's, and its failure explained (pg-restore-errors.ts).









const SERVER_SIDE_ARGS = new Set(["-j", "--jobs", "-1", "--single-transaction"]);
/** jobs > 1 and no restore argument that rules parallel restore out (or sets --jobs itself). */
function parallelAllowed(s) {
    return (s.jobs > 1 && !s.extraArgs.some((a) => SERVER_SIDE_ARGS.has(a.split("=")[0]) || /^-j\d/.test(a)));
}
/**
 * The restore arguments as pg_restore gets them. In a container, a file pg_restore names (-L LIST, --filter
 * FILE) is copied in and named by its copy.
 */
async function pgRestoreArgs(tools, args, cleanups) {
    const out = [...args];
    const via = tools.via;
    for (const f of (0,restore_args/* fileValues */.P7)("pg_restore", args)) {
        if (!via)
            continue;
        const dest = await tools.copyIn(via, (0,external_node_path_.resolve)(f.path), cleanups);
        out[f.index] = out[f.index].slice(0, f.at) + dest;
    }
    return out;
}
/** Choose the tool for an archive, copy it into the container if need be, read its table of contents. */
async function prepareArchive(tools, info, s, notes, cleanups) {
    const d = info.detection;
    const header = d.header;
    let toolPath = "pg_restore";
    let toolVersion = "";
    let containerCopy = null;
    if (!tools.via) {
        const choice = await restoreClientFor(info.path, header, s.serverMajor, s.env);
        toolPath = choice.tool.path;
        toolVersion = choice.tool.version;
        if (choice.warning)
            notes.push(choice.warning);
    }
    else if (info.isDirectory || (d.format === "custom" && parallelAllowed(s))) {
        // A directory cannot be streamed; a custom archive can, but pg_restore --jobs needs a file to seek in.
        containerCopy = await tools.copyIn(tools.via, (0,external_node_path_.resolve)(info.path), cleanups);
    }
    const source = { path: info.path, toolPath, containerCopy };
    const list = await tools.pgRestore(source, ["-l", ...(0,hints/* selectionArgs */.YJ)(s.pgRestoreArgs)], null, {
        captureStdout: true,
    });
    if (list.code !== 0) {
        const errors = pgRestoreErrors(list.stderr);
        throw new core_errors/* RestoreError */.DZ(`could not read the table of contents of ${JSON.stringify(info.path)} (${d.format} archive): ${explainArchiveFailure(errors, list.stderr, header, toolVersion || "in the container", { exit: list, format: d.format })}`);
    }
    const pre = await tools.pgRestore(source, ["-f", "-", "-L", tools.via ? "/dev/null" : external_node_os_.devNull], null, {
        captureStdout: true,
    });
    return {
        ...source,
        info,
        format: d.format,
        header,
        toolVersion,
        encoding: /^SET client_encoding = '([^']+)';/m.exec(pre.stdout)?.[1] ?? null,
        stats: (0,hints/* archiveListStats */.OK)(list.stdout),
        toc: list.stdout,
    };
}
/** Restore a prepared archive into database `name`; a failure comes back as its message. */
async function restoreArchive(tools, sandboxes, p, name, s, notes) {
    const { info, format } = p;
    const args = ["--no-owner", "--no-privileges"];
    if (s.onError === "stop")
        args.push("--exit-on-error");
    const fromFile = !tools.via || p.containerCopy !== null;
    if (fromFile && (format === "custom" || format === "directory") && parallelAllowed(s)) {
        args.push(`--jobs=${s.jobs}`);
    }
    args.push(...s.pgRestoreArgs);
    const sandboxed = await sandboxes.archiveExtensions(tools, p, name, s.pgRestoreArgs);
    args.push(...sandboxed.args);
    const run = await tools.pgRestore(p, args, name, {}).finally(sandboxed.done);
    const errors = pgRestoreErrors(run.stderr);
    const ignored = /errors ignored on restore: (\d+)/.exec(run.stderr);
    if (run.code !== 0 && !(s.onError === "continue" && ignored)) {
        return `could not restore ${JSON.stringify(info.path)} (${format} archive) with pg_restore${p.toolVersion ? ` ${p.toolVersion}` : ` in container ${tools.via}`}: ${explainArchiveFailure(errors, run.stderr, p.header, p.toolVersion || "in the container", { exit: run, format })}${sandboxRemedy(run.stderr, sandboxes.roleOf(name) !== undefined)}`;
    }
    if (ignored && s.onError === "continue") {
        notes.push(...passedOver("pg_restore", errors, Number(ignored[1])));
    }
    return null;
}

;// CONCATENATED MODULE: ./src/restore/database.ts
// The scratch database's life on the server: its name (from the dump's file name, free on the server), the
// checks on a restore-database the user names, CREATE DATABASE from template0 in the dump's encoding (with the
// fallbacks a server may need), and DROP DATABASE with the sessions still in it. Made and dropped over the admin
// session or a fresh one to the maintenance database (sessions.ts), never from inside the database itself.







/** Database name for a dump: seq_guard_ and the file name without its dump extensions, in [a-z0-9_]. */
function scratchName(path) {
    const base = (0,external_node_path_.basename)(path.replace(/[\\/]+$/, "")).replace(/(\.(sql|gz|dump|backup|bak|pgdump|tar|dir|custom|dmp|pgsql|psql))+$/i, "");
    const slug = base
        .normalize("NFKD")
        .replace(/[\u0300-\u036f]/g, "")
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "_")
        .replace(/^_+|_+$/g, "")
        .slice(0, 40)
        .replace(/_+$/, "") || "dump";
    return `seq_guard_${slug}`;
}
/** Is there a database of this name on the server? */
async function databaseExists(admin, name) {
    const r = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    return (r.rowCount ?? 0) > 0;
}
/** A database name for a dump that does not exist yet on the server. */
async function freeName(admin, path) {
    const base = scratchName(path);
    for (let i = 1; i < 1000; i++) {
        const name = i === 1 ? base : `${base}_${i}`;
        if (!(await databaseExists(admin, name)))
            return name;
    }
    return `${base}_${(0,external_node_crypto_.randomBytes)(4).toString("hex")}`;
}
/**
 * Check the restore-database before anything is restored: not the database seq-guard connects to, no template,
 * and it must not exist, or be empty, unless clean drops it.
 */
async function checkNamedDatabase(admin, connection, named) {
    const { name, clean, connectedDatabase } = named;
    const option = words/* say */.cv.option("restore-database");
    if (Buffer.byteLength(name) > 63) {
        throw new core_errors/* UsageError */.eb(`${option} "${name}" is longer than PostgreSQL's 63-byte limit for names`);
    }
    if (name === connectedDatabase) {
        // Connected to postgres itself, "connect to the postgres database" would be no advice.
        const instead = name === "postgres"
            ? `Name another database in ${option} (seq-guard creates it)`
            : `Name another database in ${option}, or connect to another one (for example the postgres database)`;
        throw new core_errors/* UsageError */.eb(`the restore database "${name}" (${option}) is the database seq-guard connects to: ${clean ? `${words/* say */.cv.enable("clean")} cannot drop a database while connected to it` : "restoring into it would mix the dump with what is there"}. ${instead}.`);
    }
    // A template (template1, template0, or any marked datistemplate): what is restored into it would be copied
    // into every database created from it afterwards. Refused, with clean or not.
    const template = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate", [
        name,
    ]);
    if ((template.rowCount ?? 0) > 0) {
        throw new core_errors/* UsageError */.eb(`the restore database "${name}" (${option}) is a template database: every database created from it afterwards would get the dump's tables too. Name a new database to restore into (seq-guard creates it), or leave the name out for a scratch database.`);
    }
    if (clean || !(await databaseExists(admin, name)))
        return;
    const count = await inSession((0,db_connection/* withDatabase */.kR)(connection, name), async (c) => {
        const r = await c.query(`SELECT count(*)::text AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
         AND n.nspname NOT LIKE 'pg\\_temp%'`);
        return Number(r.rows[0]?.n ?? 0);
    });
    if (count > 0) {
        throw new core_errors/* UsageError */.eb(`${option} "${name}" already exists and is not empty (${count} relations). Give ${words/* say */.cv.enable("clean")} to drop it first, or name another database.`);
    }
}
/**
 * CREATE DATABASE from template0 in the dump's encoding; where the server refuses that (an encoding its locale
 * does not take), with the C locale, then in UTF8 (said in `notes`).
 */
async function createDatabase(admin, name, encoding, notes) {
    const q = await admin.query("SELECT quote_ident($1) AS q, quote_literal($2) AS e, pg_char_to_encoding($2) >= 0 AS valid", [name, encoding ?? "UTF8"]);
    const { q: ident, e: enc, valid } = q.rows[0];
    const attempts = valid
        ? [`ENCODING ${enc}`, `ENCODING ${enc} LC_COLLATE 'C' LC_CTYPE 'C'`]
        : ["ENCODING 'UTF8'", "ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"];
    if (valid && encoding && encoding.toUpperCase() !== "UTF8")
        attempts.push("ENCODING 'UTF8'");
    // What the server says of a locale or encoding it cannot use: the next attempt may do.
    const retry = [
        sqlstate/* SQLSTATE */.cD.invalidParameterValue,
        sqlstate/* SQLSTATE */.cD.undefinedObject,
        sqlstate/* SQLSTATE */.cD.featureNotSupported,
    ];
    let last;
    for (const a of attempts) {
        try {
            await admin.query(`CREATE DATABASE ${ident} TEMPLATE template0 ${a}`);
            if (a === "ENCODING 'UTF8'" && encoding && encoding.toUpperCase() !== "UTF8") {
                notes.push(`the dump's encoding ${encoding} cannot be used for a database on this server: restored into UTF8`);
            }
            return;
        }
        catch (err) {
            last = err;
            const code = (0,sqlstate/* sqlStateOf */.v9)(err);
            if (code === sqlstate/* SQLSTATE */.cD.insufficientPrivilege) {
                throw new core_errors/* RestoreError */.DZ(`the role may not create databases (CREATE DATABASE ${name}: ${err.message}). Grant it CREATEDB, or connect as a role that has it.`);
            }
            if (!retry.includes(code))
                break;
        }
    }
    throw new core_errors/* RestoreError */.DZ(`could not create database ${name}: ${last?.message ?? String(last)}`);
}
/** Drop a database and the sessions still in it, over a fresh connection to `maintenance` (not the database). */
function dropDatabase(maintenance, name, serverVersionNum) {
    return inSession(maintenance, async (c) => {
        const q = await c.query("SELECT quote_ident($1) AS q", [name]);
        const ident = q.rows[0].q;
        if (serverVersionNum >= 130000) {
            await c.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`).catch((err) => {
                // Dropped by another session between the IF EXISTS check and the lock: gone, as wanted.
                if ((0,sqlstate/* sqlStateOf */.v9)(err) !== sqlstate/* SQLSTATE */.cD.invalidCatalogName)
                    throw err;
            });
            return;
        }
        for (let i = 0; i < 5; i++) {
            await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [name]);
            try {
                await c.query(`DROP DATABASE IF EXISTS ${ident}`);
                return;
            }
            catch (err) {
                if ((0,sqlstate/* sqlStateOf */.v9)(err) !== sqlstate/* SQLSTATE */.cD.objectInUse || i === 4)
                    throw err;
                await new Promise((r) => setTimeout(r, 200));
            }
        }
    });
}

;// CONCATENATED MODULE: ./src/restore/libpq-target.ts
// How a client tool (pg_restore, here or in a container) reaches a database on the server, from the connection
// as db/connection.ts read it (libpqConnection): a --dbname argument with no secret in it, the password apart
// (the caller hands it over in a passfile), the key passphrase apart (in a connection service file), and the
// role and password a tool inside the server's container logs in with. Pure.

/** A conninfo value in single quotes. */
const conninfoQuote = (v) => `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
/** --dbname's value for a database named alone (the server from the PG* variables): dbname='name'. */
const dbnameOnly = (database) => `dbname=${conninfoQuote(database)}`;
/**
 * How a client tool reaches `database` on the server: a --dbname argument without password, and environment
 * (PGPASSWORD, for the caller to hand over in a passfile). `sslpassword` (it unlocks the client key) has no
 * environment variable: it is taken out of the argument; given `service`, which puts it in a connection service
 * file, the argument names that service and the environment the file (PGSERVICEFILE). A connection that came
 * from a service of the user's (service=, PGSERVICE) holds its values already (connection.ts): the argument then
 * names a service of ours all the same (empty but for an sslpassword), so that the tool does not read the user's
 * again from PGSERVICE, whose password would win over the passfile's. `as`: another role logs in (the sandbox's:
 * see sandbox.ts), with a password of its own, so the connecting role's is not given.
 */
function libpqTarget(connection, database, opts = {}) {
    const env = {};
    const c = (0,db_connection/* libpqConnection */.Vb)(connection);
    if (!c.url)
        return { dbname: dbnameOnly(database), env, sslpassword: null };
    if (opts.as !== undefined) {
        c.url.username = encodeURIComponent(opts.as);
        c.url.searchParams.delete("user");
        c.url.searchParams.delete("passfile");
    }
    else if (c.password !== null) {
        env.PGPASSWORD = c.password;
    }
    if ((c.sslpassword !== null || connection.service !== undefined) && opts.service) {
        const service = opts.service(c.sslpassword);
        env.PGSERVICEFILE = service.file;
        c.url.searchParams.set("service", service.name);
    }
    c.url.pathname = `/${encodeURIComponent(database)}`;
    return { dbname: c.url.toString(), env, sslpassword: c.sslpassword };
}
/**
 * Why an sslpassword cannot go through a connection service file (libpq reads a value to the end of its line,
 * trailing blanks cut); null when it can. (A service of the user's no longer stands in the way: connection.ts
 * has read its values, sslpassword among them, into the connection.)
 */
function sslpasswordProblem(connection, _env) {
    let c;
    try {
        c = (0,db_connection/* libpqConnection */.Vb)(connection);
    }
    catch {
        return null;
    }
    const value = c.sslpassword;
    if (value === null)
        return null;
    if (/[\r\n]/.test(value) || /\s$/.test(value) || Buffer.byteLength(value) > 1000) {
        return `the sslpassword= in ${(0,db_connection/* sourceName */.VZ)(connection.source)} holds a line break, ends in a blank or is longer than 1000 bytes, so seq-guard cannot hand it to pg_restore other than in its command line (where every local user could read it). Use a key passphrase without them, or restore the dump yourself.`;
    }
    return null;
}
/**
 * The role and password the tools inside a container use (they reach the server on its own socket), as libpq
 * reads the settings: the URL's, else the PG* variables' (PGUSER, PGPASSWORD); the role postgres when none is
 * named.
 */
function containerCredentials(connection, env) {
    const c = (0,db_connection/* libpqConnection */.Vb)(connection);
    const out = { PGUSER: c.user || env.PGUSER || "postgres" };
    const password = c.password ?? env.PGPASSWORD;
    if (password)
        out.PGPASSWORD = password;
    return out;
}

// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(8522);
var external_node_zlib_default = /*#__PURE__*/__webpack_require__.n(external_node_zlib_);
// EXTERNAL MODULE: ./src/restore/paths.ts
var paths = __webpack_require__(8422);
;// CONCATENATED MODULE: ./src/restore/plain/encodings.ts
// The client encodings a plain SQL script may be written in, converted to UTF-8 as the script is read (the
// session seq-guard runs it in speaks UTF-8 only): PostgreSQL's names and aliases mapped to WHATWG labels, and
// the checks for bytes that are not what the script says they are. Pure.
/** PostgreSQL's client encodings, by their cleaned name (upper case, letters and digits), as WHATWG labels. */
const ENCODINGS = {
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
const ALIASES = {
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
function cleanEncoding(name) {
    const c = name.toUpperCase().replace(/[^A-Z0-9]/g, "");
    return ALIASES[c] ?? c;
}
function transcoder(name) {
    if (name === "UTF8")
        return null;
    if (name === "SQLASCII") {
        // No encoding declared: accepted as long as it is UTF-8 (what the session speaks); passed through.
        const check = new TextDecoder("utf-8", { fatal: true });
        return (b) => {
            check.decode(b, { stream: true });
            return b;
        };
    }
    // Node's latin1 is ISO-8859-1 exactly (WHATWG's label would give windows-1252).
    if (name === "LATIN1")
        return (b) => Buffer.from(b.toString("latin1"), "utf8");
    if (name === "LATIN5") {
        // ISO-8859-9: windows-1254 above 0x9F, the C1 controls below (WHATWG's label would give windows-1254 there).
        const high = new TextDecoder("windows-1254").decode(Uint8Array.from({ length: 96 }, (_, i) => 0xa0 + i));
        return (b) => {
            let s = "";
            for (const c of b)
                s += c < 0xa0 ? String.fromCharCode(c) : high[c - 0xa0];
            return Buffer.from(s, "utf8");
        };
    }
    const label = ENCODINGS[name];
    if (label === undefined)
        return undefined;
    const d = new TextDecoder(label, { fatal: true });
    return (b) => Buffer.from(d.decode(b, { stream: true }), "utf8");
}
/** What converts bytes in `encoding` (as SqlScript.encoding names it) to UTF-8: null for UTF-8 itself. */
function encodingTranscoder(encoding) {
    return transcoder(cleanEncoding(encoding)) ?? null;
}
/** A statement's or line's bytes as UTF-8 text, or null when they are not UTF-8. */
const utf8Strict = new TextDecoder("utf-8", { fatal: true });
function decodeUtf8(b) {
    try {
        return utf8Strict.decode(b);
    }
    catch {
        return null;
    }
}

;// CONCATENATED MODULE: ./src/restore/plain/events.ts
// What the plain SQL reader (script.ts) hands its runner (run-plain.ts), and how: the events of a script in order,
// the context a script is read in (the dump, or a file it includes), and the problem that stops a script
// seq-guard cannot run, at its line. Pure.
/** A script seq-guard cannot run (a pg_dumpall file, a refused meta-command, ...), at FILE:LINE. */
class PlainSqlProblem extends Error {
    line;
    file;
    constructor(line, message, 
    /** The included file it is in (from the dump's folder); null for the dump itself. */
    file = null) {
        super(message);
        this.line = line;
        this.file = file;
        this.name = "PlainSqlProblem";
    }
}
/** The longest line outside COPY data, and the longest statement, seq-guard reads: 16 MiB. */
const LINE_MAX = 16 * 1024 * 1024;
const STATEMENT_MAX = LINE_MAX;

;// CONCATENATED MODULE: ./src/restore/plain/facts.ts
// What a plain SQL script did, as the reader notes it for the root-cause hints (hints.ts): rows loaded (INSERT,
// COPY), every setval / RESTART with its target and value, and what was left out (ownership, privileges,
// database- and cluster-level statements). An included file's facts are added to the including script's. Pure.
function emptyFacts() {
    return {
        lines: 0,
        inserts: 0,
        copies: 0,
        setvals: 0,
        positions: new Map(),
        opaqueSetvals: 0,
        skippedOwner: 0,
        skippedPrivileges: 0,
        skippedDatabase: 0,
        skippedCluster: 0,
        cluster: [],
        pgDump: null,
    };
}
/** Add what an included file did to the facts of the script that includes it. */
function mergeIncluded(f, g) {
    f.inserts += g.inserts;
    f.copies += g.copies;
    f.setvals += g.setvals;
    f.opaqueSetvals += g.opaqueSetvals;
    for (const [k, p] of g.positions) {
        const had = f.positions.get(k);
        if (!had || had.order < p.order)
            f.positions.set(k, p);
    }
}
/** What a position set targets, as a key: the last set of each target is the one that counts. */
function targetKey(t) {
    if (t.kind === "sequence")
        return `s:${t.schema ?? ""}\0${t.name}`;
    if (t.kind === "column")
        return `c:${t.table.schema ?? ""}\0${t.table.name}\0${t.column}`;
    return `t:${t.table.schema ?? ""}\0${t.table.name}`;
}

;// CONCATENATED MODULE: ./src/restore/plain/copy-data.ts
// COPY ... FROM stdin data in a plain SQL script: passed on in pieces of the chunks read, never held as whole
// lines, with only each line's start looked at for the \. line that ends the data. A line start at a chunk's end
// that may be \. is held back and joined to the next chunk. Pure.
/** The \. line, as the end of the file leaves it (with its \r, without its \n). */
const END_LINE = /^\\\.\r?$/;
class CopyData {
    /** At the start of a data line (where the \. line may stand). */
    atLineStart = true;
    /** The start of a data line at a chunk's end that may be \. : joined to the next chunk. */
    hold = null;
    /** COPY data begins with the next byte. */
    start() {
        this.atLineStart = true;
    }
    /** A chunk with the bytes held back from the one before in front of it. */
    join(b) {
        if (!this.hold)
            return b;
        const joined = Buffer.concat([this.hold, b]);
        this.hold = null;
        return joined;
    }
    /**
     * Read data from `buf` at `pos`, giving it out as data events: up to the \. line (ended: true, `next` is just
     * after it) or to the chunk's end. `lines`: how many lines ended in what was read (the \. line included).
     */
    scan(buf, pos, out) {
        const n = buf.length;
        const from = pos;
        let lines = 0;
        while (pos < n) {
            if (this.atLineStart) {
                if (buf[pos] === 0x5c) {
                    const avail = n - pos;
                    if (avail < 2 || (buf[pos + 1] === 0x2e && (avail < 3 || (buf[pos + 2] === 0x0d && avail < 4)))) {
                        // Too few bytes left to tell whether this is the \. line: kept for the next chunk.
                        if (pos > from)
                            out.push({ k: "data", buf: buf.subarray(from, pos) });
                        this.hold = Buffer.from(buf.subarray(pos));
                        return { next: n, lines, ended: false };
                    }
                    if (buf[pos + 1] === 0x2e) {
                        let e = pos + 2;
                        if (buf[e] === 0x0d)
                            e++;
                        if (buf[e] === 0x0a) {
                            if (pos > from)
                                out.push({ k: "data", buf: buf.subarray(from, pos) });
                            return { next: e + 1, lines: lines + 1, ended: true };
                        }
                    }
                }
                this.atLineStart = false;
            }
            const nl = buf.indexOf(10, pos);
            if (nl < 0) {
                pos = n;
                break;
            }
            lines++;
            pos = nl + 1;
            this.atLineStart = true;
        }
        if (pos > from)
            out.push({ k: "data", buf: buf.subarray(from, pos) });
        return { next: n, lines, ended: false };
    }
    /**
     * The file ends inside COPY data: what was held back is data, unless it is the \. line. Returns the lines it
     * ends (1 when something was held back).
     */
    finish(out) {
        const h = this.hold;
        this.hold = null;
        if (!h)
            return 0;
        if (!END_LINE.test(h.toString("latin1")))
            out.push({ k: "data", buf: h });
        return 1;
    }
}

;// CONCATENATED MODULE: ./src/restore/plain/lines.ts
// The lines of a plain SQL script as the reader holds them until it gives them out: each line's bytes, the ranges
// of its text to leave out (statements that must not run, meta-commands), and the marks where statements start
// and end and commands stand. LineOutput turns held lines into events: the text of statements, cuts left out,
// whole runs of untouched lines given in one piece. Pure.
/** Leave [from, to) of a line's text out. */
function cut(l, from, to) {
    if (l.cuts === null)
        l.cuts = [from, to];
    else
        l.cuts.push(from, to);
}
/** Mark a place on a line: a statement starts there (null), or an event stands there. */
function addMark(l, pos, ev) {
    if (l.marks === null)
        l.marks = [{ pos, ev }];
    else
        l.marks.push({ pos, ev });
}
/** The events given out so far, and where the script stands between them. */
class LineOutput {
    events = [];
    /** Statement text is being given (between a statement's start and its end). */
    inStmt = false;
    /** A run of whole lines of one buffer, given in one piece. */
    run = null;
    push(ev) {
        this.events.push(ev);
    }
    /** The events since the last take. */
    take() {
        const e = this.events;
        this.events = [];
        return e;
    }
    /** Give a line out: the text of statements (cuts left out) and, where marked, the statements' ends and commands. */
    give(l) {
        if (l.cuts === null && l.marks === null) {
            if (!this.inStmt)
                return;
            const r = this.run;
            if (r && r.buf === l.buf && r.to === l.start)
                r.to = l.end;
            else {
                this.flush();
                this.run = { buf: l.buf, from: l.start, to: l.end };
            }
            return;
        }
        this.flush();
        const pairs = [];
        const cuts = l.cuts ?? [];
        for (let i = 0; i < cuts.length; i += 2)
            pairs.push([cuts[i], cuts[i + 1]]);
        pairs.sort((a, b) => a[0] - b[0]);
        let at = 0;
        for (const m of (l.marks ?? []).sort((a, b) => a.pos - b.pos)) {
            this.text(l, at, m.pos, pairs);
            at = m.pos;
            if (m.ev === null)
                this.inStmt = true;
            else {
                if (m.ev.k === "end")
                    this.inStmt = false;
                this.events.push(m.ev);
            }
        }
        this.text(l, at, l.len, pairs);
        if (this.inStmt && l.end > l.start + l.len) {
            this.events.push({ k: "sql", buf: l.buf.subarray(l.start + l.len, l.end) });
        }
    }
    /** [from, to) of a line's text, less its cuts, when a statement is under way. */
    text(l, from, to, cuts) {
        if (!this.inStmt || to <= from)
            return;
        let at = from;
        for (const [a, b] of cuts) {
            if (b <= at)
                continue;
            if (a >= to)
                break;
            if (a > at)
                this.events.push({ k: "sql", buf: l.buf.subarray(l.start + at, l.start + a) });
            at = Math.max(at, b);
        }
        if (at < to)
            this.events.push({ k: "sql", buf: l.buf.subarray(l.start + at, l.start + to) });
    }
    /** Give out the run of whole lines held back, if any. */
    flush() {
        if (this.run) {
            this.events.push({ k: "sql", buf: this.run.buf.subarray(this.run.from, this.run.to) });
            this.run = null;
        }
    }
}

;// CONCATENATED MODULE: ./src/restore/plain/meta.ts
// The psql meta-commands in a plain SQL script, now that seq-guard runs the script itself (psql is not
// involved): which are honoured, which ignored, which refused and why, and \copy read as psql reads it. Pure.
/**
 * The psql meta-commands seq-guard honours, now that it runs a script itself (psql is not involved): what pg_dump
 * writes (\connect and \c, ignored: the script stays in the scratch database; \restrict and \unrestrict, ignored;
 * COPY's \., read with the data), files of the fixture's folder (\i, \ir, \copy ... FROM a file, see
 * run-plain.ts), and a few that only set or print psql's own state, common in hand-written fixtures. Those are
 * ignored, which is safe: seq-guard keeps no psql state and never puts a variable's value into the script (:name
 * reaches the server as written, where it is a syntax error), so skipping them cannot change what the server runs.
 */
const IGNORED_META = new Set([
    "restrict",
    "unrestrict",
    "set",
    "unset",
    "pset",
    "timing",
    "echo",
    "qecho",
    "warn",
]);
/** What some refused meta-commands do, for the message (any other: "is a psql meta-command"). */
const REFUSED_META = {
    "!": "runs a shell command",
    o: "sends query results to a file or a program",
    out: "sends query results to a file or a program",
    w: "writes the query buffer to a file or a program",
    write: "writes the query buffer to a file or a program",
    s: "writes psql's command history to a file",
    setenv: "sets environment variables for the programs psql runs",
    getenv: "reads an environment variable of the machine it runs on",
    cd: "changes psql's working folder",
    lo_import: "reads a file of the machine it runs on into the database",
    lo_export: "writes a file on the machine it runs on",
    password: "changes a role's password",
    e: "runs an editor",
    edit: "runs an editor",
    ef: "runs an editor",
    ev: "runs an editor",
    prompt: "waits for input",
    watch: "repeats a query until it is interrupted",
    gexec: "runs the rows of a query as statements",
    gset: "stores a query's result in psql variables",
    if: "is psql's conditional (\\if ... \\endif), which only psql evaluates",
    elif: "is psql's conditional (\\if ... \\endif), which only psql evaluates",
    else: "is psql's conditional (\\if ... \\endif), which only psql evaluates",
    endif: "is psql's conditional (\\if ... \\endif), which only psql evaluates",
    encoding: "sets the client encoding (write SET client_encoding = '...'; instead)",
    q: "quits psql",
    quit: "quits psql",
};
/** psql meta-commands whose argument is the rest of the line (no backslash ends it). */
const WHOLE_LINE = new Set(["!", "copy", "ef", "ev", "sf", "sv", "h", "help"]);
/** How a refused meta-command is told: what it is, and what seq-guard runs instead. */
function refusal(name, what) {
    return `\\${name} ${what}: seq-guard runs plain SQL itself, without psql, and of psql's meta-commands runs only what pg_dump writes (\\connect, \\restrict, COPY data ended by \\.) and \\i, \\ir and \\copy ... FROM of files in the dump's folder (\\set, \\echo, \\pset and the like are ignored). Remove it from the script, or write what it does as SQL.`;
}
/**
 * \copy as seq-guard runs it: FROM a file (read by seq-guard, confined to the dump's folder) or FROM stdin (the
 * lines that follow, up to \.), sent to the server as COPY ... FROM STDIN with the rest of the command (its
 * options) as written. TO, PROGRAM and pstdin are refused.
 */
function slashCopy(args) {
    const toks = [];
    const re = /\s*('(?:[^']|'')*'?|"(?:[^"]|"")*"?|[(),]|[^\s(),'"]+)/y;
    for (let m = re.exec(args); m !== null && m[1] !== undefined; m = re.exec(args)) {
        toks.push({ t: m[1], at: re.lastIndex - m[1].length, end: re.lastIndex });
    }
    let i = 0;
    let depth = 0;
    let dir = null;
    for (; i < toks.length; i++) {
        const t = toks[i].t;
        if (t === "(")
            depth++;
        else if (t === ")")
            depth--;
        else if (depth === 0 && i > 0 && /^(from|to)$/i.test(t)) {
            dir = t.toLowerCase();
            break;
        }
    }
    const target = toks[i + 1];
    if (dir === null || target === undefined) {
        return { problem: "names no FROM and source that seq-guard can make out" };
    }
    if (dir === "to")
        return { problem: "writes data out (\\copy ... TO), which a restore has no use for" };
    if (/^program$/i.test(target.t))
        return { problem: "runs a program (\\copy ... FROM PROGRAM)" };
    if (/^pstdin$/i.test(target.t))
        return { problem: "reads psql's own standard input (\\copy ... FROM pstdin)" };
    const head = args.slice(0, toks[i].at).trim();
    const sql = `COPY ${head} FROM STDIN ${args.slice(target.end).trim()}`.trim();
    if (/^stdin$/i.test(target.t))
        return { sql, file: null };
    const q = target.t[0];
    const file = q === "'" || q === '"'
        ? target.t.slice(1, target.t.endsWith(q) && target.t.length > 1 ? -1 : undefined).replaceAll(q + q, q)
        : target.t;
    return file === "" ? { problem: "names an empty file name" } : { sql, file };
}
/** The unquoted word (or 'quoted' / "quoted" string) a meta-command argument starts with. */
function firstArg(args) {
    const s = args.trimStart();
    const q = s[0];
    if (q === "'" || q === '"') {
        const end = s.indexOf(q, 1);
        return end > 0 ? s.slice(1, end) : s.slice(1);
    }
    return /^\S*/.exec(s)?.[0] ?? "";
}

// EXTERNAL MODULE: ./src/restore/plain/names.ts
var names = __webpack_require__(2233);
;// CONCATENATED MODULE: ./src/restore/plain/tokens.ts
// The tokens the plain SQL lexer (lexer.ts) makes of a statement's text, and how they read back: a word of a statement, a name written as tokens, tokens shown in a message. Pure.

/** Word i of the statement: its upper-case text, "" for a token that is no word, undefined when not seen yet. */
function word(h, i) {
    const t = h[i];
    if (!t)
        return undefined;
    return t.k === "w" ? t.v : "";
}
/** How a token reads in a message. */
function show(t) {
    if (t.k === "w")
        return t.raw ?? t.v;
    if (t.k === "s")
        return `'${t.v.replace(/'/g, "''")}'`;
    if (t.k === "i")
        return `"${t.v.replace(/"/g, '""')}"`;
    if (t.k === "d")
        return "$$...$$";
    return t.v;
}
/** Tokens as a message shows them, spaced as one writes SQL, at most 120 characters. */
function showTokens(toks) {
    let out = "";
    let prev = null;
    let unary = false;
    for (const t of toks) {
        const p = t.k === "p" ? t.v : "";
        const pp = prev?.k === "p" ? prev.v : "";
        const tight = prev === null ||
            unary ||
            p === "," ||
            p === ")" ||
            p === "." ||
            p === ":" ||
            pp === "(" ||
            pp === "." ||
            pp === ":" ||
            (p === "(" && (prev.k === "w" || prev.k === "i"));
        out += tight ? show(t) : ` ${show(t)}`;
        // A minus after ( or , is a sign: -1, not - 1.
        unary = p === "-" && (prev === null || pp === "(" || pp === ",");
        prev = t;
    }
    return out.length > 120 ? `${out.slice(0, 117)}...` : out;
}
/** Lines are read as latin1 (one char per byte): names in a UTF-8 script are decoded again for the hints. */
function utf8(s) {
    if (!/[\u0080-\u00ff]/.test(s))
        return s;
    const u = Buffer.from(s, "latin1").toString("utf8");
    return u.includes("\ufffd") ? s : u;
}
/** An unquoted name is folded to lower case, as PostgreSQL does. */
const fold = (t) => (t.k === "w" ? (0,names/* asciiLower */.F)(t.raw ?? t.v) : t.v);
/** A possibly qualified name written as tokens (a.b, "A".b) starting at i; null when there is none. */
function nameAt(toks, i) {
    const parts = [];
    let j = i;
    for (;;) {
        const t = toks[j];
        if (!t || (t.k !== "w" && t.k !== "i"))
            return null;
        parts.push(fold(t));
        j++;
        if (toks[j]?.k === "p" && toks[j]?.v === ".")
            j++;
        else
            return { parts, next: j };
    }
}

;// CONCATENATED MODULE: ./src/restore/plain/lexer.ts
// The plain SQL lexer: it follows quotes ('...', E'...', "...", dollar quotes), comments (--, nested /* */),
// parentheses and routine bodies (BEGIN ATOMIC ... END) across lines, and turns a line's text into tokens,
// statement ends and meta-commands. What those mean (statements, their verdicts, the facts, the commands run or
// refused) is the script's (script.ts), which extends this class and answers the hooks below. Pure.




// The character classes the lexer reads by (here, next to the loop that runs for every byte of a script).
const isWordStart = (c) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;
const isWordChar = (c) => isWordStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x24;
const isDigit = (c) => c >= 0x30 && c <= 0x39;
const isSpace = (c) => c === 0x20 || c === 0x09 || c === 0x0c || c === 0x0d || c === 0x0b;
/** How much of a quoted body is kept as its token (setval('...') needs the name; a function body is skipped). */
const QUOTE_KEEP = 200;
/** What, inside a string or a function body, may move a sequence where seq-guard cannot tell which. */
const OPAQUE = /setval\s*\(|alter\s+sequence|restart\s+identity/i;
class ScriptLexer {
    quote = null;
    quoteText = "";
    /** standard_conforming_strings: off makes backslashes in '...' escapes, as the server will read them. */
    stdStrings = true;
    /** The statement under way, or null between statements. */
    stmt = null;
    /** The line being read. */
    cur = null;
    /** Read one line's text (as latin1, one char per byte): tokens, statement ends, quotes, comments, commands. */
    lex(text) {
        const n = text.length;
        let i = 0;
        while (i < n) {
            if (this.quote !== null) {
                i = this.inQuote(text, i);
                continue;
            }
            const c = text.charCodeAt(i);
            if (isSpace(c)) {
                i++;
                continue;
            }
            const next = text.charCodeAt(i + 1);
            if (c === 0x2d && next === 0x2d)
                break; // -- comment to the end of the line
            if (c === 0x2f && next === 0x2a) {
                this.quote = { kind: "block", depth: 1 };
                i += 2;
                continue;
            }
            if (c === 0x3b) {
                const open = this.stmt;
                if (open && (open.paren > 0 || open.begin > 0)) {
                    if (!open.skim)
                        this.token({ k: "p", v: ";" }, i);
                    i++;
                    continue;
                }
                i++;
                this.endStatement(i);
                continue;
            }
            if (c === 0x5c) {
                i = this.backslash(text, i);
                continue;
            }
            const st = this.stmt;
            if (isWordStart(c)) {
                let high = c >= 0x80;
                let j = i + 1;
                for (let d = text.charCodeAt(j); j < n && isWordChar(d); d = text.charCodeAt(++j))
                    high ||= d >= 0x80;
                if (st?.skim) {
                    // Only a setval call is still of interest: read on in full from there.
                    if (j - i !== 6 || text.slice(i, j).toLowerCase() !== "setval") {
                        i = j;
                        continue;
                    }
                    st.skim = false;
                }
                const raw = text.slice(i, j);
                if ((raw === "E" || raw === "e") && text.charCodeAt(j) === 0x27) {
                    if (!this.stmt)
                        this.startStatement(i);
                    this.openQuote({ kind: "single", escapes: true });
                    i = j + 1;
                    continue;
                }
                this.token(high ? { k: "w", v: (0,names/* asciiUpper */.oP)(raw), raw: utf8(raw) } : { k: "w", v: raw.toUpperCase(), raw }, i);
                i = j;
                continue;
            }
            if (isDigit(c)) {
                let j = i + 1;
                while (j < n && (isWordChar(text.charCodeAt(j)) || text.charCodeAt(j) === 0x2e))
                    j++;
                if (!st?.skim)
                    this.token({ k: "n", v: text.slice(i, j) }, i);
                i = j;
                continue;
            }
            if (!this.stmt)
                this.startStatement(i);
            if (c === 0x27) {
                this.openQuote({ kind: "single", escapes: !this.stdStrings });
                i++;
                continue;
            }
            if (c === 0x22) {
                this.openQuote({ kind: "double" });
                i++;
                continue;
            }
            if (c === 0x24) {
                const m = /^\$([A-Za-z_\u0080-\u00ff][A-Za-z0-9_\u0080-\u00ff]*)?\$/.exec(text.slice(i, i + 64));
                if (m) {
                    this.openQuote({ kind: "dollar", tag: m[0] });
                    i += m[0].length;
                    continue;
                }
            }
            if (c === 0x28)
                this.stmt.paren++;
            else if (c === 0x29)
                this.stmt.paren--;
            if (!this.stmt?.skim)
                this.token({ k: "p", v: text[i] }, i);
            i++;
        }
        // A string or dollar body goes on to the next line, with its newline.
        if (this.quote !== null && this.quote.kind !== "block")
            this.keepQuoted("\n");
    }
    openQuote(q) {
        this.quote = q;
        this.quoteText = "";
    }
    keepQuoted(s) {
        const st = this.stmt;
        if (!st?.skim && this.quoteText.length < QUOTE_KEEP) {
            this.quoteText += s.slice(0, QUOTE_KEEP - this.quoteText.length);
        }
        // A setval inside a function body or a string (not an INSERT's data): seq-guard cannot tell what it moves.
        if (st && !st.opaque && !st.data && OPAQUE.test(s)) {
            st.opaque = true;
            this.noteOpaque();
        }
    }
    closeQuote(kind) {
        const v = utf8(this.quoteText);
        this.quote = null;
        this.quoteText = "";
        if (this.stmt)
            this.token({ k: kind, v }, 0);
    }
    inQuote(text, i) {
        const q = this.quote;
        const n = text.length;
        if (q.kind === "block") {
            for (; i < n; i++) {
                const c = text.charCodeAt(i);
                if (c === 0x2a && text.charCodeAt(i + 1) === 0x2f) {
                    i += 2;
                    if (--q.depth === 0) {
                        this.quote = null;
                        return i;
                    }
                    i--;
                }
                else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
                    q.depth++;
                    i++;
                }
            }
            return n;
        }
        if (q.kind === "dollar") {
            const end = text.indexOf(q.tag, i);
            if (end < 0) {
                this.keepQuoted(text.slice(i));
                return n;
            }
            this.keepQuoted(text.slice(i, end));
            this.closeQuote("d");
            return end + q.tag.length;
        }
        const close = q.kind === "single" ? 0x27 : 0x22;
        let from = i;
        for (; i < n; i++) {
            const c = text.charCodeAt(i);
            if (q.kind === "single" && q.escapes && c === 0x5c) {
                i++;
            }
            else if (c === close) {
                if (text.charCodeAt(i + 1) === close) {
                    this.keepQuoted(text.slice(from, i + 1));
                    i++;
                    from = i + 1;
                }
                else {
                    this.keepQuoted(text.slice(from, i));
                    this.closeQuote(q.kind === "single" ? "s" : "i");
                    return i + 1;
                }
            }
        }
        this.keepQuoted(text.slice(from, n));
        return n;
    }
    /**
     * A backslash outside quotes: \; ends a statement (the backslash is left out), \: is a colon, \\ separates
     * meta-commands; anything else is a meta-command, left out of the SQL and run, ignored or refused.
     */
    backslash(text, i) {
        const next = text[i + 1];
        const l = this.cur;
        if (next === "\\") {
            cut(l, i, i + 2);
            return i + 2;
        }
        if (next === ";") {
            cut(l, i, i + 1);
            if (this.stmt)
                this.endStatement(i + 2);
            else
                cut(l, i + 1, i + 2);
            return i + 2;
        }
        if (next === ":") {
            cut(l, i, i + 1);
            this.token({ k: "p", v: ":" }, i + 1);
            return i + 2;
        }
        const name = /^[^\s\\]*/.exec(text.slice(i + 1))?.[0] ?? "";
        const argStart = i + 1 + name.length;
        // The arguments run to the end of the line, or to the next backslash outside quotes.
        let argEnd = text.length;
        let resume = text.length;
        if (!WHOLE_LINE.has(name)) {
            let quote = null;
            for (let j = argStart; j < text.length; j++) {
                const ch = text[j];
                if (quote) {
                    if (quote === "'" && ch === "\\")
                        j++;
                    else if (ch === quote)
                        quote = null;
                }
                else if (ch === "'" || ch === '"' || ch === "`")
                    quote = ch;
                else if (ch === "\\") {
                    argEnd = j;
                    resume = text[j + 1] === "\\" ? j + 2 : j;
                    break;
                }
            }
        }
        cut(l, i, resume);
        this.metaCommand(name, text.slice(argStart, argEnd), i);
        return resume;
    }
}

;// CONCATENATED MODULE: ./src/restore/plain/positions.ts
// Where a statement of a plain SQL script sets a sequence's position, read from its tokens: setval('seq', 42,
// false) (by name, or pg_get_serial_sequence('t', 'c')), ALTER SEQUENCE / ALTER TABLE ... ALTER COLUMN ...
// RESTART [WITH n], and TRUNCATE ... RESTART IDENTITY. What cannot be read (a computed target) is "opaque": the
// hints then claim nothing. Pure.


/** Split setval's argument tokens at top-level commas. */
function splitArgs(toks) {
    const args = [[]];
    let depth = 0;
    for (const t of toks) {
        if (t.k === "p" && t.v === "(")
            depth++;
        if (t.k === "p" && t.v === ")")
            depth--;
        if (t.k === "p" && t.v === "," && depth === 0)
            args.push([]);
        else
            args[args.length - 1].push(t);
    }
    return args;
}
/** An integer literal, possibly negative. */
function literal(toks) {
    if (toks.length === 1 && toks[0]?.k === "n" && /^\d+$/.test(toks[0].v))
        return toks[0].v.replace(/^0+(?=\d)/, "");
    if (toks.length === 2 && toks[0]?.v === "-" && toks[1]?.k === "n" && /^\d+$/.test(toks[1].v)) {
        return `-${toks[1].v.replace(/^0+(?=\d)/, "")}`;
    }
    return null;
}
function booleanOf(toks) {
    if (toks === undefined)
        return true;
    if (toks.length !== 1)
        return null;
    const t = toks[0];
    const v = t.k === "w" ? t.v.toLowerCase() : t.k === "s" ? t.v.trim().toLowerCase() : "";
    if (["true", "t", "yes", "y", "on", "1"].includes(v))
        return true;
    if (["false", "f", "no", "n", "off", "0"].includes(v))
        return false;
    return null;
}
/** The target of setval's first argument: 'name', 'name'::regclass, pg_get_serial_sequence('t', 'c'). */
function setvalTarget(arg) {
    const first = arg[0];
    if (first?.k === "s") {
        const rest = arg.slice(1);
        const castOnly = rest.length === 0 ||
            (rest.length === 3 && rest[0]?.v === ":" && rest[1]?.v === ":" && rest[2]?.v === "REGCLASS");
        if (!castOnly)
            return null;
        const n = (0,names/* parseRegclassText */.RI)(first.v);
        return n ? { kind: "sequence", ...n } : null;
    }
    if (first?.k === "w" && (first.v === "PG_GET_SERIAL_SEQUENCE" || first.v === "PG_CATALOG")) {
        const at = first.v === "PG_CATALOG" ? 2 : 0;
        if (arg[at]?.v !== "PG_GET_SERIAL_SEQUENCE" || arg[at + 1]?.v !== "(")
            return null;
        const t = arg[at + 2];
        const c = arg[at + 4];
        if (t?.k !== "s" || arg[at + 3]?.v !== "," || c?.k !== "s" || arg[at + 5]?.v !== ")")
            return null;
        const table = (0,names/* parseRegclassText */.RI)(t.v);
        // The column is taken as written (no case folding), as pg_get_serial_sequence does.
        return table ? { kind: "column", table, column: c.v } : null;
    }
    return null;
}
/** A setval call, from the tokens between its parentheses. */
function setvalPosition(toks) {
    const args = splitArgs(toks);
    const target = args.length >= 2 && args.length <= 3 ? setvalTarget(args[0]) : null;
    if (!target)
        return "opaque";
    const value = literal(args[1]);
    return {
        target,
        value,
        isCalled: value === null ? null : booleanOf(args[2]),
        reset: false,
        text: `setval(${args.map(showTokens).join(", ")})`,
    };
}
/** ALTER SEQUENCE s RESTART [WITH n], ALTER TABLE t ALTER [COLUMN] c RESTART ...; null for an ALTER without RESTART. */
function restartPosition(h) {
    const restart = h.findIndex((t) => t.k === "w" && t.v === "RESTART");
    if (restart < 0)
        return null;
    let i = 2;
    const kind = word(h, 1);
    if (kind === "TABLE" && word(h, i) === "ONLY")
        i++;
    if (word(h, i) === "IF" && word(h, i + 1) === "EXISTS")
        i += 2;
    const name = nameAt(h, i);
    let target = null;
    if (name && kind === "SEQUENCE")
        target = { kind: "sequence", ...(0,names/* qualified */.LX)(name.parts) };
    else if (name && kind === "TABLE" && word(h, name.next) === "ALTER") {
        const c = nameAt(h, word(h, name.next + 1) === "COLUMN" ? name.next + 2 : name.next + 1);
        if (c && c.parts.length === 1) {
            target = { kind: "column", table: (0,names/* qualified */.LX)(name.parts), column: c.parts[0] };
        }
    }
    if (!target)
        return "opaque";
    const after = h.slice(restart + 1 + (word(h, restart + 1) === "WITH" ? 1 : 0));
    const end = after.findIndex((t) => !(t.k === "n" || (t.k === "p" && t.v === "-")));
    const value = literal(end < 0 ? after : after.slice(0, end));
    return {
        target,
        value,
        isCalled: false,
        reset: value === null,
        text: `${showTokens(h.slice(0, restart + 1))}${value !== null ? ` WITH ${value}` : ""}`,
    };
}
/** TRUNCATE [TABLE] [ONLY] t [, ...] RESTART IDENTITY: every identity and owned sequence of the tables. */
function truncatePositions(h) {
    const out = [];
    let i = 1;
    if (word(h, i) === "TABLE")
        i++;
    for (;;) {
        if (word(h, i) === "ONLY")
            i++;
        const name = nameAt(h, i);
        if (!name)
            break;
        out.push({
            target: { kind: "table", table: (0,names/* qualified */.LX)(name.parts) },
            value: null,
            isCalled: false,
            reset: true,
            text: `TRUNCATE ${showTokens(h.slice(i, name.next))} ... RESTART IDENTITY`,
        });
        i = name.next;
        if (h[i]?.v === "*")
            i++;
        if (h[i]?.v !== ",")
            break;
        i++;
    }
    return out;
}

;// CONCATENATED MODULE: ./src/restore/plain/statement.ts
// A statement of a plain SQL script as the reader follows it (its first and last tokens, what it has seen), and
// what it is, from its first words: one that runs, or one left out (ownership, privileges, database-level,
// cluster-level, or a client_encoding switch, which the reader takes itself). Pure.

/** What classify says of an ALTER whose verdict only its end tells. */
const AT_END = "at-end";
/** A statement that starts at `pos` of `line` (line number `lineNo`), nothing of it read yet. */
function newStatement(line, pos, lineNo) {
    return {
        line,
        pos,
        lineNo,
        head: [],
        tail: [],
        count: 0,
        verdict: null,
        blank: false,
        rename: false,
        fromStdin: false,
        restartIdentity: false,
        opaque: false,
        skim: false,
        data: false,
        waitEnd: false,
        clusterAt: null,
        sv: null,
        paren: 0,
        begin: 0,
    };
}
/** What a statement is, from its first tokens; null while they do not tell yet (and `final` is false). */
function classify(s, final) {
    const h = s.head;
    const need = (v, then) => v === undefined ? (final ? "pass" : null) : then(v);
    return need(word(h, 0), (a) => {
        switch (a) {
            case "CREATE":
            case "DROP":
            case "ALTER":
                return need(word(h, 1), (b) => {
                    if (b === "DATABASE")
                        return "database";
                    if (b === "ROLE" || b === "GROUP" || b === "TABLESPACE")
                        return "cluster";
                    if (b === "USER")
                        return need(word(h, 2), (c) => (c === "MAPPING" ? "pass" : "cluster"));
                    if (a !== "ALTER")
                        return "pass";
                    if (b === "SYSTEM")
                        return "cluster";
                    if (b === "DEFAULT")
                        return need(word(h, 2), (c) => (c === "PRIVILEGES" ? "privileges" : "pass"));
                    // ALTER <object> <name> OWNER TO <role>: only its end tells.
                    if (!final)
                        return AT_END;
                    return ownerTo(s) ? "owner" : "pass";
                });
            case "COMMENT":
            case "SECURITY": {
                const on = h.findIndex((t) => t.k === "w" && t.v === "ON");
                if (on < 0)
                    return h.length >= 6 || final ? "pass" : null;
                return need(word(h, on + 1), (o) => o === "DATABASE" ? "database" : o === "ROLE" || o === "TABLESPACE" ? "cluster" : "pass");
            }
            case "GRANT":
            case "REVOKE":
                return "privileges";
            case "SET":
            case "RESET":
                return need(word(h, 1), (b) => {
                    if (b === "CLIENT_ENCODING" || (b === "NAMES" && a === "SET"))
                        return "encoding";
                    if (b !== "SESSION" && b !== "LOCAL")
                        return "pass";
                    return need(word(h, 2), (c) => c === "AUTHORIZATION" && b === "SESSION"
                        ? "owner"
                        : c === "CLIENT_ENCODING"
                            ? "encoding"
                            : "pass");
                });
            default:
                return "pass";
        }
    });
}
/** CREATE [OR REPLACE] FUNCTION / PROCEDURE, whose SQL-standard body (BEGIN ATOMIC ... END) holds semicolons. */
function isRoutine(h) {
    if (word(h, 0) !== "CREATE")
        return false;
    const k = word(h, 1) === "OR" && word(h, 2) === "REPLACE" ? word(h, 3) : word(h, 1);
    return k === "FUNCTION" || k === "PROCEDURE";
}
/** ALTER ... OWNER TO role, and not a RENAME of something called owner. */
function ownerTo(s) {
    if (s.rename)
        return false;
    const t = s.tail;
    const n = t.length;
    if (n < 3)
        return false;
    const role = t[n - 1];
    return ((role.k === "w" || role.k === "i") &&
        t[n - 2]?.k === "w" &&
        t[n - 2]?.v === "TO" &&
        t[n - 3]?.k === "w" &&
        t[n - 3]?.v === "OWNER");
}
/** A statement's head for a message, up to the name it acts on: "CREATE USER pgexercises", "DROP ROLE IF EXISTS app". */
function describe(s) {
    const h = s.head;
    let words = 3;
    if (word(h, 2) === "IF")
        words += word(h, 3) === "NOT" ? 3 : 2;
    if (word(h, 0) === "COMMENT" || word(h, 0) === "SECURITY" || word(h, 1) === "SYSTEM")
        words++;
    const toks = [];
    let seen = 0;
    for (const t of h) {
        if (t.k === "p" && t.v === ".") {
            toks.push(t);
            continue;
        }
        if ((t.k !== "w" && t.k !== "i") || seen >= words)
            break;
        toks.push(t);
        seen++;
    }
    const text = showTokens(toks);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

;// CONCATENATED MODULE: ./src/restore/plain/script.ts
// Plain SQL as seq-guard runs it itself (run-plain.ts; psql is not involved): a streaming reader that cuts the
// script into statements and leaves out, statement by statement, what must not run in a scratch database: the
// database-level statements of a dump made with --create (CREATE/ALTER/DROP/COMMENT ON DATABASE and its
// \connect), which would act on the user's real database; the cluster-level ones (roles, tablespaces, ALTER
// SYSTEM), which would outlive the scratch database on the server; and, under --no-owner --no-privileges, what
// pg_restore would skip (ALTER ... OWNER TO, SET SESSION AUTHORIZATION, GRANT, REVOKE, ALTER DEFAULT PRIVILEGES).
// Exactly the statement's text is cut, wherever it lies (after a comment, next to another statement, over several
// lines). The server is the only SQL parser that matters: where this reader and the server would read a script
// differently, the server gets text that is at worst an SQL error. Its output is events (events.ts): statement
// text and ends, COPY data, \i and \copy requests. It also notes what the script does for the root-cause hints
// (facts.ts): INSERT and COPY statements, and each setval / RESTART with its target and value (positions.ts).
//
// This file reads bytes into lines (a script in another client_encoding than UTF-8 is converted to UTF-8 as it is
// read, encodings.ts), follows statements to their verdicts (statement.ts) and runs or refuses meta-commands
// (meta.ts). The lexer it extends (lexer.ts) follows quotes, dollar quotes, comments and meta-commands across
// lines; COPY data is passed on as read (copy-data.ts); lines are held, then given out as events (lines.ts).










/** The first tokens kept of a statement (its head, for its verdict), and the last (its tail, for OWNER TO). */
const HEAD_MAX = 24;
const TAIL_MAX = 4;
/** A statement held back for its verdict (an ALTER ... OWNER TO is only known at its end) holds at most this. */
const HOLD_MAX = 8 * 1024 * 1024;
/** Files included in files included ... at most this deep. */
const MAX_INCLUDE_DEPTH = 16;
/**
 * The script reader and its cuts, fed chunks (feed, then end). Synchronous: what it reads becomes events, taken with
 * take() after each feed. After an \i it pauses at the end of that line (paused), so that the included file runs
 * (and notes its setvals) before the lines after it are read: resume() reads on.
 */
class SqlScript extends ScriptLexer {
    opts;
    ctx;
    facts = emptyFacts();
    output = new LineOutput();
    copy = new CopyData();
    queue = Buffer.alloc(0);
    qpos = 0;
    carry = [];
    carryLen = 0;
    inCopy = false;
    copyNext = false;
    pendingEnd = null;
    connects = 0;
    encodingName = "UTF8";
    decoder = null;
    switched = false;
    pauseAfterLine = false;
    paused = false;
    /** The line "-- PostgreSQL database dump" that pg_dump writes first, and whether its last line was seen. */
    dumpHead = false;
    dumpComplete = false;
    /** Where the cut of a statement being left out starts on the current line. */
    openCut = null;
    /** Lines not yet given out: the current one, and those of a statement waiting for its verdict. */
    held = [];
    heldBytes = 0;
    constructor(opts, ctx) {
        super();
        this.opts = opts;
        this.ctx = ctx;
        if (ctx.encoding !== undefined)
            this.setEncoding(ctx.encoding);
        this.switched = false;
    }
    /** The client encoding the script is read in now (PostgreSQL's name, cleaned: UTF8, LATIN1, EUCJP...). */
    get encoding() {
        return this.encodingName;
    }
    /** The line a statement under way started on, or null. */
    get statementLine() {
        return this.stmt?.lineNo ?? null;
    }
    /** The events of what was read since the last take. */
    take() {
        return this.output.take();
    }
    feed(chunk) {
        if (this.paused)
            throw new Error("SqlScript.feed while paused");
        this.queue = this.copy.join(this.decoder ? this.transcode(chunk) : chunk);
        this.qpos = 0;
        this.pump();
    }
    resume() {
        this.paused = false;
        this.pump();
    }
    end() {
        if (this.paused)
            throw new Error("SqlScript.end while paused");
        if (this.inCopy) {
            this.facts.lines += this.copy.finish(this.output);
            this.inCopy = false;
            this.output.push({ k: "copyEnd", line: this.facts.lines });
        }
        else if (this.carryLen > 0) {
            const last = Buffer.concat(this.carry);
            this.carry = [];
            this.carryLen = 0;
            this.line(last, 0, last.length, last.length);
            if (this.copyNext) {
                this.copyNext = false;
                this.output.push({ k: "copyEnd", line: this.facts.lines });
            }
        }
        this.cur = null;
        // A statement left open at the end of the file is run, as psql does.
        if (this.stmt)
            this.endStatement(0);
        this.flushHeld();
        this.output.flush();
        if (this.pendingEnd) {
            this.output.push(this.pendingEnd);
            this.pendingEnd = null;
            this.output.inStmt = false;
        }
        if (this.dumpHead && !this.dumpComplete && this.ctx.file === null) {
            throw this.problem("the script starts as pg_dump writes one (-- PostgreSQL database dump) but ends without the line pg_dump writes last (-- PostgreSQL database dump complete): it was cut short, so only part of the data was restored and the verdicts would be wrong. Make the dump again, or copy it again if it was cut short on the way (compare its size with the original's).");
        }
    }
    transcode(b) {
        const t = this.decoder;
        try {
            return t(b);
        }
        catch {
            // Find the line: decode line by line (no encoding seq-guard reads has a newline byte inside a character).
            let at = 0;
            let line = this.facts.lines + 1;
            const check = transcoder(this.encodingName);
            for (;;) {
                const nl = b.indexOf(10, at);
                const end = nl < 0 ? b.length : nl + 1;
                try {
                    check(b.subarray(at, end));
                }
                catch {
                    break;
                }
                if (nl < 0)
                    break;
                at = nl + 1;
                line++;
            }
            const name = this.encodingName === "SQLASCII" ? "SQL_ASCII" : this.encodingName;
            throw new PlainSqlProblem(line, name === "SQL_ASCII"
                ? "this line holds bytes that are not UTF-8, in a script that declares no encoding (client_encoding SQL_ASCII): seq-guard sends the script as UTF-8. Convert the file to UTF-8 (iconv -f ENCODING -t UTF-8) and set client_encoding = 'UTF8' in it, or set the client_encoding it is written in."
                : `this line holds bytes that are not valid ${name}, the client_encoding the script sets. Fix the encoding of the file (iconv), or the SET client_encoding in it.`, this.ctx.display);
        }
    }
    pump() {
        while (this.qpos < this.queue.length && !this.paused) {
            if (this.inCopy) {
                this.copyScan();
                continue;
            }
            const buf = this.queue;
            const nl = buf.indexOf(10, this.qpos);
            if (nl < 0) {
                this.carry.push(buf.subarray(this.qpos));
                this.carryLen += buf.length - this.qpos;
                this.qpos = buf.length;
                if (this.carryLen > LINE_MAX)
                    throw this.tooLong(this.facts.lines + 1);
                break;
            }
            if (this.carryLen > 0) {
                // The line that started in an earlier chunk ends here.
                if (this.carryLen + nl - this.qpos > LINE_MAX)
                    throw this.tooLong(this.facts.lines + 1);
                const whole = Buffer.concat([...this.carry, buf.subarray(this.qpos, nl + 1)]);
                this.carry = [];
                this.carryLen = 0;
                this.line(whole, 0, whole.length - 1, whole.length);
            }
            else {
                if (nl - this.qpos > LINE_MAX)
                    throw this.tooLong(this.facts.lines + 1);
                this.line(buf, this.qpos, nl, nl + 1);
            }
            this.qpos = nl + 1;
            if (this.switched) {
                // SET client_encoding: what follows is read in the new encoding.
                this.switched = false;
                this.output.flush();
                if (this.decoder) {
                    this.queue = this.transcode(buf.subarray(this.qpos));
                    this.qpos = 0;
                }
            }
        }
        this.output.flush();
    }
    tooLong(line) {
        return new PlainSqlProblem(line, `this line is longer than ${LINE_MAX / 1024 / 1024} MiB outside COPY data, the most seq-guard reads in one line or one statement (COPY data lines have no such limit). Split the statement, or load such values with COPY.`, this.ctx.display);
    }
    /** COPY data: given out as read, in pieces of the chunk (copy-data.ts), up to the \. line. */
    copyScan() {
        this.output.flush();
        const r = this.copy.scan(this.queue, this.qpos, this.output);
        this.facts.lines += r.lines;
        this.qpos = r.next;
        if (r.ended) {
            this.inCopy = false;
            this.output.push({ k: "copyEnd", line: this.facts.lines });
        }
    }
    line(buf, start, nl, end) {
        this.facts.lines++;
        let e = nl;
        if (e > start && buf[e - 1] === 13)
            e--;
        const rec = { buf, start, len: e - start, end, cuts: null, marks: null };
        this.held.push(rec);
        this.heldBytes += end - start;
        this.cur = rec;
        if (this.stmt?.blank)
            this.openCut = 0;
        const text = buf.toString("latin1", start, e);
        if (this.facts.lines <= 50 && this.facts.pgDump === null) {
            this.facts.pgDump = /^-- Dumped by pg_dump version (\S+)/.exec(text)?.[1] ?? null;
        }
        if (text.length >= 26 && text.charCodeAt(0) === 0x2d) {
            if (text === "-- PostgreSQL database dump complete")
                this.dumpComplete = true;
            else if (this.facts.lines <= 5 && text === "-- PostgreSQL database dump")
                this.dumpHead = true;
        }
        this.lex(text);
        if (this.openCut !== null) {
            cut(rec, this.openCut, rec.len);
            this.openCut = null;
        }
        // A statement that waits too long for its verdict (only an ALTER can) is passed as it is.
        if (this.stmt && this.stmt.verdict === null && this.heldBytes > HOLD_MAX)
            this.stmt.verdict = "pass";
        if (this.copyNext) {
            if (this.stmt) {
                throw this.problem("a statement starts after COPY ... FROM stdin on the line where the COPY data is to begin. Put it after the \\. line that ends the data.");
            }
            this.copyNext = false;
            this.inCopy = true;
            this.copy.start();
        }
        if (!(this.stmt && this.stmt.verdict === null))
            this.flushHeld();
        if (this.pauseAfterLine) {
            this.pauseAfterLine = false;
            this.paused = true;
        }
    }
    flushHeld() {
        for (const l of this.held)
            this.output.give(l);
        this.held.length = 0;
        this.heldBytes = 0;
    }
    problem(message) {
        return new PlainSqlProblem(this.facts.lines, message, this.ctx.display);
    }
    mark(pos, ev) {
        addMark(this.cur, pos, ev);
    }
    /** SET client_encoding / SET NAMES / RESET client_encoding: read the rest of the script in that encoding. */
    setEncoding(value) {
        const name = cleanEncoding(value);
        if (name === this.encodingName)
            return;
        const t = transcoder(name);
        if (t === undefined) {
            throw this.problem(`the script sets client_encoding to ${value}, which seq-guard cannot convert to UTF-8 (the encoding its session speaks). Convert the file to UTF-8 (iconv -f ${value} -t UTF-8) and set client_encoding = 'UTF8' in it.`);
        }
        if (this.decoder !== null) {
            throw this.problem(`the script sets client_encoding a second time (${value}, after ${this.encodingName}): seq-guard reads a script in one encoding besides UTF-8. Convert the file to one encoding (iconv) and set it once, at the top.`);
        }
        this.encodingName = name;
        this.decoder = t;
        this.switched = true;
    }
    // ---- statements
    startStatement(pos) {
        const s = newStatement(this.cur, pos, this.facts.lines);
        this.stmt = s;
        this.mark(pos, null);
        return s;
    }
    token(t, pos) {
        const s = this.stmt ?? this.startStatement(pos);
        if (s.skim)
            return;
        const prev = s.tail[s.tail.length - 1];
        s.count++;
        if (s.head.length < HEAD_MAX)
            s.head.push(t);
        s.tail.push(t);
        if (s.tail.length > TAIL_MAX)
            s.tail.shift();
        if (t.k === "w") {
            // As psql counts them: BEGIN and CASE open a block in CREATE [OR REPLACE] FUNCTION / PROCEDURE, END closes.
            if ((t.v === "BEGIN" || t.v === "CASE") && isRoutine(s.head))
                s.begin++;
            else if (t.v === "END" && s.begin > 0)
                s.begin--;
            if (t.v === "RENAME")
                s.rename = true;
            else if (t.v === "STDIN" && prev?.k === "w" && prev.v === "FROM" && s.paren <= 0)
                s.fromStdin = true;
            else if (t.v === "IDENTITY" && prev?.k === "w" && prev.v === "RESTART")
                s.restartIdentity = true;
        }
        this.setvalToken(s, t, prev);
        if (s.verdict === null && !s.waitEnd)
            this.decide(s, false);
        if (s.verdict === "pass" && s.sv === null && s.count === 1) {
            const first = s.head[0]?.v;
            s.data = first === "INSERT";
            // ALTER (RESTART), TRUNCATE (RESTART IDENTITY) and COPY (FROM STDIN) are read to their end.
            s.skim = first !== "ALTER" && first !== "TRUNCATE" && first !== "COPY";
        }
    }
    /** Follow setval( ... ) calls at the top level of a statement, and note each one. */
    setvalToken(s, t, prev) {
        if (s.sv) {
            if (t.k === "p" && t.v === "(")
                s.sv.depth++;
            if (t.k === "p" && t.v === ")")
                s.sv.depth--;
            if (s.sv.depth === 0) {
                this.noteSetval(s.sv.toks);
                s.sv = null;
            }
            else if (s.sv.toks.length < 64)
                s.sv.toks.push(t);
            return;
        }
        if (t.k === "p" && t.v === "(" && prev?.k === "w" && prev.v === "SETVAL")
            s.sv = { depth: 1, toks: [] };
    }
    noteSetval(toks) {
        this.facts.setvals++;
        const p = setvalPosition(toks);
        if (p === "opaque")
            this.facts.opaqueSetvals++;
        else
            this.notePosition(p);
    }
    noteOpaque() {
        this.facts.opaqueSetvals++;
    }
    notePosition(p) {
        const set = p;
        set.file = this.ctx.display;
        set.line = this.facts.lines;
        set.order = this.ctx.order.n++;
        this.facts.positions.set(targetKey(p.target), set);
    }
    decide(s, final) {
        const v = classify(s, final);
        if (v === null)
            return;
        if (v === AT_END) {
            s.waitEnd = true;
            return;
        }
        s.verdict = v;
        const o = this.opts;
        const blank = v === "database" ||
            v === "encoding" ||
            (v === "cluster" && (o.noOwner || o.noPrivileges)) ||
            (v === "owner" && o.noOwner) ||
            (v === "privileges" && o.noPrivileges);
        if (!blank)
            return;
        s.blank = true;
        if (v === "owner")
            this.facts.skippedOwner++;
        else if (v === "privileges")
            this.facts.skippedPrivileges++;
        else if (v === "database")
            this.facts.skippedDatabase++;
        else if (v === "cluster") {
            this.facts.skippedCluster++;
            if (this.facts.cluster.length < 20)
                s.clusterAt = this.facts.cluster.push(describe(s)) - 1;
        }
        // Cut from the statement's first token on: whole lines up to the current one, the current one from there on.
        let started = false;
        for (const l of this.held) {
            if (l === s.line)
                started = true;
            if (!started)
                continue;
            const from = l === s.line ? s.pos : 0;
            if (l === this.cur)
                this.openCut = from;
            else
                cut(l, from, l.len);
        }
    }
    /** The statement ends at `end` on the current line (after its ;). */
    endStatement(end) {
        const s = this.stmt;
        if (!s)
            return;
        if (s.verdict === null)
            this.decide(s, true);
        if (s.blank) {
            if (this.cur)
                cut(this.cur, this.openCut ?? 0, end);
            this.openCut = null;
        }
        this.stmt = null;
        const h = s.head;
        const first = word(h, 0);
        const copy = !s.blank && first === "COPY" && s.fromStdin;
        const ev = { k: "end", first: s.lineNo, last: this.facts.lines, blank: s.blank, copy };
        if (this.cur)
            this.mark(end, ev);
        else
            this.pendingEnd = ev;
        if (s.clusterAt !== null)
            this.facts.cluster[s.clusterAt] = describe(s);
        if (s.verdict === "encoding") {
            // SET client_encoding = 'X' (TO X, DEFAULT), SET NAMES 'X', RESET client_encoding: never sent (the session
            // stays UTF8); the rest of the script is read in X and converted.
            const at = h.findIndex((t, i) => i > 0 && ((t.k === "p" && t.v === "=") || (t.k === "w" && t.v === "TO")));
            const value = word(h, 1) === "NAMES" ? h[2] : h[at + 1];
            const text = first === "RESET" || !value || (value.k === "w" && value.v === "DEFAULT") ? "UTF8" : value.v;
            this.setEncoding(text);
            return;
        }
        if (first === "SET" && word(h, 1) === "STANDARD_CONFORMING_STRINGS") {
            const v = h[h.length - 1];
            const off = v && (v.k === "w" || v.k === "s") ? /^(off|false|no|0)$/i.test(v.v) : false;
            this.stdStrings = !off;
        }
        if (s.blank)
            return;
        if (first === "INSERT")
            this.facts.inserts++;
        else if (copy) {
            this.facts.copies++;
            this.copyNext = true;
        }
        else if (first === "ALTER")
            this.noteRestart(s);
        else if (first === "TRUNCATE" && s.restartIdentity)
            this.noteTruncate(s);
    }
    /** ALTER ... RESTART: a position set, or one seq-guard cannot read. */
    noteRestart(s) {
        const p = restartPosition(s.head);
        if (p === null)
            return;
        this.facts.setvals++;
        if (p === "opaque")
            this.facts.opaqueSetvals++;
        else
            this.notePosition(p);
    }
    /** TRUNCATE ... RESTART IDENTITY: every identity and owned sequence of the tables. */
    noteTruncate(s) {
        this.facts.setvals++;
        for (const p of truncatePositions(s.head))
            this.notePosition(p);
    }
    // ---- meta-commands
    metaCommand(name, args, at) {
        if (name === "c" || name === "connect") {
            this.connects++;
            if (this.connects > 1) {
                throw this.problem("the script connects to a second database (\\connect): it holds several databases (pg_dumpall output?). seq-guard restores one database per dump: dump each database with pg_dump and give each file.");
            }
            // A dump made with pg_dump --create connects to the database it just created: stay in the scratch one.
            this.facts.skippedDatabase++;
            return;
        }
        if (IGNORED_META.has(name))
            return;
        if ((name === "g" || name === "gx") && args.trim() === "") {
            // Sends the statement, as ; does.
            this.endStatement(at);
            return;
        }
        const include = name === "i" || name === "include" || name === "ir" || name === "include_relative";
        if ((include || name === "copy") && this.stmt) {
            throw this.problem(`\\${name} stands inside a statement (after its first words, before the ; that ends it). Put it on a line of its own, between statements.`);
        }
        if (include) {
            const path = firstArg(args);
            if (path === "")
                throw this.problem(`\\${name} names no file. Name the file to include.`);
            if (this.ctx.depth >= MAX_INCLUDE_DEPTH) {
                throw this.problem(`the script includes files more than ${MAX_INCLUDE_DEPTH} deep (${path}): does a file include itself?`);
            }
            const relative = name === "ir" || name === "include_relative";
            this.mark(at, { k: "include", path, relative, line: this.facts.lines, command: name });
            this.pauseAfterLine = true;
            return;
        }
        if (name === "copy") {
            const c = slashCopy(args);
            if ("problem" in c)
                throw this.problem(refusal(name, c.problem));
            this.mark(at, { k: "copy", sql: Buffer.from(c.sql, "latin1"), file: c.file, line: this.facts.lines });
            this.facts.copies++;
            if (c.file === null)
                this.copyNext = true;
            return;
        }
        throw this.problem(refusal(name, REFUSED_META[name] ?? "is a psql meta-command"));
    }
}

// EXTERNAL MODULE: ./node_modules/pg-copy-streams/index.js
var pg_copy_streams = __webpack_require__(6901);
;// CONCATENATED MODULE: ./src/restore/copy-in.ts
// COPY ... FROM STDIN over a node-postgres session (pg-copy-streams), fed as the data is read: one piece in
// flight at a time, and the server's verdict at the end. A statement that does not start COPY ends as an error
// here, never as an exception in the connection's message handler.

/** COPY ... FROM STDIN over the connection, fed as the data is read. */
class CopyIn {
    stream;
    error = null;
    done;
    constructor(client, sql) {
        const stream = (0,pg_copy_streams/* from */.H)(sql);
        // What pg-copy-streams does not expect (the server answered without entering COPY mode) ends as an error
        // here rather than as an exception thrown in the connection's message handler.
        const s = stream;
        const ready = s.handleReadyForQuery;
        s.handleReadyForQuery = function () {
            if (typeof this.cb_ReadyForQuery === "function")
                ready.call(this);
            else
                this.emit("error", new Error("the statement did not start COPY FROM STDIN"));
        };
        s.handleCopyData = () => undefined;
        this.stream = client.query(stream);
        this.done = new Promise((res) => {
            this.stream.on("finish", () => res());
            this.stream.on("error", (e) => {
                this.error ??= e;
                res();
            });
        });
    }
    /** Send a piece of data; resolves once it is handed to the socket (one piece in flight at a time). */
    async write(buf) {
        if (this.error)
            return;
        await Promise.race([new Promise((res) => this.stream.write(buf, () => res())), this.done]);
    }
    /** The data is complete: the server's verdict (null when the rows went in). */
    async end() {
        if (!this.error)
            this.stream.end();
        await this.done;
        return this.error;
    }
}

;// CONCATENATED MODULE: ./src/restore/plain-session.ts
// The session a plain SQL script runs in, and how its statements are sent: alone, or several in one simple query
// (a batch: one round trip) where that cannot change what they do; in one transaction with -1
// (--single-transaction), each statement behind a savepoint where a failure may be passed over; COPY data through
// the COPY protocol (copy-in.ts). A failing statement is named by its file and line (also inside a batch, from
// the error's position) and passed over (tolerated by the sandbox, or on-restore-error continue) or the end of
// the restore, with what to do about it.





const isDatabaseError = (e) => e instanceof Error && typeof e.severity === "string" && "code" in e;
/** "ERROR: message DETAIL: ... HINT: ... CONTEXT: ..." on one line (as seq-guard has always shown psql's). */
function describeError(e) {
    let text = `${e.severity ?? "ERROR"}: ${e.message}`;
    if (e.detail)
        text += ` DETAIL: ${e.detail}`;
    if (e.hint)
        text += ` HINT: ${e.hint}`;
    if (e.where)
        text += ` CONTEXT: ${e.where}`;
    return text.replace(/\s*\n\s*/g, " ");
}
const endSentence = (t) => (/[.!?]$/.test(t) ? t : `${t}.`);
/** The line of `text` (which starts on line `first`) that the error's 1-based character position falls on. */
function lineOfPosition(text, first, position) {
    let line = first;
    if (position > 0) {
        for (let i = text.indexOf("\n"); i >= 0 && i < position - 1; i = text.indexOf("\n", i + 1))
            line++;
    }
    return line;
}
/** The data line a COPY error names in its context ("COPY t, line 3: ..."), or null. */
function copyErrorLine(err) {
    const m = /^COPY [^,]+, line (\d+)/.exec(err.where ?? "");
    return m ? Number(m[1]) : null;
}
const SHOWN_ERRORS = 20;
/** The savepoint before each statement (in a batch, and with -1 where a failure may be passed over). */
const SAVEPOINT = "seq_guard_statement";
/** A batch holds at most this many statements, or about this many bytes. */
const BATCH_STATEMENTS = 200;
const BATCH_BYTES = 256 * 1024;
/** Statements that go alone: transaction control (a batch is one implicit transaction) and encoding switches. */
const ALONE = /^(BEGIN|START|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|RELEASE|PREPARE|SET\s+(LOCAL\s+|SESSION\s+)?TRANSACTION|SET\s+SESSION\s+CHARACTERISTICS)\b|client_encoding/i;
const TOLERATE_TEXT = 4096;
class PlainSession {
    o;
    what;
    client;
    /** Why the script did not restore, as a whole message; null while it goes on. */
    failure = null;
    /** Errors passed over (on-restore-error continue): the first 20, and how many. */
    errors = [];
    errorCount = 0;
    savepoint = false;
    encodingChange = null;
    /** Statements not sent yet (see runBatch), and their bytes. */
    batch = [];
    batchBytes = 0;
    /** The session's transaction status after the last query ("I": idle, outside a transaction block). */
    txStatus = "I";
    /** CommandComplete messages since the last batch was sent: the statements of it that ran. */
    completed = 0;
    constructor(o, 
    /** "could not restore FILE (plain SQL)", the start of a failure's message. */
    what) {
        this.o = o;
        this.what = what;
    }
    get stopped() {
        return this.failure !== null;
    }
    /** Run in this session: what the server says of it (encoding, transaction status, statements done) is followed. */
    attach(client) {
        this.client = client;
        const connection = client.connection;
        connection?.on("parameterStatus", (m) => {
            if (m.parameterName === "client_encoding" && m.parameterValue !== "UTF8") {
                this.encodingChange = m.parameterValue ?? "";
            }
        });
        connection?.on("readyForQuery", (m) => {
            this.txStatus = m.status ?? "I";
        });
        connection?.on("commandComplete", () => {
            this.completed++;
        });
    }
    /** In a single transaction, what the script's own transaction control would break. */
    transactionControl(text, line, where) {
        if (!this.o.singleTransaction)
            return null;
        const m = /^(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|ABORT|PREPARE\s+TRANSACTION)\b(\s+(TO|PREPARED)\b)?/i.exec(text);
        if (!m || /^TO$/i.test(m[3] ?? ""))
            return null;
        const verb = m[1].toUpperCase().replace(/\s+/g, " ");
        if ((verb === "BEGIN" || verb === "START TRANSACTION" || verb === "COMMIT" || verb === "END") && !m[3]) {
            return "skip"; // the whole script is one transaction already
        }
        throw new PlainSqlProblem(line, `the script ends its transaction itself (${verb}${m[3] ? ` ${m[3].toUpperCase()}` : ""}), which --single-transaction cannot wrap. Restore it without --single-transaction (restore argument -1).`, where.script.ctx.display);
    }
    /** What goes before a statement: in a single transaction with `tolerate`, a savepoint to return to. */
    prefix() {
        if (!(this.o.singleTransaction && this.o.tolerate))
            return "";
        const p = this.savepoint
            ? `RELEASE SAVEPOINT ${SAVEPOINT}; SAVEPOINT ${SAVEPOINT}; `
            : `SAVEPOINT ${SAVEPOINT}; `;
        this.savepoint = true;
        return p;
    }
    /**
     * A statement to run: into the batch when it can go with others, else alone (after the batch). Only outside
     * --single-transaction and outside a transaction block the script opened, and for statements ending in their
     * own ; (one ended by \g or by the end of the file could end in a comment).
     */
    async exec(text, first, last, where) {
        const batchable = !this.o.singleTransaction && this.txStatus === "I" && /;\s*$/.test(text) && !ALONE.test(text);
        if (!batchable) {
            await this.flush();
            if (this.stopped)
                return;
            await this.execOne(text, first, last, where);
            return;
        }
        this.batch.push({ text, first, last, where });
        this.batchBytes += text.length;
        if (this.batch.length >= BATCH_STATEMENTS || this.batchBytes >= BATCH_BYTES)
            await this.flush();
    }
    /** Send the statements waiting in the batch. */
    async flush() {
        const list = this.batch;
        this.batch = [];
        this.batchBytes = 0;
        if (list.length > 0 && !this.stopped)
            await this.runBatch(list);
    }
    /**
     * Statements in one simple query: one round trip instead of one each (a pg_dump script holds thousands). The
     * query is an explicit transaction with a savepoint before each statement, so that when one fails (the server
     * then skips the rest of the query) the ones before it are kept: back to the savepoint, commit, and nothing is
     * ever sent twice. (Sending them again would run their nextval() calls twice, which are not transactional: a
     * sequence would end ahead of where psql leaves it, and a behind one could read as fine.) The failing statement
     * is reported from the batch's own error (its position mapped to the statement), passed over or tolerated as
     * any other. Only a statement that cannot run in a transaction block (VACUUM, CREATE INDEX CONCURRENTLY: it
     * fails before doing anything) or uses an enum value added in the same transaction is then sent again alone,
     * as psql would send it. A failure at COMMIT (a deferred constraint) undoes the whole batch: its statements are
     * then sent one by one, as psql would have.
     */
    async runBatch(list) {
        let rest = list;
        while (rest.length > 0 && !this.stopped) {
            const head = rest[0];
            if (rest.length === 1) {
                await this.execOne(head.text, head.first, head.last, head.where);
                return;
            }
            const step = `RELEASE SAVEPOINT ${SAVEPOINT}; SAVEPOINT ${SAVEPOINT};`;
            const parts = [`BEGIN; SAVEPOINT ${SAVEPOINT};`];
            const offsets = [];
            let at = parts[0].length + 1;
            for (const b of rest) {
                offsets.push(at);
                parts.push(b.text, step);
                at += b.text.length + 1 + step.length + 1;
            }
            parts.push("COMMIT;");
            this.completed = 0;
            try {
                await this.client.query(parts.join("\n"));
                this.checkEncoding(head.first, head.where);
                return;
            }
            catch (err) {
                if (!isDatabaseError(err) || (0,cleanup/* interrupted */.VM)())
                    throw err;
                this.encodingChange = null;
                // CommandComplete: BEGIN and SAVEPOINT, then three for each statement that ran (it, RELEASE, SAVEPOINT).
                const ran = Math.floor((this.completed - 2) / 3);
                if (ran >= rest.length || ran < 0) {
                    // COMMIT failed (or BEGIN did): nothing of the batch stayed.
                    if (this.txStatus !== "I")
                        await this.client.query("ROLLBACK");
                    for (const b of rest) {
                        if (this.stopped)
                            return;
                        await this.execOne(b.text, b.first, b.last, b.where);
                    }
                    return;
                }
                await this.client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}; COMMIT`);
                const failed = rest[ran];
                const code = (0,sqlstate/* sqlStateOf */.v9)(err);
                if (code === sqlstate/* SQLSTATE */.cD.activeSqlTransaction || code === sqlstate/* SQLSTATE */.cD.unsafeNewEnumValueUsage) {
                    await this.execOne(failed.text, failed.first, failed.last, failed.where);
                }
                else {
                    const position = Number(err.position) - offsets[ran];
                    await this.failedStatement(err, failed, lineOfPosition(failed.text, failed.first, position));
                }
                rest = rest.slice(ran + 1);
            }
        }
    }
    async execOne(text, first, last, where) {
        if (this.transactionControl(text, first, where) === "skip")
            return;
        const prefix = this.prefix();
        try {
            await this.client.query(prefix + text);
        }
        catch (err) {
            if (!isDatabaseError(err) || (0,cleanup/* interrupted */.VM)())
                throw err;
            const position = Number(err.position) - prefix.length;
            await this.failedStatement(err, { text, first, last, where }, lineOfPosition(text, first, position));
        }
        this.checkEncoding(first, where);
    }
    /** A statement failed at `line`: what to fix names the statement's lines. */
    failedStatement(err, s, line) {
        const fix = s.first < s.last ? `the statement on lines ${s.first}-${s.last}` : "the statement on that line";
        return this.failed(err, s.text, s.where, line, fix);
    }
    /** A statement failed: passed over (tolerated, or on-restore-error continue) or the end of the restore. */
    async failed(err, text, where, line, fix) {
        if (this.o.singleTransaction && this.savepoint)
            await this.client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
        const tolerated = (await this.o.tolerate?.(text.slice(0, TOLERATE_TEXT), err, this.client)) ?? false;
        if (tolerated && (!this.o.singleTransaction || this.savepoint))
            return;
        const at = `${where.shown}:${line}: ${describeError(err)}`;
        if (this.o.onError === "continue" && !this.o.singleTransaction) {
            this.errorCount++;
            if (this.errors.length < SHOWN_ERRORS)
                this.errors.push(at);
            return;
        }
        const remedy = this.o.singleTransaction
            ? `Fix ${fix}; with --single-transaction (restore argument -1) the whole script was rolled back.`
            : `Fix ${fix}, or pass ${words/* say */.cv.set("on-restore-error", "continue")} to restore past failing statements.`;
        this.failure = `${this.what}: ${endSentence(at)} ${remedy}`;
    }
    /** set_config('client_encoding', ...) or the like changed the session's encoding under node-postgres. */
    checkEncoding(line, where) {
        if (this.encodingChange === null)
            return;
        throw new PlainSqlProblem(line, `this statement changed the session's client_encoding to ${this.encodingChange}: seq-guard's session speaks UTF-8 only. Write SET client_encoding = '...'; as a statement of its own (seq-guard then converts the rest of the script), or remove it.`, where.script.ctx.display);
    }
    /**
     * Start COPY ... FROM STDIN with this statement (on line `sqlLine`: a script's COPY, or \copy ... FROM stdin),
     * its data to follow in the script after line `dataFrom`.
     */
    startCopy(text, sqlLine, dataFrom, where) {
        this.transactionControl(text, sqlLine, where);
        return { in: new CopyIn(this.client, this.prefix() + text), text, sqlLine, dataFrom, where };
    }
    /** Start COPY ... FROM STDIN for \copy ... FROM a file. */
    copyFromFile(text) {
        return new CopyIn(this.client, this.prefix() + text);
    }
    /** COPY data is complete (or failed): the server's verdict, errors named by the data line they are on. */
    async endCopy(c) {
        const err = await c.in.end();
        if (!err)
            return;
        if (!isDatabaseError(err))
            throw err;
        const dataLine = copyErrorLine(err);
        await this.failed(err, c.text, c.where, dataLine !== null ? c.dataFrom + dataLine : c.sqlLine, dataLine !== null
            ? `the data on that line (COPY on line ${c.sqlLine})`
            : `the COPY on line ${c.sqlLine}`);
    }
}

;// CONCATENATED MODULE: ./src/restore/run-plain.ts
// Running a plain SQL script (.sql, .sql.gz) over seq-guard's own connection, without psql: the server is the only
// SQL parser that matters, so whatever this side misreads in a hostile fixture ends as an SQL error, never as a
// shell command or a file read outside the fixture's folder. The script is read in chunks (gzip inflated on the
// way) and each chunk's events (plain/script.ts: statements, COPY data, \i, \copy) are run before the next chunk
// is read, so memory holds about one chunk. How statements and COPY data go to the server, and what a failure
// means, is the session's (plain-session.ts). \i, \ir and \copy ... FROM reach only files whose real path lies in
// the fixture's folder.











/** The options every script of a restore is read with: pg_restore's --no-owner --no-privileges. */
const FILTER = { noOwner: true, noPrivileges: true };
class Runner {
    o;
    client;
    session;
    constructor(o) {
        this.o = o;
        this.session = new PlainSession(o, this.what());
    }
    async run() {
        const o = this.o;
        const session = this.session;
        (0,cleanup/* throwIfInterrupted */.sK)();
        const top = new SqlScript(FILTER, { file: null, display: null, depth: 0, order: { n: 0 } });
        const result = () => ({
            failure: session.failure,
            facts: top.facts,
            passedOver: session.errors,
            passedOverCount: session.errorCount,
        });
        const source = (0,external_node_fs_.createReadStream)(o.path, { highWaterMark: 1 << 20 });
        let read = 0;
        const count = (n) => {
            read += n;
            o.onRead?.(read);
        };
        let inputError = null;
        source.on("error", (e) => {
            inputError ??= e;
        });
        let input = source;
        if (o.format === "plain-gzip") {
            const gunzip = external_node_zlib_default().createGunzip({ chunkSize: 1 << 18 });
            source.on("error", (e) => gunzip.destroy(e));
            gunzip.on("error", (e) => {
                inputError ??= e;
            });
            // Piped at once (flowing): what gunzip has not given out yet holds the source back.
            source.on("data", (c) => count(c.length));
            input = source.pipe(gunzip);
        }
        const signal = (0,cleanup/* interruption */.YW)();
        const stop = () => {
            input.destroy();
            source.destroy();
            // Ends the session: a statement under way is cancelled with it (the server notices the closed socket; the
            // scratch database is then dropped WITH (FORCE), which ends the session for certain).
            this.client?.end().catch(() => undefined);
        };
        signal.addEventListener("abort", stop, { once: true });
        try {
            try {
                this.client = await o.connect();
            }
            catch (err) {
                if ((0,cleanup/* interrupted */.VM)())
                    throw new cleanup/* InterruptedError */.p4();
                session.failure = `${this.what()}: could not open a session in the scratch database: ${err.message}`;
                return result();
            }
            session.attach(this.client);
            // node-postgres reads and writes UTF-8; the session's default would be the database's encoding.
            await this.client.query("SET client_encoding = 'UTF8'");
            if (o.singleTransaction)
                await this.client.query("BEGIN");
            const chunks = o.format === "plain" ? counted(input, count) : input;
            await this.runScript(top, chunks, { shown: o.path, dir: o.includeDir, script: top });
            await session.flush();
            if (!session.stopped && o.singleTransaction)
                await this.client.query("COMMIT");
            return result();
        }
        catch (err) {
            if ((0,cleanup/* interrupted */.VM)())
                throw new cleanup/* InterruptedError */.p4();
            if (err instanceof PlainSqlProblem) {
                session.failure = `${err.file ?? o.path}:${err.line}: ${err.message}`;
                return result();
            }
            const e = (inputError ?? err);
            if (inputError && o.format === "plain-gzip" && e.code?.startsWith("Z_")) {
                session.failure = `${JSON.stringify(o.path)} is not a whole gzip file (${e.message}): it is truncated or corrupt. Make it again, or copy it again.`;
            }
            else if (inputError) {
                session.failure = `could not read ${JSON.stringify(o.path)}: ${e.message}`;
            }
            else {
                session.failure = `${this.what()}: ${endSentence(isDatabaseError(err) ? describeError(err) : `the session ended: ${e.message}`)}`;
            }
            return result();
        }
        finally {
            signal.removeEventListener("abort", stop);
            input.destroy();
            source.destroy();
            await this.client?.end().catch(() => undefined);
        }
    }
    what() {
        return `could not restore ${JSON.stringify(this.o.path)} (${this.o.format === "plain" ? "plain SQL" : "gzip-compressed plain SQL"})`;
    }
    /** Read a script chunk by chunk, running each chunk's events before the next is read. */
    async runScript(script, input, where) {
        const p = { pieces: [], bytes: 0, copy: null };
        try {
            for await (const chunk of input) {
                if ((0,cleanup/* interrupted */.VM)())
                    throw new cleanup/* InterruptedError */.p4();
                script.feed(chunk);
                await this.drain(script, where, p);
                if (this.session.stopped)
                    return;
            }
            script.end();
            await this.drain(script, where, p);
        }
        catch (err) {
            if (!(err instanceof PlainSqlProblem))
                throw err;
            // What the script can not run: the statements before it run first, so that their error (the first one in
            // the script) is the one reported.
            for (const ev of script.take()) {
                await this.handle(ev, where, p);
                if (this.session.stopped)
                    return;
            }
            await this.session.flush();
            if (!this.session.stopped)
                throw err;
        }
    }
    async drain(script, where, p) {
        for (;;) {
            for (const ev of script.take()) {
                await this.handle(ev, where, p);
                if (this.session.stopped)
                    return;
            }
            if (!script.paused)
                return;
            script.resume();
        }
    }
    async handle(ev, where, p) {
        const session = this.session;
        switch (ev.k) {
            case "sql":
                p.pieces.push(ev.buf);
                p.bytes += ev.buf.length;
                if (p.bytes > STATEMENT_MAX) {
                    throw new PlainSqlProblem(where.script.statementLine ?? where.script.facts.lines, `this statement is longer than ${STATEMENT_MAX / 1024 / 1024} MiB, the most seq-guard reads in one statement (COPY data has no such limit). Split it, or load such values with COPY.`, where.script.ctx.display);
                }
                return;
            case "end": {
                const buf = p.pieces.length === 1 ? p.pieces[0] : Buffer.concat(p.pieces);
                p.pieces = [];
                p.bytes = 0;
                if (ev.blank)
                    return;
                const text = this.text(buf, ev.first, where);
                if (!ev.copy)
                    await session.exec(text, ev.first, ev.last, where);
                else if (await this.sent())
                    p.copy = session.startCopy(text, ev.first, ev.last, where);
                return;
            }
            case "data":
                if (p.copy) {
                    await p.copy.in.write(ev.buf);
                    if (p.copy.in.error && this.o.onError === "stop")
                        await this.endCopy(p);
                }
                return;
            case "copyEnd":
                await this.endCopy(p);
                return;
            case "copy": {
                if (!(await this.sent()))
                    return;
                const text = this.text(ev.sql, ev.line, where);
                if (ev.file === null)
                    p.copy = session.startCopy(text, ev.line, ev.line, where);
                else
                    await this.copyFile(text, ev.file, ev.line, where);
                return;
            }
            case "include":
                if (await this.sent())
                    await this.include(ev, where);
                return;
        }
    }
    /** Send the statements waiting in the batch before what cannot join it; false when the restore stopped. */
    async sent() {
        await this.session.flush();
        return !this.session.stopped;
    }
    /** The COPY under way, if any, is over: the server's verdict. */
    async endCopy(p) {
        const c = p.copy;
        if (!c)
            return;
        p.copy = null;
        await this.session.endCopy(c);
    }
    /** A statement's bytes as text: UTF-8 (the script's own encoding was converted as it was read). */
    text(buf, line, where) {
        const text = decodeUtf8(buf);
        if (text === null) {
            throw new PlainSqlProblem(line, "this statement holds bytes that are not UTF-8, and the script sets no other client_encoding. Add SET client_encoding = '...'; (the encoding the file is written in, LATIN1 for instance) at its top, or convert the file to UTF-8 (iconv).", where.script.ctx.display);
        }
        return text;
    }
    /** The real path of a file a script names, when it lies in the dump's folder; else why not. */
    async confined(path, base, command, line, where) {
        const full = (0,external_node_path_.isAbsolute)(path) ? path : (0,external_node_path_.resolve)(base, path);
        const problem = (why) => new PlainSqlProblem(line, `\\${command} ${path}: ${why}`, where.script.ctx.display);
        let real;
        try {
            real = await (0,promises_.realpath)(full);
        }
        catch (err) {
            throw problem(`could not read it (${err.message}).`);
        }
        if (!(0,paths/* isInside */.F)(this.o.includeDir, real)) {
            throw problem(`it lies outside the dump's folder (${real === full ? real : `${full} leads to ${real}`}), and seq-guard reads only files in the dump's folder, since a dump may come from anyone (a pull request). Copy the file next to the dump.`);
        }
        // Not a regular file (a FIFO, a device): reading it could block or never end.
        if (!(await (0,promises_.stat)(real)).isFile())
            throw problem("it is not a regular file. Name a file.");
        return real;
    }
    async include(ev, where) {
        const parent = where.script;
        const real = await this.confined(ev.path, ev.relative ? where.dir : this.o.includeDir, ev.command, ev.line, where);
        const sub = new SqlScript(FILTER, {
            file: real,
            display: (0,paths/* displayPath */.G)(this.o.includeDir, real),
            depth: parent.ctx.depth + 1,
            order: parent.ctx.order,
            encoding: parent.encoding,
        });
        const input = (0,external_node_fs_.createReadStream)(real, { highWaterMark: 1 << 20 });
        try {
            await this.runScript(sub, input, { shown: sub.ctx.display, dir: (0,external_node_path_.dirname)(real), script: sub });
        }
        finally {
            input.destroy();
        }
        mergeIncluded(parent.facts, sub.facts);
    }
    /** \copy ... FROM 'file': the file's bytes (in the script's encoding) as COPY data. */
    async copyFile(text, file, line, where) {
        const real = await this.confined(file, this.o.includeDir, "copy ... FROM", line, where);
        const shown = (0,paths/* displayPath */.G)(this.o.includeDir, real);
        const convert = encodingTranscoder(where.script.encoding);
        const c = this.session.copyFromFile(text);
        const input = (0,external_node_fs_.createReadStream)(real, { highWaterMark: 1 << 20 });
        try {
            for await (const chunk of input) {
                if ((0,cleanup/* interrupted */.VM)())
                    throw new cleanup/* InterruptedError */.p4();
                let b = chunk;
                if (convert) {
                    try {
                        b = convert(b);
                    }
                    catch {
                        throw new PlainSqlProblem(line, `\\copy ... FROM ${file}: the file holds bytes that are not valid ${where.script.encoding}, the client_encoding the script sets. Fix the file's encoding (iconv).`, where.script.ctx.display);
                    }
                }
                await c.write(b);
                if (c.error)
                    break;
            }
        }
        finally {
            input.destroy();
        }
        const err = await c.end();
        if (!err)
            return;
        if (!isDatabaseError(err))
            throw err;
        const dataLine = copyErrorLine(err);
        await this.session.failed(err, text, dataLine !== null ? { ...where, shown } : where, dataLine ?? line, dataLine !== null
            ? `the data on that line (\\copy on line ${line} of ${where.shown})`
            : "the \\copy on that line");
    }
}
/** The chunks of a stream, counted as they are taken (a 'data' listener would set it flowing before it is read). */
async function* counted(input, count) {
    for await (const chunk of input) {
        count(chunk.length);
        yield chunk;
    }
}
/** Run a plain SQL dump into the session `connect` opens. Throws InterruptedError on Ctrl-C. */
function runPlainScript(opts) {
    return new Runner(opts).run();
}

// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __webpack_require__(6466);
;// CONCATENATED MODULE: ./src/restore/run-tool.ts
// Running a client tool (pg_restore, docker) as a child process: without a shell, its stdin fed from a chain of
// streams, its output kept within bounds (the first and last 64 KB), stopped on Ctrl-C (SIGTERM, then SIGKILL).
// The environment and arguments are the caller's (tools.ts): this file only runs what it is given.





const CAP = 64 * 1024;
/** Keep the first and last 64 KB of a stream's text. */
class Capture {
    head = "";
    tail = "";
    dropped = false;
    add(s) {
        if (this.head.length < CAP) {
            const take = CAP - this.head.length;
            this.head += s.slice(0, take);
            s = s.slice(take);
        }
        if (s.length === 0)
            return;
        this.tail += s;
        if (this.tail.length > 2 * CAP) {
            this.tail = this.tail.slice(-CAP);
            this.dropped = true;
        }
    }
    text() {
        return this.dropped ? `${this.head}\n[...]\n${this.tail.slice(-CAP)}` : this.head + this.tail;
    }
}
const isPipeClosed = (err) => {
    const code = err.code;
    return code === "EPIPE" || code === "ERR_STREAM_DESTROYED" || code === "ERR_STREAM_PREMATURE_CLOSE";
};
/** Run a client tool without a shell; feed it `input` (a chain of streams) on stdin. */
function runTool(cmd, args, env, opts = {}) {
    (0,cleanup/* throwIfInterrupted */.sK)();
    return new Promise((resolvePromise, reject) => {
        const child = (0,external_node_child_process_.spawn)(cmd, args, {
            env,
            stdio: [opts.input ? "pipe" : "ignore", opts.captureStdout ? "pipe" : "ignore", "pipe"],
            windowsHide: true,
        });
        const out = new Capture();
        const err = new Capture();
        let inputError = null;
        let killTimer;
        const kill = () => {
            if (child.exitCode !== null || child.signalCode !== null)
                return;
            child.kill("SIGTERM");
            killTimer = setTimeout(() => child.kill("SIGKILL"), 3000);
            killTimer.unref();
        };
        const unregister = (0,cleanup/* onCleanup */.Ki)(`stop ${(0,external_node_path_.basename)(cmd)}`, kill);
        const signal = (0,cleanup/* interruption */.YW)();
        signal.addEventListener("abort", kill, { once: true });
        child.stdout?.setEncoding("utf8").on("data", (s) => out.add(s));
        child.stderr?.setEncoding("utf8").on("data", (s) => err.add(s));
        if (opts.input && child.stdin) {
            const stdin = child.stdin;
            stdin.on("error", () => undefined);
            (0,external_node_stream_promises_.pipeline)([...opts.input, stdin]).catch((e) => {
                if (isPipeClosed(e))
                    return;
                inputError = e;
                kill();
            });
        }
        child.on("error", (e) => {
            unregister();
            signal.removeEventListener("abort", kill);
            reject(e.code === "ENOENT"
                ? new core_errors/* RestoreError */.DZ(`could not run ${cmd}: it was not found. Install it, or check PATH.`)
                : new core_errors/* RestoreError */.DZ(`could not run ${cmd}: ${e.message}`));
        });
        child.on("close", (code, sig) => {
            clearTimeout(killTimer);
            unregister();
            signal.removeEventListener("abort", kill);
            if ((0,cleanup/* interrupted */.VM)()) {
                reject(new cleanup/* InterruptedError */.p4());
                return;
            }
            resolvePromise({ code, signal: sig, stdout: out.text(), stderr: err.text(), inputError });
        });
    });
}

;// CONCATENATED MODULE: ./src/restore/tools.ts
// pg_restore as the restore runs it: on this machine, or inside the server's container (restore-via, with docker
// exec), logged in as the sandbox's role of the database it restores into (sandbox.ts) or as the connecting role.
// Credentials reach it through a passfile and a service file (credentials.ts) or docker's own environment,
// never its command line; its environment holds nothing else of ours (child-env.ts). Files it must read inside
// the container are copied in first, and removed again.









class RestoreTools {
    connection;
    env;
    via;
    roleOf;
    secrets = new ToolSecrets();
    constructor(connection, env, 
    /** The container the tools run in (restore-via docker:ID); undefined: on this machine. */
    via, 
    /** The sandbox's role of a database being restored, if it has one. */
    roleOf) {
        this.connection = connection;
        this.env = env;
        this.via = via;
        this.roleOf = roleOf;
    }
    /** Remove the passfile and service file made for the tools. */
    close() {
        this.secrets.close();
    }
    /** pg_restore on an archive: the file path locally, the copy in the container, or the file on stdin. */
    pgRestore(p, args, database, opts) {
        if (!this.via)
            return this.local(p.toolPath, { args, database, opts, positional: [(0,external_node_path_.resolve)(p.path)] });
        if (p.containerCopy)
            return this.inContainer(this.via, { args, database, opts, positional: [p.containerCopy] });
        const input = [(0,external_node_fs_.createReadStream)(p.path)];
        return this.inContainer(this.via, { args, database, opts: { ...opts, input }, positional: [] });
    }
    /** pg_restore on this machine: the server in --dbname, the credentials in files. */
    local(toolPath, { args, database, opts, positional }) {
        const env = { ...childEnv(this.env), PGAPPNAME: this.env.PGAPPNAME ?? "seq-guard" };
        const dbname = [];
        if (database !== null) {
            const role = this.roleOf(database);
            const target = libpqTarget(this.connection, database, {
                as: role?.name,
                service: (sslpassword) => this.secrets.serviceFor(sslpassword),
            });
            if (target.env.PGSERVICEFILE !== undefined)
                env.PGSERVICEFILE = target.env.PGSERVICEFILE;
            if (role) {
                // The sandbox's role (see sandbox.ts): its name in place of the connecting role's, its passfile.
                env.PGUSER = role.name;
                env.PGPASSFILE = role.passfile;
            }
            else {
                const password = target.env.PGPASSWORD ?? this.env.PGPASSWORD;
                if (password !== undefined)
                    env.PGPASSFILE = this.secrets.passfileFor(password);
            }
            dbname.push(`--dbname=${target.dbname}`);
        }
        return runTool(toolPath, [...args, ...dbname, ...positional], env, opts);
    }
    /** pg_restore inside the container, with docker exec. */
    inContainer(via, { args, database, opts, positional }) {
        const role = database ? this.roleOf(database) : undefined;
        // docker exec -e NAME hands the value from docker's own environment into the container's tool. (The sandbox
        // role's password lives only as long as the restore and opens nothing but its scratch database.)
        const creds = role
            ? { PGUSER: role.name, PGPASSWORD: role.password }
            : containerCredentials(this.connection, this.env);
        const env = { ...childEnv(this.env), ...creds, PGAPPNAME: "seq-guard" };
        const dockerArgs = ["exec"];
        if (opts.input)
            dockerArgs.push("-i");
        for (const k of Object.keys(creds))
            dockerArgs.push("-e", k);
        dockerArgs.push("-e", "PGAPPNAME", via, "pg_restore", ...args);
        if (database)
            dockerArgs.push(`--dbname=${dbnameOnly(database)}`);
        dockerArgs.push(...positional);
        return runTool("docker", dockerArgs, env, opts);
    }
    /**
     * A file or folder for pg_restore: as it is on this machine, or copied into the container's /tmp (the copy is
     * removed again by `cleanups`, or on Ctrl-C) and named by its copy.
     */
    async reachable(path, cleanups) {
        return this.via ? await this.copyIn(this.via, path, cleanups) : path;
    }
    /** Copy a file or folder into the container's /tmp; the copy is removed again (cleanups, or on Ctrl-C). */
    async copyIn(via, path, cleanups) {
        const dest = `/tmp/seq-guard-${(0,external_node_crypto_.randomBytes)(6).toString("hex")}`;
        const remove = () => runTool("docker", ["exec", via, "rm", "-rf", dest], childEnv(this.env)).then(() => undefined, () => undefined);
        const undo = (0,cleanup/* onCleanup */.Ki)(`remove the copy ${dest} in container ${via}`, remove, () => `the copy ${dest} in container ${via} (docker exec ${via} rm -rf ${dest})`);
        cleanups.push(async () => {
            await remove();
            undo();
        });
        const cp = await runTool("docker", ["cp", path, `${via}:${dest}`], childEnv(this.env));
        if (cp.code !== 0) {
            throw new core_errors/* RestoreError */.DZ(`could not copy ${JSON.stringify(path)} into container ${via}: ${cp.stderr.trim() || `docker cp exited with ${cp.code}`}`);
        }
        return dest;
    }
}

;// CONCATENATED MODULE: ./src/restore/restore.ts
// Restoring dumps into a fresh database: created from template0 with the (first) dump's encoding (database.ts),
// then filled by pg_restore (custom, directory, tar: archive.ts) or by seq-guard itself over its own session
// (plain SQL, run-plain.ts; gzip decompressed on the way by zlib, never to disk). Usually one dump per database;
// several dumps under one restore-database (a schema file and a data file) go into it one after the other.
// Databases are made and dropped over a connection to a maintenance database (sessions.ts), never from inside
// the one dropped. Each database is restored as a throwaway role of its own unless the fixture is trusted
// (sandboxes.ts). Child processes get credentials through files, never their environment or argv, and run
// without a shell (tools.ts). Everything created registers its undo with cleanup.ts, so a failure or Ctrl-C
// leaves nothing. This file is the Restorer, which puts those steps in order.

















// The front ends take the scratch database's name from here.

const isArchive = (p) => p.format !== "plain" && p.format !== "plain-gzip";
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
/** Dumps into scratch databases on one server. */
class Restorer {
    connection;
    maintenance;
    admin;
    connectedDatabase;
    serverVersionNum;
    opts;
    env;
    tools;
    sandboxes;
    constructor(connection, 
    /** The maintenance database the admin session is in: databases are made and dropped from there. */
    maintenance, admin, 
    /** The database the connection settings name (never restored into). */
    connectedDatabase, serverVersionNum, opts, env, 
    /** The connecting role, and whether it may make the restore's sandbox role (see sandbox.ts). */
    adminRole) {
        this.connection = connection;
        this.maintenance = maintenance;
        this.admin = admin;
        this.connectedDatabase = connectedDatabase;
        this.serverVersionNum = serverVersionNum;
        this.opts = opts;
        this.env = env;
        this.sandboxes = new Sandboxes(connection, maintenance, admin, adminRole, opts);
        this.tools = new RestoreTools(connection, env, opts.viaContainer, (db) => this.sandboxes.roleOf(db));
    }
    static async open(connection, opts, connectTimeoutMs, env = process.env) {
        const ssl = opts.viaContainer === undefined ? sslpasswordProblem(connection, env) : null;
        if (ssl)
            throw new core_errors/* UsageError */.eb(ssl);
        const s = await openAdmin(connection, connectTimeoutMs, sandboxPossible);
        return new Restorer(connection, s.maintenance, s.admin, s.connectedDatabase, s.serverVersionNum, opts, env, {
            name: s.more.role,
            sandbox: s.more.ok && !opts.trustFixture,
        });
    }
    async close() {
        await this.admin.end().catch(() => undefined);
        this.tools.close();
    }
    get serverMajor() {
        return Math.floor(this.serverVersionNum / 10000);
    }
    /** A database name for a dump that does not exist yet on the server (or the restore-database named). */
    async nameFor(path) {
        return this.opts.database ?? (await freeName(this.admin, path));
    }
    /**
     * Check the restore-database before anything is restored: not the database seq-guard connects to, and it must
     * not exist, or be empty, unless clean drops it.
     */
    async checkNamedDatabase() {
        const name = this.opts.database;
        if (!name)
            return;
        await checkNamedDatabase(this.admin, this.connection, {
            name,
            clean: this.opts.clean,
            connectedDatabase: this.connectedDatabase,
        });
    }
    /** Drop a database (with any sessions still in it). Uses its own connection, so it works mid-query too. */
    async drop(name) {
        await dropDatabase(this.maintenance, name, this.serverVersionNum);
    }
    /**
     * The restore into `name` is over: its sandbox role goes (see Sandboxes.finish). Returns what is left behind
     * when that fails, for the report.
     */
    finish(name, dropped) {
        return this.sandboxes.finish(name, dropped);
    }
    /**
     * Restore dumps, in order, into one database (usually one dump). Throws RestoreError (nothing left behind) or
     * InterruptedError.
     */
    async restore(infos, name, progress) {
        for (const info of infos) {
            const d = info.detection;
            if (!d.ok)
                throw new core_errors/* RestoreError */.DZ(`${JSON.stringify(info.path)} cannot be restored: ${d.problem}`);
        }
        (0,cleanup/* throwIfInterrupted */.sK)();
        const notes = [];
        const started = Date.now();
        const cleanups = [];
        let createdHere = false;
        let undoDb = null;
        let existing = false;
        try {
            // Everything that can fail without touching the server comes first: choose the tools, copy what the
            // container needs, read the tables of contents.
            const toolArgs = await pgRestoreArgs(this.tools, this.opts.extraArgs, cleanups);
            const prepared = [];
            for (const info of infos)
                prepared.push(await this.prepare(info, toolArgs, notes, cleanups));
            // The database: the restore-database (dropped first with clean; an existing empty one is used as it is),
            // or a fresh name.
            (0,cleanup/* throwIfInterrupted */.sK)();
            existing = this.opts.database !== undefined && (await databaseExists(this.admin, name));
            if (existing && this.opts.clean)
                await this.drop(name);
            if (!existing || this.opts.clean) {
                let creating = null;
                const server = (0,db_connection/* serverLabel */.KM)(this.maintenance);
                undoDb = (0,cleanup/* onCleanup */.Ki)(`drop database ${name}`, async () => {
                    await creating?.catch(() => undefined);
                    // The restore role owned the database, so its own undo (newer, so run first) could not drop it: it
                    // goes after the database, also when the drop says the database is gone already.
                    try {
                        await this.drop(name);
                    }
                    finally {
                        await this.finish(name, true);
                    }
                }, 
                // For a person to run: the name always in double quotes, which suits any name (a reserved word, capitals).
                () => `database ${name} on ${server} (DROP DATABASE "${name.replaceAll('"', '""')}")`);
                creating = createDatabase(this.admin, name, prepared[0].encoding, notes);
                await creating;
                createdHere = true;
            }
            await this.sandboxes.enter(name, notes);
            let stats = null;
            const plain = [];
            for (const p of prepared) {
                const r = await this.restoreOne(p, name, toolArgs, notes, progress);
                if (r.failure) {
                    let failure = r.failure;
                    if (prepared.length > 1 && p !== prepared[0]) {
                        failure += ` (${p.info.path} is dump ${prepared.indexOf(p) + 1} of ${prepared.length} restored into ${name}; those before it restored)`;
                    }
                    if (existing && !this.opts.clean) {
                        failure += ` The database ${name} existed before and was restored into in part: drop it, or run again with ${words/* say */.cv.enable("clean")}.`;
                    }
                    throw new core_errors/* RestoreError */.DZ(failure);
                }
                if (isArchive(p))
                    stats = stats ? (0,hints/* mergeListStats */.w)(stats, p.stats) : p.stats;
                if (r.facts)
                    plain.push({ path: p.info.path, facts: r.facts });
            }
            // A database that stays (kept, or there before) passes to the connecting role now; a scratch one keeps its
            // role until it is dropped (finish).
            if (this.opts.keep || !createdHere) {
                const left = await this.finish(name, false);
                if (left)
                    notes.push(left);
            }
            return {
                database: name,
                created: createdHere,
                format: prepared[0].format,
                restoreMs: Date.now() - started,
                notes,
                archive: stats ? { stats, selection: (0,hints/* selectionArgs */.YJ)(this.opts.extraArgs) } : null,
                plain,
                release: undoDb,
            };
        }
        catch (err) {
            // Interrupted: the cleanup's undo drops it (dropping it here too would race that drop).
            if (createdHere && !(0,cleanup/* interrupted */.VM)())
                await this.drop(name).catch(() => undefined);
            // Interrupted: the registered undos drop it (also when CREATE DATABASE was still under way), then the role.
            if (!(0,cleanup/* interrupted */.VM)()) {
                undoDb?.();
                const left = await this.finish(name, createdHere);
                if (left && err instanceof core_errors/* SeqGuardError */.rv)
                    err.message += ` ${left}`;
            }
            throw err;
        }
        finally {
            if (!(0,cleanup/* interrupted */.VM)())
                for (const c of cleanups.reverse())
                    await c();
            progress(null);
        }
    }
    /** Choose the tool for a dump, copy it into the container if need be, read its table of contents. */
    async prepare(info, toolArgs, notes, cleanups) {
        const d = info.detection;
        if (d.format === "plain" || d.format === "plain-gzip") {
            // No client tool: seq-guard runs plain SQL itself, also with restore-via (over its own connection).
            return { info, format: d.format, encoding: d.encoding };
        }
        return prepareArchive(this.tools, info, { ...this.opts, pgRestoreArgs: toolArgs, serverMajor: this.serverMajor, env: this.env }, notes, cleanups);
    }
    /** Restore one prepared dump into the database; a failure comes back as its message. */
    async restoreOne(p, name, toolArgs, notes, progress) {
        const { info, format } = p;
        const started = Date.now();
        let read = null;
        const ticker = setInterval(() => {
            const s = Math.round((Date.now() - started) / 1000);
            const done = read !== null ? `${mb(read).replace(/ MB$/, "")} of ${mb(info.size)} read` : mb(info.size);
            progress(`restoring ${(0,external_node_path_.basename)(info.path)} (${format}): ${done}, ${s}s`);
        }, 1000);
        ticker.unref();
        progress(`restoring ${(0,external_node_path_.basename)(info.path)} (${format}): ${mb(info.size)}`);
        try {
            if (isArchive(p)) {
                const failure = await restoreArchive(this.tools, this.sandboxes, p, name, { ...this.opts, pgRestoreArgs: toolArgs }, notes);
                return { failure, facts: null };
            }
            // Plain SQL is run by seq-guard itself over its own session (run-plain.ts), never by psql: \i, \ir and
            // \copy reach files in the dump's folder only.
            read = 0;
            const run = await runPlainScript({
                path: info.path,
                format: p.format,
                connect: () => this.restoreSession(name),
                includeDir: await (0,promises_.realpath)((0,external_node_path_.dirname)((0,external_node_path_.resolve)(info.path))),
                onError: this.opts.onError,
                singleTransaction: (0,restore_args/* plainSingleTransaction */.rJ)(this.opts.extraArgs),
                tolerate: (statement, err, session) => this.sandboxes.passFailure(name, statement, err, session),
                onRead: (bytes) => {
                    read = bytes;
                },
            });
            if (run.failure !== null) {
                const sandboxed = this.sandboxes.roleOf(name) !== undefined;
                return { failure: run.failure + sandboxRemedy(run.failure, sandboxed), facts: run.facts };
            }
            notes.push(...passedOver("seq-guard", run.passedOver, run.passedOverCount));
            return { failure: null, facts: run.facts };
        }
        finally {
            clearInterval(ticker);
        }
    }
    /**
     * A session in the scratch database `name` for running a plain SQL script: opened as the restore role (see
     * sandbox.ts) unless the fixture is trusted or no such role could be made. The caller ends it.
     */
    async restoreSession(name) {
        const role = this.sandboxes.roleOf(name);
        const target = (0,db_connection/* withDatabase */.kR)(this.connection, name);
        const c = sessionClient(role ? (0,db_connection/* withLogin */.E6)(target, role.name, role.password) : target);
        await c.connect();
        return c;
    }
}


/***/ })

};
