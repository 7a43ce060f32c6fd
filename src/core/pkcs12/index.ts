/** PKCS#12 (.p12/.pfx) import and export. */
export { importPkcs12, type Pkcs12Contents } from "./import.js";
export { exportPkcs12, DEFAULT_EXPORT_ITERATIONS, type Pkcs12ExportInput, type Pkcs12ExportOptions } from "./export.js";
export { MAX_PKCS12_BYTES, MAX_PBKDF2_ITERATIONS, MAX_PKCS12_KDF_ITERATIONS } from "./limits.js";
