"use client";
// History: automatic checkpoints and named versions, each with a permalink
// (/notebook/<id>?v=<version>) a mail can cite. A version opens read-only;
// editors may restore it, once they confirm, which applies it as a new
// change on top of the history (nothing earlier is rewritten) after the
// server keeps the state it replaces as a version of its own.
import { useEffect, useRef, useState } from "react";
import { beforeRestoring } from "../notebook/history.ts";
import { api } from "./links.ts";
import { Markdown } from "./Markdown.tsx";
import { Alert } from "./Alert.tsx";

interface Version {
  id: string;
  name: string | null;
  createdAt: number;
}

interface VersionContent extends Version {
  title: string;
  cells: { id: string; kind: string; source: string }[];
}

const call = <T,>(id: string, token: string, method: string, path: string, body?: unknown) => api<T>(method, `/api/notebooks/${id}/versions${path}`, body, token);

const versionLabel = (v: Version) => v.name ?? "checkpoint";

export function HistoryPanel({ id, token, canSave, onClose }: { id: string; token: string; canSave: boolean; onClose: () => void }) {
  const [versions, setVersions] = useState<Version[]>([]);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    call<{ versions: Version[] }>(id, token, "GET", "")
      .then((r) => setVersions(r.versions))
      .catch((e: Error) => setError(e.message));
  useEffect(() => {
    load();
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <section className="history-panel" role="dialog" aria-label="History">
      <h2>History</h2>
      {canSave && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            call(id, token, "POST", "", { name: name.trim() })
              .then(() => {
                setName("");
                load();
              })
              .catch((err: Error) => setError(err.message));
          }}
        >
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Name this version, e.g. v2 as posted" aria-label="Version name" maxLength={200} />
          <button type="submit" className="primary" disabled={!name.trim()}>
            Save version
          </button>
        </form>
      )}
      <Alert message={error} />
      <ul className="versions" aria-label="Versions">
        {versions.map((v) => (
          <li key={v.id}>
            {/* A full load: the page reads ?v= when it opens. */}
            <a href={`/notebook/${id}?v=${v.id}`}>{versionLabel(v)}</a> <time dateTime={new Date(v.createdAt).toISOString()}>{new Date(v.createdAt).toLocaleString()}</time>
          </li>
        ))}
      </ul>
      <button onClick={onClose}>Close</button>
    </section>
  );
}

/** Asks before a restore replaces the live notebook for everyone on it, and
 * says where what it replaces will be kept. A modal <dialog>: focus stays
 * in it, and Escape cancels. */
function ConfirmRestore({ kept, onRestore, onClose }: { kept: string; onRestore: () => Promise<void>; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} className="history-panel confirm-restore" aria-labelledby="confirm-restore-title" aria-describedby="confirm-restore-what" onClose={onClose}>
      <h2 id="confirm-restore-title">Restore this version?</h2>
      <p id="confirm-restore-what">
        The live notebook&apos;s title and cells become this version&apos;s, for everyone on it. What it holds now is kept in History as{" "}
        <strong>{kept}</strong>, so this can be undone.
      </p>
      <Alert message={error} />
      <div className="row">
        <button
          className="primary"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            setError(null);
            onRestore().catch((e: Error) => {
              setBusy(false);
              setError(e.message);
            });
          }}
        >
          Restore
        </button>
        <button autoFocus disabled={busy} onClick={() => ref.current?.close()}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}

/** One version, read-only, with the way back and (for editors) Restore. */
export function VersionView({ id, versionId, token, canRestore }: { id: string; versionId: string; token: string; canRestore: boolean }) {
  const [v, setV] = useState<VersionContent | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  useEffect(() => {
    call<VersionContent>(id, token, "GET", `/${versionId}`).then(setV, (e: Error) => setError(e.message));
  }, [id, versionId, token]);
  if (error) {
    return <Alert message={error} />;
  }
  if (!v) return <p className="loading">Loading version…</p>;
  return (
    <section className="version-view" aria-label="Version">
      <p className="version-banner">
        Version <strong>{versionLabel(v)}</strong> of {new Date(v.createdAt).toLocaleString()}, read-only. <a href={`/notebook/${id}`}>Back to the live notebook</a>
        {canRestore && <button onClick={() => setConfirming(true)}>Restore this version</button>}
      </p>
      {confirming && (
        <ConfirmRestore
          kept={beforeRestoring(v)}
          onClose={() => setConfirming(false)}
          onRestore={() => call(id, token, "POST", `/${versionId}/restore`).then(() => void (location.href = `/notebook/${id}`))}
        />
      )}
      <h1>{v.title}</h1>
      {v.cells.map((c, i) => (
        <article key={c.id} className={`cell ${c.kind}`} aria-label={`${c.kind === "scenario" ? "Scenario" : "Markdown"} cell ${i + 1}`}>
          {c.kind === "markdown" ? <Markdown source={c.source} /> : <pre className="version-source">{c.source}</pre>}
        </article>
      ))}
    </section>
  );
}
