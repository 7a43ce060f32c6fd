// Shows a MessageStatus on the message display action button of one tab.
import { present } from "../core/status/presentation.js";
import type { MessageStatus } from "../core/status/message-status.js";

export async function showStatus(tabId: number, status: MessageStatus): Promise<void> {
  const p = present(status);
  const a = messenger.messageDisplayAction;
  await Promise.all([
    a.setIcon({ tabId, path: `icons/${p.icon}.svg` }),
    a.setTitle({ tabId, title: p.titleKeys.map((k) => messenger.i18n.getMessage(k)).join(" · ") }),
    a.setBadgeText({ tabId, text: p.badge || null }),
    a.setBadgeBackgroundColor({ tabId, color: p.badgeColor }),
  ]);
}

export async function showNothing(tabId: number): Promise<void> {
  const a = messenger.messageDisplayAction;
  await Promise.all([
    a.setIcon({ tabId, path: "icons/sealbird.svg" }),
    a.setTitle({ tabId, title: null }),
    a.setBadgeText({ tabId, text: null }),
  ]);
}
