/**
 * TEST ONLY: a run of quarters signed with the real signer on lab keys — for each quarter a KSR built
 * by @ksk/ksr (ZSKs rotating one per quarter, each KSR chained to the previous SKR), planned with a
 * rollover schema and executed through the lab KSKs' Signers — as a ceremony would produce them. The
 * planted mistakes of the rollover tests are schemas an operator could write in ksrsigner.yaml.
 */
import { randomUUID } from "node:crypto";
import type { Signer } from "@ksk/core";
import { type KsrRequestDocument, type KsrResponseDocument, buildKsr, defaultKsrPolicy, parseQuarter, quarterStartEpochSeconds } from "@ksk/ksr";
import { testSigner } from "../../../test/support/soft-signer.js";
import { type NamedSkr, type SignerConfig, executePlan, planSigning } from "../src/index.js";
import { type LabKsks, labConfig, materials } from "./helpers.js";

/** A schema in the config's layout: `slot(publish, sign, revoke)` for each of the 9 slots. */
export function schemaYaml(name: string, slots: readonly { publish: string[]; sign: string[]; revoke?: string[] }[]): string {
  const list = (xs: readonly string[]) => `[${xs.join(", ")}]`;
  return `  ${name}:\n${slots.map((s, i) => `    ${i + 1}: { publish: ${list(s.publish)}, sign: ${list(s.sign)}, revoke: ${list(s.revoke ?? [])} }`).join("\n")}\n`;
}

const C = "ksk_current";
const N = "ksk_next";
const nine = <T>(first: T, middle: T, last: T = middle): T[] => [first, ...Array<T>(7).fill(middle), last];

/**
 * The planted mistakes, as config schemas:
 *   drop          after `rollover`, the old KSK simply disappears (never published revoked);
 *   revoke-short  the old KSK revoked in slots 2-3 only, gone from slot 4 (20 days later);
 *   revoke-early  `revoke` starting in slot 1, which still carries two ZSKs: 2 ZSKs + 2 KSKs + 2 RRSIGs;
 *   after         the quarter after the roll: the new KSK alone.
 */
export const LAB_SCHEMAS = `schemas:
${schemaYaml("drop", nine({ publish: [C, N], sign: [N] }, { publish: [N], sign: [N] }))}${schemaYaml("revoke-short", [
  { publish: [C, N], sign: [N] },
  { publish: [N], sign: [C, N], revoke: [C] },
  { publish: [N], sign: [C, N], revoke: [C] },
  ...Array(6).fill({ publish: [N], sign: [N] }),
])}${schemaYaml(
  "revoke-early",
  nine({ publish: [N], sign: [C, N], revoke: [C] }, { publish: [N], sign: [C, N], revoke: [C] }, { publish: [N], sign: [N] }),
)}${schemaYaml("after", nine({ publish: [N], sign: [N] }, { publish: [N], sign: [N] }))}`;

export function labRollConfig(ksks: LabKsks, rolloverPolicy = ""): SignerConfig {
  return labConfig(ksks, { extra: `${LAB_SCHEMAS}${rolloverPolicy ? `rollover_policy:\n${rolloverPolicy}` : ""}` });
}

export interface SignedQuarter extends NamedSkr {
  readonly ksr: KsrRequestDocument;
}

/** ZSKs for `quarters` chained quarters: one more per quarter than the three the first needs. */
export function labZsks(quarters: number): Signer[] {
  return Array.from({ length: quarters + 2 }, (_, i) => testSigner({ algorithm: 8, label: `Zlab${i}` }));
}

/** The KSR of `quarter`, chained to `previous`, with ZSKs `zsks[index..index+2]`. */
export function labKsr(quarter: string, zsks: readonly Signer[], index: number, previous?: KsrResponseDocument): Promise<KsrRequestDocument> {
  const q = parseQuarter(quarter);
  return buildKsr({
    quarter: q,
    zsks: zsks.slice(index, index + 3),
    policy: defaultKsrPolicy(),
    nowEpochSeconds: quarterStartEpochSeconds(q) - 45 * 86400,
    newId: randomUUID,
    ...(previous ? { previousSkr: previous } : {}),
  });
}

/** Sign `[quarter, schema]` after `[quarter, schema]`, each KSR chained to the SKR before it. */
export async function signQuarters(
  ksks: LabKsks,
  config: SignerConfig,
  zsks: readonly Signer[],
  quarters: readonly (readonly [string, string])[],
): Promise<SignedQuarter[]> {
  const out: SignedQuarter[] = [];
  for (const [i, [quarter, schemaName]] of quarters.entries()) {
    const ksr = await labKsr(quarter, zsks, i, out[i - 1]?.skr);
    const schema = config.schemas.get(schemaName);
    if (!schema) throw new Error(`no schema ${schemaName}`);
    const skr = await executePlan(planSigning({ ksr, schema, kskPolicy: config.kskPolicy, ksks: materials(config, ksks) }), ksks.signers);
    out.push({ name: `skr-${quarter}.xml`, skr, ksr });
  }
  return out;
}

/** The 2024–2027 root roll on lab keys: KSK-2024 published 2025-01-11, signing 2026-10-11, KSK-2017 revoked 2027-01-11. */
export const ROOT_ROLL_CALENDAR: readonly (readonly [string, string])[] = [
  ["2024Q4", "normal"],
  ["2025Q1", "pre-publish"],
  ...["2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"].map((q) => [q, "publish+"] as const),
  ["2026Q4", "rollover"],
  ["2027Q1", "revoke"],
  ["2027Q2", "after"],
];
