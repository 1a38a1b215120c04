/**
 * The ceremony report as one self-contained HTML page: no script, no external stylesheet, font or
 * image, nothing fetched — it opens the same on an air-gapped laptop. It shows the verdict, each
 * run (who, where, which HSM), every act and step with its outputs (size, SHA-256, PGP words), the
 * check results the commands printed, each SKR's bundle table (the witness tables of @ksk/signer,
 * with the DNSKEY answer size per slot from its response-size computation), the SVG key timeline of
 * ./timeline-svg.ts (one block per year, one row per key, one column per slot) — the resolver's verdict
 * when act 06 ran, and, for a rehearsed roll, what each resolver answered in each phase.
 *
 * Pure: the caller reads the directory (./report.ts) and passes the generation time.
 */
import { formatIsoZ, groupedHex, hexToBytes, pgpWords } from "@ksk/core";
import type { KsrResponseDocument } from "@ksk/ksr";
import { documentResponseSizes, documentWitnessRows, formatWitnessTable } from "@ksk/signer";
import { CHECK_LINE, checksNotRun, completedTextOutputs, passWord } from "./report-checks.js";
import { custodySection } from "./report-custody.js";
import { type ResolverRun, resolverSection } from "./report-resolver.js";
import { hsmLogSection, toolkitSection } from "./report-sections.js";

export type { ResolverRun } from "./report-resolver.js";
import { type TelemetryReportEntry, renderTelemetrySection } from "./telemetry-html.js";
import { timelineSlots, timelineSvg } from "./timeline-svg.js";
import type { EndEntry, StartEntry, StepEntry, TranscriptEntry, TranscriptVerification } from "./transcript.js";

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
  /** The date the phase stands for on the roll's calendar: the inception of the SKR slot it served. */
  readonly slotEpochSeconds?: number;
  /**
   * An RFC 5011 resolver's anchor file: each KSK's state (RFC 5011 §4: ADDPEND, VALID, MISSING,
   * REVOKED, REMOVED) by the tag unbound shows it under, as unbound wrote it.
   */
  readonly anchorStates?: Readonly<Record<string, string>>;
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
export function reportVerdict(input: Pick<ReportInput, "entries" | "verification"> & { readonly texts?: ReadonlyMap<string, string> }): ReportVerdict {
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
  // PASS only when every check ran: a SKIP or OFF result the commands printed is named.
  return { ok, line: `${ok ? passWord(checksNotRun(entries, input.texts ?? new Map())) : "FAIL"}: ${parts.join("; ")}` };
}

function words(sha256Hex: string): string {
  return pgpWords(hexToBytes(sha256Hex)).join(" ");
}

function artefactCells(o: { path: string; sizeBytes: number; sha256Hex: string }): string {
  return `<td><code>${esc(o.path)}</code></td><td>${o.sizeBytes}</td><td><code>${esc(groupedHex(hexToBytes(o.sha256Hex)))}</code><br><small>${esc(words(o.sha256Hex))}</small></td>`;
}

/**
 * How each run ended, read from the entries after its start: completed; stopped at a step by a
 * failure, a refusal (no Yes, a policy) or an interruption (a signal); or with no end recorded at
 * all (the process was killed), which counts as interrupted at its last step.
 */
export function runOutcome(run: readonly TranscriptEntry[]): { readonly ended: "completed" | "failed" | "refused" | "interrupted"; readonly text: string } {
  const end = run.find((e): e is EndEntry => e.type === "end");
  if (end?.status === "complete") return { ended: "completed", text: "completed" };
  const steps = run.filter((e): e is StepEntry => e.type === "step");
  const last = steps.at(-1);
  const at = end?.resumeFrom ?? (last ? { act: last.act, step: last.step } : undefined);
  const where = at ? ` at act ${String(at.act).padStart(2, "0")} step ${at.step}` : "";
  if (!end) return { ended: "interrupted", text: `interrupted${where} (no end recorded)` };
  const ended = end.stoppedBy === "refusal" ? "refused" : end.stoppedBy === "interruption" ? "interrupted" : "failed";
  return { ended, text: `${ended}${where}${end.reason ? `: ${end.reason}` : ""}` };
}

