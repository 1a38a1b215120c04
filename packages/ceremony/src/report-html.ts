/**
 * The ceremony report as one self-contained HTML page: no script, no external stylesheet, font or
 * image, nothing fetched — it opens the same on an air-gapped laptop. It shows the verdict, each
 * run (who, where, which HSM), every act and step with its outputs (size, SHA-256, PGP words), the
 * check results the commands printed, each SKR's bundle table (the witness tables of @ksk/signer,
 * with the DNSKEY answer size per slot from its response-size computation), an SVG timeline of the
 * quarters — one row per key, one column per slot, each cell published / signing / revoked, read off
 * @ksk/signer's `rolloverTimeline` (the states `ksk rollover check` judges) — the resolver's verdict
 * when act 06 ran, and, for a rehearsed roll, what each resolver answered in each phase.
 *
 * Pure: the caller reads the directory (./report.ts) and passes the generation time.
 */
import { custodySection } from "./report-custody.js";
import { formatIsoZ, groupedHex, hexToBytes, keyTag, pgpWords, revokedKeyTag } from "@ksk/core";
import type { KsrResponseDocument } from "@ksk/ksr";
import {
  DNSKEY_RESPONSE_WARN_BYTES,
  STATE_MARK,
  type SlotKey,
  type SlotKeyState,
  documentResponseSizes,
  documentWitnessRows,
  formatWitnessTable,
  rolloverTimeline,
} from "@ksk/signer";
import { hsmLogSection, toolkitSection } from "./report-sections.js";
import { type TelemetryReportEntry, renderTelemetrySection } from "./telemetry-html.js";
import type { StartEntry, StepEntry, TranscriptEntry, TranscriptVerification } from "./transcript.js";

export interface ReportInput {
  readonly title: string;
  readonly generatedEpochSeconds: number;
  readonly entries: readonly TranscriptEntry[];
  readonly verification: TranscriptVerification;
  /**
   * The SKRs the ceremony wrote, by artefact path. `column` heads the SKR's columns in the timeline
   * instead of the slot numbers (the compressed rehearsal names each phase's one slot: `A`…`E`).
   */
  readonly skrs: readonly { readonly path: string; readonly document: KsrResponseDocument; readonly column?: string }[];
  /** Text outputs (check results), by artefact path. */
  readonly texts: ReadonlyMap<string, string>;
  /** Act 06's `ksk resolver lab --json` outputs (resolver-<quarter>.json), in transcript order. */
  readonly resolverRuns: readonly { readonly path: string; readonly run: ResolverRun }[];
  /** What resolvers answered in each phase of a rehearsed KSK roll (the live rehearsal gives these). */
  readonly rolloverResolvers?: readonly ResolverPhaseOutcome[];
  /** RFC 8145 signals the lab root heard: per phase of a rehearsed roll, or per act 06 run. */
  readonly telemetry?: readonly TelemetryReportEntry[];
  /** For a rehearsed roll without live resolvers (the 2024-2027 calendar): what the page says instead. */
  readonly rolloverNote?: string;
  /** The verdict, when the page is not a ceremony's (the compressed rehearsal judges its resolvers). */
  readonly verdict?: ReportVerdict;
  /**
   * Said instead of the transcript's verification, for a run that keeps no transcript; the page then
   * has no runs, check results, act 06 or steps sections (there are none to show).
   */
  readonly transcriptNote?: string;
  /** What wrote the page (plain text), when not `ksk report` from a transcript. */
  readonly generatedBy?: string;
}

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
  readonly ok: boolean;
  readonly verdict: string;
}

/** One resolver's answer to `. SOA` in one phase of a roll, and the KSKs it trusted then. */
export interface ResolverPhaseOutcome {
  /** The phase as the rehearsal names it, e.g. `C roll`. */
  readonly phase: string;
  /** Which resolver, e.g. `RFC 5011 (auto-trust-anchor-file)`. */
  readonly resolver: string;
  /** `AD` (validated), `SERVFAIL`, or another RCODE. */
  readonly answer: string;
  /** Its RFC 8509 sentinel trust per KSK, as `ksk resolver check` reports it. */
  readonly trust?: string;
}

