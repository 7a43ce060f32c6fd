import type { Command } from "../command.js";
import { KEYSTORE_OPTIONS, parse } from "../args.js";
import { openKeyringMaybeLocked, secretFrom } from "../keystore-access.js";
import { readInput, writeOutput } from "../io.js";
import { EXIT } from "../exit-codes.js";
import { inspectMessage, type LayerOpener } from "../../core/message/inspect.js";
import { smimeOpener } from "../../core/message/smime-adapter.js";
import { pgpOpener } from "../../core/message/pgp-adapter.js";
import { summaryEnglish } from "../../core/status/presentation.js";
import type { MessageStatus } from "../../core/status/message-status.js";
import type { RevocationStatus } from "../../core/status/revocation-status.js";
import { decryptedMessagePieces } from "../../core/message/decrypted-message.js";
import { keystoreDirOf, ONLINE_HELP, ONLINE_OPTIONS, onlineRevocation, revocationMode } from "../online.js";

const OPTIONS = {
  ...KEYSTORE_OPTIONS,
  json: { type: "boolean" },
  out: { type: "string" },
  html: { type: "string" },
  learn: { type: "boolean" },
  "message-password-file": { type: "string" },
  crl: { type: "string", multiple: true },
  ocsp: { type: "string", multiple: true },
  ...ONLINE_OPTIONS,
} as const;

export const inspectCommand: Command = {
  help: `  --json                      the status model as JSON
  --out FILE                  the decrypted/unwrapped message (protected headers restored)
  --html FILE                 the sanitised view a user would see, as a standalone HTML file
  --learn                     remember certificates/keys from valid signatures and Autocrypt
  --message-password-file F   password for a password-protected OpenPGP message
  --crl FILE, --ocsp FILE     revocation data (CRL: PEM or DER; OCSP: DER) to check S/MIME signers against (repeatable)
${ONLINE_HELP}  Without a passphrase the keystore is used locked: signatures are checked, nothing decrypted.
`,
  async run(args) {
    const { values, positionals } = parse(args, OPTIONS, { min: 1, max: 1, names: "MESSAGE.eml" });
    const mode = revocationMode(values.revocation);
    const raw = readInput(positionals[0]!, "message");
    const ring = await openKeyringMaybeLocked(values);
    const passwords =
      typeof values["message-password-file"] === "string"
        ? [secretFrom(values["message-password-file"], "message-password-file", "SEALBIRD_MESSAGE_PASSWORD")]
        : undefined;
    const smimeCtx = ring ? await ring.smimeContext() : { identities: [], trustAnchors: [], knownCertificates: [] };
    if (values.crl?.length) {
      const { toDerList } = await import("../../core/cert/index.js");
      smimeCtx.crls = values.crl.flatMap((f) => toDerList(readInput(f, "CRL"), ["X509 CRL"]));
    } else {
      smimeCtx.crls = [];
    }
    smimeCtx.ocspResponses = (values.ocsp ?? []).map((f) => readInput(f, "OCSP response"));
    smimeCtx.revocation = onlineRevocation(mode, keystoreDirOf(values));
    const openers: LayerOpener[] = [smimeOpener(smimeCtx), pgpOpener(ring ? await ring.pgpContext() : { secretKeys: [], publicKeys: [] }, passwords)];
    const result = await inspectMessage(raw, { openers });
    if (values.learn && ring) await ring.learnFrom(result);
    if (values.out && result.view) writeOutput(values.out, decryptedMessagePieces(result), "decrypted message");
    if (values.html && result.view) writeOutput(values.html, await (await import("../render-html.js")).renderHtmlFile(result.view), "HTML view");
    process.stdout.write(values.json ? JSON.stringify(result.status, null, 2) + "\n" : describe(result.status));
    return EXIT.ok;
  },
};

function describeRevocation(r: RevocationStatus): string[] {
  const lines = [`revocation: ${r.state} (${r.mode}, checked ${r.checkedAt})`];
  for (const c of r.certificates) {
    const how = c.method ? `${c.method}${c.url ? ` ${c.url}` : " (supplied)"}${c.fromCache ? `, cached from ${c.fetchedAt}` : ""}${c.nextUpdate ? `, valid until ${c.nextUpdate}` : ""}` : c.why ?? "";
    lines.push(`  ${c.subject}: ${c.status}${c.revokedAt ? ` since ${c.revokedAt}` : ""} — ${how}`);
    for (const a of c.attempts) lines.push(`    tried ${a.method} ${a.url}: ${a.code}: ${a.message}`);
  }
  return lines;
}

function describe(s: MessageStatus): string {
  const lines = [`status: ${summaryEnglish(s)}`, `protocol: ${s.protocol}`];
  if (s.encryption.state === "decrypted") lines.push(`encryption: decrypted (${s.encryption.algorithm})`);
  if (s.encryption.state === "failed") {
    const step = s.encryption.step ? ` [step: ${s.encryption.step}]` : "";
    lines.push(`encryption: failed: ${s.encryption.code}${step}: ${s.encryption.message}${s.encryption.recipients.length ? ` (for ${s.encryption.recipients.join(", ")})` : ""}`);
  }
  const sig = s.signature;
  if (sig.state !== "none") {
    lines.push(`signature: ${sig.state}`);
    if (sig.signer) lines.push(`signer: ${sig.signer.name ?? ""} <${sig.signer.email ?? sig.signer.emails.join(", ")}> ${sig.signer.fingerprint ?? ""}`.replace("  ", " "));
    if (sig.signingTime) lines.push(`signed at: ${sig.signingTime}${sig.messageDate ? ` (message dated ${sig.messageDate})` : ""}`);
    if (sig.sender) lines.push(`sender field: ${sig.sender} (not the author; the signature is judged against From)`);
    for (const r of sig.reasons) lines.push(`  because: ${r.code}: ${r.message}`);
    if (sig.revocation) lines.push(...describeRevocation(sig.revocation));
  }
  if (s.protectedHeaders?.subject !== undefined) lines.push(`protected subject: ${s.protectedHeaders.subject}`);
  for (const u of s.uncredited) lines.push(`not credited: ${u.signature.state} signature by ${u.signature.signer?.email ?? u.signature.signer?.keyId ?? "?"}: ${u.note}`);
  for (const n of s.nested) lines.push(`nested ${n.kind} ${n.where === "layer" ? "layer" : "part"} ${n.path || "(content)"} (${n.protocol}): ${n.note}`);
  for (const r of s.repairs) lines.push(`repaired: ${r.code}: ${r.message}`);
  for (const e of s.errors) lines.push(`error: ${e.code}: ${e.message}`);
  return lines.join("\n") + "\n";
}
