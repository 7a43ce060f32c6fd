/**
 * What happens when Thunderbird displays a message: fetch the original bytes, run the engine,
 * remember the result for this session, and show the status in the toolbar button (trusted
 * chrome: a message body can draw a fake badge, the button it cannot).
 */
import type { DOMPurify } from "dompurify";
import { inspectMessage, plainBeyondHeaderLimit, type InspectResult, type LayerOpener } from "../core/message/inspect.js";
import { buildRenderModel, type RenderModel } from "../core/render/render-model.js";
import { decodeBody, type MimeEntity } from "../core/mime/index.js";
import { copyFilename, copySource, decryptedCopy, type CopySource } from "../core/message/decrypted-message.js";
import { SealbirdError, isSealbirdError } from "../core/errors.js";
import type { MessageStatus } from "../core/status/message-status.js";
import type { DisplayView, OwnView, PendingKey, PopupSummary } from "./protocol.js";
import { showStatus, showNothing, showLocked, showError, showPending } from "./action-view.js";
import { messageBytes } from "./message-bytes.js";

export interface DecryptedOriginal {
  status: MessageStatus;
  /** Sanitised parts, as the message pane shows them. */
  model: RenderModel;
  content: MimeEntity;
  copy(): Uint8Array;
  /** The Date field as the message carries it (a forward quotes it as it is). */
  date?: string;
}

export interface KeyMaterialSource {
  /** "none": no keystore yet. */
  lockState(): Promise<"none" | "locked" | "unlocked">;
  /** Openers with every public record, and secret keys when unlocked. */
  openers(): Promise<LayerOpener[]>;
  /** Certificates and keys learned from a message (valid signatures, Autocrypt); returns the keys left pending. */
  remember(result: InspectResult): Promise<PendingKey[]>;
  /** The user's acceptance of a pending key (it replaces the keys known for its addresses). */
  acceptKey(id: string): Promise<void>;
}

/** What the display needs of Thunderbird itself (the smime-display and message-header experiments). */
export interface DisplayHost {
  /** Thunderbird's own S/MIME code decrypted the message shown in the tab. */
  thunderbirdDecrypted(tabId: number): Promise<boolean>;
  /** Sealbird's verdict is the one for this message: Thunderbird's indicator steps aside; the protected Subject is shown. */
  claim(tabId: number, messageId: number, claim: { subject?: string }): Promise<boolean>;
  /** Thunderbird's own verdict for the message shown (its own key stores). */
  ownView(tabId: number): Promise<OwnView>;
  /** The protected Subject into the message list (Thunderbird's message index). */
  setListSubject(messageId: number, subject: string): Promise<void>;
  /** The user's setting: may the protected Subject go into the message list? */
  listSubjectAllowed(): Promise<boolean>;
}

interface Processed {
  view: DisplayView;
  status?: MessageStatus;
  /** The entity rendered (decrypted content): attachments are cut from it on request. */
  content?: MimeEntity;
  /** Milliseconds from the request to a finished result (fetch + engine + render model). */
  ms: number;
  /** Top-level S/MIME encryption Sealbird has no key for: Thunderbird may have one of its own. */
  smimeNoKey?: boolean;
  pendingKeys?: PendingKey[];
  /** Decrypted: what "Save decrypted copy" writes. */
  copy?: CopySource;
}

/**
 * Results kept for the session, least recently used dropped first: at most this many, and at
 * most this many bytes of decrypted content and rendered text (a 10 MB message holds 10 MB
 * twice: its MIME entity and its text). The most recent result is always kept, whatever its
 * size: it is the one on screen. Locking drops every decrypted result (forgetDecrypted).
 */
const MAX_CACHED = 24;
export const MAX_CACHED_BYTES = 32 * 1024 * 1024;

/** What a result holds on to, in bytes: decrypted entity bytes (and the copy's, if apart) and render-model strings (UTF-16). */
function heldBytes(p: Processed): number {
  let n = p.content?.raw.length ?? 0;
  // The decrypted copy's entity is usually the same bytes as the content; counted when it is not.
  if (p.copy && p.copy.entity.buffer !== p.content?.raw.buffer) n += p.copy.entity.length;
  if (p.view.kind === "render") for (const b of p.view.model.blocks) n += 2 * (b.kind === "text" ? b.text.length : b.html.length);
  return n;
}

