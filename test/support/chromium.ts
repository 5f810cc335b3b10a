// Which Chromium the browser tests drive: CHROMIUM_PATH if set, else the
// system's (Debian's /usr/bin/chromium) when installed, else the build the
// @sparticuz/chromium package carries from the npm registry, unpacked on
// first use. So `npm test` needs nothing but Node on a fresh machine, and a
// machine with a system Chromium uses it.
import { existsSync } from "node:fs";

const SYSTEM = "/usr/bin/chromium";

export async function chromiumPath(): Promise<string> {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  if (existsSync(SYSTEM)) return SYSTEM;
  const { default: packaged } = await import("@sparticuz/chromium");
  return packaged.executablePath();
}
