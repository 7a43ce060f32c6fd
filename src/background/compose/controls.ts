/**
 * Sealbird's Encrypt and Sign buttons in the composer's toolbar (the compose-controls
 * experiment), in place of Thunderbird's own while Sealbird is in charge of the composer: their
 * state, and in the tooltip (= accessible description) why they are on or off. The compose
 * action next to them opens the details: every recipient's key.
 */
import type { ComposeView } from "./types.js";
import { encryptWhy, signWhy, type I18n } from "./why.js";

/** The compose-controls experiment; null in a build without it. */
export function controls(): typeof messenger.composeControls | null {
  return typeof messenger.composeControls === "object" && messenger.composeControls ? messenger.composeControls : null;
}

/** Shows Sealbird's buttons for a composer it is in charge of, or gives the toolbar back. */
export async function showControls(v: ComposeView, t: I18n): Promise<void> {
  const api = controls();
  if (!api) return;
  if (!v.inCharge) {
    await api.release(v.tabId).catch(() => undefined);
    return;
  }
  const hint = t("composeControlHint");
  await api
    .show(v.tabId, {
      encrypt: { checked: v.encrypt, label: t("composeEncrypt"), tooltip: `${encryptWhy(v, t)}\n${hint}` },
      // Like Thunderbird's Sign: no key to sign with, nothing to press (unless it is on).
      sign: { checked: v.sign, label: t("composeSign"), tooltip: `${signWhy(v, t)}\n${hint}`, disabled: !v.sign && !v.canSign },
    })
    .catch(() => undefined);
}
