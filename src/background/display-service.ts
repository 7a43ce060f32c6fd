/**
 * What happens when Thunderbird displays a message: fetch the original bytes, run the engine,
 * remember the result for this session, and show the status in the toolbar button (trusted
 * chrome: a message body can draw a fake badge, the button it cannot).
 */
import type { DOMPurify } from "dompurify";
import { inspectMessage, type InspectResult, type LayerOpener } from "../core/message/inspect.js";
import { buildRenderModel } from "../core/render/render-model.js";
import { isSealbirdError } from "../core/errors.js";
import type { MessageStatus } from "../core/status/message-status.js";
import type { DisplayView } from "./protocol.js";
import { showStatus, showNothing } from "./action-view.js";

export interface KeyMaterialSource {
  isUnlocked(): boolean;
  /** Openers with every public record, and secret keys when unlocked. */
  openers(): Promise<LayerOpener[]>;
  /** Certificates and keys learned from a message (valid signatures, Autocrypt). */
  remember(result: InspectResult): Promise<void>;
}

interface Processed {
  view: DisplayView;
  status?: MessageStatus;
}

export class DisplayService {
  private readonly results = new Map<number, Promise<Processed>>();
  private readonly displayed = new Map<number, number>();

  constructor(
    private readonly keys: KeyMaterialSource,
    private readonly purify: DOMPurify,
  ) {}

  onMessagesDisplayed(tab: messenger.tabs.Tab, list: messenger.messages.MessageList): void {
    const only = list.messages.length === 1 ? list.messages[0] : undefined;
    if (!only) {
      this.displayed.delete(tab.id);
      return;
    }
    this.displayed.set(tab.id, only.id);
    void this.process(only.id).then((p) => this.updateAction(tab.id, only.id, p));
  }

  async viewForTab(tabId: number): Promise<DisplayView> {
    const id = await this.displayedId(tabId);
    if (id === undefined) return { kind: "plain" };
    return (await this.process(id)).view;
  }

  async statusForTab(tabId: number): Promise<MessageStatus | undefined> {
    const id = await this.displayedId(tabId);
    return id === undefined ? undefined : (await this.process(id)).status;
  }

  /** After unlocking: results that depended on the lock are recomputed for the open tabs. */
  async refreshAfterUnlock(): Promise<number[]> {
    const again: number[] = [];
    for (const [id, p] of this.results) {
      if ((await p).view.kind === "locked") {
        this.results.delete(id);
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
    if (!p) {
      p = this.run(id);
      this.results.set(id, p);
    }
    return p;
  }

  private async run(id: number): Promise<Processed> {
    try {
      const file = (await messenger.messages.getRaw(id, { decrypt: false, data_format: "File" })) as File;
      const raw = new Uint8Array(await file.arrayBuffer());
      const result = await inspectMessage(raw, { openers: await this.keys.openers() });
      const { status } = result;
      await this.keys.remember(result).catch(() => undefined);
      if (status.protocol === "none") return { view: { kind: "plain" }, status };
      if (status.encryption.state === "failed") {
        if (status.encryption.code === "no-key" && !this.keys.isUnlocked()) return { view: { kind: "locked" }, status };
        return { view: { kind: "error", code: status.encryption.code, message: status.encryption.message, status }, status };
      }
      // Thunderbird shows a multipart/signed message's content itself; encrypted and opaque
      // signed content it cannot show (or shows its own failure), so we render those.
      const ownRendering = result.layers.some((l) => l.kind === "encrypted") || result.top.contentType.subtype.endsWith("pkcs7-mime");
      if (!ownRendering || !result.view) return { view: { kind: "status", status }, status };
      return { view: { kind: "render", model: buildRenderModel(result.view, this.purify), status }, status };
    } catch (e) {
      const code = isSealbirdError(e) ? e.code : "internal";
      const message = isSealbirdError(e) ? e.message : "The message could not be processed.";
      return { view: { kind: "error", code, message } };
    }
  }

  private async updateAction(tabId: number, id: number, p: Processed): Promise<void> {
    if (this.displayed.get(tabId) !== id) return; // the user moved on meanwhile
    if (p.status) await showStatus(tabId, p.status);
    else await showNothing(tabId);
  }
}
