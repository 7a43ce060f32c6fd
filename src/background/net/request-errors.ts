/**
 * Why one of our requests failed, as the network layer says it: fetch() only rejects with a
 * TypeError, but webRequest.onErrorOccurred names the error (NS_ERROR_CONNECTION_REFUSED,
 * SEC_ERROR_UNKNOWN_ISSUER, …), so a failed TLS handshake can be told from a server that is
 * down. Listening needs the "webRequest" permission; without it every failure stays net-offline.
 */
import type { NetErrorCode } from "../../core/net/http.js";

const KEEP_MS = 60_000;
/** The event can arrive a moment after fetch() rejected. */
const WAIT_MS = 400;

export class RequestErrors {
  private readonly recent = new Map<string, { error: string; at: number }>();

  listen(): void {
    const events = (messenger as { webRequest?: typeof messenger.webRequest }).webRequest?.onErrorOccurred;
    if (!events) return;
    const own = typeof location !== "undefined" ? location.origin : "";
    events.addListener(
      (d) => {
        // Only requests this add-on made (its background page), never a page's or a message's.
        if (own && d.originUrl && !d.originUrl.startsWith(own)) return;
        this.recent.set(d.url, { error: d.error, at: Date.now() });
        for (const [url, e] of this.recent) if (Date.now() - e.at > KEEP_MS) this.recent.delete(url);
      },
      { urls: ["http://*/*", "https://*/*"] },
    );
  }

  /** The typed reason for a request to `url` that failed after `since` (ms), if the network layer said one. */
  async reasonFor(url: string, since: number): Promise<NetErrorCode | undefined> {
    for (let waited = 0; ; waited += 50) {
      const e = this.recent.get(url);
      if (e && e.at >= since) return classify(e.error, url);
      if (waited >= WAIT_MS) return undefined;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * Connection failures come as NS_ERROR_* codes; a certificate or handshake failure of an https
 * request comes as NSS's (translated) sentence, e.g. "Peer's Certificate issuer is not recognized."
 */
export function classify(error: string, url: string): NetErrorCode {
  if (/^NS_ERROR_NET_(INADEQUATE_SECURITY|INTERRUPT_TLS)|^(SEC_ERROR|SSL_ERROR|MOZILLA_PKIX_ERROR)/.test(error)) return "net-tls";
  if (/^NS_ERROR_NET_TIMEOUT/.test(error)) return "net-timeout";
  if (/^NS_ERROR_/.test(error)) return "net-offline";
  return url.startsWith("https:") ? "net-tls" : "net-offline";
}
