/**
 * Decrypting CMS EnvelopedData (RFC 5652 6) and AuthEnvelopedData (RFC 5083/5084).
 * Key transport: RSA PKCS#1 v1.5 (node-forge, implicit rejection), RSA-OAEP SHA-1/SHA-256
 * (WebCrypto). Key agreement: ECDH P-256/P-384/P-521 with the X9.63 KDF (SHA-1/256/384/512).
 * Content: AES-CBC, AES-GCM (WebCrypto), 3DES (node-forge, reading only).
 *
 * Failure modes are deliberately coarse: `no-key` (not encrypted to any of our keys),
 * `decrypt-failed` (anything that could be a wrong key, including a PKCS#1 padding failure),
 * `tampered` (an integrity check failed under a key we know is right). Every failure lists the
 * recipients and says which step failed (details `step`: recipient, key, content).
 */
import * as pkijs from "pkijs";
import { SealbirdError } from "../errors.js";
import { looksLikeText, startsWithHeaderSection } from "../mime/bare-content.js";
import { bufferSource, bytesEqual, toArrayBuffer } from "../bytes.js";
import { fingerprint, parseCertificate } from "../cert/certificate.js";
import { trimSerial } from "../cert/serial.js";
import { desEde3CbcDecrypt } from "../crypto/legacy-ciphers.js";
import { rsaPkcs1DecryptKey } from "../crypto/rsa-pkcs1.js";
import * as A from "./asn1.js";
import type { SmimeIdentity } from "./context.js";
import { KDF_HASH, WRAP_KEY_BYTES, aesKwUnwrap, sharedInfo, x963Kdf } from "./ecdh.js";
import { curveBytes, importPrivate, pkcs8Kind } from "./keys.js";
import { DIGEST_NAMES, type HashName } from "../oids.js";
import { CMS, algorithmName } from "./oids.js";
import { readSid, sidText } from "./signed-data.js";
import { readContentInfo } from "./asn1.js";

export interface DecryptResult {
  /** The decrypted content (a MIME entity for S/MIME). */
  content: Uint8Array;
  contentType: string;
  /** "AES-256-GCM", "AES-256-CBC", "3DES-CBC", … */
  algorithm: string;
  /** Every recipient the message names, as text (issuer + serial, or SKI). */
  recipients: string[];
  /** SHA-256 fingerprint of our certificate that opened it. */
  decryptedWith: string;
}

type Sid = ReturnType<typeof readSid>;

interface KeyTrans {
  kind: "ktri";
  sid: Sid;
  alg: A.AlgId;
  encryptedKey: Uint8Array;
}
interface KeyAgree {
  kind: "kari";
  sid: Sid;
  originatorKey?: Uint8Array;
  ukm?: Uint8Array;
  alg: A.AlgId;
  encryptedKey: Uint8Array;
}
type Recipient = KeyTrans | KeyAgree;

const CONTENT_KEY_BYTES: Record<string, number> = {
  [CMS.aes128Cbc]: 16,
  [CMS.aes192Cbc]: 24,
  [CMS.aes256Cbc]: 32,
  [CMS.aes128Gcm]: 16,
  [CMS.aes192Gcm]: 24,
  [CMS.aes256Gcm]: 32,
  [CMS.desEde3Cbc]: 24,
};

type Step = "key" | "content";

/** A failure while recovering the content key ("key") or decrypting the content ("content"). */
class StepFailure extends Error {
  constructor(
    readonly code: "decrypt-failed" | "tampered",
    readonly step: Step,
    cause?: unknown,
  ) {
    super(code, { cause });
  }
}

function failed(code: "decrypt-failed" | "tampered", step: Step, cause?: unknown): StepFailure {
  return new StepFailure(code, step, cause);
}

function typedFailure(f: StepFailure, recipients: string[]): SealbirdError {
  const message =
    f.code === "tampered"
      ? "The encrypted message was altered: its integrity check failed."
      : f.step === "key"
        ? "Your certificate is among the recipients, but the content key could not be recovered with its private key (the message or the key is damaged, or it was encrypted for another key)."
        : "The content key was recovered, but the content could not be decrypted with it (the message is damaged or altered, or it was not encrypted for this key).";
  return new SealbirdError(f.code, message, { recipients, step: f.step }, { cause: f.cause });
}

