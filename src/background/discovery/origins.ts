/** The optional host permission every lookup needs: https://<the recipient's domain or the keyserver>/… */
export const LOOKUP_ORIGINS = ["https://*/*"];
/** Revocation checks (OCSP responders, CRLs) are mostly plain http: both schemes, asked for together. */
export const REVOCATION_ORIGINS = ["http://*/*", "https://*/*"];
