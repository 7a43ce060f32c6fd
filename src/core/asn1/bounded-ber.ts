/**
 * asn1js parsing with limits, shared by the CMS and PKCS#12 readers. Hostile input must end in
 * a typed error, never a deep stack, a huge allocation or asn1js's own exception.
 */
import * as asn1js from "asn1js";
import { SealbirdError, type ErrorCode } from "../errors.js";

export interface BerLimits {
  maxBytes: number;
  maxDepth: number;
  maxNodes: number;
}

export function parseBounded(bytes: Uint8Array, limits: BerLimits, what: string, code: ErrorCode): asn1js.AsnType {
  if (bytes.length > limits.maxBytes) {
    throw new SealbirdError("input-too-large", `${what} is larger than ${Math.round(limits.maxBytes / (1024 * 1024))} MB.`, { limit: limits.maxBytes });
  }
  let res: ReturnType<typeof asn1js.fromBER>;
  try {
    res = asn1js.fromBER(bytes, {
      maxDepth: limits.maxDepth,
      maxNodes: limits.maxNodes,
      maxContentLength: limits.maxBytes,
      // Never speculatively parse OCTET STRINGs (ciphertext, 25 MB content) as ASN.1.
      parseEmbedded: false,
    });
  } catch (e) {
    throw new SealbirdError(code, `${what} could not be parsed.`, {}, { cause: e });
  }
  if (res.offset === -1 || res.result.error) {
    throw new SealbirdError(code, `${what} could not be parsed: ${res.result.error || "invalid BER"}`);
  }
  return res.result;
}
