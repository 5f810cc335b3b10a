// How fast one client address may create notebooks: a token bucket per
// address. Creating needs no token, so without this one script could fill
// the disk with blank notebooks (over a thousand a second on one core).
// The map of buckets is bounded: beyond `maxAddresses` the address seen
// least recently is forgotten, so a flood of addresses costs memory once.

export interface CreateQuotaOptions {
  /** Notebooks one address may create per minute, also its burst. */
  perMinute: number;
  /** Addresses remembered at once. */
  maxAddresses?: number;
  /** Milliseconds, injectable so tests need not wait out the window. */
  now?: () => number;
}

export const DEFAULT_CREATES_PER_MINUTE = 30;
const DEFAULT_MAX_ADDRESSES = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

export class CreateQuota {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;

  constructor(private readonly opts: CreateQuotaOptions) {
    this.perMs = opts.perMinute / 60_000;
    this.maxAddresses = opts.maxAddresses ?? DEFAULT_MAX_ADDRESSES;
    this.now = opts.now ?? Date.now;
  }

  /** Takes one creation from the address's bucket: null when allowed, else
   * the whole seconds to wait before the next one would be. */
  take(address: string): number | null {
    const key = addressKey(address);
    const now = this.now();
    const held = this.buckets.get(key);
    const tokens = held ? Math.min(this.opts.perMinute, held.tokens + (now - held.at) * this.perMs) : this.opts.perMinute;
    // Re-inserted so the map's order is least recently seen first.
    this.buckets.delete(key);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000));
    }
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    while (this.buckets.size > this.maxAddresses) this.buckets.delete(this.buckets.keys().next().value!);
    return null;
  }

  /** Addresses currently remembered. */
  get size(): number {
    return this.buckets.size;
  }
}

/** The address a bucket belongs to: IPv4 (also when mapped into IPv6) as
 * is, IPv6 by its /64, since one host is routinely handed a whole /64. */
export function addressKey(address: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (v4) return v4[1]!;
  if (!address.includes(":")) return address;
  const [head, tail] = address.toLowerCase().split("%")[0]!.split("::") as [string, string | undefined];
  const left = head ? head.split(":") : [];
  const right = tail === undefined ? [] : tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}
