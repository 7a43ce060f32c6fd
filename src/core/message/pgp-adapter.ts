// Binds the OpenPGP engine to the message layer's opener/writer interfaces.
import type { PrivateKey, PublicKey } from "openpgp";
import { SealbirdError } from "../errors.js";
import { detectPgp, isPartialPgp, openPgp, pgpEncrypt, pgpSign, type KeyInput, type PgpContext } from "../pgp/index.js";
import type { LayerOpener } from "./inspect.js";
import type { LayerWriter } from "./protect.js";

export function pgpOpener(ctx: PgpContext, passwords?: string[]): LayerOpener {
  return {
    protocol: "openpgp",
    detect: detectPgp,
    partial: isPartialPgp,
    open: (entity, opts) => openPgp(entity, ctx, passwords ? { ...opts, passwords } : opts),
  };
}

/** `recipients` must include the sender's own key so the Sent copy stays readable. */
export function pgpWriter(signer: PrivateKey | undefined, recipients: Array<PublicKey | KeyInput>, passwords: string[] = []): LayerWriter {
  const needSigner = (): PrivateKey => {
    if (!signer) throw new SealbirdError("no-key", "No OpenPGP secret key for the sender.");
    return signer;
  };
  return {
    protocol: "openpgp",
    sign: (inner) => pgpSign(inner, needSigner()),
    encrypt: (inner, { signed }) => pgpEncrypt(inner, { recipients, passwords, ...(signed ? { signWith: needSigner() } : {}) }),
  };
}
