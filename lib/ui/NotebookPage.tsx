"use client";
// A notebook: a Yjs document shared through the app's own /collab
// WebSocket, shown as cells. Nothing is seeded here: the server creates a
// notebook's first content, so two tabs opening it never insert it twice.
// The page opens with the strongest link this browser holds for the
// notebook; viewers and commenters get it read-only (and the server refuses
// their edits whatever this page does).
import { HocuspocusProvider } from "@hocuspocus/provider";
import { IndexeddbPersistence } from "y-indexeddb";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import * as Y from "yjs";
import { authorId, Comments } from "../notebook/comments.ts";
import { Notebook, type Cell } from "../notebook/notebook.ts";
import { CellView } from "./Cell.tsx";
import { HistoryPanel, VersionView } from "./History.tsx";
import { lookUp, takeShareFromHash, tokensFor, type Role } from "./links.ts";
import { Presence } from "./Presence.tsx";
import { SharePanel } from "./SharePanel.tsx";
import { ImportFromMail } from "./ImportFromMail.tsx";

type Status = "connecting" | "saved" | "saving" | "offline" | "unsaved";

/** The server's close code for an edit it could not store (lib/server/writes.ts). */
const NOT_SAVED_CODE = 4507;

interface Session {
  nb: Notebook;
  provider: HocuspocusProvider;
  comments: Comments;
  role: Role;
  token: string;
}

export function NotebookPage({ id }: { id: string }) {
  const [session, setSession] = useState<Session | null>(null);
  const [missing, setMissing] = useState(false);
  const [status, setStatus] = useState<Status>("connecting");
  const [cells, setCells] = useState<Cell[]>([]);
  const [title, setTitle] = useState("");
  const [synced, setSynced] = useState(false);
  const [importing, setImporting] = useState(false);
  const [message, setMessage] = useState("");
  const [target, setTarget] = useState<string | null>(null);
  const [denied, setDenied] = useState(false);
  const [sharing, setSharing] = useState(false);
  const [history, setHistory] = useState(false);
  /** A version permalink (?v=<id>) shows that version read-only. */
  const [version, setVersion] = useState<string | null>(null);
  const [held, setHeld] = useState<{ role: Role; token: string } | null>(null);

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
        else if (v) setHeld({ role: link.role, token: link.token });
        else teardown = open(link.role, link.token);
      },
      () => !cancelled && setStatus("offline"),
    );
    return () => {
      cancelled = true;
      teardown();
    };
  }, [id]); // eslint-disable-line react-hooks/exhaustive-deps

  function open(role: Role, token: string): () => void {
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
      onAuthenticationFailed: () => setDenied(true),
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
      if (refused) setStatus("unsaved");
      else if (!connected || !everSynced) setStatus(everSynced ? "offline" : "connecting");
      else setStatus(provider.hasUnsyncedChanges ? "saving" : "saved");
    };
    provider.on("close", ({ event }: { event: { code: number } }) => {
      if (event.code === NOT_SAVED_CODE) refused = true;
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
      setSynced(true);
      refreshStatus();
    });
    let frame = 0;
    const refresh = () => {
      frame = 0;
      setCells(nb.cells());
      setTitle(nb.title);
      refreshStatus();
    };
    const off = nb.onChange(() => {
      if (!frame) frame = requestAnimationFrame(refresh);
    });
    refresh();
    setSession({ nb, provider, role, token, comments: new Comments(commentsDoc, authorId(token), role === "owner" || role === "editor") });
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

  // A permalink (#cell-<id>) opens at its cell once the document has it.
  useEffect(() => {
    if (!synced) return;
    const m = /^#cell-([0-9a-f]+)$/.exec(location.hash);
    if (m && cells.some((c) => c.id === m[1])) setTarget(m[1]!);
  }, [synced, cells.length > 0]); // eslint-disable-line react-hooks/exhaustive-deps

  const say = useCallback((m: string) => setMessage(m), []);

  if (missing || denied) {
    return (
      <main className="page">
        <p role="alert">
          {denied
            ? "Your link to this notebook no longer works: it was revoked or has expired."
            : "There is no notebook here, or this browser holds no valid link to it."}{" "}
          <Link href="/">Your notebooks</Link>
        </p>
      </main>
    );
  }
  if (version) {
    return (
      <main className="page notebook">
        <nav className="crumbs">
          <Link href="/">pcplab</Link>
        </nav>
        {held ? (
          <VersionView id={id} versionId={version} token={held.token} canRestore={held.role === "owner" || held.role === "editor"} />
        ) : (
          <p className="loading">Loading…</p>
        )}
      </main>
    );
  }
  const nb = session?.nb;
  const readOnly = session ? session.role === "viewer" || session.role === "commenter" : true;
  return (
    <main className="page notebook">
      <nav className="crumbs">
        <Link href="/">pcplab</Link> / <span className="title">{title || "…"}</span>
        {session && (
          <span className={`role ${session.role}`} aria-label="Your role">
            {session.role}
            {readOnly ? " (read-only)" : ""}
          </span>
        )}
        <span className={`status ${status}`} role="status" aria-label="Sync status">
          {status === "saved"
            ? "saved"
            : status === "saving"
              ? "saving…"
              : status === "offline"
                ? "offline, changes kept locally"
                : status === "unsaved"
                  ? "not saved: the server cannot store changes now; kept locally"
                  : "connecting…"}
        </span>
        {session && <button onClick={() => setHistory(!history)}>History</button>}
        {session?.role === "owner" && <button onClick={() => setSharing(!sharing)}>Share</button>}
      </nav>
      {session && readOnly && (
        <p className="read-only-notice" role="note" aria-label="Read-only">
          {session.role === "commenter" ? "You can read and comment on this notebook, but not edit or run it." : "You can read this notebook, but not edit, run or comment on it."} To
          edit it, ask the owner for an editor link.
        </p>
      )}
      {session && history && <HistoryPanel id={id} token={session.token} canSave={!readOnly} onClose={() => setHistory(false)} />}
      {session && <Presence awareness={session.provider.awareness!} />}
      {session && sharing && <SharePanel id={id} token={session.token} onClose={() => setSharing(false)} />}
      <p className="announce" aria-live="polite">
        {message}
      </p>
      {nb && synced && (
        <>
          {cells.map((cell, i) => (
            <CellView
              key={cell.id}
              nb={nb}
              cell={cell}
              index={i}
              count={cells.length}
              awareness={session!.provider.awareness}
              notebookId={id}
              targeted={target === cell.id}
              readOnly={readOnly}
              comments={session!.comments}
              canComment={session!.role !== "viewer"}
              say={say}
            />
          ))}
          {cells.length === 0 && <p className="empty">This notebook has no cells yet.</p>}
          {!readOnly && (
            <div className="add-cells">
              <button onClick={() => nb.insertCell("scenario", cells.length)}>+ Scenario</button>
              <button onClick={() => nb.insertCell("markdown", cells.length)}>+ Markdown</button>
              <button onClick={() => setImporting(true)}>Import from mail</button>
            </div>
          )}
          {importing && (
            <ImportFromMail
              onClose={() => setImporting(false)}
              onImport={(sources) => {
                sources.forEach((source, k) => nb.insertCell("scenario", cells.length + k, source));
                setImporting(false);
                say(sources.length === 1 ? "Scenario imported from the mail as a new cell." : `${sources.length} scenarios imported from the mail as new cells.`);
              }}
            />
          )}
        </>
      )}
      {!synced && <p className="loading">Loading notebook…</p>}
    </main>
  );
}
