// npm run golden: rewrites test/golden/<scenario>.txt from the current
// engine. Review the diff before committing: it shows every number the
// change moved.
import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
for (const file of readdirSync(join(root, "scenarios")).filter((f) => f.endsWith(".scn")).sort()) {
  const r = spawnSync(process.execPath, [join(root, "bin/pcplab"), "run", join(root, "scenarios", file)], { encoding: "utf8" });
  writeFileSync(join(root, "test/golden", file.replace(/\.scn$/, ".txt")), r.stdout);
  console.log(`${file}: exit ${r.status}${r.stderr ? `, ${r.stderr.trim()}` : ""}`);
}
