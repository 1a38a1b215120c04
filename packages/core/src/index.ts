/**
 * @ksk/core — the DNSSEC core of the KSK ceremony toolkit. Pure: no file system, no clock, no
 * environment. See the package README for what each module implements and leaves out.
 */
export * from "./algorithms.js";
export * from "./bytes.js";
export * from "./checks.js";
export * from "./ds.js";
export * from "./ds-formats.js";
export * from "./errors.js";
export * from "./exit-codes.js";
export * from "./key-verifier.js";
export * from "./keytag.js";
export * from "./name.js";
export * from "./rdata.js";
export * from "./rr.js";
export * from "./rrtype.js";
export * from "./signed-data.js";
export * from "./terminal-text.js";
export type { Signer } from "./signer.js";
export * from "./time.js";
export * from "./verify.js";
export * from "./words.js";
export * from "./zonefile.js";
export * from "./zone-loader.js";
export * from "./zone-wire-loader.js";
export { PGP_WORDS_EVEN, PGP_WORDS_ODD } from "./pgp-words.js";
export * from "./public-keys.js";
export * from "./record-report.js";
export * from "./wire-text.js";
