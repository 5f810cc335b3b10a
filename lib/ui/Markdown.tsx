"use client";
// Markdown cells, rendered safely: markdown-it with raw HTML off escapes
// every tag a user types, and its link validation refuses javascript:,
// vbscript:, file: and non-image data: URLs. Nothing a cell holds can run.
import MarkdownIt from "markdown-it";
import { useMemo } from "react";

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
// Links leave the notebook without handing it the opener.
md.renderer.rules.link_open = (tokens, i, options, _env, self) => {
  tokens[i]!.attrSet("rel", "noopener noreferrer nofollow");
  return self.renderToken(tokens, i, options);
};

export function Markdown({ source }: { source: string }) {
  const html = useMemo(() => md.render(source), [source]);
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
