"use client";
// A notebook's live session: the Yjs document shared through the app's own
// /collab WebSocket, its comments document, the browser's own copy
// (IndexedDB) and the sync status, returned as plain state for the page to
// render, as tldraw's useYjsStore does for its store. Only this module (and
// the editor binding in monaco.ts) knows the document is Yjs.
import { HocuspocusProvider } from "@hocuspocus/provider";
import { IndexeddbPersistence } from "y-indexeddb";
import { useEffect, useState } from "react";
import * as Y from "yjs";
import { authorId, Comments } from "../notebook/comments.ts";
import { Notebook, yText, type Cell } from "../notebook/notebook.ts";
import { lookUp, takeShareFromHash, tokensFor, type Role } from "./links.ts";

type SyncStatus = "connecting" | "saved" | "saving" | "offline" | "unsaved";

/** The server's close code for an edit it could not store (lib/server/writes.ts). */
const NOT_SAVED_CODE = 4507;

declare const opaque: unique symbol;

/** A cell's shared text, for the editor to bind to (monaco.ts): opaque, so
 * that components pass it on without depending on Yjs. */
export interface SharedText {
  readonly [opaque]: "SharedText";
  /** The text as it is now. */
  toString(): string;
}

/** Who is here and where: the part of Yjs awareness that Presence and the
 * cells use (monaco.ts hands the same object to y-monaco for cursors). */
export interface Peers {
  readonly clientID: number;
  getStates(): Map<number, Record<string, unknown>>;
  on(event: "change", listener: () => void): void;
  off(event: "change", listener: () => void): void;
  setLocalStateField(field: string, value: unknown): void;
}

export function sharedText(nb: Notebook, cellId: string): SharedText | null {
  return yText(nb, cellId) as unknown as SharedText | null;
}

/** The open document, with the role its link grants. */
interface LiveNotebook {
  nb: Notebook;
  comments: Comments;
  peers: Peers;
  role: Role;
  token: string;
}

interface NotebookSession {
  /** No notebook here, or this browser holds no valid link to it. */
  missing: boolean;
  /** The server refused the link: revoked or expired. */
  denied: boolean;
  /** The server refused the connection for want of room (the notebook's or
   * the link's connection cap): its reason, e.g. "too many connections
   * with this link"; the link itself is fine. */
  busy: string | null;
  /** A version permalink (?v=<id>): that version is shown, read-only, and no document is opened. */
  version: string | null;
  /** The link held for a version permalink, once looked up. */
  versionLink: { role: Role; token: string } | null;
  live: LiveNotebook | null;
  /** Viewers and commenters (and everyone until the document is open) may not edit. */
  readOnly: boolean;
  status: SyncStatus;
  /** The server's copy has arrived at least once. */
  synced: boolean;
  title: string;
  cells: Cell[];
}

/** Opens notebook `id` with the strongest link this browser holds for it;
 * viewers and commenters get it read-only (and the server refuses their
 * edits whatever the page does). */
export function useNotebookSession(id: string): NotebookSession {
  const [live, setLive] = useState<LiveNotebook | null>(null);
  const [missing, setMissing] = useState(false);
  const [denied, setDenied] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [status, setStatus] = useState<SyncStatus>("connecting");
  const [cells, setCells] = useState<Cell[]>([]);
  const [title, setTitle] = useState("");
  const [synced, setSynced] = useState(false);
  const [version, setVersion] = useState<string | null>(null);
  const [versionLink, setVersionLink] = useState<{ role: Role; token: string } | null>(null);

  useEffect(() => {
    let cancelled = false;
    let teardown = () => {};
    takeShareFromHash(id);
    const v = /^\?v=([A-Za-z0-9_-]{1,64})$/.exec(location.search)?.[1] ?? null;
    setVersion(v);
    lookUp(tokensFor(id)).then(
      (held) => {
        const link = held.find((h) => h.id === id);
        if (cancelled) return;
        if (!link) setMissing(true);
        else if (v) setVersionLink({ role: link.role, token: link.token });
        else
          teardown = open(id, link.role, link.token, {
            denied: (reason) => (FULL.test(reason) ? setBusy(reason) : setDenied(true)),
            status: setStatus,
            synced: () => setSynced(true),
            content: (nb) => {
              setCells(nb.cells());
              setTitle(nb.title);
            },
            live: setLive,
          });
      },
      () => !cancelled && setStatus("offline"),
    );
    return () => {
      cancelled = true;
      teardown();
    };
  }, [id]);

  const readOnly = live ? live.role === "viewer" || live.role === "commenter" : true;
  return { missing, denied, busy, version, versionLink, live, readOnly, status, synced, title, cells };
}

