// Reports as reviewers receive them: a pasted reply, a message saved from a
// mail client (.eml) or a whole thread as b4 and lore export it (mbox). MIME
// (quoted-printable, base64, multipart/alternative, charsets, format=flowed
// with DelSp) is decoded by postal-mime, which runs in Node and the browser,
// so the CLI's verify and the notebook's Import from mail read mail alike.
// Every report in every body is found, each with the message it came from,
// since a thread quotes a report in several replies and a forged report can
// follow a genuine one. Never throws on any input.
import PostalMime, { type Email } from "postal-mime";
import { unquote } from "./quoting.ts";
import { RESULTS_MARKER, SCENARIO_MARKER } from "./render.ts";

interface MailBody {
  /** The message's 1-based place in the file; 0 when the input is no message. */
  message: number;
  /** How many messages the file holds (0 for text that is no message). */
  messages: number;
  subject: string | null;
  from: string | null;
  /** The Date header as sent. */
  date: string | null;
  text: string;
}

interface FoundReport {
  /** The report with its quoting undone, from its title line (or its
   * scenario marker when it has none) to its results marker. */
  text: string;
  /** The 1-based line of the body where the report starts. */
  line: number;
  /** Why the report cannot be verified (no results marker), or null. */
  problem: string | null;
}

export interface MailReport extends FoundReport {
  source: MailBody;
}

/** A report's title line; a long title wraps after it (render.ts). */
const TITLE = /^pcplab: /;
/** A header field: printable ASCII up to a colon (RFC 5322 2.2). */
const FIELD = /^[!-9;-~]+:/;
/** Fields only a message starts with, so a pasted reply whose first line
 * happens to hold a colon ("pcplab: trylock vs irqsave ...") stays text. */
const MESSAGE_FIELD = /^(?:from|to|cc|subject|date|message-id|mime-version|content-type|content-transfer-encoding|received|return-path|delivered-to|reply-to|in-reply-to|references|x-[!-9;-~]*):/i;
/** An mbox separator, as mboxo, mboxrd, git format-patch and b4 write it. */
const SEPARATOR = /^From \S+/;

/** Whether the lines from `start` open a message: header fields (folded
 * ones included) up to an empty line or the end, one of them a message's. */
function opensMessage(lines: string[], start: number): boolean {
  let known = false;
  let i = start;
  for (; i < lines.length && lines[i] !== ""; i++) {
    const line = lines[i]!;
    if (/^[ \t]/.test(line) && i > start) continue;
    if (!FIELD.test(line)) return false;
    if (MESSAGE_FIELD.test(line)) known = true;
  }
  return known && i > start;
}

/** The messages of an mbox, their ">From " escaping undone (mboxrd; for
 * mboxo this is right for every line but one that began ">From " itself). */
function splitMbox(lines: string[]): string[][] {
  const messages: string[][] = [];
  let current: string[] | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (SEPARATOR.test(line) && (i === 0 || lines[i - 1] === "") && opensMessage(lines, i + 1)) {
      // The empty line before a separator belongs to the mbox, not the message.
      if (current && current.at(-1) === "") current.pop();
      current = [];
      messages.push(current);
      continue;
    }
    current?.push(line.replace(/^>(>*From )/, "$1"));
  }
  return messages;
}

/** Text to what postal-mime parses: bytes read as latin1 go back to the
 * same bytes, so a body's own charset decides how they read. */
type Encode = (text: string) => string | Uint8Array;

function latin1(bytes: Uint8Array): string {
  let out = "";
  // apply takes the typed array as it is; spreading it walks an iterator,
  // five times slower on a 20 MB file.
  for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  return out;
}

function fromLatin1(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return bytes;
}

function address(email: Email): string | null {
  const from = email.from;
  if (!from) return null;
  if (from.address === undefined) return from.name || null;
  return from.name ? `${from.name} <${from.address}>` : from.address;
}

/** The plain-text bodies of one message: its text (postal-mime prefers
 * text/plain and falls back to the HTML's text) and text/plain files. */
function textsOf(email: Email): string[] {
  const texts = [email.text ?? ""];
  for (const a of email.attachments) {
    if (a.mimeType !== "text/plain") continue;
    texts.push(typeof a.content === "string" ? a.content : new TextDecoder().decode(a.content));
  }
  return texts;
}

