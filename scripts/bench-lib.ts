// What the S/MIME and OpenPGP benchmarks share: the test message, peak-memory sampling and
// the table they print.

export interface BenchRow {
  size: string;
  operation: string;
  engineMs: number;
  /** The reference tool's time on the same input (includes its process start-up). */
  toolMs: number;
  /** engine time / tool time. */
  ratio: number;
  /** Highest RSS and ArrayBuffer memory seen while the engine ran, MB. */
  peakRssMb: number;
  peakArrayBuffersMb: number;
}

/** A message with one random attachment of `bytes` bytes, base64 in 76-character lines. */
export function attachmentMessage(bytes: number): Uint8Array {
  const att = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i += 65536) crypto.getRandomValues(att.subarray(i, Math.min(bytes, i + 65536)));
  const b64 = Buffer.from(att).toString("base64").replace(/.{76}/g, "$&\r\n");
  const text =
    'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nReport attached.\r\n--b1\r\n' +
    'Content-Type: application/octet-stream; name="data.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
    b64 +
    "\r\n--b1--\r\n";
  return new Uint8Array(Buffer.from(text, "latin1"));
}

export class MemoryPeak {
  rss = 0;
  ab = 0;
  private timer: ReturnType<typeof setInterval>;
  constructor() {
    this.sample();
    this.timer = setInterval(() => this.sample(), 5);
  }
  sample(): void {
    const m = process.memoryUsage();
    this.rss = Math.max(this.rss, m.rss);
    this.ab = Math.max(this.ab, m.arrayBuffers);
  }
  stop(): { rss: number; ab: number } {
    this.sample();
    clearInterval(this.timer);
    return { rss: this.rss / 1048576, ab: this.ab / 1048576 };
  }
}

/** Collects garbage between runs when node runs with --expose-gc, so peaks are per operation. */
export const gc = (globalThis as { gc?: () => void }).gc;

export function formatBench(rows: BenchRow[], tool: string): string {
  const lines = [`size   operation        engine ms ${`${tool} ms`.padStart(11)}  ratio  peak RSS MB  peak ArrayBuffers MB`];
  for (const r of rows) {
    lines.push(
      `${r.size.padEnd(6)} ${r.operation.padEnd(15)} ${r.engineMs.toFixed(0).padStart(10)} ${r.toolMs.toFixed(0).padStart(11)} ${r.ratio.toFixed(2).padStart(6)} ${r.peakRssMb.toFixed(0).padStart(12)} ${r.peakArrayBuffersMb.toFixed(0).padStart(21)}`,
    );
  }
  return lines.join("\n");
}
