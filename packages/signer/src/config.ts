/**
 * The KSK operator's configuration, read from a YAML file with the sections and key names of IANA's
 * ksrsigner.yaml (dnssec-keytools `kskm/common/config.py`), so an operator's existing file loads:
 * `hsm`, `keys`, `ksk_policy`, `request_policy`, `response_policy`, `schemas`, `filenames`. Every
 * section is validated with zod and unknown keys are refused, so a misspelt switch can never leave a
 * check silently on its default (IANA's own example file fails here for exactly that reason: it still
 * uses pre-release names such as `acceptable_dnssec_algorithms`, and its `revoke+` schema is indented
 * under `rollover+`).
 *
 * Two additions: `keystore`, a keystore URI (`pkcs11:…` or `file:DIR`) that may replace the `hsm`
 * section; and `rollover_policy`, the RFC 5011 rules every signing is held to (rollover.ts): the add
 * and remove hold-downs (`P30D`), the largest DNSKEY answer allowed (1452), and one switch per rule —
 * `check_add_hold_down`, `check_remove_hold_down`, `check_dnskey_response_size` — which, set to false,
 * lets a slot that breaks the rule be signed, with a loud warning naming the switch. Durations are ISO 8601 (`P21D`, `PT0S`) and become seconds here. Pure: the YAML text comes
 * in as a string and nothing is read from the environment.
 */
import { KskError, type Name, SECONDS_PER_DAY, algorithmInfo, hexToBytes, parseAlgorithm, parseDuration, parseIsoUtc, parseName } from "@ksk/core";
import { type KsrCheckPolicy, type SignaturePolicy, parseConfigYaml, requestPolicySchema, toCheckPolicy } from "@ksk/ksr";
import { z } from "zod";
import { DNSKEY_RESPONSE_MAX_BYTES, DNSKEY_RESPONSE_WARN_BYTES } from "./response-size.js";
import type { RolloverPolicy } from "./rollover-policy.js";
import { BUILT_IN_SCHEMAS, type SigningSchema, schemaFromConfig } from "./schemas.js";

const keyName = z.string().regex(/^\w+$/, "key names are letters, digits and _");
const oneOrMore = z.union([keyName, z.array(keyName)]).transform((v) => (typeof v === "string" ? [v] : v));
// A PIN is text: numbers were turned into their written digits (or refused) by parseConfigYaml.
const secret = z.string();

const hsmSchema = z
  .object({
    module: z.string().min(1),
    token: z.string().min(1).optional(),
    pin: secret.optional(),
    so_pin: secret.optional(),
    env: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).default({}),
  })
  .strict();

const keySchema = z
  .object({
    description: z.string(),
    // A CKA_LABEL is shown to witnesses and written into file names: printable text only.
    label: z
      .string()
      .min(1)
      .regex(/^[^\p{Cc}\p{Cf}]+$/u, "must be printable text (no control or format characters)"),
    key_tag: z.number().int().min(0).max(65535).optional(),
    algorithm: z.string().min(1),
    rsa_size: z.number().int().min(512).max(16384).optional(),
    rsa_exponent: z.number().int().positive().optional(),
    valid_from: z.union([z.string(), z.date()]),
    valid_until: z.union([z.string(), z.date()]).optional(),
    ds_sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, "a SHA-256 digest is 64 hex digits")
      .optional(),
  })
  .strict();

const kskPolicySchema = z
  .object({
    publish_safety: z.string().default("PT0S"),
    retire_safety: z.string().default("P28D"),
    max_signature_validity: z.string().default("P21D"),
    min_signature_validity: z.string().default("P21D"),
    max_validity_overlap: z.string().default("P16D"),
    min_validity_overlap: z.string().default("P9D"),
    ttl: z.number().int().positive().default(172800),
    signers_name: z.string().default("."),
  })
  .strict();

const rolloverPolicySchema = z
  .object({
    add_hold_down: z.string().default("P30D"),
    remove_hold_down: z.string().default("P30D"),
    max_dnskey_response_size: z.number().int().min(512).max(65535).default(DNSKEY_RESPONSE_MAX_BYTES),
    check_add_hold_down: z.boolean().default(true),
    check_remove_hold_down: z.boolean().default(true),
    check_dnskey_response_size: z.boolean().default(true),
  })
  .strict();

const slotSchema = z.object({ publish: oneOrMore.default([]), sign: oneOrMore, revoke: oneOrMore.default([]) }).strict();

const configSchema = z
  .object({
    hsm: z.record(z.string(), hsmSchema).default({}),
    keystore: z.string().min(1).optional(),
    filenames: z
      .object({
        previous_skr: z.string().optional(),
        input_ksr: z.string().optional(),
        output_skr: z.string().optional(),
        output_trustanchor: z.string().optional(),
      })
      .strict()
      .default({}),
    keys: z.record(keyName, keySchema),
    ksk_policy: kskPolicySchema.default(kskPolicySchema.parse({})),
    request_policy: requestPolicySchema.default(requestPolicySchema.parse({})),
    response_policy: z
      .object({ num_bundles: z.number().int().positive().default(9), validate_signatures: z.boolean().default(true) })
      .strict()
      .default({ num_bundles: 9, validate_signatures: true }),
    schemas: z.record(z.string(), z.record(z.string(), slotSchema)).default({}),
    rollover_policy: rolloverPolicySchema.default(rolloverPolicySchema.parse({})),
  })
  .strict();

