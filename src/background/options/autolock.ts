/**
 * Auto-lock: the keystore locks when the computer has been idle for the chosen time, or its
 * screen is locked. The idle API wakes the (MV3, suspendable) background, so the listener is
 * registered when this module is first imported, at top level of the background's start.
 *
 * The setting lives in storage.local (readable before any keystore is opened). 0 = never.
 */
import type { KeystoreService } from "../keystore-service.js";

export const AUTO_LOCK_KEY = "sealbird.autoLockMinutes";
export const AUTO_LOCK_CHOICES = [0, 5, 15, 30, 60, 240] as const;
export const AUTO_LOCK_DEFAULT = 15;
/** Same name as KeystoreService's storage.session entry: removing it locks a suspended background. */
const SESSION_KEY = "sealbird.dataKey";

let service: KeystoreService | null = null;

/** Hands the live keystore to the auto-lock (idempotent). */
export function attachKeystore(keystore: KeystoreService): void {
  service = keystore;
}

export async function getAutoLockMinutes(): Promise<number> {
  const v = (await messenger.storage.local.get(AUTO_LOCK_KEY))[AUTO_LOCK_KEY];
  return typeof v === "number" && (AUTO_LOCK_CHOICES as readonly number[]).includes(v) ? v : AUTO_LOCK_DEFAULT;
}

export async function setAutoLockMinutes(minutes: number): Promise<number> {
  const m = (AUTO_LOCK_CHOICES as readonly number[]).includes(minutes) ? minutes : AUTO_LOCK_DEFAULT;
  await messenger.storage.local.set({ [AUTO_LOCK_KEY]: m });
  applyInterval(m);
  return m;
}

function applyInterval(minutes: number): void {
  // The idle API's minimum is 15 s; "never" still needs a valid interval.
  messenger.idle?.setDetectionInterval(Math.max(15, (minutes || 60) * 60));
}

export async function onIdleState(state: string): Promise<void> {
  if (state !== "idle" && state !== "locked") return;
  if ((await getAutoLockMinutes()) === 0) return;
  if (service) await service.lock();
  // Without the live service (background just woken by this event) the remembered session
  // key is all there is to forget.
  else await messenger.storage.session.remove(SESSION_KEY);
}

if (typeof messenger !== "undefined" && messenger.idle) {
  messenger.idle.onStateChanged.addListener((state) => void onIdleState(state));
  void getAutoLockMinutes().then(applyInterval, () => undefined);
}
