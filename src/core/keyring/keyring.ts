/**
 * The keyring: what Sealbird knows about keys, as records in the Keystore. It is the one place
 * that turns records into the S/MIME and OpenPGP engine contexts, imports files into records,
 * and remembers what valid signed mail taught us. The CLI and the add-on's background both
 * use it, so they agree on the record format.
 */
import { SealbirdError } from "../errors.js";
import type { Keystore, RecordInfo } from "../keystore/index.js";
import { certificateInfo, toDerList } from "../cert/index.js";
import type { SmimeContext, SmimeIdentity, EncryptRecipient } from "../smime/index.js";
import { importPkcs12 } from "../pkcs12/index.js";
import { exportPublicKey, importPgpKeys, generatePgpKey, keyInfo, parseKeys, type KeyType, type PgpContext, type PgpKeyInfo } from "../pgp/index.js";
import { b64, unb64, type PgpKeyPublic, type SmimeCertificatePublic, type SmimeIdentityPublic, type TrustAnchorPublic } from "./record-codec.js";
import type { PrivateKey } from "openpgp";
import type { InspectResult } from "../message/inspect.js";
import type { SmimeLayerResult } from "../smime/index.js";
import { collectPgpKeys } from "../pgp/index.js";
import { findAddress, getHeader } from "../mime/index.js";

export interface Learned {
  certificates: KeyringEntry[];
  pgpKeys: KeyringEntry[];
}

export interface KeyringEntry {
  id: string;
  kind: string;
  label?: string;
  fingerprint: string;
  emails: string[];
  subject?: string;
  notAfter?: string;
  hasSecret: boolean;
  pending?: boolean;
}

export class Keyring {
  constructor(readonly store: Keystore) {}

  // ---- listing ---------------------------------------------------------------------------

  async list(): Promise<KeyringEntry[]> {
    const out: KeyringEntry[] = [];
    for (const r of await this.store.listRecords()) {
      if (r.kind === "setting") continue;
      const p = r.public as Partial<SmimeIdentityPublic & PgpKeyPublic>;
      out.push({
        id: r.id,
        kind: r.kind,
        label: r.label,
        fingerprint: String(p.fingerprint ?? ""),
        emails: Array.isArray(p.emails) ? p.emails : [],
        subject: p.subject,
        notAfter: p.notAfter,
        hasSecret: r.hasSecret,
        pending: p.pending,
      });
    }
    return out;
  }

  private async byFingerprint(kind: string, fingerprint: string): Promise<RecordInfo | undefined> {
    return (await this.store.listRecords(kind)).find((r) => r.public["fingerprint"] === fingerprint);
  }

  // ---- S/MIME ----------------------------------------------------------------------------

  /** Imports a PKCS#12 file as an identity; an identity with the same certificate is replaced. */
  async importPkcs12(der: Uint8Array, password: string): Promise<KeyringEntry> {
    const p12 = await importPkcs12(der, password);
    const info = certificateInfo(p12.certificate);
    const pub: SmimeIdentityPublic = {
      certificate: b64(p12.certificate),
      chain: p12.chain.map(b64),
      emails: info.emails,
      fingerprint: info.fingerprint,
      subject: info.subject,
      notAfter: info.notAfter,
    };
    const existing = await this.byFingerprint("smime-identity", info.fingerprint);
    if (existing) await this.store.removeRecord(existing.id);
    const label = p12.friendlyName ?? info.subject;
    const id = await this.store.addRecord({ kind: "smime-identity", label, public: { ...pub }, secret: p12.privateKeyPkcs8 });
    return { id, kind: "smime-identity", label, fingerprint: info.fingerprint, emails: info.emails, subject: info.subject, notAfter: info.notAfter, hasSecret: true };
  }

  /** Imports PEM/DER certificates as correspondents' certificates or as trust anchors. */
  async importCertificates(data: Uint8Array, as: "smime-certificate" | "trust-anchor"): Promise<KeyringEntry[]> {
    const out: KeyringEntry[] = [];
    for (const der of toDerList(data)) out.push(await this.addCertificate(der, as));
    return out;
  }

