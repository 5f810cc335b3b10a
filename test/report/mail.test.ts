// Finding reports in mail as reviewers save it: a shipped report quoted in a
// reply, composed by nodemailer in each encoding mail clients send, comes
// out of the message exactly as `pcplab run` printed it.
import { describe, expect, it } from "vitest";
import { describeSource, findReports, mailBodies, mailReports } from "../../lib/report/mail.ts";
import { compose, ENCODINGS, flow, GOLDEN, mbox, quote, reply } from "../support/mail-compose.ts";

const SUBJECT = "Re: [PATCH v2] mm/page_alloc: Leave IRQs enabled for per-cpu page allocations";

describe("a reply quoting a report, as one saved message", () => {
  const cases = ENCODINGS.flatMap((encoding) => [1, 2].map((depth) => [encoding, depth] as const));
  it.each(cases)("%s, quoted %i time(s), gives back the report as it was printed", async (encoding, depth) => {
    const eml = await compose({ encoding, body: reply(GOLDEN, depth, encoding, "Zoë Müller") });
    const reports = await mailReports(eml);
    expect(reports).toHaveLength(1);
    const [r] = reports;
    expect(r!.problem).toBeNull();
    expect(r!.text).toBe(GOLDEN);
    expect(r!.source).toMatchObject({
      message: 1,
      messages: 1,
      subject: encoding === "iso-8859-1" ? "Re: Zoë's numbers" : SUBJECT,
      from: encoding === "iso-8859-1" ? "Zoë Müller <zoe@example.org>" : "Zoe Reviewer <zoe@example.org>",
      date: "Tue, 22 Nov 2022 11:00:00 +0000",
    });
    // The prose around the report decodes in the message's own charset.
    expect(r!.source.text).toMatch(/^On Tue, 22 Nov 2022 at 10:00, Zoë Müller wrote:$/m);
  });

  it("reads a body sent 8bit in ISO-8859-1 from the file's bytes (nodemailer never sends 8bit text)", async () => {
    const raw = `From: zoe@example.org\nSubject: numbers\nContent-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: 8bit\n\nZo\xeb M\xfcller wrote:\n${quote(GOLDEN, 1)}`;
    const [r] = await mailReports(Buffer.from(raw, "latin1"));
    expect(r!.text).toBe(GOLDEN);
    expect(r!.source.text).toMatch(/^Zoë Müller wrote:$/m);
  });

  it("reads the same message from text as from bytes (a paste into the notebook)", async () => {
    const eml = await compose({ encoding: "quoted-printable", body: reply(GOLDEN, 1, "quoted-printable") });
    expect((await mailReports(eml.toString("latin1"))).map((r) => r.text)).toEqual([GOLDEN]);
  });

  it("is not fooled by a quoted-printable message whose raw text breaks the scenario", async () => {
    const raw = (await compose({ encoding: "quoted-printable", body: reply(GOLDEN, 1, "quoted-printable") })).toString("latin1");
    // What the old reader saw: `==` as `=3D=3D` and lines cut with "=".
    expect(raw).toContain("=3D=3D");
    expect(raw).toMatch(/=\r\n/);
  });
});

describe("format=flowed", () => {
  it("soft-wraps the quoted report at 72 columns, so unwrapping is what is tested", () => {
    for (const delsp of [false, true]) {
      const text = flow(quote(GOLDEN, 2, true), delsp);
      expect(Math.max(...text.split("\n").map((l) => l.length))).toBeLessThanOrEqual(73);
      expect(text.split("\n").length).toBeGreaterThan(GOLDEN.split("\n").length + 10);
      expect(text).toMatch(/ \n/);
    }
  });

  it("with DelSp=yes joins a word broken across lines without a space", async () => {
    const eml = await compose({ encoding: "flowed-delsp", body: "alpha\n> beta-gamma-delta-epsilon-zeta-eta-theta-iota-kappa-lambda-mu-nu-xi-omicron-pi\n" });
    const [body] = await mailBodies(eml);
    expect(body!.text).toBe("alpha\n> beta-gamma-delta-epsilon-zeta-eta-theta-iota-kappa-lambda-mu-nu-xi-omicron-pi\n");
  });
});

