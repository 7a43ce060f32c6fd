/**
 * Mail as other tools write it, for the message-level tests: S/MIME by the real openssl, OpenPGP
 * by the real gpg, and the RFC 5322 header section and any outer MIME assembled by hand around
 * their output (the way a test of "what arrives" must: our own writer is not the oracle).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makePki, type TestIdentity, type TestPki } from "../smime/pki.js";
import { Gpg, crlf, dec } from "../pgp/gpg.js";
import type { LayerOpener } from "../../src/core/message/inspect.js";
import { smimeOpener } from "../../src/core/message/smime-adapter.js";
import { pgpOpener } from "../../src/core/message/pgp-adapter.js";
import type { PgpContext } from "../../src/core/pgp/index.js";

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const latin1 = (b: Uint8Array): string => Buffer.from(b).toString("latin1");
export const fromLatin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "latin1"));

/** An RFC 5322 Date `offsetMs` away from now. */
export function dateHeader(offsetMs = 0): string {
  return new Date(Date.now() + offsetMs).toUTCString();
}

/** The usual header section around `from` (any raw value, or several lines: pass them in `from`). */
export function head(from: string | string[] | null, extra = ""): string {
  const froms = from === null ? [] : Array.isArray(from) ? from : [from];
  return `${froms.map((f) => `From: ${f}\r\n`).join("")}To: Bob <bob@example.org>\r\nSubject: Test\r\nDate: ${dateHeader()}\r\n${extra}`;
}

/** `entity` (a MIME entity, CRLF) as a whole message with the header fields `h` (UTF-8) before it. */
export function message(h: string, entity: Uint8Array | string): Uint8Array {
  return new Uint8Array(Buffer.concat([Buffer.from(h, "utf8"), typeof entity === "string" ? Buffer.from(entity, "utf8") : Buffer.from(entity)]));
}

export const TEXT = crlf("Content-Type: text/plain; charset=utf-8\n\nThe quarterly figures are attached.\n");

export class MailKit {
  pki!: TestPki;
  gpg!: Gpg;
  pgpCtx!: PgpContext;
  openers!: LayerOpener[];
  private n = 0;

  static async create(): Promise<MailKit> {
    const k = new MailKit();
    k.pki = await makePki();
    k.gpg = new Gpg();
    k.gpg.genKey("Alice <alice@example.org>", "ed25519");
    k.gpg.genKey("Bob <bob@example.org>", "ed25519");
    k.gpg.genKey("Eve <eve@example.org>", "ed25519");
    k.pgpCtx = {
      secretKeys: [{ key: k.gpg.exportSecret("bob@example.org"), passphrase: "pw" }],
      publicKeys: ["alice@example.org", "bob@example.org", "eve@example.org"].map((u) => k.gpg.exportPublic(u)),
    };
    const smimeCtx = {
      identities: [{ ...k.pki.bob, chain: [k.pki.intermediate.certificate] }],
      trustAnchors: [k.pki.root.certificate],
      knownCertificates: [k.pki.intermediate.certificate],
    };
    k.openers = [smimeOpener(smimeCtx), pgpOpener(k.pgpCtx)];
    return k;
  }

  dispose(): void {
    this.gpg?.dispose();
  }

  private file(data: Uint8Array | string): string {
    const name = `kit-${process.pid}-${++this.n}`;
    writeFileSync(join(this.pki.dir, name), data);
    return name;
  }

  /** openssl cms with `args`, input `inner`, output read back (CRLF). */
  openssl(args: string[], inner: Uint8Array | string): Uint8Array {
    const input = this.file(inner);
    const out = `${input}.out`;
    this.pki.openssl(["cms", ...args.slice(0, 1), "-in", input, "-out", out, ...args.slice(1)]);
    return fromLatin1(crlf(latin1(new Uint8Array(readFileSync(join(this.pki.dir, out))))));
  }

