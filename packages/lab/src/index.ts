/**
 * @ksk/lab — the lab runs of `ksk lab` (LAB ONLY): the lab ceremony and the 2024-2027 rollover
 * rehearsal through @ksk/ceremony's acts, the compressed-clock rehearsal lived by real resolvers
 * (signed by the same checked path a ceremony uses), the kind of run an output directory holds,
 * and the lab CA for root-anchors.p7s behind `ksk ca`.
 */
export * from "./lab-ca.js";
export * from "./lab-kind.js";
export * from "./lab.js";
export * from "./lab-lost-hsm.js";
export * from "./rollover-record.js";
export * from "./rollover-report.js";
export * from "./rollover-live.js";
export * from "./telemetry-phase.js";
