// Packs a directory into an XPI (an XPI is a plain ZIP file).
//
// Uses the `zip` CLI when it is on PATH; otherwise falls back to a tiny
// built-in writer that stores files uncompressed (method 0), which Gecko
// reads fine. Entries are sorted and timestamps fixed, so the output is
// reproducible either way (zip -X drops extra attributes; we also set a fixed
// mtime on the fallback path).

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

/** Lists files under dir (relative, '/'-separated, sorted). */
function listFiles(dir, rel = "") {
  const out = [];
  for (const ent of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${ent.name}` : ent.name;
    if (ent.isDirectory()) out.push(...listFiles(dir, r));
    else if (ent.isFile()) out.push(r);
  }
  return out.sort();
}

function haveZipCli() {
  try {
    execFileSync("zip", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `outFile` containing every file under `srcDir` (paths relative to
 * srcDir, so manifest.json sits at the archive root).
 * @param {string} srcDir
 * @param {string} outFile
 * @param {{forceBuiltin?: boolean}} [o]
 * @returns {string} outFile
 */
export function packXpi(srcDir, outFile, { forceBuiltin = false } = {}) {
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.rmSync(outFile, { force: true });
  const files = listFiles(srcDir);
  if (!files.includes("manifest.json")) throw new Error(`${srcDir} has no manifest.json`);
  if (!forceBuiltin && haveZipCli()) {
    execFileSync("zip", ["-q", "-X", "-D", path.resolve(outFile), ...files], { cwd: srcDir });
  } else {
    fs.writeFileSync(outFile, storedZip(files.map((f) => [f, fs.readFileSync(path.join(srcDir, f))])));
  }
  return outFile;
}

/**
 * Minimal ZIP writer: local headers + data + central directory, no
 * compression, no zip64 (fine for small test add-ons).
 * @param {[string, Buffer][]} entries
 */
export function storedZip(entries) {
  const DOS_TIME = 0; // 00:00:00
  const DOS_DATE = (2020 - 1980) << 9 | 1 << 5 | 1; // 2020-01-01
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBuf = Buffer.from(name, "utf8");
    const crc = zlib.crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); // local file header signature
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // flags: UTF-8 names
    local.writeUInt16LE(0, 8); // method: stored
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18); // compressed size
    local.writeUInt32LE(data.length, 22); // uncompressed size
    local.writeUInt16LE(nameBuf.length, 26);
    local.writeUInt16LE(0, 28); // extra length
    locals.push(local, nameBuf, data);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); // central directory signature
    central.writeUInt16LE(20, 4); // version made by
    central.writeUInt16LE(20, 6); // version needed
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    // extra len, comment len, disk no, internal attrs, external attrs = 0
    central.writeUInt32LE(offset, 42); // local header offset
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const cdSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); // end of central directory signature
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