async function parseMessage(raw: string | Uint8Array, message: number, messages: number, fallback: string): Promise<MailBody[]> {
  try {
    const email = await PostalMime.parse(raw);
    const date = email.headers.find((h) => h.key === "date")?.value.trim() || email.date || null;
    const meta = { message, messages, subject: email.subject ?? null, from: address(email), date };
    return textsOf(email).map((text) => ({ ...meta, text }));
  } catch {
    // A message postal-mime refuses (too deep, too many parts) may still
    // hold a report in plain text.
    return [{ message, messages, subject: null, from: null, date: null, text: fallback }];
  }
}

/**
 * The plain-text bodies in pasted text, one saved message or an mbox. Bytes
 * (a file as read from disk) keep a message's own charset; text that is no
 * message is read as UTF-8.
 */
export async function mailBodies(input: string | Uint8Array): Promise<MailBody[]> {
  const text = typeof input === "string" ? input : latin1(input);
  const encode: Encode = typeof input === "string" ? (t) => t : fromLatin1;
  const plain = () => (typeof input === "string" ? input : new TextDecoder().decode(input));
  const lines = text.split(/\r\n|\n/);
  let first = 0;
  while (first < lines.length && lines[first]!.trim() === "") first++;
  if (first < lines.length && SEPARATOR.test(lines[first]!) && opensMessage(lines, first + 1)) {
    const messages = splitMbox(lines.slice(first));
    const bodies: MailBody[] = [];
    for (const [k, m] of messages.entries()) {
      const raw = m.join("\r\n") + "\r\n";
      bodies.push(...(await parseMessage(encode(raw), k + 1, messages.length, raw)));
    }
    return bodies;
  }
  if (opensMessage(lines, first)) return parseMessage(encode(lines.slice(first).join("\r\n")), 1, 1, text);
  return [{ message: 0, messages: 0, subject: null, from: null, date: null, text: plain() }];
}

/** Every report in a body, quoting at any depth undone; text after one
 * report's results marker is searched for more. */
export function findReports(body: string): FoundReport[] {
  const lines = body.split(/\r\n|\r|\n/).map(unquote);
  const found: FoundReport[] = [];
  let floor = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!SCENARIO_MARKER.test(lines[i]!)) continue;
    // Without its title the report starts where the text after the last
    // one does, so its tables still come along.
    let title = floor;
    for (let k = i - 1; k >= floor; k--) {
      if (TITLE.test(lines[k]!)) {
        title = k;
        break;
      }
    }
    let end = i + 1;
    while (end < lines.length && !RESULTS_MARKER.test(lines[end]!) && !SCENARIO_MARKER.test(lines[end]!)) end++;
    if (end < lines.length && RESULTS_MARKER.test(lines[end]!)) {
      found.push({ text: lines.slice(title, end + 1).join("\n") + "\n", line: title + 1, problem: null });
      floor = end + 1;
      i = end;
    } else {
      const problem = `the scenario that starts on line ${i + 1} has no closing '---8<--- pcplab results sha256:<12 hex> ---8<---' line`;
      found.push({ text: lines.slice(title, end).join("\n") + "\n", line: title + 1, problem });
      floor = end;
      i = end - 1;
    }
  }
  return found;
}

/** Every report in pasted text, a message or an mbox, with where it came from. */
export async function mailReports(input: string | Uint8Array): Promise<MailReport[]> {
  const reports: MailReport[] = [];
  for (const source of await mailBodies(input)) {
    for (const r of findReports(source.text)) reports.push({ ...r, source });
  }
  return reports;
}

export const NOT_FOUND = "no pcplab scenario found: expected a line '---8<--- pcplab scenario sha256:<12 hex> ---8<---'";

/** Where a report came from, for a reader: "message 2 of 5, line 40 of its
 * text" and the message's Subject, From and Date, or "line 12" for text
 * that is no message. */
export function describeSource(r: MailReport): string[] {
  const s = r.source;
  if (s.message === 0) return [`line ${r.line}`];
  const out = [`message ${s.message} of ${s.messages}, line ${r.line} of its text`];
  if (s.subject !== null) out.push(`Subject: ${s.subject}`);
  if (s.from !== null) out.push(`From: ${s.from}`);
  if (s.date !== null) out.push(`Date: ${s.date}`);
  return out;
}