export class DisplayService {
  private readonly results = new Map<number, Promise<Processed>>();
  /** heldBytes of each finished result in `results`. */
  private readonly sizes = new Map<number, number>();
  private readonly displayed = new Map<number, number>();

  constructor(
    private readonly keys: KeyMaterialSource,
    private readonly purify: DOMPurify,
    private readonly host: DisplayHost,
  ) {}

  onMessagesDisplayed(tab: messenger.tabs.Tab, list: messenger.messages.MessageList): void {
    const only = list.messages.length === 1 ? list.messages[0] : undefined;
    if (!only) {
      this.displayed.delete(tab.id);
      return;
    }
    if (this.displayed.get(tab.id) === only.id && this.results.has(only.id)) {
      // Selection and display events both arrive for one message: update once, from the cache.
      void this.process(only.id).then((p) => this.updateAction(tab.id, only.id, p));
      return;
    }
    this.displayed.set(tab.id, only.id);
    // The message is asked for first: Thunderbird's main process answers in order, and it is
    // busy loading the same message into the pane.
    const done = this.process(only.id);
    // The button keeps the previous message's values until told otherwise: never let a
    // status stand next to a message it was not computed for.
    void showPending(tab.id).catch(() => undefined);
    void done.then((p) => this.updateAction(tab.id, only.id, p));
  }

  async viewForTab(tabId: number): Promise<DisplayView> {
    const id = await this.displayedId(tabId);
    if (id === undefined) return { kind: "plain" };
    const p = await this.process(id);
    // A user who also keeps the key in Thunderbird's own certificate store sees Thunderbird's
    // decryption: our "no key" explanation must not replace a message that is readable.
    if (p.smimeNoKey && (await this.host.thunderbirdDecrypted(tabId).catch(() => false))) return { kind: "status", status: p.status! };
    const subject = p.view.kind === "render" ? p.status?.protectedHeaders?.subject : undefined;
    if (p.view.kind === "render" && subject) {
      // The header pane shows the real Subject (claim is idempotent: the display event may
      // not have got there yet); only where it could not be set does the body carry it.
      const subjectInHeader = await this.host.claim(tabId, id, { subject }).catch(() => false);
      return { ...p.view, subjectInHeader };
    }
    return p.view;
  }

  async statusForTab(tabId: number): Promise<MessageStatus | undefined> {
    const id = await this.displayedId(tabId);
    return id === undefined ? undefined : (await this.process(id)).status;
  }

  /** What the toolbar popup shows for the message of a tab. */
  async summaryForTab(tabId: number): Promise<PopupSummary> {
    const id = await this.displayedId(tabId);
    if (id === undefined) return { kind: "none" };
    const p = await this.process(id);
    const code = p.view.kind === "error" ? p.view.code : undefined;
    const thunderbird = await this.host.ownView(tabId).catch(() => undefined);
    return {
      kind: p.view.kind,
      status: p.status,
      code,
      ms: p.ms,
      ...(p.pendingKeys?.length ? { pendingKeys: p.pendingKeys } : {}),
      ...(thunderbird ? { thunderbird } : {}),
      canSaveCopy: !!p.copy,
    };
  }

