/**
 * Message display script: runs inside the message pane document. When the background says so,
 * it replaces the body with the sanitised, decrypted view — one container per MIME part, text
 * as text nodes, HTML (already sanitised in the background) parsed into an inert document
 * first (DOMParser loads nothing) and then adopted part by part, so no part can continue a tag
 * another part opened. The status itself is never drawn here: it lives in the toolbar button,
 * which the message cannot imitate. No passphrase is ever asked for in this document.
 */
import type { DisplayView } from "../protocol.js";
import type { RenderModel } from "../../core/render/render-model.js";
import type { MessageStatus } from "../../core/status/message-status.js";

declare const browser: {
  runtime: {
    sendMessage(m: unknown): Promise<unknown>;
    onMessage: { addListener(cb: (m: unknown) => void): void };
  };
  i18n: { getMessage(key: string, subs?: string | string[]): string };
};

type Answer<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } } | undefined;

const t = (key: string, subs?: string | string[]): string => browser.i18n.getMessage(key, subs) || key;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

const STYLE = `
#sealbird-view { font: inherit; }
#sealbird-view .sealbird-part + .sealbird-part { border-top: 1px dashed #bbb; margin-top: .8em; padding-top: .8em; }
#sealbird-view .sealbird-subject { margin: 0 0 .8em; }
#sealbird-view .sealbird-label { opacity: .75; }
#sealbird-view pre.sealbird-text { white-space: pre-wrap; overflow-wrap: break-word; font-family: inherit; margin: 0; }
#sealbird-view pre.sealbird-chunk { content-visibility: auto; }
#sealbird-view .sealbird-notice { border: 1px solid #999; border-radius: 6px; padding: .8em 1em; margin: 1em 0; max-width: 46em; }
#sealbird-view .sealbird-notice h2 { font-size: 1.1em; margin: 0 0 .4em; }
#sealbird-view .sealbird-attachments { border-top: 1px solid #bbb; margin-top: 1em; padding-top: .5em; }
#sealbird-view .sealbird-attachments li { margin: .2em 0; }
#sealbird-view .sealbird-attachments button { margin-left: .4em; }
`;

function replaceBody(nodes: Node[], kind: string): void {
  const body = document.body;
  while (body.firstChild) body.removeChild(body.firstChild);
  // Thunderbird's own rendering of an encrypted part may have set styles or attributes on <body>.
  for (const a of Array.from(body.attributes)) body.removeAttribute(a.name);
  const style = el("style", {}, STYLE);
  const root = el("div", { id: "sealbird-view", "data-sealbird": kind, lang: "" });
  for (const n of nodes) root.appendChild(n);
  body.append(style, root);
}

function renderModel(model: RenderModel): Node[] {
  const out: Node[] = [];
  for (const b of model.blocks) {
    const section = el("div", { class: "sealbird-part", "data-part": b.path || "0", "data-kind": b.kind });
    if (b.kind === "text") {
      // CRLF as the message carries it: in the pane a CR would be one more (copied) space.
      section.append(...textBlocks(b.text.split("\r\n").join("\n")));
    } else {
      // Each part is parsed on its own, in an inert document: an unclosed tag or attribute
      // ends with this part.
      const doc = new DOMParser().parseFromString(b.html, "text/html");
      for (const n of Array.from(doc.body.childNodes)) section.appendChild(document.adoptNode(n));
    }
    out.push(section);
  }
  if (model.attachments.length) {
    const box = el("div", { class: "sealbird-attachments" });
    box.appendChild(el("p", {}, t("displayAttachments")));
    const list = el("ul");
    for (const a of model.attachments) {
      const li = el("li", { "data-part": a.path });
      li.appendChild(el("span", { class: "sealbird-attachment-name" }, `${a.filename} (${a.contentType}, ${formatSize(a.size)})`));
      const open = el("button", { type: "button", "data-action": "open" }, t("displayOpenAttachment"));
      open.addEventListener("click", () => void attachment(a.path, a.filename, a.contentType, "open", li));
      const save = el("button", { type: "button", "data-action": "save" }, t("displaySaveAttachment"));
      save.addEventListener("click", () => void attachment(a.path, a.filename, a.contentType, "save", li));
      li.append(open, save);
      list.appendChild(li);
    }
    box.appendChild(list);
    out.push(box);
  }
  return out;
}

/**
 * A long text as several <pre>, cut after a line end, each laid out only when it comes near the
 * screen (content-visibility: auto): one <pre> of 10 MB costs the message pane seconds of layout
 * before anything is painted (measured: 2 s of a 3.4 s display with Debian's prefs). The cuts
 * keep every character (textContent is the text) and fall after "\n", so nothing moves on screen.
 * Find in page sees every block; Gecko's copy of a selection leaves out the blocks not laid out,
 * so copying is done from the DOM text (copyLongText).
 */
const CHUNK_CHARS = 32 * 1024;

