/**
 * The composer side of Sealbird: per compose tab the Encrypt/Sign/technology state, the live
 * recipient view for the popup, the checks before a send (onBeforeSend), and the actual
 * signing/encryption when Thunderbird streams the message (composeSecure.onEncapsulate).
 *
 * Sending: Thunderbird builds the MIME message and does SMTP, the Sent copy and Drafts. Our
 * experiment (src/experiments/compose-secure) puts an nsIMsgComposeSecure in the composer, so
 * those bytes pass through protectEntity() here. Any failure aborts: nothing is sent or saved.
 */
import { SealbirdError, isSealbirdError } from "../../core/errors.js";
import type { Keyring } from "../../core/keyring/keyring.js";
import { buildPath } from "../../core/cert/path.js";
import { unb64 } from "../../core/keyring/record-codec.js";
import type { KeystoreService } from "../keystore-service.js";
import { domainRuleFor, getPolicy, identityPolicy } from "../options/policy.js";
import { addressesOf, assign, chooseTechnology, describeRecipients, hasKey, type KeyLookup } from "./recipients.js";
import type { DiscoveryService, LookupStatus } from "../discovery/service.js";
import { protectEntity, unique, type Decision, type EncapsulateRequest } from "./encapsulate.js";
import { draftContent, isEncryptedMessage, unflow } from "./drafts.js";
import { inspectMessage } from "../../core/message/inspect.js";
import { copyFilename } from "../../core/message/decrypted-message.js";
import type { DecryptedOriginal } from "../display-service.js";
import { forwardBody, replyBody, type QuoteText } from "./quote.js";
import { controls, showControls } from "./controls.js";
import type {
  ComposeRequest,
  ComposeState,
  ComposeView,
  EncryptOffReason,
  EncryptReason,
  LeakHold,
  RecipientKey,
  RecipientLookup,
  RecipientView,
  SignOffReason,
  SignReason,
  Technology,
} from "./types.js";
import { openUnlockWindow } from "../unlock-window.js";
import { smimeRecordUnusable } from "../../core/keyring/smime-usability.js";
import type { OnlineChecks } from "../online-checks.js";
import { SmimeRecipientChecks } from "./smime-checks.js";
import { ownExpiryFor } from "./own-expiry.js";
import { messageBytes } from "../message-bytes.js";

const STATE_KEY = "sealbird.compose.";

/** The compose-secure experiment; null in a build without it (then nothing is protected or sent protected). */
function secure(): typeof messenger.composeSecure | null {
  return typeof messenger.composeSecure === "object" && messenger.composeSecure ? messenger.composeSecure : null;
}

const i18n = (key: string, subs?: string | string[]): string => messenger.i18n.getMessage(key, subs) || key;

function errorText(e: unknown): string {
  const code = isSealbirdError(e) ? e.code : "internal";
  const text = i18n(`error_${code.replace(/-/g, "_")}`);
  const missing = isSealbirdError(e) ? (e.details["missing"] as string[] | undefined) : undefined;
  return missing?.length ? `${text} ${missing.join(", ")}` : text;
}

export class ComposeService {
  private states = new Map<number, ComposeState>();
  /** Message passwords for keyless recipients: memory only, never persisted, never sent to a page. */
  private passwords = new Map<number, string>();
  /** The decision made before the send that is running now (onBeforeSend → onEncapsulate). */
  private decisions = new Map<number, Decision>();
  private blocked = new Set<number>();
  private checkedReply = new Set<number>();
  private restoredDraft = new Set<number>();
  private leaks = new Map<number, LeakHold>();
  /** Composers Sealbird took over (Thunderbird's own toggles handed over once, at the start). */
  private tookOver = new Set<number>();
  /** Recipients of each open composer, for refreshing it when a lookup for one of them ends. */
  private recipientsOf = new Map<number, string[]>();
  /** LDAP look-ups and revocation checks of S/MIME recipients (absent without network checks). */
  private readonly checks: SmimeRecipientChecks | undefined;

  constructor(
    private readonly keystore: KeystoreService,
    private readonly discovery?: DiscoveryService,
    online?: OnlineChecks,
    /** The decrypted original of a reply/forward, when Sealbird decrypted it (display-service). */
    private readonly originals: (messageId: number) => Promise<DecryptedOriginal | undefined> = async () => undefined,
  ) {
    this.checks = online ? new SmimeRecipientChecks(online, () => this.refreshAll()) : undefined;
  }

  /** The S/MIME check settings or permissions changed: decide again, and show it. */
  checksChanged(): void {
    this.checks?.forget();
    this.refreshAll();
  }

  private refreshAll(): void {
    for (const tabId of this.states.keys()) void this.refresh(tabId).catch(() => undefined);
  }

