"use client";
// The owner's share links: make one per role (optionally expiring), copy it,
// see them all, revoke one. A link's token is shown once, when it is made.
import { useEffect, useState } from "react";
import { api } from "./links.ts";
import { Alert } from "./Alert.tsx";

interface Share {
  id: string;
  role: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

const EXPIRY: [string, number | null][] = [
  ["never", null],
  ["in 1 hour", 60],
  ["in 1 day", 24 * 60],
  ["in 7 days", 7 * 24 * 60],
];

export function SharePanel({ id, token, onClose }: { id: string; token: string; onClose: () => void }) {
  const [shares, setShares] = useState<Share[] | null>(null); // null until loaded
  const [role, setRole] = useState("viewer");
  const [expiry, setExpiry] = useState(0);
  const [made, setMade] = useState<{ url: string; role: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const call = (method: string, path: string, body?: unknown) => api<unknown>(method, `/api/notebooks/${id}/shares${path}`, body, token);
  const load = () =>
    call("GET", "")
      .then((r) => setShares((r as { shares: Share[] }).shares))
      .catch((e: Error) => setError(e.message));
  useEffect(() => {
    load();
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <section className="share-panel" role="dialog" aria-label="Share">
      <h2>Share this notebook</h2>
      <p>Anyone with a link can open the notebook with that link&apos;s role; without one they see nothing, not even its title.</p>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          call("POST", "", { role, expiresInMinutes: EXPIRY[expiry]![1] })
            .then((r) => {
              const { path } = r as { path: string };
              setMade({ url: `${location.origin}${path}`, role });
              load();
            })
            .catch((err: Error) => setError(err.message));
        }}
      >
        <label>
          Role{" "}
          <select value={role} onChange={(e) => setRole(e.target.value)} aria-label="Role of the new link">
            <option value="viewer">viewer: reads</option>
            <option value="commenter">commenter: reads and comments</option>
            <option value="editor">editor: reads and writes</option>
          </select>
        </label>
        <label>
          Expires{" "}
          <select value={expiry} onChange={(e) => setExpiry(Number(e.target.value))} aria-label="Expiry of the new link">
            {EXPIRY.map(([label], i) => (
              <option key={label} value={i}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Create link
        </button>
      </form>
      {made && (
        <p className="made-link">
          New {made.role} link (shown only now):{" "}
          <input readOnly value={made.url} aria-label="New share link" onFocus={(e) => e.currentTarget.select()} size={60} />
        </p>
      )}
      <Alert message={error} />
      {shares?.length === 0 && <p className="empty">No links yet: only you can open this notebook.</p>}
      {!!shares?.length && (
        <table className="shares" aria-label="Share links">
          <thead>
            <tr>
              <th>role</th>
              <th>created</th>
              <th>expires</th>
              <th>state</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {shares.map((s) => {
              const expired = s.expiresAt !== null && s.expiresAt <= Date.now();
              return (
                <tr key={s.id}>
                  <td>{s.role}</td>
                  <td>{new Date(s.createdAt).toLocaleString()}</td>
                  <td>{s.expiresAt ? new Date(s.expiresAt).toLocaleString() : "never"}</td>
                  <td>{s.revokedAt ? "revoked" : expired ? "expired" : "live"}</td>
                  <td>
                    {!s.revokedAt && !expired && (
                      <button
                        onClick={() =>
                          call("DELETE", `/${s.id}`)
                            .then(load)
                            .catch((e: Error) => setError(e.message))
                        }
                        aria-label={`Revoke ${s.role} link`}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <button onClick={onClose}>Close</button>
    </section>
  );
}