// What the server says when a connection cap, not the link, refuses
// (lib/server/peers.ts).
const FULL = /^too many connections /;

interface Listeners {
  denied(reason: string): void;
  status(status: SyncStatus): void;
  synced(): void;
  content(nb: Notebook): void;
  live(live: LiveNotebook): void;
}

/** Connects to notebook `id`; returns what closes it all again. */
function open(id: string, role: Role, token: string, on: Listeners): () => void {
  const doc = new Y.Doc();
  const nb = new Notebook(doc);
  // Those who may write keep a copy in the browser: edits made offline
  // survive closing the tab and go to the server on the next visit.
  const local = role === "owner" || role === "editor" ? new IndexeddbPersistence(`pcplab:${id}`, doc) : null;
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/collab`;
  const provider = new HocuspocusProvider({
    url,
    name: id,
    document: doc,
    token,
    onAuthenticationFailed: ({ reason }: { reason?: string }) => on.denied(reason ?? ""),
  });
  // Comments are a document of their own, writable by commenters too.
  const commentsDoc = new Y.Doc();
  const commentsProvider = new HocuspocusProvider({
    url,
    name: `${id}/comments`,
    document: commentsDoc,
    token,
  });
  let connected = false;
  let everSynced = false;
  // Set when the server refused to store an edit, until it has stored
  // everything: the provider reconnects and sends it again meanwhile, and
  // "saving…" between those attempts would promise too much.
  let refused = false;
  const refreshStatus = () => {
    if (refused) on.status("unsaved");
    else if (!connected || !everSynced) on.status(everSynced ? "offline" : "connecting");
    else on.status(provider.hasUnsyncedChanges ? "saving" : "saved");
  };
  // The provider emits a socket's close as { event }, but a Close message
  // from the server as the bare event (provider 3.4.3); either may come.
  provider.on("close", (e: { event?: { code?: number }; code?: number } | undefined) => {
    if ((e?.event?.code ?? e?.code) === NOT_SAVED_CODE) refused = true;
    refreshStatus();
  });
  provider.on("status", ({ status }: { status: string }) => {
    connected = status === "connected";
    refreshStatus();
  });
  provider.on("unsyncedChanges", ({ number }: { number: number }) => {
    // Only the server's "saved" brings the count to zero.
    if (number === 0) refused = false;
    refreshStatus();
  });
  provider.on("synced", () => {
    everSynced = true;
    on.synced();
    refreshStatus();
  });
  // Many changes in one frame (a paste, a peer's burst) render once.
  let frame = 0;
  const refresh = () => {
    frame = 0;
    on.content(nb);
    refreshStatus();
  };
  const off = nb.onChange(() => {
    if (!frame) frame = requestAnimationFrame(refresh);
  });
  refresh();
  on.live({ nb, peers: provider.awareness!, role, token, comments: new Comments(commentsDoc, authorId(token), role === "owner" || role === "editor") });
  // Tests and the curious read the document from here.
  (window as unknown as { __pcplab?: Notebook }).__pcplab = nb;
  return () => {
    off();
    cancelAnimationFrame(frame);
    provider.destroy();
    commentsProvider.destroy();
    void local?.destroy();
    doc.destroy();
    commentsDoc.destroy();
  };
}
