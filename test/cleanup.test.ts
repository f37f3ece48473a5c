// process/cleanup.ts (the restore registers its undo there): newest first, and what is left behind.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { leftBehind, onCleanup, runCleanups, stillToUndo } from "../src/process/cleanup.ts";

describe("cleanup", () => {
  test("what is still being undone, and what an abandoned cleanup leaves behind", async () => {
    let release: () => void = () => undefined;
    const order: string[] = [];
    onCleanup(
      "stop the embedded PostgreSQL",
      () => order.push("server"),
      () => "the data dir /tmp/x",
    );
    onCleanup(
      "drop database seq_guard_a",
      () =>
        new Promise<void>((resolve) => {
          order.push("drop");
          release = resolve;
        }),
      () => "database seq_guard_a on h:5432 (DROP DATABASE seq_guard_a)",
    );
    const gone = onCleanup("stop psql", () => order.push("psql"));
    gone();
    onCleanup("stop pg_restore", () => order.push("pg_restore"));
    const running = runCleanups(5_000);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(order, ["pg_restore", "drop"], "newest first; an unregistered one never runs");
    assert.equal(stillToUndo(), "dropping database seq_guard_a, stopping the embedded PostgreSQL");
    assert.deepEqual(leftBehind(), [
      "database seq_guard_a on h:5432 (DROP DATABASE seq_guard_a)",
      "the data dir /tmp/x",
    ]);
    release();
    await running;
    assert.deepEqual(order, ["pg_restore", "drop", "server"]);
    assert.deepEqual(leftBehind(), []);
    assert.equal(stillToUndo(), "finishing");
  });
});
