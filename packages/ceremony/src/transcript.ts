/**
 * The ceremony transcript: a JSON-lines file (one JSON object per line, UTF-8, each line ended by
 * one LF) that auditors keep and anyone can check later with `ksk transcript verify`.
 *
 * The chain: every entry carries `previousSha256Hex`, the SHA-256 of the exact bytes of the line
 * before it — the UTF-8 bytes from the start of that line up to, not including, its LF — and the
 * first entry carries 64 zeros. Entries are numbered from 1 (`seq`). So a changed byte, a removed
 * or a reordered entry breaks the chain at the first entry after the change, and verification
 * hashes the lines as stored (never a re-serialisation). Each step entry lists its artefacts
 * (path relative to the output directory, size, SHA-256); verification re-hashes every listed
 * file as it is now. The last entry's hash (`headSha256Hex`) is what witnesses write down at the
 * end: a change to the last entry, or entries cut off the end, is only detectable against that
 * record (`expectedHeadSha256Hex`, `ksk transcript verify --head`).
 *
 * Never in the transcript: PINs, passphrases, private key bytes, nor the hash of a secret file
 * (the SHA-256 of a 6-digit PIN is no secret at all). Command lines are recorded; the toolkit
 * takes secrets only from files and prompts, never from argv.
 *
 * Pure except `appendEntry` and `readTranscriptFile`, which touch the file.
 */
import { promises as fs } from "node:fs";
import { KskError } from "@ksk/core";
import type { ArtefactRead } from "./artefacts.js";
import { sha256Hex } from "./witness.js";

export const TRANSCRIPT_FILE = "transcript.jsonl";
export const GENESIS_PREVIOUS_SHA256_HEX = "0".repeat(64);

/** A file a step read or wrote, as it was then. */
export interface ArtefactRecord {
  /** Relative to the ceremony's output directory, `/`-separated. */
  readonly path: string;
  readonly sizeBytes: number;
  readonly sha256Hex: string;
}

/** Where a stopped ceremony continues: the act number and the step within it (both from 1). */
export interface ResumePoint {
  readonly act: number;
  readonly step: number;
}

interface EntryBase {
  readonly seq: number;
  readonly previousSha256Hex: string;
  /** Wall-clock UTC time when the entry was written, ISO 8601 with milliseconds and `Z`. */
  readonly timeUtc: string;
}

/** The first entry of each run: who, where, with what. */
export interface StartEntry extends EntryBase {
  readonly type: "start";
  readonly toolkitVersion: string;
  readonly host: string;
  readonly hsm: { readonly modulePath: string; readonly tokenLabel: string; readonly tokenSerial?: string };
  /** The KSK operator's signing config, hashed as read. */
  readonly config?: ArtefactRecord;
  readonly ceremonyFile?: ArtefactRecord;
  readonly operator: string;
  readonly witnesses: readonly string[];
  /** What the ceremony file set for every step (SOFTHSM2_CONF and KSK_* only). */
  readonly env?: Readonly<Record<string, string>>;
  /** "witnessed": a person types Yes; "scripted": `--yes` stood in for it. */
  readonly mode: "witnessed" | "scripted";
  readonly acts: readonly string[];
  /** The values the acts' `${…}` variables took in this run (the quarter, its schema, times). */
  readonly variables: Readonly<Record<string, string | readonly string[]>>;
  readonly resumedFrom?: ResumePoint;
}

export interface StepEntry extends EntryBase {
  readonly type: "step";
  readonly act: number;
  readonly actName: string;
  readonly step: number;
  readonly does: string;
  readonly argv: readonly string[];
  readonly status: "ok" | "failed" | "skipped";
  readonly startedUtc: string;
  readonly exitCode?: number;
  readonly reason?: string;
  /** How the use of a private key was consented to, when the step uses one. */
  readonly consent?: string;
  /** The step's own environment (e.g. the second facility's SOFTHSM2_CONF), when it has one. */
  readonly env?: Readonly<Record<string, string>>;
  readonly inputs: readonly ArtefactRecord[];
  readonly outputs: readonly ArtefactRecord[];
}

