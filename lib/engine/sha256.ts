// SHA-256 (FIPS 180-4) of the UTF-8 encoding of a string, in plain
// TypeScript on 32-bit integer arithmetic, so that digests computed in Node,
// worker_threads and a browser Web Worker agree without node:crypto or
// SubtleCrypto (which is asynchronous).
//
// The string is encoded straight into the padded message buffer: one pass
// counts the UTF-8 bytes, a second writes them. Lone surrogates are encoded
// as U+FFFD (EF BF BD), as TextEncoder does.

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/** Number of bytes in the UTF-8 encoding of `text` (lone surrogates count as U+FFFD: 3 bytes). */
function utf8Length(text: string): number {
  const n = text.length;
  let len = n;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      len += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        len += 2; // 2 code units -> 4 bytes
        i++;
      } else {
        len += 2; // lone high surrogate -> U+FFFD
      }
    } else {
      len += 2; // BMP >= U+0800, or a lone surrogate -> U+FFFD
    }
  }
  return len;
}

/** Writes the UTF-8 encoding of `text` into `out` from index 0; returns the byte count. */
function encodeUtf8(text: string, out: Uint8Array): number {
  const n = text.length;
  let p = 0;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[p++] = c;
      continue;
    }
    if (c < 0x800) {
      out[p++] = 0xc0 | (c >>> 6);
      out[p++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        out[p++] = 0xf0 | (cp >>> 18);
        out[p++] = 0x80 | ((cp >>> 12) & 0x3f);
        out[p++] = 0x80 | ((cp >>> 6) & 0x3f);
        out[p++] = 0x80 | (cp & 0x3f);
        i++;
        continue;
      }
      c = 0xfffd;
    }
    out[p++] = 0xe0 | (c >>> 12);
    out[p++] = 0x80 | ((c >>> 6) & 0x3f);
    out[p++] = 0x80 | (c & 0x3f);
  }
  return p;
}

/** SHA-256 of the UTF-8 encoding of `text`, as 64 lowercase hex digits. */
export function sha256Hex(text: string): string {
  const byteLen = utf8Length(text);
  // Message + 0x80 + zero padding + 64-bit big-endian bit length, to a multiple of 64.
  const total = (Math.floor((byteLen + 8) / 64) + 1) * 64;
  const buf = new Uint8Array(total);
  encodeUtf8(text, buf);
  buf[byteLen] = 0x80;
  // Bit length = byteLen * 8, split into 32-bit halves without overflow.
  const bitsHi = Math.floor(byteLen / 0x20000000);
  const bitsLo = (byteLen % 0x20000000) * 8;
  buf[total - 8] = bitsHi >>> 24;
  buf[total - 7] = (bitsHi >>> 16) & 0xff;
  buf[total - 6] = (bitsHi >>> 8) & 0xff;
  buf[total - 5] = bitsHi & 0xff;
  buf[total - 4] = bitsLo >>> 24;
  buf[total - 3] = (bitsLo >>> 16) & 0xff;
  buf[total - 2] = (bitsLo >>> 8) & 0xff;
  buf[total - 1] = bitsLo & 0xff;

  const h = Int32Array.from(H0);
  compress(h, buf, total);

  let hex = "";
  for (let i = 0; i < 8; i++) hex += (h[i] >>> 0).toString(16).padStart(8, "0");
  return hex;
}

const W = new Int32Array(64);

/** Runs the compression function over every 64-byte block of buf[0, len). */
function compress(h: Int32Array, buf: Uint8Array, len: number): void {
  const w = W;
  const k = K;
  let h0 = h[0], h1 = h[1], h2 = h[2], h3 = h[3], h4 = h[4], h5 = h[5], h6 = h[6], h7 = h[7];
  for (let off = 0; off < len; off += 64) {
    for (let t = 0, j = off; t < 16; t++, j += 4) {
      w[t] = (buf[j] << 24) | (buf[j + 1] << 16) | (buf[j + 2] << 8) | buf[j + 3];
    }
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15];
      const y = w[t - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[t] = (s1 + w[t - 7] + s0 + w[t - 16]) | 0;
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, hh = h7;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + k[t] + w[t]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + hh) | 0;
  }
  h[0] = h0; h[1] = h1; h[2] = h2; h[3] = h3; h[4] = h4; h[5] = h5; h[6] = h6; h[7] = h7;
}
