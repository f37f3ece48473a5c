// The work queue that probing and fixing share: batches wait in a queue, connections (workers) join as they open,
// and each takes the next batch when free. And how a worker does a batch: all in one transaction, or, when that
// fails, one by one, so that one sequence at fault fails alone.

import type pg from "pg";

/**
 * Items worked by a changing set of workers: items can be added while workers run (probing starts on the first
 * sequences discovery hands over while it reads the rest), and workers can join at any time. finish() says no
 * more items come and waits for every item to be done.
 */
export class WorkQueue<T, W> {
  private readonly queue: T[] = [];
  private readonly workers: Promise<void>[] = [];
  private wake: (() => void) | null = null;
  private roomWaiters: (() => void)[] = [];
  private closed = false;

  /** `work` does one item on one worker; an error it throws fails finish(). */
  constructor(private readonly work: (item: T, worker: W) => Promise<void>) {}

  /** Items waiting for a worker. */
  get pending(): number {
    return this.queue.length;
  }

  /** Workers working the queue. */
  get workerCount(): number {
    return this.workers.length;
  }

  add(items: T[]): void {
    this.queue.push(...items);
    this.notify();
  }

  addWorker(worker: W): void {
    this.workers.push(this.loop(worker));
  }

  /**
   * Resolves once at most `items` items wait: a producer that waits here before adding more keeps the queue, and
   * so memory, bounded whatever the size of the database.
   */
  async room(items: number): Promise<void> {
    while (this.queue.length > items && this.workers.length > 0) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
  }

  async finish(): Promise<void> {
    this.closed = true;
    this.notify();
    await Promise.all(this.workers);
  }

  /** Work what is queued on these workers (no more than there are items, at least one), then finish. */
  async run(workers: W[]): Promise<void> {
    for (const w of workers.slice(0, Math.max(1, Math.min(workers.length, this.pending)))) this.addWorker(w);
    await this.finish();
  }

  private notify() {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private async loop(worker: W): Promise<void> {
    for (;;) {
      const item = this.queue.shift();
      if (item !== undefined) {
        await this.work(item, worker);
        const waiters = this.roomWaiters;
        this.roomWaiters = [];
        for (const w of waiters) w();
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => {
        const prev = this.wake;
        this.wake = () => {
          prev?.();
          resolve();
        };
      });
    }
  }
}

/**
 * Do a batch in one transaction; when that fails, roll back and do each item alone in a transaction of its own,
 * to find the one at fault: the others are still done, and the one that fails again is handed to `failed` (after
 * its rollback). `run` opens and commits its own transaction; on an error the server has aborted it.
 */
export async function batchThenEach<T>(
  client: pg.ClientBase,
  batch: T[],
  run: (items: T[]) => Promise<void>,
  failed: (item: T, err: unknown) => void,
): Promise<void> {
  try {
    await run(batch);
    return;
  } catch {
    await rollback(client);
  }
  for (const item of batch) {
    try {
      await run([item]);
    } catch (err) {
      await rollback(client);
      failed(item, err);
    }
  }
}

/** End an aborted transaction; a connection that is gone already has none. */
export async function rollback(client: pg.ClientBase): Promise<void> {
  await client.query("ROLLBACK").catch(() => undefined);
}