  /** S/MIME multipart/signed by `who` over `inner` (an entity), as openssl writes it. */
  smimeSigned(who: TestIdentity, inner: Uint8Array | string, extra: string[] = []): Uint8Array {
    return this.openssl(["-sign", "-signer", who.certPath, "-inkey", who.keyPath, "-certfile", join(this.pki.dir, "intermediate.pem"), ...extra], inner);
  }

  /** S/MIME opaque signed-data (application/pkcs7-mime; smime-type=signed-data). */
  smimeOpaque(who: TestIdentity, inner: Uint8Array | string, extra: string[] = []): Uint8Array {
    return this.smimeSigned(who, inner, ["-nodetach", ...extra]);
  }

  /** S/MIME enveloped-data for `to` (openssl's default AES-256-CBC unless `extra` says otherwise). */
  smimeEncrypted(to: TestIdentity[], inner: Uint8Array | string, extra: string[] = []): Uint8Array {
    return this.openssl(["-encrypt", "-aes256", ...extra, ...to.map((t) => t.certPath)], inner);
  }

  /** gpg, armored output. */
  gpgArmor(args: string[], input: Uint8Array | string): string {
    return dec(this.gpg.run(["--armor", "--output", "-", ...args], { input }).stdout);
  }

  /**
   * PGP/MIME multipart/signed by `signer` over `inner` (a CRLF entity), detached signature by
   * gpg. `signOver`: the bytes really signed, when a test needs a signature that does not match.
   */
  pgpSigned(signer: string, inner: string | Uint8Array, signOver?: string): Uint8Array {
    if (typeof inner !== "string") inner = latin1(inner);
    const f = this.gpg.write(`to-sign-${++this.n}`, fromLatin1(signOver ?? inner));
    const sig = dec(this.gpg.run(["--armor", "--output", "-", "--local-user", signer, "--detach-sign", f]).stdout);
    return fromLatin1(
      `MIME-Version: 1.0\r\nContent-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="sig-${this.n}"\r\n\r\n` +
        `--sig-${this.n}\r\n${inner}\r\n--sig-${this.n}\r\nContent-Type: application/pgp-signature; name="signature.asc"\r\n\r\n${crlf(sig.trim())}\r\n--sig-${this.n}--\r\n`,
    );
  }

  /** The armored OpenPGP message for `to`, optionally signed in the same message by `signer`. */
  pgpArmored(to: string, inner: Uint8Array | string, signer?: string): string {
    return this.gpgArmor([...(signer ? ["--sign", "--local-user", signer] : []), "--encrypt", "--recipient", to], inner);
  }

  /** PGP/MIME multipart/encrypted around gpg's armored output. */
  pgpEncrypted(to: string, inner: Uint8Array | string, signer?: string): Uint8Array {
    return enc(pgpMime(this.pgpArmored(to, inner, signer), `enc-${++this.n}`));
  }
}

/** RFC 3156 multipart/encrypted around an armored message. */
export function pgpMime(armored: string, boundary: string): string {
  return (
    `MIME-Version: 1.0\r\nContent-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="${boundary}"\r\n\r\n` +
    `This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n--${boundary}\r\nContent-Type: application/pgp-encrypted\r\nContent-Description: PGP/MIME version identification\r\n\r\nVersion: 1\r\n\r\n` +
    `--${boundary}\r\nContent-Type: application/octet-stream; name="encrypted.asc"\r\nContent-Description: OpenPGP encrypted message\r\nContent-Disposition: inline; filename="encrypted.asc"\r\n\r\n` +
    `${crlf(armored.trim())}\r\n\r\n--${boundary}--\r\n`
  );
}

/** Drops an entity's leading "MIME-Version" line (openssl writes one) so it can sit inside another. */
export function asPart(entity: Uint8Array): Uint8Array {
  return fromLatin1(latin1(entity).replace(/^MIME-Version: 1\.0\r\n/i, ""));
}
