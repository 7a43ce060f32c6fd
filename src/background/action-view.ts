// Shows a MessageStatus on the message display action button of one tab (trusted chrome), read
// like Thunderbird's own header indicator: icons (envelope = signature, padlock = encryption)
// and a symbol badge, no sentence on the button; the words are its tooltip and accessible name.
import { indicator, present } from "../core/status/presentation.js";
import type { MessageStatus } from "../core/status/message-status.js";

const a = () => messenger.messageDisplayAction;

export async function showStatus(tabId: number, status: MessageStatus): Promise<void> {
  const p = present(status);
  await Promise.all([
    a().setIcon({ tabId, path: `icons/${indicator(status).icon}.svg` }),
    a().setTitle({ tabId, title: p.titleKeys.map((k) => messenger.i18n.getMessage(k)).join(" · ") }),
    a().setBadgeText({ tabId, text: p.badge || null }),
    a().setBadgeBackgroundColor({ tabId, color: p.badgeColor }),
  ]);
}

/** Encrypted to us, but the keystore is locked: a closed padlock with a key badge. */
export async function showLocked(tabId: number): Promise<void> {
  await Promise.all([
    a().setIcon({ tabId, path: "icons/hdr-ok-none.svg" }),
    a().setTitle({ tabId, title: messenger.i18n.getMessage("statusLocked") }),
    a().setBadgeText({ tabId, text: "🔑" }),
    a().setBadgeBackgroundColor({ tabId, color: "#a86400" }),
  ]);
}

/** The message could not be processed at all (malformed, too large). */
export async function showError(tabId: number, code: string): Promise<void> {
  await Promise.all([
    a().setIcon({ tabId, path: "icons/hdr-failed-none.svg" }),
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

/** No sentence on the button (all tabs): the verdict is its icon; the title stays the tooltip. */
export async function iconOnly(): Promise<void> {
  await a().setLabel({ label: "" });
}
