/**
 * Background entry (MV3 event page). Listeners are registered synchronously at top level so
 * Thunderbird can wake the page for them after it was suspended.
 */
import createDOMPurify from "dompurify";
import { DisplayService } from "./display-service.js";
import { KeystoreService } from "./keystore-service.js";
import { attachKeystore } from "./options/autolock.js";
import { isRequest, type Request } from "./protocol.js";
import { handleOptionsRequest, isOptionsRequest } from "./options-handler.js";
import { isSealbirdError, SealbirdError } from "../core/errors.js";
import { importKeyFile } from "../core/keyring/import-file.js";
import { isComposeRequest, startCompose } from "./compose/index.js";
import { openUnlockWindow } from "./unlock-window.js";
import { getListSubject } from "./options/list-subject.js";
import { iconOnly } from "./action-view.js";
import { OnlineChecks } from "./online-checks.js";
import { onChecksChanged } from "./options/certificate-checks.js";
import { DiscoveryService } from "./discovery/service.js";
import { handleDiscoveryRequest, isDiscoveryRequest } from "./discovery/requests.js";
import { startRefreshSchedule } from "./discovery/schedule.js";
import { useAesCfbWasm } from "../core/crypto/aes-cfb.js";

// openpgp.js's AES-CFB runs in WebAssembly (src/core/crypto/aes-cfb.ts): compiled once, now.
useAesCfbWasm(fetch(messenger.runtime.getURL("wasm/aes-cfb.wasm")).then((r) => r.arrayBuffer()));

const online = new OnlineChecks();
const keystore = new KeystoreService(() => online.revocation());
attachKeystore(keystore);
const display = new DisplayService(keystore, createDOMPurify(window), {
  thunderbirdDecrypted: (tabId) => messenger.smimeDisplay.thunderbirdDecrypted(tabId),
  claim: (tabId, id, claim) => messenger.messageHeader.claim(tabId, id, claim),
  ownView: (tabId) => messenger.messageHeader.ownView(tabId),
  setListSubject: (id, subject) => messenger.messageHeader.setListSubject(id, subject),
  listSubjectAllowed: getListSubject,
});
const discovery = new DiscoveryService(keystore);
const compose = startCompose(keystore, discovery, online, (id) => display.decryptedFor(id));
startRefreshSchedule(discovery);
// Results computed under other revocation settings are stale.
onChecksChanged(() => {
  online.settingsChanged();
  display.forgetAll();
  compose.checksChanged();
});
// Granted or withdrawn (options page, Add-ons Manager): "not allowed" outcomes are stale.
const permissionChanged = (): void => {
  online.settingsChanged();
  discovery.permissionChanged();
  display.forgetAll();
  compose.checksChanged();
};
messenger.permissions.onAdded.addListener(permissionChanged);
messenger.permissions.onRemoved.addListener(permissionChanged);

// Thunderbird's own S/MIME code would answer mail whose key only Sealbird has with its
// "cannot decrypt" page, a document our display script cannot enter (see ARCHITECTURE.md).
void messenger.smimeDisplay.takeOver().catch((e: unknown) => console.error("Sealbird: S/MIME display take-over failed", e));
messenger.messageDisplay.onMessagesDisplayed.addListener((tab, list) => display.onMessagesDisplayed(tab, list));
// The selection arrives earlier than the display event: the button shows "checking…" sooner.
messenger.mailTabs.onSelectedMessagesChanged.addListener((tab, list) => display.onMessagesDisplayed(tab, list));
keystore.onLockChange((unlocked) => void (unlocked ? refreshOpenMessages() : display.forgetDecrypted()));
void refreshOwnKeyIds();
void iconOnly().catch(() => undefined);

/**
 * Thunderbird's own OpenPGP would try (and fail, slowly, with a red bar) every PGP/MIME message
 * only Sealbird's keys open: the message-header experiment stops it for our key IDs (public
 * facts). Refreshed at start and after every change the options page or an import can make.
 */