  async addCertificate(der: Uint8Array, as: "smime-certificate" | "trust-anchor", extra: Partial<SmimeCertificatePublic> = {}): Promise<KeyringEntry> {
    const info = certificateInfo(der);
    const existing = await this.byFingerprint(as, info.fingerprint);
    const pub: SmimeCertificatePublic | TrustAnchorPublic =
      as === "trust-anchor"
        ? { certificate: b64(der), fingerprint: info.fingerprint, subject: info.subject, notAfter: info.notAfter }
        : { certificate: b64(der), chain: [], emails: info.emails, fingerprint: info.fingerprint, subject: info.subject, notAfter: info.notAfter, ...extra };
    let id: string;
    if (existing) {
      id = existing.id;
      await this.store.updateRecord(id, { public: { ...existing.public, ...pub } });
    } else {
      id = await this.store.addRecord({ kind: as, label: info.subject, public: { ...pub } });
    }
    return { id, kind: as, fingerprint: info.fingerprint, emails: info.emails, subject: info.subject, notAfter: info.notAfter, hasSecret: false };
  }

  async smimeIdentities(): Promise<SmimeIdentity[]> {
    if (!this.store.isUnlocked) return [];
    const out: SmimeIdentity[] = [];
    for (const r of await this.store.listRecords("smime-identity")) {
      const p = r.public as unknown as SmimeIdentityPublic;
      out.push({ certificate: unb64(p.certificate), chain: (p.chain ?? []).map(unb64), privateKeyPkcs8: await this.store.getSecret(r.id) });
    }
    return out;
  }

  async smimeContext(): Promise<SmimeContext> {
    const identities = await this.smimeIdentities();
    const trustAnchors = (await this.store.listRecords("trust-anchor")).map((r) => unb64(r.public["certificate"]));
    const knownCertificates: Uint8Array[] = [];
    for (const kind of ["smime-certificate", "smime-identity"]) {
      for (const r of await this.store.listRecords(kind)) {
        knownCertificates.push(unb64(r.public["certificate"]));
        for (const c of (r.public["chain"] as string[] | undefined) ?? []) knownCertificates.push(unb64(c));
      }
    }
    return { identities, trustAnchors, knownCertificates };
  }

  /** Our identity for an address (the signer); `no-key` when there is none. */
  async smimeSigner(email: string): Promise<SmimeIdentity> {
    const addr = email.toLowerCase();
    for (const r of await this.store.listRecords("smime-identity")) {
      const p = r.public as unknown as SmimeIdentityPublic;
      if (!p.emails.includes(addr)) continue;
      return { certificate: unb64(p.certificate), chain: (p.chain ?? []).map(unb64), privateKeyPkcs8: await this.store.getSecret(r.id) };
    }
    throw new SealbirdError("no-key", `No S/MIME certificate with a private key for ${email}.`, { email });
  }

  /** Certificates to encrypt to, one per address; missing addresses are reported together. */
  async smimeRecipients(emails: string[]): Promise<EncryptRecipient[]> {
    const found: EncryptRecipient[] = [];
    const missing: string[] = [];
    const records = [...(await this.store.listRecords("smime-identity")), ...(await this.store.listRecords("smime-certificate"))];
    for (const email of emails) {
      const addr = email.toLowerCase();
      const matches = records
        .filter((r) => ((r.public["emails"] as string[]) ?? []).includes(addr))
        // The certificate that lasts longest is the newest one the correspondent uses.
        .sort((a, b) => String(b.public["notAfter"]).localeCompare(String(a.public["notAfter"])));
      const r = matches[0];
      if (!r) {
        missing.push(email);
        continue;
      }
      const caps = r.public["capabilities"] as SmimeCertificatePublic["capabilities"];
      found.push({
        certificate: unb64(r.public["certificate"]),
        // Stored as collected from the correspondent's sMIMECapabilities (see remember()).
        capabilities: caps as EncryptRecipient["capabilities"],
      });
    }
    if (missing.length) throw new SealbirdError("recipient-no-key", `No certificate for: ${missing.join(", ")}`, { missing });
    return found;
  }

