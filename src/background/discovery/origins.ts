/** The optional host permission every lookup needs: https://<the recipient's domain or the keyserver>/… */
export const LOOKUP_ORIGINS = ["https://*/*"];
