/**
 * RevocationCache on a directory, for the CLI: one file per answer (OCSP responses and CRLs
 * are public, signed data, so they are kept as they came, beside a small JSON of when and how
 * long). An unreadable or expired file is simply a miss.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { CachedRevocation, RevocationCache } from "../core/cert/online-revocation.js";

export class RevocationFileCache implements RevocationCache {
  constructor(private readonly dir: string) {}

  private file(key: string): string {
    return join(this.dir, createHash("sha256").update(key).digest("hex").slice(0, 40));
  }

  async get(key: string): Promise<CachedRevocation | undefined> {
    const base = this.file(key);
    try {
      const meta = JSON.parse(await readFile(`${base}.json`, "utf8")) as Omit<CachedRevocation, "der"> & { key: string };
      if (meta.key !== key || new Date(meta.until).getTime() <= Date.now()) {
        await rm(`${base}.json`, { force: true });
        await rm(`${base}.der`, { force: true });
        return undefined;
      }
      const der = new Uint8Array(await readFile(`${base}.der`));
      return { kind: meta.kind, url: meta.url, fetchedAt: meta.fetchedAt, until: meta.until, der };
    } catch {
      return undefined;
    }
  }

  async put(key: string, value: CachedRevocation): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const base = this.file(key);
    const tmp = `.tmp-${process.pid}-${Date.now()}`;
    await writeFile(`${base}.der${tmp}`, value.der);
    await rename(`${base}.der${tmp}`, `${base}.der`);
    const { der: _der, ...meta } = value;
    await writeFile(`${base}.json${tmp}`, JSON.stringify({ ...meta, key }));
    await rename(`${base}.json${tmp}`, `${base}.json`);
  }
}
