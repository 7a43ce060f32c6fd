/**
 * sMIMECapabilities (RFC 8551 2.5.2): what a correspondent says it can decrypt. We keep only
 * what changes how we encrypt to them: AES-256-GCM (AuthEnvelopedData), AES-256-CBC and RSA-OAEP.
 */
import { CMS } from "./oids.js";
import { algId, expectSeq, parseBer, type Node } from "./asn1.js";
import * as d from "./der.js";

export interface SmimeCapabilities {
  aesGcm: boolean;
  aesCbc: boolean;
  oaep: boolean;
  /** Hash the correspondent asked for in its RSAES-OAEP capability ("SHA-1" when defaulted). */
  oaepHash?: "SHA-1" | "SHA-256" | "SHA-384" | "SHA-512";
}

const OAEP_HASH: Record<string, SmimeCapabilities["oaepHash"]> = {
  [CMS.sha1]: "SHA-1",
  [CMS.sha256]: "SHA-256",
  [CMS.sha384]: "SHA-384",
  [CMS.sha512]: "SHA-512",
};

/** Parses the attribute value (SMIMECapabilities ::= SEQUENCE OF SMIMECapability); lenient. */
export function parseCapabilities(value: Node): SmimeCapabilities {
  const caps: SmimeCapabilities = { aesGcm: false, aesCbc: false, oaep: false };
  for (const c of expectSeq(value)) {
    let a;
    try {
      a = algId(c);
    } catch {
      continue;
    }
    if (a.oid === CMS.aes256Gcm) caps.aesGcm = true;
    else if (a.oid === CMS.aes256Cbc) caps.aesCbc = true;
    else if (a.oid === CMS.rsaesOaep) {
      caps.oaep = true;
      caps.oaepHash = "SHA-1";
      try {
        const hashAlg = a.params ? expectSeq(a.params).find((p) => p.idBlock.tagClass === 3 && p.idBlock.tagNumber === 0) : undefined;
        if (hashAlg) {
          const inner = (hashAlg.valueBlock as unknown as { value: Node[] }).value[0];
          caps.oaepHash = OAEP_HASH[algId(inner).oid] ?? "SHA-1";
        }
      } catch {
        // Unreadable parameters: keep the default.
      }
    }
  }
  return caps;
}

export function parseCapabilitiesDer(der: Uint8Array): SmimeCapabilities {
  return parseCapabilities(parseBer(der));
}

/**
 * What we advertise: AES-256-GCM, AES-256-CBC, RSAES-OAEP. OAEP is listed with default
 * (SHA-1) parameters: that is the variant Outlook, NSS and openssl all produce and accept.
 */
export function ourCapabilities(): Uint8Array {
  return d.seq(d.seq(d.oid(CMS.aes256Gcm)), d.seq(d.oid(CMS.aes256Cbc)), d.seq(d.oid(CMS.rsaesOaep), d.seq()));
}
