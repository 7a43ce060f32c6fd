/** How bad a signature state is, for combining several findings into one state. */
import type { SignatureState } from "./message-status.js";

/** Most severe first. */
export const SEVERITY: readonly SignatureState[] = ["invalid", "revoked", "unknown-signer", "untrusted", "mismatch", "expired", "weak", "valid"];

export function mostSevere(states: readonly SignatureState[]): SignatureState {
  for (const s of SEVERITY) if (states.includes(s)) return s;
  return "valid";
}
