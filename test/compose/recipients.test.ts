// Recipient resolution for the composer: addresses from compose fields, the automatic
// technology choice, who has no key, mailing-list hints.
import { describe, expect, it } from "vitest";
import { addressesOf, assign, chooseTechnology, describeRecipients, hasKey, looksLikeMailingList, type KeyLookup } from "../../src/background/compose/recipients.js";
import type { RecipientKey, RecipientView } from "../../src/background/compose/types.js";

const key = (label: string, trusted = true): RecipientKey => ({ fingerprint: `fp-${label}`, label, trusted });

function lookup(smime: Record<string, RecipientKey>, pgp: Record<string, RecipientKey>): KeyLookup {
  return {
    smimeFor: async (e) => smime[e],
    pgpFor: async (e) => pgp[e],
    canSign: async () => true,
  };
}

describe("addressesOf", () => {
  it("parses display names, lists, case and duplicates; ignores contact references", () => {
    expect(addressesOf(["Bob <BOB@Example.org>", "carol@example.net, Dave <dave@example.com>", "bob@example.org", { id: "c1", type: "contact" }])).toEqual([
      "bob@example.org",
      "carol@example.net",
      "dave@example.com",
    ]);
  });
  it("reads a header value (compFields recipients) and skips garbage", () => {
    expect(addressesOf('"Smith, Ann" <ann@example.org>,bob@example.org,not-an-address')).toEqual(["ann@example.org", "bob@example.org"]);
    expect(addressesOf(undefined)).toEqual([]);
  });
});

describe("chooseTechnology", () => {
  const r = (email: string, smime?: RecipientKey, pgp?: RecipientKey): RecipientView => ({ email, ...(smime ? { smime } : {}), ...(pgp ? { pgp } : {}) });

  it("an explicit choice wins", () => {
    expect(chooseTechnology("openpgp", "smime", [r("a@x.org", key("a"))])).toBe("openpgp");
  });
  it("auto: the preferred technology when it covers everyone", () => {
    const list = [r("a@x.org", key("a"), key("a")), r("b@x.org", key("b"), key("b"))];
    expect(chooseTechnology("auto", "smime", list)).toBe("smime");
    expect(chooseTechnology("auto", "openpgp", list)).toBe("openpgp");
  });
  it("auto: the other technology when only it covers everyone", () => {
    expect(chooseTechnology("auto", "smime", [r("a@x.org", key("a"), key("a")), r("b@x.org", undefined, key("b"))])).toBe("openpgp");
  });
  it("auto: when none covers everyone, the one that covers most (ties: preferred)", () => {
    const list = [r("a@x.org", undefined, key("a")), r("b@x.org", undefined, key("b")), r("c@x.org", key("c"))];
    expect(chooseTechnology("auto", "smime", list)).toBe("openpgp");
    expect(chooseTechnology("auto", "smime", [r("a@x.org", key("a")), r("b@x.org", undefined, key("b"))])).toBe("smime");
  });
  it("a pending (not accepted) OpenPGP key is never used", () => {
    const pending = r("a@x.org", undefined, key("a", false));
    expect(hasKey(pending, "openpgp")).toBe(false);
    expect(chooseTechnology("auto", "openpgp", [pending, r("b@x.org", key("b"))])).toBe("smime");
  });
  it("an untrusted S/MIME certificate is still usable (shown as not verified)", () => {
    expect(hasKey(r("a@x.org", key("a", false)), "smime")).toBe(true);
  });
});

describe("describeRecipients + assign", () => {
  it("marks the key used per recipient and lists who has none", async () => {
    const list = await describeRecipients(["bob@example.org", "carol@example.net", "dev-list@lists.example.org"], lookup({ "bob@example.org": key("Bob") }, {}));
    const missing = assign(list, "smime");
    expect(missing).toEqual(["carol@example.net", "dev-list@lists.example.org"]);
    expect(list[0]).toMatchObject({ email: "bob@example.org", uses: "smime", smime: { label: "Bob", trusted: true } });
    expect(list[1]!.uses).toBeUndefined();
    expect(list[2]!.list).toBe(true);
  });
});

describe("looksLikeMailingList", () => {
  it.each(["announce@example.org", "users@lists.example.org", "team-all@example.com", "foo@googlegroups.com", "dev-request@example.org"])("%s is a list", (e) => {
    expect(looksLikeMailingList(e)).toBe(true);
  });
  it.each(["bob@example.org", "alice.list@example.org".replace(".list", "son"), "carol@example.net"])("%s is a person", (e) => {
    expect(looksLikeMailingList(e)).toBe(false);
  });
});
