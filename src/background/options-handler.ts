/**
 * Requests from the options page and the unlock prompt (keystore life cycle, keys,
 * correspondents, trust anchors, policy). Filled in by the options issue.
 */
import type { KeystoreService } from "./keystore-service.js";

export interface OptionsRequest {
  type: `options:${string}`;
  [k: string]: unknown;
}

export function isOptionsRequest(m: unknown): m is OptionsRequest {
  const t = (m as { type?: unknown } | null)?.type;
  return typeof t === "string" && t.startsWith("options:");
}

export async function handleOptionsRequest(req: OptionsRequest, _keystore: KeystoreService): Promise<unknown> {
  throw new Error(`unknown options request ${req.type}`);
}
