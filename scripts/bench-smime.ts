/**
 * S/MIME engine benchmark: sign+encrypt and decrypt+verify of a 1 MB and a 25 MB message
 * (one base64 attachment) by the engine, next to `openssl cms` on the same input in the same
 * run. Never part of the test suite. Wired into `npm run bench`; returns rows for printing.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { smimeSign } from "../src/core/smime/sign.js";
import { smimeEncrypt } from "../src/core/smime/encrypt.js";
import { decryptCms } from "../src/core/smime/enveloped.js";
import { verifyCms } from "../src/core/smime/verify.js";
import { cmsBody } from "../src/core/smime/open.js";
import type { MimeEntity } from "../src/core/mime/entity.js";
import { decodeBody, parseMime } from "../src/core/mime/index.js";
import { attachmentMessage, formatBench, gc, MemoryPeak, type BenchRow } from "./bench-lib.js";

export type SmimeBenchRow = BenchRow;


/** A body-only MimeEntity for the engine's own output (header section, blank line, base64). */
function simpleEntity(raw: Uint8Array): MimeEntity {
  const split = Buffer.from(raw.subarray(0, 4096)).indexOf("\r\n\r\n") + 4;
  return {
    path: "",
    raw,
    headerBytes: raw.subarray(0, split),
    body: raw.subarray(split),
    headers: [],
    contentType: { type: "application", subtype: "pkcs7-mime", params: {} },
    transferEncoding: "base64",
    children: [],
  };
}

/** Splits the multipart/signed we write into first-part bytes and signature DER. */
function splitSigned(raw: Uint8Array): { content: Uint8Array; signature: Uint8Array } {
  const e = parseMime(raw);
  return { content: e.children[0]!.raw, signature: decodeBody(e.children[1]!) };
}


export async function benchSmime(sizes: number[] = [1 << 20, 25 << 20]): Promise<SmimeBenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "sealbird-bench-"));
  const ossl = (args: string[]): void => {
    execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 30 });
  };
  try {
    ossl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out", "c.pem", "-subj", "/CN=bench/emailAddress=bench@example.org", "-days", "2",
      "-addext", "subjectAltName=email:bench@example.org", "-addext", "keyUsage=digitalSignature,keyEncipherment", "-addext", "extendedKeyUsage=emailProtection"]);
    ossl(["pkcs8", "-topk8", "-nocrypt", "-in", "k.pem", "-outform", "DER", "-out", "k.der"]);
    ossl(["x509", "-in", "c.pem", "-outform", "DER", "-out", "c.der"]);
    const id = { privateKeyPkcs8: new Uint8Array(readFileSync(join(dir, "k.der"))), certificate: new Uint8Array(readFileSync(join(dir, "c.der"))), chain: [] };
    const ctx = { identities: [id], trustAnchors: [id.certificate], knownCertificates: [] };
    const rows: SmimeBenchRow[] = [];
    for (const size of sizes) {
      const label = `${Math.round(size / 1048576)} MB`;
      const msg = attachmentMessage(size);
      writeFileSync(join(dir, "msg.eml"), msg);
      gc?.();

      // Engine: sign, then encrypt (AES-256-CBC, RSA v1.5: the no-capability default).
      let mem = new MemoryPeak();
      let t = performance.now();
      const signed = await smimeSign(msg, id);
      const encrypted = await smimeEncrypt(signed, [{ certificate: id.certificate }]);
      const engineSign = performance.now() - t;
      const m1 = mem.stop();
      writeFileSync(join(dir, "ours.p7m"), encrypted);

      t = performance.now();
      ossl(["cms", "-sign", "-binary", "-in", "msg.eml", "-signer", "c.pem", "-inkey", "k.pem", "-out", "o-signed.eml"]);
      ossl(["cms", "-encrypt", "-aes256", "-binary", "-in", "o-signed.eml", "-out", "o-enc.p7m", "c.pem"]);
      const osslSign = performance.now() - t;
      rows.push({ size: label, operation: "sign+encrypt", engineMs: engineSign, toolMs: osslSign, ratio: engineSign / osslSign, peakRssMb: m1.rss, peakArrayBuffersMb: m1.ab });
      gc?.();

      // Engine: decrypt, then verify the multipart/signed inside.
      mem = new MemoryPeak();
      t = performance.now();
      const dec = await decryptCms(cmsBody(simpleEntity(encrypted)), ctx.identities);
      const { content, signature } = splitSigned(dec.content);
      const v = await verifyCms(signature, content, ctx, { from: "bench@example.org" });
      const engineOpen = performance.now() - t;
      const m2 = mem.stop();
      if (v.signature.state !== "valid" || content.length !== msg.length) throw new Error(`bench: round trip failed (${v.signature.state})`);

      t = performance.now();
      ossl(["cms", "-decrypt", "-in", "ours.p7m", "-recip", "c.pem", "-inkey", "k.pem", "-binary", "-out", "o-dec.eml"]);
      ossl(["cms", "-verify", "-in", "o-dec.eml", "-CAfile", "c.pem", "-out", "o-verified.eml"]);
      const osslOpen = performance.now() - t;
      rows.push({ size: label, operation: "decrypt+verify", engineMs: engineOpen, toolMs: osslOpen, ratio: engineOpen / osslOpen, peakRssMb: m2.rss, peakArrayBuffersMb: m2.ab });
      gc?.();
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatSmimeBench(rows: SmimeBenchRow[]): string {
  return formatBench(rows, "openssl");
}
