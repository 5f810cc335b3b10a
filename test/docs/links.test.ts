// A fresh clone must answer every question without a link outside it: each
// link in README.md and docs/*.md leads to a file of the repository (and,
// with a #fragment, to a heading of that file). No web links either: the
// docs are read offline.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(new URL("../..", import.meta.url).pathname);
const files = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#+ (.+)$/gm)) {
    out.add(m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-"));
  }
  return out;
}

function links(file: string): { target: string; line: number }[] {
  // Code, fenced or inline, shows markdown; it links nowhere.
  const blank = (code: string) => code.replace(/[^\n]/g, " ");
  const text = readFileSync(join(root, file), "utf8").replace(/^```[\s\S]*?^```$/gm, blank).replace(/`[^`\n]+`/g, blank);
  const out: { target: string; line: number }[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    out.push({ target: m[1]!, line: text.slice(0, m.index).split("\n").length });
  }
  return out;
}

describe("links in README.md and docs/", () => {
  it.each(files)("%s links only to files and headings in the repository", (file) => {
    const bad: string[] = [];
    for (const { target, line } of links(file)) {
      const [path, fragment] = target.split("#") as [string, string | undefined];
      const where = path === "" ? join(root, file) : resolve(dirname(join(root, file)), path);
      if (/^[a-z]+:/i.test(target) || relative(root, where).startsWith("..") || !existsSync(where)) {
        bad.push(`${file}:${line}: ${target}`);
      } else if (fragment !== undefined && !anchors(readFileSync(where, "utf8")).has(fragment)) {
        bad.push(`${file}:${line}: ${target} (no such heading)`);
      }
    }
    expect(bad).toEqual([]);
  });
});
