/** S/MIME engine: CMS over pkijs/asn1js and WebCrypto. */
export type { SmimeContext, SmimeIdentity } from "./context.js";
export { openSmime, type SmimeLayerResult } from "./open.js";
export { detectSmime } from "./detect.js";
export { smimeSign, signCms } from "./sign.js";
export { smimeEncrypt, encryptCms, type EncryptRecipient } from "./encrypt.js";
export { verifyCms, type CmsVerifyResult, type CollectedCertificate } from "./verify.js";
export { decryptCms, type DecryptResult } from "./enveloped.js";
export { parseCapabilitiesDer, type SmimeCapabilities } from "./capabilities.js";
