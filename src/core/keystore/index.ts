/** The keystore: passphrase-locked storage for private keys and the public material around them. */
export { Keystore, type ImportResult, type KdfOptions } from "./keystore.js";
export { IndexedDbBackend, type IndexedDbBackendOptions } from "./indexeddb-backend.js";
export { MemoryBackend } from "./memory-backend.js";
export { DEFAULT_KDF } from "./kdf.js";
export {
  KNOWN_RECORD_KINDS,
  type KnownRecordKind,
  type KdfParams,
  type KeystoreBackend,
  type KeystoreRecord,
  type NewRecord,
  type RecordInfo,
  type RecordPatch,
} from "./types.js";
