/**
 * When the zone's own signatures are valid: the signing policy and the windows it gives.
 *
 * The root-like default: inception one hour before the signing time (clocks of validators run a
 * little behind), validity 13 days, and up to 6 hours of jitter taken off each expiration so that
 * the zone's signatures do not all expire in the same second (the role of dnssec-signzone's -j).
 * Jitter is deterministic: a hash of the policy's seed, the owner name and the type, so the same
 * inputs always give the same zone (RSA PKCS#1 v1.5 and RFC 6979 ECDSA are deterministic too) and
 * tests can compare outputs byte for byte. Times are whole seconds.
 *
 * Policy file (YAML; every key optional; ISO 8601 durations):
 *   validity: P13D
 *   jitter: PT6H
 *   inception_offset: PT1H
 *   jitter_seed: ""
 */
import { createHash } from "node:crypto";
import { KskError, type Name, inputError, nameToWire, parseDuration, u16 } from "@ksk/core";
import { parse as parseYaml } from "yaml";

export interface ZoneSigningPolicy {
  readonly validitySeconds: number;
  readonly jitterSeconds: number;
  readonly inceptionOffsetSeconds: number;
  readonly jitterSeed: string;
}

export const ROOT_ZONE_SIGNING_POLICY: ZoneSigningPolicy = {
  validitySeconds: 13 * 86400,
  jitterSeconds: 6 * 3600,
  inceptionOffsetSeconds: 3600,
  jitterSeed: "",
};

const KEYS: Record<string, keyof ZoneSigningPolicy> = {
  validity: "validitySeconds",
  jitter: "jitterSeconds",
  inception_offset: "inceptionOffsetSeconds",
  jitter_seed: "jitterSeed",
};

/** Read a policy file; unknown keys and inconsistent numbers are refused, naming the file. */
export function parseZoneSigningPolicy(text: string, fileName = "policy"): ZoneSigningPolicy {
  let doc: unknown;
  try {
    doc = parseYaml(text) ?? {};
  } catch (e) {
    throw inputError("ZONE-POLICY", `not YAML: ${(e as Error).message.split("\n")[0]}`, fileName);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw inputError("ZONE-POLICY", "must be a mapping of policy keys", fileName);
  const policy: Record<string, number | string> = { ...ROOT_ZONE_SIGNING_POLICY };
  for (const [key, value] of Object.entries(doc)) {
    const field = KEYS[key];
    if (!field) throw inputError("ZONE-POLICY", `unknown key "${key}" (known: ${Object.keys(KEYS).join(", ")})`, fileName);
    if (field === "jitterSeed") {
      if (typeof value !== "string") throw inputError("ZONE-POLICY", `${key} must be a string`, fileName);
      policy[field] = value;
    } else {
      if (typeof value !== "string") throw inputError("ZONE-POLICY", `${key} must be an ISO 8601 duration such as P13D`, fileName);
      try {
        policy[field] = parseDuration(value, key);
      } catch (e) {
        throw e instanceof KskError ? e.within(fileName) : e;
      }
    }
  }
  const result = policy as unknown as ZoneSigningPolicy;
  checkPolicy(result, fileName);
  return result;
}

function checkPolicy(p: ZoneSigningPolicy, where: string): void {
  if (p.validitySeconds <= 0) throw inputError("ZONE-POLICY", "validity must be positive", where);
  if (p.jitterSeconds >= p.validitySeconds) throw inputError("ZONE-POLICY", "jitter must be shorter than the validity", where);
}

export interface SignatureWindow {
  readonly inceptionEpochSeconds: number;
  readonly expirationEpochSeconds: number;
}

/** The window for the RRset (owner, type) signed at `atEpochSeconds`. */
export function signatureWindow(policy: ZoneSigningPolicy, atEpochSeconds: number, owner: Name, type: number): SignatureWindow {
  return signatureWindowWire(policy, atEpochSeconds, nameToWire(owner, true), type);
}

/** `signatureWindow` for an owner given in canonical wire form (the compact zone's records). */
export function signatureWindowWire(policy: ZoneSigningPolicy, atEpochSeconds: number, ownerWire: Uint8Array, type: number): SignatureWindow {
  const at = Math.floor(atEpochSeconds);
  let jitter = 0;
  if (policy.jitterSeconds > 0) {
    const digest = createHash("sha256").update(policy.jitterSeed, "utf8").update(ownerWire).update(u16(type)).digest();
    jitter = digest.readUInt32BE(0) % policy.jitterSeconds;
  }
  return { inceptionEpochSeconds: at - policy.inceptionOffsetSeconds, expirationEpochSeconds: at + policy.validitySeconds - jitter };
}
