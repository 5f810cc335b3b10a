// npm run bench: prints figures, asserts nothing.
import { benchDsl } from "./dsl.ts";

benchDsl();
console.log();
await import("./engine-core.ts");
