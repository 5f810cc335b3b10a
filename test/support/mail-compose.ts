// Messages as mail clients send a reply quoting a pcplab report, built with
// nodemailer's MIME composer (a maintained library, not our own encoder), in
// each encoding a reviewer's mail may arrive in.
import { readFileSync } from "node:fs";
import { foldLines } from "nodemailer/lib/mime-funcs";
import MimeNode from "nodemailer/lib/mime-node";

/** The cheapest shipped golden to re-run (about 1.5 s), and its `==`
 * expect lines are what quoted-printable turns into `=3D=3D`. */
export const GOLDEN = readFileSync(new URL("../golden/nic-rx-irq-alloc.txt", import.meta.url), "utf8");

export const ENCODINGS = ["quoted-printable", "base64", "alternative", "iso-8859-1", "flowed", "flowed-delsp"] as const;
export type Encoding = (typeof ENCODINGS)[number];

export interface Reply {
  encoding: Encoding;
  /** The text as the reviewer wrote it, report quoted already. */
  body: string;
  subject?: string;
  from?: string;
  date?: string;
  messageId?: string;
}

/** Quotes every line `depth` times the way a client does: "> " and "> > ",
 * or for format=flowed ">" and ">>" then one space (RFC 3676 4.5), where a
 * line quoted already gets its ">" added to the marks it has. */
export function quote(text: string, depth: number, flowed = false): string {
  const lines = text.replace(/\n$/, "").split("\n");
  if (flowed) return lines.map((l) => ">".repeat(depth) + (l === "" || l.startsWith(">") ? l : " " + l)).join("\n") + "\n";
  return lines.map((l) => ("> ".repeat(depth) + l).trimEnd()).join("\n") + "\n";
}

export function reply(report: string, depth: number, encoding: Encoding, who = "Mel Gorman"): string {
  const flowed = encoding.startsWith("flowed");
  return `On Tue, 22 Nov 2022 at 10:00, ${who} wrote:\n${quote(report, depth, flowed)}\nThanks, this reproduces here.\n`;
}

/**
 * Soft-wraps text at 72 columns as format=flowed (RFC 3676): each quoted line
 * keeps its quote marks on every piece, a soft break leaves a trailing space
 * (with DelSp=yes one extra space that is not content, so a break may fall
 * inside a word), and a piece that starts with a space, ">" or "From " is
 * space-stuffed.
 */
export function flow(text: string, delsp: boolean, width = 72): string {
  const out: string[] = [];
  for (const line of text.replace(/\n$/, "").split("\n")) {
    const marks = /^>*/.exec(line)![0];
    const content = marks ? line.slice(marks.length).replace(/^ /, "") : line;
    if (content === "") {
      out.push(marks);
      continue;
    }
    const room = width - marks.length - 1;
    const pieces = foldLines(content, room, !delsp).split("\r\n");
    pieces.forEach((piece, k) => {
      const last = k === pieces.length - 1;
      if (!last && !delsp && !piece.endsWith(" ")) throw new Error(`a soft break without a trailing space: ${JSON.stringify(piece)}`);
      const stuffed = marks || /^(?: |>|From )/.test(piece) ? " " + piece : piece;
      out.push(marks + stuffed + (!last && delsp ? " " : ""));
    });
  }
  return out.join("\n") + "\n";
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** One message (RFC 5322, CRLF) as bytes. Where this sets no transfer
 * encoding, nodemailer picks one as for any mail it sends: 7bit for short
 * ASCII lines, else quoted-printable or base64. */
export async function compose(r: Reply): Promise<Buffer> {
  const latin1 = r.encoding === "iso-8859-1";
  const headers = {
    // nodemailer encodes a name as UTF-8 (RFC 2047), whatever the body's charset.
    From: latin1 ? { name: "Zoë Müller", address: "zoe@example.org" } : (r.from ?? "Zoe Reviewer <zoe@example.org>"),
    To: "linux-mm@kvack.org",
    // A client writing ISO-8859-1 encodes the subject's words in it too; the
    // composer takes that one as written.
    Subject: latin1 ? { prepared: true, value: "Re: =?ISO-8859-1?Q?Zo=EB's_numbers?=" } : (r.subject ?? "Re: [PATCH v2] mm/page_alloc: Leave IRQs enabled for per-cpu page allocations"),
    Date: r.date ?? "Tue, 22 Nov 2022 11:00:00 +0000",
    "Message-ID": r.messageId ?? "<reply-1@example.org>",
  };
  let root: MimeNode;
  switch (r.encoding) {
    case "quoted-printable":
    case "base64":
      root = new MimeNode("text/plain; charset=utf-8");
      root.setHeader("Content-Transfer-Encoding", r.encoding);
      root.setContent(r.body);
      break;
    case "alternative": {
      root = new MimeNode("multipart/alternative");
      root.createChild("text/plain; charset=utf-8").setHeader("Content-Transfer-Encoding", "quoted-printable").setContent(r.body);
      // The HTML part's report has a forged results digest: were it read
      // instead of the text/plain part, the report would not reproduce.
      const html = r.body.replace(/pcplab results sha256:[0-9a-f]{12}/g, "pcplab results sha256:000000000000");
      root.createChild("text/html; charset=utf-8").setHeader("Content-Transfer-Encoding", "quoted-printable").setContent(`<html><body><pre>${escapeHtml(html)}</pre></body></html>`);
      break;
    }
    case "iso-8859-1":
      root = new MimeNode("text/plain; charset=ISO-8859-1");
      root.setContent(Buffer.from(r.body, "latin1"));
      break;
    case "flowed":
    case "flowed-delsp": {
      const delsp = r.encoding === "flowed-delsp";
      root = new MimeNode(`text/plain; charset=utf-8; format=flowed${delsp ? "; delsp=yes" : ""}`);
      root.setContent(flow(r.body, delsp));
      break;
    }
  }
  for (const [key, value] of Object.entries(headers)) root.setHeader(key, value);
  return root.build();
}

/** An mbox (mboxrd) of messages: "From " separators, ">From " escaped. */
export function mbox(messages: Buffer[]): Buffer {
  const parts = messages.map((m) => {
    const text = m.toString("latin1").replace(/\r\n/g, "\n").replace(/^(>*From )/gm, ">$1");
    return `From mboxrd@z Thu Jan  1 00:00:00 1970\n${text.endsWith("\n") ? text : text + "\n"}\n`;
  });
  return Buffer.from(parts.join(""), "latin1");
}
