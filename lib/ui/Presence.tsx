"use client";
// Who is here: each participant's name and colour (Yjs awareness), their
// cursors and selections in scenario cells (y-monaco draws them; the CSS for
// each participant's colour is written here), and "follow": the page keeps
// the followed participant's cell in view until you scroll or type.
import { useEffect, useState } from "react";
import type { Peers } from "./useNotebookSession.ts";

const COLOURS = ["#d1495b", "#00798c", "#edae49", "#66a182", "#8d5a97", "#2e4057", "#e07a5f", "#3d405b"];
const NAME_KEY = "pcplab.name";

interface Participant {
  clientId: number;
  name: string;
  colour: string;
  cell: string | null;
  self: boolean;
}

function colourOf(clientId: number): string {
  return COLOURS[clientId % COLOURS.length]!;
}

/** The name this browser goes by, for presence and comments. */
export function currentName(): string {
  return localStorage.getItem(NAME_KEY) || "anonymous";
}

function myName(): string {
  const stored = localStorage.getItem(NAME_KEY);
  if (stored) return stored;
  const name = `Reviewer ${Math.floor(1000 + Math.random() * 9000)}`;
  localStorage.setItem(NAME_KEY, name);
  return name;
}

function participants(peers: Peers): Participant[] {
  const out: Participant[] = [];
  peers.getStates().forEach((state, clientId) => {
    const user = (state as { user?: { name?: unknown; colour?: unknown } }).user;
    if (!user || typeof user.name !== "string") return;
    const cell = (state as { cell?: unknown }).cell;
    out.push({
      clientId,
      name: user.name.slice(0, 60),
      colour: typeof user.colour === "string" && /^#[0-9a-f]{6}$/i.test(user.colour) ? user.colour : colourOf(clientId),
      cell: typeof cell === "string" && /^[0-9a-f]{1,32}$/.test(cell) ? cell : null,
      self: clientId === peers.clientID,
    });
  });
  return out.sort((a, b) => Number(b.self) - Number(a.self) || a.clientId - b.clientId);
}

/** `text` as a CSS string: everything but letters, digits and spaces
 * escaped, so a name cannot end the string or the style sheet. */
function cssString(text: string): string {
  let out = "";
  for (const ch of text) out += /[A-Za-z0-9 ]/.test(ch) ? ch : `\\${ch.codePointAt(0)!.toString(16)} `;
  return `"${out}"`;
}

/** y-monaco marks remote selections with per-client classes; colour them,
 * and label each cursor with its owner's name. The label sits on the
 * cursor's own line, so the editor's edge never clips it. */
function cursorCss(people: Participant[]): string {
  return people
    .filter((p) => !p.self)
    .map(
      (p) =>
        `.yRemoteSelection-${p.clientId}{background-color:${p.colour}40}` +
        `.yRemoteSelectionHead-${p.clientId}{position:absolute;border-left:2px solid ${p.colour};height:100%;box-sizing:border-box}` +
        `.yRemoteSelectionHead-${p.clientId}::after{content:${cssString(p.name)};position:absolute;left:0;top:0;padding:0 3px;font:10px/1.3 sans-serif;white-space:nowrap;color:#fff;background:${p.colour};border-radius:0 3px 3px 0;opacity:.85;pointer-events:none;z-index:1}`,
    )
    .join("\n");
}

export function Presence({ peers }: { peers: Peers }) {
  const [people, setPeople] = useState<Participant[]>([]);
  const [following, setFollowing] = useState<number | null>(null);
  const [name, setName] = useState("");

  useEffect(() => {
    const n = myName();
    setName(n);
    peers.setLocalStateField("user", { name: n, colour: colourOf(peers.clientID) });
    const update = () => setPeople(participants(peers));
    peers.on("change", update);
    update();
    return () => peers.off("change", update);
  }, [peers]);

  // Following: keep their cell in view; any move of our own ends it.
  const followedCell = people.find((p) => p.clientId === following)?.cell ?? null;
  useEffect(() => {
    if (following === null) return;
    const stop = () => setFollowing(null);
    for (const e of ["wheel", "touchstart", "keydown", "mousedown"]) window.addEventListener(e, stop, { once: true });
    return () => {
      for (const e of ["wheel", "touchstart", "keydown", "mousedown"]) window.removeEventListener(e, stop);
    };
  }, [following]);
  useEffect(() => {
    if (following !== null && followedCell) document.getElementById(`cell-${followedCell}`)?.scrollIntoView({ block: "center" });
  }, [following, followedCell]);

  return (
    <div className="presence" aria-label="Participants">
      <style>{cursorCss(people)}</style>
      {people.map((p) =>
        p.self ? (
          <label key={p.clientId} className="participant self" style={{ borderColor: p.colour }}>
            <input
              value={name}
              aria-label="Your name"
              maxLength={60}
              onChange={(e) => {
                setName(e.target.value);
                localStorage.setItem(NAME_KEY, e.target.value);
                peers.setLocalStateField("user", { name: e.target.value || "anonymous", colour: p.colour });
              }}
            />
          </label>
        ) : (
          <button
            key={p.clientId}
            className={`participant${following === p.clientId ? " following" : ""}`}
            style={{ borderColor: p.colour }}
            aria-pressed={following === p.clientId}
            title={following === p.clientId ? "Following: scroll or type to stop" : `Follow ${p.name}`}
            onClick={(e) => {
              e.stopPropagation();
              setFollowing(following === p.clientId ? null : p.clientId);
            }}
            onMouseDown={(e) => e.stopPropagation()}
          >
            <span className="dot" style={{ background: p.colour }} />
            {p.name}
          </button>
        ),
      )}
    </div>
  );
}
