/**
 * Judging OpenPGP document signatures into the status model. openpgp.js gives a yes/no with
 * an English error; the UI needs the precise state, so the checks are done one by one here:
 *
 *   1. a known key holds the issuing (sub)key          else `unknown-signer`
 *   2. the signature verifies cryptographically         else `invalid`
 *   3. the key was not revoked at signing time, and is not hard-revoked (no reason /
 *      compromised) now                                 else `revoked`
 *   4. key and signature were not expired               else `expired`
 *   5. SHA-1 (or older) or RSA/DSA < 2048 bits          → `weak`
 *   6. a self-certified user id carries the From address else `mismatch`
 */
import { enums, type LiteralDataPacket, type PublicKey, type SignaturePacket, type Subkey } from "openpgp";
import { toHex } from "../bytes.js";
import type { SignatureState, SignatureStatus, StatusReason } from "../status/message-status.js";
import { MIN_STRONG_RSA_BITS, READ_CONFIG, WEAK_HASHES } from "./config.js";
import { bindSigner, type AuthorClaim } from "../status/sender-binding.js";
import { boundEmails } from "./keys.js";

export interface JudgeOptions extends AuthorClaim {
  now?: Date;
}

const RANK: Record<SignatureState, number> = {
  valid: 0,
  weak: 1,
  mismatch: 2,
  untrusted: 3,
  expired: 4,
  revoked: 5,
  "unknown-signer": 6,
  invalid: 7,
  none: 8,
};

export function hashName(id: number | null): string {
  if (id === null) return "unknown";
  const n = enums.read(enums.hash, id) as string;
  return n.toUpperCase().replace(/^SHA(\d)/, "SHA-$1").replace("SHA3_", "SHA3-");
}

/** "pgp-sha256" for RFC 3156 micalg. */
export function micalgName(id: number): string {
  return `pgp-${(enums.read(enums.hash, id) as string).toLowerCase()}`;
}

function algorithmName(key: PublicKey | Subkey): string {
  const info = key.getAlgorithmInfo();
  switch (info.algorithm) {
    case "rsaEncryptSign":
    case "rsaSign":
      return `RSA-${info.bits ?? "?"}`;
    case "eddsaLegacy":
    case "ed25519":
      return "Ed25519";
    case "ed448":
      return "Ed448";
    case "ecdsa":
      return `ECDSA ${info.curve ?? ""}`.trim();
    case "dsa":
      return `DSA-${info.bits ?? "?"}`;
    default:
      return info.algorithm;
  }
}

