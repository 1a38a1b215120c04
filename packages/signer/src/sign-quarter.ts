/**
 * The signing act of one quarter, as one function (`signQuarter`): every check before the KSK is
 * used (preflight), the plan, what the witnesses are shown (the bundle tables of the previous SKR,
 * the KSR and the planned SKR, and the slots whose DNSKEY answer is large), their consent, the
 * signing through the HSM's `Signer`s (each signature verified in software before use), the SKR's
 * canonical bytes, and every check after signing on the SKR as written and read back (postflight).
 * Pure: the keys and signers, the clock, printing, the question to the witnesses and the writing
 * of the file come in as parameters and callbacks; a failure at any stage throws before anything is
 * kept (the writer's `verify` runs before its rename).
 *
 * The checks and the SKR's file format are parameters too: IANA's checks and KSR/SKR XML by
 * default; Knot's offline-KSK mode passes its own (knot-signing.ts: the KSR checks a Knot KSR cannot
 * be held to reported SKIP, the SKR written in Knot's text format), so both go through one act.
 *
 * Left out: finding and opening the KSKs (the keystore's job) and the files' SHA-256 and PGP words
 * (the caller shows them before any key is opened).
 */
import { KskError, type Signer, keyTag } from "@ksk/core";
import { type KsrRequestDocument, type KsrResponseDocument, parseKsrXml, writeKsrXml } from "@ksk/ksr";
import { type PostflightInput, type PreflightInput, type PreflightReport, postflight, preflight } from "./ceremony-checks.js";
import type { SignerConfig } from "./config.js";
import { executePlan } from "./execute.js";
import type { KskMaterial, SigningPlan } from "./plan.js";
import { documentSlotTable, planSlotTable, signingQuestion } from "./witness-display.js";
import { DNSKEY_RESPONSE_WARN_BYTES } from "./response-size.js";
import type { SigningSchema } from "./schemas.js";

/** The checks before and after signing: IANA's by default. */
export interface CeremonyChecks {
  readonly preflight: (input: PreflightInput) => PreflightReport;
  readonly postflight: (input: PostflightInput) => PreflightReport;
}

export const IANA_CHECKS: CeremonyChecks = { preflight, postflight };

/** How the SKR is written to bytes and read back from the file as written. */
export interface SkrFormat {
  readonly serialize: (skr: KsrResponseDocument) => Uint8Array;
  readonly parse: (bytes: Uint8Array, fileName: string) => KsrResponseDocument;
}

/** IANA's SKR XML (the KSR/SKR schema of the root zone's KSK operator). */
export const IANA_SKR_FORMAT: SkrFormat = {
  serialize: writeKsrXml,
  parse: (bytes, fileName) => {
    const reread = parseKsrXml(bytes, { fileName }).document;
    if (reread.kind !== "response") throw new KskError("check", "SKR-VERIFY", "the SKR written does not read back as an SKR", { where: fileName });
    return reread;
  },
};

export interface SignQuarterInput {
  readonly ksr: KsrRequestDocument;
  readonly previousSkr?: KsrResponseDocument;
  readonly config: SignerConfig;
  readonly schema: SigningSchema;
  /** The configured KSKs the schema names, as found in the HSM, and their Signers, by config key name. */
  readonly ksks: ReadonlyMap<string, KskMaterial>;
  readonly signers: ReadonlyMap<string, Signer>;
  /** The ceremony time: the checks' "now" and the SKR's timestamp. */
  readonly nowEpochSeconds: number;
  /** The SKR file's name, for messages about it as read back. */
  readonly outputName: string;
  /** The checks before and after signing (default IANA_CHECKS). */
  readonly checks?: CeremonyChecks;
  /** The SKR's file format (default IANA_SKR_FORMAT). */
  readonly format?: SkrFormat;
}

