export { pemBlocks, toDerList, derToPem, type PemBlock } from "./pem.js";
export {
  certificateInfo,
  summarize,
  parseCertificate,
  fingerprint,
  nameToString,
  type CertificateInfo,
  type KeyUsage,
} from "./certificate.js";
