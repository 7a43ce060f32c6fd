// File and passphrase input for the CLI, mapped to typed errors (never a stack trace).
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { SealbirdError } from "../core/errors.js";

export function readInput(path: string, what: string, maxBytes = 200 * 1024 * 1024): Uint8Array {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (e) {
    throw new SealbirdError("io-error", `Cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? "error"}`);
  }
  if (data.length > maxBytes) throw new SealbirdError("input-too-large", `${what} ${path} is larger than ${maxBytes} bytes`);
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

export function writeOutput(path: string, data: Uint8Array | string | readonly Uint8Array[], what: string): void {
  try {
    if (typeof data === "string" || data instanceof Uint8Array) writeFileSync(path, data, { mode: 0o600 });
    else writePieces(path, data);
  } catch (e) {
    throw new SealbirdError("io-error", `Cannot write ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? "error"}`);
  }
}

function writePieces(path: string, pieces: readonly Uint8Array[]): void {
  const fd = openSync(path, "w", 0o600);
  try {
    for (const p of pieces) for (let at = 0; at < p.length; ) at += writeSync(fd, p, at);
  } finally {
    closeSync(fd);
  }
}

/** A secret from a file: the first line, without its line end (as gpg --passphrase-file does). */
export function readSecretFile(path: string, what: string): string {
  const text = new TextDecoder().decode(readInput(path, what, 64 * 1024));
  return text.split(/\r?\n/)[0] ?? "";
}