export interface ReportVerdict {
  readonly ok: boolean;
  readonly line: string;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function lastOk(entries: readonly TranscriptEntry[], output: (path: string) => boolean): StepEntry | undefined {
  return [...entries].reverse().find((e): e is StepEntry => e.type === "step" && e.status === "ok" && e.outputs.some((o) => output(o.path)));
}

/**
 * The one-line verdict: what the transcript shows was done and passed. Each `ksk` command exits
 * non-zero on a failed check, so a step recorded "ok" is a check that passed.
 */
export function reportVerdict(input: Pick<ReportInput, "entries" | "verification">): ReportVerdict {
  const { entries, verification } = input;
  const parts: string[] = [];
  let ok = verification.ok;
  const failed = [...entries].reverse().find((e): e is StepEntry => e.type === "step" && e.status === "failed");
  const lastEnd = [...entries].reverse().find((e) => e.type === "end");
  if (lastEnd?.type === "end" && lastEnd.status === "stopped") {
    ok = false;
    parts.push(`STOPPED at ${lastEnd.reason ?? (failed ? `act ${failed.act} step ${failed.step}` : "?")}`);
  }
  parts.push(lastOk(entries, (p) => p === "root-anchors.verify.txt") ? "anchor published and verified" : "anchor not verified");
  const skr = lastOk(entries, (p) => /^skr-.*\.anchor\.txt$/.test(p));
  parts.push(skr ? `SKR ${skr.outputs[0]?.path.replace(/^skr-|\.anchor\.txt$/g, "")} verified against it` : "no SKR verified against the anchor");
  const zone = lastOk(entries, (p) => p.endsWith(".zone-verify.txt"));
  const zoneName = zone ? `test root ${zone.outputs[0]?.path.replace(/^root-|\.zone-verify\.txt$/g, "")}` : "";
  const resolver = lastOk(entries, (p) => /^resolver-.*\.json$/.test(p));
  const skipped = [...entries].reverse().find((e): e is StepEntry => e.type === "step" && e.actName === "resolve" && e.status === "skipped");
  if (!zone) parts.push("test root zone not signed (act 05 not run)");
  else if (resolver && resolver.seq > zone.seq) parts.push(`${zoneName} zone verified and validated by unbound from the anchor`);
  else if (skipped && skipped.seq > zone.seq) parts.push(`${zoneName} zone verified; NOT validated by unbound (act 06 skipped: ${skipped.reason ?? "?"})`);
  else parts.push(`${zoneName} zone verified; not validated by unbound (act 06 not run)`);
  parts.push(
    verification.ok ? `transcript verifies (${verification.entryCount} entries, ${verification.artefactCount} artefacts)` : "TRANSCRIPT DOES NOT VERIFY",
  );
  return { ok, line: `${ok ? "PASS" : "FAIL"}: ${parts.join("; ")}` };
}

function words(sha256Hex: string): string {
  return pgpWords(hexToBytes(sha256Hex)).join(" ");
}

const STATE_COLOUR: Readonly<Record<SlotKeyState, string>> = {
  published: "#9ecae1",
  signing: "#08519c",
  revoked: "#fcae91",
  "revoked-signing": "#cb181d",
};

interface Slot {
  readonly quarter: string;
  readonly index: number;
  /** The column heading: the slot number, or the name the input gave the SKR's columns. */
  readonly column: string;
  readonly inceptionEpochSeconds: number;
  readonly keys: readonly SlotKey[];
  readonly responseSizeBytes: number;
}

/**
 * Every slot of every SKR in time order, with its keys' states and DNSKEY answer size — read off
 * @ksk/signer's rollover timeline, the same key × slot states `ksk rollover check` judges (a KSK
 * "signs" a slot when its RRSIG over the slot's DNSKEY RRset verifies). ZSKs are published only.
 */
export function timelineSlots(skrs: ReportInput["skrs"]): Slot[] {
  const timeline = rolloverTimeline(skrs.map(({ path, document }) => ({ name: path, skr: document })));
  const columns = new Map(skrs.map((s) => [s.path, s.column]));
  return timeline.slots.map((slot, s) => {
    const ksks = timeline.keys.flatMap((key, k): SlotKey[] => {
      const state = timeline.states[k]?.[s];
      if (!state || state.presence === "absent") return [];
      const revoked = state.presence === "revoked";
      const tag = keyTag(key.dnskey);
      return [
        {
          role: "KSK",
          keyTag: revoked ? revokedKeyTag(key.dnskey) : tag,
          unrevokedKeyTag: tag,
          ...(key.label === undefined ? {} : { keyIdentifier: key.label }),
          state: revoked ? (state.signs ? "revoked-signing" : "revoked") : state.signs ? "signing" : "published",
        },
      ];
    });
    const zsks = slot.zsks.map((dnskey): SlotKey => ({ role: "ZSK", keyTag: keyTag(dnskey), unrevokedKeyTag: keyTag(dnskey), state: "published" }));
    return {
      quarter: slot.quarter,
      index: slot.bundleIndex + 1,
      column: columns.get(slot.source) ?? String(slot.bundleIndex + 1),
      inceptionEpochSeconds: slot.inceptionEpochSeconds,
      keys: [...ksks, ...zsks],
      responseSizeBytes: slot.dnskeyResponseSizeBytes,
    };
  });
}

/** The SVG timeline: one row per key (by its unrevoked tag), one column per slot. */
export function timelineSvg(slots: readonly Slot[]): string {
  const rows = new Map<string, { role: "KSK" | "ZSK"; tag: number; label: string }>();
  for (const s of slots) {
    for (const k of s.keys) {
      const id = `${k.role}-${k.unrevokedKeyTag}`;
      if (!rows.has(id)) {
        const name = k.keyIdentifier && k.keyIdentifier.length <= 16 ? ` ${k.keyIdentifier}` : "";
        rows.set(id, { role: k.role, tag: k.unrevokedKeyTag, label: `${k.role} ${k.unrevokedKeyTag}${name}` });
      }
    }
  }
  const ordered = [...rows.entries()].sort(([, a], [, b]) => (a.role === b.role ? 0 : a.role === "KSK" ? -1 : 1));
  const left = 170;
  const cell = 36;
  const rowHeight = 22;
  const top = 40;
  // Wide enough for the slots and for the legend under them (four states and the size note).
  const legendWidth = 4 + 4 * 130 + 330;
  const width = Math.max(left + slots.length * cell + 10, legendWidth);
  const height = top + ordered.length * rowHeight + 60;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" id="timeline" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    "<title>Key states per slot</title>",
  ];
  let previousQuarter = "";
  for (const [c, s] of slots.entries()) {
    const x = left + c * cell;
    if (s.quarter !== previousQuarter) {
      out.push(`<text x="${x + 2}" y="14" font-weight="bold">${esc(s.quarter)}</text>`);
      out.push(`<line x1="${x}" y1="4" x2="${x}" y2="${top + ordered.length * rowHeight}" stroke="#444"/>`);
      previousQuarter = s.quarter;
    }
    out.push(`<text x="${x + cell / 2}" y="${top - 8}" text-anchor="middle">${esc(s.column)}</text>`);
  }
  for (const [r, [id, row]] of ordered.entries()) {
    const y = top + r * rowHeight;
    out.push(`<g class="key-row" data-key="${id}" data-role="${row.role}" data-key-tag="${row.tag}">`);
    out.push(`<text x="4" y="${y + 15}">${esc(row.label)}</text>`);
    for (const [c, s] of slots.entries()) {
      const key = s.keys.find((k) => `${k.role}-${k.unrevokedKeyTag}` === id);
      if (!key) continue;
      const x = left + c * cell;
      const slotId = `${s.quarter}/${s.index}`;
      const slotName = s.column === String(s.index) ? `slot ${slotId}` : `${s.column} (slot ${slotId})`;
      out.push(
        `<rect x="${x + 1}" y="${y + 2}" width="${cell - 2}" height="${rowHeight - 4}" fill="${STATE_COLOUR[key.state]}" data-slot="${slotId}" data-state="${key.state}" data-key-tag="${key.keyTag}"><title>${esc(`${row.label}, ${slotName}: ${key.state}${key.keyTag !== key.unrevokedKeyTag ? ` (tag ${key.keyTag} with REVOKE)` : ""}`)}</title></rect>`,
      );
      out.push(
        `<text x="${x + cell / 2}" y="${y + 15}" text-anchor="middle" fill="${key.state === "published" || key.state === "revoked" ? "#000" : "#fff"}">${STATE_MARK[key.state]}</text>`,
      );
    }
    out.push("</g>");
  }
  const sizeY = top + ordered.length * rowHeight + 20;
  out.push(`<text x="4" y="${sizeY}">DNSKEY answer (bytes)</text>`);
  for (const [c, s] of slots.entries()) {
    const over = s.responseSizeBytes > DNSKEY_RESPONSE_WARN_BYTES;
    out.push(
      `<text class="response-size" x="${left + c * cell + cell / 2}" y="${sizeY}" text-anchor="middle" font-size="9" data-slot="${s.quarter}/${s.index}" data-bytes="${s.responseSizeBytes}" fill="${over ? "#cb181d" : "#000"}">${s.responseSizeBytes}</text>`,
    );
  }
  const legendY = sizeY + 24;
  let lx = 4;
  for (const state of ["published", "signing", "revoked", "revoked-signing"] as const) {
    out.push(`<rect x="${lx}" y="${legendY - 11}" width="14" height="14" fill="${STATE_COLOUR[state]}"/><text x="${lx + 18}" y="${legendY}">${state}</text>`);
    lx += 130;
  }
  out.push(`<text x="${lx}" y="${legendY}">red size: over ${DNSKEY_RESPONSE_WARN_BYTES} bytes, may be truncated</text>`);
  out.push("</svg>");
  return out.join("\n");
}

