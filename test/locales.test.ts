// Fails when a message key used in code or markup is missing in English or German, or when
// the two locales disagree on their keys.
import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ERROR_CODES } from "../src/core/errors.js";
import { REPAIR_CODES, SIGNATURE_REASON_CODES, reasonKey, repairKey } from "../src/core/status/reasons.js";

function load(lang: string): Record<string, { message: string }> {
  return JSON.parse(readFileSync(`_locales/${lang}/messages.json`, "utf8"));
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|svelte|html|json)$/.test(p) ? [p] : [];
  });
}

/** Keys used as t("key"), i18n.getMessage("key"), __MSG_key__, …Key="key" props, and status presentation keys. */
function usedKeys(): Set<string> {
  const keys = new Set<string>();
  const sources = [...files("src"), ...files("ui"), "manifest.json"];
  for (const f of sources) {
    const text = readFileSync(f, "utf8");
    for (const m of text.matchAll(/\bt\(\s*"([A-Za-z0-9_]+)"/g)) keys.add(m[1]!);
    for (const m of text.matchAll(/getMessage\(\s*"([A-Za-z0-9_]+)"/g)) keys.add(m[1]!);
    // Shared components take the keys of their texts as props (titleKey="…", labelKey: "…").
    for (const m of text.matchAll(/\b\w*Key\s*[=:]\s*"([A-Za-z0-9_]+)"/g)) keys.add(m[1]!);
    for (const m of text.matchAll(/__MSG_([A-Za-z0-9_]+)__/g)) keys.add(m[1]!);
    for (const m of text.matchAll(/"(status(?:Encryption|Signature)[A-Za-z]+)"/g)) keys.add(m[1]!);
  }
  return keys;
}

describe("locales", () => {
  const en = load("en");
  const de = load("de");

  it("English and German have the same keys", () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
  });

  it("every key used in code, markup and the manifest exists in both", () => {
    const missing = [...usedKeys()].filter((k) => !(k in en) || !(k in de));
    expect(missing).toEqual([]);
  });

  it("every error code has a translated explanation", () => {
    const keyOf = (code: string) => `error_${code.replace(/-/g, "_")}`;
    const missing = ERROR_CODES.map(keyOf).filter((k) => !(k in en) || !(k in de));
    expect(missing).toEqual([]);
  });

  it("every signature reason and repair code has words (the details popup shows them)", () => {
    const keys = [...SIGNATURE_REASON_CODES.map(reasonKey), ...REPAIR_CODES.map(repairKey)];
    expect(keys.filter((k) => !(k in en) || !(k in de))).toEqual([]);
  });

  it("every reason code the engine writes is a known code", () => {
    const known = new Set<string>([...SIGNATURE_REASON_CODES, ...REPAIR_CODES, ...ERROR_CODES]);
    const written = new Set<string>();
    for (const f of files("src/core")) {
      const text = readFileSync(f, "utf8");
      for (const m of text.matchAll(/\breason\(\s*"([a-z0-9-]+)"/g)) written.add(m[1]!);
      for (const m of text.matchAll(/\badd\(\s*"[a-z-]+",\s*"([a-z0-9-]+)"/g)) written.add(m[1]!);
      for (const m of text.matchAll(/\b(?:demote\([^,]+,\s*"[a-z-]+",\s*)?\{\s*code:\s*"([a-z0-9-]+)"/g)) written.add(m[1]!);
    }
    // "signs-ciphertext" names an uncredited signature, not a reason.
    written.delete("signs-ciphertext");
    expect([...written].filter((c) => !known.has(c))).toEqual([]);
    expect(written.size).toBeGreaterThan(15);
  });

  it("no message is empty", () => {
    for (const [k, v] of [...Object.entries(en), ...Object.entries(de)]) expect(v.message.trim(), k).not.toBe("");
  });
});
