"use client";
// A cell's editor. Until Monaco has loaded (lazily, on first use) the cell
// shows its text read-only, so a notebook is readable at once.
import { useEffect, useRef, useState } from "react";
import type { MountedEditor } from "./monaco.ts";
import type { Peers, SharedText } from "./useNotebookSession.ts";

export function Editor(props: {
  text: SharedText;
  peers: Peers | null;
  language: "scenario" | "markdown";
  label: string;
  autoFocus?: boolean;
  readOnly?: boolean;
  onFocus?: () => void;
  /** Shift+Enter or Ctrl+Enter in the editor; absent where the cell cannot run now. */
  onRun?: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [ready, setReady] = useState(false);
  const { text, peers, language, label, autoFocus, readOnly } = props;
  const onFocus = useRef(props.onFocus);
  onFocus.current = props.onFocus;
  const onRun = useRef(props.onRun);
  onRun.current = props.onRun;
  const runnable = language === "scenario" && !readOnly;
  useEffect(() => {
    let mounted: MountedEditor | null = null;
    let cancelled = false;
    import("./monaco.ts").then(({ mountEditor }) => {
      if (cancelled || !ref.current) return;
      mounted = mountEditor(ref.current, {
        text, peers, language, label, readOnly,
        onFocus: () => onFocus.current?.(),
        onRun: runnable ? () => onRun.current?.() : undefined,
      });
      setReady(true);
      if (autoFocus) mounted.focus();
    });
    return () => {
      cancelled = true;
      mounted?.dispose();
    };
  }, [text, peers, language, label, autoFocus, readOnly, runnable]);
  return (
    <div className="editor-wrap">
      <div ref={ref} className="editor" data-ready={ready ? "true" : "false"} />
      {!ready && <pre className="editor-placeholder">{text.toString()}</pre>}
    </div>
  );
}