export interface ActEntry extends EntryBase {
  readonly type: "act";
  readonly act: number;
  readonly actName: string;
  readonly status: "complete" | "skipped";
  readonly reason?: string;
}

export interface EndEntry extends EntryBase {
  readonly type: "end";
  readonly status: "complete" | "stopped";
  /** Why a stopped run stopped: a step failed, someone refused (no Yes, a policy), or a signal. */
  readonly stoppedBy?: "failure" | "refusal" | "interruption";
  readonly reason?: string;
  readonly resumeFrom?: ResumePoint;
}

export type TranscriptEntry = StartEntry | StepEntry | ActEntry | EndEntry;
/** An entry before it is chained: the writer adds `seq`, `previousSha256Hex` and `timeUtc`. */
export type EntryBody = DistributiveOmit<TranscriptEntry, keyof EntryBase>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const encoder = new TextEncoder();

/** The line for an entry: the chain fields first, then the body, as compact JSON. */
export function entryLine(body: EntryBody, seq: number, previousSha256Hex: string, timeUtc: string): string {
  return JSON.stringify({ seq, previousSha256Hex, timeUtc, ...body });
}

/** The hash the next entry must carry: SHA-256 of the line's UTF-8 bytes, without its LF. */
export function lineSha256Hex(line: string): string {
  return sha256Hex(encoder.encode(line));
}

/** Where the next entry goes: its number and the hash it must carry. */
export interface ChainHead {
  readonly nextSeq: number;
  readonly headSha256Hex: string;
}

export function chainHead(lines: readonly string[]): ChainHead {
  const last = lines.at(-1);
  return { nextSeq: lines.length + 1, headSha256Hex: last === undefined ? GENESIS_PREVIOUS_SHA256_HEX : lineSha256Hex(last) };
}

