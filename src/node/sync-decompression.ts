/**
 * `DecompressionStream` for the CLI, on Node's one-shot zlib. openpgp.js inflates compressed
 * OpenPGP data (what gpg writes by default) through the Compression Streams API in 64 KiB
 * chunks; in Node each chunk is a round trip to the thread pool, which made inflating a 25 MB
 * message take about a second of mostly waiting. The engine never streams plaintext
 * (openpgp.js buffers and checks integrity first, src/core/pgp/config.ts), so nothing is lost
 * by inflating the whole input at once when it has arrived.
 *
 * Same contract as the standard stream for what openpgp.js uses: the "deflate", "deflate-raw"
 * and "gzip" formats, a TypeError for any other (openpgp.js then uses its own inflater), and
 * an error for corrupt or truncated data. Output is capped just above openpgp.js's own limit
 * (`maxDecompressedMessageSize`, 128 MiB, which openpgp.js still checks on what this emits),
 * with openpgp.js's message, so a compression bomb never grows past it here either.
 * Installed once, by the CLI's entry point; never for the add-on (src/node is Node only).
 */
import { gunzipSync, inflateRawSync, inflateSync, type ZlibOptions } from "node:zlib";

const INFLATE: Record<string, (input: Uint8Array, options: ZlibOptions) => Buffer> = {
  deflate: inflateSync,
  "deflate-raw": inflateRawSync,
  gzip: gunzipSync,
};

/** openpgp.js's default and ours (src/core/pgp/config.ts): 128 MiB. */
const MAX_OUTPUT = 128 * 1024 * 1024;

/** The chunks as one array: a view when they are consecutive pieces of one buffer (openpgp.js splits one). */
function joined(chunks: Uint8Array[]): Uint8Array {
  const first = chunks[0];
  if (!first) return new Uint8Array(0);
  let length = 0;
  let contiguous = true;
  for (const c of chunks) {
    contiguous &&= c.buffer === first.buffer && c.byteOffset === first.byteOffset + length;
    length += c.length;
  }
  if (contiguous) return new Uint8Array(first.buffer, first.byteOffset, length);
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

class SyncDecompressionStream extends TransformStream<Uint8Array, Uint8Array> {
  constructor(format: string) {
    const inflate = INFLATE[format];
    if (!inflate) throw new TypeError(`Unsupported compression format: ${String(format)}`);
    const chunks: Uint8Array[] = [];
    super({
      transform(chunk) {
        if (!(chunk instanceof Uint8Array)) throw new TypeError("DecompressionStream takes Uint8Array chunks");
        chunks.push(chunk);
      },
      flush(controller) {
        const input = joined(chunks);
        chunks.length = 0;
        let out: Buffer;
        try {
          out = inflate(input, { maxOutputLength: MAX_OUTPUT + 1, chunkSize: 1 << 20 });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw new Error("Maximum decompressed message size exceeded", { cause: e });
          throw e;
        }
        // One chunk: openpgp.js's readToEnd then takes it as it is, without another copy.
        controller.enqueue(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
      },
    });
  }
}

export function installSyncDecompression(): void {
  Object.defineProperty(globalThis, "DecompressionStream", { value: SyncDecompressionStream, configurable: true, writable: true });
}
