/**
 * What the options page asks about key discovery (`discovery:*`): the settings with the
 * permission state, changing them, and "Find key" for one address. The permission itself is
 * requested by the page (Thunderbird only asks the user from a click there).
 */
import { SealbirdError } from "../../core/errors.js";
import type { DiscoverySettings } from "../../core/discovery/index.js";
import type { DiscoveryService, DiscoveryState, LookupStatus } from "./service.js";

export type DiscoveryRequest =
  | { type: "discovery:state" }
  | { type: "discovery:set"; settings: Partial<DiscoverySettings> }
  /** "Find key": looks the address up now; the key found is stored (pending when the address has another key). */
  | { type: "discovery:lookup"; email: string }
  /** After "Revoke": the revocation to the keyserver / WKD where the key is published. */
  | { type: "discovery:publish-revocation"; id: string }
  /** The page got or gave up the host permission: earlier "not allowed" outcomes are forgotten. */
  | { type: "discovery:permission-changed" };

export type { DiscoveryState, LookupStatus };

export function isDiscoveryRequest(m: unknown): m is DiscoveryRequest {
  const t = (m as { type?: unknown } | null)?.type;
  return typeof t === "string" && t.startsWith("discovery:");
}

export async function handleDiscoveryRequest(req: DiscoveryRequest, discovery: DiscoveryService): Promise<unknown> {
  switch (req.type) {
    case "discovery:state":
      return discovery.state();
    case "discovery:set":
      if (!req.settings || typeof req.settings !== "object") throw new SealbirdError("usage", "Settings are needed.");
      return discovery.setSettings(req.settings);
    case "discovery:lookup":
      return discovery.lookupNow(String(req.email ?? ""));
    case "discovery:publish-revocation":
      return discovery.publishRevocation(String(req.id ?? ""));
    case "discovery:permission-changed":
      discovery.permissionChanged();
      return discovery.state();
    default:
      throw new SealbirdError("usage", `Unknown discovery request ${(req as { type: string }).type}.`);
  }
}