function reason(code: string, message: string): StatusReason {
  return { code, message };
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Judges each signature and returns the best status (one valid signature is enough). */
export async function judgeSignatures(
  sigs: SignaturePacket[],
  literal: LiteralDataPacket,
  known: PublicKey[],
  opts: JudgeOptions,
  detached: boolean,
): Promise<SignatureStatus> {
  const docSigs = sigs.filter((s) => s.signatureType === enums.signature.binary || s.signatureType === enums.signature.text);
  if (docSigs.length === 0) {
    return { state: "invalid", protocol: "openpgp", reasons: [reason("signature-malformed", "The message carries no document signature.")] };
  }
  let best: SignatureStatus | undefined;
  for (const sig of docSigs) {
    const s = await judgeOne(sig, literal, known, opts, detached);
    if (!best || RANK[s.state] < RANK[best.state]) best = s;
  }
  return best!;
}

async function judgeOne(
  sig: SignaturePacket,
  literal: LiteralDataPacket,
  known: PublicKey[],
  opts: JudgeOptions,
  detached: boolean,
): Promise<SignatureStatus> {
  const now = opts.now ?? new Date();
  const keyIdHex = sig.issuerKeyID.toHex().toLowerCase();
  const issuerFpr = sig.issuerFingerprint ? toHex(sig.issuerFingerprint) : undefined;
  const status: SignatureStatus = {
    state: "invalid",
    protocol: "openpgp",
    digestAlgorithm: hashName(sig.hashAlgorithm),
    reasons: [],
  };
  if (opts.from) status.from = opts.from;
  if (sig.created) status.signingTime = sig.created.toISOString();

  let primary: PublicKey | undefined;
  let component: PublicKey | Subkey | undefined;
  for (const k of known) {
    const comps = k.getKeys(sig.issuerKeyID).filter((c) => !issuerFpr || c.getFingerprint().toLowerCase() === issuerFpr);
    if (comps.length) {
      primary = k;
      component = comps[0];
      break;
    }
  }
  if (!primary || !component) {
    status.state = "unknown-signer";
    status.signer = { emails: [], keyId: keyIdHex, ...(issuerFpr ? { fingerprint: issuerFpr } : {}) };
    status.reasons.push(reason("unknown-signer", `The signer's key (${issuerFpr ?? keyIdHex}) is not known.`));
    return status;
  }

  status.signatureAlgorithm = algorithmName(component);
  const emails = [...new Set([...(await boundEmails(primary, now)), ...(sig.created ? await boundEmails(primary, sig.created) : [])])];
  const primaryUser = primary.users.find((u) => u.userID && emails.includes((u.userID.email || "").toLowerCase()));
  status.signer = {
    emails,
    fingerprint: primary.getFingerprint().toLowerCase(),
    keyId: component.getKeyID().toHex().toLowerCase(),
  };
  const name = primaryUser?.userID?.name;
  if (name) status.signer.name = name;
  const binding = bindSigner(emails, opts);
  const shownEmail = binding.matched ?? emails[0];
  if (shownEmail) status.signer.email = shownEmail;

  // 2. Cryptographic check only (date null: time rules are judged below, one by one).
  try {
    await sig.verify(component.keyPacket, sig.signatureType!, literal, null as unknown as Date, detached, READ_CONFIG);
  } catch (e) {
    status.state = "invalid";
    status.reasons.push(reason("bad-signature", `The signature does not match the content (${errText(e)}).`));
    return status;
  }
  const created = sig.created ?? now;
  if (component.getCreationTime() > created) {
    status.state = "invalid";
    status.reasons.push(reason("key-newer-than-signature", "The signature claims to be older than the key that made it."));
    return status;
  }
  if (created.getTime() > now.getTime() + 5 * 60_000) {
    status.state = "invalid";
    status.reasons.push(reason("signature-in-future", "The signature is dated in the future."));
    return status;
  }

  // 3. Revocation.
  if (await hardRevokedNow(primary, component, now)) {
    status.state = "revoked";
    status.reasons.push(reason("key-revoked", "The signer's key has been revoked (compromised or without a reason)."));
    return status;
  }
  // 3-4. Key usable for signing at the signing time (self-signatures, flags, expiry, revocation).
  let validAtSigning = await signingKeyProblem(primary, component, created);
  if (validAtSigning && /creation time is in the future/i.test(validAtSigning)) {
    // The key's self-signatures were re-issued after this signature (expiry changed): judge
    // the key by its current self-signatures, with their expiry applied to the signing time.
    const nowProblem = await signingKeyProblem(primary, component, now);
    validAtSigning = nowProblem && /expired/i.test(nowProblem) && (await expiryOf(primary, component)) > created.getTime() ? "" : nowProblem;
  }
  if (validAtSigning) {
    if (/revoked/i.test(validAtSigning)) {
      status.state = "revoked";
      status.reasons.push(reason("key-revoked", "The signer's key was revoked when this signature was made."));
    } else if (/expired/i.test(validAtSigning)) {
      status.state = "expired";
      status.reasons.push(reason("key-expired", "The signer's key had expired when this signature was made."));
    } else {
      status.state = "invalid";
      status.reasons.push(reason("key-not-valid", `The signer's key could not make this signature (${validAtSigning}).`));
    }
    return status;
  }
  if (sig.isExpired(now) && created <= now) {
    status.state = "expired";
    status.reasons.push(reason("signature-expired", "The signature has expired."));
    return status;
  }

  // 5. Weak algorithms.
  const weak: StatusReason[] = [];
  if (sig.hashAlgorithm !== null && WEAK_HASHES.has(sig.hashAlgorithm)) {
    weak.push(reason("weak-hash", `The signature uses ${hashName(sig.hashAlgorithm)}, which is no longer secure.`));
  }
  const info = component.getAlgorithmInfo();
  if ((/^rsa/.test(info.algorithm) || info.algorithm === "dsa") && (info.bits ?? 0) < MIN_STRONG_RSA_BITS) {
    weak.push(reason("weak-key", `The signer's key is only ${info.bits} bits long.`));
  }
  // 6. From: the message's one author is an address the key binds.
  // A signer who is not the author outweighs weak algorithms (as in the S/MIME policy).
  status.reasons.push(...weak);
  if (binding.reason) status.reasons.push(binding.reason);
  status.state = binding.reason ? "mismatch" : weak.length ? "weak" : "valid";
  return status;
}

/** Error text when `component` was not a valid signing key of `primary` at `date`, else "". */
async function signingKeyProblem(primary: PublicKey, component: PublicKey | Subkey, date: Date): Promise<string> {
  try {
    await primary.getSigningKey(component.getKeyID(), date, undefined, READ_CONFIG);
    return "";
  } catch (e) {
    return errText(e) || "invalid";
  }
}

/** Expiry (ms) of the signing key under its current self-signatures; Infinity when none. */
async function expiryOf(primary: PublicKey, component: PublicKey | Subkey): Promise<number> {
  const ms = (t: Date | number | null): number => (t === null ? 0 : t instanceof Date ? t.getTime() : t);
  let e = ms(await primary.getExpirationTime(undefined, READ_CONFIG).catch(() => null));
  if (component !== primary) {
    e = Math.min(e, ms(await (component as Subkey).getExpirationTime(undefined, READ_CONFIG).catch(() => null)));
  }
  return e;
}

const HARD = new Set<number | null>([null, enums.reasonForRevocation.noReason, enums.reasonForRevocation.keyCompromised]);

/** A key revoked as compromised (or without a reason) invalidates all its signatures, old ones too. */
async function hardRevokedNow(primary: PublicKey, component: PublicKey | Subkey, now: Date): Promise<boolean> {
  const checks: Array<{ sigs: SignaturePacket[]; type: enums.signature; data: object }> = [
    { sigs: primary.revocationSignatures, type: enums.signature.keyRevocation, data: { key: primary.keyPacket } },
  ];
  if (component !== primary) {
    checks.push({
      sigs: (component as Subkey).revocationSignatures,
      type: enums.signature.subkeyRevocation,
      data: { key: primary.keyPacket, bind: component.keyPacket },
    });
  }
  for (const c of checks) {
    for (const rs of c.sigs) {
      if (!HARD.has(rs.reasonForRevocationFlag)) continue;
      try {
        await rs.verify(primary.keyPacket, c.type, c.data, now, false, READ_CONFIG);
        return true;
      } catch {
        // not a valid revocation: ignore
      }
    }
  }
  return false;
}