export interface HsmConfig {
  readonly name: string;
  readonly modulePath: string;
  /** The token's label (an extension to IANA's layout); without it the token holding each key is found by the key's label. */
  readonly tokenLabel?: string;
  readonly pin?: string;
  readonly soPin?: string;
  /** Environment for the module (e.g. SOFTHSM2_CONF), applied by the keystore before loading it. */
  readonly env: Readonly<Record<string, string>>;
}

/** A `keys` entry: a KSK the schemas may name. */
export interface KskKeyConfig {
  readonly name: string;
  readonly description: string;
  /** The HSM object label (CKA_LABEL), e.g. `Klajeyz`. */
  readonly label: string;
  readonly keyTag?: number;
  readonly algorithm: number;
  readonly rsaSizeBits?: number;
  readonly rsaExponent?: number;
  readonly validFromEpochSeconds: number;
  readonly validUntilEpochSeconds?: number;
  readonly dsSha256Hex?: string;
}

/**
 * `ksk_policy`: the KSK operator's signing policy — the SKR's ResponsePolicy/KSK fields (its
 * algorithms come from the keys the schema uses), plus the TTL and signer name of what is signed.
 */
export type KskPolicy = Omit<SignaturePolicy, "algorithms"> & {
  readonly ttlSeconds: number;
  readonly signersName: Name;
};

export interface SignerConfig {
  readonly hsms: readonly HsmConfig[];
  readonly keystoreUri?: string;
  readonly filenames: { readonly previousSkr?: string; readonly inputKsr?: string; readonly outputSkr?: string; readonly outputTrustAnchor?: string };
  readonly keys: ReadonlyMap<string, KskKeyConfig>;
  readonly kskPolicy: KskPolicy;
  readonly requestPolicy: KsrCheckPolicy;
  readonly responsePolicy: { readonly numBundles: number; readonly validateSignatures: boolean };
  /** Built-in schemas, overridden or extended by the config's `schemas`. */
  readonly schemas: ReadonlyMap<string, SigningSchema>;
  /** `rollover_policy`: the RFC 5011 rules every signing is held to (rollover.ts). */
  readonly rolloverPolicy: RolloverPolicy;
}

function fail(where: string, detail: string): never {
  throw new KskError("input", "CONFIG-INVALID", detail, { where });
}

function time(value: string | Date, where: string): number {
  if (value instanceof Date) return Math.floor(value.getTime() / 1000);
  try {
    return parseIsoUtc(value);
  } catch (e) {
    fail(where, (e as KskError).detail ?? (e as Error).message);
  }
}

function seconds(text: string, where: string): number {
  try {
    return parseDuration(text);
  } catch (e) {
    fail(where, (e as KskError).detail ?? (e as Error).message);
  }
}

/** Parse ksrsigner.yaml. Errors are input errors naming the file and the key path. */
/** `rollover_policy` as the rules take it: durations in seconds, the switches by name. */
function rolloverPolicyOf(r: z.infer<typeof rolloverPolicySchema>, at: (path: string) => string): RolloverPolicy {
  return {
    addHoldDownSeconds: seconds(r.add_hold_down, at("rollover_policy.add_hold_down")),
    removeHoldDownSeconds: seconds(r.remove_hold_down, at("rollover_policy.remove_hold_down")),
    warnResponseBytes: DNSKEY_RESPONSE_WARN_BYTES,
    maxResponseBytes: r.max_dnskey_response_size,
    checkAddHoldDown: r.check_add_hold_down,
    checkRemoveHoldDown: r.check_remove_hold_down,
    checkDnskeyResponseSize: r.check_dnskey_response_size,
  };
}