/** The lines of a transcript's bytes (each without its LF); a last line without LF is kept, and flagged by verification. */
export function transcriptLines(bytes: Uint8Array): string[] {
  const text = new TextDecoder("utf-8").decode(bytes);
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** Parse entries that the writer wrote (for resuming and reporting); use verifyTranscript to check them. */
export function parseEntries(lines: readonly string[], fileName: string): TranscriptEntry[] {
  return lines.map((line, i) => {
    try {
      const value = JSON.parse(line) as TranscriptEntry;
      if (typeof value !== "object" || value === null || typeof value.type !== "string") throw new Error("not an entry");
      return value;
    } catch {
      throw new KskError("input", "TRANSCRIPT-ENTRY", `entry ${i + 1} is not a JSON object`, { where: `${fileName}:${i + 1}` });
    }
  });
}

export interface TranscriptProblem {
  /** `entry 7 (line 7)` or an artefact path. */
  readonly subject: string;
  readonly detail: string;
}

export interface TranscriptVerification {
  readonly ok: boolean;
  readonly entryCount: number;
  readonly artefactCount: number;
  /** SHA-256 of the last line: what the witnesses wrote down at the end of the ceremony. */
  readonly headSha256Hex: string;
  /** The first problem found; verification stops at a broken chain (nothing after it can be trusted). */
  readonly problems: readonly TranscriptProblem[];
  /** The last run did not end with an `end` entry marked complete. */
  readonly incomplete: boolean;
}

/**
 * Check a transcript: every line a JSON object, numbered in order, carrying the hash of the line
 * before; then every artefact listed (the latest record of each path) against the file as it is
 * now, read through `readArtefact` (undefined: missing; `{ unreadable }`: why it cannot be
 * compared), unless `readArtefact` is null (the chain only). Pure: the caller reads the files.
 */
export function verifyTranscript(
  bytes: Uint8Array,
  readArtefact: ((relativePath: string) => ArtefactRead | undefined) | null,
  options: { expectedHeadSha256Hex?: string } = {},
): TranscriptVerification {
  const problems: TranscriptProblem[] = [];
  const text = new TextDecoder("utf-8").decode(bytes);
  const lines = transcriptLines(bytes);
  let previous = GENESIS_PREVIOUS_SHA256_HEX;
  const latest = new Map<string, { record: ArtefactRecord; seq: number }>();
  let lastEnd: TranscriptEntry | undefined;
  for (const [i, line] of lines.entries()) {
    const n = i + 1;
    let entry: TranscriptEntry;
    try {
      entry = JSON.parse(line) as TranscriptEntry;
    } catch {
      problems.push({ subject: `entry ${n} (line ${n})`, detail: "is not valid JSON: the line was altered" });
      break;
    }
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      problems.push({ subject: `entry ${n} (line ${n})`, detail: "is not a JSON object: the line was altered" });
      break;
    }
    // The number first: it says which entry went missing or moved; the hash then catches the rest.
    if (entry.seq !== n) {
      const movedTo = lines.findIndex((l, j) => j > i && seqOf(l) === n);
      problems.push({
        subject: `entry ${n} (line ${n})`,
        detail: `line ${n} holds entry ${JSON.stringify(entry.seq)}: ${movedTo >= 0 ? `entries were reordered (entry ${n} is on line ${movedTo + 1})` : typeof entry.seq === "number" && entry.seq > n ? `entry ${n} was removed` : "entries were reordered"}`,
      });
      break;
    }
    if (entry.previousSha256Hex !== previous) {
      problems.push(
        i === 0
          ? { subject: "entry 1 (line 1)", detail: "does not carry 64 zeros as the previous-entry hash: it is not the first entry of a transcript" }
          : {
              subject: `entry ${i} (line ${i})`,
              detail: `hashes to ${previous.slice(0, 16)}…, but entry ${n} records ${String(entry.previousSha256Hex).slice(0, 16)}…: entry ${i} was altered (or entry ${n}'s record of it)`,
            },
      );
      break;
    }
    previous = lineSha256Hex(line);
    if (entry.type === "step") {
      for (const record of [...(entry.inputs ?? []), ...(entry.outputs ?? [])]) latest.set(record.path, { record, seq: entry.seq });
    }
    if (entry.type === "start" || entry.type === "end") lastEnd = entry;
  }
  if (problems.length === 0 && options.expectedHeadSha256Hex !== undefined && options.expectedHeadSha256Hex.toLowerCase() !== previous) {
    problems.push({
      subject: `entry ${lines.length} (line ${lines.length})`,
      detail: `the last entry hashes to ${previous.slice(0, 16)}…, not ${options.expectedHeadSha256Hex.slice(0, 16)}… as recorded at the ceremony: it was altered, or entries were cut off or added at the end`,
    });
  }
  if (problems.length === 0 && text !== "" && !text.endsWith("\n")) {
    problems.push({ subject: `entry ${lines.length} (line ${lines.length})`, detail: "has no line end: the file was cut or appended to by hand" });
  }
  if (problems.length === 0 && readArtefact !== null) {
    for (const [file, { record, seq }] of latest) {
      const bytesNow = readArtefact(file);
      if (!(bytesNow instanceof Uint8Array)) {
        problems.push({ subject: file, detail: `${bytesNow?.unreadable ?? "is missing"} (recorded in entry ${seq})` });
        continue;
      }
      const hashNow = sha256Hex(bytesNow);
      if (hashNow !== record.sha256Hex || bytesNow.length !== record.sizeBytes) {
        problems.push({
          subject: file,
          detail: `has SHA-256 ${hashNow.slice(0, 16)}… (${bytesNow.length} bytes), not ${record.sha256Hex.slice(0, 16)}… (${record.sizeBytes} bytes) as entry ${seq} records`,
        });
      }
    }
  }
  return {
    ok: problems.length === 0,
    entryCount: lines.length,
    artefactCount: latest.size,
    headSha256Hex: previous,
    problems,
    incomplete: !(lastEnd?.type === "end" && lastEnd.status === "complete"),
  };
}

/** The `seq` of a line, if it is an entry at all. */
function seqOf(line: string): unknown {
  try {
    return (JSON.parse(line) as { seq?: unknown }).seq;
  } catch {
    return undefined;
  }
}

/** Read a transcript file; a missing one is an empty transcript. */
export async function readTranscriptFile(file: string): Promise<string[]> {
  try {
    return transcriptLines(new Uint8Array(await fs.readFile(file)));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new KskError("input", "TRANSCRIPT-UNREADABLE", (e as Error).message, { where: file });
  }
}