function artefactCells(o: { path: string; sizeBytes: number; sha256Hex: string }): string {
  return `<td><code>${esc(o.path)}</code></td><td>${o.sizeBytes}</td><td><code>${esc(groupedHex(hexToBytes(o.sha256Hex)))}</code><br><small>${esc(words(o.sha256Hex))}</small></td>`;
}

function runsSection(entries: readonly TranscriptEntry[]): string {
  const starts = entries.filter((e): e is StartEntry => e.type === "start");
  const rows = starts.map(
    (s) =>
      `<tr><td>${esc(s.timeUtc)}</td><td>${esc(typeof s.variables.quarter === "string" ? s.variables.quarter : "")}</td><td>${esc(s.operator)}</td><td>${esc(s.witnesses.join(", "))}</td><td>${s.mode === "scripted" ? "<b>scripted (--yes)</b>" : "witnessed"}</td><td>${esc(s.acts.join(" "))}${s.resumedFrom ? ` (resumed at act ${s.resumedFrom.act} step ${s.resumedFrom.step})` : ""}</td><td>${esc(`${s.hsm.tokenLabel}${s.hsm.tokenSerial ? ` serial ${s.hsm.tokenSerial}` : ""} (${s.hsm.modulePath})`)}</td><td>${esc(`ksk ${s.toolkitVersion} on ${s.host}`)}</td></tr>`,
  );
  return `<h2>Runs</h2><table><tr><th>started (UTC)</th><th>quarter</th><th>operator</th><th>witnesses</th><th>mode</th><th>acts</th><th>HSM token</th><th>toolkit</th></tr>${rows.join("")}</table>`;
}