  /** Call synchronously at the top level of the background (MV3 wakes the page for these). */
  register(): void {
    messenger.compose.onBeforeSend.addListener((tab, details) => this.beforeSend(tab.id, details));
    messenger.compose.onAfterSend.addListener((tab, info) => {
      if (!info.error) this.forget(tab.id);
    });
    messenger.compose.onIdentityChanged.addListener((tab) => void this.refresh(tab.id));
    messenger.compose.onComposeStateChanged.addListener((tab) => void this.refresh(tab.id));
    messenger.tabs.onCreated.addListener((tab) => {
      if (tab.type === "messageCompose") setTimeout(() => void this.refresh(tab.id), 500);
    });
    messenger.tabs.onRemoved.addListener((tabId) => this.forget(tabId));
    secure()?.onEncapsulate.addListener((tabId, request) => this.encapsulate(tabId, request as EncapsulateRequest));
    controls()?.onCommand.addListener((tabId, control) => void this.toggle(tabId, control).catch(() => undefined));
    // A lookup ended (or started): every composer with that recipient shows it, and its
    // Encrypt default follows the key that may now exist.
    this.discovery?.onChange((email) => {
      for (const [tabId, list] of this.recipientsOf) if (list.includes(email)) void this.refresh(tabId).catch(() => undefined);
    });
  }

  async handle(req: ComposeRequest): Promise<unknown> {
    switch (req.type) {
      case "compose:get-view":
        return this.refresh(req.tabId);
      case "compose:set":
        return this.set(req.tabId, req);
      case "compose:resolve-missing":
        return this.resolveMissing(req.tabId, req.choice, req.password, req.confirmed === true);
      case "compose:confirm-leak":
        return this.confirmLeak(req.tabId, req.addresses, req.unencrypted === true);
    }
  }

  // ---- state -----------------------------------------------------------------------------

  private async state(tabId: number): Promise<ComposeState> {
    let s = this.states.get(tabId);
    if (s) return s;
    const kept = (await messenger.storage.session.get(STATE_KEY + tabId))[STATE_KEY + tabId] as ComposeState | undefined;
    s = kept ?? { sign: false, encrypt: false, technology: "auto", userSetSign: false, userSetEncrypt: false, replyToEncrypted: false };
    this.states.set(tabId, s);
    return s;
  }

  private async save(tabId: number, s: ComposeState): Promise<void> {
    this.states.set(tabId, s);
    await messenger.storage.session.set({ [STATE_KEY + tabId]: { ...s } });
  }

  private forget(tabId: number): void {
    this.states.delete(tabId);
    this.passwords.delete(tabId);
    this.decisions.delete(tabId);
    this.blocked.delete(tabId);
    this.checkedReply.delete(tabId);
    this.restoredDraft.delete(tabId);
    this.leaks.delete(tabId);
    this.tookOver.delete(tabId);
    this.recipientsOf.delete(tabId);
    void messenger.storage.session.remove(STATE_KEY + tabId);
  }

  private async set(tabId: number, req: { sign?: boolean; encrypt?: boolean; technology?: ComposeState["technology"] }): Promise<ComposeView> {
    const s = await this.state(tabId);
    const before = await this.refresh(tabId);
    if (typeof req.sign === "boolean") {
      s.sign = req.sign;
      s.userSetSign = true;
    } else if (!s.userSetSign) s.sign = before.sign;
    if (typeof req.encrypt === "boolean") {
      s.encrypt = req.encrypt;
      s.userSetEncrypt = true;
    } else if (!s.userSetEncrypt) s.encrypt = before.encrypt;
    if (req.technology) s.technology = req.technology;
    if (!s.encrypt) {
      s.keyless = undefined;
      this.passwords.delete(tabId);
    }
    await this.save(tabId, s);
    // The user chose Sealbird for this message: Thunderbird's own encryption steps aside, and
    // the popup says so (never both on the same message).
    if ((req.sign || req.encrypt) && before.thunderbirdOwn && (before.thunderbirdOwn.encrypt || before.thunderbirdOwn.sign)) {
      await messenger.compose
        .setComposeDetails(tabId, { selectedEncryptionTechnology: { name: before.thunderbirdOwn.technology, encryptBody: false, signMessage: false } })
        .catch(() => undefined);
    }
    return this.refresh(tabId);
  }

  // ---- view ------------------------------------------------------------------------------

  private async lookup(): Promise<KeyLookup> {
    const ks = await this.keystore.state();
    if (!ks.exists) return { smimeFor: async () => undefined, pgpFor: async () => undefined, canSign: async () => false };
    const ring = await this.keystore.keyring();
    return keyLookup(ring);
  }

