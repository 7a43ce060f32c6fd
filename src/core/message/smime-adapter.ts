// Binds the S/MIME engine to the message layer's opener/writer interfaces. The engine itself
// (pkijs, node-forge, certificate paths) is loaded when a layer is opened or written: only
// detection (../smime/detect.ts) runs for every message, so OpenPGP work never loads it.
import { SealbirdError } from "../errors.js";
import { detectSmime } from "../smime/detect.js";
import type { EncryptRecipient, SmimeContext, SmimeIdentity } from "../smime/index.js";
import type { LayerOpener } from "./inspect.js";
import { joinedBytes, type EntityBytes, type LayerWriter } from "./protect.js";

export function smimeOpener(ctx: SmimeContext): LayerOpener {
  return { protocol: "smime", detect: detectSmime, open: async (entity, opts) => (await import("../smime/open.js")).openSmime(entity, ctx, opts) };
}

/**
 * `recipients` must already include the sender's own certificate, so the Sent copy stays
 * readable; the caller (CLI, composer) is where "who gets it" is decided.
 */
export function smimeWriter(signer: SmimeIdentity | undefined, recipients: readonly EncryptRecipient[]): LayerWriter {
  const needSigner = (): SmimeIdentity => {
    if (!signer) throw new SealbirdError("no-key", "No S/MIME certificate with a private key for the sender.");
    return signer;
  };
  // The signer lays the pieces out in the multipart/signed buffer and digests them there.
  const sign = async (inner: EntityBytes, who: SmimeIdentity, before?: Uint8Array): Promise<Uint8Array> => (await import("../smime/sign.js")).smimeSign(inner, who, before);
  return {
    protocol: "smime",
    sign: (inner, before) => sign(inner, needSigner(), before),
    async encrypt(inner, { signed, before }) {
      if (recipients.length === 0) throw new SealbirdError("recipient-no-key", "No recipient certificate to encrypt to.");
      // AES-CBC over WebCrypto needs the content in one buffer.
      const content = signed ? await sign(inner, needSigner()) : joinedBytes(inner);
      return (await import("../smime/encrypt.js")).smimeEncrypt(content, recipients, before);
    },
  };
}
