// Running a real server (slapd, nginx, openssl ocsp) as a child process of the test, on a port
// of 127.0.0.1, in the foreground, and stopping it again. Used by the other modules here.
//
//   const port = await freePort();
//   const proc = spawnServer("nginx", ["-p", dir, "-c", conf], { name: "nginx" });
//   await waitForPort(port, proc);
//   await proc.stop();

import { spawn } from "node:child_process";
import net from "node:net";

const running = new Set();
// A test that dies must not leave servers behind.
process.on("exit", () => {
  for (const child of running) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
});

/** A port on 127.0.0.1 nobody listens on right now (the kernel picks it). */
export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ name: string, cwd?: string, env?: NodeJS.ProcessEnv }} o
 */
export function spawnServer(cmd, args, { name, cwd, env }) {
  const child = spawn(cmd, args, { cwd, env: env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let output = "";
  const keep = (chunk) => {
    output = (output + chunk.toString("latin1")).slice(-8000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let exited = null;
  const exit = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      running.delete(child);
      exited = { code, signal };
      resolve(exited);
    });
    child.once("error", (e) => {
      running.delete(child);
      exited = { code: -1, signal: null, error: e };
      resolve(exited);
    });
  });
  return {
    name,
    child,
    output: () => output,
    exited: () => exited,
    async stop() {
      if (exited) return;
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exit;
      clearTimeout(t);
    },
  };
}

/** Resolves when something accepts TCP connections on the port; rejects if the process exits first. */
export async function waitForPort(port, proc, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const gone = proc.exited();
    if (gone) throw new Error(`${proc.name} exited (${gone.code ?? gone.signal}) before listening on ${port}:\n${proc.output()}`);
    const ok = await new Promise((resolve) => {
      const s = net.connect({ port, host: "127.0.0.1" });
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`${proc.name} did not listen on ${port} within ${timeoutMs} ms:\n${proc.output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A server that was told a port someone else grabbed in between: try again with a new one. */
export async function withRetries(start, tries = 3) {
  let last;
  for (let i = 0; i < tries; i++) {
    try {
      return await start();
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

/**
 * A TCP server that accepts connections and never answers: what a responder behind a dead
 * firewall looks like (for timeouts). Not a protocol server, so Node serves it.
 */
export async function startSilentServer() {
  const sockets = new Set();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on("error", () => undefined);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  return {
    port,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