function stepsSection(entries: readonly TranscriptEntry[], texts: ReadonlyMap<string, string>): string {
  const out: string[] = ["<h2>Acts and steps</h2>"];
  let act = -1;
  for (const e of entries) {
    if (e.type === "start") {
      out.push(`<h3 class="run">Run of ${esc(e.timeUtc)}</h3>`);
      act = -1;
    }
    if (e.type === "act" && e.status === "skipped")
      out.push(`<p>Act ${String(e.act).padStart(2, "0")} ${esc(e.actName)}: skipped (${esc(e.reason ?? "")})</p>`);
    if (e.type !== "step") continue;
    if (e.act !== act) {
      out.push(`<h4>Act ${String(e.act).padStart(2, "0")} ${esc(e.actName)}</h4>`);
      act = e.act;
    }
    const status = e.status === "ok" ? "ok" : e.status === "failed" ? "FAILED" : "skipped";
    out.push(
      `<div class="step ${e.status}" data-act="${e.act}" data-step="${e.step}"><p><b>${e.step}.</b> ${esc(e.does)} — <span class="status">${status}</span> <small>${esc(e.timeUtc)}${e.consent ? `; key use: ${esc(e.consent)}` : ""}</small></p>`,
    );
    out.push(`<p><code>ksk ${esc(e.argv.join(" "))}</code></p>`);
    if (e.reason) out.push(`<p class="reason">${esc(e.reason)}</p>`);
    if (e.outputs.length) {
      out.push(
        `<table><tr><th>output</th><th>bytes</th><th>SHA-256 and PGP words</th></tr>${e.outputs.map((o) => `<tr>${artefactCells(o)}</tr>`).join("")}</table>`,
      );
      for (const o of e.outputs) {
        const text = texts.get(o.path);
        if (text !== undefined) out.push(`<details><summary>${esc(o.path)}</summary><pre>${esc(text)}</pre></details>`);
      }
    }
    out.push("</div>");
  }
  return out.join("\n");
}

