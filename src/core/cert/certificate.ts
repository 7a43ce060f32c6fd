/**
 * X.509 certificates: parsing (pkijs) and the facts the rest of the engine and the UI need.
 * Everything a library throws while parsing becomes `cert-malformed`.
 */
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import forge from "node-forge";
import { SealbirdError } from "../errors.js";
import { toBinaryString, toHex } from "../bytes.js";
import type { CertificateSummary } from "../status/message-status.js";
import { CURVE_NAMES, SHARED_OIDS } from "../oids.js";

export const OID = {
  ...SHARED_OIDS,
  ed25519: "1.3.101.112",
  emailAddress: "1.2.840.113549.1.9.1",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  basicConstraints: "2.5.29.19",
  subjectAltName: "2.5.29.17",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
  kpEmailProtection: "1.3.6.1.5.5.7.3.4",
  kpOcspSigning: "1.3.6.1.5.5.7.3.9",
  anyExtendedKeyUsage: "2.5.29.37.0",
} as const;

const KEY_USAGE_BITS = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
] as const;
export type KeyUsage = (typeof KEY_USAGE_BITS)[number];

const EKU_NAMES: Record<string, string> = {
  "1.3.6.1.5.5.7.3.1": "serverAuth",
  "1.3.6.1.5.5.7.3.2": "clientAuth",
  "1.3.6.1.5.5.7.3.3": "codeSigning",
  [OID.kpEmailProtection]: "emailProtection",
  "1.3.6.1.5.5.7.3.8": "timeStamping",
  [OID.kpOcspSigning]: "OCSPSigning",
  [OID.anyExtendedKeyUsage]: "anyExtendedKeyUsage",
};

/** Everything the summary shows (subject, issuer, serial, validity, SHA-256 fingerprint, addresses), and more. */
export interface CertificateInfo extends CertificateSummary {
  /** Undefined when the certificate has no keyUsage extension (= no restriction). */
  keyUsage?: KeyUsage[];
  /** Names ("emailProtection") or OIDs; undefined when there is no extendedKeyUsage extension. */
  extKeyUsage?: string[];
  isCA: boolean;
  /** "rsa", "ec", "ed25519", or the OID. */
  publicKeyAlgorithm: string;
  rsaBits?: number;
  namedCurve?: string;
}

/**
 * Parsed certificates and fingerprints by DER array: the keyring's certificates stay the same
 * arrays from message to message (the add-on keeps its openers until the keystore changes),
 * and parsing or hashing them again on every message was most of a small message's time in
 * Thunderbird's interpreter. Arrays are never written after they are parsed here; entries go
 * with their arrays.
 */
const parsed = new WeakMap<Uint8Array, pkijs.Certificate>();
const fingerprints = new WeakMap<Uint8Array, string>();
/**
 * The same by content: certificates arrive in messages as new arrays each time (a
 * correspondent's certificate and chain come with every signed message of theirs), and the
 * keyring decodes its stored ones afresh on every lookup (a send parsed every recipient's
 * certificate and chain again: about 250 ms in Thunderbird's interpreter). A few hundred
 * certificates of ordinary size, the oldest dropped first.
 */
interface Known {
  cert?: pkijs.Certificate;
  fingerprint?: string;
}
const byContent = new Map<string, Known>();
const MAX_BY_CONTENT = 256;
const MAX_CONTENT_BYTES = 16 * 1024;

function contentEntry(der: Uint8Array): Known | undefined {
  if (der.length > MAX_CONTENT_BYTES) return undefined;
  const key = toBinaryString(der);
  let entry = byContent.get(key);
  if (!entry) {
    if (byContent.size >= MAX_BY_CONTENT) byContent.delete(byContent.keys().next().value!);
    entry = {};
    byContent.set(key, entry);
  }
  return entry;
}

/** Parses DER; every failure is `cert-malformed`. */
export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  const known = parsed.get(der);
  if (known) return known;
  const entry = contentEntry(der);
  if (entry?.cert) {
    parsed.set(der, entry.cert);
    return entry.cert;
  }
  try {
    const asn = asn1js.fromBER(der);
    if (asn.offset === -1) throw new Error(asn.result.error);
    if (asn.offset !== der.length) throw new Error("trailing data after the certificate");
    const cert = new pkijs.Certificate({ schema: asn.result });
    parsed.set(der, cert);
    if (entry) entry.cert = cert;
    return cert;
  } catch (e) {
    throw new SealbirdError("cert-malformed", "The certificate could not be read.", {}, { cause: e });
  }
}

const NAME_KEYS: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.5": "serialNumber",
  "2.5.4.4": "SN",
  "2.5.4.42": "GN",
  "2.5.4.12": "title",
  "0.9.2342.19200300.100.1.25": "DC",
  "0.9.2342.19200300.100.1.1": "UID",
  [OID.emailAddress]: "E",
};

function attrValue(v: unknown): string {
  const block = v as { valueBlock?: { value?: unknown; valueHexView?: Uint8Array } };
  const s = block.valueBlock?.value;
  if (typeof s === "string") return s;
  if (block.valueBlock?.valueHexView) return "#" + toHex(block.valueBlock.valueHexView);
  return "";
}

