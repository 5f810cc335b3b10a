"use client";
// One cell: its editor (or rendered markdown), its toolbar, and for a
// scenario the run controls and output. Running happens in a Web Worker;
// the output goes into the shared document, so everyone sees it at once.
import { useEffect, useMemo, useRef, useState } from "react";
import type { Cell as CellData, Notebook } from "../notebook/notebook.ts";
import { isStale, outputOf, reportFor, resultsOf } from "../notebook/outputs.ts";
import type { Comments } from "../notebook/comments.ts";
import { CommentsPanel, useThreads } from "./CommentsPanel.tsx";
import { Editor } from "./Editor.tsx";
import { currentName } from "./Presence.tsx";
import { Markdown } from "./Markdown.tsx";
import { Output } from "./Output.tsx";
import { estimateRun, formatSeconds, LONG_RUN_SECONDS, startRun, type RunHandle, type RunProgress } from "./runner.ts";
import { Alert } from "./Alert.tsx";
import { sharedText, type Peers } from "./useNotebookSession.ts";

interface Props {
  nb: Notebook;
  cell: CellData;
  index: number;
  count: number;
  peers: Peers | null;
  notebookId: string;
  targeted: boolean;
  /** Viewers and commenters: no editing, running (its output is shared) or moving. */
  readOnly: boolean;
  comments: Comments | null;
  /** Commenters, editors and owners may write comments. */
  canComment: boolean;
  say: (message: string) => void;
}

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** Scrolls `el` to the top and keeps it there while the cells above it grow
 * (editors and charts load after the page), until the reader moves. */
function keepInView(el: HTMLElement): () => void {
  const scroll = () => el.scrollIntoView({ block: "start" });
  const observer = new ResizeObserver(scroll);
  observer.observe(document.body);
  const release = () => {
    observer.disconnect();
    for (const e of ["wheel", "touchstart", "keydown", "mousedown"]) window.removeEventListener(e, release);
  };
  for (const e of ["wheel", "touchstart", "keydown", "mousedown"]) window.addEventListener(e, release, { once: true });
  scroll();
  return release;
}

