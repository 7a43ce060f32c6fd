// A throw-away S/MIME CA made by the real openssl at test time, whose certificates point at
// the test's own OCSP responder and CRL server (AIA / CRL distribution points on 127.0.0.1).
//
//   const pki = makeRevocationPki();
//   const dave = pki.issue("dave", "dave@example.org", { ocsp: [ocspUrl], crl: [crlUrl] });
//   pki.revoke("dave"); pki.writeCrl(path.join(webRoot, "ca.crl"));
//   pki.p12("dave", "pw") -> path of a PKCS#12 (key + certificate)
// (TLS certificates for the servers come from ./test-ca.mjs.)
//
// `openssl ca` keeps the index file the OCSP responder answers from (pki.indexPath).

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const CA_CONF = `
[ ca ]
default_ca = smime
[ smime ]
dir = .
database = index.txt
serial = serial
new_certs_dir = newcerts
certificate = ca.pem
private_key = ca.key
default_md = sha256
default_days = 365
default_crl_days = 7
policy = any
copy_extensions = none
unique_subject = no
[ any ]
commonName = supplied
emailAddress = optional
[ ca_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
`;

function openssl(dir, args, input) {
  try {
    return execFileSync("openssl", args, { cwd: dir, input, stdio: ["pipe", "pipe", "pipe"] });
  } catch (e) {
    throw new Error(`openssl ${args.join(" ")}: ${e.stderr?.toString() ?? e.message}`, { cause: e });
  }
}

/**
 * @param {{ name?: string }} [o]
 */
export function makeRevocationPki({ name = "Sealbird Revocation Test CA" } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealbird-rpki-"));
  const run = (args, input) => openssl(dir, args, input);
  fs.writeFileSync(path.join(dir, "ca.cnf"), CA_CONF);
  fs.writeFileSync(path.join(dir, "index.txt"), "");
  fs.writeFileSync(path.join(dir, "index.txt.attr"), "unique_subject = no\n");
  fs.writeFileSync(path.join(dir, "serial"), "2000\n");
  fs.mkdirSync(path.join(dir, "newcerts"));
  run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-subj", `/O=Sealbird Test/CN=${name}`, "-days", "3650", "-sha256",
    "-config", "ca.cnf", "-extensions", "ca_ext"]);

  const der = (pem) => run(["x509", "-in", pem, "-outform", "DER"]);
  const issued = new Map();

  return {
    dir,
    caPath: path.join(dir, "ca.pem"),
    caKeyPath: path.join(dir, "ca.key"),
    caDer: der("ca.pem"),
    indexPath: path.join(dir, "index.txt"),

    /**
     * A leaf for S/MIME (sign + encrypt). `ocsp` / `crl`: URLs for AIA and CRL distribution
     * points; `dates`: [start, end] as YYYYMMDDHHMMSSZ.
     * @returns {{ name: string, email: string, certPath: string, keyPath: string, certificate: Buffer }}
     */
    issue(leaf, email, { ocsp = [], crl = [], dates, keyUsage = "critical,digitalSignature,nonRepudiation,keyEncipherment" } = {}) {
      const ext = [
        "[ leaf ]",
        "basicConstraints = critical,CA:FALSE",
        `keyUsage = ${keyUsage}`,
        "extendedKeyUsage = emailProtection",
        "subjectKeyIdentifier = hash",
        "authorityKeyIdentifier = keyid",
        `subjectAltName = email:${email}`,
        ...(ocsp.length ? [`authorityInfoAccess = ${ocsp.map((u) => `OCSP;URI:${u}`).join(",")}`] : []),
        ...(crl.length ? [`crlDistributionPoints = ${crl.map((u) => `URI:${u}`).join(",")}`] : []),
      ].join("\n");
      fs.writeFileSync(path.join(dir, `${leaf}.ext`), ext + "\n");
      run(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", `${leaf}.key`, "-out", `${leaf}.csr`, "-subj", `/CN=${leaf}/emailAddress=${email}`]);
      const dateArgs = dates ? ["-startdate", dates[0], "-enddate", dates[1]] : [];
      run(["ca", "-batch", "-config", "ca.cnf", "-extfile", `${leaf}.ext`, "-extensions", "leaf", "-in", `${leaf}.csr`, "-out", `${leaf}.pem`, "-notext", ...dateArgs]);
      const id = { name: leaf, email, certPath: path.join(dir, `${leaf}.pem`), keyPath: path.join(dir, `${leaf}.key`), certificate: der(`${leaf}.pem`) };
      issued.set(leaf, id);
      return id;
    },

    revoke(leaf) {
      run(["ca", "-batch", "-config", "ca.cnf", "-revoke", `${leaf}.pem`]);
    },

    /** A DER CRL of the CA at `out` (valid for `days`). */
    writeCrl(out, { days = 7 } = {}) {
      run(["ca", "-batch", "-config", "ca.cnf", "-gencrl", "-crldays", String(days), "-out", "crl.pem"]);
      run(["crl", "-in", "crl.pem", "-outform", "DER", "-out", out]);
      return out;
    },

    /** PKCS#12 with the leaf's key and certificate (AES, as current openssl writes it). */
    p12(leaf, password) {
      const out = path.join(dir, `${leaf}.p12`);
      run(["pkcs12", "-export", "-inkey", `${leaf}.key`, "-in", `${leaf}.pem`, "-certfile", "ca.pem", "-name", leaf, "-passout", `pass:${password}`, "-out", out]);
      return out;
    },

    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
