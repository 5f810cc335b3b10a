"use client";
// Import from mail: a pcplab report pasted from a mail (quoted or not, or a
// whole raw message or mbox); each scenario in it becomes a new cell. The
// page inserts the cells, so this dialog never touches the document.
import { useState } from "react";
import { importFromMail } from "../notebook/outputs.ts";
import { Alert } from "./Alert.tsx";

export function ImportFromMail({ onImport, onClose }: { onImport: (sources: string[]) => void; onClose: () => void }) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="import-panel" role="dialog" aria-label="Import from mail">
      <p>Paste a pcplab report from a mail, quoted or not, or a whole raw message or mbox. Each scenario in it becomes a new cell.</p>
      <textarea value={text} onChange={(e) => setText(e.target.value)} rows={10} aria-label="Report text" />
      <Alert message={error} />
      <div className="row">
        <button
          className="primary"
          onClick={async () => {
            const r = await importFromMail(text);
            if (r.ok) onImport(r.sources);
            else setError(r.message);
          }}
        >
          Add as cell
        </button>
        <button onClick={onClose}>Close</button>
      </div>
    </div>
  );
}
