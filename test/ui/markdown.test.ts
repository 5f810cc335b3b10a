// Markdown cells as a reader's browser gets them: an image from another
// site is a link to it, never an <img> that would make every reader fetch it.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown } from "../../lib/ui/Markdown.tsx";

const html = (source: string) => renderToStaticMarkup(createElement(Markdown, { source }));

describe("markdown images", () => {
  it("shows an image from another site as a link with its alt text and URL", () => {
    for (const url of ["https://elsewhere.example/p.png", "http://elsewhere.example/p.png", "//elsewhere.example/p.png", "HTTPS://Elsewhere.example/p.png"]) {
      const out = html(`see ![the plot](${url}) here`);
      expect(out).not.toContain("<img");
      expect(out).toContain(`href="${url}"`);
      expect(out).toContain(`>the plot (${url})</a>`);
    }
    expect(html("![](https://elsewhere.example/p.png)")).toContain(">https://elsewhere.example/p.png</a>");
  });

  it("keeps images on this origin and inline data images", () => {
    expect(html("![icon](/icon.svg)")).toContain('<img src="/icon.svg" alt="icon">');
    expect(html("![dot](data:image/png;base64,iVBORw0KGgo=)")).toContain('<img src="data:image/png;base64,iVBORw0KGgo=" alt="dot">');
  });
});
