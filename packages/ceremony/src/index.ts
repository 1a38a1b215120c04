/**
 * @ksk/ceremony — the ceremony runtime: numbered acts of steps that run `ksk` commands, the
 * witness display (SHA-256 as hex and PGP words) and the typed "Yes" before any private-key use, a
 * hash-chained JSON-lines transcript anyone can verify, and the self-contained HTML report.
 * Unlike the packages below it, it touches files, processes, the terminal and the clock.
 */
export * from "./witness.js";
export * from "./acts.js";
export * from "./runner.js";
export * from "./transcript.js";
export * from "./artefacts.js";
export * from "./report.js";
export * from "./integrity.js";
export * from "./hsm-log.js";
export * from "./script-html.js";
export * from "./report-html.js";
export * from "./terminal-relay.js";
export * from "./report-checks.js";
export * from "./timeline-svg.js";
export * from "./telemetry-html.js";