  /**
   * "Save decrypted copy…": the decrypted message as .eml through Thunderbird's downloads.
   * Without `saveAs` Thunderbird's own download setting decides (its default asks where to
   * save). Only for the message shown in the tab. Resolves with the file's path once written,
   * or `saved: false` when the user cancelled the file picker.
   */
  async saveCopyForTab(tabId: number, saveAs?: boolean): Promise<{ saved: boolean; filename: string; size: number }> {
    const id = await this.displayedId(tabId);
    const p = id === undefined ? undefined : await this.process(id);
    if (!p?.copy) throw new SealbirdError("usage", "The message shown in this tab was not decrypted by Sealbird.");
    const bytes = decryptedCopy(p.copy);
    const subject = p.status?.protectedHeaders?.subject ?? "message";
    const filename = copyFilename(subject);
    const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: "message/rfc822" }));
    let downloadId: number;
    try {
      downloadId = await messenger.downloads.download({ url, filename, ...(saveAs === undefined ? {} : { saveAs }), conflictAction: "uniquify" });
    } catch (e) {
      URL.revokeObjectURL(url);
      // The user closed the file picker: nothing written, nothing to report as an error.
      if (/cancel/i.test(e instanceof Error ? e.message : String(e))) return { saved: false, filename, size: 0 };
      throw new SealbirdError("io-error", `The decrypted copy could not be saved: ${e instanceof Error ? e.message : String(e)}`);
    }
    // The blob is read by the download: revoked only when Thunderbird says it is done (an
    // early revoke, or a timer in a suspended event page, would cut it off or leak it).
    const item = await downloadFinished(downloadId).finally(() => URL.revokeObjectURL(url));
    if (item.state !== "complete") throw new SealbirdError("io-error", `The decrypted copy could not be saved: ${item.error ?? item.state}`);
    return { saved: true, filename: item.filename, size: bytes.length };
  }

  /**
   * A message Sealbird decrypted, for a reply or forward of it: the sanitised parts, its
   * attachments, the decrypted .eml. Undefined when Sealbird did not decrypt it completely
   * (then the composer keeps what Thunderbird quoted: never half-decrypted).
   */
  async decryptedFor(id: number): Promise<DecryptedOriginal | undefined> {
    const p = await this.process(id);
    if (p.view.kind !== "render" || p.status?.encryption.state !== "decrypted" || !p.content || !p.copy) return undefined;
    const { content, copy } = p;
    const date = copy.outer.find((h) => h.name.toLowerCase() === "date")?.value.replace(/\r?\n[ \t]+/g, " ").trim();
    return { status: p.status, model: p.view.model, content, copy: () => decryptedCopy(copy), ...(date ? { date } : {}) };
  }

  /**
   * Accepts a key the popup of this tab's message offered (nothing else: a page cannot accept
   * arbitrary records through this), then checks the message again with it.
   */
  async acceptKeyForTab(tabId: number, keyId: string): Promise<PopupSummary> {
    const id = await this.displayedId(tabId);
    const p = id === undefined ? undefined : await this.process(id);
    if (id === undefined || !p?.pendingKeys?.some((k) => k.id === keyId)) {
      throw new SealbirdError("usage", "This key is not offered by the message shown in this tab.");
    }
    await this.keys.acceptKey(keyId);
    // Every cached result may depend on the keys: the next display checks again.
    this.results.clear();
    this.sizes.clear();
    const again = await this.process(id);
    await this.updateAction(tabId, id, again);
    return this.summaryForTab(tabId);
  }

  /**
   * The decoded bytes of one attachment of the message shown in `tabId`. Only parts listed in
   * that message's render model are handed out, and only to the tab that shows it.
   */
  async attachmentForTab(tabId: number, path: string): Promise<{ bytes: Uint8Array; filename: string; contentType: string }> {
    const id = await this.displayedId(tabId);
    const p = id === undefined ? undefined : await this.process(id);
    const listed = p?.view.kind === "render" ? p.view.model.attachments.find((a) => a.path === path) : undefined;
    const part = listed && p?.content ? findPart(p.content, path) : undefined;
    if (!listed || !part) throw new SealbirdError("usage", "This attachment is not part of the message shown in this tab.");
    // Nested signed/encrypted entities are saved as they are (a whole MIME entity), never opened.
    const bytes = part.contentType.type === "multipart" ? part.raw : decodeBody(part);
    return { bytes, filename: listed.filename, contentType: listed.contentType };
  }

  /** After unlocking: results that depended on the lock are recomputed; returns the tabs showing them. */
  async refreshAfterUnlock(): Promise<number[]> {
    const again: number[] = [];
    for (const [id, p] of this.results) {
      if ((await p).view.kind === "locked") {
        this.drop(id);
        again.push(id);
      }
    }
    const tabs: number[] = [];
    for (const [tabId, id] of this.displayed) {
      if (!again.includes(id)) continue;
      tabs.push(tabId);
      void this.process(id).then((p) => this.updateAction(tabId, id, p));
    }
    return tabs;
  }

  /** Every result is computed again on its next display (settings that change verdicts changed). */
  forgetAll(): void {
    this.results.clear();
  }

  /** After locking: decrypted content is not kept around; the next display asks again. */
  async forgetDecrypted(): Promise<void> {
    for (const [id, p] of this.results) {
      const done = await p;
      if (done.status?.encryption.state === "decrypted" || done.view.kind === "locked") this.drop(id);
    }
  }

  private async displayedId(tabId: number): Promise<number | undefined> {
    const known = this.displayed.get(tabId);
    if (known !== undefined) return known;
    // The background may have been suspended and restarted since the message was shown.
    const list = await messenger.messageDisplay.getDisplayedMessages(tabId);
    const only = list.messages.length === 1 ? list.messages[0] : undefined;
    if (only) this.displayed.set(tabId, only.id);
    return only?.id;
  }

  private process(id: number): Promise<Processed> {
    let p = this.results.get(id);
    if (p) {
      // most recently used last
      this.results.delete(id);
      this.results.set(id, p);
      return p;
    }
    p = this.run(id);
    this.results.set(id, p);
    const mine = p;
    void p.then((done) => {
      if (this.results.get(id) !== mine) return; // dropped or replaced meanwhile
      this.sizes.set(id, heldBytes(done));
      this.evict();
    });
    this.evict();
    return p;
  }

  /** Drops least recently used results beyond MAX_CACHED or MAX_CACHED_BYTES (never the newest). */
  private evict(): void {
    let bytes = 0;
    for (const id of this.results.keys()) bytes += this.sizes.get(id) ?? 0;
    for (const id of [...this.results.keys()]) {
      if (this.results.size <= 1 || (this.results.size <= MAX_CACHED && bytes <= MAX_CACHED_BYTES)) break;
      bytes -= this.sizes.get(id) ?? 0;
      this.drop(id);
    }
  }

  private drop(id: number): void {
    this.results.delete(id);
    this.sizes.delete(id);
  }

  /** Bytes of decrypted content and rendered text the cache holds now (for tests and the bench). */
  cachedBytes(): number {
    let n = 0;
    for (const v of this.sizes.values()) n += v;
    return n;
  }

  private async run(id: number): Promise<Processed> {
    const t0 = performance.now();
    const finish = (p: Omit<Processed, "ms">): Processed => ({ ...p, ms: Math.round(performance.now() - t0) });
    let raw: Uint8Array | undefined;
    try {
      // Both wait on other processes: asked for together.
      const [bytes, openers] = await Promise.all([messageBytes(id), this.keys.openers()]);
      raw = bytes;
      const result = await inspectMessage(raw, { openers });
      const { status } = result;
      const pendingKeys = await this.keys.remember(result).catch(() => []);
      const nestedEncrypted = status.nested.some((n) => n.kind === "encrypted");
      const smimeEncrypted = result.layers[0]?.protocol === "smime" && result.layers[0].kind === "encrypted";
      const smimeNoKey = smimeEncrypted && status.encryption.state === "failed" && status.encryption.code === "no-key";
      const copy = copySource(result) ?? undefined;
      const done = (p: Omit<Processed, "ms">): Processed => finish({ ...p, smimeNoKey, ...(pendingKeys.length ? { pendingKeys } : {}), ...(copy ? { copy } : {}) });
      if (status.protocol === "none" && !nestedEncrypted) return done({ view: { kind: "plain" }, status });
      if (status.encryption.state === "failed") {
        if (status.encryption.code === "no-key" && (await this.keys.lockState()) === "locked") return done({ view: { kind: "locked" }, status });
        return done({ view: { kind: "error", code: status.encryption.code, message: status.encryption.message, status }, status });
      }
      if (!rendersOwnView(result) || !result.view) return done({ view: { kind: "status", status }, status });
      return done({ view: { kind: "render", model: buildRenderModel(result.view, this.purify), status }, status, content: result.view });
    } catch (e) {
      // A header section over the parser's limit must not hide an otherwise plain message.
      const plain = raw ? await plainBeyondHeaderLimit(raw, e, { openers: await this.keys.openers() }).catch(() => null) : null;
      if (plain) return finish({ view: { kind: "plain" }, status: plain });
      const code = isSealbirdError(e) ? e.code : "internal";
      const message = isSealbirdError(e) ? e.message : "The message could not be processed.";
      return finish({ view: { kind: "error", code, message } });
    }
  }

  private async updateAction(tabId: number, id: number, p: Processed): Promise<void> {
    if (this.displayed.get(tabId) !== id) return; // the user moved on meanwhile
    if (p.view.kind === "locked") await showLocked(tabId);
    else if (p.status) await showStatus(tabId, p.status);
    else if (p.view.kind === "error") await showError(tabId, p.view.code);
    else await showNothing(tabId);
    await this.takeHeader(tabId, id, p).catch(() => undefined);
  }

  /**
   * One verdict: for a message Sealbird decrypted, verified or refused, Thunderbird's own
   * indicator and failure notices step aside and the protected Subject is shown. Not where
   * Thunderbird itself decrypted what Sealbird has no key for: then its display stays.
   */
  private async takeHeader(tabId: number, id: number, p: Processed): Promise<void> {
    const status = p.status;
    if (!status || (status.protocol === "none" && p.view.kind !== "render")) return;
    if (status.encryption.state === "failed" && status.encryption.code === "no-key" && p.view.kind !== "locked") {
      const own = await this.host.ownView(tabId).catch(() => undefined);
      if (own?.smimeEncryption === "decrypted" || own?.openpgpEncryption === "decrypted") return;
    }
    const subject = status.protectedHeaders?.subject;
    await this.host.claim(tabId, id, subject ? { subject } : {});
    if (subject && status.encryption.state === "decrypted" && (await this.host.listSubjectAllowed())) await this.host.setListSubject(id, subject);
  }
}

