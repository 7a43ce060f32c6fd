/**
 * Opening one OpenPGP message (RFC 4880/9580 packets, armored or binary): decrypt when it is
 * encrypted, then judge the signatures inside. Plaintext is only returned after the integrity
 * check (MDC or AEAD tag) passed over the whole message: the input is never streamed, and
 * openpgp.js buffers and verifies before parsing the decrypted packets
 * (`allowUnauthenticatedStream: false`).
 */
import {
  decryptSessionKeys,
  enums,
  readMessage,
  LiteralDataPacket,
  SignaturePacket,
  SymEncryptedIntegrityProtectedDataPacket,
  SymEncryptedSessionKeyPacket,
  SymmetricallyEncryptedDataPacket,
  AEADEncryptedDataPacket,
  type Message,
  type PrivateKey,
  type DecryptedSessionKey,
} from "openpgp";
import { SealbirdError, isSealbirdError } from "../errors.js";
import type { SignatureStatus } from "../status/message-status.js";
import { READ_CONFIG } from "./config.js";
import type { LoadedContext } from "./context.js";
import { judgeSignatures, type JudgeOptions } from "./verify.js";

export interface OpenedPgpMessage {
  /** Literal data (bytes as sent). */
  content: Uint8Array;
  /** Present when the message was encrypted (and opened). */
  decryption?: { algorithm: string; decryptedWith: string; recipients: string[] };
  /** Present when the message carried signatures. */
  signature?: SignatureStatus;
}

export interface MessageOpenOptions extends JudgeOptions {
  passwords?: string[];
}

/** Marker in `recipients` for a password (SKESK) recipient. */
export const PASSWORD_RECIPIENT = "password";

async function read(data: string | Uint8Array): Promise<Message<Uint8Array>> {
  try {
    if (typeof data === "string") return (await readMessage({ armoredMessage: data, config: READ_CONFIG })) as unknown as Message<Uint8Array>;
    return await readMessage({ binaryMessage: data, config: READ_CONFIG });
  } catch (e) {
    throw new SealbirdError("pgp-malformed", "The OpenPGP message could not be read.", {}, { cause: e });
  }
}

function cipherName(id: number | string | null): string {
  if (id === null) return "unknown";
  const name = typeof id === "string" ? id : (enums.read(enums.symmetric, id) as string);
  return name.toUpperCase().replace(/^AES(\d+)/, "AES-$1");
}

const AEAD_NAMES: Record<number, string> = { 1: "EAX", 2: "OCB", 3: "GCM" };
function aeadName(id: number | undefined): string {
  return AEAD_NAMES[id ?? 0] ?? "AEAD";
}

type Step = "key" | "content";

function failure(e: unknown, recipients: string[], step: Step): SealbirdError {
  if (isSealbirdError(e)) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const details = { recipients, step };
  if (/Modification detected|Authentication tag mismatch|tag mismatch/i.test(msg)) {
    return new SealbirdError("tampered", "The encrypted message was modified in transit; it is not shown.", details, { cause: e });
  }
  if (/non-preferred symmetric algorithm|Invalid enum value|Unsupported cipher/i.test(msg)) {
    // The session key decrypted, but its cipher (Camellia, IDEA, or Twofish/Blowfish that the
    // key never asked for) is one openpgp.js does not decrypt: the content is the problem.
    return new SealbirdError("unsupported-algorithm", "The message is encrypted with a cipher Sealbird cannot decrypt (for example Camellia, IDEA, Twofish or Blowfish).", { recipients, step: "content" }, { cause: e });
  }
  if (/not authenticated|integrity/i.test(msg)) {
    return new SealbirdError("no-integrity", "The message is encrypted without integrity protection; it is not shown.", details, { cause: e });
  }
  return new SealbirdError(
    "decrypt-failed",
    step === "key"
      ? "One of your keys is among the recipients, but the message's session key could not be decrypted with it (the key or the message is damaged, or it was encrypted to another key with the same id)."
      : "The session key was recovered, but the encrypted content could not be decrypted with it (the message is damaged).",
    details,
    { cause: e },
  );
}

/** What the encrypted data packet is, for the status ("AES-256-OCB (SEIPDv2)"). */
function packetLabel(packet: unknown, sessionAlgorithm: string | null): string {
  const p = packet as { version?: number; cipherAlgorithm?: number | null; aeadAlgorithm?: number | null };
  if (packet instanceof AEADEncryptedDataPacket) {
    // The AEAD Encrypted Data packet of the drafts and LibrePGP (GnuPG 2.3+ OCB), not RFC 9580.
    return `${cipherName(p.cipherAlgorithm ?? sessionAlgorithm)}-${aeadName(p.aeadAlgorithm ?? undefined)} (AEAD packet, tag 20)`;
  }
  if (p.version === 2) return `${cipherName(p.cipherAlgorithm ?? null)}-${aeadName(p.aeadAlgorithm ?? undefined)} (SEIPDv2)`;
  return `${cipherName(sessionAlgorithm)} (SEIPDv1)`;
}

