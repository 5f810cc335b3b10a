import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Rng } from "../../lib/engine/rng.ts";
import { sha256Hex } from "../../lib/engine/sha256.ts";

// Reference: node:crypto on TextEncoder's UTF-8 (which maps lone surrogates to U+FFFD).
const reference = (s: string) =>
  createHash("sha256").update(Buffer.from(new TextEncoder().encode(s))).digest("hex");

describe("sha256Hex", () => {
  it("matches the FIPS 180-2 test vectors", () => {
    // FIPS 180-2, appendix B.1-B.3 (SHA-256 examples).
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
    expect(sha256Hex("a".repeat(1_000_000))).toBe(
      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
    );
    // 896-bit message (NIST example, two-block message after padding).
    expect(
      sha256Hex(
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
      ),
    ).toBe("cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  });

  it("hashes the UTF-8 encoding of non-ASCII text", () => {
    // Expected values from Python's hashlib.sha256(s.encode("utf-8")).
    expect(sha256Hex("é")).toBe("4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c");
    expect(sha256Hex("€")).toBe("c4cc90ed3d26f12d4b08a75140970a7904035c31cbb4515a83f19b9003c00d1d");
    expect(sha256Hex("😀")).toBe("f0443a342c5ef54783a111b51ba56c938e474c32324d90c3a60c9c8e3a37e2d9");
    expect(sha256Hex("naïve café — 日本語 🎉")).toBe(
      "7c2d98b4d74f6ee2cdf8e8d5335dde831766915b24232c937d27ef2c13963ae9",
    );
  });

  it("encodes lone surrogates as U+FFFD, like TextEncoder", () => {
    const replacement = "83d544ccc223c057d2bf80d3f2a32982c32c3c0db8e2674820da5064783fb097";
    expect(sha256Hex("\ufffd")).toBe(replacement);
    expect(sha256Hex("\ud800")).toBe(replacement); // lone high surrogate at the end
    expect(sha256Hex("\udfff")).toBe(replacement); // lone low surrogate
    expect(sha256Hex("\ud83dx")).toBe(sha256Hex("\ufffdx")); // high surrogate followed by a non-surrogate
    expect(sha256Hex("\ude00\ud83d")).toBe(sha256Hex("\ufffd\ufffd")); // reversed pair
    expect(sha256Hex("\ud83d\ud83d\ude00")).toBe(sha256Hex("\ufffd😀")); // high, then a valid pair
    expect(sha256Hex("\ud800")).toBe(reference("\ud800"));
  });

  it("is correct at every padding boundary (message lengths 0..200 bytes)", () => {
    for (let n = 0; n <= 200; n++) {
      const ascii = "x".repeat(n);
      expect(sha256Hex(ascii), `ascii length ${n}`).toBe(reference(ascii));
      // Multi-byte characters straddling the 55/56/64-byte boundaries.
      const mixed = "é€😀".repeat(n).slice(0, n);
      expect(sha256Hex(mixed), `mixed length ${n}`).toBe(reference(mixed));
    }
  });

  it("agrees with node:crypto on 200 random strings, with astral characters and lone surrogates", () => {
    const rng = new Rng(20240611);
    const randomUnit = (): string => {
      switch (rng.nextBelow(6)) {
        case 0:
        case 1:
          return String.fromCharCode(rng.nextBelow(0x80)); // ASCII
        case 2:
          return String.fromCharCode(0x80 + rng.nextBelow(0x780)); // 2-byte
        case 3:
          return String.fromCharCode(0x800 + rng.nextBelow(0x10000 - 0x800)); // 3-byte, may be a lone surrogate
        case 4:
          return String.fromCodePoint(0x10000 + rng.nextBelow(0x100000)); // astral pair
        default:
          return String.fromCharCode(0xd800 + rng.nextBelow(0x800)); // lone surrogate
      }
    };
    let sawAstral = false;
    let sawLone = false;
    for (let i = 0; i < 200; i++) {
      const target = rng.nextBelow(3001);
      let s = "";
      while (s.length < target) s += randomUnit();
      s = s.slice(0, target); // may also split an astral pair, leaving a lone surrogate
      if (/[\ud800-\udbff][\udc00-\udfff]/.test(s)) sawAstral = true;
      if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s)) sawLone = true;
      expect(sha256Hex(s), `string #${i}, length ${s.length}`).toBe(reference(s));
    }
    expect(sawAstral).toBe(true);
    expect(sawLone).toBe(true);
  });

  // Speed is a benchmark's business (npm run bench), not a test's.
  it("hashes 1 MB like node:crypto", () => {
    const mb = "0123456789abcdef".repeat(65536);
    expect(sha256Hex(mb)).toBe(reference(mb));
  });
});
