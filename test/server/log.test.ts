// The server's rate-limited log, on a clock the test moves.
import { describe, expect, it } from "vitest";
import { RateLimitedLog } from "../../lib/server/log.ts";

describe("the rate-limited log", () => {
  it("writes a few lines of a kind per window, then one line saying how many it held back", () => {
    let now = 0;
    const lines: string[] = [];
    const log = new RateLimitedLog({ perKey: 3, windowMs: 60_000 }, () => now);
    const sink = (l: string) => lines.push(l);
    for (let i = 0; i < 500; i++) log.write(`[onAuthenticate] permission denied for socket ${1000 + i}`, sink);
    log.write("pcplab: serving on http://localhost:3000", sink);
    expect(lines).toEqual([
      "[onAuthenticate] permission denied for socket 1000",
      "[onAuthenticate] permission denied for socket 1001",
      "[onAuthenticate] permission denied for socket 1002",
      "pcplab: serving on http://localhost:3000",
    ]);
    now = 60_000;
    log.write("[onAuthenticate] permission denied for socket 9", sink);
    expect(lines.slice(4)).toEqual(["pcplab: 497 similar lines suppressed: [onAuthenticate] permission denied for socket #", "[onAuthenticate] permission denied for socket 9"]);
    log.write("[onAuthenticate] permission denied for socket 10", sink);
    log.write("[onAuthenticate] permission denied for socket 11", sink);
    log.write("[onAuthenticate] permission denied for socket 12", sink);
    log.flush();
    expect(lines.slice(6)).toEqual([
      "[onAuthenticate] permission denied for socket 10",
      "[onAuthenticate] permission denied for socket 11",
      "pcplab: 1 similar line suppressed: [onAuthenticate] permission denied for socket #",
    ]);
  });

  it("bounds lines whose text varies without end: past maxKeys kinds they share one budget", () => {
    const lines: string[] = [];
    const log = new RateLimitedLog({ perKey: 2, maxKeys: 10 }, () => 0);
    for (let i = 0; i < 1000; i++) log.write(`closing connection (while handling doc-${"x".repeat(i % 300)}) because of exception`, (l) => lines.push(l));
    expect(lines.length).toBe(10 * 2 + 2);
  });
});