  // ---- OpenPGP ---------------------------------------------------------------------------

  async importPgp(data: Uint8Array, passphrase?: string): Promise<KeyringEntry[]> {
    const out: KeyringEntry[] = [];
    for (const { key, info } of await importPgpKeys(data, passphrase)) {
      if (key.isPrivate()) out.push(await this.addPgpSecret(key as PrivateKey, info));
      else out.push(await this.addPgpPublic(exportPublicKey(key), info, false));
    }
    return out;
  }

  async generatePgp(userId: { name?: string; email: string }, type: KeyType = "curve25519"): Promise<{ entry: KeyringEntry; revocationCertificate: string }> {
    const g = await generatePgpKey(userId, { type });
    const entry = await this.addPgpSecret(g.privateKey, await keyInfo(g.privateKey));
    return { entry, revocationCertificate: g.revocationCertificate };
  }

  private async addPgpSecret(key: PrivateKey, info: PgpKeyInfo): Promise<KeyringEntry> {
    const existing = await this.byFingerprint("pgp-secret-key", info.fingerprint);
    if (existing) await this.store.removeRecord(existing.id);
    const pub: PgpKeyPublic = { publicKey: exportPublicKey(key), fingerprint: info.fingerprint, emails: info.emails, userIds: info.userIds };
    const label = info.userIds[0] ?? info.fingerprint;
    const id = await this.store.addRecord({ kind: "pgp-secret-key", label, public: { ...pub }, secret: key.write() });
    return { id, kind: "pgp-secret-key", label, fingerprint: info.fingerprint, emails: info.emails, hasSecret: true };
  }

  async addPgpPublic(armored: string, info: PgpKeyInfo, pending: boolean, replaces?: string[]): Promise<KeyringEntry> {
    const existing = await this.byFingerprint("pgp-public-key", info.fingerprint);
    const pub: PgpKeyPublic = { publicKey: armored, fingerprint: info.fingerprint, emails: info.emails, userIds: info.userIds, ...(pending ? { pending, replaces } : {}) };
    const label = info.userIds[0] ?? info.fingerprint;
    let id: string;
    if (existing) {
      id = existing.id;
      // Refreshing a known key (new signatures, new expiry) keeps its accepted state.
      await this.store.updateRecord(id, { public: { ...pub, pending: existing.public["pending"] === true && pending } });
    } else {
      id = await this.store.addRecord({ kind: "pgp-public-key", label, public: { ...pub } });
    }
    return { id, kind: "pgp-public-key", label, fingerprint: info.fingerprint, emails: info.emails, hasSecret: false, pending };
  }

  /** Accepting a pending key retires the keys it replaces. */
  async acceptPgpKey(id: string): Promise<void> {
    const r = await this.store.getRecord(id);
    const replaces = (r.public["replaces"] as string[] | undefined) ?? [];
    for (const other of await this.store.listRecords("pgp-public-key")) {
      if (replaces.includes(String(other.public["fingerprint"]))) await this.store.removeRecord(other.id);
    }
    await this.store.updateRecord(id, { public: { ...r.public, pending: false, replaces: [] } });
  }

  async pgpContext(): Promise<PgpContext> {
    const secretKeys = [];
    if (this.store.isUnlocked) {
      for (const r of await this.store.listRecords("pgp-secret-key")) secretKeys.push({ key: await this.store.getSecret(r.id) });
    }
    const publicKeys: string[] = [];
    for (const r of await this.store.listRecords("pgp-public-key")) {
      if (r.public["pending"] !== true) publicKeys.push(String(r.public["publicKey"]));
    }
    for (const r of await this.store.listRecords("pgp-secret-key")) publicKeys.push(String(r.public["publicKey"]));
    return { secretKeys, publicKeys };
  }

