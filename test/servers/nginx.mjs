// The real nginx from Debian, started by a test on 127.0.0.1 (and ::1) as an unprivileged
// foreground process with its whole configuration in a temporary directory.
//
//   const web = await startNginx({
//     root,                                   // document root of the default server
//     http: 0,                                // plain HTTP on a free port (optional)
//     https: { port: 0, cert, key },          // HTTPS on a free port (optional)
//     locations: { "/slow/": "limit_rate 1;" },   // extra `location SPEC { DIRECTIVES }` blocks
//     vhosts: [{ names: ["bad.example"], cert, key, root, locations }],   // more server blocks (SNI / Host)
//   });
//   web.httpPort, web.httpsPort, web.url("/path", { https: true, host })
//   web.requests()   // access log: [{ sni, host, port, method, uri, status, bytes }]
//   await web.stop()
//
// Run as root (CI), nginx is started as the user `nobody` (spawn uid/gid): everything it reads
// is made world-readable and its prefix directory belongs to that user. As another user it runs
// as that user. Ports: nginx cannot report an ephemeral port, so a free one is picked first and a
// start that loses the race is retried with new ports.

import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const NGINX = process.env.NGINX_BIN ?? "/usr/sbin/nginx";
const NOBODY = { uid: 65534, gid: 65534 };
const running = new Set();

process.on("exit", () => {
  for (const child of running) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
});

