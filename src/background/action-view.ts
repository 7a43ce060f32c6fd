// Shows a MessageStatus on the message display action button of one tab (trusted chrome).
import { present } from "../core/status/presentation.js";
import type { MessageStatus } from "../core/status/message-status.js";

const a = () => messenger.messageDisplayAction;

export async function showStatus(tabId: number, status: MessageStatus): Promise<void> {
  const p = present(status);
  await Promise.all([
    a().setIcon({ tabId, path: `icons/${p.icon}.svg` }),
    a().setTitle({ tabId, title: p.titleKeys.map((k) => messenger.i18n.getMessage(k)).join(" · ") }),
    a().setBadgeText({ tabId, text: p.badge || null }),
    a().setBadgeBackgroundColor({ tabId, color: p.badgeColor }),
  ]);
}

/** Encrypted to us, but the keystore is locked: a closed padlock with a key badge. */
export async function showLocked(tabId: number): Promise<void> {
  await Promise.all([
    a().setIcon({ tabId, path: "icons/encrypted.svg" }),
    a().setTitle({ tabId, title: messenger.i18n.getMessage("statusLocked") }),
    a().setBadgeText({ tabId, text: "🔑" }),
    a().setBadgeBackgroundColor({ tabId, color: "#a86400" }),
  ]);
}

/** The message could not be processed at all (malformed, too large). */
export async function showError(tabId: number, code: string): Promise<void> {
  await Promise.all([
    a().setIcon({ tabId, path: "icons/encrypted-failed.svg" }),
    a().setTitle({ tabId, title: `${messenger.i18n.getMessage("statusError")} (${code})` }),
    a().setBadgeText({ tabId, text: "!" }),
    a().setBadgeBackgroundColor({ tabId, color: "#b3261e" }),
  ]);
}

/** A new message is shown and not yet checked: neutral icon, "checking" title, no badge. */
export async function showPending(tabId: number): Promise<void> {
  await Promise.all([
    a().setIcon({ tabId, path: "icons/sealbird.svg" }),
    a().setTitle({ tabId, title: messenger.i18n.getMessage("statusChecking") }),
    a().setBadgeText({ tabId, text: null }),
  ]);
}

export async function showNothing(tabId: number): Promise<void> {
  await Promise.all([
    a().setIcon({ tabId, path: "icons/sealbird.svg" }),
    a().setTitle({ tabId, title: null }),
    a().setBadgeText({ tabId, text: null }),
  ]);
}