  /** Computes the view, updates the buttons and arms the experiment to match. */
  async refresh(tabId: number, given?: messenger.compose.ComposeDetails): Promise<ComposeView> {
    let view = await this.view(tabId, given);
    if (view.protects && !this.tookOver.has(tabId)) {
      this.tookOver.add(tabId);
      if (view.thunderbirdOwn && (await this.handOver(tabId, view.thunderbirdOwn))) view = await this.view(tabId, given);
    }
    await this.showOnButton(view);
    await showControls(view, i18n);
    await secure()
      ?.configure(tabId, {
        // A composer holding decrypted text stays armed: its drafts are stored encrypted.
        active: view.sign || view.encrypt || view.holdsDecrypted,
        sign: view.sign,
        encrypt: view.encrypt,
        messages: { failed: i18n("composeFailed"), conflict: i18n("composeConflict") },
      })
      .catch(() => undefined);
    return view;
  }

  private async view(tabId: number, given?: messenger.compose.ComposeDetails): Promise<ComposeView> {
    const s = await this.state(tabId);
    const details = given ?? (await messenger.compose.getComposeDetails(tabId));
    await this.checkReply(tabId, s, details);
    await this.restoreDraft(tabId, s, details);
    const identity = details.identityId ? await messenger.identities.get(details.identityId).catch(() => undefined) : undefined;
    const from = addressesOf(details.from ? [details.from] : [])[0] ?? identity?.email?.toLowerCase() ?? "";
    const emails = addressesOf([...(details.to ?? []), ...(details.cc ?? []), ...(details.bcc ?? [])]);
    const ks = await this.keystore.state();
    const keys = await this.lookup();
    const recipients = await describeRecipients(emails, keys);
    if (this.checks && ks.exists) this.checks.apply(recipients, await this.keystore.keyring());
    const policy = await getPolicy().catch(() => undefined);
    const idp = policy ? identityPolicy(policy, from) : { signByDefault: false, encryptWhenPossible: true, technology: "smime" as Technology };
    for (const r of recipients) {
      const rule = policy ? domainRuleFor(policy, r.email) : undefined;
      if (rule) r.rule = rule;
    }
    const effective = chooseTechnology(s.technology, idp.technology, recipients);
    const missing = assign(recipients, effective);
    this.recipientsOf.set(tabId, emails);
    if (ks.exists) this.showLookups(recipients, effective);
    const canSign = from ? await keys.canSign(from, effective) : false;
    const own = await secure()
      ?.ownCrypto(tabId)
      .catch(() => undefined);
    const ownOn = !!own && (own.encrypt || own.sign);

    let sign = s.userSetSign ? s.sign : idp.signByDefault && canSign && !ownOn;
    let encrypt = s.encrypt;
    let encryptReason: EncryptReason | undefined = s.userSetEncrypt && s.encrypt ? "user" : undefined;
    if (!s.userSetEncrypt) {
      const ruled = recipients.some((r) => r.rule);
      if (s.replyToEncrypted) encryptReason = "reply-encrypted";
      else if (ruled) encryptReason = "domain-rule";
      else if (idp.encryptWhenPossible && recipients.length > 0 && missing.length === 0) encryptReason = "all-have-keys";
      // Thunderbird's own encryption, when the user turned it on, applies instead of our defaults.
      encrypt = !!encryptReason && !ownOn;
      if (!encrypt) encryptReason = undefined;
    }
    if (!ks.exists) sign = s.userSetSign ? sign : false;
    if (encryptReason === "user" && s.fromThunderbird?.encrypt) encryptReason = "thunderbird";
    const protects = ks.exists && ((await keys.canSign(from, "smime")) || (await keys.canSign(from, "openpgp")));
    const encryptOff: EncryptOffReason | undefined = encrypt
      ? undefined
      : s.userSetEncrypt
        ? "user"
        : ownOn
          ? "thunderbird-own"
          : recipients.length === 0
            ? "no-recipients"
            : missing.length
              ? "missing-keys"
              : "policy";
    const signReason: SignReason | undefined = sign ? (s.userSetSign ? (s.fromThunderbird?.sign ? "thunderbird" : "user") : "policy") : undefined;
    const signOff: SignOffReason | undefined = sign ? undefined : s.userSetSign ? "user" : !canSign ? "no-key" : ownOn ? "thunderbird-own" : "policy";
    return {
      tabId,
      from,
      sign,
      encrypt,
      technology: s.technology,
      effective,
      ...(encryptReason ? { encryptReason } : {}),
      ...(encryptOff ? { encryptOff } : {}),
      ...(signReason ? { signReason } : {}),
      ...(signOff ? { signOff } : {}),
      recipients,
      missing,
      canSign,
      ...(own && ownOn ? { thunderbirdOwn: own } : {}),
      replyToEncrypted: s.replyToEncrypted,
      keystore: ks,
      ...(s.keyless ? { keyless: s.keyless } : {}),
      blocked: this.blocked.has(tabId),
      holdsDecrypted: !!s.decrypted,
      ...(this.leaks.has(tabId) ? { leak: this.leaks.get(tabId)! } : {}),
      protects,
      inCharge: protects || sign || encrypt,
      listEntries: [...(details.to ?? []), ...(details.cc ?? []), ...(details.bcc ?? [])].some((e) =>
        typeof e === "string" ? e.trim() !== "" && addressesOf([e]).length === 0 : e.type === "mailingList",
      ),
      ...(await this.ownExpiry(ks.exists, from, effective)),
    };
  }

