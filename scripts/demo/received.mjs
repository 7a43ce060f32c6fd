// What `npm start` prints for each message its SMTP sink receives: envelope, the outer
// headers, and — when the demo keys are there — what Bob can read of it, opened with the real
// openssl and gpg and his own keys only (so the terminal shows the reply really was encrypted
// for him). A preview for a person, not a check: the e2e suites assert sent mail byte by byte.

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const PREVIEW_LINES = 6;

/** The unfolded top-level header block as [name, value] pairs. */
function headersOf(text) {
  const end = text.search(/\r?\n\r?\n/);
  const block = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, " ");
  return block.split(/\r?\n/).map((l) => {
    const i = l.indexOf(":");
    return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()];
  });
}
const header = (text, name) => headersOf(text).find(([n]) => n === name)?.[1] ?? "";

function tool(cmd, args, env) {
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  const err = String(r.stderr ?? r.error?.message ?? "");
  return { ok: r.status === 0, out: r.stdout ?? Buffer.alloc(0), stderr: err, err: err.trim().split("\n")[0] };
}

/** The first text/plain part's text (base64 and quoted-printable decoded), for the preview. */
function firstText(mime) {
  const at = mime.search(/^Content-Type:\s*text\/plain/im);
  if (at < 0) return "";
  const rest = mime.slice(at);
  const bodyAt = rest.search(/\r?\n\r?\n/);
  const head = rest.slice(0, bodyAt).replace(/\r?\n[ \t]+/g, " ");
  let body = rest.slice(bodyAt).replace(/^\r?\n\r?\n/, "");
  const next = body.search(/\r?\n--[^\r\n]+/);
  if (next >= 0) body = body.slice(0, next);
  const cte = /^Content-Transfer-Encoding:\s*(\S+)/im.exec(head)?.[1]?.toLowerCase();
  if (cte === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (cte === "quoted-printable") return Buffer.from(body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))), "latin1").toString("utf8");
  return body;
}

/** Opens the message as Bob would: decrypted with his key, the inner signature checked. */
function readAsBob(file, raw, keysDir) {
  const type = header(raw, "content-type").toLowerCase();
  const work = path.join(path.dirname(file), ".work");
  fs.mkdirSync(work, { recursive: true });
  const lines = [];
  let inner = null;
  if (/application\/(x-)?pkcs7-mime/.test(type)) {
    const d = tool("openssl", ["cms", "-decrypt", "-in", file, "-inkey", path.join(keysDir, "bob.key"), "-recip", path.join(keysDir, "bob.pem")]);
    lines.push(`S/MIME encrypted — Bob decrypts it (openssl cms -decrypt): ${d.ok ? "ok" : `FAILED: ${d.err}`}`);
    if (d.ok) {
      inner = d.out.toString("latin1");
      if (/multipart\/signed|pkcs7-mime[^\r\n]*signed-data/i.test(header(inner, "content-type"))) {
        const f = path.join(work, "inner.mime");
        fs.writeFileSync(f, d.out);
        const v = tool("openssl", ["cms", "-verify", "-in", f, "-CAfile", path.join(keysDir, "root.pem")]);
        lines.push(`signed inside — openssl cms -verify: ${v.ok ? "ok" : `FAILED: ${v.err}`}`);
        if (v.ok) inner = v.out.toString("latin1");
      }
    }
  } else if (/multipart\/encrypted/.test(type)) {
    const d = tool("gpg", ["--batch", "--no-tty", "--status-fd", "2", "--decrypt", file], { GNUPGHOME: path.join(keysDir, "gnupg-bob") });
    lines.push(`PGP/MIME encrypted — Bob decrypts it (gpg --decrypt): ${d.ok ? "ok" : `FAILED: ${d.err}`}`);
    if (d.ok) {
      inner = d.out.toString("latin1");
      const good = /\[GNUPG:\] GOODSIG \S+ (.*)/.exec(d.stderr);
      lines.push(good ? `signed inside — gpg: good signature from ${good[1]}` : "not signed inside");
    }
  } else if (/multipart\/signed/.test(type)) {
    lines.push("signed, not encrypted");
  } else {
    lines.push("not encrypted");
  }
  if (inner) {
    const subject = header(inner, "subject");
    if (subject) lines.push(`protected Subject: ${subject}`);
    const text = firstText(inner).trim().split(/\r?\n/).slice(0, PREVIEW_LINES);
    lines.push(...text.map((l) => `| ${l}`));
  }
  fs.rmSync(work, { recursive: true, force: true });
  return lines;
}

/**
 * Saves a received message as <dir>/NNN.eml and describes it.
 * @param {{from: string|null, to: string[], raw: Buffer}} m
 * @param {{dir: string, n: number, keysDir?: string}} o  keysDir: the demo's keys (Bob's), if any
 * @returns {string[]} lines to print
 */
export function describeReceived(m, { dir, n, keysDir }) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${String(n).padStart(3, "0")}.eml`);
  fs.writeFileSync(file, m.raw);
  const raw = m.raw.toString("latin1");
  const lines = [
    `from ${m.from} to ${m.to.join(", ")}, ${m.raw.length} bytes`,
    `Subject: ${header(raw, "subject")}`,
    `Content-Type: ${header(raw, "content-type")}`,
  ];
  if (keysDir && fs.existsSync(path.join(keysDir, "bob.key"))) {
    if (m.to.some((t) => /^bob@example\.org$/i.test(t))) lines.push(...readAsBob(file, raw, keysDir));
    else lines.push("(not to bob@example.org: the demo has no keys of this recipient)");
  }
  lines.push(`saved as ${file}`);
  return lines;
}

/** Ends the gpg-agent that reading as Bob may have started. */
export function stopBobAgent(keysDir) {
  tool("gpgconf", ["--kill", "all"], { GNUPGHOME: path.join(keysDir, "gnupg-bob") });
}
