"use client";
// The comment threads anchored to one cell, beside it: start a thread,
// reply, resolve or reopen (commenters, editors, owners); viewers read.
// Edit and Delete appear only where the server allows them: on one's own
// comments, and on everyone's for editors and owners, whose changes to
// others' comments are shown as moderation.
import { useEffect, useState } from "react";
import type { Comment, Comments, Thread } from "../notebook/comments.ts";

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

/** One comment: who wrote it, whether it was changed and by whom, and the changes this link may make. */
function CommentView({ comments, thread, c, canComment, author }: { comments: Comments; thread: string; c: Comment; canComment: boolean; author: () => string }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(c.text);
  const revisable = canComment && comments.mayRevise(c);
  if (c.deleted) {
    return (
      <div className="comment deleted">
        <span className="author">{c.author}</span> <em>{c.moderatedBy ? `comment removed by ${c.moderatedBy} (moderator)` : "comment deleted by its author"}</em>
      </div>
    );
  }
  return (
    <div className="comment">
      <span className="author">{c.author}</span> <time dateTime={new Date(c.at).toISOString()}>{new Date(c.at).toLocaleString()}</time>
      {c.edited && <em className="edited">{c.moderatedBy ? ` edited by ${c.moderatedBy} (moderator)` : " edited"}</em>}
      {editing ? (
        <form
          className="compose"
          onSubmit={(e) => {
            e.preventDefault();
            if (text.trim() && text.trim() !== c.text) comments.edit(thread, c.key, author(), text.trim());
            setEditing(false);
          }}
        >
          <textarea value={text} onChange={(e) => setText(e.target.value)} rows={2} aria-label="Edit comment" maxLength={10_000} />
          <button type="submit" disabled={!text.trim()}>
            Save
          </button>
          <button type="button" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <p>{c.text}</p>
      )}
      {revisable && !editing && (
        <div className="row">
          <button
            onClick={() => {
              setText(c.text);
              setEditing(true);
            }}
          >
            Edit
          </button>
          <button onClick={() => comments.remove(thread, c.key, author())}>Delete</button>
        </div>
      )}
    </div>
  );
}

export function CommentsPanel({ comments, cell, threads, canComment, author }: { comments: Comments; cell: string; threads: Thread[]; canComment: boolean; author: () => string }) {
  return (
    <aside className="comments" aria-label="Comments">
      {threads.map((t) => (
        <section key={t.id} className={`thread${t.resolved ? " resolved" : ""}`} aria-label={t.resolved ? "Resolved thread" : "Open thread"}>
          {t.comments.map((c) => (
            <CommentView key={c.key} comments={comments} thread={t.id} c={c} canComment={canComment} author={author} />
          ))}
          {t.resolvedBy && <p className="resolved-by">{`${t.resolved ? "Resolved" : "Reopened"} by ${t.resolvedBy}`}</p>}
          {canComment && (
            <>
              {!t.resolved && <Compose label="Reply to this thread" onSend={(text) => comments.reply(t.id, author(), text)} />}
              <button onClick={() => comments.setResolved(t.id, !t.resolved, author())}>{t.resolved ? "Reopen" : "Resolve"}</button>
            </>
          )}
        </section>
      ))}
      {threads.length === 0 && <p className="empty">No comments on this cell.</p>}
      {canComment && <Compose label="New comment on this cell" onSend={(text) => comments.start(cell, author(), text)} />}
    </aside>
  );
}
