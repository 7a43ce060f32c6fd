/**
 * The messages the add-on's pages and its message display script send to the background,
 * and what they get back. Private keys and the data key never appear in any of them.
 */
import type { MessageStatus } from "../core/status/message-status.js";
import type { RenderModel } from "../core/render/render-model.js";

export type DisplayView =
  /** Not signed or encrypted by anything we handle: Thunderbird's own rendering stays. */
  | { kind: "plain" }
  /** Encrypted, but the keystore is locked: the pane offers to unlock. */
  | { kind: "locked" }
  /** We replace the body with this sanitised model (decrypted, or opaque-signed content). */
  /** `subjectInHeader`: the protected Subject stands in Thunderbird's header pane (then the
   * body does not repeat it; where the header could not be set, the body shows it). */
  | { kind: "render"; model: RenderModel; status: MessageStatus; subjectInHeader?: boolean }
  /** Something failed: show the translated explanation with the code. */
  | { kind: "error"; code: string; message: string; status?: MessageStatus }
  /** Status only; Thunderbird's own rendering of the content is right (multipart/signed). */
  | { kind: "status"; status: MessageStatus };

/** What the toolbar popup of the message display action shows for the message of a tab. */
export interface PopupSummary {
  /** "none": no single message shown in the tab. */
  kind: DisplayView["kind"] | "none";
  status?: MessageStatus;
  /** Error code when kind is "error". */
  code?: string;
  /** How long fetching and processing the message took, in ms. */
  ms?: number;
  /**
   * OpenPGP keys this message brought for an address that already has a different key: kept
   * aside until the user accepts one (a forged mail must not silently replace a contact's key).
   */
  pendingKeys?: PendingKey[];
  /** What Thunderbird's own crypto concluded with its own key stores (shown as a second opinion). */
  thunderbird?: OwnView;
  /** The message was decrypted: "Save decrypted copy…" is offered. */
  canSaveCopy?: boolean;
}

/** Thunderbird's own verdict (message-header experiment); "skipped": Sealbird stopped its doomed OpenPGP attempt. */
export interface OwnView {
  smimeSignature: string;
  smimeEncryption: string;
  openpgpSignature: string;
  openpgpEncryption: string;
}

export interface PendingKey {
  /** Keystore record id. */
  id: string;
  fingerprint: string;
  emails: string[];
}

export type Request =
  | { type: "display:get-view" }
  /** From the message display script: one listed attachment of the message in the sender's tab. */
  | { type: "display:attachment"; path: string }
  | { type: "display:summary"; tabId: number }
  /** The user accepts a pending key shown in the popup of that tab's message; answers the new summary. */
  | { type: "display:accept-key"; tabId: number; keyId: string }
  /** "Save decrypted copy…" for that tab's message (an .eml through the downloads API). */
  | { type: "display:save-copy"; tabId: number; saveAs?: boolean }
  | { type: "status:get"; tabId: number }
  | { type: "keystore:state" }
  | { type: "keystore:create"; passphrase: string }
  | { type: "keystore:unlock"; passphrase: string }
  /** A key or certificate file (PKCS#12, PEM/DER certificate, OpenPGP key), recognised by content. */
  | { type: "keyring:import"; bytes: Uint8Array; password?: string; as?: "correspondent" | "anchor" }
  | { type: "keyring:list" }
  | { type: "keystore:lock" }
  | { type: "unlock:open" };

export type KeystoreState = { exists: boolean; unlocked: boolean };

export function isRequest(m: unknown): m is Request {
  return typeof m === "object" && m !== null && typeof (m as { type?: unknown }).type === "string";
}