/** RFC 4514 style, most specific RDN first (CN=…, O=…). */
export function nameToString(name: pkijs.RelativeDistinguishedNames): string {
  const rdns = name.typesAndValues.map((tv) => {
    const key = NAME_KEYS[tv.type] ?? tv.type;
    const value = attrValue(tv.value).replace(/([,+"\\<>;])/g, "\\$1");
    return `${key}=${value}`;
  });
  return rdns.reverse().join(", ");
}

function extension(cert: pkijs.Certificate, oid: string): pkijs.Extension | undefined {
  return cert.extensions?.find((e) => e.extnID === oid);
}

export function certEmails(cert: pkijs.Certificate): string[] {
  const set = new Set<string>();
  const san = extension(cert, OID.subjectAltName)?.parsedValue as pkijs.AltName | undefined;
  for (const gn of san?.altNames ?? []) {
    if (gn.type === 1 && typeof gn.value === "string") set.add(gn.value.trim().toLowerCase());
  }
  for (const tv of cert.subject.typesAndValues) {
    if (tv.type === OID.emailAddress) set.add(attrValue(tv.value).trim().toLowerCase());
  }
  set.delete("");
  return [...set];
}

export function certKeyUsage(cert: pkijs.Certificate): KeyUsage[] | undefined {
  const ext = extension(cert, OID.keyUsage);
  if (!ext) return undefined;
  const bits = ext.parsedValue as asn1js.BitString | undefined;
  const bytes = bits?.valueBlock.valueHexView ?? new Uint8Array(0);
  const out: KeyUsage[] = [];
  KEY_USAGE_BITS.forEach((name, i) => {
    const byte = bytes[i >> 3] ?? 0;
    if (byte & (0x80 >> (i & 7))) out.push(name);
  });
  return out;
}

export function certExtKeyUsageOids(cert: pkijs.Certificate): string[] | undefined {
  const ext = extension(cert, OID.extKeyUsage);
  if (!ext) return undefined;
  return (ext.parsedValue as pkijs.ExtKeyUsage | undefined)?.keyPurposes ?? [];
}

export function certIsCA(cert: pkijs.Certificate): boolean {
  const bc = extension(cert, OID.basicConstraints)?.parsedValue as pkijs.BasicConstraints | undefined;
  return bc?.cA === true;
}

export function certSubjectKeyId(cert: pkijs.Certificate): Uint8Array | undefined {
  const v = extension(cert, OID.subjectKeyIdentifier)?.parsedValue as asn1js.OctetString | undefined;
  return v?.valueBlock.valueHexView;
}

export function certAuthorityKeyId(cert: pkijs.Certificate): Uint8Array | undefined {
  const v = extension(cert, OID.authorityKeyIdentifier)?.parsedValue as pkijs.AuthorityKeyIdentifier | undefined;
  return v?.keyIdentifier?.valueBlock.valueHexView;
}

export function certSerialHex(cert: pkijs.Certificate): string {
  return toHex(cert.serialNumber.valueBlock.valueHexView);
}

export function publicKeyFacts(cert: pkijs.Certificate): { publicKeyAlgorithm: string; rsaBits?: number; namedCurve?: string } {
  const spki = cert.subjectPublicKeyInfo;
  const alg = spki.algorithm.algorithmId;
  if (alg === OID.rsaEncryption || alg === OID.rsassaPss) {
    const key = spki.parsedKey as pkijs.RSAPublicKey | undefined;
    const mod = key?.modulus.valueBlock.valueHexView;
    let bits = 0;
    if (mod) {
      let i = 0;
      while (i < mod.length && mod[i] === 0) i++;
      bits = (mod.length - i) * 8 - (i < mod.length ? Math.clz32(mod[i]!) - 24 : 0);
    }
    return { publicKeyAlgorithm: "rsa", rsaBits: bits };
  }
  if (alg === OID.ecPublicKey) {
    const params = spki.algorithm.algorithmParams as asn1js.ObjectIdentifier | undefined;
    const oid = params instanceof asn1js.ObjectIdentifier ? params.valueBlock.toString() : "";
    return { publicKeyAlgorithm: "ec", namedCurve: CURVE_NAMES[oid] ?? oid };
  }
  if (alg === OID.ed25519) return { publicKeyAlgorithm: "ed25519" };
  return { publicKeyAlgorithm: alg };
}

/** SHA-256 of the DER, lowercase hex. Synchronous (node-forge), certificates are small. */
export function fingerprint(der: Uint8Array): string {
  const known = fingerprints.get(der);
  if (known) return known;
  const entry = contentEntry(der);
  let hex = entry?.fingerprint;
  if (!hex) {
    const md = forge.md.sha256.create();
    md.update(toBinaryString(der));
    hex = md.digest().toHex();
    if (entry) entry.fingerprint = hex;
  }
  fingerprints.set(der, hex);
  return hex;
}

export function certificateInfo(der: Uint8Array): CertificateInfo {
  const cert = parseCertificate(der);
  try {
    const info: CertificateInfo = {
      subject: nameToString(cert.subject),
      issuer: nameToString(cert.issuer),
      serialNumber: certSerialHex(cert),
      notBefore: cert.notBefore.value.toISOString(),
      notAfter: cert.notAfter.value.toISOString(),
      fingerprint: fingerprint(der),
      emails: certEmails(cert),
      isCA: certIsCA(cert),
      ...publicKeyFacts(cert),
    };
    const ku = certKeyUsage(cert);
    if (ku) info.keyUsage = ku;
    const eku = certExtKeyUsageOids(cert);
    if (eku) info.extKeyUsage = eku.map((o) => EKU_NAMES[o] ?? o);
    return info;
  } catch (e) {
    throw new SealbirdError("cert-malformed", "The certificate could not be read.", {}, { cause: e });
  }
}

export function summarize(der: Uint8Array): CertificateSummary {
  const i = certificateInfo(der);
  return {
    subject: i.subject,
    issuer: i.issuer,
    serialNumber: i.serialNumber,
    notBefore: i.notBefore,
    notAfter: i.notAfter,
    fingerprint: i.fingerprint,
    emails: i.emails,
  };
}
