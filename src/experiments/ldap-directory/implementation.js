/* global ExtensionCommon, ChromeUtils, Services, Cc, Ci, Components */
/**
 * ldap-directory experiment: searches the LDAP address books configured in Thunderbird for
 * certificate attributes, with Thunderbird's own LDAP service (nsILDAPConnection /
 * nsILDAPOperation, as mailnews/extensions/smime/certFetchingStatus.js does for Thunderbird's
 * composer). No MailExtension API searches LDAP: `addressBooks` does not expose remote
 * directories' attributes.
 *
 *   list()               [{ id, name, uri, needsLogin }] for every LDAP address book
 *   search(id, query)    { ok, entries: [{ dn, attributes: { name: [base64] } }] } | { ok: false, code, message }
 *
 * The filter and what the values mean are Sealbird's engine's business (src/core/ldap); this
 * only carries bytes. A directory that binds with a DN uses the password saved in Thunderbird's
 * password manager for it (as its address book does) and never prompts. Nothing in Thunderbird
 * is changed, so stopping the add-on only abandons searches still running.
 */
"use strict";

{
  const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
  const { setTimeout, clearTimeout } = ChromeUtils.importESModule("resource://gre/modules/Timer.sys.mjs");
  const running = new Set();

  function ldapDirectories() {
    return MailServices.ab.directories.filter((d) => d.dirType === Ci.nsIAbManager.LDAP_DIRECTORY_TYPE).map((d) => d.QueryInterface(Ci.nsIAbLDAPDirectory));
  }

  function toBase64(value) {
    // nsILDAPBERValue.get() through XPCOM is an array of octets, not a typed array.
    const bytes = value instanceof Uint8Array ? value : Uint8Array.from(value ?? []);
    return bytes.toBase64();
  }

  const SCOPES = { base: Ci.nsILDAPURL.SCOPE_BASE, one: Ci.nsILDAPURL.SCOPE_ONELEVEL, sub: Ci.nsILDAPURL.SCOPE_SUBTREE };

  async function savedPassword(url) {
    const logins = await Services.logins.searchLoginsAsync({ origin: url.prePath, httpRealm: url.spec });
    return logins[0]?.password ?? null;
  }

  function search(dir, query) {
    return new Promise((resolve) => {
      const url = dir.lDAPURL;
      const where = `${url.scheme}://${url.host}:${url.port > 0 ? url.port : url.scheme === "ldaps" ? 636 : 389}`;
      const entries = [];
      let operation = null;
      let done = false;
      const finish = (result) => {
        if (done) return;
        done = true;
        // As Thunderbird's own LDAP code does, failures go to the error console.
        if (!result.ok) console.warn(`Sealbird LDAP search: ${result.code}: ${result.message}`);
        clearTimeout(timer);
        running.delete(abandon);
        resolve(result);
      };
      const abandon = () => {
        try {
          operation?.abandonExt();
        } catch {
          // nothing left to abandon
        }
        finish({ ok: false, code: "network-timeout", message: `The directory ${where} did not answer within ${query.timeoutMs} ms.` });
      };
      running.add(abandon);
      const timer = setTimeout(abandon, query.timeoutMs);

      const listener = {
        QueryInterface: ChromeUtils.generateQI(["nsILDAPMessageListener"]),
        async onLDAPInit() {
          try {
            const password = dir.authDn ? await savedPassword(url) : null;
            if (dir.authDn && password === null) {
              finish({ ok: false, code: "ldap-failed", message: `The directory ${where} needs a login; its password is not saved in Thunderbird.` });
              return;
            }
            operation = Cc["@mozilla.org/network/ldap-operation;1"].createInstance(Ci.nsILDAPOperation);
            operation.init(connection, listener, null);
            operation.simpleBind(password);
          } catch (e) {
            finish({ ok: false, code: "ldap-failed", message: `The directory ${where} could not be searched: ${e.message}` });
          }
        },
        onLDAPMessage(msg) {
          try {
            onMessage(msg);
          } catch (e) {
            finish({ ok: false, code: "ldap-failed", message: `The directory ${where} sent an answer Sealbird could not read: ${e.message}` });
          }
        },
        onLDAPError(status, secInfo) {
          const tls = !!secInfo || status === Components.results.NS_ERROR_NET_INADEQUATE_SECURITY;
          finish(
            tls
              ? { ok: false, code: "network-tls", message: `The secure connection to the directory ${where} failed.` }
              : { ok: false, code: "network-unreachable", message: `The directory ${where} cannot be reached (0x${(status >>> 0).toString(16)}).` },
          );
        },
      };
      /** The bind's answer starts the search; entries are collected until the result. */
      function onMessage(msg) {
        if (msg.type === Ci.nsILDAPMessage.RES_BIND) {
          if (msg.errorCode !== Ci.nsILDAPErrors.SUCCESS) {
            finish({ ok: false, code: "ldap-failed", message: `The directory ${where} refused the login (LDAP error ${msg.errorCode}).` });
            return;
          }
          operation = Cc["@mozilla.org/network/ldap-operation;1"].createInstance(Ci.nsILDAPOperation);
          operation.init(connection, listener, null);
          operation.searchExt(query.baseDn, SCOPES[query.scope] ?? Ci.nsILDAPURL.SCOPE_SUBTREE, query.filter, query.attributes.join(","), 0, query.sizeLimit);
        } else if (msg.type === Ci.nsILDAPMessage.RES_SEARCH_ENTRY) {
          const attributes = {};
          for (const name of msg.getAttributes()) {
            if (!query.attributes.some((a) => a.toLowerCase() === name.toLowerCase())) continue;
            const values = msg.getBinaryValues(name) ?? [];
            attributes[name] = values.map((v) => toBase64(v.get()));
          }
          // Thunderbird's LDAP messages do not carry the entry's DN.
          entries.push({ dn: "", attributes });
        } else if (msg.type === Ci.nsILDAPMessage.RES_SEARCH_RESULT) {
          // sizeLimitExceeded (4) still delivers the entries the server sent.
          if (msg.errorCode === Ci.nsILDAPErrors.SUCCESS || msg.errorCode === Ci.nsILDAPErrors.SIZELIMIT_EXCEEDED) finish({ ok: true, entries });
          else finish({ ok: false, code: "ldap-failed", message: `The directory ${where} answered with LDAP error ${msg.errorCode}.` });
        }
      }
      const connection = Cc["@mozilla.org/network/ldap-connection;1"].createInstance(Ci.nsILDAPConnection);
      try {
        connection.init(url, dir.authDn || "", listener);
      } catch (e) {
        finish({ ok: false, code: "network-unreachable", message: `The directory ${where} cannot be reached: ${e.message}` });
      }
    });
  }

  this.ldapDirectory = class extends ExtensionCommon.ExtensionAPI {
    onShutdown() {
      for (const abandon of [...running]) abandon();
    }

    getAPI() {
      return {
        ldapDirectory: {
          async list() {
            return ldapDirectories().map((d) => ({ id: d.dirPrefId, name: d.dirName, uri: d.lDAPURL.spec, needsLogin: !!d.authDn }));
          },
          async search(id, query) {
            const dir = ldapDirectories().find((d) => d.dirPrefId === id);
            if (!dir) return { ok: false, code: "ldap-failed", message: `No LDAP address book ${id}.` };
            return search(dir, query);
          },
        },
      };
    }
  };
}
