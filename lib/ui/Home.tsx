"use client";
// The notebooks this browser holds links to: open, create, rename, delete,
// or start from one of the shipped scenarios. The server shows no list of
// notebooks to anyone; the browser's own link tokens are the list.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { allTokens, api, forgetNotebook, lookUp, remember, type Held as Row } from "./links.ts";
import { Alert } from "./Alert.tsx";
interface Example {
  name: string;
  description: string;
}

function NotebookRow({ row, onChanged, onError }: { row: Row; onChanged: () => void; onError: (m: string) => void }) {
  const [renaming, setRenaming] = useState(false);
  const [title, setTitle] = useState(row.title);
  return (
    <li className="notebook-row">
      {renaming ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            api("PATCH", `/api/notebooks/${row.id}`, { title }, row.token)
              .then(() => {
                setRenaming(false);
                onChanged();
              })
              .catch((err: Error) => onError(err.message));
          }}
        >
          <input value={title} onChange={(e) => setTitle(e.target.value)} aria-label="New title" autoFocus />
          <button type="submit">Save</button>
          <button type="button" onClick={() => setRenaming(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <>
          <Link href={`/notebook/${row.id}`}>{row.title}</Link>
          <span className={`role ${row.role}`}>{row.role}</span>
          <time dateTime={new Date(row.updatedAt).toISOString()}>{new Date(row.updatedAt).toLocaleString()}</time>
          {(row.role === "owner" || row.role === "editor") && (
            <button onClick={() => setRenaming(true)} aria-label={`Rename ${row.title}`}>
              Rename
            </button>
          )}
          {row.role === "owner" ? (
            <button
              onClick={() => {
                if (confirm(`Delete "${row.title}"? This cannot be undone.`))
                  api("DELETE", `/api/notebooks/${row.id}`, undefined, row.token)
                    .then(() => {
                      forgetNotebook(row.id);
                      onChanged();
                    })
                    .catch((err: Error) => onError(err.message));
              }}
              aria-label={`Delete ${row.title}`}
            >
              Delete
            </button>
          ) : (
            <button
              onClick={() => {
                forgetNotebook(row.id);
                onChanged();
              }}
              aria-label={`Forget ${row.title}`}
              title="Remove it from this browser's list; the link itself stays valid"
            >
              Forget
            </button>
          )}
        </>
      )}
    </li>
  );
}

export function Home() {
  const router = useRouter();
  const [rows, setRows] = useState<Row[] | null>(null);
  const [examples, setExamples] = useState<Example[]>([]);
  const [title, setTitle] = useState("");
  const [error, setError] = useState<string | null>(null);

  const load = () =>
    lookUp(allTokens())
      .then(setRows)
      .catch((e: Error) => setError(e.message));
  useEffect(() => {
    load();
    api<{ examples: Example[] }>("GET", "/api/examples").then((r) => setExamples(r.examples), () => {});
  }, []);

  const open = (body: unknown) =>
    api<Row>("POST", "/api/notebooks", body)
      .then((row) => {
        remember(row.id, row.token);
        router.push(`/notebook/${row.id}`);
      })
      .catch((e: Error) => setError(e.message));

  return (
    <main className="page home">
      <h1>pcplab</h1>
      <p className="lede">Scenarios for the Linux 6.1 page allocator&apos;s per-CPU page locking, run on a deterministic model and shared live.</p>
      <Alert message={error} />
      <section aria-label="Notebooks">
        <h2>Notebooks</h2>
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            open({ title: title.trim() || "Untitled notebook" });
          }}
        >
          <input value={title} onChange={(e) => setTitle(e.target.value)} placeholder="Title of a new notebook" aria-label="New notebook title" />
          <button type="submit" className="primary">
            Create notebook
          </button>
        </form>
        {rows === null ? (
          <p>Loading…</p>
        ) : rows.length === 0 ? (
          <p className="empty">No notebooks in this browser yet: create one, open a link someone shared, or start from an example below.</p>
        ) : (
          <ul className="notebooks">
            {rows.map((row) => (
              <NotebookRow key={row.id} row={row} onChanged={load} onError={setError} />
            ))}
          </ul>
        )}
      </section>
      <section aria-label="Examples">
        <h2>Examples</h2>
        <ul className="examples">
          {examples.map((ex) => (
            <li key={ex.name}>
              <button onClick={() => open({ example: ex.name })}>{ex.name}</button>
              <span>{ex.description}</span>
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
