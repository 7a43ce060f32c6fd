/**
 * The byte-exact MIME entity model. A parsed entity keeps the exact bytes it was made of
 * (after the whole message was canonicalised to CRLF), because a multipart/signed signature
 * covers the first part's bytes as transmitted: re-serialising would break verification.
 */

export interface HeaderField {
  /** Field name as written (case kept). Compare with `name.toLowerCase()`. */
  name: string;
  /** Unfolded raw value (CRLF+WSP folding removed), bytes as a binary string, not RFC 2047-decoded. */
  value: string;
}

export interface ContentType {
  /** Lowercased, e.g. "multipart". Defaults to text/plain; charset=us-ascii per RFC 2045. */
  type: string;
  subtype: string;
  /** Parameter names lowercased; values unquoted and RFC 2231-decoded (continuations and charsets). */
  params: Record<string, string>;
}

export interface MimeEntity {
  /** "" for the top-level entity; "1", "1.2" … for children (1-based, like IMAP part numbers). */
  path: string;
  /** Exact bytes of this entity: header section, the blank line, and body. CRLF line ends. */
  raw: Uint8Array;
  /** Exact bytes of the header section including the terminating empty line. */
  headerBytes: Uint8Array;
  /** Exact body bytes, still in their Content-Transfer-Encoding. */
  body: Uint8Array;
  headers: HeaderField[];
  contentType: ContentType;
  /** Lowercased Content-Transfer-Encoding, "7bit" when absent. */
  transferEncoding: string;
  /** Multipart children, or for message/rfc822 the one encapsulated message. */
  children: MimeEntity[];
}

export interface MimeLimits {
  /** Largest message accepted, in bytes. */
  maxBytes: number;
  /** Deepest nesting of multiparts / message/rfc822. */
  maxDepth: number;
  /** Most entities in one message. */
  maxParts: number;
  /** Longest header section of one entity, in bytes. */
  maxHeaderBytes: number;
}

export const DEFAULT_MIME_LIMITS: MimeLimits = {
  maxBytes: 100 * 1024 * 1024,
  maxDepth: 32,
  maxParts: 2000,
  maxHeaderBytes: 256 * 1024,
};
