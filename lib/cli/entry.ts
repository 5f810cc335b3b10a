// What bin/pcplab loads: the commands and the Node.js IO they run with, and
// the pool that spreads runs over threads (tests drive it from the bundle,
// beside which its worker lives).
export { main } from "./main.ts";
export { nodeIO } from "./node-io.ts";
export { runAll } from "./pool.ts";
