/**
 * Reading a PKCS#12 (.p12/.pfx) file: verify the MAC (which is also the password check),
 * decrypt the SafeContents and bags, and return the private key with its certificate.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { SealbirdError, asSealbirdError, isSealbirdError, type ErrorCode } from "../errors.js";
import { bytesEqual } from "../bytes.js";
import { P12 } from "./oids.js";
import { MAX_PKCS12_BYTES } from "./limits.js";
import { kdfPasswordCandidates } from "./password.js";
import { verifyMac } from "./mac.js";
import { decryptWithPassword, type PasswordContext } from "./pbe.js";
import { certFromBag, parseSafeContents, type SafeBagNode } from "./safe-contents.js";
import { certificatePublicKey, inspectPkcs8, samePublicKey, type KeyFacts } from "./private-key.js";
import { encodingOf, fromSchema, octets, parseBer, sequence, smallInt, type Node } from "./asn1.js";

export interface Pkcs12Contents {
  /** PKCS#8 PrivateKeyInfo, DER, unencrypted. */
  privateKeyPkcs8: Uint8Array;
  keyAlgorithm: "RSA" | "EC";
  /** WebCrypto curve name, for EC keys. */
  namedCurve?: string;
  rsaBits?: number;
  /** DER certificate whose public key is the private key's. */
  certificate: Uint8Array;
  /** The other certificates in the file (usually the issuing chain), DER, in file order. */
  chain: Uint8Array[];
  friendlyName?: string;
}

interface KeyEntry {
  facts: KeyFacts;
  bag: SafeBagNode;
}

interface CertEntry {
  der: Uint8Array;
  bag: SafeBagNode;
}

const IMPORT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "pkcs12-wrong-password",
  "pkcs12-corrupt",
  "pkcs12-unsupported-algorithm",
  "pkcs12-no-private-key",
  "input-too-large",
]);

/**
 * @throws SealbirdError `pkcs12-wrong-password`, `pkcs12-corrupt`, `pkcs12-unsupported-algorithm`,
 *   `pkcs12-no-private-key`, `input-too-large` — nothing else.
 */
export async function importPkcs12(der: Uint8Array, password: string): Promise<Pkcs12Contents> {
  try {
    return await importInner(der, password);
  } catch (e) {
    if (isSealbirdError(e) && e.code === "decrypt-failed") throw new SealbirdError("pkcs12-wrong-password", "Wrong password.", {}, { cause: e });
    if (isSealbirdError(e) && !IMPORT_CODES.has(e.code)) throw new SealbirdError("pkcs12-corrupt", e.message, e.details as Record<string, unknown>, { cause: e });
    throw asSealbirdError(e, "pkcs12-corrupt", "The PKCS#12 file could not be read.");
  }
}

async function importInner(der: Uint8Array, password: string): Promise<Pkcs12Contents> {
  if (der.length > MAX_PKCS12_BYTES) {
    throw new SealbirdError("input-too-large", "The PKCS#12 file is larger than 10 MB.", { limit: MAX_PKCS12_BYTES });
  }
  const pfxNode = parseBer(der, "PKCS#12 file");
  const pfx = fromSchema((schema) => new pkijs.PFX({ schema }), pfxNode, "PKCS#12 PFX");
  if (pfx.version !== 3) throw new SealbirdError("pkcs12-corrupt", `PKCS#12 version ${pfx.version} is not 3.`);
  if (pfx.authSafe.contentType === P12.signedData) {
    throw new SealbirdError("pkcs12-unsupported-algorithm", `Unsupported PKCS#12 integrity mode ${P12.signedData} (public-key signature).`, {
      oid: P12.signedData,
    });
  }
  if (pfx.authSafe.contentType !== P12.data) throw new SealbirdError("pkcs12-corrupt", `Unexpected PKCS#12 content type ${pfx.authSafe.contentType}.`);
  const authSafeBytes = octets(pfx.authSafe.content as Node, "PKCS#12 authSafe");
  // Structure first: a broken file should say "corrupt", not be blamed on the password.
  const authSafe = fromSchema((schema) => new pkijs.AuthenticatedSafe({ schema }), parseBer(authSafeBytes, "AuthenticatedSafe"), "AuthenticatedSafe");

  const candidates = kdfPasswordCandidates(password);
  const pw: PasswordContext = { text: password, kdfCandidates: candidates, macVerified: false };
  if (pfx.macData) {
    const winner = await verifyMac(pfx.macData, macIterations(pfxNode), authSafeBytes, candidates);
    pw.kdfCandidates = [winner, ...candidates.filter((c) => c !== winner)];
    pw.macVerified = true;
  }

  const bags: SafeBagNode[] = [];
  for (const ci of authSafe.safeContents) bags.push(...(await openSafeContents(ci, pw)));

  const keys: KeyEntry[] = [];
  const certs: CertEntry[] = [];
  for (const bag of bags) {
    if (bag.bagId === P12.keyBag) keys.push({ facts: inspectPkcs8(encodingOf(bag.value)), bag });
    else if (bag.bagId === P12.pkcs8ShroudedKeyBag) keys.push({ facts: await decryptKeyBag(bag, pw), bag });
    else if (bag.bagId === P12.certBag) {
      const cert = certFromBag(bag);
      if (cert && !certs.some((c) => bytesEqual(c.der, cert))) certs.push({ der: cert, bag });
    }
    // crlBag, secretBag and unknown bags carry nothing we use.
  }
  if (keys.length === 0) throw new SealbirdError("pkcs12-no-private-key", "The PKCS#12 file contains no private key.");

  for (const key of keys) {
    const cert = await matchingCertificate(key, certs);
    if (!cert) continue;
    const friendlyName = key.bag.attributes.friendlyName ?? cert.bag.attributes.friendlyName;
    return {
      privateKeyPkcs8: key.facts.pkcs8,
      keyAlgorithm: key.facts.keyAlgorithm,
      ...(key.facts.namedCurve ? { namedCurve: key.facts.namedCurve } : {}),
      ...(key.facts.rsaBits ? { rsaBits: key.facts.rsaBits } : {}),
      certificate: cert.der,
      chain: certs.filter((c) => c !== cert).map((c) => c.der),
      ...(friendlyName !== undefined ? { friendlyName } : {}),
    };
  }
  throw new SealbirdError("pkcs12-no-private-key", "The PKCS#12 file has no private key with a matching certificate.", {
    reason: "no-matching-certificate",
  });
}