  /** Key IDs (primary and subkeys, 16 upper-case hex digits) of the OpenPGP keys we hold secrets for: public facts. */
  async pgpSecretKeyIds(): Promise<string[]> {
    const ids = new Set<string>();
    for (const r of await this.store.listRecords("pgp-secret-key")) {
      for (const key of await parseKeys(String(r.public["publicKey"]))) {
        for (const id of key.getKeyIDs()) ids.add(id.toHex().toUpperCase());
      }
    }
    return [...ids].sort();
  }

  async pgpKnownInfos(): Promise<Array<{ fingerprint: string; emails: string[] }>> {
    const out = [];
    for (const kind of ["pgp-public-key", "pgp-secret-key"]) {
      for (const r of await this.store.listRecords(kind)) out.push({ fingerprint: String(r.public["fingerprint"]), emails: (r.public["emails"] as string[]) ?? [] });
    }
    return out;
  }

  async pgpSecretFor(email: string): Promise<Uint8Array> {
    const addr = email.toLowerCase();
    for (const r of await this.store.listRecords("pgp-secret-key")) {
      if (((r.public["emails"] as string[]) ?? []).includes(addr)) return this.store.getSecret(r.id);
    }
    throw new SealbirdError("no-key", `No OpenPGP secret key for ${email}.`, { email });
  }

  async pgpPublicFor(emails: string[]): Promise<string[]> {
    const out: string[] = [];
    const missing: string[] = [];
    const records = [...(await this.store.listRecords("pgp-secret-key")), ...(await this.store.listRecords("pgp-public-key"))].filter((r) => r.public["pending"] !== true);
    for (const email of emails) {
      const r = records.find((x) => ((x.public["emails"] as string[]) ?? []).includes(email.toLowerCase()));
      if (r) out.push(String(r.public["publicKey"]));
      else missing.push(email);
    }
    if (missing.length) throw new SealbirdError("recipient-no-key", `No OpenPGP key for: ${missing.join(", ")}`, { missing });
    return out;
  }

  // ---- learning from received mail -------------------------------------------------------

  /**
   * Remembers what a received message teaches: S/MIME certificates (with sMIMECapabilities)
   * from valid signatures; OpenPGP keys from Autocrypt headers and, in validly signed mail,
   * attached keys. A different key for a known address is stored as pending, never in place.
   */
  async learnFrom(result: InspectResult): Promise<Learned> {
    const learned: Learned = { certificates: [], pgpKeys: [] };
    const valid = result.status.signature.state === "valid";
    if (valid) {
      for (const layer of result.layers as SmimeLayerResult[]) {
        for (const c of layer.collected ?? []) {
          const caps = c.capabilities;
          learned.certificates.push(
            await this.addCertificate(c.certificate, "smime-certificate", {
              chain: c.chain.map(b64),
              ...(caps ? { capabilities: { aesGcm: caps.aesGcm, aesCbc: caps.aesCbc, oaep: caps.oaep, oaepHash: caps.oaepHash } } : {}),
            }),
          );
        }
      }
    }
    const fromHeader = getHeader(result.top, "from");
    const from = fromHeader ? findAddress(fromHeader) : undefined;
    // collectPgpKeys compares by fingerprint and e-mail only.
    const known = (await this.pgpKnownInfos()) as PgpKeyInfo[];
    const sources = result.view && result.view !== result.top ? [result.top, result.view] : [result.top];
    for (const entity of sources) {
      const found = await collectPgpKeys(entity, from, known, { signed: valid });
      for (const k of found.new) learned.pgpKeys.push(await this.addPgpPublic(k.armored, k.info, false));
      for (const k of found.changed) learned.pgpKeys.push(await this.addPgpPublic(k.armored, k.info, true, k.replaces));
    }
    return learned;
  }
}
