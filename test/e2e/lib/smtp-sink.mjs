// SMTP sink on 127.0.0.1 built on the `smtp-server` package: accepts any
// sender/recipient without auth or TLS and keeps every raw message.
//
//   const smtp = await startSmtpSink();
//   smtp.port; smtp.messages() -> [{from, to:[...], raw: Buffer, time}]
//   await smtp.waitForMessages(1);
//   smtp.setRefusing(true)   // "SMTP down": connections are answered 421
//   smtp.reset(); await smtp.close();
//
// `setRefusing(true)` keeps the port open but answers every new connection
// and every MAIL FROM with "421 Service not available", which Thunderbird
// reports as a send failure.
// For "nothing listening at all", close() the sink and reuse its port.

import { SMTPServer } from "smtp-server";

/**
 * @param {{port?: number, onMessage?: (m: {from: string|null, to: string[], raw: Buffer, time: number}) => void}} [o]
 *   port 0 (default) = ephemeral; onMessage is called for each message as it arrives
 */
export async function startSmtpSink({ port = 0, onMessage } = {}) {
  let log = [];
  let refusing = false;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["AUTH", "STARTTLS"],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    size: 50 * 1024 * 1024,
    onConnect(session, cb) {
      if (refusing) {
        const err = new Error("Service not available (e2e: SMTP down)");
        err.responseCode = 421;
        return cb(err);
      }
      cb();
    },
    // Thunderbird keeps an SMTP connection open between sends
    // (mail.smtpserver.default.quit_delay_ms), so refusing only new
    // connections is not enough: refuse each transaction too.
    onMailFrom(address, session, cb) {
      if (refusing) {
        const err = new Error("Service not available (e2e: SMTP down)");
        err.responseCode = 421;
        return cb(err);
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks = [];
      stream.on("data", (c) => chunks.push(c));
      stream.on("end", () => {
        const m = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          time: Date.now(),
        };
        log.push(m);
        cb();
        try {
          onMessage?.(m);
        } catch (e) {
          console.error(`SMTP sink: onMessage failed: ${e.message}`);
        }
      });
    },
  });
  server.on("error", () => {}); // client resets are not our failures
  await new Promise((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const actualPort = server.server.address().port;
  return {
    port: actualPort,
    messages: () => log.slice(),
    reset: () => {
      log = [];
    },
    setRefusing: (on) => {
      refusing = !!on;
    },
    async waitForMessages(n, ms = 15_000) {
      const deadline = Date.now() + ms;
      while (log.length < n) {
        if (Date.now() > deadline) throw new Error(`SMTP sink: expected ${n} message(s), got ${log.length} after ${ms} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return log.slice();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