/**
 * MacData.iterations, read from the raw INTEGER: asn1js v4 reports INTEGERs of 4 or more
 * bytes as 0, which would turn a hostile 2^31 into "0" (and a legitimate 10,000,000 too).
 */
function macIterations(pfxNode: Node): number {
  const macData = sequence(pfxNode, "PKCS#12 PFX")[2];
  const iter = sequence(macData, "MacData")[2];
  // RFC 7292: iterations INTEGER DEFAULT 1.
  return iter === undefined ? 1 : smallInt(iter, "MAC iteration count");
}

async function openSafeContents(ci: pkijs.ContentInfo, pw: PasswordContext): Promise<SafeBagNode[]> {
  if (ci.contentType === P12.data) return parseSafeContents(octets(ci.content as Node, "SafeContents data"));
  if (ci.contentType === P12.encryptedData) {
    const ed = fromSchema((schema) => new pkijs.EncryptedData({ schema }), ci.content as Node, "EncryptedData");
    const eci = ed.encryptedContentInfo;
    if (!eci.encryptedContent) return [];
    const ciphertext = octets(eci.encryptedContent, "EncryptedData content");
    return decryptWithPassword(eci.contentEncryptionAlgorithm, ciphertext, pw, "encrypted SafeContents", (plain) => parseSafeContents(plain));
  }
  if (ci.contentType === P12.envelopedData) {
    throw new SealbirdError("pkcs12-unsupported-algorithm", `Unsupported PKCS#12 privacy mode ${P12.envelopedData} (public-key encryption).`, {
      oid: P12.envelopedData,
    });
  }
  throw new SealbirdError("pkcs12-corrupt", `Unexpected content type ${ci.contentType} in AuthenticatedSafe.`);
}

async function decryptKeyBag(bag: SafeBagNode, pw: PasswordContext): Promise<KeyFacts> {
  const shrouded = fromSchema((schema) => new pkijs.PKCS8ShroudedKeyBag({ schema }), bag.value, "PKCS8ShroudedKeyBag");
  const ciphertext = octets(shrouded.encryptedData as asn1js.OctetString, "PKCS8ShroudedKeyBag data");
  return decryptWithPassword(shrouded.encryptionAlgorithm, ciphertext, pw, "private key", (plain) => inspectPkcs8(plain));
}

/** Public key decides; localKeyId only orders the search. */
async function matchingCertificate(key: KeyEntry, certs: CertEntry[]): Promise<CertEntry | undefined> {
  const id = key.bag.attributes.localKeyId;
  const ordered = id ? [...certs].sort((a, b) => Number(!sameId(a, id)) - Number(!sameId(b, id))) : certs;
  const pub = await key.facts.publicKey();
  return ordered.find((c) => {
    const cp = certificatePublicKey(c.der);
    return cp !== undefined && samePublicKey(pub, cp);
  });
}

function sameId(c: CertEntry, id: Uint8Array): boolean {
  const other = c.bag.attributes.localKeyId;
  return other !== undefined && bytesEqual(other, id);
}
