"use client";
// The comment threads anchored to one cell, beside it: start a thread,
// reply, resolve or reopen (commenters, editors, owners); viewers read.
import { useEffect, useState } from "react";
import type { Comments, Thread } from "../notebook/comments.ts";

function Compose({ label, onSend }: { label: string; onSend: (text: string) => void }) {
  const [text, setText] = useState("");
  return (
    <form
      className="compose"
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim()) onSend(text.trim());
        setText("");
      }}
    >
      <textarea value={text} onChange={(e) => setText(e.target.value)} rows={2} aria-label={label} maxLength={10_000} />
      <button type="submit" disabled={!text.trim()}>
        {label.startsWith("Reply") ? "Reply" : "Comment"}
      </button>
    </form>
  );
}

export function useThreads(comments: Comments | null, cell: string): Thread[] {
  const [threads, setThreads] = useState<Thread[]>([]);
  useEffect(() => {
    if (!comments) return;
    const update = () => setThreads(comments.forCell(cell));
    update();
    return comments.onChange(update);
  }, [comments, cell]);
  return threads;
}

export function CommentsPanel({ comments, cell, threads, canComment, author }: { comments: Comments; cell: string; threads: Thread[]; canComment: boolean; author: () => string }) {
  return (
    <aside className="comments" aria-label="Comments">
      {threads.map((t) => (
        <section key={t.id} className={`thread${t.resolved ? " resolved" : ""}`} aria-label={t.resolved ? "Resolved thread" : "Open thread"}>
          {t.comments.map((c, i) => (
            <div key={i} className="comment">
              <span className="author">{c.author}</span> <time dateTime={new Date(c.at).toISOString()}>{new Date(c.at).toLocaleString()}</time>
              <p>{c.text}</p>
            </div>
          ))}
          {canComment && (
            <>
              {!t.resolved && <Compose label="Reply to this thread" onSend={(text) => comments.reply(t.id, author(), text)} />}
              <button onClick={() => comments.setResolved(t.id, !t.resolved)}>{t.resolved ? "Reopen" : "Resolve"}</button>
            </>
          )}
        </section>
      ))}
      {threads.length === 0 && <p className="empty">No comments on this cell.</p>}
      {canComment && <Compose label="New comment on this cell" onSend={(text) => comments.start(cell, author(), text)} />}
    </aside>
  );
}
