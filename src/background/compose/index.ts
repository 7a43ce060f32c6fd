/** Wiring for main.ts: `const compose = startCompose(keystore)` at the top level. */
import type { KeystoreService } from "../keystore-service.js";
import type { OnlineChecks } from "../online-checks.js";
import { ComposeService } from "./service.js";
import type { DecryptedOriginal } from "../display-service.js";
import type { DiscoveryService } from "../discovery/service.js";

export { isComposeRequest } from "./types.js";
export type { ComposeRequest, ComposeView } from "./types.js";

export function startCompose(
  keystore: KeystoreService,
  discovery?: DiscoveryService,
  online?: OnlineChecks,
  originals?: (messageId: number) => Promise<DecryptedOriginal | undefined>,
): ComposeService {
  const service = new ComposeService(keystore, discovery, online, originals);
  service.register();
  return service;
}