async function freePort(host = "127.0.0.1") {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

let ipv6Loopback;
async function hasIpv6Loopback() {
  ipv6Loopback ??= await freePort("::1").then(
    () => true,
    () => false,
  );
  return ipv6Loopback;
}

function readableByAll(p) {
  const st = fs.statSync(p);
  fs.chmodSync(p, st.mode | (st.isDirectory() ? 0o755 : 0o644));
  if (st.isDirectory()) for (const e of fs.readdirSync(p)) readableByAll(path.join(p, e));
}

/** nobody must be able to walk down to a document root (mkdtemp makes 0700 directories). */
function traversable(p) {
  for (let d = path.dirname(path.resolve(p)); d !== path.dirname(d); d = path.dirname(d)) {
    const st = fs.statSync(d);
    if ((st.mode & 0o001) === 0) fs.chmodSync(d, st.mode | 0o711);
  }
}

function locationBlocks(locations = {}) {
  return Object.entries(locations)
    .map(([spec, body]) => `    location ${spec} {\n      ${body}\n    }`)
    .join("\n");
}

function listens(port, ssl, v6, isDefault) {
  const flags = `${ssl ? " ssl" : ""}${isDefault ? " default_server" : ""}`;
  return [`    listen 127.0.0.1:${port}${flags};`, ...(v6 ? [`    listen [::1]:${port}${flags};`] : [])].join("\n");
}

function config({ prefix, root, httpPort, httpsPort, https, locations, vhosts, v6 }) {
  const servers = [];
  const tls = (cert, key) => `    ssl_certificate ${cert};\n    ssl_certificate_key ${key};`;
  if (httpPort) {
    servers.push(`  server {\n${listens(httpPort, false, v6, true)}\n    server_name _;\n    root ${root};\n${locationBlocks(locations)}\n  }`);
  }
  if (httpsPort) {
    servers.push(`  server {\n${listens(httpsPort, true, v6, true)}\n    server_name _;\n${tls(https.cert, https.key)}\n    root ${root};\n${locationBlocks(locations)}\n  }`);
  }
  for (const v of vhosts) {
    const lines = [];
    if (httpPort) lines.push(listens(httpPort, false, v6, false));
    if (httpsPort) lines.push(listens(httpsPort, true, v6, false), tls(v.cert ?? https.cert, v.key ?? https.key));
    servers.push(`  server {\n${lines.join("\n")}\n    server_name ${v.names.join(" ")};\n    root ${v.root ?? root};\n${locationBlocks(v.locations)}\n  }`);
  }
  const tmp = (n) => `${n}_temp_path ${prefix}/tmp/${n};`;
  return `daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log info;
events { worker_connections 128; }
http {
  log_format sealbird '$ssl_server_name|$host|$server_port|$request_method|$request_uri|$status|$body_bytes_sent';
  access_log ${prefix}/access.log sealbird;
  ${["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map(tmp).join("\n  ")}
  default_type application/octet-stream;
  types { text/html html; }
  server_tokens off;
  keepalive_timeout 5;
  ssl_protocols TLSv1.2 TLSv1.3;
${servers.join("\n")}
}
`;
}

async function waitListening(ports, child, errorLog, timeoutMs = 15_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = fs.existsSync(errorLog) ? fs.readFileSync(errorLog, "utf8") : "";
      const err = new Error(`nginx exited (${child.exitCode ?? child.signalCode}): ${log.split("\n").filter((l) => /emerg|alert|crit/.test(l)).join(" | ") || log.slice(-500)}`);
      err.addressInUse = /Address already in use/.test(log);
      throw err;
    }
    const up = await Promise.all(
      ports.map(
        (port) =>
          new Promise((resolve) => {
            const s = net.connect({ port, host: "127.0.0.1" }, () => {
              s.destroy();
              resolve(true);
            });
            s.on("error", () => resolve(false));
          }),
      ),
    );
    if (up.every(Boolean)) return;
    if (Date.now() > end) throw new Error(`nginx did not listen on ${ports.join(", ")} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * @param {{ root: string, http?: number, https?: { port?: number, cert: string, key: string },
 *           locations?: Record<string, string>,
 *           vhosts?: { names: string[], cert?: string, key?: string, root?: string, locations?: Record<string, string> }[] }} o
 */
export async function startNginx(o) {
  if (o.http === undefined && !o.https) throw new Error("startNginx needs http and/or https");
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const v6 = await hasIpv6Loopback();
  for (const r of [o.root, ...(o.vhosts ?? []).map((v) => v.root).filter(Boolean)]) {
    readableByAll(r);
    traversable(r);
  }
  for (let attempt = 1; ; attempt++) {
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "sealbird-nginx-"));
    fs.mkdirSync(path.join(prefix, "tmp"));
    const httpPort = o.http === undefined ? 0 : o.http || (await freePort());
    const httpsPort = !o.https ? 0 : o.https.port || (await freePort());
    const conf = path.join(prefix, "nginx.conf");
    fs.writeFileSync(conf, config({ prefix, root: o.root, httpPort, httpsPort, https: o.https, locations: o.locations, vhosts: o.vhosts ?? [], v6 }));
    const errorLog = path.join(prefix, "error.log");
    if (asRoot) {
      fs.chmodSync(prefix, 0o755);
      for (const p of [prefix, path.join(prefix, "tmp"), conf]) fs.chownSync(p, NOBODY.uid, NOBODY.gid);
    }
    const child = spawn(NGINX, ["-p", prefix, "-e", errorLog, "-c", conf], {
      stdio: ["ignore", "ignore", "pipe"],
      ...(asRoot ? NOBODY : {}),
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    running.add(child);
    child.once("exit", () => running.delete(child));
    try {
      await waitListening([httpPort, httpsPort].filter(Boolean), child, errorLog);
    } catch (e) {
      child.kill("SIGKILL");
      fs.rmSync(prefix, { recursive: true, force: true });
      if (e.addressInUse && attempt < 5 && !o.http && !o.https?.port) continue;
      throw new Error(`${e.message}${stderr ? ` (stderr: ${stderr.trim()})` : ""}`, { cause: e });
    }
    const accessLog = path.join(prefix, "access.log");
    let stopped = false;
    return {
      httpPort,
      httpsPort,
      prefix,
      url(p, { https = !!httpsPort, host = "127.0.0.1" } = {}) {
        return `${https ? "https" : "http"}://${host}:${https ? httpsPort : httpPort}${p}`;
      },
      /** The requests nginx logged so far (unbuffered log, written right after each answer). */
      async requests({ settleMs = 200 } = {}) {
        // nginx logs after the answer is sent: a client may be a moment faster than the log.
        await new Promise((r) => setTimeout(r, settleMs));
        if (!fs.existsSync(accessLog)) return [];
        return fs
          .readFileSync(accessLog, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => {
            const [sni, host, port, method, uri, status, bytes] = l.split("|");
            return { sni: sni === "" ? undefined : sni, host, port: Number(port), method, uri, status: Number(status), bytes: Number(bytes) };
          });
      },
      errorLog: () => (fs.existsSync(errorLog) ? fs.readFileSync(errorLog, "utf8") : ""),
      async stop() {
        if (stopped) return;
        stopped = true;
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((r) => child.once("exit", r));
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
          await exited;
          clearTimeout(timer);
        }
        fs.rmSync(prefix, { recursive: true, force: true });
      },
    };
  }
}