export function parseSignerConfig(text: string, fileName = "ksrsigner.yaml"): SignerConfig {
  const data = parseConfigYaml(text, fileName, "CONFIG-INVALID", ["pin", "so_pin"]);
  const parsed = configSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const keys = issue && "keys" in issue ? ` (${(issue.keys as string[]).join(", ")})` : "";
    fail(`${fileName}: ${issue?.path.join(".") || "top level"}`, `${issue?.message ?? "invalid"}${keys}`);
  }
  const raw = parsed.data;
  const at = (path: string) => `${fileName}: ${path}`;

  const keys = new Map<string, KskKeyConfig>();
  for (const [name, k] of Object.entries(raw.keys)) {
    let algorithm: number;
    try {
      algorithm = parseAlgorithm(k.algorithm).number;
    } catch (e) {
      fail(at(`keys.${name}.algorithm`), (e as KskError).detail);
    }
    const family = algorithmInfo(algorithm).family;
    if (family !== "RSA" && (k.rsa_size !== undefined || k.rsa_exponent !== undefined)) {
      fail(at(`keys.${name}`), `rsa_size and rsa_exponent apply only to RSA keys, not ${k.algorithm}`);
    }
    const entry: KskKeyConfig = {
      name,
      description: k.description,
      label: k.label,
      algorithm,
      validFromEpochSeconds: time(k.valid_from, at(`keys.${name}.valid_from`)),
      ...(k.key_tag === undefined ? {} : { keyTag: k.key_tag }),
      ...(k.rsa_size === undefined ? {} : { rsaSizeBits: k.rsa_size }),
      ...(k.rsa_exponent === undefined ? {} : { rsaExponent: k.rsa_exponent }),
      ...(k.valid_until === undefined ? {} : { validUntilEpochSeconds: time(k.valid_until, at(`keys.${name}.valid_until`)) }),
      ...(k.ds_sha256 === undefined ? {} : { dsSha256Hex: k.ds_sha256.toUpperCase() }),
    };
    if (entry.validUntilEpochSeconds !== undefined && entry.validUntilEpochSeconds <= entry.validFromEpochSeconds) {
      fail(at(`keys.${name}`), "valid_until is not after valid_from");
    }
    if (entry.dsSha256Hex !== undefined) hexToBytes(entry.dsSha256Hex, `keys.${name}.ds_sha256`);
    keys.set(name, entry);
  }
  const labels = [...keys.values()].map((k) => k.label);
  const duplicate = labels.find((l, i) => labels.indexOf(l) !== i);
  if (duplicate !== undefined) fail(at("keys"), `label ${duplicate} is used by two keys`);

  const p = raw.ksk_policy;
  let signersName: Name;
  try {
    signersName = parseName(p.signers_name.endsWith(".") ? p.signers_name : `${p.signers_name}.`);
  } catch (e) {
    fail(at("ksk_policy.signers_name"), (e as KskError).detail);
  }
  const kskPolicy: KskPolicy = {
    publishSafetySeconds: seconds(p.publish_safety, at("ksk_policy.publish_safety")),
    retireSafetySeconds: seconds(p.retire_safety, at("ksk_policy.retire_safety")),
    maxSignatureValiditySeconds: seconds(p.max_signature_validity, at("ksk_policy.max_signature_validity")),
    minSignatureValiditySeconds: seconds(p.min_signature_validity, at("ksk_policy.min_signature_validity")),
    maxValidityOverlapSeconds: seconds(p.max_validity_overlap, at("ksk_policy.max_validity_overlap")),
    minValidityOverlapSeconds: seconds(p.min_validity_overlap, at("ksk_policy.min_validity_overlap")),
    ttlSeconds: p.ttl,
    signersName,
  };
  if (kskPolicy.minSignatureValiditySeconds > kskPolicy.maxSignatureValiditySeconds)
    fail(at("ksk_policy"), "min_signature_validity exceeds max_signature_validity");
  if (kskPolicy.minValidityOverlapSeconds > kskPolicy.maxValidityOverlapSeconds) fail(at("ksk_policy"), "min_validity_overlap exceeds max_validity_overlap");
  if (kskPolicy.maxSignatureValiditySeconds > 180 * SECONDS_PER_DAY) fail(at("ksk_policy.max_signature_validity"), "exceeds 180 days");

  const rolloverPolicy = rolloverPolicyOf(raw.rollover_policy, at);

  const schemas = new Map(BUILT_IN_SCHEMAS);
  for (const [name, slots] of Object.entries(raw.schemas)) schemas.set(name, schemaFromConfig(name, slots));

  const hsms: HsmConfig[] = Object.entries(raw.hsm).map(([name, h]) => ({
    name,
    modulePath: h.module,
    env: h.env,
    ...(h.token === undefined ? {} : { tokenLabel: h.token }),
    ...(h.pin === undefined ? {} : { pin: h.pin }),
    ...(h.so_pin === undefined ? {} : { soPin: h.so_pin }),
  }));
  if (hsms.length === 0 && raw.keystore === undefined) fail(fileName, "has neither an hsm section nor a keystore URI: the KSKs cannot be found");

  const f = raw.filenames;
  return {
    hsms,
    ...(raw.keystore === undefined ? {} : { keystoreUri: raw.keystore }),
    filenames: {
      ...(f.previous_skr === undefined ? {} : { previousSkr: f.previous_skr }),
      ...(f.input_ksr === undefined ? {} : { inputKsr: f.input_ksr }),
      ...(f.output_skr === undefined ? {} : { outputSkr: f.output_skr }),
      ...(f.output_trustanchor === undefined ? {} : { outputTrustAnchor: f.output_trustanchor }),
    },
    keys,
    kskPolicy,
    requestPolicy: toCheckPolicy(raw.request_policy, at("request_policy")),
    responsePolicy: { numBundles: raw.response_policy.num_bundles, validateSignatures: raw.response_policy.validate_signatures },
    schemas,
    rolloverPolicy,
  };
}
