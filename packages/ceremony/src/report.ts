/**
 * `ksk report DIR`: read a ceremony's output directory — its transcript, the SKRs and the text
 * outputs the transcript lists — verify the transcript, and write the HTML page of
 * ./report-html.ts beside them through @ksk/files' atomic writer, with the rules of every output: an
 * existing report is replaced only with `force`, and then only a regular file. Control characters
 * in what the transcript and the outputs say are escaped before they reach the page. What kind of run the directory holds
 * is the caller's knowledge (`@ksk/lab` passes the 2024-2027 rehearsal's note).
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { KskError, escapeForTerminal, escapeLinesForTerminal } from "@ksk/core";
import { writeFilesAtomically } from "@ksk/files";
import { type KsrResponseDocument, parseKsrXml } from "@ksk/ksr";
import { z } from "zod";
import { artefactReader } from "./artefacts.js";
import { type ReportVerdict, type ResolverRun, renderReportHtml, reportVerdict } from "./report-html.js";
import { parseActFile, parseCeremonyFile } from "./acts.js";
import { HSM_LOG_DIR } from "./hsm-log.js";
import { renderAnnotatedScript, renderCeremonyScript } from "./script-html.js";
import { type TelemetryReportEntry, parseTelemetryOutput } from "./telemetry-html.js";
import { TRANSCRIPT_FILE, parseEntries, transcriptLines, verifyTranscript } from "./transcript.js";

export const REPORT_FILE = "report.html";
/** The annotated ceremony script `ksk report` writes beside the report. */
export const ANNOTATED_SCRIPT_FILE = "script-annotated.html";
/** Text outputs larger than this are listed with their hashes but not shown. */
const MAX_SHOWN_TEXT_BYTES = 256 * 1024;

/** What the report reads of `ksk resolver lab --json` (other fields are ignored). */
const resolverRunSchema: z.ZodType<ResolverRun> = z.object({
  resolver: z.object({ address: z.string(), port: z.number() }),
  anchoredKeyTags: z.array(z.number()),
  probes: z.array(z.object({ question: z.string(), expected: z.string(), rcode: z.string(), authenticData: z.boolean(), ok: z.boolean() })),
  readiness: z.object({
    validation: z.object({ validates: z.boolean(), detail: z.string() }),
    keys: z.array(z.object({ keyTag: z.number(), trust: z.string(), reason: z.string(), ready: z.boolean(), verdict: z.string() })),
    dnskey: z.object({ sizeBytes: z.number(), transport: z.string(), truncatedOverUdp: z.boolean() }),
    ready: z.boolean(),
    verdict: z.string(),
  }),
  validationEpochSeconds: z.number().optional(),
  anchoredSignatures: z.array(z.object({ keyTag: z.number(), inceptionEpochSeconds: z.number(), expirationEpochSeconds: z.number() })).optional(),
  ok: z.boolean(),
  verdict: z.string(),
});

/** Act 06's JSON output, or undefined when it is not one (listed with its hash, not shown). */
function parseResolverRun(bytes: Uint8Array): ResolverRun | undefined {
  try {
    const parsed = resolverRunSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function isHsmLog(relative: string): boolean {
  return relative.startsWith(`${HSM_LOG_DIR}/`) && relative.endsWith(".jsonl");
}

export interface WriteReportOptions {
  /** Where to write the page (default DIR/report.html). */
  readonly output?: string;
  readonly nowEpochSeconds: number;
  /** A note for a rehearsed roll that no resolver lived (the 2024-2027 calendar). */
  readonly rolloverNote?: string;
  /** Replace an existing report (a regular file only, as every output of the toolkit). */
  readonly force: boolean;
}

/**
 * Control characters as `\xNN` text (core's one escaper), in every string of a value read from a
 * transcript or an output: a forged `does` or a name holding ESC, BEL or NUL must not reach the
 * page as such. With `keepLines`, the line ends and tabs of the text outputs shown are kept.
 */
function escapeControls<T>(value: T, keepLines = false): T {
  if (typeof value === "string") return (keepLines ? escapeLinesForTerminal(value) : escapeForTerminal(value)) as T;
  if (Array.isArray(value)) return value.map((v) => escapeControls(v, keepLines)) as T;
  if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeControls(v, keepLines)])) as T;
  }
  return value;
}

