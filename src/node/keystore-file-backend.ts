/**
 * Keystore backend on a directory, for the CLI (Node only; the add-on bundle never imports
 * src/node). Layout, all in the one format of src/core/keystore:
 *
 *   DIR/keystore.json          the header
 *   DIR/records/<id>.json      one file per record
 *
 * Every write goes to a temp file next to its target, is fsynced, then renamed over the target
 * (rename is atomic on POSIX filesystems and replaces on Windows), and the directory is fsynced
 * so the rename itself survives a power cut. A crash therefore leaves the old file or the new
 * one, plus at worst a stray `*.tmp-*` file, which recover() (run by Keystore.open) deletes.
 */
import { constants } from "node:fs";
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { SealbirdError } from "../core/errors.js";
import { randomBytes, toHex, utf8 } from "../core/bytes.js";
import type { KeystoreBackend } from "../core/keystore/types.js";

export const HEADER_FILE = "keystore.json";
export const RECORDS_DIR = "records";

/**
 * The steps of one atomic file write, in order; the fault hook sees them as `<op>:<step>` with
 * op one of "header-create", "header-replace", "record-put". Exported so tests can throw at
 * each one. "create" uses "link" and "unlink-temp" where "replace" uses "rename".
 */
export const REPLACE_STEPS = [
  "open-temp",
  "write-temp",
  "write-temp-rest", // between the two halves: a torn temp file is on disk
  "fsync-temp",
  "close-temp",
  "rename",
  "fsync-dir",
  "done", // everything is on disk, but the caller sees a failure
] as const;
export const CREATE_STEPS = ["open-temp", "write-temp", "write-temp-rest", "fsync-temp", "close-temp", "link", "unlink-temp", "fsync-dir", "done"] as const;
export const DELETE_STEPS = ["unlink", "fsync-dir", "done"] as const;

export interface FileBackendFaults {
  /**
   * Called before each step (`"header-replace:rename"`, ...). Throwing models a crash at that
   * point: the error propagates and nothing else runs, not even temp-file cleanup.
   */
  before?(step: string): void;
}

export interface FileBackendOptions {
  faults?: FileBackendFaults;
}

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const TEMP_RE = /\.tmp-[0-9a-f]+$/;

/** Wraps an error thrown by the fault hook so the cleanup paths can tell it from a real one. */
class InjectedCrash {
  constructor(readonly error: unknown) {}
}

export class KeystoreFileBackend implements KeystoreBackend {
  readonly dir: string;
  readonly #faults: FileBackendFaults | undefined;

  constructor(dir: string, opts: FileBackendOptions = {}) {
    this.dir = dir;
    this.#faults = opts.faults;
  }

