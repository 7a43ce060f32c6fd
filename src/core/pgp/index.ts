/** OpenPGP engine: openpgp.js with our configuration; PGP/MIME (RFC 3156), inline PGP, keys, Autocrypt. */
export { READ_CONFIG, WRITE_CONFIG } from "./config.js";
export { loadContext, parseKeys, parsePrivateKeys, type PgpContext, type PgpSecretKey, type KeyInput, type LoadedContext } from "./context.js";
export { detectPgp, isPartialPgp } from "./detect.js";
export { openPgp, decryptArmoredOnRequest, verifyDetachedPgp, type PgpOpenOptions, type PgpLayerResult, type OnRequestResult } from "./open.js";
export { openPgpMessage, PASSWORD_RECIPIENT, type OpenedPgpMessage } from "./message.js";
export { pgpSign, pgpEncrypt, pgpEncryptWithPassword, encryptArmored, type PgpEncryptOptions, type PasswordMessageOptions } from "./write.js";
export {
  generatePgpKey,
  importPgpKeys,
  exportPublicKey,
  exportSecretKey,
  revokePgpKey,
  applyRevocationCertificate,
  setPgpKeyExpiry,
  keyInfo,
  type KeyType,
  type GenerateOptions,
  type GeneratedKey,
  type ImportedKey,
  type PgpKeyInfo,
  type RevocationReason,
} from "./keys.js";
export { formatAutocryptHeader, formatGossipHeaders } from "./autocrypt.js";
export { collectPgpKeys, collectGossip, parseAutocryptHeader, type CollectedKey, type CollectedKeys, type CollectOptions } from "./collect.js";
export { keyUsability, armoredKeyUsability, type KeyUsability } from "./usability.js";
