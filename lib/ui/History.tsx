"use client";
// History: automatic checkpoints and named versions, each with a permalink
// (/notebook/<id>?v=<version>) a mail can cite. A version opens read-only;
// editors may restore it, which applies it as a new change on top of the
// history (nothing earlier is rewritten).
import { useEffect, useState } from "react";
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

export const versionLabel = (v: Version) => v.name ?? "checkpoint";

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

/** One version, read-only, with the way back and (for editors) Restore. */
export function VersionView({ id, versionId, token, canRestore }: { id: string; versionId: string; token: string; canRestore: boolean }) {
  const [v, setV] = useState<VersionContent | null>(null);
  const [error, setError] = useState<string | null>(null);
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
        {canRestore && (
          <button
            onClick={() =>
              call(id, token, "POST", `/${versionId}/restore`).then(
                () => (location.href = `/notebook/${id}`),
                (e: Error) => setError(e.message),
              )
            }
          >
            Restore this version
          </button>
        )}
      </p>
      <h1>{v.title}</h1>
      {v.cells.map((c, i) => (
        <article key={c.id} className={`cell ${c.kind}`} aria-label={`${c.kind === "scenario" ? "Scenario" : "Markdown"} cell ${i + 1}`}>
          {c.kind === "markdown" ? <Markdown source={c.source} /> : <pre className="version-source">{c.source}</pre>}
        </article>
      ))}
    </section>
  );
}
