"use client";
// Markdown cells, rendered safely: markdown-it with raw HTML off escapes
// every tag a user types, and its link validation refuses javascript:,
// vbscript:, file: and non-image data: URLs. Nothing a cell holds can run,
// and nothing it holds makes a reader's browser fetch from elsewhere: an
// image from another site shows as a link to it instead.
import MarkdownIt from "markdown-it";
import { useMemo } from "react";

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
// Links leave the notebook without handing it the opener.
md.renderer.rules.link_open = (tokens, i, options, _env, self) => {
  tokens[i]!.attrSet("rel", "noopener noreferrer nofollow");
  return self.renderToken(tokens, i, options);
};

/** Whether an image URL stays in the page or on this origin: relative
 * paths, and the data: images link validation lets through (png, gif, jpeg,
 * webp: decoded in place, never fetched, unable to run script). */
function loadsInPlace(src: string): boolean {
  if (/^data:/i.test(src)) return true;
  const base = "http://this.invalid/";
  try {
    return new URL(src, base).origin === new URL(base).origin;
  } catch {
    return false;
  }
}

const image = md.renderer.rules.image!;
md.renderer.rules.image = (tokens, i, options, env, self) => {
  const token = tokens[i]!;
  const src = String(token.attrGet("src") ?? "");
  if (loadsInPlace(src)) return image(tokens, i, options, env, self);
  const alt = self.renderInlineAsText(token.children ?? [], options, env);
  const text = alt ? `${alt} (${src})` : src;
  const esc = md.utils.escapeHtml;
  return `<a class="offsite-image" href="${esc(src)}" rel="noopener noreferrer nofollow" title="image on another site, not loaded">${esc(text)}</a>`;
};

export function Markdown({ source }: { source: string }) {
  const html = useMemo(() => md.render(source), [source]);
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
