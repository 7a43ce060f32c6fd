// Key directories on 127.0.0.1 for the discovery tests: a Web Key Directory tree and a
// keyserver (VKS and HKP paths), made at test time by the real gpg (keys, `gpg --export`,
// `gpg-wks-client --print-wkd-hash`) and served by the real nginx over HTTPS with a test CA.
// Every failure a lookup can meet has its own domain:
//
//   dave@advanced.test     WKD advanced method (openpgpkey.advanced.test)
//   erin@direct.test       WKD direct method only (openpgpkey.direct.test does not exist)
//   frank@wronguid.test    the key served has only the user id frank@elsewhere.test
//   gina@junk.test         random bytes instead of a key
//   hal@big.test           an answer of 600 KB (the limit is 512 KiB)
//   ivan@err500.test       HTTP 500
//   judy@nokey.test        HTTP 404 (no key published)
//   kim@slow.test          the answer trickles at 1 byte/s (a timeout)
//   leo@untrusted.test     a certificate from a CA nobody trusts
//   mia@unreachable.test   no server (Thunderbird: the name does not resolve; Node: a closed port)
//   nora@keyserver.test    no WKD; on the keyserver keys.test (VKS)
//   oscar@keyserver.test   no WKD; on the HKP-only keyserver hkp.test
//
//   const kd = await startKeyDirectory();
//   kd.keys.dave -> { email, fingerprint, home }      kd.gpg(args, { home })
//   kd.publishWkd("dave@advanced.test", bytes)        (re)write what WKD serves for an address
//   kd.publishKeyserver("keys.test", armored)  put a key on the VKS (keys.test) or HKP (hkp.test) server
//   kd.uploads        what clients uploaded there (POST /vks/v1/upload, /pks/add: nginx passes them to
//                     a receiver here that imports the key with gpg and serves the merged key after)
//   kd.connectTo     curl-style HOST:PORT:ADDR:PORT list for the CLI (SEALBIRD_CONNECT_TO)
//   kd.localDomains  the host names Thunderbird maps to 127.0.0.1 (network.dns.localDomains)
//   kd.web (nginx), kd.ca (test CA; kd.ca.certPath for NODE_EXTRA_CA_CERTS), await kd.stop()

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { makeTestCa } from "./test-ca.mjs";
import { startNginx } from "./nginx.mjs";

const WKS_CLIENT = ["/usr/lib/gnupg/gpg-wks-client", "/usr/libexec/gpg-wks-client", "gpg-wks-client"].find((p) => !p.startsWith("/") || fs.existsSync(p));

/** The trusted host names (the test CA's server certificate covers them all). */
const TRUSTED = [
  "openpgpkey.advanced.test",
  "advanced.test",
  "direct.test",
  "wronguid.test",
  "junk.test",
  "big.test",
  "err500.test",
  "nokey.test",
  "slow.test",
  "keyserver.test",
  "keys.test",
  "hkp.test",
];

