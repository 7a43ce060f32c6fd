/**
 * Writing OpenPGP layers as RFC 3156 PGP/MIME entities (and inline password messages).
 * Every entity is CRLF, 7-bit clean (armored), with a boundary that cannot occur in the
 * content. The caller (the message layer) supplies `inner` as a complete MIME entity that is
 * already 7-bit safe and free of trailing whitespace (RFC 3156 5.); it is signed exactly as
 * written here, after bare-LF → CRLF canonicalisation.
 */
import { createMessage, encrypt, readSignature, sign, enums, type PrivateKey, type PublicKey, type Key } from "openpgp";
import { ascii, concatBytes, randomBytes, toHex, utf8 } from "../bytes.js";
import { encodeBase64Lines } from "../base64.js";
import { armorChecksumLine } from "./armor-checksum.js";
import { SealbirdError, asSealbirdError } from "../errors.js";
import { READ_CONFIG, WRITE_CONFIG } from "./config.js";
import { parseKeys, unlockKey, type KeyInput } from "./context.js";
import { asciiView, toCrlf } from "./transfer.js";
import { micalgName } from "./verify.js";

function boundaryNotIn(content: Uint8Array): string {
  const s = asciiView(content);
  for (;;) {
    const b = `----sealbird-pgp-${toHex(randomBytes(12))}`;
    if (!s.includes(b)) return b;
  }
}

function armoredCrlf(armored: string): Uint8Array {
  return utf8(armored.replace(/\r?\n/g, "\r\n"));
}

/**
 * multipart/signed; protocol="application/pgp-signature" with a detached armored signature
 * over the exact (CRLF) bytes of `inner`, which becomes the first part verbatim.
 */
export async function pgpSign(inner: Uint8Array | readonly Uint8Array[], key: PrivateKey, before?: Uint8Array): Promise<Uint8Array> {
  // The detached signature is made over one buffer.
  const content = toCrlf(inner instanceof Uint8Array ? inner : concatBytes(inner));
  const signingKey = await unlockKey(key);
  let armored: string;
  try {
    armored = await sign({
      message: await createMessage({ binary: content }),
      signingKeys: signingKey,
      detached: true,
      format: "armored",
      config: WRITE_CONFIG,
    });
  } catch (e) {
    throw asSealbirdError(e, "internal", "The message could not be signed.");
  }
  const sig = await readSignature({ armoredSignature: armored, config: READ_CONFIG });
  const hash = sig.packets[0]?.hashAlgorithm ?? enums.hash.sha256;
  const boundary = boundaryNotIn(content);
  const head =
    `Content-Type: multipart/signed; micalg=${micalgName(hash)};\r\n protocol="application/pgp-signature";\r\n boundary="${boundary}"\r\n` +
    "\r\n" +
    "This is an OpenPGP/MIME signed message (RFC 4880 and 3156)\r\n" +
    `--${boundary}\r\n`;
  const tail =
    `\r\n--${boundary}\r\n` +
    'Content-Type: application/pgp-signature; name="OpenPGP_signature.asc"\r\n' +
    "Content-Description: OpenPGP digital signature\r\n" +
    'Content-Disposition: attachment; filename="OpenPGP_signature.asc"\r\n' +
    "\r\n";
  return concatBytes([...(before ? [before] : []), utf8(head), content, utf8(tail), armoredCrlf(armored), utf8(`\r\n--${boundary}--\r\n`)]);
}

export interface PgpEncryptOptions {
  /**
   * Every recipient's public key. MUST include the sender's own key, or the sender cannot read
   * their sent mail: when `signWith` is given this is checked (its fingerprint must be present).
   */
  recipients: Array<PublicKey | KeyInput>;
  /** Sign inside the encrypted message (one OpenPGP message, RFC 3156 6.2). */
  signWith?: PrivateKey;
  /** Additional password recipients (SKESK). */
  passwords?: string[];
}