function readRecipients(set: A.Node): { recipients: Recipient[]; texts: string[] } {
  const recipients: Recipient[] = [];
  const texts: string[] = [];
  for (const ri of A.children(set)) {
    if (A.isUniversal(ri, A.TAG.SEQUENCE)) {
      const [, rid, alg, ek] = A.expectSeq(ri);
      const sid = readSid(rid);
      texts.push(sidText(sid));
      recipients.push({ kind: "ktri", sid, alg: A.algId(alg), encryptedKey: A.octets(ek) });
    } else if (A.isContext(ri, 1)) {
      const f = A.children(ri);
      let i = 1; // version
      const originator = f[i++];
      let originatorKey: Uint8Array | undefined;
      const orig = originator && A.children(originator)[0];
      if (A.isContext(orig, 1)) {
        const [, pub] = A.children(orig);
        // asn1js leaves the BIT STRING's unused-bits byte out of the value: this is the point.
        originatorKey = A.contents(pub);
      }
      let ukm: Uint8Array | undefined;
      if (A.isContext(f[i], 1)) ukm = A.octets(A.children(f[i++])[0]);
      const alg = A.algId(f[i++]);
      for (const rek of A.expectSeq(f[i])) {
        const [rid, ek] = A.expectSeq(rek);
        // KeyAgreeRecipientIdentifier: IssuerAndSerialNumber or [0] RecipientKeyIdentifier { SKI, … }
        const sid: Sid = A.isContext(rid, 0) ? { ski: A.octets(A.children(rid)[0]) } : readSid(rid);
        texts.push(sidText(sid));
        const r: KeyAgree = { kind: "kari", sid, alg, encryptedKey: A.octets(ek) };
        if (originatorKey) r.originatorKey = originatorKey;
        if (ukm) r.ukm = ukm;
        recipients.push(r);
      }
    } else {
      texts.push(`unsupported recipient type [${ri.idBlock.tagNumber}]`);
    }
  }
  return { recipients, texts };
}

function identityMatches(id: SmimeIdentity, sid: Sid): boolean {
  let cert: pkijs.Certificate;
  try {
    cert = parseCertificate(id.certificate);
  } catch {
    return false;
  }
  if (sid.ski) {
    const ext = cert.extensions?.find((e) => e.extnID === "2.5.29.14");
    const ski = (ext?.parsedValue as { valueBlock?: { valueHexView?: Uint8Array } } | undefined)?.valueBlock?.valueHexView;
    return !!ski && bytesEqual(ski, sid.ski);
  }
  if (!sid.issuer || !sid.serial) return false;
  if (!bytesEqual(trimSerial(cert.serialNumber.valueBlock.valueHexView), trimSerial(sid.serial))) return false;
  try {
    return cert.issuer.isEqual(new pkijs.RelativeDistinguishedNames({ schema: sid.issuer }));
  } catch {
    return false;
  }
}

interface OaepParams {
  hash: HashName;
  /** The pSourceFunc label (RFC 4055 3.1), empty by default. */
  label?: Uint8Array;
}

function oaepParams(params: A.Node | undefined): OaepParams {
  const out: OaepParams = { hash: "SHA-1" };
  if (!params) return out;
  let mgfHash: HashName = "SHA-1";
  for (const p of A.expectSeq(params)) {
    const inner = A.children(p)[0];
    if (A.isContext(p, 0)) out.hash = DIGEST_NAMES[A.algId(inner).oid] ?? fail("OAEP hash");
    else if (A.isContext(p, 1)) {
      const mgf = A.algId(inner);
      if (mgf.oid !== CMS.mgf1) fail("OAEP mask generation");
      mgfHash = DIGEST_NAMES[A.algId(mgf.params).oid] ?? fail("MGF1 hash");
    } else if (A.isContext(p, 2)) {
      const src = A.algId(inner);
      if (src.oid !== CMS.pSpecified) fail("OAEP label source");
      const label = src.params ? A.octets(src.params) : new Uint8Array(0);
      if (label.length) out.label = label;
    }
  }
  if (mgfHash !== out.hash) fail("OAEP with different MGF1 hash");
  return out;
}

function fail(what: string): never {
  throw new SealbirdError("unsupported-algorithm", `${what} is not supported.`);
}

