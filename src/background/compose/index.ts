/** Wiring for main.ts: `const compose = startCompose(keystore)` at the top level. */
import type { KeystoreService } from "../keystore-service.js";
import type { OnlineChecks } from "../online-checks.js";
import { ComposeService } from "./service.js";

export { isComposeRequest } from "./types.js";
export type { ComposeRequest, ComposeView } from "./types.js";

export function startCompose(keystore: KeystoreService, online?: OnlineChecks): ComposeService {
  const service = new ComposeService(keystore, online);
  service.register();
  return service;
}
