// What bin/pcplab loads: the commands and the Node.js IO they run with.
export { main } from "./main.ts";
export { nodeIO } from "./node-io.ts";