  private async ownExpiry(exists: boolean, from: string, technology: Technology): Promise<Pick<ComposeView, "ownExpiry">> {
    if (!exists || !from) return {};
    const e = await ownExpiryFor((await this.keystore.keyring()).store, from, technology).catch(() => undefined);
    return e ? { ownExpiry: e } : {};
  }

  /**
   * Sealbird takes over a composer whose sender it holds a key for: Thunderbird's own Encrypt
   * and Sign (on by the account's settings, or pressed before we got here) become Sealbird's,
   * and Thunderbird's are turned off, so one of the two protects the message, never both.
   */
  private async handOver(tabId: number, own: NonNullable<ComposeView["thunderbirdOwn"]>): Promise<boolean> {
    const done = await messenger.compose
      .setComposeDetails(tabId, { selectedEncryptionTechnology: { name: own.technology, encryptBody: false, signMessage: false } })
      .then(
        () => true,
        () => false,
      );
    if (!done) return false;
    const s = await this.state(tabId);
    if (own.encrypt && !s.userSetEncrypt) [s.encrypt, s.userSetEncrypt] = [true, true];
    if (own.sign && !s.userSetSign) [s.sign, s.userSetSign] = [true, true];
    s.fromThunderbird = { encrypt: own.encrypt, sign: own.sign };
    await this.save(tabId, s);
    return true;
  }

  /** Sealbird's Encrypt or Sign button in the composer's toolbar was pressed. */
  private async toggle(tabId: number, control: "encrypt" | "sign"): Promise<void> {
    const view = await this.view(tabId);
    await this.set(tabId, control === "encrypt" ? { encrypt: !view.encrypt } : { sign: !view.sign });
  }

  /**
   * Recipients without a usable key (OpenPGP, nor one in the technology of this message) are
   * looked up in the background; each shows how its lookup stands ("looking up…", found, the
   * typed failure). The composer never waits for it.
   */
  private showLookups(recipients: RecipientView[], effective: Technology): void {
    if (!this.discovery) return;
    for (const r of recipients) {
      const keyless = !hasKey(r, "openpgp") && !hasKey(r, effective) && !(r.pgp && !r.pgp.trusted);
      const status = keyless ? this.discovery.request(r.email) : this.discovery.known(r.email);
      if (!status) continue;
      // Found while this view was being made (its keys were read before): the refresh that the
      // lookup's end triggers shows the key; until then it still counts as being looked up.
      r.lookup = status.state === "found" && !r.pgp ? { state: "looking-up" } : lookupView(status);
    }
  }

  /** A reply to / forward of an encrypted message starts with Encrypt on. */
  private async checkReply(tabId: number, s: ComposeState, details: messenger.compose.ComposeDetails): Promise<void> {
    if (this.checkedReply.has(tabId)) return;
    this.checkedReply.add(tabId);
    if (!details.relatedMessageId || !/^(reply|forward)$/.test(details.type ?? "")) return;
    try {
      // Never decrypted here.
      const text = new TextDecoder().decode(await messageBytes(details.relatedMessageId));
      const head = text.slice(0, Math.max(0, text.search(/\r?\n\r?\n/))) || text.slice(0, 65536);
      if (/^content-type:\s*(multipart\/encrypted|application\/(x-)?pkcs7-mime)/im.test(head) || /-----BEGIN PGP MESSAGE-----/.test(text.slice(0, 65536))) {
        s.replyToEncrypted = true;
        await this.save(tabId, s);
        await this.quoteDecrypted(tabId, s, details);
      }
    } catch {
      // The original is gone or unreadable: no hint, nothing else changes.
    }
  }

