/**
 * The printed ceremony script: the acts as the numbered script a Ceremony Administrator reads
 * aloud — each step with who does it (CA, internal witness, operator, witnesses), the command typed,
 * what the witnesses compare, and blank lines where the hashes and PGP words are written down and
 * initialled — closed by a sign-off block. Filed after the ceremony as the annotated script: the
 * same layout with what the transcript recorded filled in (times, exit codes, hashes, words, who
 * typed Yes, the HSM calls made).
 *
 * Pure: the ceremony file, the acts and (for the annotated script) the transcript come in; one
 * self-contained HTML page goes out, laid out for A4/Letter paper (print CSS, no script, no fetch).
 * Left out: the variables' values beyond what the steps name; the report's tables (report.html).
 */
import { formatIsoZ, groupedHex, hexToBytes, pgpWords } from "@ksk/core";
import { type Act, type CeremonyFile, type Variables, actId, expandArguments, expandString, quarterVariables } from "./acts.js";
import { escapeHtml } from "./report-sections.js";
import type { StepEntry, TranscriptEntry } from "./transcript.js";

export interface CeremonyScriptInput {
  readonly title: string;
  readonly ceremony: CeremonyFile;
  readonly acts: readonly Act[];
  /** For the annotated script: the transcript's entries and the HSM logs' texts by artefact path. */
  readonly transcript?: { readonly entries: readonly TranscriptEntry[]; readonly texts: ReadonlyMap<string, string> };
  readonly generatedEpochSeconds: number;
}

/** The variables a blank script shows: the ceremony file's own and its first quarter's. */
function scriptVariables(ceremony: CeremonyFile): Variables {
  const base: Record<string, string | readonly string[]> = { out: "OUT", examples: "EXAMPLES", ...ceremony.variables };
  const first = ceremony.quarters[0];
  return first ? { ...base, ...quarterVariables(ceremony, { quarter: first }) } : base;
}

function tryExpand(parts: readonly string[], variables: Variables): string[] {
  try {
    return expandArguments(parts, variables, "script");
  } catch {
    return [...parts];
  }
}

function tryExpandString(text: string, variables: Variables): string {
  try {
    return expandString(text, variables, "script");
  } catch {
    return text;
  }
}

const BLANK = '<span class="blank"></span>';

function hashCell(sha256Hex: string): string {
  const words = pgpWords(hexToBytes(sha256Hex));
  return `<code>${escapeHtml(groupedHex(hexToBytes(sha256Hex)))}</code><br><small>${escapeHtml(words.join(" "))}</small>`;
}

/** The transcript's entry for act/step in the last run that reached it. */
function recorded(entries: readonly TranscriptEntry[], act: number, step: number): StepEntry | undefined {
  return [...entries].reverse().find((e): e is StepEntry => e.type === "step" && e.act === act && e.step === step);
}

function hsmSummary(text: string | undefined): string {
  if (text === undefined) return "";
  const calls = text.split("\n").filter((l) => l.trim() !== "");
  const failed = calls.filter((l) => !l.includes('"rv":"CKR_OK"')).length;
  const signs = calls.filter((l) => l.includes('"call":"C_Sign"')).length;
  return `${calls.length} PKCS#11 calls (${signs} C_Sign${failed ? `, ${failed} not CKR_OK` : ", all CKR_OK"})`;
}

