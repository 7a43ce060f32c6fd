/**
 * The openpgp.js configuration, in one place. openpgp.js keeps a mutable global `config`;
 * we never touch it and pass one of these frozen objects to every call instead, so another
 * module (or another add-on in the same realm) cannot weaken our settings.
 *
 * Reading is strict about integrity and lenient about algorithm age: an SHA-1 or RSA-1024
 * signature must come back as a `weak` status the user can see, not as an opaque failure,
 * so the hash/RSA-size rejection is relaxed for reading and judged in ./verify.ts instead.
 */
import { config as defaults, enums, type Config, type PartialConfig } from "openpgp";

const common = {
  // No unauthenticated plaintext ever: SED (tag 9) packets and streamed, not-yet-verified
  // plaintext are refused by openpgp.js itself (EFAIL malleability gadgets).
  allowUnauthenticatedMessages: false,
  allowUnauthenticatedStream: false,
  // The packet sequence must follow the OpenPGP message grammar (no smuggled literal packets).
  enforceGrammar: true,
  ignoreMalformedPackets: false,
  // Unknown packet types from newer implementations are skipped, as the RFC asks.
  ignoreUnsupportedPackets: true,
  // A decryption key must not be used to sign and vice versa.
  allowInsecureDecryptionWithSigningKeys: false,
  // Compression bombs: a message never legitimately decompresses to more than our MIME limit.
  maxDecompressedMessageSize: 128 * 1024 * 1024,
  showVersion: false,
  showComment: false,
} as const satisfies PartialConfig;

/**
 * Full Config objects (not partial): methods on openpgp.js Key/Message objects take a complete
 * config and do not merge with the defaults. Built from the library defaults at load time,
 * with every security-relevant setting stated explicitly here.
 */

/** For opening messages and reading keys. */
export const READ_CONFIG: Readonly<Config> = Object.freeze({
  ...defaults,
  ...common,
  // Judged by us (state `weak`), not rejected: see the module comment.
  minRSABits: 1024,
  rejectMessageHashAlgorithms: new Set([enums.hash.md5, enums.hash.ripemd]),
  rejectHashAlgorithms: new Set([enums.hash.md5, enums.hash.ripemd]),
});

/**
 * For writing. v4 keys and SEIPDv1 (AES-256 + MDC) so GnuPG 2.2 reads everything we write;
 * ./write.ts switches `aeadProtect` on per message only when every recipient key advertises
 * SEIPDv2. No compression: it buys little for mail and is a classic side channel.
 */
export const WRITE_CONFIG: Readonly<Config> = Object.freeze({
  ...defaults,
  ...common,
  aeadProtect: false,
  v6Keys: false,
  minRSABits: 2047,
  preferredSymmetricAlgorithm: enums.symmetric.aes256,
  preferredHashAlgorithm: enums.hash.sha256,
  preferredCompressionAlgorithm: enums.compression.uncompressed,
  // GnuPG 2.2 does not know Argon2 S2K (RFC 9580); iterated+salted SHA-256 it does.
  s2kType: enums.s2k.iterated,
  s2kIterationCountByte: 224,
});

/** Weak by our policy (state `weak`): hash algorithms no longer collision resistant. */
export const WEAK_HASHES: ReadonlySet<number> = new Set([enums.hash.sha1, enums.hash.md5, enums.hash.ripemd]);
export const MIN_STRONG_RSA_BITS = 2048;