export async function openPgpMessage(data: string | Uint8Array, loaded: LoadedContext, opts: MessageOpenOptions): Promise<OpenedPgpMessage> {
  const message = await read(data);
  const packets = message.packets;
  const encrypted = packets.filter(
    (p) => p instanceof SymEncryptedIntegrityProtectedDataPacket || p instanceof SymmetricallyEncryptedDataPacket || p instanceof AEADEncryptedDataPacket,
  );
  let plain: Message<Uint8Array> = message;
  let decryption: OpenedPgpMessage["decryption"];

  if (encrypted.length > 0) {
    const recipients = message.getEncryptionKeyIDs().map((k) => k.toHex().toLowerCase());
    if (packets.some((p) => p instanceof SymEncryptedSessionKeyPacket)) recipients.push(PASSWORD_RECIPIENT);
    // Refuse before touching any key: a SED packet has no MDC (EFAIL CFB gadgets).
    if (encrypted.some((p) => p instanceof SymmetricallyEncryptedDataPacket)) {
      throw new SealbirdError("no-integrity", "The message is encrypted without integrity protection (no MDC); it is not shown.", { recipients, step: "content" });
    }
    const wildcard = recipients.includes("0000000000000000");
    const candidates = loaded.secret.filter(
      (k) => wildcard || k.getKeyIDs().some((id) => recipients.includes(id.toHex().toLowerCase())),
    );
    const passwords = opts.passwords ?? [];
    if (candidates.length === 0 && !(passwords.length && recipients.includes(PASSWORD_RECIPIENT))) {
      throw new SealbirdError("no-key", "The message is encrypted to keys you do not have.", { recipients: recipients.slice(), step: "recipient" });
    }
    let sessionKeys: DecryptedSessionKey[] | undefined;
    let decryptedWith = "";
    let lastError: unknown;
    // openpgp.js decrypts a session-key packet in place, and a failed attempt leaves it
    // unusable: with hidden recipients (key id 0, gpg --throw-keyids / --hidden-recipient)
    // every key is a candidate, so each attempt after a failure gets freshly read packets.
    let attempt = message;
    const fresh = async (): Promise<Message<Uint8Array>> => (lastError === undefined ? attempt : (attempt = await read(data)));
    for (const key of candidates) {
      try {
        sessionKeys = await decryptSessionKeys({ message: await fresh(), decryptionKeys: key as PrivateKey, config: READ_CONFIG });
        decryptedWith = key.getFingerprint().toLowerCase();
        break;
      } catch (e) {
        lastError = e;
      }
    }
    if (!sessionKeys && passwords.length) {
      try {
        sessionKeys = await decryptSessionKeys({ message: await fresh(), passwords, config: READ_CONFIG });
        decryptedWith = PASSWORD_RECIPIENT;
      } catch (e) {
        lastError = e;
      }
    }
    if (!sessionKeys || sessionKeys.length === 0) {
      const named = loaded.secret.some((k) => k.getKeyIDs().some((id) => recipients.includes(id.toHex().toLowerCase())));
      if (wildcard && !named) {
        // Hidden recipients, and none of our keys opened it: as "not for you" as it gets.
        throw new SealbirdError("no-key", "The message hides its recipients (key id 0), and none of your keys opens it.", { recipients: recipients.slice(), step: "recipient" });
      }
      throw failure(lastError ?? new Error("no session key"), recipients, "key");
    }
    const sessionKey = sessionKeys[0]!;
    try {
      plain = (await message.decrypt(
        undefined,
        undefined,
        // SEIPDv2 session keys carry no algorithm; openpgp.js reads it from the packet.
        [{ data: sessionKey.data, algorithm: (sessionKey.algorithm ?? null) as never }],
        undefined,
        READ_CONFIG,
      )) as Message<Uint8Array>;
    } catch (e) {
      throw failure(e, recipients, "content");
    }
    decryption = { algorithm: packetLabel(encrypted[0], sessionKey.algorithm), decryptedWith, recipients };
  }

  const inner = plain.unwrapCompressed();
  const literals = inner.packets.filter((p) => p instanceof LiteralDataPacket) as unknown as LiteralDataPacket[];
  if (literals.length !== 1) throw new SealbirdError("pgp-malformed", "The OpenPGP message does not hold exactly one literal data packet.");
  const literal = literals[0]!;
  const content = (literal as unknown as { getBytes(): unknown }).getBytes();
  if (!(content instanceof Uint8Array)) throw new SealbirdError("internal", "Unexpected streamed OpenPGP data.");
  // Signature packets after an indeterminate-length compressed packet (GnuPG writes those) are
  // only reachable through openpgp.js' own packet stream handling in verify(); the keys passed
  // here are none — the judging is ours (./verify.ts).
  const sigs: SignaturePacket[] = [];
  for (const v of await inner.verify([], undefined, READ_CONFIG)) {
    for (const p of (await v.signature).packets) if (p instanceof SignaturePacket) sigs.push(p);
  }
  const out: OpenedPgpMessage = { content };
  if (decryption) out.decryption = decryption;
  if (sigs.length) out.signature = await judgeSignatures(sigs, literal, loaded.known, opts, false);
  return out;
}
