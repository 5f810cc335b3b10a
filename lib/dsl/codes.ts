// Every diagnostic code the language can produce. Codes are stable: tools
// and golden files match on them, so a code is never reused for another
// meaning. E1xx are lexical or syntax errors (the text cannot be read as a
// scenario), E2xx are semantic errors (it reads, but means nothing valid),
// W3xx are warnings (valid, but probably not what was meant).
// docs/errors.md renders this table; a test keeps the two in step.

export const CODES = {
  E101: "unexpected character",
  E102: "unterminated string",
  E103: "unknown unit",
  E104: "unknown gfp flag",
  E105: "syntax error",
  E106: "unknown statement or keyword",
  E107: "malformed number",
  E108: "input too large",
  E109: "nesting too deep",
  E110: "invalid escape in string",
  E111: "number too large",
  E112: "time is not a whole number of nanoseconds",
  E201: "value out of range",
  E202: "duplicate statement",
  E203: "duplicate name",
  E204: "unknown workload",
  E205: "unknown metric",
  E206: "unknown lock variant",
  E207: "expectation names a variant that is not run",
  E208: "allocation may sleep in atomic context",
  E209: "cpu outside the machine",
  E210: "wrong kind of value",
  E211: "unknown cost",
  E212: "incomplete or conflicting workload",
  E213: "unsupported kernel version",
  E214: "unknown context",
  E215: "gfp mask sets undefined bits",
  E216: "empty or reversed range",
  E217: "size is not a whole number of pages",
  E218: "metric cannot be expected",
  E219: "unknown sweep parameter",
  E220: "beyond the model's limits",
  E221: "unknown config option",
  E222: "config value of the wrong kind",
  E223: "config conflicts with the machine",
  W301: "gfp mask asks for both MOVABLE and RECLAIMABLE",
  W302: "ZONE_DMA is not simulated: __GFP_DMA allocates from ZONE_DMA32",
  W303: "__GFP_NOFAIL on a costly order",
  W304: "line too wide for a mail report",
} as const;

export type Code = keyof typeof CODES;
