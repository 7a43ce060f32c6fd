// Option parsing on node:util parseArgs, with its errors turned into typed usage errors.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { SealbirdError } from "../core/errors.js";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

/** Options every keystore-using command accepts. */
export const KEYSTORE_OPTIONS = {
  keystore: { type: "string" },
  "passphrase-file": { type: "string" },
} as const satisfies OptionSpec;

export function parse<T extends OptionSpec>(args: string[], options: T, positionals: { min: number; max: number; names: string }) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new SealbirdError("usage", (e as Error).message.split("\n")[0] ?? "bad arguments");
  }
  const n = parsed.positionals.length;
  if (n < positionals.min || n > positionals.max) {
    throw new SealbirdError("usage", `expected ${positionals.names}`);
  }
  return parsed;
}

export function requireString(v: unknown, flag: string): string {
  if (typeof v !== "string" || v === "") throw new SealbirdError("usage", `${flag} is required`);
  return v;
}
