// nginx from Debian as a test web server on 127.0.0.1: its own config, logs and temp files in
// a temp dir, in the foreground (master_process off), never the system service.
//
//   const web = await startNginx({ root: dir, http: 0, https: { port: 0, cert, key },
//                                  locations: { "/ocsp": "proxy_pass http://127.0.0.1:9999;" } });
//   web.httpPort, web.httpsPort, web.url("/crl.der"), web.httpsUrl("/x"); await web.stop();
//
// `http`/`https.port`: a port, or 0 for a free one; omit one to leave it out. `locations`: path
// -> nginx directives inside `location PATH { ... }`, in both servers.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, spawnServer, waitForPort, withRetries } from "./process.mjs";

const TYPES = `types {
    application/pkix-crl crl;
    application/pkix-cert cer;
    application/ocsp-response ocsp;
    application/pgp-keys asc;
    text/plain txt;
  }
  default_type application/octet-stream;`;

/**
 * @param {{ root: string, http?: number, https?: { port?: number, cert: string, key: string }, locations?: Record<string,string> }} o
 * @returns {Promise<{ httpPort?: number, httpsPort?: number, url(p: string): string, httpsUrl(p: string): string, dir: string, stop(): Promise<void> }>}
 */
export function startNginx({ root, http, https, locations = {} }) {
  return withRetries(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealbird-nginx-"));
    for (const d of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) fs.mkdirSync(path.join(dir, d));
    const httpPort = http === undefined ? undefined : http || (await freePort());
    const httpsPort = https === undefined ? undefined : https.port || (await freePort());
    const locs = Object.entries(locations)
      .map(([p, body]) => `    location ${p} { ${body} }`)
      .join("\n");
    const server = (listen, extra = "") => `  server {
    listen ${listen};
    server_name localhost;
    root ${root};
${extra}
${locs}
  }`;
    const conf = `master_process off;
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  ${TYPES}
${httpPort ? server(`127.0.0.1:${httpPort}`) : ""}
${httpsPort ? server(`127.0.0.1:${httpsPort} ssl`, `    ssl_certificate ${https.cert};\n    ssl_certificate_key ${https.key};`) : ""}
}
`;
    fs.writeFileSync(path.join(dir, "nginx.conf"), conf);
    const proc = spawnServer("nginx", ["-p", dir, "-e", path.join(dir, "error.log"), "-c", path.join(dir, "nginx.conf")], { name: "nginx" });
    try {
      for (const p of [httpPort, httpsPort]) if (p) await waitForPort(p, proc);
    } catch (e) {
      const log = fs.existsSync(path.join(dir, "error.log")) ? fs.readFileSync(path.join(dir, "error.log"), "utf8") : "";
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`${e.message}\n${log}`, { cause: e });
    }
    return {
      httpPort,
      httpsPort,
      dir,
      url: (p) => `http://127.0.0.1:${httpPort}${p}`,
      httpsUrl: (p) => `https://127.0.0.1:${httpsPort}${p}`,
      async stop() {
        await proc.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  });
}
