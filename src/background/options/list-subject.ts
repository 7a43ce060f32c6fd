/**
 * Whether the protected (real) Subject of a decrypted message goes into the message list.
 * Thunderbird's own OpenPGP always writes a decrypted protected Subject into its message
 * index (mimeDecrypt.sys.mjs, updateHeadersInMsgDb), unencrypted, in the folder's .msf file on
 * this computer; Sealbird has the same default and lets the user turn it off (then the list
 * keeps "[...]" and the real Subject is only shown while the message is open).
 * Kept in storage.local: needed before any keystore is opened.
 */
export const LIST_SUBJECT_KEY = "sealbird.listSubject";

export async function getListSubject(): Promise<boolean> {
  const v = (await messenger.storage.local.get(LIST_SUBJECT_KEY))[LIST_SUBJECT_KEY];
  return typeof v === "boolean" ? v : true;
}

export async function setListSubject(on: boolean): Promise<boolean> {
  await messenger.storage.local.set({ [LIST_SUBJECT_KEY]: on === true });
  return getListSubject();
}
