/**
 * Bounds on what a PKCS#12 file may ask of us. A .p12 arrives from anywhere (mail attachment,
 * download); its iteration counts are attacker-chosen, and each one is work we do before we
 * can tell whether the password is right.
 */

/** A personal certificate bundle is a few KB; 10 MB leaves room for long chains and CRLs. */
export const MAX_PKCS12_BYTES = 10 * 1024 * 1024;

/** PBKDF2 runs natively in WebCrypto: 10 million SHA-256 rounds is a few seconds. */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;

/**
 * The RFC 7292 appendix B KDF is one awaited WebCrypto digest per round (~50 µs each), so
 * it is two orders slower than PBKDF2. One million covers `openssl pkcs12 -iter 1000000`
 * and every tool default we know (OpenSSL 2048, Windows 2000, Java 10000) while keeping a
 * hostile file's worst case bounded (one chain is checked before anything else is derived).
 */
export const MAX_PKCS12_KDF_ITERATIONS = 1_000_000;

/** SafeContents may nest via safeContentsBag; real files never do it twice. */
export const MAX_SAFE_CONTENTS_DEPTH = 4;

/** Bags per file: a certificate with its chain is a handful; a CA bundle a few hundred. */
export const MAX_BAGS = 2_000;
