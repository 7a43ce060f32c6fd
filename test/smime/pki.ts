/**
 * A throw-away test PKI made by the real openssl at test time, so the interop tests read
 * certificates and keys exactly as openssl writes them (not as our own code would).
 *
 *   root CA ── intermediate CA ── alice (RSA-2048), bob (EC P-256), carol (revoked),
 *                                 expired, wrongeku (serverAuth only), weak (RSA-1024)
 *   mallory: self-signed, claims alice@example.org
 *
 * Leaf certificates are issued with `openssl ca` because that is what gives us fixed past
 * validity dates (expired) and a CRL / OCSP index (carol) without extra tooling.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestIdentity {
  name: string;
  email: string;
  /** Paths for the openssl command line. */
  certPath: string;
  keyPath: string;
  /** DER certificate and PKCS#8 DER private key, as the engine takes them. */
  certificate: Uint8Array;
  privateKeyPkcs8: Uint8Array;
}

export interface TestPki {
  dir: string;
  root: TestIdentity;
  intermediate: TestIdentity;
  /** root.pem + intermediate.pem, for openssl -certfile / -CAfile. */
  chainPath: string;
  alice: TestIdentity;
  bob: TestIdentity;
  carol: TestIdentity;
  expired: TestIdentity;
  wrongEku: TestIdentity;
  weak: TestIdentity;
  mallory: TestIdentity;
  /** CRL of the intermediate listing carol, DER. */
  crl: Uint8Array;
  crlPath: string;
  /** OCSP response (signed by the intermediate) saying carol is revoked, DER. */
  ocspCarolRevoked: Uint8Array;
  /** OCSP response saying alice is good, DER. */
  ocspAliceGood: Uint8Array;
  /** Runs openssl in the PKI directory; returns stdout. */
  openssl(args: string[], input?: Uint8Array): Buffer;
}

export function run(cmd: string, args: string[], opts: { cwd: string; input?: Uint8Array; env?: NodeJS.ProcessEnv }): Buffer {
  try {
    return execFileSync(cmd, args, { cwd: opts.cwd, input: opts.input, env: opts.env, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 512 * 1024 * 1024 });
  } catch (e) {
    const err = e as { stderr?: Buffer; status?: number };
    throw new Error(`${cmd} ${args.join(" ")} failed (${err.status}): ${err.stderr?.toString() ?? ""}`, { cause: e });
  }
}

export function pemToDer(pem: string): Uint8Array {
  const b64 = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  return new Uint8Array(Buffer.from(b64, "base64"));
}

const CA_CONF = `
[ ca ]
default_ca = inter
[ inter ]
dir = .
database = index.txt
serial = serial
new_certs_dir = newcerts
certificate = intermediate.pem
private_key = intermediate.key
default_md = sha256
default_days = 365
default_crl_days = 30
policy = any
copy_extensions = none
unique_subject = no
[ any ]
commonName = supplied
emailAddress = optional
[ leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation,keyEncipherment
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = email:$ENV::SAN_EMAIL
[ ecleaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyAgreement
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = email:$ENV::SAN_EMAIL
[ wrongeku ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = email:$ENV::SAN_EMAIL
[ ca_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ ocsp_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
`;

let cached: Promise<TestPki> | undefined;

/** One PKI per test file (vitest runs files in separate processes). */
export function makePki(): Promise<TestPki> {
  cached ??= Promise.resolve().then(build);
  return cached;
}