async function toPublicKeys(list: Array<PublicKey | KeyInput>): Promise<PublicKey[]> {
  const out: PublicKey[] = [];
  for (const k of list) {
    if (typeof k === "string" || k instanceof Uint8Array) {
      for (const p of await parseKeys(k)) out.push(p.toPublic());
    } else out.push(k.toPublic());
  }
  return out;
}

/** True when the key's primary user advertises SEIPDv2 (features bit 0x08, RFC 9580). */
async function supportsSeipdV2(key: Key): Promise<boolean> {
  try {
    if (key.keyPacket.version === 6) {
      const direct = (key as unknown as { directSignatures?: Array<{ features: Uint8Array | null }> }).directSignatures ?? [];
      return direct.some((s) => !!s.features && (s.features[0]! & 0x08) !== 0);
    }
    const { selfCertification } = await key.getPrimaryUser(undefined, undefined, READ_CONFIG);
    const f = selfCertification.features;
    return !!f && (f[0]! & 0x08) !== 0;
  } catch {
    return false;
  }
}

/**
 * Encrypts (optionally signs) `content` for the recipients; returns the OpenPGP message as
 * binary chunks. The content goes in as a stream of views: openpgp.js then works packet by
 * packet (partial body lengths, RFC 9580 4.2.1.4) where a whole-message call copies the
 * message at every step (literal data, signature, encryption, serialisation, armor): for
 * 25 MB that is about 200 MB of peak memory less.
 */
export async function encryptPackets(content: Uint8Array | readonly Uint8Array[], opts: PgpEncryptOptions): Promise<Uint8Array[]> {
  const recipients = await toPublicKeys(opts.recipients);
  const passwords = opts.passwords ?? [];
  if (recipients.length === 0 && passwords.length === 0) throw new SealbirdError("recipient-no-key", "No recipient keys given.");
  const signer = opts.signWith ? await unlockKey(opts.signWith) : undefined;
  if (signer) {
    const fpr = signer.getFingerprint();
    if (!recipients.some((r) => r.getFingerprint() === fpr)) {
      throw new SealbirdError("usage", "The sender's own key must be among the recipients (to read sent mail).");
    }
  }
  // SEIPDv2 only when every recipient says it can read it; passwords give no such promise.
  let aead = recipients.length > 0 && passwords.length === 0;
  for (const r of recipients) if (aead && !(await supportsSeipdV2(r))) aead = false;
  const config = { ...WRITE_CONFIG, aeadProtect: aead };
  try {
    for (const r of recipients) await r.getEncryptionKey(undefined, new Date(), undefined, config);
  } catch (e) {
    throw new SealbirdError("recipient-no-key", "A recipient key cannot encrypt (expired, revoked or no encryption subkey).", {}, { cause: e });
  }
  try {
    const encrypted = await encrypt({
      message: await createMessage({ binary: viewStream(content) }),
      encryptionKeys: recipients,
      ...(signer ? { signingKeys: signer } : {}),
      ...(passwords.length ? { passwords } : {}),
      format: "binary",
      config,
    });
    return await drain(encrypted);
  } catch (e) {
    throw asSealbirdError(e, "internal", "The message could not be encrypted.");
  }
}

/** How much of the content openpgp.js is handed at a time. */
const STREAM_CHUNK = 256 * 1024;

function viewStream(content: Uint8Array | readonly Uint8Array[]): ReadableStream<Uint8Array> {
  const pieces = content instanceof Uint8Array ? [content] : content;
  let index = 0;
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      while (index < pieces.length && at >= pieces[index]!.length) {
        index++;
        at = 0;
      }
      if (index >= pieces.length) return controller.close();
      const piece = pieces[index]!;
      controller.enqueue(piece.subarray(at, Math.min(piece.length, at + STREAM_CHUNK)));
      at += STREAM_CHUNK;
    },
  });
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
}

