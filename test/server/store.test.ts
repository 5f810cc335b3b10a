import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NotebookStore } from "../../lib/server/store.ts";

describe("notebook store", () => {
  it("checkpoints the WAL into the database file without the writer doing it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pcplab-store-"));
    const store = new NotebookStore(dir);
    const file = join(dir, "pcplab.sqlite");
    const before = statSync(file).size;
    // 2 MB is half of SQLite's automatic checkpoint threshold, and the
    // writer's own checkpoints are off: only the background one can move
    // these pages into the database file.
    const chunk = new Uint8Array(4096).fill(7);
    for (let i = 0; i < 512; i++) store.appendUpdate("nb", chunk);
    expect(statSync(file).size).toBe(before);
    const deadline = Date.now() + 10_000;
    while (statSync(file).size < before + 2_000_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(statSync(file).size).toBeGreaterThanOrEqual(before + 2_000_000);
    expect(store.loadDoc("nb").parts).toHaveLength(512);
    store.close();
  });
});