/**
 * Append one entry and make it durable (fsync) before the ceremony goes on: what the transcript
 * says happened has happened, and a crash loses at most the step that was running.
 */
export class TranscriptWriter {
  private head: ChainHead;

  private constructor(
    readonly file: string,
    lines: readonly string[],
    private readonly clockUtc: () => string,
  ) {
    this.head = chainHead(lines);
  }

  static async open(file: string, clockUtc: () => string): Promise<{ writer: TranscriptWriter; entries: TranscriptEntry[] }> {
    const lines = await readTranscriptFile(file);
    return { writer: new TranscriptWriter(file, lines, clockUtc), entries: parseEntries(lines, file) };
  }

  async append(body: EntryBody): Promise<TranscriptEntry> {
    const line = entryLine(body, this.head.nextSeq, this.head.headSha256Hex, this.clockUtc());
    const handle = await fs.open(this.file, "a", 0o644);
    try {
      await handle.write(`${line}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.head = { nextSeq: this.head.nextSeq + 1, headSha256Hex: lineSha256Hex(line) };
    return JSON.parse(line) as TranscriptEntry;
  }

  get headSha256Hex(): string {
    return this.head.headSha256Hex;
  }
}

/**
 * The outputs of completed steps that are no longer as recorded: what a resumed run relies on (its
 * later steps read them). Inputs that came from outside may have been fixed before resuming; they
 * are recorded again when read.
 */
export function changedOutputs(entries: readonly TranscriptEntry[], readArtefact: (relativePath: string) => ArtefactRead): TranscriptProblem[] {
  const latest = new Map<string, { record: ArtefactRecord; seq: number }>();
  for (const e of entries) if (e.type === "step" && e.status === "ok") for (const o of e.outputs) latest.set(o.path, { record: o, seq: e.seq });
  const problems: TranscriptProblem[] = [];
  for (const [file, { record, seq }] of latest) {
    const now = readArtefact(file);
    if (!(now instanceof Uint8Array)) problems.push({ subject: file, detail: `${now.unreadable} (written in entry ${seq})` });
    else if (sha256Hex(now) !== record.sha256Hex || now.length !== record.sizeBytes)
      problems.push({
        subject: file,
        detail: `is not the file entry ${seq} records (SHA-256 ${sha256Hex(now).slice(0, 16)}…, not ${record.sha256Hex.slice(0, 16)}…)`,
      });
  }
  return problems;
}

/** The SHA-256 of bytes as an artefact record. */
export function artefactRecord(relativePath: string, bytes: Uint8Array): ArtefactRecord {
  return { path: relativePath, sizeBytes: bytes.length, sha256Hex: sha256Hex(bytes) };
}

/** Where the last run stopped, if it did not complete: from its `end` entry, or (after a crash) from its last step. */
export function resumePoint(entries: readonly TranscriptEntry[]): { point: ResumePoint; reason: string; start: StartEntry } | undefined {
  let startIndex = -1;
  for (let i = entries.length - 1; i >= 0; i--) {
    if (entries[i]?.type === "start") {
      startIndex = i;
      break;
    }
  }
  if (startIndex < 0) return undefined;
  const start = entries[startIndex] as StartEntry;
  const run = entries.slice(startIndex + 1);
  const end = run.find((e): e is EndEntry => e.type === "end");
  if (end) return end.status === "stopped" && end.resumeFrom ? { point: end.resumeFrom, reason: end.reason ?? "stopped", start } : undefined;
  // No end entry: the run was killed. Continue at the step after the last one recorded done.
  const lastStep = [...run].reverse().find((e): e is StepEntry => e.type === "step");
  const firstAct = Number.parseInt(start.acts[0] ?? "1", 10);
  if (!lastStep) return { point: { act: firstAct, step: 1 }, reason: "the run ended before its first step", start };
  return {
    point: { act: lastStep.act, step: lastStep.status === "failed" ? lastStep.step : lastStep.step + 1 },
    reason: `the run ended without an end entry after act ${lastStep.act} step ${lastStep.step}`,
    start,
  };
}
