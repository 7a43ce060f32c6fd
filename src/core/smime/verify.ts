/** Verify a CMS SignedData blob end to end: cryptography (signed-data.ts), then policy (policy.ts). */
import { asSealbirdError } from "../errors.js";
import type { SignatureStatus } from "../status/message-status.js";
import type { SmimeCapabilities } from "./capabilities.js";
import type { SmimeContext } from "./context.js";
import { judgeSignedData, type JudgeSmimeOptions } from "./policy.js";
import { verifySignedData } from "./signed-data.js";

/** A correspondent's certificate learnt from a valid signature, with what it can decrypt. */
export interface CollectedCertificate {
  certificate: Uint8Array;
  /** Intermediates the message carried (for building the path later). */
  chain: Uint8Array[];
  capabilities?: SmimeCapabilities;
}

export interface CmsVerifyResult {
  signature: SignatureStatus;
  /** Signed content (the detached content, or the encapsulated content of an opaque signature). */
  content: Uint8Array;
  contentType: string;
  collected: CollectedCertificate[];
}

export async function verifyCms(
  cms: Uint8Array,
  detached: Uint8Array | undefined,
  ctx: SmimeContext,
  opts: JudgeSmimeOptions = {},
): Promise<CmsVerifyResult> {
  try {
    const pool = [...ctx.knownCertificates, ...ctx.identities.map((i) => i.certificate)];
    const sd = await verifySignedData(cms, detached, pool);
    const { status, signer } = await judgeSignedData(sd, ctx, opts);
    const collected: CollectedCertificate[] = [];
    if (status.state === "valid" && signer.certificate) {
      const c: CollectedCertificate = { certificate: signer.certificate, chain: sd.certificates.filter((x) => x !== signer.certificate) };
      if (signer.capabilities) c.capabilities = signer.capabilities;
      collected.push(c);
    }
    return { signature: status, content: sd.content, contentType: sd.contentType, collected };
  } catch (e) {
    throw asSealbirdError(e, "signature-malformed", "The signature could not be read.");
  }
}
