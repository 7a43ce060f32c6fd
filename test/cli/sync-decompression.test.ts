/**
 * The CLI's DecompressionStream (src/node/sync-decompression.ts, Node's one-shot zlib): what
 * openpgp.js reads through it is what Node's own streaming inflater gives; corrupt data and
 * a compression bomb fail as they do there; gpg's compressed messages still decrypt.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { randomBytes } from "node:crypto";
import { readMessage, decrypt } from "openpgp";
import { installSyncDecompression } from "../../src/node/sync-decompression.js";
import { Gpg, hasGpg } from "../pgp/gpg.js";

const NativeDecompressionStream = globalThis.DecompressionStream;

async function inflateWith(Stream: typeof DecompressionStream, format: string, data: Uint8Array<ArrayBuffer>, chunk = 65536): Promise<Uint8Array> {
  const source = new ReadableStream<BufferSource>({
    start(c) {
      for (let i = 0; i < data.length; i += chunk) c.enqueue(data.subarray(i, i + chunk));
      c.close();
    },
  });
  const out = source.pipeThrough(new Stream(format as CompressionFormat));
  const parts: Uint8Array[] = [];
  for await (const p of out as unknown as AsyncIterable<Uint8Array>) parts.push(p);
  return new Uint8Array(Buffer.concat(parts));
}

describe("one-shot DecompressionStream for the CLI", () => {
  beforeAll(() => installSyncDecompression());
  afterAll(() => Object.defineProperty(globalThis, "DecompressionStream", { value: NativeDecompressionStream, configurable: true, writable: true }));

  it("inflates deflate, deflate-raw and gzip exactly as Node's stream does, in one piece or many", async () => {
    const plain = Buffer.concat([randomBytes(200_000), Buffer.alloc(300_000, 0x61)]);
    const packed: Record<string, Uint8Array<ArrayBuffer>> = { deflate: deflateSync(plain), "deflate-raw": deflateRawSync(plain), gzip: gzipSync(plain) };
    for (const [format, data] of Object.entries(packed)) {
      const ours = await inflateWith(globalThis.DecompressionStream, format, data);
      expect(Buffer.from(ours).equals(plain), format).toBe(true);
      expect(Buffer.from(await inflateWith(NativeDecompressionStream, format, data)).equals(Buffer.from(ours)), format).toBe(true);
      // Chunks that are not consecutive views of one buffer are joined by copy.
      const copied = await inflateWith(globalThis.DecompressionStream, format, new Uint8Array(data), 1000);
      expect(Buffer.from(copied).equals(plain), format).toBe(true);
    }
  });

  it("refuses an unknown format with a TypeError (openpgp.js then uses its own), and corrupt or cut data", async () => {
    expect(() => new globalThis.DecompressionStream("brotli" as CompressionFormat)).toThrow(TypeError);
    const data = deflateSync(randomBytes(10_000));
    await expect(inflateWith(globalThis.DecompressionStream, "deflate", data.subarray(0, data.length - 100))).rejects.toThrow();
    const bad = new Uint8Array(data);
    bad[2] = bad[2]! ^ 0xff;
    await expect(inflateWith(globalThis.DecompressionStream, "deflate", bad)).rejects.toThrow();
  });

  it("stops a compression bomb at openpgp.js's limit, with openpgp.js's message", async () => {
    const bomb = deflateSync(Buffer.alloc(128 * 1024 * 1024 + 4096));
    await expect(inflateWith(globalThis.DecompressionStream, "deflate", bomb)).rejects.toThrow("Maximum decompressed message size exceeded");
  });

  it.skipIf(!hasGpg)("lets openpgp.js decrypt gpg's zlib-, zip- and uncompressed messages to the same bytes", async () => {
    const gpg = new Gpg("pw");
    try {
      const plain = Buffer.concat([Buffer.from("Subject: x\r\n\r\n"), Buffer.alloc(200_000, "line of text\r\n")]);
      for (const algo of ["zlib", "zip", "uncompressed"]) {
        const armored = gpg.run(["--armor", "--compress-algo", algo, "--symmetric", "--output", "-"], { input: plain }).stdout;
        const message = await readMessage({ armoredMessage: new TextDecoder().decode(armored) });
        const { data } = await decrypt({ message, passwords: ["pw"], format: "binary" });
        expect(Buffer.from(data as Uint8Array).equals(plain), algo).toBe(true);
      }
    } finally {
      gpg.dispose();
    }
  });
});
