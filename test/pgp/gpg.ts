/**
 * The real GnuPG, run at test time in a throw-away GNUPGHOME (loopback pinentry, passphrase on
 * the command line). Status lines go to a --status-file so stdout stays the data.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const hasGpg = (() => {
  try {
    return spawnSync("gpg", ["--version"]).status === 0;
  } catch {
    return false;
  }
})();

export interface GpgRun {
  status: number;
  stdout: Uint8Array;
  stderr: string;
  /** [GNUPG:] status lines, without the prefix. */
  lines: string[];
}

export class Gpg {
  readonly home: string;
  constructor(readonly passphrase = "pw") {
    this.home = mkdtempSync(join(tmpdir(), "sealbird-gpg-"));
    chmodSync(this.home, 0o700);
    writeFileSync(join(this.home, "gpg-agent.conf"), "allow-loopback-pinentry\n");
    // Deterministic, offline, quiet.
    writeFileSync(join(this.home, "gpg.conf"), "no-auto-key-locate\nno-auto-key-retrieve\ntrust-model always\n");
  }

  path(name: string): string {
    return join(this.home, name);
  }

  write(name: string, data: Uint8Array | string): string {
    writeFileSync(this.path(name), data);
    return this.path(name);
  }

  read(name: string): Uint8Array {
    return new Uint8Array(readFileSync(this.path(name)));
  }

  run(args: string[], opts: { input?: Uint8Array | string; passphrase?: string; allowFail?: boolean } = {}): GpgRun {
    const statusFile = this.path(`status-${Math.random().toString(36).slice(2)}.txt`);
    const r = spawnSync(
      "gpg",
      ["--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase", opts.passphrase ?? this.passphrase, "--status-file", statusFile, ...args],
      { env: { ...process.env, GNUPGHOME: this.home }, input: opts.input, maxBuffer: 512 * 1024 * 1024 },
    );
    const lines = existsSync(statusFile)
      ? readFileSync(statusFile, "utf8")
          .split("\n")
          .filter((l) => l.startsWith("[GNUPG:] "))
          .map((l) => l.slice(9))
      : [];
    const out: GpgRun = { status: r.status ?? -1, stdout: new Uint8Array(r.stdout ?? []), stderr: String(r.stderr ?? ""), lines };
    if (out.status !== 0 && !opts.allowFail) throw new Error(`gpg ${args.join(" ")} failed (${out.status}): ${out.stderr}`);
    return out;
  }

  /** Generates a key and returns its primary fingerprint. */
  genKey(uid: string, kind: "ed25519" | "rsa2048" | "rsa1024", passphrase = this.passphrase): string {
    const [prim, sub] = kind === "ed25519" ? ["ed25519", "cv25519"] : [kind, kind];
    this.run(["--quick-gen-key", uid, prim!, "sign", "0"], { passphrase });
    const fpr = this.fingerprint(uid);
    this.run(["--quick-add-key", fpr, sub!, "encr", "0"], { passphrase });
    return fpr;
  }

  fingerprint(uid: string): string {
    const out = new TextDecoder().decode(this.run(["--with-colons", "--list-keys", uid]).stdout);
    const m = /^fpr:+([0-9A-F]+):/m.exec(out);
    if (!m) throw new Error(`no key ${uid}`);
    return m[1]!;
  }

  /** Key ids (hex, lowercase) of the encryption subkey of `uid`. */
  subkeyIds(uid: string): string[] {
    const out = new TextDecoder().decode(this.run(["--with-colons", "--list-keys", uid]).stdout);
    return [...out.matchAll(/^sub:[^:]*:[^:]*:[^:]*:([0-9A-F]{16}):/gm)].map((m) => m[1]!.toLowerCase());
  }

  exportPublic(uid: string): string {
    return new TextDecoder().decode(this.run(["--armor", "--export", uid]).stdout);
  }

  exportSecret(uid: string): string {
    return new TextDecoder().decode(this.run(["--armor", "--export-secret-keys", uid]).stdout);
  }

  dispose(): void {
    spawnSync("gpgconf", ["--kill", "all"], { env: { ...process.env, GNUPGHOME: this.home } });
    rmSync(this.home, { recursive: true, force: true });
  }
}

export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const crlf = (s: string): string => s.replace(/\r?\n/g, "\r\n");
