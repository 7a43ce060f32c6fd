/**
 * Where the guided first-run setup stands, so that it can be left (tab closed, Thunderbird
 * quit) and resumed at the same step. Kept in storage.local, next to the auto-lock setting:
 * it says nothing secret and must be readable before the keystore is unlocked.
 *
 * Without a keystore the setup always starts at the passphrase. A keystore that exists but
 * was never made by the setup (an older version, the command line, the demo profile) counts
 * as set up: the setup is only offered to someone who has not started using Sealbird.
 */
import type { SetupState, SetupStep } from "./types.js";

export const SETUP_KEY = "sealbird.setup";
const STEPS: readonly SetupStep[] = ["passphrase", "identities", "backup", "done", "finished"];

function parse(v: unknown): SetupState | null {
  const o = v as { step?: unknown; identity?: unknown } | null;
  if (!o || typeof o !== "object" || !STEPS.includes(o.step as SetupStep)) return null;
  const step = o.step as SetupStep;
  return step === "identities" && typeof o.identity === "string" ? { step, identity: o.identity } : { step };
}

export async function readSetup(keystoreExists: boolean): Promise<SetupState> {
  if (!keystoreExists) return { step: "passphrase" };
  const kept = parse((await messenger.storage.local.get(SETUP_KEY))[SETUP_KEY]);
  return kept && kept.step !== "passphrase" ? kept : { step: "finished" };
}

export async function writeSetup(state: unknown): Promise<SetupState> {
  const s = parse(state) ?? { step: "finished" };
  await messenger.storage.local.set({ [SETUP_KEY]: s });
  return s;
}