function stepHtml(act: Act, index: number, variables: Variables, transcript: CeremonyScriptInput["transcript"]): string {
  const step = act.steps[index] as Act["steps"][number];
  const number = `${act.act}.${index + 1}`;
  const argv = tryExpand(step.run, variables);
  const inputs = tryExpand(step.inputs, variables);
  const outputs = tryExpand(step.outputs, variables);
  const entry = transcript ? recorded(transcript.entries, act.act, index + 1) : undefined;
  const roles = step.private_key
    ? "CA reads; operator types the command; internal witness confirms the display; a witness types <b>Yes</b>"
    : "CA reads; operator types the command; witnesses watch";
  const rows: string[] = [];
  for (const input of inputs) {
    const rec = entry?.inputs.find((i) => i.path === input);
    rows.push(
      `<tr><td>compare</td><td><code>${escapeHtml(input)}</code> (received)</td><td>${rec ? hashCell(rec.sha256Hex) : `SHA-256 ${BLANK}<br>words ${BLANK}`}</td><td>${BLANK}</td></tr>`,
    );
  }
  for (const output of outputs) {
    const rec = entry?.outputs.find((o) => o.path === output);
    rows.push(
      `<tr><td>write down</td><td><code>${escapeHtml(output)}</code></td><td>${rec ? hashCell(rec.sha256Hex) : `SHA-256 ${BLANK}<br>words ${BLANK}`}</td><td>${BLANK}</td></tr>`,
    );
  }
  const outcome = entry
    ? `<p class="recorded">Recorded: ${escapeHtml(entry.status)}${entry.exitCode === undefined ? "" : `, exit ${entry.exitCode}`}, started ${escapeHtml(entry.startedUtc)}, done ${escapeHtml(entry.timeUtc)}${entry.consent ? `; Yes: ${escapeHtml(entry.consent)}` : ""}${entry.reason ? `; ${escapeHtml(entry.reason)}` : ""}${entry.outputs
        .filter((o) => o.path.startsWith("hsm-log/"))
        .map((o) => `; HSM log <code>${escapeHtml(o.path)}</code>: ${escapeHtml(hsmSummary(transcript?.texts.get(o.path)))}`)
        .join("")}</p>`
    : transcript
      ? '<p class="recorded">Not run in any recorded run.</p>'
      : `<p class="done">Done at (UTC) ${BLANK} exit code ${BLANK} initials ${BLANK}</p>`;
  return `<section class="step"><h3>${number} ${escapeHtml(tryExpandString(step.does, variables))}</h3>
<p class="roles">${roles}</p>
<pre class="command">ksk ${escapeHtml(argv.join(" "))}</pre>
${rows.length ? `<table><tr><th></th><th>file</th><th>SHA-256 and PGP words</th><th>initials</th></tr>${rows.join("")}</table>` : ""}
${outcome}</section>`;
}

function signOff(operator: string, witnesses: readonly string[]): string {
  const people = [["Ceremony Administrator", operator], ["Internal Witness", ""], ...witnesses.map((w) => ["Witness", w])];
  return `<section class="signoff"><h2>Sign-off</h2><p>We attest that the ceremony was run as this script records, and that the hashes and words written above are those we compared.</p>
<table><tr><th>role</th><th>name</th><th>signature</th><th>date</th></tr>${people
    .map(([role, name]) => `<tr><td>${escapeHtml(role as string)}</td><td>${escapeHtml(name as string) || BLANK}</td><td>${BLANK}</td><td>${BLANK}</td></tr>`)
    .join("")}</table>
<p>Transcript last-entry SHA-256 ${BLANK}</p></section>`;
}

export function renderCeremonyScript(input: CeremonyScriptInput): string {
  const variables = scriptVariables(input.ceremony);
  const acts = [...input.acts].sort((a, b) => a.act - b.act);
  const body = acts
    .map(
      (act) =>
        `<section class="act"><h2>Act ${escapeHtml(actId(act))}: ${escapeHtml(act.title)}</h2>${act.steps.map((_, i) => stepHtml(act, i, variables, input.transcript)).join("\n")}</section>`,
    )
    .join("\n");
  const intro = `${input.transcript ? "Annotated from the ceremony's transcript" : "To be read aloud by the Ceremony Administrator"}; generated ${escapeHtml(formatIsoZ(input.generatedEpochSeconds))}. HSM: token <code>${escapeHtml(input.ceremony.hsm.token)}</code>, module <code>${escapeHtml(input.ceremony.hsm.module)}</code>.`;
  return page(input.title, intro, body, signOff(input.ceremony.operator ?? "", input.ceremony.witnesses));
}

/**
 * The annotated script of a ceremony directory, from its transcript alone: every run, act and step
 * as it ran (the command, the files compared and written with their hashes and words, time, exit
 * code, who typed Yes, the HSM calls), and the sign-off with the run's operator and witnesses.
 */