let knownKeyIds = "";
async function refreshOwnKeyIds(): Promise<void> {
  try {
    const ks = await keystore.state();
    const ids = ks.exists ? await (await keystore.keyring()).pgpSecretKeyIds() : [];
    const key = ids.join(",");
    if (key === knownKeyIds) return;
    knownKeyIds = key;
    await messenger.messageHeader.skipOwnOpenPGP(ids);
  } catch (e) {
    console.error("Sealbird: could not hand the OpenPGP key IDs to Thunderbird's display", e);
  }
}

/** After an unlock (prompt, options page): messages waiting for the key render in place. */
async function refreshOpenMessages(): Promise<void> {
  for (const tabId of await display.refreshAfterUnlock()) {
    await messenger.tabs.sendMessage(tabId, { type: "display:refresh" }).catch(() => undefined);
  }
}

/**
 * Every answer is `{ ok: true, value }` or `{ ok: false, error: { code, message } }`: a thrown
 * Error would reach the page as a bare string and lose its code, which the UI translates.
 */
messenger.runtime.onMessage.addListener((message, sender) => {
  let work: Promise<unknown>;
  if (isComposeRequest(message)) work = compose.handle(message);
  else if (isDiscoveryRequest(message)) work = handleDiscoveryRequest(message, discovery).finally(() => void refreshOwnKeyIds());
  else if (isOptionsRequest(message)) work = handleOptionsRequest(message, keystore).finally(() => void refreshOwnKeyIds());
  else if (isRequest(message)) work = handle(message, sender).finally(() => void refreshOwnKeyIds());
  else return undefined;
  return work.then(
    (value) => ({ ok: true, value }),
    (e: unknown) => ({
      ok: false,
      error: isSealbirdError(e) ? { code: e.code, message: e.message } : { code: "internal", message: "Unexpected error in Sealbird." },
    }),
  );
});

async function handle(req: Request, sender: messenger.runtime.MessageSender): Promise<unknown> {
  switch (req.type) {
    case "display:get-view":
      return sender.tab ? display.viewForTab(sender.tab.id) : { kind: "plain" };
    case "display:attachment":
      if (!sender.tab) throw new SealbirdError("usage", "Attachments are only given to the tab that shows the message.");
      return display.attachmentForTab(sender.tab.id, req.path);
    case "display:summary":
      return display.summaryForTab(req.tabId);
    case "display:accept-key":
      return display.acceptKeyForTab(req.tabId, req.keyId);
    case "display:save-copy":
      return display.saveCopyForTab(req.tabId, req.saveAs);
    case "status:get":
      return display.statusForTab(req.tabId);
    case "keystore:state":
      return keystore.state();
    case "keystore:create":
      return keystore.create(req.passphrase);
    case "keyring:import":
      return importKeyFile(await keystore.keyring(), req.bytes, req.password, req.as);
    case "keyring:list":
      return (await keystore.keyring()).list();
    case "keystore:unlock":
      await keystore.unlock(req.passphrase); // onLockChange below refreshes the open messages
      return keystore.state();
    case "keystore:lock":
      await keystore.lock();
      return keystore.state();
    case "unlock:open":
      await openUnlockWindow();
      return undefined;
  }
}

// Registered scripts persist; getRegisteredScripts({ids}) throws for an unknown id, so list all.
// The script runs when the pane's document is parsed (document_end), not after its load and an
// idle period (the default): it only asks the background for the view, and the decrypted body
// replaces Thunderbird's placeholder that much sooner. An older registration is replaced.
const DISPLAY_SCRIPT = { id: "sealbird-display", js: ["message-display-script.js"], runAt: "document_end" };
void messenger.scripting.messageDisplay.getRegisteredScripts().then(async (found) => {
  const old = found.find((s) => s.id === DISPLAY_SCRIPT.id);
  if (old?.runAt === DISPLAY_SCRIPT.runAt) return;
  if (old) await messenger.scripting.messageDisplay.unregisterScripts({ ids: [DISPLAY_SCRIPT.id] });
  await messenger.scripting.messageDisplay.registerScripts([DISPLAY_SCRIPT]);
});
