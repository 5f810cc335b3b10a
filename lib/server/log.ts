// The server's log, rate-limited: a remote party can make the process print
// (a refused WebSocket auth, a malformed message, a hook's error), and one
// line per event lets a flood fill the disk and bury everything else. Each
// kind of line (its text with ids and numbers blanked) is written at most
// `perKey` times a window; past that the lines are counted, and one
// "N similar lines suppressed" line follows when the window ends.
import { format } from "node:util";

export interface LogOptions {
  /** Lines of one kind written per window. */
  perKey: number;
  windowMs: number;
  /** Kinds tracked at once; lines of further kinds share one budget, so varied text cannot escape the limit. */
  maxKeys: number;
}

// Five of a kind a minute shows that something repeats and what it says;
// the rest only add volume.
const DEFAULT_LOG: LogOptions = { perKey: 5, windowMs: 60_000, maxKeys: 100 };

// A line longer than this (an error with its stack, a huge document name) is cut.
const MAX_LINE = 4000;
const OTHER = "(lines of other kinds)";

interface Window {
  start: number;
  written: number;
  suppressed: number;
  sink: (line: string) => void;
  timer?: ReturnType<typeof setTimeout>;
}

/** What makes two lines "the same kind": their first line with UUIDs, hex ids and numbers blanked. */
function lineKind(text: string): string {
  const first = text.split("\n", 1)[0]!;
  return first
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "#")
    .replace(/\b[0-9a-f]*[0-9][0-9a-f]*\b/gi, "#")
    .slice(0, 200);
}

export class RateLimitedLog {
  private readonly opts: LogOptions;
  private readonly windows = new Map<string, Window>();

  constructor(opts: Partial<LogOptions> = {}, private readonly now: () => number = Date.now) {
    this.opts = { ...DEFAULT_LOG, ...opts };
  }

  /** Writes `text` to `sink` unless its kind is over budget this window. */
  write(text: string, sink: (line: string) => void): void {
    let key = lineKind(text);
    if (!this.windows.has(key) && this.windows.size >= this.opts.maxKeys) key = OTHER;
    const now = this.now();
    let w = this.windows.get(key);
    if (w && now - w.start >= this.opts.windowMs) {
      this.end(key);
      w = undefined;
    }
    if (!w) {
      w = { start: now, written: 0, suppressed: 0, sink };
      this.windows.set(key, w);
    }
    if (w.written < this.opts.perKey) {
      w.written++;
      sink(text.length > MAX_LINE ? `${text.slice(0, MAX_LINE)}… (cut)` : text);
      return;
    }
    w.suppressed++;
    if (!w.timer) {
      w.timer = setTimeout(() => this.end(key), w.start + this.opts.windowMs - now);
      w.timer.unref?.();
    }
  }

  /** Ends every window now, writing what each suppressed (at exit). */
  flush(): void {
    for (const key of [...this.windows.keys()]) this.end(key);
  }

  private end(key: string): void {
    const w = this.windows.get(key);
    if (!w) return;
    this.windows.delete(key);
    if (w.timer) clearTimeout(w.timer);
    if (w.suppressed > 0) w.sink(`pcplab: ${w.suppressed} similar line${w.suppressed === 1 ? "" : "s"} suppressed: ${key}`);
  }
}

/** Sends the process's console (ours, Next's and Hocuspocus's, which prints
 * refused auths and bad messages itself) through `log`: log and info to
 * stdout, warn and error to stderr. */
export function routeConsole(log: RateLimitedLog): void {
  const out = (line: string) => void process.stdout.write(line + "\n");
  const err = (line: string) => void process.stderr.write(line + "\n");
  console.log = console.info = (...args: unknown[]) => log.write(format(...args), out);
  console.warn = console.error = (...args: unknown[]) => log.write(format(...args), err);
}

/** A condition logged once when it starts and once when it clears, not per occurrence. */
export class Report {
  private on = false;

  constructor(
    private readonly starts: (why: string) => string,
    private readonly clears: string,
    private readonly log: (message: string) => void = (m) => console.error(m),
  ) {}

  failed(e: unknown): void {
    if (this.on) return;
    this.on = true;
    this.log(this.starts(e instanceof Error ? e.message : String(e)));
  }

  ok(): void {
    if (!this.on) return;
    this.on = false;
    this.log(this.clears);
  }
}
