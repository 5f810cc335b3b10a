// Mail quoting undone in one pass over each line. A regex such as
// /^(?:[ \t]*>[ \t]?)+/ keeps a backtracking frame per ">" and overflows
// the stack on a line of millions of them, and /\s+$/ retries from every
// whitespace run, quadratic on a long one: text from a mail is anyone's.

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Where the quoting of `line` ends: after its last ">" reached through
 * spaces, tabs and ">" only, and the one space or tab that follows it;
 * 0 when the line is not quoted. */
function quoteEnd(line: string): number {
  let end = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x3e) end = i + 1 < line.length && isBlank(line.charCodeAt(i + 1)) ? i + 2 : i + 1;
    else if (!isBlank(c)) break;
  }
  return end;
}

/** Removes mail quoting: any run of ">" each followed by an optional space,
 * and the line's trailing whitespace. */
export function unquote(line: string): string {
  return line.slice(quoteEnd(line)).trimEnd();
}