export function renderAnnotatedScript(input: {
  readonly title: string;
  readonly entries: readonly TranscriptEntry[];
  readonly texts: ReadonlyMap<string, string>;
  readonly generatedEpochSeconds: number;
}): string {
  const runs: string[] = [];
  let operator = "";
  let witnesses: readonly string[] = [];
  let current: string[] = [];
  let act = -1;
  const flush = () => {
    if (current.length) runs.push(current.join("\n"));
    current = [];
  };
  for (const e of input.entries) {
    if (e.type === "start") {
      flush();
      operator = e.operator;
      witnesses = e.witnesses;
      act = -1;
      current.push(
        `<section class="act"><h2>Run of ${escapeHtml(e.timeUtc)}</h2><p>Operator ${escapeHtml(e.operator)}; witnesses ${escapeHtml(e.witnesses.join(", ") || "none named")}; ${e.mode === "scripted" ? "<b>scripted (--yes)</b>" : "witnessed"}; HSM token <code>${escapeHtml(e.hsm.tokenLabel)}</code>${e.hsm.tokenSerial ? ` serial <code>${escapeHtml(e.hsm.tokenSerial)}</code>` : ""}; ksk ${escapeHtml(e.toolkitVersion)}</p></section>`,
      );
    }
    if (e.type !== "step") continue;
    if (e.act !== act) {
      current.push(`<h2>Act ${String(e.act).padStart(2, "0")} ${escapeHtml(e.actName)}</h2>`);
      act = e.act;
    }
    const rows = [
      ...e.inputs.map((i) => `<tr><td>compared</td><td><code>${escapeHtml(i.path)}</code></td><td>${hashCell(i.sha256Hex)}</td><td>${BLANK}</td></tr>`),
      ...e.outputs.map((o) => `<tr><td>written</td><td><code>${escapeHtml(o.path)}</code></td><td>${hashCell(o.sha256Hex)}</td><td>${BLANK}</td></tr>`),
    ];
    const hsm = e.outputs
      .filter((o) => o.path.startsWith("hsm-log/"))
      .map((o) => `; HSM log: ${escapeHtml(hsmSummary(input.texts.get(o.path)))}`)
      .join("");
    current.push(`<section class="step"><h3>${e.act}.${e.step} ${escapeHtml(e.does)}</h3>
<pre class="command">ksk ${escapeHtml(e.argv.join(" "))}</pre>
${rows.length ? `<table><tr><th></th><th>file</th><th>SHA-256 and PGP words</th><th>initials</th></tr>${rows.join("")}</table>` : ""}
<p class="recorded">${escapeHtml(e.status)}${e.exitCode === undefined ? "" : `, exit ${e.exitCode}`}; started ${escapeHtml(e.startedUtc)}, done ${escapeHtml(e.timeUtc)}${e.consent ? `; Yes: ${escapeHtml(e.consent)}` : ""}${e.reason ? `; ${escapeHtml(e.reason)}` : ""}${hsm}</p></section>`);
  }
  flush();
  const intro = `Annotated from the ceremony's transcript; generated ${escapeHtml(formatIsoZ(input.generatedEpochSeconds))}.`;
  return page(input.title, intro, runs.join("\n"), signOff(operator, witnesses));
}

function page(title: string, intro: string, body: string, signoff: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>
@page { size: A4; margin: 18mm 15mm; }
body { font-family: serif; font-size: 11pt; color: #000; }
h1 { font-size: 16pt; } h2 { font-size: 13pt; border-bottom: 1px solid #000; } h3 { font-size: 11pt; margin: 0.6em 0 0.2em; }
.act { break-before: page; } .act:first-of-type { break-before: auto; }
.step { break-inside: avoid; margin-bottom: 0.8em; }
pre.command { white-space: pre-wrap; word-break: break-all; font-size: 9pt; border: 1px solid #888; padding: 3px; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #888; padding: 2px 4px; font-size: 9pt; vertical-align: top; text-align: left; }
.blank { display: inline-block; min-width: 45mm; border-bottom: 1px solid #000; height: 1.1em; }
td:nth-child(2) code { white-space: nowrap; }
.roles { font-style: italic; margin: 0; } .recorded { font-size: 9pt; } .signoff { break-before: page; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${intro}</p>
${body}
${signoff}
</body>
</html>
`;
}
