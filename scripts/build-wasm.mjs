// Builds wasm/aes-cfb (RustCrypto's AES with a CFB loop, see its Cargo.toml) into
// dist/wasm/aes-cfb.wasm with Debian's Rust (rustc, cargo, libstd-rust-dev-wasm32,
// librust-aes-dev: scripts/setup.sh installs them), offline from Debian's crate sources.
// Debian's toolchain is preferred over one on PATH: it is the one with the wasm32 standard
// library and the one CI has.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";

const crate = resolve("wasm/aes-cfb");
const target = resolve("dist/.cargo-target");
const out = resolve("dist/wasm/aes-cfb.wasm");
const cargo = existsSync("/usr/bin/cargo") ? "/usr/bin/cargo" : "cargo";
const env = { ...process.env, CARGO_TARGET_DIR: target };
if (existsSync("/usr/bin/rustc")) env.RUSTC = "/usr/bin/rustc";
try {
  execFileSync(cargo, ["build", "--release", "--offline", "--target", "wasm32-unknown-unknown"], { cwd: crate, env, stdio: ["ignore", "ignore", "pipe"] });
} catch (e) {
  console.error(`build-wasm: cargo failed (Debian's rustc, cargo, libstd-rust-dev-wasm32 and librust-aes-dev are needed: bash scripts/setup.sh)\n${e.stderr ?? e.message}`);
  process.exit(1);
}
mkdirSync(resolve("dist/wasm"), { recursive: true });
copyFileSync(resolve(target, "wasm32-unknown-unknown/release/sealbird_aes_cfb.wasm"), out);
