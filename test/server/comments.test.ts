// Comments against the real collaboration server, with real providers over
// real WebSockets: a commenter's crafted update that rewrites, deletes or
// forges someone else's comment is refused (not applied, stored or
// relayed); authors change their own; editors and owners moderate, on
// record.
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import * as Y from "yjs";
import { authorId, Comments, type Thread } from "../../lib/notebook/comments.ts";
import { Access, type Role } from "../../lib/server/access.ts";
import { createCollab, storedDoc } from "../../lib/server/collab.ts";
import { NotebookStore } from "../../lib/server/store.ts";
import { eventually } from "../support/eventually.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

async function freshServer() {
  const store = new NotebookStore(mkdtempSync(join(tmpdir(), "pcplab-comments-")));
  const access = new Access(store);
  const collab = createCollab(store, access, { storeDebounceMs: 20, expirySweepMs: 50 });
  const http: Server = createServer((_, res) => res.end("pcplab"));
  collab.attach(http);
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const port = (http.address() as AddressInfo).port;
  cleanups.push(async () => {
    await collab.close();
    http.closeAllConnections();
    await new Promise<void>((r) => http.close(() => r()));
    store.close();
  });
  const tokens = {} as Record<Role | "commenter2", string>;
  store.create("nb", "");
  for (const role of ["owner", "editor", "commenter", "viewer"] as const) tokens[role] = access.grant("nb", role).token;
  tokens.commenter2 = access.grant("nb", "commenter").token;
  return { store, port, tokens };
}

/** A participant on nb's comments document, writing as its link's author id. */
function participant(port: number, token: string) {
  const websocketProvider = new HocuspocusProviderWebsocket({ url: `ws://127.0.0.1:${port}/collab`, WebSocketPolyfill: WebSocket });
  const provider = new HocuspocusProvider({ websocketProvider, name: "nb/comments", token });
  provider.attach();
  let closedWith: string | null = null;
  // The server closes a refused document with a close message: the provider forwards its reason.
  provider.on("close", (e: { reason?: string; event?: { reason?: string } }) => (closedWith ??= e.reason ?? e.event?.reason ?? ""));
  const destroy = () => {
    provider.destroy();
    websocketProvider.destroy();
  };
  cleanups.push(destroy);
  const synced = new Promise<void>((resolve) => provider.on("synced", () => resolve()));
  const doc = provider.document;
  const list = (thread: string) => doc.getMap<Y.Map<unknown>>("threads").get(thread)!.get("comments") as Y.Array<unknown>;
  return { provider, doc, synced, comments: new Comments(doc, authorId(token)), list, closedWith: () => closedWith, destroy };
}

const key = (p: ReturnType<typeof participant>, thread: string, i: number) => p.comments.all().find((t) => t.id === thread)!.comments[i]!.key;
const texts = (threads: Thread[]) => threads.map((t) => t.comments.map((c) => (c.deleted ? `(deleted${c.moderatedBy ? ` by ${c.moderatedBy}` : ""})` : `${c.author}: ${c.text}${c.edited ? " (edited)" : ""}`)));
const stored = (store: NotebookStore) => texts(new Comments(storedDoc(store, "nb/comments")).all());

/** Waits until the server has answered `hostile`'s change: closed for it, or (on a server that lets it through) a while later. */
async function answered(hostile: ReturnType<typeof participant>) {
  await eventually(() => hostile.closedWith() !== null, 1000).catch(() => {});
  const reason = hostile.closedWith();
  hostile.destroy();
  return reason;
}

