// The update log's INSERT, the one write on the collaboration server's
// relay path (lib/server/collab.ts), timed one per millisecond: with the
// checkpoints in the background (checkpointer.ts, what the server does) and
// with SQLite's automatic checkpoint inside the writer's own commits; and
// what a store, its checkpoint worker included, adds to RSS.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { NotebookStore } from "../lib/server/store.ts";

const INSERTS = 4000;
const UPDATE = new Uint8Array(64).fill(1); // about a keystroke's Yjs update

async function timed(insert: () => void): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < INSERTS; i++) {
    const t0 = performance.now();
    insert();
    ms.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 1));
  }
  return ms.sort((a, b) => a - b);
}

function summary(ms: number[]): string {
  return `p99 ${ms[Math.floor(ms.length * 0.99)]!.toFixed(2)} ms, ${ms.filter((t) => t > 2).length} over 2 ms, slowest ${ms.slice(-5).map((t) => t.toFixed(1)).join(" ")} ms`;
}

export async function benchStore(): Promise<void> {
  const rss0 = process.memoryUsage().rss;
  const background = new NotebookStore(mkdtempSync(join(tmpdir(), "pcplab-bench-store-")));
  await new Promise((r) => setTimeout(r, 1000)); // the checkpoint worker starts
  const workerMiB = (process.memoryUsage().rss - rss0) / 2 ** 20;
  const inBackground = await timed(() => background.appendUpdate("nb", UPDATE));
  background.close();

  // The same file and table, on a connection that checkpoints as SQLite does by default.
  const dir = mkdtempSync(join(tmpdir(), "pcplab-bench-store-"));
  new NotebookStore(dir).close();
  const writer = new Database(join(dir, "pcplab.sqlite"));
  writer.pragma("synchronous = NORMAL");
  const insert = writer.prepare("INSERT INTO updates (doc, data) VALUES (?, ?)");
  const inWriter = await timed(() => insert.run("nb", Buffer.from(UPDATE)));
  writer.close();

  console.log(`store: a store with its checkpoint worker: +${workerMiB.toFixed(0)} MiB RSS`);
  console.log(`store: ${INSERTS} update-log INSERTs, one a millisecond: checkpoints in the background ${summary(inBackground)}; in the writer's commits ${summary(inWriter)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await benchStore();
