import { describe, expect, it } from "vitest";
import { formatQuantity, parseInteger, parseQuantity } from "../../lib/dsl/units.ts";

const q = (image: string) => {
  const r = parseQuantity(image);
  if (!r.ok) throw new Error(r.message);
  return r.quantity;
};

describe("quantities", () => {
  it("reads times as whole nanoseconds, exactly", () => {
    expect(q("100us")).toEqual({ kind: "time", ns: 100_000 });
    expect(q("1.5ms")).toEqual({ kind: "time", ns: 1_500_000 });
    expect(q("1.1ms")).toEqual({ kind: "time", ns: 1_100_000 });
    expect(q("2s")).toEqual({ kind: "time", ns: 2e9 });
    expect(q("1_000ns")).toEqual({ kind: "time", ns: 1000 });
    expect(parseQuantity("0.5ns")).toMatchObject({ ok: false, code: "E112" });
    expect(parseQuantity("1.0001us")).toMatchObject({ ok: false, code: "E112" });
  });

  it("reads sizes in bytes and rates per second", () => {
    expect(q("2GiB")).toEqual({ kind: "size", bytes: 2 ** 31 });
    expect(q("1.5KiB")).toEqual({ kind: "size", bytes: 1536 });
    expect(q("20k/s")).toEqual({ kind: "rate", perSecond: 20_000 });
    expect(q("1.5M/s")).toEqual({ kind: "rate", perSecond: 1_500_000 });
    expect(q("0.5/s")).toEqual({ kind: "rate", perSecond: 0.5 });
    expect(q("2.5%")).toEqual({ kind: "percent", percent: 2.5 });
  });

  it("reads integers in decimal, with underscores, and hex", () => {
    expect(parseInteger("1_000_000")).toEqual({ ok: true, quantity: { kind: "int", value: 1e6 } });
    expect(parseInteger("0x400")).toEqual({ ok: true, quantity: { kind: "int", value: 1024 } });
    expect(parseInteger("0x1D2_CCA")).toEqual({ ok: true, quantity: { kind: "int", value: 0x1d2cca } });
    expect(parseInteger("0xg")).toMatchObject({ ok: false, code: "E107" });
    expect(parseInteger("1_")).toMatchObject({ ok: false, code: "E107" });
    expect(parseInteger("9007199254740993")).toMatchObject({ ok: false, code: "E111" });
    expect(parseInteger("1" + "0".repeat(5000))).toMatchObject({ ok: false, code: "E111" });
  });

  it("names unknown units and suggests the real one", () => {
    expect(parseQuantity("5sec")).toMatchObject({ ok: false, code: "E103", message: expect.stringMatching(/did you mean '5s'/) });
    expect(parseQuantity("64MB")).toMatchObject({ ok: false, message: expect.stringMatching(/did you mean '64MiB'/) });
    expect(parseQuantity("1.1234567ms")).toMatchObject({ ok: false, code: "E107" });
  });

  it("prints the canonical spelling: the largest whole unit", () => {
    const canon = (s: string) => formatQuantity(q(s));
    expect(canon("1500000ns")).toBe("1500us");
    expect(canon("1.5ms")).toBe("1500us");
    expect(canon("1000ms")).toBe("1s");
    expect(canon("0ns")).toBe("0ns");
    expect(canon("2048MiB")).toBe("2GiB");
    expect(canon("1.5KiB")).toBe("1.5KiB");
    expect(canon("20000/s")).toBe("20k/s");
    expect(canon("1.5M/s")).toBe("1500k/s");
    expect(canon("0.5/s")).toBe("0.5/s");
    expect(canon("05.50%")).toBe("5.5%");
  });
});
