// Fractional order keys: a cell's place is a string that sorts between its
// neighbours', so moving a cell rewrites one field instead of deleting and
// re-inserting it. Two people moving the same cell at once then agree on
// one place (the last write wins) and nobody ends up with a duplicate.
// Digits are base 36 and a key never ends in "0", so there is always room
// between two keys (the midpoint scheme of rocicorp's fractional-indexing).

const DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";
const BASE = DIGITS.length;

function digit(c: string | undefined): number {
  return c === undefined ? 0 : DIGITS.indexOf(c);
}

/** A key strictly between `a` and `b` ("" is the start, null the end). */
export function keyBetween(a: string, b: string | null): string {
  if (b !== null && a >= b) throw new Error(`keyBetween: ${JSON.stringify(a)} is not before ${JSON.stringify(b)}`);
  if (b !== null) {
    let n = 0;
    while ((a[n] ?? "0") === b[n]) n++;
    if (n > 0) return b.slice(0, n) + keyBetween(a.slice(n), b.slice(n));
  }
  const da = digit(a[0]);
  const db = b === null ? BASE : digit(b[0]);
  if (db - da > 1) return DIGITS[(da + db) >> 1]!;
  if (b !== null && b.length > 1) return b[0]!;
  return DIGITS[da]! + keyBetween(a.slice(1), null);
}

export function isOrderKey(k: unknown): k is string {
  return typeof k === "string" && k.length > 0 && k.length < 4096 && /^[0-9a-z]*[1-9a-z]$/.test(k);
}