describe("comments on the collaboration server", () => {
  async function setup() {
    const server = await freshServer();
    const alice = participant(server.port, server.tokens.commenter);
    const owner = participant(server.port, server.tokens.owner);
    await Promise.all([alice.synced, owner.synced]);
    const thread = alice.comments.start("cell1", "Alice", "32 is the v2 relock batch");
    await eventually(() => texts(owner.comments.all()).length === 1);
    /** A later, legitimate change: once the owner sees it, it has seen everything the server relayed before. */
    const settle = async (marker: string) => {
      alice.comments.reply(thread, "Alice", marker);
      await eventually(() => JSON.stringify(texts(owner.comments.all())).includes(marker));
    };
    return { server, alice, owner, thread, settle };
  }

  it("refuses a commenter rewriting another's comment in place, and stores and relays nothing of it", async () => {
    const { server, owner, thread, settle } = await setup();
    const mallory = participant(server.port, server.tokens.commenter2);
    await mallory.synced;
    const original = mallory.list(thread).get(0) as Record<string, unknown>;
    mallory.doc.transact(() => {
      mallory.list(thread).delete(0, 1);
      mallory.list(thread).insert(0, [{ ...original, text: "32 is wrong, use 64" }]);
    });
    expect(await answered(mallory)).toMatch(/comment change refused/);
    await settle("marker");
    expect(texts(owner.comments.all())).toEqual([["Alice: 32 is the v2 relock batch", "Alice: marker"]]);
    expect(stored(server.store)).toEqual([["Alice: 32 is the v2 relock batch", "Alice: marker"]]);
  });

  it("refuses a commenter's revision of another's comment", async () => {
    const { server, owner, thread, settle } = await setup();
    const mallory = participant(server.port, server.tokens.commenter2);
    await mallory.synced;
    mallory.comments.edit(thread, key(mallory, thread, 0), "Alice", "32 is wrong, use 64");
    expect(await answered(mallory)).toMatch(/only its author/);
    await settle("marker");
    expect(stored(server.store)).toEqual([["Alice: 32 is the v2 relock batch", "Alice: marker"]]);
    expect(texts(owner.comments.all())).toEqual(stored(server.store));
  });

  it("refuses a commenter deleting another's comment, outright or by revision", async () => {
    const { server, owner, thread, settle } = await setup();
    const m1 = participant(server.port, server.tokens.commenter2);
    await m1.synced;
    m1.list(thread).delete(0, 1);
    expect(await answered(m1)).toMatch(/comment change refused/);
    const m2 = participant(server.port, server.tokens.commenter2);
    await m2.synced;
    m2.doc.getMap("threads").delete(thread);
    expect(await answered(m2)).toMatch(/comment change refused/);
    const m3 = participant(server.port, server.tokens.commenter2);
    await m3.synced;
    m3.comments.remove(thread, key(m3, thread, 0), "Mallory");
    expect(await answered(m3)).toMatch(/only its author/);
    await settle("marker");
    expect(stored(server.store)).toEqual([["Alice: 32 is the v2 relock batch", "Alice: marker"]]);
    expect(texts(owner.comments.all())).toEqual(stored(server.store));
  });

  it("refuses a new comment signed with another link's author id", async () => {
    const { server, alice, owner, thread, settle } = await setup();
    const mallory = participant(server.port, server.tokens.commenter2);
    await mallory.synced;
    mallory.list(thread).push([{ id: "0123456789abcdef", by: authorId(server.tokens.commenter), author: "Alice", text: "never mind, 64", at: Date.now() }]);
    expect(await answered(mallory)).toMatch(/another author's id/);
    // Nor may one start a thread in someone else's name.
    const forger = participant(server.port, server.tokens.commenter2);
    await forger.synced;
    new Comments(forger.doc, authorId(server.tokens.owner)).start("cell1", "Owner", "approved");
    expect(await answered(forger)).toMatch(/another author's id/);
    await settle("marker");
    expect(stored(server.store)).toEqual([["Alice: 32 is the v2 relock batch", "Alice: marker"]]);
    expect(texts(owner.comments.all())).toEqual(stored(server.store));
    expect(alice.closedWith()).toBeNull();
  });

  it("lets a commenter edit and delete their own comments", async () => {
    const { server, alice, owner, thread } = await setup();
    alice.comments.reply(thread, "Alice", "and 64 for v3");
    alice.comments.edit(thread, key(alice, thread, 0), "Alice", "32 is the v2 relock batch size");
    alice.comments.remove(thread, key(alice, thread, 1), "Alice");
    const want = [["Alice: 32 is the v2 relock batch size (edited)", "(deleted)"]];
    await eventually(() => JSON.stringify(texts(owner.comments.all())) === JSON.stringify(want));
    await eventually(() => JSON.stringify(stored(server.store)) === JSON.stringify(want));
    expect(alice.closedWith()).toBeNull();
  });

  it("lets editors and owners delete or edit anyone's comment, recorded as moderation", async () => {
    const { server, alice, owner, thread } = await setup();
    const editor = participant(server.port, server.tokens.editor);
    await editor.synced;
    alice.comments.reply(thread, "Alice", "buy pills at example.invalid");
    await eventually(() => editor.comments.all()[0]?.comments.length === 2);
    editor.comments.remove(thread, key(editor, thread, 1), "Ed");
    owner.comments.edit(thread, key(owner, thread, 0), "Olga", "32 is the v2 relock batch (per mm/page_alloc.c)");
    const want = [["Alice: 32 is the v2 relock batch (per mm/page_alloc.c) (edited)", "(deleted by Ed)"]];
    await eventually(() => JSON.stringify(texts(alice.comments.all())) === JSON.stringify(want));
    expect(alice.comments.all()[0]!.comments[0]!.moderatedBy).toBe("Olga");
    await eventually(() => JSON.stringify(stored(server.store)) === JSON.stringify(want));
    expect(editor.closedWith()).toBeNull();
    expect(owner.closedWith()).toBeNull();
  });

  it("accepts replies written at the same moment, wherever Yjs places them", async () => {
    const { server, alice, owner, thread } = await setup();
    const bob = participant(server.port, server.tokens.commenter2);
    await bob.synced;
    for (let round = 0; round < 5; round++) {
      alice.comments.reply(thread, "Alice", `alice ${round}`);
      bob.comments.reply(thread, "Bob", `bob ${round}`);
    }
    await eventually(() => owner.comments.all()[0]?.comments.length === 11);
    await eventually(() => stored(server.store)[0]?.length === 11);
    expect([alice.closedWith(), bob.closedWith()]).toEqual([null, null]);
  });

  it("records who resolves a thread, and refuses a resolution in someone else's name", async () => {
    const { server, owner, thread, settle } = await setup();
    const bob = participant(server.port, server.tokens.commenter2);
    await bob.synced;
    bob.comments.setResolved(thread, true, "Bob");
    await eventually(() => owner.comments.all()[0]?.resolvedBy === "Bob");
    expect(owner.comments.all()[0]!.resolved).toBe(true);
    const forger = participant(server.port, server.tokens.commenter2);
    await forger.synced;
    new Comments(forger.doc, authorId(server.tokens.commenter)).setResolved(thread, false, "Alice");
    expect(await answered(forger)).toMatch(/record who did/);
    await settle("marker");
    expect(owner.comments.all()[0]).toMatchObject({ resolved: true, resolvedBy: "Bob" });
  });
});