function checksSection(entries: readonly TranscriptEntry[], texts: ReadonlyMap<string, string>): string {
  const out: string[] = ["<h2>Check results</h2>"];
  const seen = new Set<string>();
  for (const e of entries) {
    if (e.type !== "step" || e.status !== "ok") continue;
    for (const o of e.outputs) {
      const text = texts.get(o.path);
      if (text === undefined || seen.has(o.path)) continue;
      const lines = text.split("\n").filter((l) => /^\s*(PASS|FAIL|OFF|SKIP)\b/.test(l));
      if (!lines.length) continue;
      seen.add(o.path);
      // Each line in its state's colour (PASS green, FAIL red, OFF orange, SKIP grey): a failure stands out.
      const shown = lines.map((l) => `<span class="check ${(/(PASS|FAIL|OFF|SKIP)/.exec(l)?.[1] ?? "").toLowerCase()}">${esc(l)}</span>`);
      out.push(`<h4><code>${esc(o.path)}</code></h4><pre class="checks">${shown.join("\n")}</pre>`);
    }
  }
  return out.join("\n");
}

function bundlesSection(skrs: ReportInput["skrs"]): string {
  const out: string[] = ["<h2>Bundles</h2>"];
  for (const { path, document } of skrs) {
    const sizes = documentResponseSizes(document);
    const rows = documentWitnessRows(document.bundles).map((r, i) => ({ ...r, responseSizeBytes: sizes[i] ?? 0 }));
    out.push(`<pre class="bundles">${esc(formatWitnessTable(`${path}: SKR ${document.id}`, rows).join("\n"))}</pre>`);
  }
  return out.join("\n");
}

