/**
 * What the compressed rehearsal records and how it is judged (pure): the phases A-E and the three
 * resolvers, one resolver's answer in one phase, the state of unbound's RFC 5011 trust-anchor file
 * as unbound writes it, and the verdict over the phases — PASS only for what the roll must show.
 *
 * Left out: running anything (./rollover-live.ts) and the page (./rollover-report.ts).
 */
import type { ReportVerdict } from "@ksk/ceremony";

/** The DNSKEY TTL of the compressed clock (keys-example/lab-rollover-compressed.yaml's ksk_policy.ttl). */
export const COMPRESSED_TTL_SECONDS = 2;
/** The managed resolver's RFC 5011 add hold-down. */
export const COMPRESSED_HOLD_DOWN_SECONDS = 3;
export const COMPRESSED_CONFIG_FILE = "lab-rollover-compressed.yaml";
export const ROLLOVER_LIVE_FILE = "rollover-live.json";
export const ROLLOVER_PHASES = ["A", "B", "C", "D", "E"] as const;
export type RolloverPhase = (typeof ROLLOVER_PHASES)[number];
export const PHASE_NAMES: Readonly<Record<RolloverPhase, string>> = {
  A: "A normal",
  B: "B new KSK pre-published",
  C: "C roll",
  D: "D old KSK revoked",
  E: "E old KSK removed",
};
/** The programs the rehearsal starts. */
export const COMPRESSED_TOOLS = ["knotd", "knotc", "unbound", "unbound-control", "unbound-checkconf"] as const;
export const RESOLVER_NAMES = {
  managed: "RFC 5011 (auto-trust-anchor-file)",
  static: "static DS, old KSK",
  anchors: "root-anchors.xml of the phase",
} as const;
export type ResolverName = keyof typeof RESOLVER_NAMES;

/** The lab KSKs' tags: the old one, the old one with the REVOKE bit (RFC 5011 §2.1), the new one. */
export interface RolloverKeyTags {
  readonly old: number;
  readonly oldRevoked: number;
  readonly new: number;
}

/** One resolver's answer in one phase. */
export interface ResolverAnswer {
  /** The resolver's name in the report. */
  readonly resolver: string;
  readonly address: string;
  readonly port: number;
  /** `. SOA` with DO: the RCODE and the AD flag. */
  readonly rcode: string;
  readonly authenticData: boolean;
  /** `AD`, `SERVFAIL` or `rcode NAME`. */
  readonly answer: string;
  /** RFC 8509 sentinel trust of the old and the new KSK (`trusted`, `not-trusted`, `unknown`). */
  readonly trust: { readonly old: string; readonly new: string };
  /** The managed resolver's anchor file: key tags by RFC 5011 state as unbound wrote them. */
  readonly anchorFile?: { readonly trusted: readonly number[]; readonly revoked: readonly number[]; readonly states: Readonly<Record<string, string>> };
}

export interface PhaseRecord {
  readonly phase: RolloverPhase;
  readonly name: string;
  /** When the answers were judged (UTC). */
  readonly atUtc: string;
  readonly servedSerial: number;
  /** What the rehearsal waited for before judging, and whether it came within the limit. */
  readonly waitedFor?: { readonly state: string; readonly reached: boolean };
  readonly resolvers: Readonly<Record<ResolverName, ResolverAnswer>>;
}

/** unbound's autotrust file: each KSK's tag as unbound shows it and its RFC 5011 state. */
export function autotrustStates(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split("\n")) {
    const m = /;\{id = (\d+) \(ksk\).*;;state=\d+ \[\s*(\w+)\s*\]/.exec(line);
    if (m) out.set(Number(m[1]), m[2] as string);
  }
  return out;
}

/** The verdict over the phases: what the rehearsal must show, and what it showed. */
export function compressedVerdict(phases: readonly PhaseRecord[], tags: RolloverKeyTags): { verdict: ReportVerdict; summary: string[] } {
  const answers = (r: ResolverName) => phases.map((p) => p.resolvers[r].answer);
  const problems: string[] = [];
  const managed = answers("managed");
  const last = phases.at(-1)?.resolvers.managed.anchorFile;
  const staticBreaks = phases.find((p) => p.resolvers.static.answer !== "AD")?.phase;
  if (phases.length !== ROLLOVER_PHASES.length) problems.push(`only ${phases.length} of ${ROLLOVER_PHASES.length} phases ran`);
  if (!managed.every((a) => a === "AD")) problems.push(`the RFC 5011 resolver answered ${managed.join(", ")}`);
  if (!last || last.trusted.join() !== String(tags.new) || !last.revoked.includes(tags.oldRevoked))
    problems.push(`the RFC 5011 resolver's anchor file ends with trusted [${last?.trusted.join(", ") ?? ""}], revoked [${last?.revoked.join(", ") ?? ""}]`);
  if (!answers("anchors").every((a) => a === "AD")) problems.push(`the per-phase root-anchors.xml resolvers answered ${answers("anchors").join(", ")}`);
  const expectedStatic = phases.map((p) => (p.phase === "A" || p.phase === "B" ? "AD" : "SERVFAIL"));
  if (answers("static").join() !== expectedStatic.join()) problems.push(`the static-anchor resolver answered ${answers("static").join(", ")}`);
  for (const p of phases) if (p.waitedFor && !p.waitedFor.reached) problems.push(`phase ${p.phase}: ${p.waitedFor.state} did not happen in time`);
  const summary = [
    `${RESOLVER_NAMES.managed}: ${managed.join(" ")}; its anchor file ends trusting [${last?.trusted.join(", ") ?? ""}], revoked [${last?.revoked.join(", ") ?? ""}]`,
    `${RESOLVER_NAMES.static}: ${answers("static").join(" ")}${staticBreaks ? ` — broken from phase ${staticBreaks} (${PHASE_NAMES[staticBreaks]}): the failure operators are warned about` : ""}`,
    `${RESOLVER_NAMES.anchors}: ${answers("anchors").join(" ")}`,
  ];
  const ok = problems.length === 0;
  const line = ok
    ? `PASS: LAB ONLY compressed roll A-E: the RFC 5011 resolver validated in every phase and ends trusting only the new KSK ${tags.new} with the old one recorded REVOKED (${tags.oldRevoked}); the static-anchor resolver validated until the roll and SERVFAILs from phase C; resolvers from each phase's root-anchors.xml validated in every phase`
    : `FAIL: LAB ONLY compressed roll: ${problems.join("; ")}`;
  return { verdict: { ok, line }, summary };
}
