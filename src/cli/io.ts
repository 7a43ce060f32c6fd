// File and passphrase input for the CLI, mapped to typed errors (never a stack trace).
import { readFileSync, writeFileSync } from "node:fs";
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

export function writeOutput(path: string, data: Uint8Array | string, what: string): void {
  try {
    writeFileSync(path, data, { mode: 0o600 });
  } catch (e) {
    throw new SealbirdError("io-error", `Cannot write ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? "error"}`);
  }
}

/** A secret from a file: the first line, without its line end (as gpg --passphrase-file does). */
export function readSecretFile(path: string, what: string): string {
  const text = new TextDecoder().decode(readInput(path, what, 64 * 1024));
  return text.split(/\r?\n/)[0] ?? "";
}
