"use client";
// A notebook, shown as cells, with its sync status, role and panels. The
// session (document, connection, the browser's copy) is useNotebookSession's;
// this page only renders it. Nothing is seeded here: the server creates a
// notebook's first content, so two tabs opening it never insert it twice.
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { CellView } from "./Cell.tsx";
import { HistoryPanel, VersionView } from "./History.tsx";
import { Presence } from "./Presence.tsx";
import { SharePanel } from "./SharePanel.tsx";
import { ImportFromMail } from "./ImportFromMail.tsx";
import { useNotebookSession } from "./useNotebookSession.ts";

export function NotebookPage({ id }: { id: string }) {
  const { missing, denied, busy, version, versionLink, live, readOnly, status, synced, title, cells } = useNotebookSession(id);
  const [importing, setImporting] = useState(false);
  const [message, setMessage] = useState("");
  const [target, setTarget] = useState<string | null>(null);
  const [sharing, setSharing] = useState(false);
  const [history, setHistory] = useState(false);

  // A permalink (#cell-<id>) opens at its cell once the document has it.
  useEffect(() => {
    if (!synced) return;
    const m = /^#cell-([0-9a-f]+)$/.exec(location.hash);
    if (m && cells.some((c) => c.id === m[1])) setTarget(m[1]!);
  }, [synced, cells.length > 0]); // eslint-disable-line react-hooks/exhaustive-deps

  const say = useCallback((m: string) => setMessage(m), []);

  if (missing || denied || busy) {
    return (
      <main className="page">
        <p role="alert">
          {busy
            ? `This notebook is full right now (${busy}): close other tabs on it, or try again later.`
            : denied
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
        {versionLink ? (
          <VersionView id={id} versionId={version} token={versionLink.token} canRestore={versionLink.role === "owner" || versionLink.role === "editor"} />
        ) : (
          <p className="loading">Loading…</p>
        )}
      </main>
    );
  }
  return (
    <main className="page notebook">
      <nav className="crumbs">
        <Link href="/">pcplab</Link> / <span className="title">{title || "…"}</span>
        {live && (
          <span className={`role ${live.role}`} aria-label="Your role">
            {live.role}
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
        {live && <button onClick={() => setHistory(!history)}>History</button>}
        {live?.role === "owner" && <button onClick={() => setSharing(!sharing)}>Share</button>}
      </nav>
      {live && readOnly && (
        <p className="read-only-notice" role="note" aria-label="Read-only">
          {live.role === "commenter" ? "You can read and comment on this notebook, but not edit or run it." : "You can read this notebook, but not edit, run or comment on it."} To
          edit it, ask the owner for an editor link.
        </p>
      )}
      {live && history && <HistoryPanel id={id} token={live.token} canSave={!readOnly} onClose={() => setHistory(false)} />}
      {live && <Presence peers={live.peers} />}
      {live && sharing && <SharePanel id={id} token={live.token} onClose={() => setSharing(false)} />}
      <p className="announce" aria-live="polite">
        {message}
      </p>
      {live && synced && (
        <>
          {cells.map((cell, i) => (
            <CellView
              key={cell.id}
              nb={live.nb}
              cell={cell}
              index={i}
              count={cells.length}
              peers={live.peers}
              notebookId={id}
              targeted={target === cell.id}
              readOnly={readOnly}
              comments={live.comments}
              canComment={live.role !== "viewer"}
              say={say}
            />
          ))}
          {cells.length === 0 && <p className="empty">This notebook has no cells yet.</p>}
          {!readOnly && (
            <div className="add-cells">
              <button onClick={() => live.nb.insertCell("scenario", cells.length)}>+ Scenario</button>
              <button onClick={() => live.nb.insertCell("markdown", cells.length)}>+ Markdown</button>
              <button onClick={() => setImporting(true)}>Import from mail</button>
            </div>
          )}
          {importing && (
            <ImportFromMail
              onClose={() => setImporting(false)}
              onImport={(sources) => {
                sources.forEach((source, k) => live.nb.insertCell("scenario", cells.length + k, source));
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
