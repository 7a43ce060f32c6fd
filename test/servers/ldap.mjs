// OpenLDAP's slapd from Debian as a test directory on 127.0.0.1: its own slapd.conf and mdb
// database in a temp dir, loaded with slapadd, run in the foreground (-d), never the system
// service. Anonymous read access, as a company directory for certificates usually has.
//
//   const ldap = await startSlapd({ entries: [{ dn: "cn=Dave,ou=people,dc=example,dc=org",
//     attrs: { objectClass: "inetOrgPerson", cn: "Dave", sn: "Dave", mail: "dave@example.org",
//              "userCertificate;binary": derBuffer } }] });
//   ldap.url  -> "ldap://127.0.0.1:PORT/dc=example,dc=org??sub"
//   await ldap.stop();
//
// Attribute values: a string, a Buffer (written base64), or an array of these. The suffix and
// ou=people are created for you.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, spawnServer, waitForPort, withRetries } from "./process.mjs";

const SCHEMA = "/etc/ldap/schema";

function ldifValue(name, v) {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `${name}:: ${Buffer.from(v).toString("base64")}`;
  const s = String(v);
  // LDIF needs base64 for values that start unsafely or are not plain ASCII.
  return /^[\x20-\x7e]*$/.test(s) && !/^[ :<]/.test(s) && !/ $/.test(s) ? `${name}: ${s}` : `${name}:: ${Buffer.from(s, "utf8").toString("base64")}`;
}

export function toLdif(entries) {
  return entries
    .map(({ dn, attrs }) => {
      const lines = [ldifValue("dn", dn)];
      for (const [name, value] of Object.entries(attrs)) for (const v of Array.isArray(value) ? value : [value]) lines.push(ldifValue(name, v));
      return lines.join("\n");
    })
    .join("\n\n") + "\n";
}

/**
 * @param {{ suffix?: string, entries?: Array<{dn: string, attrs: Record<string, unknown>}>, port?: number }} o
 * @returns {Promise<{ port: number, url: string, suffix: string, stop(): Promise<void> }>}
 */
export function startSlapd({ suffix = "dc=example,dc=org", entries = [], port = 0 } = {}) {
  const dc = /^dc=([^,]+)/.exec(suffix)?.[1] ?? "example";
  const base = [
    { dn: suffix, attrs: { objectClass: ["dcObject", "organization"], o: dc, dc } },
    { dn: `ou=people,${suffix}`, attrs: { objectClass: "organizationalUnit", ou: "people" } },
  ];
  return withRetries(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealbird-slapd-"));
    fs.mkdirSync(path.join(dir, "db"));
    const conf = `include ${SCHEMA}/core.schema
include ${SCHEMA}/cosine.schema
include ${SCHEMA}/inetorgperson.schema
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 67108864
suffix "${suffix}"
rootdn "cn=admin,${suffix}"
rootpw not-used-by-tests
directory ${dir}/db
access to * by * read
`;
    fs.writeFileSync(path.join(dir, "slapd.conf"), conf);
    fs.writeFileSync(path.join(dir, "data.ldif"), toLdif([...base, ...entries]));
    execFileSync("slapadd", ["-q", "-f", path.join(dir, "slapd.conf"), "-l", path.join(dir, "data.ldif")], { stdio: ["ignore", "pipe", "pipe"] });
    const p = port || (await freePort());
    const proc = spawnServer("slapd", ["-d", "0", "-f", path.join(dir, "slapd.conf"), "-h", `ldap://127.0.0.1:${p}/`], { name: "slapd" });
    try {
      await waitForPort(p, proc);
    } catch (e) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    return {
      port: p,
      suffix,
      url: `ldap://127.0.0.1:${p}/${suffix}??sub`,
      async stop() {
        await proc.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  });
}
