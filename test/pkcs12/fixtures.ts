/**
 * Keys, certificates and PKCS#12 files made by the real openssl at test time, so the tests
 * read what openssl writes (and check what openssl reads), not what our own code would make.
 *
 *   alice: RSA-2048, self-signed     bob: EC P-256, self-signed     carol: EC P-384, self-signed
 *   dave:  RSA-2048 leaf ── intermediate CA (P-256) ── root CA (P-256); chain.pem = both CAs
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Identity {
  name: string;
  keyPath: string;
  certPath: string;
  /** `openssl pkcs8 -topk8 -nocrypt -outform DER`: the PKCS#8 openssl holds (`pkey -outform DER` gives RSAPrivateKey). */
  pkcs8: Uint8Array;
  /** `openssl x509 -outform DER`. */
  certDer: Uint8Array;
}

export interface Fixtures {
  dir: string;
  alice: Identity;
  bob: Identity;
  carol: Identity;
  dave: Identity;
  root: Identity;
  intermediate: Identity;
  chainPath: string;
  openssl(args: string[], input?: Uint8Array): Buffer;
  /** stdout + stderr of a successful run (`pkcs12 -info` prints its findings on stderr). */
  opensslAllOutput(args: string[]): string;
  /** `openssl pkcs12 -export` with the given extra arguments; returns the file. */
  makeP12(id: Identity, password: string, extra?: string[]): Uint8Array;
  write(name: string, data: Uint8Array): string;
  /** The SubjectPublicKeyInfo openssl derives from a PKCS#8 DER key. */
  publicKeyOf(pkcs8: Uint8Array): Buffer;
  /** The DER of every certificate in a PEM bundle, in order. */
  pemCertsToDer(pem: string): Uint8Array[];
}

export function createFixtures(): Fixtures {
  const dir = mkdtempSync(join(tmpdir(), "sealbird-p12-"));
  const openssl = (args: string[], input?: Uint8Array): Buffer => {
    try {
      return execFileSync("openssl", args, { cwd: dir, input, stdio: ["pipe", "pipe", "pipe"] });
    } catch (e) {
      const err = e as { stderr?: Buffer; status?: number };
      throw new Error(`openssl ${args.join(" ")} failed (${err.status}): ${err.stderr?.toString() ?? ""}`, { cause: e });
    }
  };
  const opensslAllOutput = (args: string[]): string => {
    const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`openssl ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
    return r.stdout + r.stderr;
  };
  const finish = (name: string): Identity => ({
    name,
    keyPath: join(dir, `${name}.key`),
    certPath: join(dir, `${name}.pem`),
    pkcs8: new Uint8Array(openssl(["pkcs8", "-topk8", "-nocrypt", "-in", `${name}.key`, "-outform", "DER"])),
    certDer: new Uint8Array(openssl(["x509", "-in", `${name}.pem`, "-outform", "DER"])),
  });
  const selfSigned = (name: string, newkey: string[], email: string): Identity => {
    openssl([
      "req", "-x509", ...newkey, "-nodes", "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "30",
      "-subj", `/CN=${name}/emailAddress=${email}`, "-addext", `subjectAltName=email:${email}`,
    ]);
    return finish(name);
  };
  const ec = (curve: string): string[] => ["-newkey", "ec", "-pkeyopt", `ec_paramgen_curve:${curve}`];

  const alice = selfSigned("Alice", ["-newkey", "rsa:2048"], "alice@example.org");
  const bob = selfSigned("Bob", ec("P-256"), "bob@example.org");
  const carol = selfSigned("Carol", ec("P-384"), "carol@example.org");

  writeFileSync(join(dir, "ca.ext"), "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n");
  writeFileSync(join(dir, "leaf.ext"), "basicConstraints=CA:FALSE\nsubjectAltName=email:dave@example.org\n");
  openssl(["req", "-x509", ...ec("P-256"), "-nodes", "-keyout", "root.key", "-out", "root.pem", "-days", "30", "-subj", "/CN=Test Root", "-addext", "basicConstraints=critical,CA:TRUE"]);
  const root = finish("root");
  const issue = (name: string, newkey: string[], subj: string, issuer: string, ext: string): Identity => {
    openssl(["req", "-new", ...newkey, "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subj]);
    openssl(["x509", "-req", "-in", `${name}.csr`, "-CA", `${issuer}.pem`, "-CAkey", `${issuer}.key`, "-CAcreateserial", "-days", "30", "-extfile", ext, "-out", `${name}.pem`]);
    return finish(name);
  };
  const intermediate = issue("intermediate", ec("P-256"), "/CN=Test Intermediate", "root", "ca.ext");
  const dave = issue("Dave", ["-newkey", "rsa:2048"], "/CN=Dave/emailAddress=dave@example.org", "intermediate", "leaf.ext");
  const chainPath = join(dir, "chain.pem");
  writeFileSync(chainPath, readFileSync(intermediate.certPath, "utf8") + readFileSync(root.certPath, "utf8"));

  let counter = 0;
  const write = (name: string, data: Uint8Array): string => {
    const p = join(dir, name);
    writeFileSync(p, data);
    return p;
  };
  const makeP12 = (id: Identity, password: string, extra: string[] = []): Uint8Array => {
    const out = join(dir, `made-${++counter}.p12`);
    openssl(["pkcs12", "-export", "-in", id.certPath, "-inkey", id.keyPath, "-out", out, "-passout", `pass:${password}`, ...extra]);
    return new Uint8Array(readFileSync(out));
  };
  const publicKeyOf = (pkcs8: Uint8Array): Buffer => openssl(["pkey", "-inform", "DER", "-pubout", "-outform", "DER"], pkcs8);
  const pemCertsToDer = (pem: string): Uint8Array[] =>
    [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map(
      (m) => new Uint8Array(openssl(["x509", "-outform", "DER"], Buffer.from(m[0]))),
    );
  return { dir, alice, bob, carol, dave, root, intermediate, chainPath, openssl, opensslAllOutput, makeP12, write, publicKeyOf, pemCertsToDer };
}
