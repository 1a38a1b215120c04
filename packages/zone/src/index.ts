/**
 * @ksk/zone — the test root zone: load it, sign it with the ZSK and the SKR bundle valid at a
 * time (NSEC, ZONEMD), and validate a signed zone from a trust anchor. Pure: records, SKR, time and
 * `Signer` are parameters; reading files and keystores is the caller's.
 */
export * from "./bundle.js";
export * from "./check-codes.js";
export * from "./nsec.js";
export * from "./policy.js";
export * from "./sentinel.js";
export * from "./sign.js";
export * from "./verify.js";
export * from "./zone.js";
export * from "./zonemd.js";
export * from "./wire-digest.js";
export * from "./wire-order.js";
export * from "./wire-print.js";
export * from "./wire-records.js";
export * from "./wire-sign.js";
export * from "./wire-sign-run.js";
export * from "./wire-zone.js";
