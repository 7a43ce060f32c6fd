// Binds the OpenPGP engine to the message layer's opener/writer interfaces. openpgp.js is
// loaded when a layer is opened or written: only detection (../pgp/detect.ts) runs for every
// message, so S/MIME work never loads it.
import type { PrivateKey, PublicKey } from "openpgp";
import { SealbirdError } from "../errors.js";
import { detectPgp, isPartialPgp } from "../pgp/detect.js";
import type { KeyInput, PgpContext } from "../pgp/index.js";
import type { LayerOpener } from "./inspect.js";
import type { LayerWriter } from "./protect.js";

export function pgpOpener(ctx: PgpContext, passwords?: string[]): LayerOpener {
  return {
    protocol: "openpgp",
    detect: detectPgp,
    partial: isPartialPgp,
    open: async (entity, opts) => (await import("../pgp/open.js")).openPgp(entity, ctx, passwords ? { ...opts, passwords } : opts),
  };
}

/** `recipients` must include the sender's own key so the Sent copy stays readable. */
export function pgpWriter(signer: PrivateKey | undefined, recipients: Array<PublicKey | KeyInput>, passwords: string[] = []): LayerWriter {
  const needSigner = (): PrivateKey => {
    if (!signer) throw new SealbirdError("no-key", "No OpenPGP secret key for the sender.");
    return signer;
  };
  const write = () => import("../pgp/write.js");
  return {
    protocol: "openpgp",
    sign: (inner, before) => {
      const key = needSigner();
      return write().then((w) => w.pgpSign(inner, key, before));
    },
    encrypt: (inner, { signed, before }) => {
      const signWith = signed ? needSigner() : undefined;
      return write().then((w) => w.pgpEncrypt(inner, { recipients, passwords, ...(signWith ? { signWith } : {}) }, before));
    },
  };
}
