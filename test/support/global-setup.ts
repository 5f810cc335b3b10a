// Builds the Next.js app once before any test that serves it, and only when
// a source is newer than the last build (scripts/build.js decides).
import { buildApp } from "../../scripts/build.js";

export default function setup(): void {
  buildApp({ quiet: true });
}