export async function writeReport(dir: string, options: WriteReportOptions): Promise<{ file: string; verdict: ReportVerdict }> {
  const transcriptFile = path.join(dir, TRANSCRIPT_FILE);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(transcriptFile));
  } catch (e) {
    throw new KskError("input", "TRANSCRIPT-UNREADABLE", `no ceremony transcript here: ${(e as Error).message}`, { where: transcriptFile });
  }
  const artefact = artefactReader(dir);
  const read = (relative: string): Uint8Array | undefined => {
    const got = artefact(relative);
    return got instanceof Uint8Array ? got : undefined;
  };
  const verification = escapeControls(verifyTranscript(bytes, artefact));
  const entries = verification.problems.some((p) => p.subject.startsWith("entry ")) ? [] : escapeControls(parseEntries(transcriptLines(bytes), transcriptFile));
  const skrs: { path: string; document: KsrResponseDocument }[] = [];
  const texts = new Map<string, string>();
  const resolverRuns: { path: string; run: ResolverRun }[] = [];
  const telemetry: TelemetryReportEntry[] = [];
  const outputs = new Set<string>();
  // A failed step's HSM log too: what the HSM was asked before the step failed.
  for (const e of entries) if (e.type === "step") for (const o of e.outputs) if (e.status === "ok" || isHsmLog(o.path)) outputs.add(o.path);
  for (const relative of outputs) {
    const content = read(relative);
    if (content === undefined) continue;
    if (relative.endsWith(".xml")) {
      try {
        const { document } = parseKsrXml(content, { fileName: relative });
        if (document.kind === "response") skrs.push({ path: relative, document });
      } catch {
        // root-anchors.xml and any other XML that is not a KSR/SKR: listed, not tabulated.
      }
    } else if (/^resolver-.*\.json$/.test(relative)) {
      const run = parseResolverRun(content);
      if (run) resolverRuns.push({ path: relative, run });
    } else if (/^telemetry-.*\.json$/.test(relative)) {
      const summary = parseTelemetryOutput(content);
      if (summary) telemetry.push({ label: relative, summary });
    } else if ((relative.endsWith(".txt") || isHsmLog(relative)) && content.length <= MAX_SHOWN_TEXT_BYTES) {
      texts.set(relative, escapeControls(new TextDecoder().decode(content), true));
    }
  }
  const html = renderReportHtml({
    title: `KSK ceremony report: ${path.basename(path.resolve(dir))}`,
    generatedEpochSeconds: options.nowEpochSeconds,
    entries,
    verification,
    skrs,
    texts,
    resolverRuns,
    telemetry,
    ...(options.rolloverNote === undefined ? {} : { rolloverNote: options.rolloverNote }),
  });
  const file = options.output ?? path.join(dir, REPORT_FILE);
  // The annotated script, filed with the signed paper script: what each step did, as recorded.
  const script = renderAnnotatedScript({
    title: `Annotated ceremony script: ${path.basename(path.resolve(dir))}`,
    entries,
    texts,
    generatedEpochSeconds: options.nowEpochSeconds,
  });
  const scriptFile = path.join(path.dirname(path.resolve(file)), ANNOTATED_SCRIPT_FILE);
  await writeFilesAtomically(
    [
      { file, bytes: html },
      { file: scriptFile, bytes: script },
    ],
    { force: options.force },
  );
  return { file, verdict: reportVerdict({ entries, verification, texts }) };
}

/** `ksk ceremony script`: the printed script of the act files for a ceremony file (nothing run). */
export async function ceremonyScriptHtml(options: { actFiles: readonly string[]; ceremonyFile: string; nowEpochSeconds: number }): Promise<string> {
  const read = async (file: string, what: string) => {
    try {
      return await fs.readFile(file, "utf8");
    } catch (e) {
      throw new KskError("input", "CEREMONY-FILE", `${what} cannot be read: ${(e as Error).message}`, { where: file });
    }
  };
  const ceremony = parseCeremonyFile(await read(options.ceremonyFile, "the ceremony file"), options.ceremonyFile);
  const acts = [];
  for (const file of options.actFiles) acts.push(parseActFile(await read(file, "the act file"), file));
  return renderCeremonyScript({
    title: `Ceremony script: ${path.basename(options.ceremonyFile)}`,
    ceremony,
    acts,
    generatedEpochSeconds: options.nowEpochSeconds,
  });
}