const ARMOR_BEGIN = "-----BEGIN PGP MESSAGE-----\r\n\r\n";
const ARMOR_END = "-----END PGP MESSAGE-----\r\n";

/**
 * ASCII armor (RFC 9580 6.2: no armor headers, 64-character lines as gpg writes, the checksum
 * only where GnuPG needs it) in CRLF, between `head` and `tail`, in one buffer: the armored
 * text is never a string.
 */
function armoredEntity(packets: readonly Uint8Array[], head: string, tail: string, before?: Uint8Array): Uint8Array {
  const start = utf8(head + ARMOR_BEGIN);
  return encodeBase64Lines(packets, 64, before ? concatBytes([before, start]) : start, utf8(armorChecksumLine(packets) + ARMOR_END + tail));
}

/** Encrypts (optionally signs) `content` for the recipients; returns the OpenPGP message (armored, CRLF). */
export async function encryptArmored(content: Uint8Array, opts: PgpEncryptOptions): Promise<string> {
  return ascii(armoredEntity(await encryptPackets(content, opts), "", ""));
}

/** multipart/encrypted; protocol="application/pgp-encrypted" (RFC 3156 4.) around `inner`, after `before` when given. */
export async function pgpEncrypt(inner: Uint8Array | readonly Uint8Array[], opts: PgpEncryptOptions, before?: Uint8Array): Promise<Uint8Array> {
  // Pieces are split at line ends (EntityBytes), so each is canonicalised on its own.
  const pieces = (inner instanceof Uint8Array ? [inner] : inner).map((p) => toCrlf(p));
  return pgpMimeEncryptedEntity(await encryptPackets(pieces, opts), before);
}

function pgpMimeEncryptedEntity(packets: readonly Uint8Array[], before?: Uint8Array): Uint8Array {
  // The armor alphabet has no "-" runs like ours: a random boundary cannot collide.
  const boundary = `----sealbird-pgp-${toHex(randomBytes(12))}`;
  const head =
    `Content-Type: multipart/encrypted;\r\n protocol="application/pgp-encrypted";\r\n boundary="${boundary}"\r\n` +
    "\r\n" +
    "This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n" +
    `--${boundary}\r\n` +
    "Content-Type: application/pgp-encrypted\r\n" +
    "Content-Description: PGP/MIME version identification\r\n" +
    "\r\n" +
    "Version: 1\r\n" +
    "\r\n" +
    `--${boundary}\r\n` +
    'Content-Type: application/octet-stream; name="encrypted.asc"\r\n' +
    "Content-Description: OpenPGP encrypted message\r\n" +
    'Content-Disposition: inline; filename="encrypted.asc"\r\n' +
    "\r\n";
  return armoredEntity(packets, head, `\r\n--${boundary}--\r\n`, before);
}

export interface PasswordMessageOptions {
  /**
   * "inline" (default): `content` is plain text (UTF-8); the result is a text/plain entity whose
   * body is the armored message — any OpenPGP tool, or a web decryptor, opens it.
   * "pgp-mime": `content` is a MIME entity; the result is multipart/encrypted.
   */
  format?: "inline" | "pgp-mime";
}

/**
 * A message for recipients without any key: encrypted to a passphrase only (SKESK v4,
 * iterated+salted S2K, AES-256, SEIPDv1), which `gpg --decrypt --batch --passphrase X` opens.
 */
export async function pgpEncryptWithPassword(content: Uint8Array, passphrase: string, opts: PasswordMessageOptions = {}): Promise<Uint8Array> {
  if (!passphrase) throw new SealbirdError("usage", "A passphrase is required.");
  const format = opts.format ?? "inline";
  const packets = await encryptPackets(toCrlf(content), { recipients: [], passwords: [passphrase] });
  if (format === "pgp-mime") return pgpMimeEncryptedEntity(packets);
  return armoredEntity(packets, "Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n", "");
}
