/**
 * @ksk/ksr — the KSR/SKR XML model, its strict reader and canonical writer, the ZSK operator's
 * KSR builder, and every KSR check (IANA's codes). Pure: bytes in, bytes out; `now`, keys and
 * randomness are parameters.
 */
export * from "./check-codes.js";
export * from "./builder.js";
export * from "./chain.js";
export * from "./config-yaml.js";
export * from "./checks.js";
export * from "./knot-convert.js";
export * from "./knot-format.js";
export * from "./model.js";
export * from "./policy.js";
export * from "./present.js";
export * from "./quarter.js";
export * from "./run-checks.js";
export * from "./safety.js";
export * from "./xml-reader.js";
export * from "./xml-writer.js";
