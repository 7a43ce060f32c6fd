/** Key discovery: WKD, keyservers (VKS/HKP), and when to refresh known keys. Network access is the caller's HttpGet. */
export { zbase32 } from "./zbase32.js";
export { httpsGet, requireHttps, LOOKUP_MAX_BYTES, LOOKUP_TIMEOUT_MS, type HttpGet, type HttpRequest, type HttpResponse } from "./http.js";
export { keysForAddress, keyWithFingerprint, type FoundKey, type DiscoverySource } from "./accept.js";
export { bestFailure, type Attempt } from "./attempts.js";
export { lookupWkd, wkdHash, wkdUrls, splitAddress, type LookupLimits } from "./wkd.js";
export { lookupKeyserver, refreshFromKeyserver, normalizeKeyserver, DEFAULT_KEYSERVER } from "./keyserver.js";
export { discoverKeys, refreshKnownKey, sourcesOf, type LookupSources, type RefreshResult } from "./lookup.js";
export { readDiscoverySettings, writeDiscoverySettings, normalizeDiscoverySettings, DEFAULT_DISCOVERY_SETTINGS, type DiscoverySettings } from "./settings.js";
export { dueForRefresh, REFRESH_AFTER_MS, type RefreshCandidate } from "./refresh.js";
export { publishRevocation, type PublishOutcome, type PublishState, type RevokedKey } from "./publish.js";
