/**
 * @ksk/resolver — asking resolvers whether they are ready for a root KSK roll, and running the lab
 * DNS servers that such questions are asked of. See the package README.
 */
export * from "./lab/authority.js";
export * from "./lab/process.js";
export * from "./lab/resolver.js";
export * from "./sentinel.js";
export * from "./check.js";
export * from "./client.js";
export * from "./message.js";
export * from "./readiness.js";
export * from "./lab/lab-check.js";
export * from "./telemetry/aggregate.js";
export * from "./telemetry/dnstap.js";
export * from "./telemetry/frame-stream.js";
export * from "./telemetry/read-dnstap.js";
export * from "./telemetry/signals.js";