/**
 * Whether the pane shows our rendering of `result.view` instead of Thunderbird's. Thunderbird
 * shows a multipart/signed message's content itself. We render what it cannot show
 * (encrypted, opaque signed); every message that carries an encrypted part below the top
 * level (Thunderbird would put all its parts into one document, which is what the EFAIL
 * direct-exfiltration attack needs; we render each part on its own and never decrypt the
 * nested part); and armor read out of HTML: there Thunderbird would show the HTML, whose
 * styles can add, hide or reorder text next to a valid badge ("Johnny" GUI spoofing), while
 * the signature covers only the text we read from it.
 */
export function rendersOwnView(result: InspectResult): boolean {
  const { status } = result;
  return (
    result.layers.some((l) => l.kind === "encrypted") ||
    result.top.contentType.subtype.endsWith("pkcs7-mime") ||
    status.nested.some((n) => n.kind === "encrypted") ||
    status.repairs.some((r) => r.code === "armor-in-html")
  );
}

function findPart(root: MimeEntity, path: string): MimeEntity | undefined {
  const stack = [root];
  while (stack.length) {
    const e = stack.pop()!;
    if (e.path === path) return e;
    stack.push(...e.children);
  }
  return undefined;
}

/** The download once it completed or was interrupted (onChanged, or already so when asked). */
function downloadFinished(id: number): Promise<messenger.downloads.DownloadItem> {
  return new Promise((resolve) => {
    const check = async (): Promise<void> => {
      const [item] = await messenger.downloads.search({ id });
      if (item?.state === "in_progress") return;
      messenger.downloads.onChanged.removeListener(onChanged);
      resolve(item ?? { id, filename: "", state: "interrupted", error: "removed" });
    };
    const onChanged = (delta: messenger.downloads.DownloadDelta): void => {
      if (delta.id === id && delta.state?.current && delta.state.current !== "in_progress") void check();
    };
    messenger.downloads.onChanged.addListener(onChanged);
    void check();
  });
}
