// WAL checkpoints off the event loop. SQLite's automatic checkpoint runs
// inside whichever commit takes the log past 1000 pages, fsync included:
// that INSERT takes milliseconds (bench/store.ts prints them), and every
// update waiting behind it in the event loop is relayed that much later.
// So the server's own connection never checkpoints; a worker thread with a
// connection of its own does, PASSIVE (it never waits for or blocks the
// writer), once a second. If the worker cannot run, the writer checkpoints
// as before.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

const EVERY_MS = 1000;
// It runs one pragma a second: small heaps keep its memory down (bench/store.ts
// prints what a store and its worker add to RSS).
const LIMITS = { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8 };

// Plain CommonJS, evaluated: the worker needs no file of its own beside the
// bundled server.
const CHECKPOINT_LOOP = `
const { workerData, parentPort } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma("busy_timeout = 100");
const timer = setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy or interrupted: the next tick tries again.
  }
}, workerData.everyMs);
parentPort.once("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** Moves `db`'s WAL checkpoints to a worker thread; returns what stops it. */
export function checkpointInBackground(db: Database.Database): () => void {
  let worker: Worker;
  try {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    worker = new Worker(CHECKPOINT_LOOP, { eval: true, workerData: { driver, file: db.name, everyMs: EVERY_MS }, resourceLimits: LIMITS });
  } catch {
    return () => {};
  }
  db.pragma("wal_autocheckpoint = 0");
  worker.unref();
  let stopped = false;
  worker.once("error", () => {
    if (!stopped && db.open) db.pragma("wal_autocheckpoint = 1000");
  });
  return () => {
    stopped = true;
    worker.postMessage("stop");
  };
}
