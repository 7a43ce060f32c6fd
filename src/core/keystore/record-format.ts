/**
 * The one serialized record format, shared by every backend (IndexedDB stores the string,
 * the file backend writes it as `<id>.json`):
 *
 *   { "format": "sealbird-record", "version": 1, "id", "kind", "label"?, "created",
 *     "public": {...}, "secret"?: { "nonce": b64, "ciphertext": b64 } }
 *
 * `public` is plaintext and carries no MAC: it is public material (certificates, public keys,
 * fingerprints, addresses) and whoever can write the profile directory can already replace
 * the add-on itself. Secrets are AES-256-GCM under the data key with AAD = (id, kind), so a
 * secret copied onto another record fails to decrypt.
 */
import { SealbirdError } from "../errors.js";
import { boxFromJson, boxToJson, isObject } from "./header.js";
import type { SealedBox } from "./aead.js";

export const RECORD_FORMAT = "sealbird-record";
export const RECORD_VERSION = 1;

/** Ids become file names in the file backend, so they are restricted to a safe alphabet. */
const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const KIND_RE = /^[a-z0-9][a-z0-9.-]{0,63}$/;
const MAX_LABEL = 1024;
const MAX_DEPTH = 32;

export interface StoredRecord {
  id: string;
  kind: string;
  label?: string;
  created: string;
  public: Record<string, unknown>;
  secret?: SealedBox;
}

export function isValidId(id: unknown): id is string {
  return typeof id === "string" && ID_RE.test(id);
}

export function isValidKind(kind: unknown): kind is string {
  return typeof kind === "string" && KIND_RE.test(kind);
}

/** Why `value` is not plain JSON, or null. Catches e.g. a Uint8Array secret put into `public`. */
export function jsonProblem(value: unknown, depth = 0): string | null {
  if (depth > MAX_DEPTH) return "nested too deeply";
  if (value === null || typeof value === "string" || typeof value === "boolean") return null;
  if (typeof value === "number") return Number.isFinite(value) ? null : "non-finite number";
  if (Array.isArray(value)) {
    for (const v of value) {
      const p = jsonProblem(v, depth + 1);
      if (p) return p;
    }
    return null;
  }
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return "only plain objects, arrays, strings, numbers, booleans and null";
    for (const v of Object.values(value)) {
      const p = jsonProblem(v, depth + 1);
      if (p) return p;
    }
    return null;
  }
  return `unsupported value of type ${typeof value}`;
}

/** Validates caller input for a record's descriptive fields (usage errors). */
export function checkRecordFields(f: { kind?: unknown; label?: unknown; public?: unknown }): void {
  if (f.kind !== undefined && !isValidKind(f.kind)) {
    throw new SealbirdError("usage", "record kind must be lower-case letters, digits, '.' or '-'", { kind: f.kind });
  }
  if (f.label !== undefined && f.label !== null && (typeof f.label !== "string" || f.label.length > MAX_LABEL)) {
    throw new SealbirdError("usage", `record label must be a string of at most ${MAX_LABEL} characters`);
  }
  if (f.public !== undefined) {
    if (!isObject(f.public)) throw new SealbirdError("usage", "record public part must be an object");
    const p = jsonProblem(f.public);
    if (p) throw new SealbirdError("usage", `record public part must be plain JSON: ${p}`);
  }
}

export function serializeRecord(r: StoredRecord): string {
  return JSON.stringify({
    format: RECORD_FORMAT,
    version: RECORD_VERSION,
    id: r.id,
    kind: r.kind,
    ...(r.label !== undefined ? { label: r.label } : {}),
    created: r.created,
    public: r.public,
    ...(r.secret ? { secret: boxToJson(r.secret) } : {}),
  });
}

/** Parses a stored record; `expectedId` guards against a record stored under another key. */
export function parseRecord(s: string, expectedId?: string): StoredRecord {
  const corrupt = (why: string) =>
    new SealbirdError("keystore-corrupt", `keystore record${expectedId ? ` ${expectedId}` : ""}: ${why}`, {
      ...(expectedId ? { id: expectedId } : {}),
    });
  let j: unknown;
  try {
    j = JSON.parse(s);
  } catch {
    throw corrupt("not JSON");
  }
  if (!isObject(j) || j.format !== RECORD_FORMAT) throw corrupt("not a Sealbird record");
  if (j.version !== RECORD_VERSION) throw corrupt(`unsupported version ${String(j.version)}`);
  if (!isValidId(j.id) || (expectedId !== undefined && j.id !== expectedId)) throw corrupt("bad id");
  if (!isValidKind(j.kind)) throw corrupt("bad kind");
  if (j.label !== undefined && (typeof j.label !== "string" || j.label.length > MAX_LABEL)) throw corrupt("bad label");
  if (typeof j.created !== "string") throw corrupt("bad creation time");
  if (!isObject(j.public) || jsonProblem(j.public) !== null) throw corrupt("bad public part");
  let secret: SealedBox | undefined;
  if (j.secret !== undefined) {
    const box = boxFromJson(j.secret);
    if (!box) throw corrupt("bad secret");
    secret = box;
  }
  return {
    id: j.id,
    kind: j.kind,
    ...(typeof j.label === "string" ? { label: j.label } : {}),
    created: j.created,
    public: j.public,
    ...(secret ? { secret } : {}),
  };
}