/** Returns the content key, and whether its recovery is integrity-protected (OAEP, AES-KW). */
async function recoverKey(r: Recipient, id: SmimeIdentity, keyLength: number): Promise<{ cek: Uint8Array; authentic: boolean }> {
  if (r.kind === "ktri") {
    if (r.alg.oid === CMS.rsaEncryption) {
      return { cek: rsaPkcs1DecryptKey(id.privateKeyPkcs8, r.encryptedKey, keyLength), authentic: false };
    }
    if (r.alg.oid === CMS.rsaesOaep) {
      const { hash, label } = oaepParams(r.alg.params);
      const key = await importPrivate(id.privateKeyPkcs8, { name: "RSA-OAEP", hash }, ["decrypt"]);
      const algorithm: RsaOaepParams = label ? { name: "RSA-OAEP", label: toArrayBuffer(label) } : { name: "RSA-OAEP" };
      try {
        return { cek: new Uint8Array(await crypto.subtle.decrypt(algorithm, key, toArrayBuffer(r.encryptedKey))), authentic: true };
      } catch (e) {
        throw failed("decrypt-failed", "key", e);
      }
    }
    fail(`Key transport ${algorithmName(r.alg.oid)}`);
  }
  const hash = KDF_HASH[r.alg.oid] ?? fail(`Key agreement ${r.alg.oid}`);
  const wrap = A.algId(r.alg.params);
  const kekBytes = WRAP_KEY_BYTES[wrap.oid] ?? fail(`Key wrap ${wrap.oid}`);
  const kind = pkcs8Kind(id.privateKeyPkcs8);
  if (kind.type !== "ec" || !r.originatorKey) throw failed("decrypt-failed", "key");
  const priv = await importPrivate(id.privateKeyPkcs8, { name: "ECDH", namedCurve: kind.curve }, ["deriveBits"]);
  let z: Uint8Array;
  try {
    const pub = await crypto.subtle.importKey("raw", toArrayBuffer(r.originatorKey), { name: "ECDH", namedCurve: kind.curve }, false, []);
    z = new Uint8Array(await crypto.subtle.deriveBits({ name: "ECDH", public: pub }, priv, curveBytes(kind.curve) * 8));
  } catch (e) {
    throw failed("decrypt-failed", "key", e);
  }
  const kek = await x963Kdf(hash, z, sharedInfo(wrap.oid, r.ukm, kekBytes), kekBytes);
  try {
    return { cek: await aesKwUnwrap(kek, r.encryptedKey), authentic: true };
  } catch (e) {
    throw failed("decrypt-failed", "key", e);
  }
}

interface EncryptedContent {
  contentType: string;
  alg: A.AlgId;
  ciphertext: Uint8Array;
}

function readEncryptedContentInfo(n: A.Node | undefined): EncryptedContent {
  const [ct, alg, enc] = A.expectSeq(n);
  if (!A.isContext(enc, 0)) A.fail("asn1-malformed", "The encrypted content is missing (detached content is not supported).");
  return { contentType: A.oid(ct), alg: A.algId(alg), ciphertext: A.contents(enc) };
}

/**
 * Cheap plausibility check of a CBC plaintext whose key recovery is not authenticated (PKCS#1
 * v1.5 implicit rejection): a wrong key's garbage that happens to end in valid padding (1 in
 * 256) must still be reported as a failure. Real content is a MIME entity or bare text.
 */
function plausiblePlaintext(b: Uint8Array): boolean {
  return startsWithHeaderSection(b) || (b.length > 0 && looksLikeText(b));
}

