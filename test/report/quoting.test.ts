// Quoting as anyone may send it: a line of millions of ">" or of spaces is
// read like any other text, to "no pcplab scenario found", never a crash.
import { describe, expect, it } from "vitest";
import { mailReports, NOT_FOUND } from "../../lib/report/mail.ts";
import { unquote } from "../../lib/report/quoting.ts";
import { verify, type VerifyHooks } from "../../lib/report/verify.ts";

const TEN_MB = 10 * 1024 * 1024;
const neverRun: VerifyHooks = {
  run: () => {
    throw new Error("text with no scenario must not run");
  },
};

describe("10 MB of '>'", () => {
  const text = ">".repeat(TEN_MB);

  it("holds no report for mail reading", async () => {
    expect(await mailReports(text)).toEqual([]);
    expect(await mailReports(Buffer.from(text + "\n" + text))).toEqual([]);
  });

  it("is refused by verify with no pcplab scenario found", async () => {
    expect(await verify(text, neverRun)).toEqual({ status: "error", message: NOT_FOUND });
    expect(await verify(`> pcplab: title\n${text} \n`, neverRun)).toEqual({ status: "error", message: NOT_FOUND });
  });
});

describe("unquote", () => {
  it("strips quoting at any depth, one space or tab after each '>', and trailing whitespace", () => {
    expect(unquote(">> > a table row  ")).toBe("a table row");
    expect(unquote(">  two spaces kept one")).toBe(" two spaces kept one");
    expect(unquote(" \t>\t>x > y\t")).toBe("x > y");
    expect(unquote("no quoting")).toBe("no quoting");
    expect(unquote("> ".repeat(1_000_000) + "deep")).toBe("deep");
    expect(unquote("x" + " ".repeat(1_000_000) + "y")).toBe("x" + " ".repeat(1_000_000) + "y");
  });
});
