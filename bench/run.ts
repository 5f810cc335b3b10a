// npm run bench: prints figures, asserts nothing.
import { benchDsl } from "./dsl.ts";
import { benchEngine } from "./engine.ts";

benchDsl();
console.log();
benchEngine();
console.log();
await import("./engine-core.ts");