function build(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "sealbird-pki-"));
  const ossl = (args: string[], input?: Uint8Array, env?: Record<string, string>): Buffer =>
    run("openssl", args, { cwd: dir, input, env: { ...process.env, SAN_EMAIL: "unused@example.org", ...env } });
  writeFileSync(join(dir, "ca.cnf"), CA_CONF);
  writeFileSync(join(dir, "index.txt"), "");
  writeFileSync(join(dir, "serial"), "1000\n");
  mkdirSync(join(dir, "newcerts"));

  const identity = (name: string, email: string): TestIdentity => {
    ossl(["pkcs8", "-topk8", "-nocrypt", "-in", `${name}.key`, "-outform", "DER", "-out", `${name}.p8`]);
    ossl(["x509", "-in", `${name}.pem`, "-outform", "DER", "-out", `${name}.der`]);
    return {
      name,
      email,
      certPath: join(dir, `${name}.pem`),
      keyPath: join(dir, `${name}.key`),
      certificate: new Uint8Array(readFileSync(join(dir, `${name}.der`))),
      privateKeyPkcs8: new Uint8Array(readFileSync(join(dir, `${name}.p8`))),
    };
  };

  // Root: self-signed CA.
  ossl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "root.key", "-out", "root.pem", "-subj", "/O=Sealbird Test/CN=Sealbird Test Root", "-days", "3650", "-sha256",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
  // Intermediate, signed by the root.
  ossl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "intermediate.key", "-out", "intermediate.csr", "-subj", "/O=Sealbird Test/CN=Sealbird Test Intermediate"]);
  ossl(["x509", "-req", "-in", "intermediate.csr", "-CA", "root.pem", "-CAkey", "root.key", "-CAcreateserial", "-out", "intermediate.pem", "-days", "3000", "-sha256",
    "-extfile", "ca.cnf", "-extensions", "ca_ext"]);
  writeFileSync(join(dir, "chain.pem"), readFileSync(join(dir, "root.pem"), "latin1") + readFileSync(join(dir, "intermediate.pem"), "latin1"));

  const leaf = (name: string, email: string, keyArgs: string[], ext: string, dates?: [string, string]): TestIdentity => {
    ossl(["req", "-new", ...keyArgs, "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}/emailAddress=${email}`]);
    const dateArgs = dates ? ["-startdate", dates[0], "-enddate", dates[1]] : [];
    ossl(["ca", "-batch", "-config", "ca.cnf", "-extensions", ext, "-in", `${name}.csr`, "-out", `${name}.pem`, "-notext", ...dateArgs], undefined, { SAN_EMAIL: email });
    return identity(name, email);
  };
  const rsa2048 = ["-newkey", "rsa:2048"];
  const alice = leaf("alice", "alice@example.org", rsa2048, "leaf");
  const bob = leaf("bob", "bob@example.org", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"], "ecleaf");
  const carol = leaf("carol", "carol@example.org", rsa2048, "leaf");
  const expired = leaf("expired", "old@example.org", rsa2048, "leaf", ["20200101000000Z", "20210101000000Z"]);
  const wrongEku = leaf("wrongeku", "server@example.org", rsa2048, "wrongeku");
  const weak = leaf("weak", "weak@example.org", ["-newkey", "rsa:1024"], "leaf");
  // Mallory: self-signed, claims Alice's address.
  ossl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "mallory.key", "-out", "mallory.pem", "-subj", "/CN=Alice/emailAddress=alice@example.org", "-days", "365",
    "-addext", "subjectAltName=email:alice@example.org", "-addext", "extendedKeyUsage=emailProtection"]);
  const mallory = identity("mallory", "alice@example.org");

  // Revoke carol, publish a CRL, and answer OCSP requests from the CA database.
  ossl(["ca", "-batch", "-config", "ca.cnf", "-revoke", "carol.pem"]);
  ossl(["ca", "-batch", "-config", "ca.cnf", "-gencrl", "-out", "crl.pem"]);
  ossl(["crl", "-in", "crl.pem", "-outform", "DER", "-out", "crl.der"]);
  const ocsp = (name: string): Uint8Array => {
    ossl(["ocsp", "-issuer", "intermediate.pem", "-cert", `${name}.pem`, "-reqout", `${name}.ocspreq`, "-no_nonce"]);
    ossl(["ocsp", "-index", "index.txt", "-rsigner", "intermediate.pem", "-rkey", "intermediate.key", "-CA", "intermediate.pem",
      "-reqin", `${name}.ocspreq`, "-respout", `${name}.ocsp`, "-ndays", "2"]);
    return new Uint8Array(readFileSync(join(dir, `${name}.ocsp`)));
  };

  return {
    dir,
    root: identity("root", ""),
    intermediate: identity("intermediate", ""),
    chainPath: join(dir, "chain.pem"),
    alice,
    bob,
    carol,
    expired,
    wrongEku,
    weak,
    mallory,
    crl: new Uint8Array(readFileSync(join(dir, "crl.der"))),
    crlPath: join(dir, "crl.pem"),
    ocspCarolRevoked: ocsp("carol"),
    ocspAliceGood: ocsp("alice"),
    openssl: (args, input) => ossl(args, input),
  };
}