  get #recordsDir(): string {
    return join(this.dir, RECORDS_DIR);
  }

  async getHeader(): Promise<string | null> {
    return readOrNull(join(this.dir, HEADER_FILE));
  }

  async putHeader(header: string): Promise<void> {
    await this.#mkdirs();
    await this.#atomicWrite("header-create", this.dir, HEADER_FILE, header, "create");
  }

  async replaceHeader(header: string): Promise<void> {
    await this.#atomicWrite("header-replace", this.dir, HEADER_FILE, header, "replace");
  }

  async getRecord(id: string): Promise<string | null> {
    return readOrNull(join(this.#recordsDir, recordFile(id)));
  }

  async putRecord(id: string, record: string): Promise<void> {
    const file = recordFile(id);
    await this.#mkdirs();
    await this.#atomicWrite("record-put", this.#recordsDir, file, record, "replace");
  }

  async deleteRecord(id: string): Promise<void> {
    const file = recordFile(id);
    try {
      this.#step("record-delete", "unlink");
      try {
        await unlink(join(this.#recordsDir, file));
      } catch (e) {
        if (errno(e) === "ENOENT") return;
        throw e;
      }
      this.#step("record-delete", "fsync-dir");
      await fsyncDir(this.#recordsDir);
      this.#step("record-delete", "done");
    } catch (e) {
      if (e instanceof InjectedCrash) throw e.error;
      throw ioError(e, "delete record");
    }
  }

  async listRecords(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.#recordsDir);
    } catch (e) {
      if (errno(e) === "ENOENT") return [];
      throw ioError(e, "list records");
    }
    const out: string[] = [];
    for (const name of names.sort()) {
      if (!name.endsWith(".json") || !ID_RE.test(name.slice(0, -5))) continue;
      // A record deleted between readdir and read is simply gone.
      const s = await readOrNull(join(this.#recordsDir, name));
      if (s !== null) out.push(s);
    }
    return out;
  }

  /** Deletes temp files left by interrupted writes. They are never the live copy of anything. */
  async recover(): Promise<void> {
    for (const d of [this.dir, this.#recordsDir]) {
      let names: string[];
      try {
        names = await readdir(d);
      } catch (e) {
        if (errno(e) === "ENOENT") continue;
        throw ioError(e, "scan keystore directory");
      }
      for (const n of names) if (TEMP_RE.test(n)) await rm(join(d, n), { force: true });
    }
  }

  #step(op: string, step: string): void {
    if (!this.#faults?.before) return;
    try {
      this.#faults.before(`${op}:${step}`);
    } catch (e) {
      throw new InjectedCrash(e);
    }
  }

  async #mkdirs(): Promise<void> {
    try {
      await mkdir(this.#recordsDir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw ioError(e, "create keystore directory");
    }
  }

  /**
   * temp file → fsync → rename (or link, for an exclusive create) → fsync directory.
   * On a real error the temp file is removed; on an injected crash it is left, as a crash would.
   */
  async #atomicWrite(op: string, dir: string, name: string, text: string, mode: "replace" | "create"): Promise<void> {
    const target = join(dir, name);
    const tmp = `${target}.tmp-${toHex(randomBytes(8))}`;
    const data = utf8(text);
    let fh: FileHandle | undefined;
    try {
      this.#step(op, "open-temp");
      fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      this.#step(op, "write-temp");
      const half = data.length >> 1;
      await fh.writeFile(data.subarray(0, half));
      this.#step(op, "write-temp-rest");
      await fh.writeFile(data.subarray(half));
      this.#step(op, "fsync-temp");
      await fh.sync();
      this.#step(op, "close-temp");
      await fh.close();
      fh = undefined;
      if (mode === "replace") {
        this.#step(op, "rename");
        await rename(tmp, target);
      } else {
        this.#step(op, "link");
        await linkExclusive(tmp, target);
        this.#step(op, "unlink-temp");
        await rm(tmp, { force: true });
      }
      this.#step(op, "fsync-dir");
      await fsyncDir(dir);
      this.#step(op, "done");
    } catch (e) {
      await fh?.close().catch(() => undefined);
      if (e instanceof InjectedCrash) throw e.error;
      await rm(tmp, { force: true }).catch(() => undefined);
      if (e instanceof SealbirdError) throw e;
      throw ioError(e, `write ${name}`);
    }
  }
}

/**
 * link() fails with EEXIST if the target exists, atomically: two CLI runs creating a keystore
 * at once cannot both succeed. Filesystems without hard links get a check-then-rename.
 */
async function linkExclusive(tmp: string, target: string): Promise<void> {
  try {
    await link(tmp, target);
    return;
  } catch (e) {
    const code = errno(e);
    if (code === "EEXIST") throw new SealbirdError("keystore-exists", "a keystore already exists here");
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "ENOSYS" && code !== "EOPNOTSUPP") throw e;
  }
  const exists = await stat(target).then(
    () => true,
    (e: unknown) => {
      if (errno(e) === "ENOENT") return false;
      throw e;
    },
  );
  if (exists) throw new SealbirdError("keystore-exists", "a keystore already exists here");
  await rename(tmp, target);
}

/** Makes a rename durable. Not possible on Windows (EPERM/EISDIR); there we rely on NTFS. */
async function fsyncDir(dir: string): Promise<void> {
  let fh: FileHandle;
  try {
    fh = await open(dir, "r");
  } catch {
    return;
  }
  try {
    await fh.sync();
  } catch (e) {
    if (!["EPERM", "EISDIR", "EINVAL", "EBADF"].includes(errno(e) ?? "")) throw e;
  } finally {
    await fh.close();
  }
}

function recordFile(id: string): string {
  // Ids are validated by the keystore too; this guard keeps path traversal out of the file layer.
  if (!ID_RE.test(id)) throw new SealbirdError("usage", "bad record id", { id });
  return `${id}.json`;
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    if (errno(e) === "ENOENT") return null;
    throw ioError(e, `read ${path}`);
  }
}

function errno(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : undefined;
}

function ioError(e: unknown, what: string): SealbirdError {
  return new SealbirdError("io-error", `keystore: cannot ${what}: ${e instanceof Error ? e.message : String(e)}`, {}, { cause: e });
}
