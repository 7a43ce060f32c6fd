// Binds the S/MIME engine to the message layer's opener/writer interfaces.
import { SealbirdError } from "../errors.js";
import { detectSmime, openSmime, smimeEncrypt, smimeSign, type EncryptRecipient, type SmimeContext, type SmimeIdentity } from "../smime/index.js";
import type { LayerOpener } from "./inspect.js";
import type { LayerWriter } from "./protect.js";

export function smimeOpener(ctx: SmimeContext): LayerOpener {
  return { protocol: "smime", detect: detectSmime, open: (entity, opts) => openSmime(entity, ctx, opts) };
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
  return {
    protocol: "smime",
    sign: (inner) => smimeSign(inner, needSigner()),
    async encrypt(inner, { signed }) {
      if (recipients.length === 0) throw new SealbirdError("recipient-no-key", "No recipient certificate to encrypt to.");
      const content = signed ? await smimeSign(inner, needSigner()) : inner;
      return smimeEncrypt(content, recipients);
    },
  };
}
