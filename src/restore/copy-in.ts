// COPY ... FROM STDIN over a node-postgres session (pg-copy-streams), fed as the data is read: one piece in
// flight at a time, and the server's verdict at the end. A statement that does not start COPY ends as an error
// here, never as an exception in the connection's message handler.

import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

/** COPY ... FROM STDIN over the connection, fed as the data is read. */
export class CopyIn {
  private readonly stream: ReturnType<typeof copyFrom>;
  error: Error | null = null;
  private readonly done: Promise<void>;

  constructor(client: pg.Client, sql: string) {
    const stream = copyFrom(sql);
    // What pg-copy-streams does not expect (the server answered without entering COPY mode) ends as an error
    // here rather than as an exception thrown in the connection's message handler.
    const s = stream as unknown as Record<string, unknown>;
    const ready = s.handleReadyForQuery as () => void;
    s.handleReadyForQuery = function (this: {
      cb_ReadyForQuery: unknown;
      emit: (e: string, x: unknown) => void;
    }) {
      if (typeof this.cb_ReadyForQuery === "function") ready.call(this);
      else this.emit("error", new Error("the statement did not start COPY FROM STDIN"));
    };
    s.handleCopyData = () => undefined;
    this.stream = client.query(stream);
    this.done = new Promise((res) => {
      this.stream.on("finish", () => res());
      this.stream.on("error", (e: Error) => {
        this.error ??= e;
        res();
      });
    });
  }

  /** Send a piece of data; resolves once it is handed to the socket (one piece in flight at a time). */
  async write(buf: Buffer): Promise<void> {
    if (this.error) return;
    await Promise.race([new Promise<void>((res) => this.stream.write(buf, () => res())), this.done]);
  }

  /** The data is complete: the server's verdict (null when the rows went in). */
  async end(): Promise<Error | null> {
    if (!this.error) this.stream.end();
    await this.done;
    return this.error;
  }
}