/** What the witnesses are shown before they answer: the three bundle tables and the large DNSKEY answers. */
export interface WitnessDisplay {
  readonly plan: SigningPlan;
  /** Text lines: the previous SKR's table (when given), the KSR's, the planned SKR's. */
  readonly tables: readonly (readonly string[])[];
  /** Planned slots (1-based) whose DNSKEY answer is over DNSKEY_RESPONSE_WARN_BYTES, with the size. */
  readonly largeSlots: readonly { readonly slot: number; readonly sizeBytes: number }[];
  /** What the witnesses agree to, naming only the signing keys: `Klabcur signs slots 1–9; Klabnxt is published only.` */
  readonly question: string;
}

export interface SignQuarterHooks {
  /** The checks of a stage, to show (results and warnings) before the stage's verdict is acted on. */
  readonly onChecks: (stage: "before" | "after", report: PreflightReport) => void;
  /** Show the display and return the witnesses' consent (or throw to refuse): nothing is signed before. */
  readonly confirm: (display: WitnessDisplay) => Promise<string>;
  /** Write the SKR's bytes, calling `verify` on the bytes as written before keeping them. */
  readonly write: (bytes: Uint8Array, verify: (written: Uint8Array) => void) => Promise<void>;
}

export interface SignQuarterReport {
  readonly before: PreflightReport;
  readonly after: PreflightReport;
  readonly skr: KsrResponseDocument;
  /** The SKR as written. */
  readonly bytes: Uint8Array;
  readonly consent: string;
}

function stageFailed(stage: string, report: PreflightReport): KskError {
  const codes = report.results.filter((r) => r.status === "fail").map((r) => r.code);
  return new KskError("check", codes[0] ?? "SKR-VERIFY", `${stage} failed: ${codes.join(", ")}; no SKR was written`);
}

/** The witnesses' view of a plan: the previous SKR, the KSR and the planned SKR slot by slot, one column per KSK. */
export function witnessDisplay(input: SignQuarterInput, plan: SigningPlan): WitnessDisplay {
  const { ksr, previousSkr, schema, ksks } = input;
  const labels = new Map([...ksks.values()].map((m) => [keyTag(m.dnskey), m.config.label]));
  const tables = [
    ...(previousSkr ? [documentSlotTable(`== Previous SKR ${previousSkr.id}`, previousSkr.bundles, labels)] : []),
    documentSlotTable(`== KSR ${ksr.id}`, ksr.bundles, labels),
    planSlotTable(`== Planned SKR (schema ${schema.name})`, plan),
  ];
  const largeSlots = plan.bundles.map((b, i) => ({ slot: i + 1, sizeBytes: b.responseSizeBytes })).filter((b) => b.sizeBytes > DNSKEY_RESPONSE_WARN_BYTES);
  return { plan, tables, largeSlots, question: signingQuestion(plan) };
}

/** One quarter's signing act: preflight, the witnesses' consent, signing, writing, and postflight on what was written. */
export async function signQuarter(input: SignQuarterInput, hooks: SignQuarterHooks): Promise<SignQuarterReport> {
  const { ksr, previousSkr, config, schema, ksks, signers, nowEpochSeconds } = input;
  const checks = input.checks ?? IANA_CHECKS;
  const format = input.format ?? IANA_SKR_FORMAT;
  const before = checks.preflight({ ksr, config, schema, ksks, nowEpochSeconds, ...(previousSkr ? { previousSkr } : {}) });
  hooks.onChecks("before", before);
  if (!before.ok || !before.plan) throw stageFailed("checks before signing", before);
  const consent = await hooks.confirm(witnessDisplay(input, before.plan));
  const skr = await executePlan(before.plan, signers, { timestampEpochSeconds: nowEpochSeconds });
  const bytes = format.serialize(skr);
  let after: PreflightReport | undefined;
  await hooks.write(bytes, (written) => {
    const reread = format.parse(written, input.outputName);
    after = checks.postflight({ ksr, skr: reread, config, ...(previousSkr ? { previousSkr } : {}) });
    hooks.onChecks("after", after);
    if (!after.ok) throw stageFailed("checks after signing", after);
  });
  // The writer must call verify before it keeps the file; one that did not is a bug, not a result.
  if (!after) throw new Error("the SKR was written without its checks after signing");
  return { before, after, skr, bytes, consent };
}
