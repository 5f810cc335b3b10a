// Hocuspocus's wire format, written by hand: what a crafted client (the
// tests) or a lean one (bench:collab) sends. Each message is the document
// name, then the message type (0 sync, 2 auth) and its body.
import * as encoding from "lib0/encoding";
import * as Y from "yjs";

export function frame(doc: string, write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, doc);
  write(e);
  return encoding.toUint8Array(e);
}

/** Auth: the link token. */
export const authMessage = (doc: string, token: string) =>
  frame(doc, (e) => (encoding.writeVarUint(e, 2), encoding.writeVarUint(e, 0), encoding.writeVarString(e, token)));

/** Sync step 1 from an empty document: "send me everything". */
export const step1Message = (doc: string) =>
  frame(doc, (e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, 0), encoding.writeVarUint8Array(e, Y.encodeStateVector(new Y.Doc()))));

/** A Yjs update. */
export const updateMessage = (doc: string, update: Uint8Array) =>
  frame(doc, (e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, 2), encoding.writeVarUint8Array(e, update)));
