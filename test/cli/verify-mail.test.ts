// `pcplab verify FILE` on mail as reviewers save it: a reply in each
// encoding mail clients send (built by nodemailer around a shipped report),
// a single .eml or an mbox thread, run through the real command line.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compose, ENCODINGS, GOLDEN, mbox, reply } from "../support/mail-compose.ts";

const bin = new URL("../../bin/pcplab", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "pcplab-mail-"));

function verify(name: string, bytes: Buffer) {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const r = spawnSync(process.execPath, [bin, "verify", path], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const digest = /pcplab results sha256:([0-9a-f]{12})/.exec(GOLDEN)![1]!;
const REPRODUCED = new RegExp(`^reproduced: results sha256:${digest}[0-9a-f]{52}$`);
const SUBJECT = "Re: [PATCH v2] mm/page_alloc: Leave IRQs enabled for per-cpu page allocations";

/** Each report's result: the message it names and its outcome line. */
function results(stdout: string): { message: string; outcome: string }[] {
  return stdout
    .split("\n\n")
    .filter((block) => block.startsWith("report "))
    .map((block) => {
      const lines = block.split("\n");
      return { message: /: (message \d+ of \d+)/.exec(lines[0]!)?.[1] ?? lines[0]!, outcome: lines.find((l) => /^(reproduced|differs|cannot verify)/.test(l)) ?? "" };
    });
}

const cases = ENCODINGS.flatMap((encoding) => [1, 2].map((depth) => ({ encoding, depth })));

describe("pcplab verify on saved mail", () => {
  it.each(["quoted-printable", "flowed-delsp", "iso-8859-1"] as const)("reproduces the report quoted twice in an .eml sent as %s, naming the message", async (encoding) => {
    const r = verify(`${encoding}.eml`, await compose({ encoding, body: reply(GOLDEN, 2, encoding, "Zoë Müller") }));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^report 1 of 1: message 1 of 1, line 2 of its text$/);
    expect(lines.slice(1, 4)).toEqual([
      `  Subject: ${encoding === "iso-8859-1" ? "Re: Zoë's numbers" : SUBJECT}`,
      `  From: ${encoding === "iso-8859-1" ? "Zoë Müller" : "Zoe Reviewer"} <zoe@example.org>`,
      "  Date: Tue, 22 Nov 2022 11:00:00 +0000",
    ]);
    expect(lines[4]).toMatch(REPRODUCED);
    expect(lines).toHaveLength(5);
  });

  it("reproduces every encoding quoted once and twice, one .eml each, gathered in one mbox", async () => {
    const messages = await Promise.all(cases.map(({ encoding, depth }, k) => compose({ encoding, body: reply(GOLDEN, depth, encoding), messageId: `<case-${k}@x>`, subject: `${encoding} quoted ${depth}` })));
    const r = verify("all.mbox", mbox(messages));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const got = results(r.stdout);
    expect(got.map((g) => g.message)).toEqual(cases.map((_, k) => `message ${k + 1} of ${cases.length}`));
    for (const g of got) expect(g.outcome).toMatch(REPRODUCED);
    for (const [k, { encoding, depth }] of cases.entries()) expect(r.stdout).toContain(`report ${k + 1} of ${cases.length}: message ${k + 1} of ${cases.length}, line 2 of its text\n  Subject: ${encoding === "iso-8859-1" ? "Re: Zoë's numbers" : `${encoding} quoted ${depth}`}\n`);
    expect(r.stdout).toMatch(new RegExp(`\n${cases.length} reports: ${cases.length} reproduced, 0 differ, 0 cannot be verified\n$`));
  });

  it("gives one result per report in a thread, saying which message each came from", async () => {
    const thread = mbox([
      await compose({ encoding: "quoted-printable", body: `Numbers below.\n\n${GOLDEN}`, subject: "[PATCH v2] mm/page_alloc", from: "Mel Gorman <mgorman@techsingularity.net>" }),
      await compose({ encoding: "base64", body: `From the numbers above, nothing.\n${reply(GOLDEN, 1, "base64")}` }),
      await compose({ encoding: "alternative", body: "No report in this one.\n" }),
      await compose({ encoding: "flowed", body: reply(reply(GOLDEN, 1, "flowed"), 1, "flowed") }),
    ]);
    const r = verify("thread.mbox", thread);
    expect(r.status).toBe(0);
    expect(results(r.stdout)).toEqual([
      { message: "message 1 of 4", outcome: expect.stringMatching(REPRODUCED) },
      { message: "message 2 of 4", outcome: expect.stringMatching(REPRODUCED) },
      { message: "message 4 of 4", outcome: expect.stringMatching(REPRODUCED) },
    ]);
    expect(r.stdout).toContain("report 1 of 3: message 1 of 4, line 3 of its text\n  Subject: [PATCH v2] mm/page_alloc\n  From: Mel Gorman <mgorman@techsingularity.net>\n");
  });

  it("finds a forged report appended after a genuine one and says it differs (exit 1)", async () => {
    const forged = GOLDEN.replace(/runs trylock: 1:[0-9a-f]{6}/, "runs trylock: 1:abcdef");
    const r = verify("forged.eml", await compose({ encoding: "quoted-printable", body: reply(GOLDEN, 1, "quoted-printable") + "\nAnd with my fix:\n\n" + forged }));
    expect(r.status).toBe(1);
    expect(results(r.stdout)).toEqual([
      { message: "message 1 of 1", outcome: expect.stringMatching(REPRODUCED) },
      { message: "message 1 of 1", outcome: expect.stringMatching(/^differs: 1 line of the report does not match the re-run/) },
    ]);
    expect(r.stdout).toMatch(/\n {2}expected: runs trylock: 1:abcdef 2:[0-9a-f]{6} 3:[0-9a-f]{6}\n {2}got: {6}runs trylock: 1:[0-9a-f]{6} /);
    expect(r.stdout).toMatch(/\n2 reports: 1 reproduced, 1 differ, 0 cannot be verified\n$/);
  });

  it("exits 2 when a report cannot be verified though another reproduces, and when a message holds none", async () => {
    const cut = GOLDEN.slice(0, GOLDEN.indexOf("---8<--- pcplab results"));
    const r = verify("cut.eml", await compose({ encoding: "base64", body: `${GOLDEN}\nand again, cut short:\n${cut}` }));
    expect(r.status).toBe(2);
    expect(results(r.stdout)).toEqual([
      { message: "message 1 of 1", outcome: expect.stringMatching(REPRODUCED) },
      { message: "message 1 of 1", outcome: expect.stringMatching(/^cannot verify: the scenario that starts on line \d+ has no closing '---8<--- pcplab results/) },
    ]);
    expect(r.stderr).toBe("pcplab verify: 1 of 2 report(s) cannot be verified\n");
    const none = verify("none.eml", await compose({ encoding: "alternative", body: "Thanks, no numbers today.\n" }));
    expect(none).toMatchObject({ status: 2, stdout: "", stderr: expect.stringMatching(/^pcplab verify: no pcplab scenario found/) });
  });
});
