/**
 * The `browser` global for component tests: i18n answers from the real _locales files
 * (placeholders substituted as Thunderbird does), and runtime.sendMessage goes to a fake
 * background that the test programs per request type.
 */
import { readFileSync } from "node:fs";
import { fireEvent } from "@testing-library/svelte";
import { vi } from "vitest";

type Messages = Record<string, { message: string; placeholders?: Record<string, { content: string }> }>;
const locales: Record<string, Messages> = {
  en: JSON.parse(readFileSync("_locales/en/messages.json", "utf8")) as Messages,
  de: JSON.parse(readFileSync("_locales/de/messages.json", "utf8")) as Messages,
};
let lang = "en";

export function useLocale(l: "en" | "de"): void {
  lang = l;
}

export function message(key: string, subs: string | string[] = []): string {
  if (key === "@@ui_locale") return lang;
  const m = locales[lang]![key];
  if (!m) return "";
  const list = Array.isArray(subs) ? subs : [subs];
  let s = m.message;
  for (const [name, p] of Object.entries(m.placeholders ?? {})) {
    const value = p.content.replace(/\$(\d)/g, (_x, n: string) => list[Number(n) - 1] ?? "");
    s = s.replace(new RegExp(`\\$${name}\\$`, "gi"), value);
  }
  return s;
}

export type Handler = (req: Record<string, unknown>) => unknown;
export const background = new Map<string, Handler>();
export const sent: Array<Record<string, unknown>> = [];

/** Answers like main.ts: `{ok:true,value}`, or `{ok:false,error}` for a thrown `{code}`. */
export const sendMessage = vi.fn(async (req: Record<string, unknown>) => {
  sent.push(req);
  const h = background.get(String(req["type"]));
  if (!h) return { ok: false, error: { code: "internal", message: `no fake for ${String(req["type"])}` } };
  try {
    return { ok: true, value: await h(req) };
  } catch (e) {
    const code = (e as { code?: string }).code ?? "internal";
    return { ok: false, error: { code, message: "fake" } };
  }
});

export function fail(code: string): never {
  throw Object.assign(new Error(code), { code });
}

export function resetBackground(): void {
  background.clear();
  sent.length = 0;
  sendMessage.mockClear();
  lang = "en";
}

/** Thunderbird's permission prompt: the test decides what the user answers. */
export const permissions = {
  granted: true,
  request: vi.fn(async (_p: { origins: string[] }) => permissions.granted),
  remove: vi.fn(async (_p: { origins: string[] }) => true),
};

(globalThis as unknown as { browser: unknown }).browser = {
  runtime: { sendMessage },
  i18n: { getMessage: message, getUILanguage: () => lang },
  permissions,
};

/** Picks a file in an <input type=file> (jsdom cannot build a FileList). */
export async function chooseFile(input: HTMLElement, name: string, bytes: Uint8Array): Promise<void> {
  const file = new File([bytes as BlobPart], name);
  const list = Object.assign([file], { item: (i: number) => (i === 0 ? file : null) });
  // Svelte writes the bound value back; jsdom would refuse anything but a real FileList.
  Object.defineProperty(input, "files", { get: () => list, set: () => undefined, configurable: true });
  // jsdom's own constraint check does not see this fake list and would block the submit.
  input.closest("form")?.setAttribute("novalidate", "");
  await fireEvent.change(input);
}

export const downloads: Array<{ name: string; href: string }> = [];
URL.createObjectURL = (() => "blob:fake") as typeof URL.createObjectURL;
URL.revokeObjectURL = (() => undefined) as typeof URL.revokeObjectURL;
HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
  downloads.push({ name: this.download, href: this.href });
};

// jsdom's Blob has no arrayBuffer(); Thunderbird's does.
if (!Blob.prototype.arrayBuffer) {
  Blob.prototype.arrayBuffer = function (this: Blob): Promise<ArrayBuffer> {
    return new Promise((resolve, reject) => {
      const r = new FileReader();
      r.onload = () => resolve(r.result as ArrayBuffer);
      r.onerror = () => reject(r.error);
      r.readAsArrayBuffer(this);
    });
  };
}