describe("an mbox thread", () => {
  async function thread(): Promise<Buffer> {
    return mbox([
      await compose({ encoding: "quoted-printable", body: `Numbers below.\n\n${GOLDEN}`, subject: "[PATCH v2] mm/page_alloc", from: "Mel Gorman <mgorman@techsingularity.net>", messageId: "<m1@x>" }),
      await compose({ encoding: "base64", body: `From the numbers above, nothing.\n${reply(GOLDEN, 1, "base64")}`, messageId: "<m2@x>" }),
      await compose({ encoding: "alternative", body: "No report in this one.\n", subject: "Re: [PATCH v2] mm/page_alloc", messageId: "<m3@x>" }),
      await compose({ encoding: "flowed", body: reply(reply(GOLDEN, 1, "flowed"), 1, "flowed"), messageId: "<m4@x>", date: "Wed, 23 Nov 2022 09:00:00 +0000" }),
    ]);
  }

  it("gives one result per report occurrence, each naming its message", async () => {
    const reports = await mailReports(await thread());
    expect(reports.map((r) => [r.source.message, r.source.messages, r.text === GOLDEN])).toEqual([
      [1, 4, true],
      [2, 4, true],
      [4, 4, true],
    ]);
    expect(describeSource(reports[2]!)).toEqual([
      `message 4 of 4, line ${reports[2]!.line} of its text`,
      `Subject: ${SUBJECT}`,
      "From: Zoe Reviewer <zoe@example.org>",
      "Date: Wed, 23 Nov 2022 09:00:00 +0000",
    ]);
  });

  it("undoes mboxrd's >From escaping and splits only at separator lines", async () => {
    const bodies = await mailBodies(await thread());
    expect(bodies.map((b) => b.message)).toEqual([1, 2, 3, 4]);
    expect(bodies[1]!.text).toMatch(/^From the numbers above, nothing\.$/m);
    expect(bodies[0]!.from).toBe("Mel Gorman <mgorman@techsingularity.net>");
  });
});

describe("reports in one body", () => {
  it("finds a second report after the first one's results marker, and a report with no end", () => {
    const forged = GOLDEN.replace(/runs trylock: 1:[0-9a-f]{6}/, "runs trylock: 1:abcdef");
    // The scenario's first lines, cut before its results marker.
    const lines = GOLDEN.split("\n");
    const cut = lines.slice(lines.findIndex((l) => l.startsWith("---8<--- pcplab scenario")), -5).slice(0, 10).join("\n");
    const body = `Looks fine:\n${quote(GOLDEN, 1)}\nand mine:\n${quote(forged, 3)}\n${cut}\n`;
    const found = findReports(body);
    expect(found.map((f) => [f.text, f.problem])).toEqual([
      [GOLDEN, null],
      [forged, null],
      [`\n${cut}\n\n`, expect.stringMatching(/^the scenario that starts on line \d+ has no closing/)],
    ]);
    expect(found[0]!.line).toBe(2);
  });

  it("starts a report at its title when the title wraps, and where the text after the last report starts when it has none", () => {
    const wrapped = GOLDEN.replace(/^(pcplab: .*) (on ".*")\n/, "$1\n$2\n");
    expect(wrapped.split("\n")[1]).toBe('on "nic-rx-irq-alloc"');
    expect(findReports(`Hi,\n\n${wrapped}`).map((f) => [f.text, f.line])).toEqual([[wrapped, 3]]);
    const untitled = GOLDEN.slice(GOLDEN.indexOf("\n") + 1);
    expect(findReports(`${GOLDEN}Also:\n${untitled}`).map((f) => f.text)).toEqual([GOLDEN, `Also:\n${untitled}`]);
  });

  it("takes pasted text that starts with the report's title as text, not as headers", async () => {
    const bodies = await mailBodies(GOLDEN);
    expect(bodies).toEqual([{ message: 0, messages: 0, subject: null, from: null, date: null, text: GOLDEN }]);
    expect(describeSource({ ...findReports(GOLDEN)[0]!, source: bodies[0]! })).toEqual(["line 1"]);
  });

  it("finds nothing in text without a report, and never throws on junk", async () => {
    expect(await mailReports("hello\n")).toEqual([]);
    expect(await mailReports("From x\nSubject: y\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain; charset=x-unknown\nContent-Transfer-Encoding: base64\n\n!!!\n")).toEqual([]);
    expect(await mailReports(new Uint8Array([0xff, 0xfe, 0x00, 0x0a]))).toEqual([]);
  });
});
