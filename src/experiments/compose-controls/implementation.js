/* global ExtensionCommon, ChromeUtils */
/**
 * compose-controls experiment: one Encrypt and one Sign control in a compose window, Sealbird's,
 * while Sealbird is in charge of that composer (it holds a key for the sender).
 *
 *   show(tabId, { encrypt, sign })   each { checked, label, tooltip, disabled? }: Sealbird's two
 *                                    toolbar buttons show this state; Thunderbird's own Encrypt
 *                                    (#button-encryption), Sign (#button-signing), Security menu
 *                                    button (#button-encryption-options) and menu bar "Security"
 *                                    menu (#encryptionMenu) are hidden
 *   release(tabId)                   Sealbird's buttons go, Thunderbird's come back
 *   onCommand(tabId, "encrypt"|"sign")  the user pressed one of Sealbird's buttons (persistent)
 *
 * Thunderbird's own controls are hidden by an author style sheet loaded into that window only
 * (windowUtils.loadSheetUsingURIString), not by their `hidden` attribute: Thunderbird itself
 * sets `hidden` and `disabled` on them whenever the identity changes (MsgComposeCommands.js,
 * LoadIdentity), which would bring them back. Our buttons take the place of Thunderbird's Encrypt
 * button in the toolbar and its icons (lock, lock-disabled, ribbon: the same meanings), so the
 * composer reads like Thunderbird's own with Sealbird behind the buttons. Every decision is
 * made in the background (src/background/compose); this only draws and reports presses.
 *
 * Undone when the add-on stops: buttons removed, style sheets unloaded, Thunderbird's controls
 * visible again with whatever state Thunderbird gave them.
 */
"use strict";

// All experiments of an add-on share one global: this one keeps its names in a block.
{
  const { ExtensionError } = ChromeUtils.importESModule("resource://gre/modules/ExtensionUtils.sys.mjs").ExtensionUtils;

  const OWN_CONTROLS = ["#button-encryption", "#button-signing", "#button-encryption-options", "#encryptionMenu"];
  const IDS = { encrypt: "sealbird-button-encrypt", sign: "sealbird-button-sign" };
  const SHEET =
    "data:text/css;charset=utf-8," +
    encodeURIComponent(
      `${OWN_CONTROLS.join(", ")} { display: none !important; }\n` +
        `#${IDS.encrypt} { list-style-image: var(--icon-lock-disabled); }\n` +
        `#${IDS.encrypt}[checked] { list-style-image: var(--icon-lock); }\n` +
        `#${IDS.sign} { list-style-image: var(--icon-ribbon); }\n`,
    );

  /** Per extension: the composers we are in charge of (window → state) and the onCommand listeners. */
  const perExtension = new WeakMap();

  function stateOf(extension) {
    let s = perExtension.get(extension);
    if (!s) {
      s = { windows: new Map(), listeners: new Set() };
      perExtension.set(extension, s);
    }
    return s;
  }

  function composeWindow(extension, tabId) {
    const native = extension.tabManager.get(tabId).nativeTab;
    const win = native?.gMsgCompose ? native : native?.ownerGlobal;
    if (!win?.gMsgCompose) throw new ExtensionError(`Tab ${tabId} is not a compose window`);
    return win;
  }

  /** Where Thunderbird's own Encrypt button sits (hidden, it keeps its place), else after Send. */
  function anchorOf(doc) {
    const toolbar = doc.getElementById("composeToolbar2");
    if (!toolbar) return null;
    const own = doc.getElementById("button-encryption");
    if (own?.parentNode === toolbar) return { toolbar, before: own };
    const send = doc.getElementById("button-send");
    if (send?.parentNode === toolbar) return { toolbar, before: send.nextSibling };
    return { toolbar, before: toolbar.firstChild };
  }

  function makeButton(doc, name, onPress) {
    const b = doc.createXULElement("toolbarbutton");
    b.id = IDS[name];
    b.className = "toolbarbutton-1";
    b.setAttribute("type", "checkbox");
    b.setAttribute("autoCheck", "false");
    b.dataset.sealbird = name;
    b.addEventListener("command", () => onPress(name));
    return b;
  }

  function paint(button, control) {
    button.setAttribute("label", control.label);
    button.setAttribute("tooltiptext", control.tooltip);
    button.setAttribute("aria-description", control.tooltip);
    button.toggleAttribute("checked", !!control.checked);
    button.setAttribute("aria-pressed", control.checked ? "true" : "false");
    button.disabled = !!control.disabled;
  }

  function take(win, extState, tabId) {
    const doc = win.document;
    let w = extState.windows.get(win);
    if (w) {
      w.tabId = tabId;
      // Customising the toolbar rebuilds it from Thunderbird's palette, which has no Sealbird
      // buttons: put them back where Thunderbird's Encrypt button is.
      const at = Object.values(w.buttons).some((b) => !b.isConnected) ? anchorOf(doc) : null;
      for (const b of at ? Object.values(w.buttons) : []) at.toolbar.insertBefore(b, at.before);
      return w;
    }
    const at = anchorOf(doc);
    if (!at) throw new ExtensionError(`Tab ${tabId} has no compose toolbar`);
    w = { tabId, buttons: {}, onUnload: null };
    const onPress = (name) => {
      for (const listener of extState.listeners) void listener(w.tabId, name);
    };
    for (const name of ["encrypt", "sign"]) {
      w.buttons[name] = makeButton(doc, name, onPress);
      at.toolbar.insertBefore(w.buttons[name], at.before);
    }
    win.windowUtils.loadSheetUsingURIString(SHEET, win.windowUtils.AUTHOR_SHEET);
    w.onUnload = () => extState.windows.delete(win);
    win.addEventListener("unload", w.onUnload, { once: true });
    extState.windows.set(win, w);
    return w;
  }

  function letGo(win, extState) {
    const w = extState.windows.get(win);
    if (!w) return;
    extState.windows.delete(win);
    try {
      for (const b of Object.values(w.buttons)) b.remove();
      win.windowUtils.removeSheetUsingURIString(SHEET, win.windowUtils.AUTHOR_SHEET);
      win.removeEventListener("unload", w.onUnload);
    } catch {
      // the window is closing
    }
  }

  this.composeControls = class extends ExtensionCommon.ExtensionAPIPersistent {
    PERSISTENT_EVENTS = {
      onCommand({ fire }) {
        const extState = stateOf(this.extension);
        const listener = async (tabId, control) => {
          if (fire.wakeup) await fire.wakeup();
          fire.async(tabId, control);
        };
        extState.listeners.add(listener);
        return {
          unregister: () => extState.listeners.delete(listener),
          convert(newFire) {
            fire = newFire;
          },
        };
      },
    };

    onShutdown() {
      const extState = perExtension.get(this.extension);
      if (!extState) return;
      for (const win of [...extState.windows.keys()]) letGo(win, extState);
    }

    getAPI(context) {
      const { extension } = context;
      const extState = stateOf(extension);
      return {
        composeControls: {
          async show(tabId, controls) {
            const w = take(composeWindow(extension, tabId), extState, tabId);
            paint(w.buttons.encrypt, controls.encrypt);
            paint(w.buttons.sign, controls.sign);
          },
          async release(tabId) {
            letGo(composeWindow(extension, tabId), extState);
          },
          onCommand: new ExtensionCommon.EventManager({
            context,
            module: "composeControls",
            event: "onCommand",
            extensionApi: this,
          }).api(),
        },
      };
    }
  };
}