function textBlocks(text: string): HTMLPreElement[] {
  if (text.length <= 2 * CHUNK_CHARS) return [el("pre", { class: "sealbird-text" }, text)];
  const out: HTMLPreElement[] = [];
  for (let at = 0; at < text.length; ) {
    const nl = text.indexOf("\n", at + CHUNK_CHARS);
    const end = nl < 0 ? text.length : nl + 1;
    const chunk = text.slice(at, end);
    const pre = el("pre", { class: "sealbird-text sealbird-chunk" }, chunk);
    // The height it will have, until it has been laid out once (then "auto" remembers it).
    // Lines counted natively (a loop per line is slow where scripts run without a JIT).
    const lines = chunk.length - chunk.replaceAll("\n", "").length + (chunk.endsWith("\n") ? 0 : 1);
    pre.style.setProperty("contain-intrinsic-block-size", `auto ${(lines * 1.2).toFixed(1)}em`);
    out.push(pre);
    at = end;
  }
  return out;
}

/**
 * Copying a selection that reaches into the blocks of a long text: the selection's DOM text,
 * which is exactly the text shown (the blocks are <pre>), instead of Gecko's rendering of it,
 * which would leave out every block not laid out yet.
 */
function copyLongText(e: ClipboardEvent): void {
  const sel = document.getSelection();
  if (!sel || sel.isCollapsed || !e.clipboardData) return;
  const chunks = document.querySelectorAll("#sealbird-view pre.sealbird-chunk");
  if (!Array.from(chunks).some((c) => sel.containsNode(c, true))) return;
  const ranges = Array.from({ length: sel.rangeCount }, (_, i) => sel.getRangeAt(i).toString());
  e.clipboardData.setData("text/plain", ranges.join("\n"));
  e.preventDefault();
}

/** The real Subject the sender protected (RFC 9788): the one Thunderbird shows is "[...]". */
function protectedSubject(status: MessageStatus): Node[] {
  const subject = status.protectedHeaders?.subject;
  if (subject === undefined) return [];
  const p = el("p", { class: "sealbird-subject" });
  p.append(el("span", { class: "sealbird-label" }, `${t("protectedSubject")}: `), el("strong", { "data-field": "protected-subject" }, subject));
  return [p];
}

function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Open or save one attachment. The bytes come from the background, which hands out only
 * parts of the message shown in this tab. A blob: URL of type application/octet-stream is
 * used for saving, so nothing is interpreted in the message pane; "open" lets Thunderbird
 * decide by type (it asks before running anything).
 */
async function attachment(path: string, filename: string, type: string, how: "open" | "save", li: HTMLElement): Promise<void> {
  const answer = (await browser.runtime.sendMessage({ type: "display:attachment", path })) as Answer<{ bytes: Uint8Array }>;
  if (!answer?.ok) {
    li.appendChild(el("span", { class: "sealbird-error" }, ` ${t("displayAttachmentFailed")}`));
    return;
  }
  const blobType = how === "save" ? "application/octet-stream" : type;
  const url = URL.createObjectURL(new Blob([answer.value.bytes as BlobPart], { type: blobType }));
  const a = el("a", { href: url, download: filename, rel: "noopener" });
  if (how === "open") a.removeAttribute("download");
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function notice(kind: string, title: string, detail: string, extra?: { code?: string; message?: string; action?: { label: string; run: () => void } }): Node[] {
  const box = el("div", { class: "sealbird-notice", role: "status", "data-notice": kind });
  box.appendChild(el("h2", {}, title));
  box.appendChild(el("p", {}, detail));
  if (extra?.action) {
    const b = el("button", { type: "button", "data-action": kind }, extra.action.label);
    b.addEventListener("click", extra.action.run);
    box.appendChild(b);
  }
  if (extra?.code) {
    const d = el("details", { class: "sealbird-details" });
    d.appendChild(el("summary", {}, t("displayDetails")));
    d.appendChild(el("p", { "data-code": extra.code }, `${t("displayErrorCode")}: ${extra.code}`));
    if (extra.message) d.appendChild(el("p", {}, extra.message));
    box.appendChild(d);
  }
  return [box];
}

async function show(): Promise<void> {
  let answer: Answer<DisplayView>;
  try {
    answer = (await browser.runtime.sendMessage({ type: "display:get-view" })) as Answer<DisplayView>;
  } catch {
    return; // background restarting: Thunderbird's own rendering stays
  }
  const view = answer?.ok ? answer.value : undefined;
  if (!view) return;
  switch (view.kind) {
    case "plain":
    case "status":
      return;
    case "render":
      replaceBody([...(view.subjectInHeader ? [] : protectedSubject(view.status)), ...renderModel(view.model)], "render");
      return;
    case "locked":
      replaceBody(
        notice("locked", t("displayLockedTitle"), t("displayLockedText"), {
          action: { label: t("displayUnlock"), run: () => void browser.runtime.sendMessage({ type: "unlock:open" }) },
        }),
        "locked",
      );
      return;
    case "error": {
      const text = browser.i18n.getMessage(`error_${view.code.replace(/-/g, "_")}`) || t("error_internal");
      replaceBody(notice("error", t("displayErrorTitle"), text, { code: view.code, message: view.message }), "error");
      return;
    }
  }
}

// Should the script run twice in one document (Thunderbird injects registered scripts on every
// message load): listen once, and leave a view that is already shown alone.
const state = globalThis as { sealbirdDisplayListening?: boolean };
if (!state.sealbirdDisplayListening) {
  state.sealbirdDisplayListening = true;
  browser.runtime.onMessage.addListener((m) => {
    if ((m as { type?: string } | null)?.type === "display:refresh") void show();
  });
  document.addEventListener("copy", copyLongText);
}
if (!document.getElementById("sealbird-view")) void show();
