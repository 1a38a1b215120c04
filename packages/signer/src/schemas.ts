/**
 * Rollover schemas: per slot (bundle 1..N), which KSKs are published, which are published with the
 * REVOKE bit (RFC 5011 §2.1), and which sign the DNSKEY RRset. Keys are named as in the config's
 * `keys` section (`ksk_current`, `ksk_next`).
 *
 * The built-in schemas are the phases of a root KSK roll as IANA's ksrsigner.yaml defines them:
 *   normal       the current KSK alone
 *   pre-publish  the next KSK joins in slots 2-9 (phase D: the new KSK is pre-published)
 *   publish+     both published, the current signs (phase D extended)
 *   rollover     slot 1 signed by the current KSK, slots 2-9 by the next (phase E: the signing switch)
 *   rollover+    both published, the next signs (phase E extended)
 *   revoke       slots 2-8 carry the old KSK revoked (flags 385), signed by itself and the new (phase F)
 *   revoke+      as revoke, starting from a quarter whose last slot had the new KSK alone
 * Slot 1 and slot 9 of each schema equal the neighbouring quarters' slots, because the first bundle of a
 * KSR repeats the keys of the previous SKR's last bundle (KSR-CHAIN-KEYS).
 *
 * Schema validity is checked when a schema is loaded for a KSR, not when slot 7 is reached: the slot
 * count must equal the KSR's bundle count, every key named must be configured, every slot must have a
 * signer that is not revoked, a signer must be published or revoked in its slot, every revoked key must
 * sign (its revocation is self-signed, RFC 5011 §2.1), and no key may be both published and revoked.
 */
import { KskError, checkFailed } from "@ksk/core";

export interface SchemaSlot {
  readonly publish: readonly string[];
  readonly revoke: readonly string[];
  readonly sign: readonly string[];
}

export interface SigningSchema {
  readonly name: string;
  /** slots[0] is slot 1. */
  readonly slots: readonly SchemaSlot[];
}

const CUR = "ksk_current";
const NEXT = "ksk_next";

function slot(publish: string[], sign: string[], revoke: string[] = []): SchemaSlot {
  return { publish, revoke, sign };
}

function nine(first: SchemaSlot, middle: SchemaSlot, last: SchemaSlot = middle): SchemaSlot[] {
  return [first, ...Array<SchemaSlot>(7).fill(middle), last];
}

const BOTH = [CUR, NEXT];
const REVOKING = slot([NEXT], [CUR, NEXT], [CUR]);

export const BUILT_IN_SCHEMAS: ReadonlyMap<string, SigningSchema> = new Map(
  (
    [
      ["normal", nine(slot([CUR], [CUR]), slot([CUR], [CUR]))],
      ["pre-publish", nine(slot([CUR], [CUR]), slot(BOTH, [CUR]))],
      ["publish+", nine(slot(BOTH, [CUR]), slot(BOTH, [CUR]))],
      ["rollover", nine(slot(BOTH, [CUR]), slot(BOTH, [NEXT]))],
      ["rollover+", nine(slot(BOTH, [NEXT]), slot(BOTH, [NEXT]))],
      ["revoke", nine(slot(BOTH, [NEXT]), REVOKING, slot([NEXT], [NEXT]))],
      ["revoke+", nine(slot([NEXT], [NEXT]), REVOKING, slot([NEXT], [NEXT]))],
    ] as const
  ).map(([name, slots]) => [name, { name, slots }]),
);

/**
 * A schema from the config's `schemas` section: slot numbers 1..N as keys, each with `publish`,
 * `sign` and optional `revoke` (a key name or a list). Throws an input error naming the config path.
 */
export function schemaFromConfig(
  name: string,
  raw: Readonly<Record<string, { publish: readonly string[]; sign: readonly string[]; revoke?: readonly string[] }>>,
): SigningSchema {
  const numbers = Object.keys(raw).map((k) => {
    if (!/^[1-9]\d*$/.test(k)) {
      throw new KskError("input", "CONFIG-SCHEMA", `"${k}" is not a slot number (1, 2, …); is a schema indented under another?`, { where: `schemas.${name}` });
    }
    return Number(k);
  });
  numbers.sort((a, b) => a - b);
  numbers.forEach((n, i) => {
    if (n !== i + 1)
      throw new KskError("input", "CONFIG-SCHEMA", `slots must be numbered 1..${numbers.length} without gaps; slot ${i + 1} is missing`, {
        where: `schemas.${name}`,
      });
  });
  const slots = numbers.map((n) => {
    const s = raw[String(n)] as { publish: readonly string[]; sign: readonly string[]; revoke?: readonly string[] };
    return slot([...s.publish], [...s.sign], [...(s.revoke ?? [])]);
  });
  return { name, slots };
}

