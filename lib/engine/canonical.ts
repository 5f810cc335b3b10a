// Canonical JSON and content digests.
//
// canonicalJson gives one byte-for-byte text per JSON value, in every engine:
//   - object keys sorted by UTF-16 code unit order (plain < on strings, which
//     ECMAScript defines exactly; localeCompare would depend on ICU data);
//   - arrays in order; no whitespace;
//   - strings escaped exactly as JSON.stringify escapes them (JSON.stringify
//     on a string is fully specified, including \uXXXX for lone surrogates);
//   - numbers as String(n) prints them (Number::toString is the exactly
//     specified shortest round-trip form), with -0 printed as 0;
//   - NaN and +-Infinity rejected, with the key path in the error.
// Object members whose value is undefined are omitted, and undefined array
// elements (and holes) print as null, both as JSON.stringify does.
//
// Only plain data is accepted: null, booleans, finite numbers, strings,
// arrays and objects whose prototype is Object.prototype or null. Anything
// else (functions, symbols, bigints, Map, Set, typed arrays, class
// instances, objects with toJSON, cycles, a top-level undefined) throws,
// rather than being silently turned into something JSON.stringify would
// have written differently.

import { sha256Hex } from "./sha256.ts";

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function childPath(path: string, key: string): string {
  return IDENT.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function fail(path: string, what: string): never {
  throw new Error(`canonicalJson: ${what} at ${path}`);
}

function write(value: unknown, path: string, ancestors: object[], out: string[]): void {
  if (typeof value === "string") {
    out.push(JSON.stringify(value));
    return;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) fail(path, `non-finite number ${String(value)}`);
    out.push(value === 0 ? "0" : String(value));
    return;
  }
  if (typeof value === "boolean") {
    out.push(value ? "true" : "false");
    return;
  }
  if (value === null) {
    out.push("null");
    return;
  }
  if (value === undefined) fail(path, "undefined value");
  if (typeof value !== "object") fail(path, `unsupported ${typeof value}`);
  if (ancestors.includes(value)) fail(path, "circular reference");
  ancestors.push(value);
  if (Array.isArray(value)) {
    out.push("[");
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(",");
      const item: unknown = value[i];
      if (item === undefined) out.push("null");
      else write(item, `${path}[${i}]`, ancestors, out);
    }
    out.push("]");
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
      fail(path, `unsupported object${typeof name === "string" && name ? ` (${name})` : ""}`);
    }
    const record = value as Record<string, unknown>;
    if (typeof record.toJSON === "function") fail(path, "object with toJSON");
    const keys = Object.keys(record).sort(compareCodeUnits);
    out.push("{");
    let first = true;
    for (const key of keys) {
      const member = record[key];
      if (member === undefined) continue;
      if (!first) out.push(",");
      first = false;
      out.push(JSON.stringify(key), ":");
      write(member, childPath(path, key), ancestors, out);
    }
    out.push("}");
  }
  ancestors.pop();
}

/** Deterministic JSON text for a plain-data value (see the module comment for the rules). */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, "$", [], out);
  return out.join("");
}

/** "sha256:" + SHA-256 hex of canonicalJson(value). */
export function digest(value: unknown): string {
  return "sha256:" + sha256Hex(canonicalJson(value));
}