function run(cmd, args, { input, env, home } = {}) {
  try {
    return execFileSync(cmd, args, { input, env: { ...process.env, ...(home ? { GNUPGHOME: home } : {}), ...env }, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(" ")}: ${e.stderr?.toString() ?? e.message}`, { cause: e });
  }
}

/** A closed port on 127.0.0.1 (nothing listens there once this returns). */
async function closedPort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startKeyDirectory() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealbird-keydir-"));
  const home = path.join(dir, "gnupg");
  fs.mkdirSync(home, { mode: 0o700 });
  fs.writeFileSync(path.join(home, "gpg.conf"), "no-auto-key-locate\nno-auto-key-retrieve\ntrust-model always\n");
  const gpg = (args, { input, home: h = home } = {}) => run("gpg", ["--batch", "--yes", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", "", ...args], { input, home: h });
  const fingerprintOf = (email, h = home) => /^fpr:+([0-9A-F]{40}):/m.exec(gpg(["--with-colons", "--fingerprint", `<${email}>`], { home: h }).toString())[1];
  const make = (uid, expiry = "2y") => {
    gpg(["--quick-gen-key", uid, "future-default", "default", expiry]);
    const email = /<([^>]+)>/.exec(uid)[1];
    return { email, fingerprint: fingerprintOf(email) };
  };
  const keys = {
    dave: make("Dave <dave@advanced.test>"),
    erin: make("Erin <erin@direct.test>"),
    frank: make("Frank <frank@elsewhere.test>"),
    nora: make("Nora <nora@keyserver.test>"),
    oscar: make("Oscar <oscar@keyserver.test>"),
  };
  const exportKey = (email, h = home) => gpg(["--export", `<${email}>`], { home: h });
  const hashOf = (email) => {
    // gpg-wks-client prints "<z-base-32 hash> <address>" per user id.
    const out = run(WKS_CLIENT, ["--print-wkd-hash", email]).toString().trim();
    const [hash, addr] = out.split(/\s+/);
    if (addr !== email || !/^[a-z0-9]{32}$/.test(hash)) throw new Error(`unexpected gpg-wks-client output: ${out}`);
    return hash;
  };

  const root = (host) => path.join(dir, "www", host);
  const write = (file, bytes) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
  };
  /** The file WKD serves for `email` (advanced method on advanced.test, direct elsewhere). */
  const wkdFile = (email) => {
    const domain = email.split("@")[1];
    return domain === "advanced.test"
      ? path.join(root(`openpgpkey.${domain}`), ".well-known", "openpgpkey", domain, "hu", hashOf(email))
      : path.join(root(domain), ".well-known", "openpgpkey", "hu", hashOf(email));
  };
  const publishWkd = (email, bytes) => write(wkdFile(email), bytes);

  for (const host of [...TRUSTED, "untrusted.test"]) fs.mkdirSync(root(host), { recursive: true });
  publishWkd("dave@advanced.test", exportKey("dave@advanced.test"));
  publishWkd("erin@direct.test", exportKey("erin@direct.test"));
  publishWkd("frank@wronguid.test", exportKey("frank@elsewhere.test"));
  publishWkd("gina@junk.test", randomBytes(3000));
  publishWkd("hal@big.test", Buffer.concat([exportKey("dave@advanced.test"), randomBytes(600 * 1024)]));
  publishWkd("kim@slow.test", exportKey("dave@advanced.test"));
  publishWkd("leo@untrusted.test", exportKey("dave@advanced.test"));
  // The keyserver: VKS by e-mail and by fingerprint (armored, as keys.openpgp.org answers).
  for (const k of [keys.nora]) {
    const armored = gpg(["--armor", "--export", `<${k.email}>`]);
    write(path.join(root("keys.test"), "vks", "v1", "by-email", k.email), armored);
    write(path.join(root("keys.test"), "vks", "v1", "by-fingerprint", k.fingerprint), armored);
  }
  // The HKP-only server: /pks/lookup?op=get&search=… mapped onto files named after the raw query.
  for (const k of [keys.oscar]) {
    const armored = gpg(["--armor", "--export", `<${k.email}>`]);
    write(path.join(root("hkp.test"), "pks", "get", encodeURIComponent(k.email)), armored);
    write(path.join(root("hkp.test"), "pks", "get", `0x${k.fingerprint}`), armored);
  }

  /** Imports `armored` into the server's gpg home and serves the merged key(s) from `host`. */
  const publishKeyserver = (host, armored) => {
    const out = gpg(["--import", "--import-options", "import-show", "--with-colons"], { input: armored }).toString();
    const fprs = [...new Set([...out.matchAll(/^fpr:+([0-9A-F]{40}):/gm)].map((m) => m[1]))];
    if (!fprs.length) throw new Error("no key in the upload");
    const primary = fprs[0];
    const merged = gpg(["--armor", "--export", primary]);
    const emails = [...gpg(["--with-colons", "--list-keys", primary]).toString().matchAll(/^uid:[^:]*:(?:[^:]*:){7}[^<:]*<([^>]+)>/gm)].map((m) => m[1]);
    if (host === "keys.test") {
      write(path.join(root(host), "vks", "v1", "by-fingerprint", primary), merged);
      for (const e of emails) write(path.join(root(host), "vks", "v1", "by-email", e), merged);
    } else {
      write(path.join(root(host), "pks", "get", `0x${primary}`), merged);
      for (const e of emails) write(path.join(root(host), "pks", "get", encodeURIComponent(e)), merged);
    }
    return primary;
  };
  // What keys.openpgp.org (VKS) and an HKP server do with an upload, behind nginx.
  const uploads = [];
  const receiver = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const host = String(req.headers.host ?? "").replace(/:\d+$/, "");
      const upload = { host, method: req.method, uri: req.url, contentType: String(req.headers["content-type"] ?? "") };
      uploads.push(upload);
      try {
        const keytext = req.url === "/vks/v1/upload" ? JSON.parse(body).keytext : new URLSearchParams(body).get("keytext");
        if (req.method !== "POST" || typeof keytext !== "string") throw new Error("no keytext");
        upload.keytext = keytext;
        const fpr = publishKeyserver(host, keytext);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ key_fpr: fpr, status: {} }));
      } catch (e) {
        res.writeHead(400, { "content-type": "text/plain" }).end(String(e.message));
      }
    });
  });
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const toReceiver = `proxy_pass http://127.0.0.1:${receiver.address().port}; proxy_set_header Host $host;`;

  const ca = makeTestCa({ name: "Sealbird Discovery Test CA" });
  const rogue = makeTestCa({ name: "Nobody Trusts This CA" });
  const trustedCert = ca.issue(TRUSTED);
  const rogueCert = rogue.issue(["untrusted.test"]);
  const vhost = (host, extra = {}) => ({ names: [host], root: root(host), ...extra });
  const web = await startNginx({
    root: path.join(dir, "www", "nokey.test"),
    https: { port: 0, ...trustedCert },
    vhosts: [
      vhost("openpgpkey.advanced.test"),
      vhost("advanced.test"),
      vhost("direct.test"),
      vhost("wronguid.test"),
      vhost("junk.test"),
      vhost("big.test"),
      vhost("err500.test", { locations: { "/": "return 500;" } }),
      vhost("nokey.test"),
      vhost("slow.test", { locations: { "/.well-known/": "limit_rate 1;" } }),
      vhost("keyserver.test"),
      vhost("keys.test", { locations: { "= /vks/v1/upload": toReceiver } }),
      vhost("hkp.test", { locations: { "= /pks/lookup": "try_files /pks/$arg_op/$arg_search =404;", "= /pks/add": toReceiver } }),
      vhost("untrusted.test", rogueCert),
    ],
  });
  const closed = await closedPort();
  const to = `127.0.0.1:${web.httpsPort}`;
  // Specific routes first (the first match wins): the hosts that must not be reached.
  const connectTo = [
    `openpgpkey.direct.test:443:127.0.0.1:${closed}`,
    `openpgpkey.unreachable.test:443:127.0.0.1:${closed}`,
    `unreachable.test:443:127.0.0.1:${closed}`,
    ...[...TRUSTED, "untrusted.test"].map((h) => `${h}:443:${to}`),
    // openpgpkey.<domain> of the other test domains does not exist either.
    `:443:127.0.0.1:${closed}`,
  ];
  return {
    dir,
    home,
    keys,
    gpg,
    exportKey,
    fingerprintOf,
    publishWkd,
    wkdFile,
    publishKeyserver,
    uploads,
    ca,
    web,
    connectTo: connectTo.join(","),
    /** For Thunderbird: every host that has a server (the others fail to resolve, like a missing subdomain). */
    localDomains: [...TRUSTED, "untrusted.test"].join(","),
    async stop() {
      await web.stop();
      await new Promise((resolve) => receiver.close(resolve));
      try {
        run("gpgconf", ["--kill", "all"], { home });
      } catch {
        // no agent running
      }
      ca.dispose();
      rogue.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
