// npm run bench: prints figures, asserts nothing.
import { benchApp } from "./app.ts";
import { benchCollab } from "./collab.ts";
import { benchDsl } from "./dsl.ts";
import { benchEngine } from "./engine.ts";
import { benchStore } from "./store.ts";

benchDsl();
console.log();
await benchEngine();
console.log();
await import("./engine-core.ts");
console.log();
await benchApp();
console.log();
await benchStore();
await benchCollab();
