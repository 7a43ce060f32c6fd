// The popup's one-sentence "why" is the reason that accounts for the signature's state. The
// table behind it (REASON_STATE) must say what the engines do: every place in src/core that
// adds a reason with a state is read here and compared with the table.
import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { REASON_STATE, SIGNATURE_REASON_CODES, leadingReason } from "../../src/core/status/reasons.js";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("REASON_STATE", () => {
  it("has a state for every reason code", () => {
    expect(Object.keys(REASON_STATE).sort()).toEqual([...SIGNATURE_REASON_CODES].sort());
  });

  it("agrees with the state each engine gives a reason where it adds it", () => {
    const seen: Array<[string, string]> = [];
    for (const f of files("src/core")) {
      const text = readFileSync(f, "utf8");
      // S/MIME policy: add("state", "code", …)
      for (const m of text.matchAll(/\badd\(\s*"([a-z-]+)",\s*"([a-z0-9-]+)"/g)) seen.push([m[2]!, m[1]!]);
      // Layer policy and inspect: demote(sig, "state", { code: "code", … })
      for (const m of text.matchAll(/\bdemote\([^,]+,\s*"([a-z-]+)",\s*\{\s*code:\s*"([a-z0-9-]+)"/g)) seen.push([m[2]!, m[1]!]);
      // OpenPGP verify: status.state = "state"; status.reasons.push(reason("code", …))
      for (const m of text.matchAll(/state = "([a-z-]+)";\s*\n\s*status\.reasons\.push\(reason\("([a-z0-9-]+)"/g)) seen.push([m[2]!, m[1]!]);
    }
    expect(seen.length).toBeGreaterThan(15);
    const table = REASON_STATE as Record<string, string>;
    expect(seen.filter(([code, state]) => code in table && table[code] !== state)).toEqual([]);
  });
});

describe("leadingReason", () => {
  it("picks the first reason of the signature's state, else the first", () => {
    const reasons = [
      { code: "weak-digest", message: "" },
      { code: "no-trust-path", message: "" },
      { code: "from-mismatch", message: "" },
    ];
    expect(leadingReason({ state: "untrusted", reasons })?.code).toBe("no-trust-path");
    expect(leadingReason({ state: "mismatch", reasons })?.code).toBe("from-mismatch");
    expect(leadingReason({ state: "invalid", reasons: [{ code: "unsupported-algorithm", message: "" }] })?.code).toBe("unsupported-algorithm");
    expect(leadingReason({ state: "valid", reasons: [] })).toBeUndefined();
  });
});