export function CellView({ nb, cell, index, count, peers, notebookId, targeted, readOnly, comments, canComment, say }: Props) {
  const threads = useThreads(comments, cell.id);
  const [showComments, setShowComments] = useState(false);
  const open = threads.filter((t) => !t.resolved).length;
  const text = useMemo(() => sharedText(nb, cell.id), [nb, cell.id]);
  const [editing, setEditing] = useState(cell.kind === "scenario" || (!readOnly && cell.source.trim() === ""));
  const [progress, setProgress] = useState<RunProgress | null>(null);
  // Said next to the button that copied, where the reader is looking.
  const [copyNote, setCopyNote] = useState<string | null>(null);
  const [runError, setRunError] = useState<string | null>(null);
  const [fallbackReport, setFallbackReport] = useState<string | null>(null);
  const run = useRef<RunHandle | null>(null);
  const ref = useRef<HTMLElement>(null);

  useEffect(() => () => run.current?.cancel(), []);
  useEffect(() => {
    if (!copyNote) return;
    const timer = setTimeout(() => setCopyNote(null), 8000);
    return () => clearTimeout(timer);
  }, [copyNote]);
  useEffect(() => (targeted && ref.current ? keepInView(ref.current) : undefined), [targeted]);

  const results = useMemo(() => (cell.output ? resultsOf(cell.output) : null), [cell.output]);
  const stale = useMemo(() => (cell.output ? isStale(cell.source, cell.output) : false), [cell.source, cell.output]);
  // Only those who may run it are told how long it would take.
  const estimate = useMemo(() => (cell.kind === "scenario" && !readOnly ? estimateRun(cell.source) : null), [cell.kind, cell.source, readOnly, progress === null]);

  async function onRun() {
    setRunError(null);
    setProgress({ fraction: 0, secondsLeft: null });
    // The shared text as it is now: a key pressed right after typing or
    // pasting comes before React renders the cell with the new source.
    const handle = startRun(text?.toString() ?? cell.source, setProgress);
    run.current = handle;
    const outcome = await handle.outcome;
    run.current = null;
    setProgress(null);
    if (outcome.ok) nb.setOutput(cell.id, outputOf(outcome.results, new Date()));
    else if (!outcome.cancelled) setRunError(outcome.message);
  }

  async function onCopyForMail() {
    const report = cell.output && reportFor(cell.source, cell.output);
    if (!report) {
      say("The source changed after the last run: run it again to copy a report that verifies.");
      return;
    }
    if (await copy(report)) setCopyNote("Report copied: paste it into your reply.");
    else setFallbackReport(report);
  }

  async function onCopyLink() {
    const url = `${location.origin}/notebook/${notebookId}#cell-${cell.id}`;
    say((await copy(url)) ? "Link to this cell copied." : url);
  }

  if (!text) return null;
  const label = `${cell.kind === "scenario" ? "Scenario" : "Markdown"} cell ${index + 1}`;
  return (
    <article ref={ref} id={`cell-${cell.id}`} className={`cell ${cell.kind}${targeted ? " targeted" : ""}${comments && showComments ? " with-comments" : ""}`} aria-label={label}>
      <header className="cell-bar">
        <span className="cell-kind">{cell.kind}</span>
        {cell.kind === "scenario" &&
          !readOnly &&
          (progress === null ? (
            <>
              <button className="primary" onClick={onRun} title="Run (Shift+Enter or Ctrl+Enter in the editor)">
                Run
              </button>
              {estimate !== null && estimate >= LONG_RUN_SECONDS && (
                <span className="run-estimate" aria-label="Estimated run time" title="Estimated from the workloads' rates, the duration and the number of runs">
                  about {formatSeconds(estimate)}
                </span>
              )}
            </>
          ) : (
            <>
              <progress max={1} value={progress.fraction} aria-label="Run progress" />
              {progress.secondsLeft !== null && (
                <span className="run-estimate" aria-label="Estimated time left" title="At the speed measured on this machine so far">
                  about {formatSeconds(progress.secondsLeft)} left
                </span>
              )}
              <button onClick={() => run.current?.cancel()}>Cancel</button>
            </>
          ))}
        {cell.kind === "scenario" && cell.output && (
          <button onClick={onCopyForMail} disabled={stale} title={stale ? "Run again first: the source changed" : "Copy the text report for a mailing-list reply"}>
            Copy for mail
          </button>
        )}
        {copyNote && (
          <span className="copy-note" role="status" title="`pcplab verify` re-runs the report from the mail">
            {copyNote}
          </span>
        )}
        {cell.kind === "markdown" && !readOnly && <button onClick={() => setEditing(!editing)}>{editing ? "Done" : "Edit"}</button>}
        <span className="spacer" />
        {comments && (
          <button onClick={() => setShowComments(!showComments)} aria-expanded={showComments} aria-label={`Comments on this cell: ${open} open`}>
            Comments{open > 0 ? ` (${open})` : ""}
          </button>
        )}
        <button onClick={onCopyLink} title="Copy a link that opens the notebook at this cell">
          Link
        </button>
        {!readOnly && (
          <>
            <button onClick={() => nb.moveCell(cell.id, index - 1)} disabled={index === 0} aria-label="Move cell up">
              &uarr;
            </button>
            <button onClick={() => nb.moveCell(cell.id, index + 1)} disabled={index === count - 1} aria-label="Move cell down">
              &darr;
            </button>
            <button onClick={() => nb.deleteCell(cell.id)} aria-label="Delete cell">
              &times;
            </button>
          </>
        )}
      </header>
      {editing ? (
        <Editor
          text={text}
          peers={peers}
          language={cell.kind}
          label={`${label} source`}
          readOnly={readOnly}
          onFocus={() => peers?.setLocalStateField("cell", cell.id)}
          onRun={() => void (run.current === null && onRun())}
        />
      ) : (
        <div onDoubleClick={() => !readOnly && setEditing(true)}>
          <Markdown source={cell.source} />
        </div>
      )}
      <Alert message={runError} />
      {fallbackReport && (
        <div className="fallback-report">
          <p>The clipboard is not available here; select the report and copy it:</p>
          <textarea readOnly value={fallbackReport} rows={12} aria-label="Report for mail" onFocus={(e) => e.currentTarget.select()} />
          <button onClick={() => setFallbackReport(null)}>Close</button>
        </div>
      )}
      {results && cell.output && <Output results={results} stale={stale} ranAt={cell.output.ranAt} />}
      {comments && showComments && <CommentsPanel comments={comments} cell={cell.id} threads={threads} canComment={canComment} author={currentName} />}
      {cell.output && !results && <p className="error">This output was written by another version of pcplab and cannot be shown.</p>}
    </article>
  );
}
