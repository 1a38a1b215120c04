/**
 * @ksk/signer — the KSK side of the ceremony: the ksrsigner.yaml config, rollover schemas, the pure
 * signing plan, its execution through injected Signers, the checks before and after signing
 * (chain, safety, algorithms, validity windows), SKR verification and the witness tables.
 * Pure: the HSM's keys and signers, the clock and the files come in as parameters.
 */
export * from "./anchor-keys.js";
export * from "./check-codes.js";
export * from "./ceremony-checks.js";
export * from "./config.js";
export * from "./execute.js";
export * from "./plan.js";
export * from "./present.js";
export * from "./response-size.js";
export * from "./rollover.js";
export * from "./schemas.js";
export * from "./sign-quarter.js";
export * from "./skr-verify.js";
export * from "./knot-signing.js";
export * from "./witness-display.js";