  /**
   * Thunderbird quoted what it could see of a message only Sealbird decrypted (ciphertext or
   * nothing): replace that with the decrypted content, quoted as Thunderbird quotes plain
   * mail, the protected Subject after Re:/Fwd:, and for a forward the decrypted attachments
   * (or, forwarded as attachment, the decrypted message). Messages Sealbird did not decrypt
   * keep Thunderbird's quote.
   */
  private async quoteDecrypted(tabId: number, s: ComposeState, details: messenger.compose.ComposeDetails): Promise<void> {
    const id = details.relatedMessageId!;
    const original = await this.originals(id).catch(() => undefined);
    if (!original) return;
    const hdr = await messenger.messages.get(id);
    const ph = original.status.protectedHeaders ?? {};
    const from = ph.from ?? hdr.author;
    const to = ph.to ?? hdr.recipients.join(", ");
    const cc = ph.cc ?? hdr.ccList.join(", ");
    const subject = ph.subject ?? hdr.subject;
    // Before anything decrypted enters the composer: from now on drafts are encrypted and the
    // leak guard applies.
    s.decrypted = { involved: addressesOf([from, to, cc, hdr.author, ...hdr.recipients, ...hdr.ccList].filter(Boolean)) };
    await this.save(tabId, s);
    await this.refresh(tabId);
    const html = details.isPlainText !== true;
    const date = hdr.date ? new Date(hdr.date) : undefined;
    const when = date ? date.toLocaleString(messenger.i18n.getUILanguage(), { dateStyle: "short", timeStyle: "short" }) : "";
    const author = /^\s*"?([^"<]*?)"?\s*</.exec(from)?.[1]?.trim() || from;
    const text: QuoteText = {
      citeLine: i18n("composeCiteLine", [when, author]),
      forwardLine: i18n("composeForwardLine"),
      labels: { subject: i18n("composeHeaderSubject"), date: i18n("composeHeaderDate"), from: i18n("composeHeaderFrom"), to: i18n("composeHeaderTo"), cc: i18n("composeHeaderCc") },
    };
    const update: Partial<messenger.compose.ComposeDetails> = {};
    const setBody = (body: string): void => {
      if (html) update.body = body;
      else update.plainTextBody = body;
    };
    if (details.type === "forward") {
      const attached = (await messenger.compose.listAttachments(tabId)).filter((a) => /\.eml$/i.test(a.name));
      if (attached.length) {
        // Forward as attachment: the decrypted message replaces the encrypted one.
        for (const a of attached) await messenger.compose.removeAttachment(tabId, a.id);
        await messenger.compose.addAttachment(tabId, { file: new File([original.copy() as BlobPart], copyFilename(subject), { type: "message/rfc822" }) });
      } else {
        setBody(forwardBody(original.model, { subject, from, to, cc, date: original.date ?? when }, text, html));
        for (const a of draftContent(original.content).attachments) {
          await messenger.compose.addAttachment(tabId, { file: new File([a.bytes as BlobPart], a.name, { type: a.type }) });
        }
      }
      update.subject = `Fwd: ${subject}`;
    } else {
      // Thunderbird's own body is kept for its cite line (its settings, its locale).
      setBody(replyBody(original.model, { body: details.body, plainTextBody: details.plainTextBody }, text, html, hdr.headerMessageId));
      update.subject = /^re:/i.test(subject) ? subject : `Re: ${subject}`;
    }
    await messenger.compose.setComposeDetails(tabId, update);
  }

  /**
   * A draft we stored encrypted comes back unreadable to Thunderbird: decrypt it and put the
   * real Subject, text and attachments into the composer; Encrypt stays on. Needs the key, so
   * a locked keystore asks for the unlock and the next refresh tries again.
   */
  private async restoreDraft(tabId: number, s: ComposeState, details: messenger.compose.ComposeDetails): Promise<void> {
    if (this.restoredDraft.has(tabId) || details.type !== "draft") return;
    const draftId = details.relatedMessageId ?? (await secure()?.draftMessageId(tabId).catch(() => null));
    if (!draftId) {
      this.restoredDraft.add(tabId);
      return;
    }
    let raw: Uint8Array;
    try {
      raw = await messageBytes(draftId);
    } catch {
      this.restoredDraft.add(tabId);
      return;
    }
    if (!isEncryptedMessage(raw)) {
      this.restoredDraft.add(tabId);
      return;
    }
    if (!this.keystore.isUnlocked()) {
      await secure()
        ?.notify(tabId, i18n("composeDraftLocked"), "warning")
        .catch(() => undefined);
      return;
    }
    this.restoredDraft.add(tabId);
    try {
      const result = await inspectMessage(raw, { openers: await this.keystore.openers() });
      if (!result.view || result.status.encryption.state !== "decrypted") throw new SealbirdError("decrypt-failed", "The draft could not be decrypted.");
      const content = draftContent(result.view);
      const subject = result.status.protectedHeaders?.subject;
      const update: Partial<messenger.compose.ComposeDetails> = {};
      if (subject) update.subject = subject;
      if (details.isPlainText) update.plainTextBody = unflow(content.text ?? "", content.flowed === true);
      else update.body = content.html ?? escapeHtml(content.text ?? "");
      await messenger.compose.setComposeDetails(tabId, update);
      for (const a of await messenger.compose.listAttachments(tabId)) await messenger.compose.removeAttachment(tabId, a.id);
      for (const a of content.attachments) {
        await messenger.compose.addAttachment(tabId, { file: new File([a.bytes as BlobPart], a.name, { type: a.type }) });
      }
      s.encrypt = true;
      s.userSetEncrypt = true;
      await this.save(tabId, s);
      await secure()
        ?.notify(tabId, "")
        .catch(() => undefined);
    } catch (e) {
      await secure()
        ?.notify(tabId, `${i18n("composeDraftFailed")} ${errorText(e)}`, "warning")
        .catch(() => undefined);
    }
  }

  private async showOnButton(v: ComposeView): Promise<void> {
    const text = v.encrypt && v.sign ? "E+S" : v.encrypt ? "E" : v.sign ? "S" : "";
    const title = i18n(v.encrypt ? (v.sign ? "composeTitleEncryptSign" : "composeTitleEncrypt") : v.sign ? "composeTitleSign" : "composeTitleOff");
    await messenger.composeAction.setBadgeText({ tabId: v.tabId, text }).catch(() => undefined);
    await messenger.composeAction.setBadgeBackgroundColor({ tabId: v.tabId, color: v.encrypt && v.missing.length ? "#b00020" : v.encrypt ? "#1b7f3b" : "#44617b" }).catch(() => undefined);
    await messenger.composeAction.setTitle({ tabId: v.tabId, title }).catch(() => undefined);
    // Next to Sealbird's Encrypt and Sign: how many recipients have a key, the popup says who.
    const n = v.recipients.length;
    const label = v.inCharge && n ? i18n("composeKeysLabel", [String(n - v.missing.length), String(n)]) : null;
    await messenger.composeAction.setLabel({ tabId: v.tabId, label }).catch(() => undefined);
    const icon = v.encrypt ? "icons/encrypted.svg" : v.sign ? "icons/signed-valid.svg" : "icons/sealbird.svg";
    await messenger.composeAction.setIcon({ tabId: v.tabId, path: icon }).catch(() => undefined);
  }

  // ---- before the send -------------------------------------------------------------------

  private async stop(tabId: number, text: string): Promise<{ cancel: true }> {
    await secure()
      ?.notify(tabId, text, "warning")
      .catch(() => undefined);
    return { cancel: true };
  }

  async beforeSend(tabId: number, details: messenger.compose.ComposeDetails): Promise<{ cancel?: boolean }> {
    this.decisions.delete(tabId);
    await this.settleChecks(details);
    const view = await this.refresh(tabId, details);
    const s = await this.state(tabId);
    // The leak guard comes first: a new address must not be resolved away as a keyless recipient.
    const leak = await this.leakGuard(tabId, s, view, view.encrypt);
    if (leak) return leak;
    if (!view.sign && !view.encrypt) return {};
    const api = secure();
    // Never send unprotected what the user asked to protect.
    if (!api) return { cancel: true };
    if (view.thunderbirdOwn) return this.stop(tabId, i18n("composeConflict"));
    if (!view.keystore.exists) return this.stop(tabId, i18n("error_keystore_not_found"));
    const to = view.recipients.map((r) => r.email);
    let technology = view.effective;
    let encrypt = view.encrypt;
    let password: string | undefined;
    if (encrypt && view.missing.length) {
      if (s.keyless === "password" && this.passwords.has(tabId)) {
        password = this.passwords.get(tabId);
        technology = "openpgp";
      } else if (s.keyless === "unencrypted") {
        encrypt = false;
      } else {
        this.blocked.add(tabId);
        await messenger.windows
          .create({ url: messenger.runtime.getURL(`ui/compose-popup.html?tabId=${tabId}`), type: "popup", width: 520, height: 620 })
          .catch(() => undefined);
        return this.stop(tabId, i18n("composeBlockedMissing", [view.missing.join(", ")]));
      }
    }
    if (!encrypt) {
      const strict = view.recipients.filter((r) => r.rule === "never-unencrypted").map((r) => r.email);
      if (strict.length) return this.stop(tabId, i18n("composeNeverUnencrypted", [strict.join(", ")]));
    }
    const held = await this.leakGuard(tabId, s, view, encrypt);
    if (held) return held;
    const keys = await this.lookup();
    const sign = view.sign && (technology === view.effective ? view.canSign : await keys.canSign(view.from, technology));
    if (view.sign && !sign) return this.stop(tabId, i18n("composeNoSigningKey", [view.from]));
    if (sign && !view.keystore.unlocked) {
      await openUnlockWindow().catch(() => undefined);
      return this.stop(tabId, i18n("composeUnlockFirst"));
    }
    this.blocked.delete(tabId);
    if (!sign && !encrypt) {
      await api.configure(tabId, { active: false, sign: false, encrypt: false });
      return {};
    }
    this.decisions.set(tabId, { technology, sign, encrypt, from: view.from, to, ...(password ? { password } : {}) });
    await api.notify(tabId, "").catch(() => undefined);
    await api.configure(tabId, {
      active: true,
      sign,
      encrypt,
      messages: { failed: i18n("composeFailed"), conflict: i18n("composeConflict") },
    });
    return {};
  }

  /**
   * The leak guard (the CCS 2020 reply attack: an attacker's Reply-To makes the victim send the
   * decrypted text to the attacker): a composer holding decrypted text is held when it would
   * leave unencrypted or to an address the original did not involve, until the user confirmed
   * exactly those addresses. The window that asks defaults to not sending.
   */
  private async leakGuard(tabId: number, s: ComposeState, view: ComposeView, encrypt: boolean): Promise<{ cancel: true } | null> {
    if (!s.decrypted) return null;
    const fresh = view.recipients.map((r) => r.email).filter((e) => !s.decrypted!.involved.includes(e));
    const unencrypted = !encrypt;
    if (!fresh.length && !unencrypted) return null;
    const ok = s.leakConfirmed && fresh.every((e) => s.leakConfirmed!.addresses.includes(e)) && (!unencrypted || s.leakConfirmed.unencrypted);
    if (ok) return null;
    this.leaks.set(tabId, { fresh, unencrypted });
    await messenger.windows
      .create({ url: messenger.runtime.getURL(`ui/compose-popup.html?tabId=${tabId}`), type: "popup", width: 520, height: 620 })
      .catch(() => undefined);
    return this.stop(tabId, i18n(fresh.length ? "composeLeakHeldAddresses" : "composeLeakHeldUnencrypted", [fresh.join(", ")]));
  }

  private async confirmLeak(tabId: number, addresses: string[], unencrypted: boolean): Promise<{ sending: boolean }> {
    const s = await this.state(tabId);
    const held = this.leaks.get(tabId);
    // Only what was shown can be confirmed: the same addresses, the same unencrypted state.
    if (!held || held.unencrypted !== unencrypted || held.fresh.length !== addresses.length || held.fresh.some((e) => !addresses.includes(e))) {
      throw new SealbirdError("usage", "The confirmation does not match the held message.");
    }
    s.leakConfirmed = { addresses: [...addresses], unencrypted };
    await this.save(tabId, s);
    this.leaks.delete(tabId);
    return this.sendAgain(tabId);
  }

  /** The user chose in Sealbird's window: the composer's Send runs again, through onBeforeSend. */
  private async sendAgain(tabId: number): Promise<{ sending: true }> {
    const api = secure();
    if (!api) throw new SealbirdError("internal", "Sealbird's compose experiment is missing.");
    await api.notify(tabId, "").catch(() => undefined);
    await api.sendNow(tabId);
    return { sending: true };
  }

  /** Directory look-ups and revocation checks still running for these recipients are waited for. */
  private async settleChecks(details: messenger.compose.ComposeDetails): Promise<void> {
    if (!this.checks || !(await this.keystore.state()).exists) return;
    const ring = await this.keystore.keyring();
    const emails = addressesOf([...(details.to ?? []), ...(details.cc ?? []), ...(details.bcc ?? [])]);
    await this.checks.settle(await describeRecipients(emails, keyLookup(ring)), ring);
  }

  private async resolveMissing(tabId: number, choice: "remove" | "password" | "unencrypted", password: string | undefined, confirmed: boolean): Promise<{ sending: boolean }> {
    const s = await this.state(tabId);
    const view = await this.refresh(tabId);
    if (choice === "remove") {
      const missing = new Set(view.missing);
      const details = await messenger.compose.getComposeDetails(tabId);
      const keep = (list: messenger.compose.ComposeRecipientList | undefined) =>
        (list ?? []).filter((e) => typeof e !== "string" || addressesOf([e]).every((a) => !missing.has(a)));
      await messenger.compose.setComposeDetails(tabId, { to: keep(details.to), cc: keep(details.cc), bcc: keep(details.bcc) });
      if (addressesOf([...keep(details.to), ...keep(details.cc), ...keep(details.bcc)].filter((e): e is string => typeof e === "string")).length === 0) {
        return { sending: false };
      }
    } else if (choice === "password") {
      if (!password || password.length < 8) throw new SealbirdError("usage", "The message password needs at least 8 characters.");
      this.passwords.set(tabId, password);
      s.keyless = "password";
    } else {
      if (!confirmed) throw new SealbirdError("usage", "Sending unencrypted needs an explicit confirmation.");
      if (view.recipients.some((r) => r.rule === "never-unencrypted")) throw new SealbirdError("recipient-no-key", "A domain rule forbids sending unencrypted.");
      s.keyless = "unencrypted";
    }
    await this.save(tabId, s);
    this.blocked.delete(tabId);
    // Sending goes through onBeforeSend again, now with the choice made.
    return this.sendAgain(tabId);
  }

  // ---- the send itself ---------------------------------------------------------------------

  async encapsulate(tabId: number, req: EncapsulateRequest): Promise<{ ok: true; entity: Uint8Array } | { ok: false; message: string }> {
    try {
      const ring = await this.keystore.keyring();
      const from = addressesOf(req.from ? [req.from] : [])[0] ?? req.identityEmail.toLowerCase();
      let d: Decision;
      if (req.isDraft || req.saveOnly === true) {
        // Drafts: encrypted to the sender only, never signed.
        const prefer = (await this.view(tabId)).effective;
        const other: Technology = prefer === "smime" ? "openpgp" : "smime";
        const has = (t: Technology) => (t === "smime" ? ring.smimeRecipients([from]).then(() => true, () => false) : hasPgp(ring, from));
        const technology = (await has(prefer)) ? prefer : (await has(other)) ? other : prefer;
        d = { technology, sign: false, encrypt: true, from, to: [] };
      } else {
        const decided = this.decisions.get(tabId);
        if (!decided) throw new SealbirdError("internal", "No decision for this send.");
        // Thunderbird's own list (To, Cc, Bcc) is what is really sent: encrypt to exactly that.
        d = { ...decided, from, to: unique(addressesOf(req.recipients)) };
      }
      const entity = await protectEntity(ring, req, d);
      return { ok: true, entity };
    } catch (e) {
      return { ok: false, message: `${i18n("composeFailed")} ${errorText(e)}` };
    } finally {
      if (!req.isDraft && req.saveOnly !== true) this.decisions.delete(tabId);
    }
  }
}