/** Every key name the schema uses. */
export function schemaKeyNames(schema: SigningSchema): Set<string> {
  return new Set(schema.slots.flatMap((s) => [...s.publish, ...s.revoke, ...s.sign]));
}

/** A built-in schema, not one from the config (a config schema may reuse a built-in's name). */
export function isBuiltInSchema(schema: SigningSchema): boolean {
  return BUILT_IN_SCHEMAS.get(schema.name) === schema;
}

type SlotList = keyof SchemaSlot;

/**
 * SCHEMA-FITS-KSR: check a schema against the KSR it is about to sign and the configured keys,
 * before anything is signed. Each failure says what to change: the config key (`keys.NAME`,
 * `schemas.NAME.SLOT.LIST`) or, for a built-in schema, the choice of schema.
 */
export function checkSchemaFitsKsr(schema: SigningSchema, bundleCount: number, configuredKeys: ReadonlySet<string>): void {
  const where = `schema ${schema.name}`;
  const builtIn = isBuiltInSchema(schema);
  const instead = `schema ${schema.name} is built in: choose another, or define one in the config's schemas section`;
  const change = (slotNumber: number, ...lists: SlotList[]) =>
    builtIn ? instead : `change ${lists.map((l) => `schemas.${schema.name}.${slotNumber}.${l}`).join(" or ")}`;
  if (schema.slots.length !== bundleCount) {
    throw checkFailed(
      "SCHEMA-FITS-KSR",
      `has ${schema.slots.length} slots but the KSR has ${bundleCount} bundles; ${builtIn ? instead : `give schemas.${schema.name} slots 1..${bundleCount}`}`,
      where,
    );
  }
  const configured = [...configuredKeys].join(", ") || "none";
  for (const [i, s] of schema.slots.entries()) {
    const n = i + 1;
    const at = `${where} slot ${n}`;
    for (const list of ["publish", "revoke", "sign"] as const) {
      for (const name of s[list]) {
        if (!configuredKeys.has(name)) {
          throw checkFailed(
            "SCHEMA-FITS-KSR",
            `names key "${name}" (${list}), which is not in the config's keys (${configured}); add keys.${name} to the config, or ${builtIn ? `choose a schema that names only configured keys` : change(n, list)}`,
            at,
          );
        }
      }
    }
    if (s.sign.length === 0) throw checkFailed("SCHEMA-FITS-KSR", `has no signing key; ${change(n, "sign")}`, at);
    for (const name of s.publish) {
      if (s.revoke.includes(name)) throw checkFailed("SCHEMA-FITS-KSR", `key "${name}" is both published and revoked; ${change(n, "publish", "revoke")}`, at);
    }
    for (const name of s.sign) {
      if (!s.publish.includes(name) && !s.revoke.includes(name)) {
        throw checkFailed("SCHEMA-FITS-KSR", `key "${name}" signs but is neither published nor revoked in this slot; ${change(n, "publish", "sign")}`, at);
      }
    }
    // RFC 5011 §2.1: a revoked key validates only its own revocation, so a slot needs a signer that
    // is not revoked or no resolver can validate it; and a revocation nobody can see is no revocation:
    // the revoked key must sign the RRset that carries it (RFC 5011 §2.1).
    if (!s.sign.some((name) => s.publish.includes(name))) {
      throw checkFailed("SCHEMA-FITS-KSR", `is signed only by revoked keys: no resolver could validate this slot; ${change(n, "sign")}`, at);
    }
    for (const name of s.revoke) {
      if (!s.sign.includes(name))
        throw checkFailed(
          "SCHEMA-FITS-KSR",
          `key "${name}" is published revoked but does not sign: resolvers would never accept the revocation; ${change(n, "sign")}`,
          at,
        );
    }
    for (const list of ["publish", "revoke", "sign"] as const) {
      if (new Set(s[list]).size !== s[list].length) throw checkFailed("SCHEMA-FITS-KSR", `lists a key twice in ${list}; ${change(n, list)}`, at);
    }
  }
}
