import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson, digest } from "../../lib/engine/canonical.ts";

describe("canonicalJson", () => {
  it("does not depend on key insertion order", () => {
    const a = { b: 1, a: 2, c: { z: [3, { y: 1, x: 2 }], m: null } };
    const b = { c: { m: null, z: [3, { x: 2, y: 1 }] }, a: 2, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":2,"b":1,"c":{"m":null,"z":[3,{"x":2,"y":1}]}}');
    expect(digest(a)).toBe(digest(b));
  });

  it("sorts keys by UTF-16 code units, not by locale or as array indices", () => {
    const value = { b: 0, B: 0, "10": 0, "9": 0, é: 0, z: 0, "😀": 0, "\uffff": 0, "": 0, _: 0 };
    // "" < "10" < "9" < "B" < "_" < "b" < "z" < "é" (U+00E9) < "😀" (U+D83D ...) < U+FFFF
    expect(canonicalJson(value)).toBe(
      '{"":0,"10":0,"9":0,"B":0,"_":0,"b":0,"z":0,"é":0,"😀":0,"\uffff":0}',
    );
  });

  it("serializes nested structures in order, without whitespace", () => {
    const value = {
      scenario: "nic-rx",
      cpus: [0, 1, 2, 3],
      params: { batch: 63, high: 1.5e-7, big: 1e21, neg: -42, flags: [true, false, null] },
      empty: { obj: {}, arr: [] },
      deep: [[[{ k: [[]] }]]],
    };
    expect(canonicalJson(value)).toBe(
      '{"cpus":[0,1,2,3],"deep":[[[{"k":[[]]}]]],"empty":{"arr":[],"obj":{}},' +
        '"params":{"batch":63,"big":1e+21,"flags":[true,false,null],"high":1.5e-7,"neg":-42},' +
        '"scenario":"nic-rx"}',
    );
  });

  it("prints -0 as 0 and numbers as String(n)", () => {
    expect(canonicalJson(-0)).toBe("0");
    expect(canonicalJson({ a: -0, b: [-0] })).toBe('{"a":0,"b":[0]}');
    for (const n of [0.1, 1 / 3, 5e-324, 1.7976931348623157e308, 123456789012345680000, 2 ** 53, -1.25e-10]) {
      expect(canonicalJson(n)).toBe(String(n));
    }
  });

  it("rejects NaN and Infinity, naming the key path", () => {
    expect(() => canonicalJson(NaN)).toThrow(/NaN at \$$/);
    expect(() => canonicalJson({ a: { b: [1, 2, NaN] } })).toThrow(/NaN at \$\.a\.b\[2\]/);
    expect(() => canonicalJson({ "odd key": { x: Infinity } })).toThrow(/Infinity at \$\["odd key"\]\.x/);
    expect(() => canonicalJson([{ y: -Infinity }])).toThrow(/-Infinity at \$\[0\]\.y/);
  });

  it("omits undefined members and prints undefined array elements as null, like JSON.stringify", () => {
    const value = { a: undefined, b: 1, c: [undefined, 2] };
    expect(canonicalJson(value)).toBe('{"b":1,"c":[null,2]}');
    expect(canonicalJson(value)).toBe(JSON.stringify(value));
    // eslint-disable-next-line no-sparse-arrays
    expect(canonicalJson([1, , 3])).toBe("[1,null,3]");
  });

  it("rejects values JSON.stringify would silently drop or mangle", () => {
    expect(() => canonicalJson(undefined)).toThrow(/undefined value at \$/);
    expect(() => canonicalJson({ f: () => 0 })).toThrow(/unsupported function at \$\.f/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/unsupported bigint at \$\.n/);
    expect(() => canonicalJson({ m: new Map() })).toThrow(/unsupported object \(Map\) at \$\.m/);
    expect(() => canonicalJson({ t: new Uint8Array(2) })).toThrow(/Uint8Array/);
    expect(() => canonicalJson({ j: { toJSON: () => 1 } })).toThrow(/toJSON at \$\.j/);
    const cyclic: Record<string, unknown> = { a: [] };
    (cyclic.a as unknown[]).push(cyclic);
    expect(() => canonicalJson(cyclic)).toThrow(/circular reference at \$\.a\[0\]/);
  });

  it("accepts shared (non-circular) references and null-prototype objects", () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: 2, a: 1 });
    expect(canonicalJson(bare)).toBe('{"a":1,"b":2}');
  });

  it("escapes strings exactly as JSON.stringify does", () => {
    const strings = [
      "",
      'quote " backslash \\ slash /',
      "\b\f\n\r\t\u0000\u0001\u001f\u007f",
      "\u2028\u2029",
      "é€😀",
      "\ud800 lone \udfff",
      "\ud83d\ude00",
    ];
    for (const s of strings) {
      expect(canonicalJson(s)).toBe(JSON.stringify(s));
      expect(canonicalJson({ [s]: s })).toBe(JSON.stringify({ [s]: s }));
    }
  });

  it("equals JSON.stringify for values whose keys are already sorted", () => {
    const values: unknown[] = [
      null,
      true,
      false,
      0,
      -17.5,
      "text",
      [],
      {},
      [1, "two", [3], { a: null }],
      { a: 1, b: [true, { c: "d", e: 2.5 }], f: { g: { h: [] } } },
      { A: 1, Z: 2, a: 3, z: 4 },
    ];
    for (const v of values) expect(canonicalJson(v)).toBe(JSON.stringify(v));
  });
});

describe("digest", () => {
  it('is "sha256:" + SHA-256 of the canonical JSON', () => {
    const value = { z: "ünïcödé", a: [1, 2, { y: -0 }] };
    const text = canonicalJson(value);
    expect(text).toBe('{"a":[1,2,{"y":0}],"z":"ünïcödé"}');
    expect(digest(value)).toBe("sha256:" + createHash("sha256").update(text, "utf8").digest("hex"));
    expect(digest({})).toBe("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  });
});
