/**
 * Background entry (MV3 event page). Listeners are registered synchronously at top level so
 * Thunderbird can wake the page for them after it was suspended.
 */
import createDOMPurify from "dompurify";
import { DisplayService } from "./display-service.js";
import { KeystoreService } from "./keystore-service.js";
import { isRequest, type Request } from "./protocol.js";
import { handleOptionsRequest, isOptionsRequest } from "./options-handler.js";
import { isSealbirdError } from "../core/errors.js";
import { importKeyFile } from "../core/keyring/import-file.js";

const keystore = new KeystoreService();
const display = new DisplayService(keystore, createDOMPurify(window));

messenger.messageDisplay.onMessagesDisplayed.addListener((tab, list) => display.onMessagesDisplayed(tab, list));

/**
 * Every answer is `{ ok: true, value }` or `{ ok: false, error: { code, message } }`: a thrown
 * Error would reach the page as a bare string and lose its code, which the UI translates.
 */
messenger.runtime.onMessage.addListener((message, sender) => {
  let work: Promise<unknown>;
  if (isOptionsRequest(message)) work = handleOptionsRequest(message, keystore);
  else if (isRequest(message)) work = handle(message, sender);
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
    case "keystore:unlock": {
      await keystore.unlock(req.passphrase);
      for (const tabId of await display.refreshAfterUnlock()) {
        await messenger.tabs.sendMessage(tabId, { type: "display:refresh" }).catch(() => undefined);
      }
      return keystore.state();
    }
    case "keystore:lock":
      await keystore.lock();
      return keystore.state();
    case "unlock:open":
      await messenger.windows.create({ url: messenger.runtime.getURL("ui/unlock.html"), type: "popup", width: 420, height: 260 });
      return undefined;
  }
}

void messenger.scripting.messageDisplay
  .getRegisteredScripts({ ids: ["sealbird-display"] })
  .then((found) =>
    found.length ? undefined : messenger.scripting.messageDisplay.registerScripts([{ id: "sealbird-display", js: ["message-display-script.js"] }]),
  );
