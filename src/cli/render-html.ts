// A standalone HTML file of what the message pane would show, for `inspect --html`. The DOM
// for the sanitizer comes from jsdom (Node has none); the page itself forbids every load by CSP.
import createDOMPurify from "dompurify";
import { buildRenderModel } from "../core/render/render-model.js";
import type { MimeEntity } from "../core/mime/entity.js";
import { SealbirdError } from "../core/errors.js";

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export async function renderHtmlFile(view: MimeEntity): Promise<string> {
  let JSDOM: typeof import("jsdom").JSDOM;
  try {
    ({ JSDOM } = await import("jsdom"));
  } catch {
    throw new SealbirdError("unsupported-algorithm", "--html needs the jsdom package (npm install jsdom).");
  }
  const purify = createDOMPurify(new JSDOM("").window);
  const model = buildRenderModel(view, purify);
  const parts = model.blocks.map((b) =>
    b.kind === "text" ? `<pre class="part" data-part="${b.path}">${escapeHtml(b.text)}</pre>` : `<div class="part" data-part="${b.path}">${b.html}</div>`,
  );
  const attachments = model.attachments.map((a) => `<li>${escapeHtml(a.filename)} (${escapeHtml(a.contentType)}, ${a.size} B)</li>`);
  return `<!doctype html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>Sealbird view</title></head>
<body>
${parts.join("\n")}
${attachments.length ? `<hr><ul>${attachments.join("")}</ul>` : ""}
</body></html>
`;
}
