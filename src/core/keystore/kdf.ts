/**
 * Passphrase → AES-256 key with Argon2id (hash-wasm, a maintained WASM build that runs the same
 * in Node and in Thunderbird). Parameters travel with the data (keystore header, backup), so
 * they can be raised for new keystores without breaking old ones.
 */
import { argon2id } from "hash-wasm";
import { SealbirdError } from "../errors.js";
import { randomBytes, utf8 } from "../bytes.js";
import { importAesKey, KEY_BYTES } from "./aead.js";
import type { KdfParams } from "./types.js";

export const SALT_BYTES = 16;

/**
 * Defaults, measured with test/keystore/measure-unlock.ts: ~0.4 s per derivation in Node 20 on
 * a 2-core AMD EPYC VM (m=64 MiB, t=3). hash-wasm computes lanes sequentially, so parallelism
 * >1 buys no speed for us; p=1 keeps the cost honest. 64 MiB also fits comfortably in a
 * Thunderbird background page.
 */
export const DEFAULT_KDF: Readonly<Omit<KdfParams, "salt">> = Object.freeze({
  algorithm: "argon2id",
  version: 19,
  memoryKiB: 64 * 1024,
  iterations: 3,
  parallelism: 1,
});

/**
 * Bounds for parameters read from a header or backup. The upper bounds stop a hostile backup
 * from making us allocate gigabytes or spin for minutes; the lower bounds are Argon2's own
 * minimums (tests use them for speed; production code uses DEFAULT_KDF).
 */
const LIMITS = { maxMemoryKiB: 2 * 1024 * 1024, maxIterations: 64, maxParallelism: 16 } as const;

/** Fills in defaults and a fresh salt, then validates (usage error for bad caller input). */
export function resolveKdfParams(partial: Partial<KdfParams> = {}): KdfParams {
  const params: KdfParams = { ...DEFAULT_KDF, salt: randomBytes(SALT_BYTES), ...partial };
  const problem = kdfProblem(params);
  if (problem) throw new SealbirdError("usage", `bad Argon2id parameters: ${problem}`);
  return params;
}

/** Why these parameters are unacceptable, or null when they are fine. */
export function kdfProblem(p: KdfParams): string | null {
  if (p.algorithm !== "argon2id") return "algorithm must be argon2id";
  if (p.version !== 19) return "only Argon2 version 0x13 is supported";
  if (!(p.salt instanceof Uint8Array) || p.salt.length !== SALT_BYTES) return `salt must be ${SALT_BYTES} bytes`;
  if (!isIntIn(p.parallelism, 1, LIMITS.maxParallelism)) return "parallelism out of range";
  if (!isIntIn(p.iterations, 1, LIMITS.maxIterations)) return "iterations out of range";
  if (!isIntIn(p.memoryKiB, 8 * p.parallelism, LIMITS.maxMemoryKiB)) return "memory out of range";
  return null;
}

function isIntIn(n: unknown, min: number, max: number): boolean {
  return typeof n === "number" && Number.isInteger(n) && n >= min && n <= max;
}

/**
 * Passphrases are NFC-normalised before hashing, so the same passphrase typed on systems that
 * compose accents differently (macOS vs Windows/Linux input methods) unlocks the same store.
 */
export function passphraseBytes(passphrase: string): Uint8Array {
  if (typeof passphrase !== "string" || passphrase.length === 0) {
    throw new SealbirdError("usage", "the passphrase must not be empty");
  }
  return utf8(passphrase.normalize("NFC"));
}

/** Derives the non-extractable AES-GCM key that wraps a data key (or seals a backup). */
export async function deriveKey(passphrase: string, params: KdfParams): Promise<CryptoKey> {
  const password = passphraseBytes(passphrase);
  try {
    const raw = await argon2id({
      password,
      salt: params.salt,
      iterations: params.iterations,
      parallelism: params.parallelism,
      memorySize: params.memoryKiB,
      hashLength: KEY_BYTES,
      outputType: "binary",
    });
    return await importAesKey(raw);
  } finally {
    password.fill(0);
  }
}
