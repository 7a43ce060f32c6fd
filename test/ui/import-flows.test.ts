/**
 * What the user sees in the import flows: translated errors by code, warnings, and the list
 * after an import. The background is faked; the strings come from the real locale files.
 */
import { background, chooseFile, downloads, fail, resetBackground, sent, useLocale } from "./browser-mock.js";
import { beforeEach, describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import Pkcs12Import from "../../ui/components/Pkcs12Import.svelte";
import PgpImport from "../../ui/components/PgpImport.svelte";
import CertificateImport from "../../ui/components/CertificateImport.svelte";
import BackupImport from "../../ui/components/BackupImport.svelte";
import Options from "../../ui/pages/Options.svelte";
import type { EntryView, EntryLists } from "../../src/background/options/types.js";

const P12 = new Uint8Array([0x30, 0x82, 0x01, 0x00]);

function entry(over: Partial<EntryView> = {}): EntryView {
  return {
    id: "e1",
    kind: "smime-identity",
    label: "Alice Example",
    emails: ["alice@example.org"],
    fingerprint: "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12",
    notAfter: "2030-01-31T00:00:00.000Z",
    validity: "valid",
    hasSecret: true,
    pending: false,
    replaces: [],
    ...over,
  };
}

beforeEach(() => {
  resetBackground();
});

async function importP12(password: string): Promise<void> {
  await chooseFile(screen.getByLabelText("PKCS#12 file (.p12, .pfx)"), "alice.p12", P12);
  await fireEvent.input(screen.getByLabelText("Password of the file"), { target: { value: password } });
  await fireEvent.click(screen.getByRole("button", { name: "Import" }));
}

describe("PKCS#12 import", () => {
  it("shows the translated wrong-password error and sends bytes and password", async () => {
    background.set("options:import-pkcs12", () => fail("pkcs12-wrong-password"));
    render(Pkcs12Import, { onImported: () => undefined });
    await importP12("wrong");
    expect(await screen.findByRole("alert")).toHaveProperty("textContent", "The password of the PKCS#12 file is wrong.");
    const req = sent.find((r) => r["type"] === "options:import-pkcs12")!;
    expect(req["password"]).toBe("wrong");
    expect(Array.from(req["bytes"] as Uint8Array)).toEqual(Array.from(P12));
  });

  it.each([
    ["pkcs12-corrupt", "The PKCS#12 file is damaged or is not a PKCS#12 file."],
    ["pkcs12-unsupported-algorithm", "The PKCS#12 file uses an encryption method Sealbird does not support. Export it again with AES or 3DES."],
    ["pkcs12-no-private-key", "The PKCS#12 file contains no private key for its certificate."],
    ["keystore-locked", "The keystore is locked. Unlock it first."],
    ["something-new", "Something went wrong in Sealbird."],
  ])("translates %s", async (code, text) => {
    background.set("options:import-pkcs12", () => fail(code));
    render(Pkcs12Import, { onImported: () => undefined });
    await importP12("x");
    expect((await screen.findByRole("alert")).textContent).toBe(text);
  });

  it("in German, too", async () => {
    useLocale("de");
    background.set("options:import-pkcs12", () => fail("pkcs12-wrong-password"));
    render(Pkcs12Import, { onImported: () => undefined });
    await chooseFile(screen.getByLabelText("PKCS#12-Datei (.p12, .pfx)"), "a.p12", P12);
    await fireEvent.click(screen.getByRole("button", { name: "Importieren" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Das Passwort der PKCS#12-Datei ist falsch.");
  });

  it("reports success with the expired and no-identity warnings", async () => {
    let imported = 0;
    background.set("options:import-pkcs12", () => ({ entries: [entry({ validity: "expired" })], warnings: ["cert-expired", "cert-no-identity"] }));
    render(Pkcs12Import, { onImported: () => imported++ });
    await importP12("secret");
    await screen.findByText("Imported: Alice Example");
    expect(screen.getByText(/the certificate has expired/)).toBeTruthy();
    expect(screen.getByText("Warning: none of its e-mail addresses belongs to one of your Thunderbird identities.")).toBeTruthy();
    expect(imported).toBe(1);
    // The password field is cleared after a successful import.
    expect((screen.getByLabelText("Password of the file") as HTMLInputElement).value).toBe("");
  });
});

describe("other imports", () => {
  it("OpenPGP: wrong key passphrase is translated", async () => {
    background.set("options:import-pgp", () => fail("pgp-key-passphrase-wrong"));
    render(PgpImport, { onImported: () => undefined, secret: true });
    await chooseFile(screen.getByLabelText("Key file (.asc, .gpg)"), "k.asc", new Uint8Array([1]));
    await fireEvent.input(screen.getByLabelText("Passphrase of the key"), { target: { value: "nope" } });
    await fireEvent.click(screen.getByRole("button", { name: "Import" }));
    expect((await screen.findByRole("alert")).textContent).toBe("The passphrase of the OpenPGP key is wrong or missing.");
    expect(sent.at(-1)).toMatchObject({ type: "options:import-pgp", passphrase: "nope" });
  });

  it("certificates go where the section says (trust anchor)", async () => {
    background.set("options:import-certificates", (r) => ({ entries: [entry({ kind: "trust-anchor", label: "Test Root", emails: [] })], warnings: [], as: r["as"] }));
    render(CertificateImport, { as: "trust-anchor", titleKey: "anchorImportTitle", onImported: () => undefined });
    await chooseFile(screen.getByLabelText("Certificate file (PEM or DER)"), "root.pem", new Uint8Array([1]));
    await fireEvent.click(screen.getByRole("button", { name: "Import" }));
    await screen.findByText("Imported: Test Root");
    expect(sent.at(-1)).toMatchObject({ type: "options:import-certificates", as: "trust-anchor" });
  });

  it("backup: wrong passphrase and damaged file are told apart", async () => {
    const answers = ["keystore-wrong-passphrase", "keystore-backup-invalid"];
    background.set("options:backup-import", () => fail(answers.shift()!));
    render(BackupImport, { onImported: () => undefined });
    await chooseFile(screen.getByLabelText("Backup file"), "b.sealbird-backup", new Uint8Array([1]));
    await fireEvent.input(screen.getByLabelText("Passphrase of the backup"), { target: { value: "x" } });
    await fireEvent.click(screen.getByRole("button", { name: "Restore" }));
    expect((await screen.findByRole("alert")).textContent).toBe("The passphrase is wrong.");
    await fireEvent.click(screen.getByRole("button", { name: "Restore" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe("This is not a Sealbird backup, or the file is damaged."));
  });
});

describe("options page", () => {
  function fakeKeystore(): { lists: EntryLists } {
    const lists: EntryLists = { own: [], correspondents: [], anchors: [] };
    background.set("options:state", () => ({ exists: true, unlocked: true, autoLockMinutes: 15 }));
    background.set("options:setup-get", () => ({ step: "finished" }));
    background.set("options:list", () => structuredClone(lists));
    background.set("options:identities", () => [{ email: "alice@example.org", name: "Alice" }]);
    background.set("options:thunderbird-certs", () => ({ available: true, roots: 140, own: [] }));
    background.set("options:policy-get", () => ({ defaults: { signByDefault: true, encryptWhenPossible: true, technology: "smime" }, identities: {}, domains: [] }));
    return { lists };
  }

  it("lists my certificate after a PKCS#12 import, with address, fingerprint and validity", async () => {
    const { lists } = fakeKeystore();
    background.set("options:import-pkcs12", () => {
      lists.own.push(entry());
      return { entries: [entry()], warnings: [] };
    });
    render(Options);
    const own = await screen.findByRole("region", { name: "My identities" });
    expect(within(own).getByText(/You have no certificate or key yet/)).toBeTruthy();
    // The form opens on demand; the focus moves into it.
    const open = within(own).getByRole("button", { name: "Import PKCS#12…" });
    expect(within(own).queryByLabelText("PKCS#12 file (.p12, .pfx)")).toBeNull();
    await fireEvent.click(open);
    expect(open.getAttribute("aria-expanded")).toBe("true");
    await waitFor(() => expect(document.activeElement).toBe(within(own).getByLabelText("PKCS#12 file (.p12, .pfx)")));
    await chooseFile(within(own).getByLabelText("PKCS#12 file (.p12, .pfx)"), "alice.p12", P12);
    await fireEvent.input(within(own).getByLabelText("Password of the file"), { target: { value: "secret" } });
    const p12Form = within(own).getByRole("form", { name: "Import my S/MIME certificate (PKCS#12)" });
    await fireEvent.click(within(p12Form).getByRole("button", { name: "Import" }));
    const item = await within(own).findByTestId("entry");
    expect(within(item).getByRole("heading", { name: "Alice Example" })).toBeTruthy();
    expect(within(item).getByText("alice@example.org")).toBeTruthy();
    expect(within(item).getByText("AB12 CD34 EF56 AB12 CD34 EF56 AB12 CD34 EF56 AB12 CD34 EF56 AB12 CD34 EF56 AB12")).toBeTruthy();
    expect(within(item).getByText("valid")).toBeTruthy();
    expect(within(item).getByText("S/MIME certificate with private key")).toBeTruthy();
  });

  it("deletes only after confirmation", async () => {
    const { lists } = fakeKeystore();
    lists.own.push(entry());
    background.set("options:remove", (r) => {
      lists.own = lists.own.filter((e) => e.id !== r["id"]);
      return null;
    });
    render(Options);
    const own = await screen.findByRole("region", { name: "My identities" });
    await within(own).findByTestId("entry");
    await fireEvent.click(within(own).getByRole("button", { name: "Remove Alice Example" }));
    expect(sent.some((r) => r["type"] === "options:remove")).toBe(false);
    expect(within(own).getByText(/Really remove Alice Example with its private key/)).toBeTruthy();
    const yes = within(own).getByRole("button", { name: "Yes, remove" });
    expect(document.activeElement).toBe(yes);
    await fireEvent.click(yes);
    await within(own).findByText(/You have no certificate or key yet/);
    expect(sent.filter((r) => r["type"] === "options:remove")).toEqual([{ type: "options:remove", id: "e1" }]);
  });

  it("exports PKCS#12 (legacy) after the keystore passphrase, as a download", async () => {
    const { lists } = fakeKeystore();
    lists.own.push(entry());
    background.set("options:export-pkcs12", (r) =>
      r["keystorePassphrase"] === "right one" ? { bytes: new Uint8Array([1, 2]), fileName: "alice-legacy.p12", mimeType: "application/x-pkcs12" } : fail("keystore-wrong-passphrase"),
    );
    render(Options);
    const own = await screen.findByRole("region", { name: "My identities" });
    await within(own).findByTestId("entry");
    await fireEvent.click(within(own).getByRole("button", { name: "Export as PKCS#12" }));
    const form = within(own).getByRole("form", { name: "Export as PKCS#12 file" });
    await fireEvent.input(within(form).getByLabelText("Keystore passphrase"), { target: { value: "wrong" } });
    await fireEvent.input(within(form).getByLabelText("Password for the file"), { target: { value: "pw" } });
    await fireEvent.input(within(form).getByLabelText("Repeat the password"), { target: { value: "pw" } });
    await fireEvent.click(within(form).getByLabelText("Compatible with older systems (3DES)"));
    await fireEvent.click(within(form).getByRole("button", { name: "Export" }));
    expect((await within(form).findByRole("alert")).textContent).toBe("The passphrase is wrong.");
    await fireEvent.input(within(form).getByLabelText("Keystore passphrase"), { target: { value: "right one" } });
    await fireEvent.click(within(form).getByRole("button", { name: "Export" }));
    await within(form).findByText("The file has been saved.");
    expect(downloads.at(-1)).toEqual({ name: "alice-legacy.p12", href: "blob:fake" });
    expect(sent.at(-1)).toMatchObject({ type: "options:export-pkcs12", id: "e1", password: "pw", legacy: true });
  });

  it("a pending changed key of a correspondent can be accepted", async () => {
    const { lists } = fakeKeystore();
    lists.correspondents.push(entry({ id: "k2", kind: "pgp-public-key", label: "Bob <bob@example.org>", emails: ["bob@example.org"], hasSecret: false, pending: true, replaces: ["00112233"] }));
    background.set("options:accept-key", () => {
      lists.correspondents[0]!.pending = false;
      return null;
    });
    render(Options);
    const region = await screen.findByRole("region", { name: "Correspondents" });
    await within(region).findByText("New key, waiting for your decision");
    expect(within(region).getByText(/changed key\(s\) wait for your decision/)).toBeTruthy();
    await fireEvent.click(within(region).getByRole("button", { name: "Accept new key" }));
    await waitFor(() => expect(within(region).queryByText("New key, waiting for your decision")).toBeNull());
    expect(sent.some((r) => r["type"] === "options:accept-key" && r["id"] === "k2")).toBe(true);
  });
});