async function decryptContent(ec: EncryptedContent, cek: Uint8Array, authentic: boolean, auth?: { mac: Uint8Array; aad?: Uint8Array }): Promise<Uint8Array> {
  const oid = ec.alg.oid;
  if (auth) {
    if (oid !== CMS.aes128Gcm && oid !== CMS.aes192Gcm && oid !== CMS.aes256Gcm) fail(`Authenticated content cipher ${algorithmName(oid)}`);
    const [nonceNode, icvNode] = A.expectSeq(ec.alg.params);
    const nonce = A.octets(nonceNode);
    const icvLen = icvNode ? A.smallInt(icvNode) : 12;
    if (icvLen !== auth.mac.length || icvLen < 12 || icvLen > 16) throw failed("tampered", "content");
    try {
      const key = await crypto.subtle.importKey("raw", toArrayBuffer(cek), "AES-GCM", false, ["decrypt"]);
      const data = new Uint8Array(ec.ciphertext.length + auth.mac.length);
      data.set(ec.ciphertext);
      data.set(auth.mac, ec.ciphertext.length);
      const params: AesGcmParams = { name: "AES-GCM", iv: toArrayBuffer(nonce), tagLength: icvLen * 8 };
      if (auth.aad) params.additionalData = toArrayBuffer(auth.aad);
      return new Uint8Array(await crypto.subtle.decrypt(params, key, data));
    } catch (e) {
      throw failed(authentic ? "tampered" : "decrypt-failed", "content", e);
    }
  }
  let out: Uint8Array;
  if (oid === CMS.aes128Cbc || oid === CMS.aes192Cbc || oid === CMS.aes256Cbc) {
    const iv = A.octets(ec.alg.params);
    try {
      const key = await crypto.subtle.importKey("raw", toArrayBuffer(cek), "AES-CBC", false, ["decrypt"]);
      out = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-CBC", iv: toArrayBuffer(iv) }, key, bufferSource(ec.ciphertext)));
    } catch (e) {
      throw failed("decrypt-failed", "content", e);
    }
  } else if (oid === CMS.desEde3Cbc) {
    const iv = A.octets(ec.alg.params);
    try {
      out = desEde3CbcDecrypt(cek, iv, ec.ciphertext);
    } catch (e) {
      throw failed("decrypt-failed", "content", e);
    }
  } else {
    fail(`Content cipher ${algorithmName(oid)}`);
  }
  if (!authentic && ec.contentType === CMS.data && !plausiblePlaintext(out)) throw failed("decrypt-failed", "content");
  return out;
}

/** Decrypts a DER/BER ContentInfo holding EnvelopedData or AuthEnvelopedData. */
export async function decryptCms(der: Uint8Array, identities: readonly SmimeIdentity[]): Promise<DecryptResult> {
  const ci = readContentInfo(der);
  const isAuth = ci.contentType === CMS.authEnvelopedData;
  if (!isAuth && ci.contentType !== CMS.envelopedData) A.fail("asn1-malformed", "Not an encrypted S/MIME message.");
  const f = A.expectSeq(ci.content);
  let i = 1; // version
  if (A.isContext(f[i], 0)) i++; // originatorInfo
  const { recipients, texts } = readRecipients(f[i++]!);
  const ec = readEncryptedContentInfo(f[i++]);
  let auth: { mac: Uint8Array; aad?: Uint8Array } | undefined;
  if (isAuth) {
    let aad: Uint8Array | undefined;
    if (A.isContext(f[i], 1)) {
      // authAttrs are authenticated as their DER encoding with a SET tag (RFC 5083 2.2).
      const rawAttrs = A.raw(f[i++]!).slice();
      rawAttrs[0] = 0x31;
      aad = rawAttrs;
    }
    auth = { mac: A.octets(f[i]) };
    if (aad) auth.aad = aad;
  }
  const keyLength = CONTENT_KEY_BYTES[ec.alg.oid];
  if (!keyLength) fail(`Content cipher ${algorithmName(ec.alg.oid)}`);

  const matches: { r: Recipient; id: SmimeIdentity }[] = [];
  for (const r of recipients) for (const id of identities) if (identityMatches(id, r.sid)) matches.push({ r, id });
  if (matches.length === 0) {
    throw new SealbirdError("no-key", "The message is not encrypted to any of your keys.", { recipients: texts, step: "recipient" });
  }
  let lastError: unknown;
  for (const { r, id } of matches) {
    try {
      const { cek, authentic } = await recoverKey(r, id, keyLength);
      if (cek.length !== keyLength) throw failed("decrypt-failed", authentic ? "key" : "content");
      const content = await decryptContent(ec, cek, authentic, auth);
      return { content, contentType: ec.contentType, algorithm: algorithmName(ec.alg.oid), recipients: texts, decryptedWith: fingerprint(id.certificate) };
    } catch (e) {
      lastError = e;
    }
  }
  if (lastError instanceof StepFailure) throw typedFailure(lastError, texts);
  if (lastError instanceof SealbirdError) throw new SealbirdError(lastError.code, lastError.message, { ...lastError.details, recipients: texts, step: "key" }, { cause: lastError });
  throw typedFailure(failed("decrypt-failed", "key", lastError), texts);
}
