// The CLI's --help text: every command, flag and exit code, in the CLI's words.

import { VERSION } from "../core/version.ts";

export const USAGE = `seq-guard ${VERSION}: find PostgreSQL sequences that fell behind their data, and fix them.

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
