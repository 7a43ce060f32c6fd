/**
 * One entry point for "decrypt this with the user's password", whatever scheme the bag or
 * SafeContents names, and the policy for telling a wrong password from a broken file.
 */
import type * as pkijs from "pkijs";
import { SealbirdError, isSealbirdError } from "../errors.js";
import { P12 } from "./oids.js";
import { isPbes1, pbes1Decrypt } from "./pbes1.js";
import { pbes2Decrypt } from "./pbes2.js";
import { pbes2Password } from "./password.js";
import type { Node } from "./asn1.js";

export interface PasswordContext {
  text: string;
  /** Appendix B KDF encodings to try, the one that verified the MAC first. */
  kdfCandidates: Uint8Array[];
  /** True when the MAC matched: the password is right, so undecodable plaintext means a broken file. */
  macVerified: boolean;
}

/**
 * Decrypts and hands the plaintext to `accept`, which parses it and throws if it is not what
 * was expected. Garbage that happens to carry valid padding is rejected there, so a wrong
 * password never comes back as a "successful" decryption.
 */
export async function decryptWithPassword<T>(
  algorithm: pkijs.AlgorithmIdentifier,
  ciphertext: Uint8Array,
  pw: PasswordContext,
  what: string,
  accept: (plain: Uint8Array) => T,
): Promise<T> {
  const oid = algorithm.algorithmId;
  const params = algorithm.algorithmParams as Node | undefined;
  let attempts: Array<() => Promise<Uint8Array>>;
  if (oid === P12.pbes2) attempts = [() => pbes2Decrypt(params, pbes2Password(pw.text), ciphertext)];
  else if (isPbes1(oid)) attempts = pw.kdfCandidates.map((p) => () => pbes1Decrypt(oid, params, p, ciphertext));
  else throw new SealbirdError("pkcs12-unsupported-algorithm", `Unsupported encryption algorithm ${oid} for ${what}.`, { oid });

  let parseFailure: unknown;
  for (const attempt of attempts) {
    let plain: Uint8Array;
    try {
      plain = await attempt();
    } catch (e) {
      if (isSealbirdError(e) && e.code === "decrypt-failed") continue;
      if (isSealbirdError(e)) throw e;
      throw new SealbirdError("pkcs12-corrupt", `${what} could not be decrypted.`, {}, { cause: e });
    }
    try {
      return accept(plain);
    } catch (e) {
      if (isSealbirdError(e) && e.code !== "pkcs12-corrupt" && e.code !== "asn1-malformed") throw e;
      parseFailure = e;
    }
  }
  if (pw.macVerified && parseFailure !== undefined) {
    throw new SealbirdError("pkcs12-corrupt", `${what} decrypted to something that is not valid.`, {}, { cause: parseFailure });
  }
  throw new SealbirdError("pkcs12-wrong-password", `Wrong password: ${what} could not be decrypted.`, { what });
}
