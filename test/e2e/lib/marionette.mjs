// Minimal Marionette client (Gecko's remote-control protocol) over TCP.
//
// Wire format (see remote/marionette/packets.sys.mjs in Gecko):
//   every packet is  `<byteLength>:<utf-8 JSON>`  with no separator between
//   packets. The length counts UTF-8 bytes of the JSON, not JS characters.
//   - on connect the server sends a hello object:
//       {"applicationType":"gecko","marionetteProtocol":3}
//   - a command is     [0, msgId, "Command:Name", params]
//   - its response is  [1, msgId, error|null, result|null]
//     where error is {error, message, stacktrace}.
//
// Only what the e2e harness needs is implemented: NewSession, SetContext
// (chrome|content), ExecuteScript / ExecuteAsyncScript, TakeScreenshot,
// SetTimeouts, Quit. Chrome-context scripts need Thunderbird started with
// `--remote-allow-system-access` (Gecko 138+ refuses them otherwise).

import net from "node:net";

/** Error thrown for a Marionette error response; keeps the remote stack. */
export class MarionetteError extends Error {
  constructor(command, err) {
    super(`${command}: ${err.error}: ${err.message}`);
    this.name = "MarionetteError";
    this.error = err.error;
    this.remoteStack = err.stacktrace;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Marionette {
  /** @param {net.Socket} socket  an already-connected socket */
  constructor(socket) {
    this.socket = socket;
    this.nextId = 1;
    this.pending = new Map(); // msgId -> {resolve, reject, command}
    this.buf = Buffer.alloc(0);
    this.hello = null;
    this.closed = false;
    this.helloWaiter = null;
    socket.on("data", (chunk) => this.#onData(chunk));
    const fail = (why) => {
      this.closed = true;
      const err = new Error(`Marionette connection ${why}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      if (this.helloWaiter) this.helloWaiter.reject(err);
    };
    socket.on("close", () => fail("closed"));
    socket.on("error", (e) => fail(`error: ${e.message}`));
  }

  /**
   * Connects to 127.0.0.1:port, retrying until the port accepts and the
   * hello packet arrives, or `timeoutMs` passes.
   * `portFn` may be a number or an async function returning a port (or
   * null while unknown, e.g. before MarionetteActivePort is written).
   * `abort()` may return a string to stop retrying early (e.g. "process exited").
   */
  static async connect(portFn, { timeoutMs = 60_000, host = "127.0.0.1", abort } = {}) {
    const deadline = Date.now() + timeoutMs;
    let lastErr = "port not known yet";
    while (Date.now() < deadline) {
      const why = abort?.();
      if (why) throw new Error(`Marionette connect aborted: ${why}`);
      const port = typeof portFn === "function" ? await portFn() : portFn;
      if (port) {
        try {
          const socket = await new Promise((resolve, reject) => {
            const s = net.connect({ host, port }, () => resolve(s));
            s.once("error", reject);
            s.setTimeout(5000, () => s.destroy(new Error("connect timeout")));
          });
          socket.setTimeout(0);
          const m = new Marionette(socket);
          await m.#waitHello(Math.max(1000, deadline - Date.now()));
          return m;
        } catch (e) {
          lastErr = e.message;
        }
      }
      await sleep(100);
    }
    throw new Error(`Marionette not reachable within ${timeoutMs} ms (last: ${lastErr})`);
  }

  #waitHello(ms) {
    if (this.hello) return Promise.resolve(this.hello);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("no Marionette hello")), ms);
      this.helloWaiter = {
        resolve: (h) => (clearTimeout(t), resolve(h)),
        reject: (e) => (clearTimeout(t), reject(e)),
      };
    });
  }

  #onData(chunk) {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const colon = this.buf.indexOf(0x3a); // ':'
      if (colon < 0) return;
      const len = Number(this.buf.subarray(0, colon).toString("ascii"));
      if (!Number.isInteger(len)) throw new Error("bad Marionette packet header");
      if (this.buf.length < colon + 1 + len) return;
      const json = this.buf.subarray(colon + 1, colon + 1 + len).toString("utf8");
      this.buf = this.buf.subarray(colon + 1 + len);
      this.#onPacket(JSON.parse(json));
    }
  }

  #onPacket(msg) {
    if (!Array.isArray(msg)) {
      // The hello object.
      this.hello = msg;
      this.helloWaiter?.resolve(msg);
      return;
    }
    const [type, id, error, result] = msg;
    if (type !== 1) return; // we never receive commands
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (error) p.reject(new MarionetteError(p.command, error));
    else p.resolve(result);
  }

  /** Sends one command and resolves with its result (rejects on error). */
  send(command, params = {}) {
    if (this.closed) return Promise.reject(new Error("Marionette connection closed"));
    const id = this.nextId++;
    const body = Buffer.from(JSON.stringify([0, id, command, params]), "utf8");
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, command });
      this.socket.write(Buffer.concat([Buffer.from(`${body.length}:`, "ascii"), body]));
    });
  }

  /** WebDriver:NewSession; must be the first command. */
  async newSession(capabilities = {}) {
    const r = await this.send("WebDriver:NewSession", { capabilities: { alwaysMatch: capabilities } });
    this.sessionId = r.sessionId;
    return r;
  }

  /** "chrome" (privileged, top-level XUL window) or "content". */
  setContext(context) {
    return this.send("Marionette:SetContext", { value: context });
  }

  /** Timeouts in ms: { script, pageLoad, implicit }. */
  setTimeouts(t) {
    return this.send("WebDriver:SetTimeouts", t);
  }

  /**
   * Runs `script` as a function body; `arguments` holds `args`.
   * Returns the (JSON-serialisable) return value.
   */
  async execute(script, args = [], opts = {}) {
    const r = await this.send("WebDriver:ExecuteScript", { script, args, ...opts });
    return r?.value ?? null;
  }

  /**
   * Async variant: the last entry of `arguments` is the resolve callback;
   * the session's script timeout applies.
   */
  async executeAsync(script, args = [], opts = {}) {
    const r = await this.send("WebDriver:ExecuteAsyncScript", { script, args, ...opts });
    return r?.value ?? null;
  }

  /**
   * Convenience: runs an async function body (may use `await`; `arguments`
   * holds `args`); its return value is resolved back. Errors thrown inside are returned as
   * MarionetteError with the remote message.
   */
  async run(asyncBody, args = []) {
    const script = `
      const __done = arguments[arguments.length - 1];
      const __args = Array.prototype.slice.call(arguments, 0, -1);
      (async function () { ${asyncBody} }).apply(null, __args).then(
        (v) => __done({ ok: true, v: v === undefined ? null : v }),
        (e) => __done({ ok: false, e: String(e && e.stack ? e + "\\n" + e.stack : e) }));`;
    const r = await this.executeAsync(script, args);
    if (!r || !r.ok) throw new Error(`remote script failed: ${r ? r.e : "no result"}`);
    return r.v;
  }

  /** Handle of the current (chrome: top-level) window. */
  async windowHandle() {
    return (await this.send("WebDriver:GetWindowHandle")).value;
  }

  /** Handles of all windows (chrome context: every top-level window). */
  async windowHandles() {
    const r = await this.send("WebDriver:GetWindowHandles");
    return Array.isArray(r) ? r : r.value;
  }

  /** Makes `handle` the window that scripts/screenshots target. */
  switchToWindow(handle, { focus = false } = {}) {
    return this.send("WebDriver:SwitchToWindow", { handle, focus });
  }

  /** PNG screenshot as a Buffer. In chrome context: the whole window. */
  async screenshot(params = {}) {
    const r = await this.send("WebDriver:TakeScreenshot", { full: true, hash: false, ...params });
    return Buffer.from(r.value, "base64");
  }

  /** Asks the application to quit; ignores the connection dropping. */
  async quit() {
    try {
      await Promise.race([
        this.send("Marionette:Quit", { flags: ["eForceQuit"] }),
        sleep(5000),
      ]);
    } catch {
      /* connection drop during quit is expected */
    }
    this.close();
  }

  close() {
    this.closed = true;
    this.socket.destroy();
  }
}
