/**
 * The small window with Sealbird's passphrase prompt (ui/unlock.html), opened when a message
 * or a send needs the locked keystore. Its size fits the prompt with an error message in
 * either language at Thunderbird's default font size.
 */
export function openUnlockWindow(): Promise<unknown> {
  return messenger.windows.create({ url: messenger.runtime.getURL("ui/unlock.html"), type: "popup", width: 440, height: 330 });
}