/** Act 06's verdicts: per run, the answers that had to validate and which KSK the resolver trusts. */
function resolverSection(runs: ReportInput["resolverRuns"]): string {
  if (!runs.length) return `<h2 id="resolver">Resolver</h2><p>Act 06 (resolve through unbound) has not run.</p>`;
  const out = [`<h2 id="resolver">Resolver</h2>`];
  for (const { path, run } of runs) {
    const r = run.readiness;
    out.push(
      `<div class="resolver-run" data-file="${esc(path)}" data-ok="${run.ok}">`,
      `<h4><code>${esc(path)}</code>: unbound ${esc(run.resolver.address)} port ${run.resolver.port}, trust anchors KSK ${esc(run.anchoredKeyTags.join(", "))}</h4>`,
      `<p class="resolver-verdict">${esc(run.verdict)}</p>`,
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

/**
 * Phases × resolvers: each cell the answer (and trust); a resolver that stops validating is named
 * under the table — the failure operators are warned about when a roll comes.
 */
export function rolloverResolversSection(outcomes: readonly ResolverPhaseOutcome[]): string {
  if (!outcomes.length) return "";
  const phases = [...new Set(outcomes.map((o) => o.phase))];
  const resolvers = [...new Set(outcomes.map((o) => o.resolver))];
  const cell = (phase: string, resolver: string) => {
    const o = outcomes.find((x) => x.phase === phase && x.resolver === resolver);
    if (!o) return "<td>—</td>";
    const style = o.answer === "AD" ? "" : ' style="color:#cb181d;font-weight:bold"';
    return `<td class="outcome" data-phase="${esc(phase)}" data-resolver="${esc(resolver)}" data-answer="${esc(o.answer)}"${style}>${esc(o.answer)}${o.trust ? `<br><small>${esc(o.trust)}</small>` : ""}</td>`;
  };
  const broken = resolvers.flatMap((r) => {
    const first = phases.find((p) => outcomes.some((o) => o.phase === p && o.resolver === r && o.answer !== "AD"));
    return first ? [`${r} stops validating in phase ${first}`] : [];
  });
  return `<h2>Resolvers through the roll</h2><table><tr><th>phase</th>${resolvers.map((r) => `<th>${esc(r)}</th>`).join("")}</tr>${phases
    .map((p) => `<tr><td>${esc(p)}</td>${resolvers.map((r) => cell(p, r)).join("")}</tr>`)
    .join(
      "",
    )}</table><p class="resolver-verdict">${broken.length ? esc(`${broken.join("; ")}: a resolver that does not follow the roll loses the root — the failure operators are warned about.`) : "Every resolver validated in every phase."}</p>`;
}

export function renderReportHtml(input: ReportInput): string {
  const verdict = input.verdict ?? reportVerdict(input);
  const v = input.verification;
  const slots = timelineSlots(input.skrs);
  // A page from a transcript (a ceremony) has its runs, checks, act 06 and steps; one without has none.
  const ceremony = input.transcriptNote === undefined;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(input.title)}</title>
<style>
body { font-family: sans-serif; margin: 1.5em; color: #111; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #bbb; padding: 2px 6px; text-align: left; vertical-align: top; font-size: 13px; }
pre { background: #f4f4f4; padding: 6px; overflow-x: auto; font-size: 12px; }
.verdict { font-size: 1.2em; padding: 8px; border: 2px solid; }
.verdict.pass { border-color: #238b45; background: #e5f5e0; }
.verdict.fail { border-color: #cb181d; background: #fee0d2; }
.step.failed .status, .reason { color: #cb181d; font-weight: bold; }
.check.pass { color: #006d2c; } .check.fail { color: #cb181d; font-weight: bold; } .check.off { color: #d94801; } .check.skip { color: #636363; }
</style>
</head>
<body>
<h1>${esc(input.title)}</h1>
<p>Generated ${esc(formatIsoZ(input.generatedEpochSeconds))} by ${input.generatedBy !== undefined ? esc(input.generatedBy) : "<code>ksk report</code> from the ceremony's transcript and outputs"}.</p>
<p class="verdict ${verdict.ok ? "pass" : "fail"}" id="verdict">${esc(verdict.line)}</p>
<h2>Transcript</h2>
${
  input.transcriptNote !== undefined
    ? `<p>${esc(input.transcriptNote)}</p>`
    : `<p>${v.ok ? `Verified: ${v.entryCount} entries chained, ${v.artefactCount} artefacts match.` : `<b>Does not verify</b>: ${v.problems.map((p) => esc(`${p.subject}: ${p.detail}`)).join("; ")}`}${v.incomplete ? " The last run did not complete." : ""}</p>
<p>Last entry SHA-256 <code>${esc(groupedHex(hexToBytes(v.headSha256Hex)))}</code><br><small>${esc(words(v.headSha256Hex))}</small></p>`
}
${ceremony ? runsSection(input.entries) : ""}
${ceremony ? toolkitSection(input.entries, input.texts) : ""}
<h2>Timeline</h2>
${slots.length ? timelineSvg(slots) : "<p>No SKR yet.</p>"}
${rolloverResolversSection(input.rolloverResolvers ?? [])}
${renderTelemetrySection(input.telemetry ?? [])}
${input.rolloverNote !== undefined && !input.rolloverResolvers?.length ? `<h2>Resolvers through the roll</h2><p class="resolver-verdict">${esc(input.rolloverNote)}</p>` : ""}
${bundlesSection(input.skrs)}
${ceremony ? checksSection(input.entries, input.texts) : ""}
${ceremony ? resolverSection(input.resolverRuns) : ""}
${ceremony ? custodySection(input.entries, input.texts) : ""}
${ceremony ? stepsSection(input.entries, input.texts) : ""}
${ceremony ? hsmLogSection(input.entries, input.texts) : ""}
</body>
</html>
`;
}
