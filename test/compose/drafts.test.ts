// Reopening drafts Sealbird stored encrypted: recognising them and taking the content apart.
import { describe, expect, it } from "vitest";
import { utf8 } from "../../src/core/bytes.js";
import { parseMime } from "../../src/core/mime/index.js";
import { draftContent, isEncryptedMessage, unflow } from "../../src/background/compose/drafts.js";

describe("isEncryptedMessage", () => {
  it("S/MIME enveloped and PGP/MIME, also folded; not signed or plain mail", () => {
    expect(isEncryptedMessage(utf8('Subject: x\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n\r\nMIAG'))).toBe(true);
    expect(isEncryptedMessage(utf8('Subject: x\r\nContent-Type:\r\n multipart/encrypted; protocol="application/pgp-encrypted"\r\n\r\n'))).toBe(true);
    expect(isEncryptedMessage(utf8("Subject: x\r\nContent-Type: multipart/signed; protocol=x\r\n\r\n"))).toBe(false);
    expect(isEncryptedMessage(utf8("Subject: x\r\n\r\nContent-Type: application/pkcs7-mime\r\n"))).toBe(false);
  });
});

describe("draftContent", () => {
  it("text, html and attachments of a decrypted draft", () => {
    const view = parseMime(
      utf8(
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain; charset=UTF-8; format=flowed\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
          Buffer.from("Hallo Größe \r\nzweite Zeile\r\n").toString("base64") +
          '\r\n--b\r\nContent-Type: application/octet-stream; name="a.bin"\r\nContent-Disposition: attachment; filename="a.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--b--\r\n',
      ),
    );
    const c = draftContent(view);
    expect(c.text).toBe("Hallo Größe \r\nzweite Zeile\r\n");
    expect(c.flowed).toBe(true);
    expect(c.attachments).toHaveLength(1);
    expect(c.attachments[0]).toMatchObject({ name: "a.bin", type: "application/octet-stream" });
    expect([...c.attachments[0]!.bytes]).toEqual([0, 1, 2]);
    expect(unflow(c.text!, true)).toBe("Hallo Größe zweite Zeile\n");
    expect(unflow("a \r\nb", false)).toBe("a \r\nb");
  });
});
