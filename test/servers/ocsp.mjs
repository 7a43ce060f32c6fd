// The OCSP responder of OpenSSL (`openssl ocsp -port`) on 127.0.0.1, answering from an
// `openssl ca` index file.
//
//   const ocsp = await startOcspResponder({ index, ca, rsigner, rkey, port: 0 });
//   ocsp.port, ocsp.url
//   await ocsp.restart();   // after issuing/revoking: the responder reads the index once at start
//   await ocsp.stop();
//
// `-port` takes a number only, so the responder listens on every interface; with port 0 the
// kernel picks one and openssl prints it ("ACCEPT [::]:PORT"), which avoids a free-port race.
// It serves one connection at a time, so there is no connect probe (a probe that connects and
// hangs up leaves it waiting on that socket); the ACCEPT line means it listens.

import { spawnServer } from "./process.mjs";

async function launch({ index, ca, rsigner, rkey, port, ndays, cwd }) {
  const args = ["ocsp", "-index", index, "-port", String(port), "-CA", ca, "-rsigner", rsigner, "-rkey", rkey, "-ndays", String(ndays), "-ignore_err", "-timeout", "2"];
  const proc = spawnServer("openssl", args, { name: "openssl ocsp", cwd });
  const deadline = Date.now() + 15000;
  for (;;) {
    const m = /ACCEPT \S*:(\d+)/.exec(proc.output());
    if (m) return { proc, port: Number(m[1]) };
    if (proc.exited() || Date.now() > deadline) {
      await proc.stop();
      throw new Error(`openssl ocsp did not start:\n${proc.output()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * @param {{ index: string, ca: string, rsigner: string, rkey: string, port?: number, ndays?: number, cwd?: string }} o
 * @returns {Promise<{ port: number, url: string, restart(): Promise<void>, stop(): Promise<void> }>}
 */
export async function startOcspResponder({ index, ca, rsigner, rkey, port = 0, ndays = 1, cwd }) {
  const opts = { index, ca, rsigner, rkey, ndays, cwd };
  let current = await launch({ ...opts, port });
  const fixed = current.port;
  return {
    port: fixed,
    url: `http://127.0.0.1:${fixed}/`,
    async restart() {
      await current.proc.stop();
      for (let i = 0; ; i++) {
        try {
          current = await launch({ ...opts, port: fixed });
          return;
        } catch (e) {
          // The port may still be held for a moment after the old process ended.
          if (i >= 20) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    stop: () => current.proc.stop(),
  };
}
