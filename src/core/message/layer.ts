/**
 * The contract between the message layer (inspect / protect, in src/core/message) and the
 * protocol engines (src/core/smime, src/core/pgp). A protocol engine opens or writes ONE
 * cryptographic layer; the message layer walks the MIME tree, decides which layers are
 * credited to the message (status rules in ../status/message-status.ts) and handles the
 * RFC 5322 headers (protected headers, RFC 9788).
 */
import type { EncryptionStatus, NestedStatus, Protocol, SignatureStatus, StatusReason } from "../status/message-status.js";
import type { AuthorClaim } from "../status/sender-binding.js";
import type { MimeEntity } from "../mime/entity.js";

export type LayerKind = "signed" | "encrypted";

/** What a protocol engine found when opening one layer. */
export interface LayerResult {
  protocol: Protocol;
  kind: LayerKind;
  /**
   * Raw bytes of the MIME entity inside this layer (CRLF), ready for parseMime: the signed
   * content of a multipart/signed or opaque signature, the plaintext of an encrypted layer.
   * Absent when the layer could not be opened (no key, tampered...).
   */
  inner?: Uint8Array;
  /** Set for signed layers, and for encrypted layers that also carried a signature (OpenPGP). */
  signature?: SignatureStatus;
  /** Set for encrypted layers. */
  encryption?: EncryptionStatus;
  /** Inline PGP blocks that were deliberately NOT decrypted (only part of a body). */
  nested?: NestedStatus[];
  /** Transport damage the engine undid to open this layer (status `repairs`). */
  repairs?: StatusReason[];
}

export interface OpenOptions extends AuthorClaim {
  /** The time to judge validity at (defaults to now). */
  now?: Date;
}

/** Recognises a protocol's entity without opening it; null when it is not one. */
export type LayerDetector = (entity: MimeEntity) => LayerKind | null;