function escapeHtml(text: string): string {
  const esc = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return `<p>${esc.replace(/\r?\n/g, "<br>")}</p>`;
}

async function hasPgp(ring: Keyring, email: string): Promise<boolean> {
  return ring.pgpPublicFor([email]).then(
    () => true,
    () => false,
  );
}

/** KeyLookup over the keyring's public records (works while the keystore is locked). */
export function keyLookup(ring: Keyring): KeyLookup {
  const store = ring.store;
  return {
    async smimeFor(email) {
      const addr = email.toLowerCase();
      const records = [...(await store.listRecords("smime-identity")), ...(await store.listRecords("smime-certificate"))]
        .filter((r) => ((r.public["emails"] as string[] | undefined) ?? []).includes(addr))
        .sort((a, b) => String(b.public["notAfter"]).localeCompare(String(a.public["notAfter"])));
      // The newest certificate that may be used; else the newest one, with why it may not.
      const now = new Date();
      const r = records.find((x) => !smimeRecordUnusable(x, now)) ?? records[0];
      if (!r) return undefined;
      const unusable = smimeRecordUnusable(r, now);
      const cert = unb64(String(r.public["certificate"]));
      const pool = ((r.public["chain"] as string[] | undefined) ?? []).map(unb64);
      const anchors = (await store.listRecords("trust-anchor")).map((a) => unb64(String(a.public["certificate"])));
      const trusted = await buildPath(cert, pool, anchors, new Date()).then(
        (p) => p.trusted,
        () => false,
      );
      const key: RecipientKey = { fingerprint: String(r.public["fingerprint"] ?? ""), label: String(r.public["subject"] ?? ""), trusted: trusted && !unusable };
      if (r.public["notAfter"]) key.notAfter = String(r.public["notAfter"]);
      if (unusable) key.unusable = unusable;
      return key;
    },
    async pgpFor(email) {
      const addr = email.toLowerCase();
      const choice = await ring.pgpChoice(addr);
      if (!choice) return undefined;
      const r = choice.record;
      const ids = (r.public["userIds"] as string[] | undefined) ?? [];
      const key: RecipientKey = { fingerprint: String(r.public["fingerprint"] ?? ""), label: ids[0] ?? addr, trusted: r.public["pending"] !== true };
      if (choice.usability.state !== "usable") key.unusable = choice.usability.state;
      const until = choice.usability.state === "usable" ? choice.usability.expires : choice.usability.state === "expired" ? choice.usability.expired : undefined;
      if (until) key.notAfter = until;
      if (typeof r.public["source"] === "string") key.source = r.public["source"];
      return key;
    },
    async canSign(email, technology) {
      const addr = email.toLowerCase();
      const kind = technology === "smime" ? "smime-identity" : "pgp-secret-key";
      return (await store.listRecords(kind)).some((r) => r.public["revoked"] !== true && ((r.public["emails"] as string[] | undefined) ?? []).includes(addr));
    },
  };
}

function lookupView(s: LookupStatus): RecipientLookup {
  return { state: s.state, ...(s.code ? { code: s.code } : {}), ...(s.source ? { source: s.source } : {}) };
}
