// The network layer's words for a failed request (webRequest.onErrorOccurred) as typed codes:
// codes for connection failures, NSS's sentence for a certificate the TLS handshake refused.
import { describe, expect, it } from "vitest";
import { classify } from "../../src/background/net/request-errors.js";

describe("classify webRequest errors", () => {
  it("tells a TLS failure from a server that is down or slow", () => {
    expect(classify("Peer\u2019s Certificate issuer is not recognized.", "https://127.0.0.1:4443/ocsp")).toBe("net-tls");
    expect(classify("SSL_ERROR_BAD_CERT_DOMAIN", "https://x.example/")).toBe("net-tls");
    expect(classify("NS_ERROR_NET_INADEQUATE_SECURITY", "https://x.example/")).toBe("net-tls");
    expect(classify("NS_ERROR_CONNECTION_REFUSED", "https://x.example/")).toBe("net-offline");
    expect(classify("NS_ERROR_UNKNOWN_HOST", "http://x.example/")).toBe("net-offline");
    expect(classify("NS_ERROR_NET_TIMEOUT", "http://x.example/")).toBe("net-timeout");
    expect(classify("Something else entirely", "http://x.example/")).toBe("net-offline");
  });
});
