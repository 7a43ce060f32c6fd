// A throw-away TLS certificate authority made by the real openssl at test time, for the HTTPS
// servers the tests start on 127.0.0.1 (nginx). Nothing here is trusted anywhere unless a test
// says so: the CLI through NODE_EXTRA_CA_CERTS, Thunderbird by importing caPem into the test
// profile's NSS store.
//
//   const ca = makeTestCa({ name: "Sealbird Test TLS CA" });
//   const { cert, key } = ca.issue(["openpgpkey.example.org", "example.org"]);   // file paths
//   ca.certPath, ca.pem ; ca.dispose()
//
// Keys are EC P-256 (fast to make); server certificates carry subjectAltName DNS entries and
// extendedKeyUsage serverAuth, valid from yesterday for 30 days.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

function openssl(args, cwd) {
  try {
    return execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    throw new Error(`openssl ${args.join(" ")}: ${e.stderr?.toString() ?? e.message}`, { cause: e });
  }
}

/**
 * @param {{ name?: string, dir?: string }} [o]
 * @returns {{ dir: string, certPath: string, keyPath: string, pem: string,
 *             issue(hostnames: string[], o?: { name?: string }): { cert: string, key: string },
 *             dispose(): void }}
 */
export function makeTestCa({ name = "Sealbird Test TLS CA", dir } = {}) {
  const own = !dir;
  const base = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "sealbird-test-ca-"));
  // nginx may read these as an unprivileged user (see nginx.mjs): world-readable test material.
  fs.chmodSync(base, 0o755);
  const slug = name.replace(/[^A-Za-z0-9]+/g, "-").toLowerCase();
  const keyPath = path.join(base, `${slug}.key`);
  const certPath = path.join(base, `${slug}.pem`);
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keyPath], base);
  openssl(
    [
      "req", "-x509", "-new", "-key", keyPath, "-sha256", "-days", "30", "-subj", `/CN=${name}`,
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
      "-out", certPath,
    ],
    base,
  );
  let serial = 1;
  const issue = (hostnames, { name: cn } = {}) => {
    if (!hostnames.length) throw new Error("issue() needs at least one host name");
    const n = serial++;
    const stem = path.join(base, `${slug}-server-${n}`);
    const ext = `${stem}.ext`;
    fs.writeFileSync(
      ext,
      [
        "basicConstraints=critical,CA:FALSE",
        "keyUsage=critical,digitalSignature",
        "extendedKeyUsage=serverAuth",
        `subjectAltName=${hostnames.map((h) => `DNS:${h}`).join(",")}`,
      ].join("\n") + "\n",
    );
    openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${stem}.key`], base);
    openssl(["req", "-new", "-key", `${stem}.key`, "-subj", `/CN=${cn ?? hostnames[0]}`, "-out", `${stem}.csr`], base);
    // -days from now; a day of slack backwards is not offered by `x509 -req`, so the clocks of
    // client and server (the same machine) agree anyway.
    openssl(
      ["x509", "-req", "-in", `${stem}.csr`, "-CA", certPath, "-CAkey", keyPath, "-set_serial", String(1000 + n), "-days", "30", "-sha256", "-extfile", ext, "-out", `${stem}.pem`],
      base,
    );
    for (const f of [`${stem}.key`, `${stem}.pem`]) fs.chmodSync(f, 0o644);
    return { cert: `${stem}.pem`, key: `${stem}.key` };
  };
  fs.chmodSync(keyPath, 0o644);
  fs.chmodSync(certPath, 0o644);
  return {
    dir: base,
    certPath,
    keyPath,
    pem: fs.readFileSync(certPath, "utf8"),
    issue,
    dispose() {
      if (own) fs.rmSync(base, { recursive: true, force: true });
    },
  };
}
