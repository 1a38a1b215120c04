/**
 * The report's resolver section: act 06's `ksk resolver lab --json` outputs, per run the answers
 * that had to validate, which KSK the resolver trusts (RFC 8509 sentinel), and the KSK signature
 * the anchor leads to — the RRSIG over `. DNSKEY` by an anchored KSK, valid when unbound validated —
 * named by its SKR slot (the slot whose inception the RRSIG carries). Left out: the resolver's own
 * log (unbound does not say which RRSIG it used; with `. DNSKEY` answered AD it used one of these).
 *
 * Pure: the runs and the timeline's slots in, HTML out (every value escaped).
 */
import { formatIsoZ } from "@ksk/core";
import { escapeHtml as esc } from "./report-sections.js";
import type { TimelineSlot } from "./timeline-svg.js";

/** The part of `ksk resolver lab --json` the report shows: which resolver trusts which key. */
export interface ResolverRun {
  readonly resolver: { readonly address: string; readonly port: number };
  readonly anchoredKeyTags: readonly number[];
  readonly probes: readonly {
    readonly question: string;
    readonly expected: string;
    readonly rcode: string;
    readonly authenticData: boolean;
    readonly ok: boolean;
  }[];
  readonly readiness: {
    readonly validation: { readonly validates: boolean; readonly detail: string };
    readonly keys: readonly { readonly keyTag: number; readonly trust: string; readonly reason: string; readonly ready: boolean; readonly verdict: string }[];
    readonly dnskey: { readonly sizeBytes: number; readonly transport: string; readonly truncatedOverUdp: boolean };
    readonly ready: boolean;
    readonly verdict: string;
  };
  /** When unbound validated; absent in outputs of toolkits before it was recorded. */
  readonly validationEpochSeconds?: number | undefined;
  /** The RRSIGs over `. DNSKEY` by anchored KSKs, valid then (one of them is what validated). */
  readonly anchoredSignatures?:
    | readonly { readonly keyTag: number; readonly inceptionEpochSeconds: number; readonly expirationEpochSeconds: number }[]
    | undefined;
  readonly ok: boolean;
  readonly verdict: string;
}

type AnchoredSignature = NonNullable<ResolverRun["anchoredSignatures"]>[number];

/** `slot 2026Q3/4` (or the input's column name): the slot whose bundle the KSK signed with this inception. */
function slotOf(sig: AnchoredSignature, slots: readonly TimelineSlot[]): string {
  const slot = slots.find(
    (s) =>
      s.inceptionEpochSeconds === sig.inceptionEpochSeconds &&
      s.keys.some((k) => k.role === "KSK" && k.keyTag === sig.keyTag && (k.state === "signing" || k.state === "revoked-signing")),
  );
  if (!slot) return "a slot of no SKR shown here";
  const id = `${slot.quarter}/${slot.index}`;
  return slot.column === String(slot.index) ? `slot ${id}` : `${slot.column} (slot ${id})`;
}

/** Which KSK's signature validated, in which slot, when. */
export function validatedThrough(run: ResolverRun, slots: readonly TimelineSlot[]): string {
  const sigs = run.anchoredSignatures;
  if (sigs === undefined) return "";
  const at = run.validationEpochSeconds === undefined ? "" : ` at ${formatIsoZ(run.validationEpochSeconds)}`;
  if (!sigs.length)
    return `<p class="resolver-validated" data-key-tags="">No RRSIG over <code>. DNSKEY</code> by an anchored KSK is valid${esc(at)}: nothing leads from the anchor to the zone.</p>`;
  const named = sigs.map(
    (s) =>
      `<span class="validated-by" data-key-tag="${s.keyTag}" data-inception="${s.inceptionEpochSeconds}"><b>KSK ${s.keyTag}</b>, ${esc(slotOf(s, slots))} (RRSIG ${esc(formatIsoZ(s.inceptionEpochSeconds))} to ${esc(formatIsoZ(s.expirationEpochSeconds))})</span>`,
  );
  return `<p class="resolver-validated" data-key-tags="${sigs.map((s) => s.keyTag).join(" ")}">Validated${esc(at)} through the signature over <code>. DNSKEY</code> of ${named.join(" or ")}${sigs.length > 1 ? " (either leads from the anchor)" : ""}.</p>`;
}

/** Act 06's verdicts: per run, the answers that had to validate and which KSK the resolver trusts. */
export function resolverSection(runs: readonly { readonly path: string; readonly run: ResolverRun }[], slots: readonly TimelineSlot[]): string {
  if (!runs.length) return `<h2 id="resolver">Resolver</h2><p>Act 06 (resolve through unbound) has not run.</p>`;
  const out = [`<h2 id="resolver">Resolver</h2>`];
  for (const { path, run } of runs) {
    const r = run.readiness;
    out.push(
      `<div class="resolver-run" data-file="${esc(path)}" data-ok="${run.ok}">`,
      `<h4><code>${esc(path)}</code>: unbound ${esc(run.resolver.address)} port ${run.resolver.port}, trust anchors KSK ${esc(run.anchoredKeyTags.join(", "))}</h4>`,
      `<p class="resolver-verdict">${esc(run.verdict)}</p>`,
      validatedThrough(run, slots),
      '<table class="resolver-probes"><tr><th>question</th><th>answer</th><th>wanted</th><th></th></tr>',
      ...run.probes.map(
        (p) =>
          `<tr data-question="${esc(p.question)}" data-ok="${p.ok}"><td>${esc(p.question)}</td><td>${esc(p.rcode)}${p.authenticData ? " AD" : ""}</td><td>${esc(p.expected)}</td><td>${p.ok ? "ok" : "FAIL"}</td></tr>`,
      ),
      "</table>",
      `<p>Validates: ${r.validation.validates ? "yes" : "NO"} (${esc(r.validation.detail)}); <code>. DNSKEY</code> ${r.dnskey.sizeBytes} octets over ${esc(r.dnskey.transport.toUpperCase())}${r.dnskey.truncatedOverUdp ? " (truncated over UDP, retried over TCP)" : ""}.</p>`,
      '<table class="resolver-keys"><tr><th>KSK</th><th>trusted (RFC 8509 sentinel)</th><th>ready</th><th>evidence</th></tr>',
      ...r.keys.map(
        (k) =>
          `<tr data-key-tag="${k.keyTag}" data-trust="${esc(k.trust)}" data-ready="${k.ready}"><td>${k.keyTag}</td><td>${esc(k.trust)}</td><td>${esc(k.verdict)}</td><td>${esc(k.reason)}</td></tr>`,
      ),
      "</table></div>",
    );
  }
  return out.join("\n");
}
