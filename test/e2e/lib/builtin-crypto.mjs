// Thunderbird's own crypto stores, filled through the chrome context: the yardstick side of
// `npm run bench:thunderbird` (and any test that wants Thunderbird itself to hold a key).
//
//   importSmimeIdentity(tb, { p12, password, rootPem })  NSS: PKCS#12 (key + certificate) and
//                                                         the issuing root trusted for e-mail
//   importPgpSecretKey(tb, { armored, publicKeys })      RNP: secret key accepted "personal",
//                                                         correspondents' keys "verified"
//
// What Thunderbird's own tests do (comm-central mailnews/test/resources/SmimeUtils.sys.mjs,
// mail/test/browser/shared-modules/OpenPGPTestUtils.sys.mjs), through the same public calls.

import fs from "node:fs";
import path from "node:path";

function fileInProfile(tb, name, bytes) {
  const dir = path.join(tb.profileDir, "e2e-import");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

export async function importSmimeIdentity(tb, { p12, password, rootPem }) {
  const p12File = fileInProfile(tb, "identity.p12", p12);
  try {
    return await tb.marionette.run(
      `const [p12Path, password, rootPem] = arguments;
       Cc["@mozilla.org/psm;1"].getService(Ci.nsISupports);
       const token = Cc["@mozilla.org/security/internalkeytoken;1"].createInstance(Ci.nsIPKCS11Token);
       try { token.initPassword(""); } catch { /* already has one (empty) */ }
       const certdb = Cc["@mozilla.org/security/x509certdb;1"].getService(Ci.nsIX509CertDB);
       const b64 = rootPem.replace(/-----[^-]+-----/g, "").replace(/\\s+/g, "");
       certdb.addCertFromBase64(b64, "C,C,C");
       const file = Cc["@mozilla.org/file/local;1"].createInstance(Ci.nsIFile);
       file.initWithPath(p12Path);
       const rv = certdb.importPKCS12File(file, password);
       if (rv !== 0) throw new Error("importPKCS12File failed: " + rv);
       return certdb.getCerts().length;`,
      [p12File, password, String(rootPem)],
    );
  } finally {
    fs.rmSync(p12File, { force: true });
  }
}

export async function importPgpSecretKey(tb, { armored, publicKeys = [] }) {
  return tb.marionette.run(
    `const [secret, publics] = arguments;
     const { RNP } = ChromeUtils.importESModule("chrome://openpgp/content/modules/RNP.sys.mjs");
     const { EnigmailCore } = ChromeUtils.importESModule("chrome://openpgp/content/modules/core.sys.mjs");
     const { EnigmailKeyRing } = ChromeUtils.importESModule("chrome://openpgp/content/modules/keyRing.sys.mjs");
     const { EnigmailFuncs } = ChromeUtils.importESModule("chrome://openpgp/content/modules/funcs.sys.mjs");
     const { PgpSqliteDb2 } = ChromeUtils.importESModule("chrome://openpgp/content/modules/sqliteDb.sys.mjs");
     if (!(await RNP.init())) throw new Error("librnp did not load");
     await EnigmailCore.init();
     EnigmailKeyRing.init();
     const win = Services.wm.getMostRecentWindow("mail:3pane");
     const accept = async (ids, acceptance) => {
       for (const id of ids) {
         const key = EnigmailKeyRing.getKeyById(id);
         await PgpSqliteDb2.updateAcceptance(key.fpr, [EnigmailFuncs.getEmailFromUserID(key.userId)], acceptance);
       }
       EnigmailKeyRing.clearCache();
     };
     const r = await RNP.importSecKeyBlockImpl(win, () => "", false, secret, []);
     if (!r || r.exitCode !== 0 || !r.importedKeys?.length) throw new Error("RNP secret key import failed: " + (r && r.errorMsg));
     EnigmailKeyRing.updateKeys(r.importedKeys);
     EnigmailKeyRing.clearCache();
     await accept(r.importedKeys, "personal");
     for (const pub of publics) {
       const fpr = {};
       const rv = await EnigmailKeyRing.importKeyAsync(win, false, pub, false, null, {}, fpr, false, [], "verified");
       if (rv !== 0) throw new Error("public key import failed: " + rv);
     }
     return r.importedKeys;`,
    [String(armored), publicKeys.map(String)],
  );
}

/**
 * Thunderbird's own S/MIME for sending from the default identity: its certificate (imported
 * with importSmimeIdentity) for signing and encryption, sign and encrypt by default, and the
 * recipients' certificates in NSS.
 */
export async function useBuiltinSmimeForSending(tb, { email, recipientPems }) {
  return tb.marionette.run(
    `const [email, pems] = arguments;
     const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
     const certdb = Cc["@mozilla.org/security/x509certdb;1"].getService(Ci.nsIX509CertDB);
     for (const pem of pems) certdb.addCertFromBase64(pem.replace(/-----[^-]+-----/g, "").replace(/\\s+/g, ""), ",,");
     const mine = certdb.getCerts().find((c) => c.emailAddress === email && c.commonName !== "");
     if (!mine) throw new Error("no certificate for " + email + " in NSS");
     const id = MailServices.accounts.allIdentities.find((i) => i.email === email);
     id.setUnicharAttribute("signing_cert_name", mine.dbKey);
     id.setCharAttribute("signing_cert_dbkey", mine.dbKey);
     id.setCharAttribute("encryption_cert_dbkey", mine.dbKey);
     id.setUnicharAttribute("encryption_cert_name", mine.dbKey);
     id.setBoolAttribute("sign_mail", true);
     id.setIntAttribute("encryptionpolicy", 2);
     return mine.dbKey;`,
    [email, recipientPems.map(String)],
  );
}
