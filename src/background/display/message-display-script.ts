/**
 * Message display script: runs inside the message pane document. When the background says so,
 * it replaces the body with the sanitised, decrypted view — one container per MIME part, text
 * as text nodes, HTML parsed into an inert document first (DOMParser loads nothing) and then
 * adopted. The status itself is never drawn here: it lives in the toolbar button.
 */
import type { DisplayView } from "../protocol.js";
import type { RenderModel } from "../../core/render/render-model.js";

declare const browser: {
  runtime: {
    sendMessage(m: unknown): Promise<unknown>;
    onMessage: { addListener(cb: (m: unknown) => void): void };
  };
  i18n: { getMessage(key: string, subs?: string | string[]): string };
};

const t = (key: string, subs?: string | string[]): string => browser.i18n.getMessage(key, subs) || key;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function replaceBody(nodes: Node[]): void {
  const body = document.body;
  while (body.firstChild) body.removeChild(body.firstChild);
  const root = el("div", { id: "sealbird-view", "data-sealbird": "view" });
  for (const n of nodes) root.appendChild(n);
  body.appendChild(root);
}

function renderModel(model: RenderModel): Node[] {
  const out: Node[] = [];
  for (const b of model.blocks) {
    const section = el("div", { class: "sealbird-part", "data-part": b.path });
    if (b.kind === "text") {
      section.appendChild(el("pre", { style: "white-space: pre-wrap; font-family: inherit" }, b.text));
    } else {
      const doc = new DOMParser().parseFromString(b.html, "text/html");
      for (const n of Array.from(doc.body.childNodes)) section.appendChild(document.adoptNode(n));
    }
    out.push(section);
  }
  if (model.attachments.length) {
    const list = el("ul", { class: "sealbird-attachments", "aria-label": t("displayAttachments") });
    for (const a of model.attachments) {
      const li = el("li", { "data-part": a.path });
      const button = el("button", { type: "button" }, t("displaySaveAttachment", [a.filename]));
      button.addEventListener("click", () => void saveAttachment(a.path, a.filename, a.contentType));
      li.append(el("span", {}, `${a.filename} (${a.contentType}, ${a.size} B) `), button);
      list.appendChild(li);
    }
    out.push(el("hr"), el("p", {}, t("displayAttachments")), list);
  }
  return out;
}

async function saveAttachment(path: string, filename: string, type: string): Promise<void> {
  const answer = (await browser.runtime.sendMessage({ type: "display:attachment", path })) as { ok: boolean; value?: Uint8Array } | undefined;
  const bytes = answer?.ok ? answer.value : undefined;
  if (!bytes) return;
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = el("a", { href: url, download: filename });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function notice(title: string, detail: string, code?: string, action?: { label: string; run: () => void }): Node[] {
  const box = el("div", { class: "sealbird-notice", role: "status", style: "border: 1px solid #888; padding: 1em; margin: 1em" });
  box.appendChild(el("p", { style: "font-weight: bold" }, title));
  box.appendChild(el("p", {}, detail));
  if (code) box.appendChild(el("p", { style: "opacity: .7" }, `${t("displayErrorCode")}: ${code}`));
  if (action) {
    const b = el("button", { type: "button" }, action.label);
    b.addEventListener("click", action.run);
    box.appendChild(b);
  }
  return [box];
}

async function show(): Promise<void> {
  const answer = (await browser.runtime.sendMessage({ type: "display:get-view" })) as { ok: boolean; value?: DisplayView } | undefined;
  const view = answer?.ok ? answer.value : undefined;
  if (!view) return;
  switch (view.kind) {
    case "plain":
    case "status":
      return;
    case "render":
      replaceBody(renderModel(view.model));
      return;
    case "locked":
      replaceBody(
        notice(t("displayLockedTitle"), t("displayLockedText"), undefined, {
          label: t("displayUnlock"),
          run: () => void browser.runtime.sendMessage({ type: "unlock:open" }),
        }),
      );
      return;
    case "error": {
      const key = `error_${view.code.replace(/-/g, "_")}`;
      const text = browser.i18n.getMessage(key) || view.message;
      replaceBody(notice(t("displayErrorTitle"), text, view.code));
      return;
    }
  }
}

browser.runtime.onMessage.addListener((m) => {
  if ((m as { type?: string })?.type === "display:refresh") void show();
});
void show();