function runsSection(entries: readonly TranscriptEntry[]): string {
  const startIndexes = entries.flatMap((e, i) => (e.type === "start" ? [i] : []));
  const rows = startIndexes.map((from, n) => {
    const s = entries[from] as StartEntry;
    const outcome = runOutcome(entries.slice(from + 1, startIndexes[n + 1] ?? entries.length));
    const outcomeCell = `<td class="outcome ${outcome.ended}">${esc(outcome.text)}</td>`;
    return `<tr><td>${esc(s.timeUtc)}</td><td>${esc(typeof s.variables.quarter === "string" ? s.variables.quarter : "")}</td><td>${esc(s.operator)}</td><td>${esc(s.witnesses.join(", "))}</td><td>${s.mode === "scripted" ? "<b>scripted (--yes)</b>" : "witnessed"}</td><td>${esc(s.acts.join(" "))}${s.resumedFrom ? ` (resumed at act ${s.resumedFrom.act} step ${s.resumedFrom.step})` : ""}</td><td>${esc(`${s.hsm.tokenLabel}${s.hsm.tokenSerial ? ` serial ${s.hsm.tokenSerial}` : ""} (${s.hsm.modulePath})`)}</td><td>${esc(`ksk ${s.toolkitVersion} on ${s.host}`)}</td>${outcomeCell}</tr>`;
  });
  return `<h2>Runs</h2><table><tr><th>started (UTC)</th><th>quarter</th><th>operator</th><th>witnesses</th><th>mode</th><th>acts</th><th>HSM token</th><th>toolkit</th><th>outcome</th></tr>${rows.join("")}</table>`;
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
  for (const { path, text } of completedTextOutputs(entries, texts)) {
    const lines = text.split("\n").filter((l) => CHECK_LINE.test(l));
    if (!lines.length) continue;
    // Each line in its state's colour (PASS green, FAIL red, OFF orange, SKIP grey): a failure stands out.
    const shown = lines.map((l) => `<span class="check ${(/(PASS|FAIL|OFF|SKIP)/.exec(l)?.[1] ?? "").toLowerCase()}">${esc(l)}</span>`);
    out.push(`<h4><code>${esc(path)}</code></h4><pre class="checks">${shown.join("\n")}</pre>`);
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
    const states = Object.entries(o.anchorStates ?? {}).map(
      // The state word first (VALID, ADDPEND, …), then what the rehearsal saw of it (a hold-down left).
      ([tag, state]) => `<span data-key-tag="${esc(tag)}" data-state="${esc(state.split(" ")[0] ?? "")}">KSK ${esc(tag)} ${esc(state)}</span>`,
    );
    const anchorFile = states.length ? `<br><small class="anchor-states">anchor file: ${states.join(", ")}</small>` : "";
    return `<td class="outcome" data-phase="${esc(phase)}" data-resolver="${esc(resolver)}" data-answer="${esc(o.answer)}"${style}>${esc(o.answer)}${o.trust ? `<br><small>${esc(o.trust)}</small>` : ""}${anchorFile}</td>`;
  };
  // Each phase with the date it stands for: the slot it served.
  const phaseCell = (phase: string) => {
    const at = outcomes.find((o) => o.phase === phase && o.slotEpochSeconds !== undefined)?.slotEpochSeconds;
    return `<td>${esc(phase)}${at === undefined ? "" : `<br><small class="phase-date">slot of ${esc(formatIsoZ(at).slice(0, 10))}</small>`}</td>`;
  };
  const broken = resolvers.flatMap((r) => {
    const first = phases.find((p) => outcomes.some((o) => o.phase === p && o.resolver === r && o.answer !== "AD"));
    return first ? [`${r} stops validating in phase ${first}`] : [];
  });
  return `<h2>Resolvers through the roll</h2><table><tr><th>phase</th>${resolvers.map((r) => `<th>${esc(r)}</th>`).join("")}</tr>${phases
    .map((p) => `<tr>${phaseCell(p)}${resolvers.map((r) => cell(p, r)).join("")}</tr>`)
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
pre { background: #f4f4f4; padding: 6px; overflow-x: auto; font-size: 12px; max-width: 100%; box-sizing: border-box; }
pre.bundles { white-space: pre-wrap; overflow-wrap: anywhere; }
#timeline svg { display: block; max-width: 100%; height: auto; margin: 0.4em 0; break-inside: avoid; }
.verdict { font-size: 1.2em; padding: 8px; border: 2px solid; }
.verdict.pass { border-color: #238b45; background: #e5f5e0; }
.verdict.fail { border-color: #cb181d; background: #fee0d2; }
.step.failed .status, .reason { color: #cb181d; font-weight: bold; }
.outcome.completed { color: #006d2c; } .outcome.failed, .outcome.refused, .outcome.interrupted { color: #cb181d; font-weight: bold; }
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
${ceremony ? resolverSection(input.resolverRuns, slots) : ""}
${ceremony ? custodySection(input.entries, input.texts) : ""}
${ceremony ? stepsSection(input.entries, input.texts) : ""}
${ceremony ? hsmLogSection(input.entries, input.texts) : ""}
</body>
</html>
`;
}
