/* global ExtensionCommon, Cc, Ci */
/**
 * certdb experiment: reads Thunderbird's NSS certificate database (nsIX509CertDB), read-only.
 *
 *   getEmailRoots()       CA certificates with the e-mail trust bit set (built-in or user-added)
 *   getOwnCertificates()  user certificates (NSS has their private key); the public part only
 *
 * Both return [{ der: base64 DER, displayName }]. Nothing is written to the database and no
 * private key or PKCS#12 export is ever touched. Runs in the parent process ("addon_parent").
 */
"use strict";

this.certdb = class extends ExtensionCommon.ExtensionAPI {
  getAPI() {
    function database() {
      return Cc["@mozilla.org/security/x509certdb;1"].getService(Ci.nsIX509CertDB);
    }
    function describe(cert) {
      return { der: cert.getBase64DERString(), displayName: String(cert.displayName || cert.commonName || "") };
    }
    function all() {
      // getCerts() returns a JS array of nsIX509Cert in current Gecko.
      return Array.from(database().getCerts() || []);
    }
    return {
      certdb: {
        async getEmailRoots() {
          const db = database();
          return all()
            .filter((cert) => {
              try {
                return db.isCertTrusted(cert, Ci.nsIX509Cert.CA_CERT, Ci.nsIX509CertDB.TRUSTED_EMAIL);
              } catch {
                return false;
              }
            })
            .map(describe);
        },
        async getOwnCertificates() {
          return all()
            .filter((cert) => (cert.certType & Ci.nsIX509Cert.USER_CERT) !== 0)
            .map(describe);
        },
      },
    };
  }
};
