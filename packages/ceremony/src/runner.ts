/**
 * Running a ceremony: the acts' steps in order, each a `ksk` process run in the output directory,
 * every input and output hashed and shown to the witnesses (SHA-256 as hex and PGP words), a typed
 * "Yes" before any step that uses a private key, and one transcript entry per step, written and
 * synced before the next step starts.
 *
 * Faults: a step that fails (non-zero exit, a missing input, an output that already exists, an
 * interrupt) stops the ceremony; its entry records the act, step and reason, an `end` entry says
 * where to resume, and no later step runs. Outputs are never partial under their final names: the
 * `ksk` commands write through a temporary file and rename, and a step's captured standard output
 * is handled the same way here. `--resume` continues at the recorded point with the variables the
 * stopped run used; a new run refuses to start over a stopped one.
 *
 * Left out: deciding anything about keys, DNS or XML — that is the commands' job.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { constants, existsSync, promises as fs } from "node:fs";
import path from "node:path";
import { type ErrorKind, KskError, hexToBytes, isKskError, pgpWords } from "@ksk/core";
import {
  type Act,
  type CeremonyFile,
  type PlannedStep,
  type Variables,
  actId,
  currentQuarter,
  expandString,
  parseActFile,
  parseCeremonyFile,
  planActs,
  quarterVariables,
} from "./acts.js";
import { HSM_LOG_ENV, hsmLogArtefacts, hsmLogPath } from "./hsm-log.js";
import { type ArtefactRecord, type ResumePoint, TRANSCRIPT_FILE, type TranscriptEntry, TranscriptWriter, artefactRecord, resumePoint } from "./transcript.js";
import { CONSENT_SCRIPTED, type Terminal, confirmYes, fileWitnessLines } from "./witness.js";

export interface CeremonyTerminal extends Terminal {
  readonly err: (text: string) => void;
}

export interface RunCeremonyOptions {
  /** The output directory (made if missing); every step runs with it as working directory. */
  readonly outDir: string;
  readonly actFiles: readonly string[];
  readonly ceremonyFile: string;
  /** Override the ceremony file's operator / witnesses. */
  readonly operator?: string;
  readonly witnesses?: readonly string[];
  readonly resume: boolean;
  /** A scripted run: `--yes` stands in for every typed Yes, and the transcript says so. */
  readonly assumeYes: boolean;
  readonly toolkitVersion: string;
  readonly host: string;
  /** How to run `ksk`: the program and any leading arguments. */
  readonly kskCommand: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly terminal: CeremonyTerminal;
  readonly clock: () => Date;
}

export interface CeremonyOutcome {
  readonly transcriptFile: string;
  readonly headSha256Hex: string;
  readonly actsRun: readonly string[];
  readonly variables: Variables;
}

/** What a `ksk` exit code means, per its documented table, for the error this runner raises. */
const KIND_FOR_EXIT: Readonly<Record<number, ErrorKind>> = { 1: "check", 2: "input", 3: "input", 4: "keystore", 5: "refused" };

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/** The programs of `names` found in no directory of `searchPath` as executable files. */
async function missingPrograms(names: readonly string[], searchPath: string | undefined): Promise<string[]> {
  const directories = (searchPath ?? "").split(path.delimiter).filter((d) => d !== "");
  const missing: string[] = [];
  for (const name of names) {
    let found = false;
    for (const directory of directories) {
      try {
        await fs.access(path.join(directory, name), constants.X_OK);
        found = true;
        break;
      } catch {
        // not in this directory
      }
    }
    if (!found) missing.push(name);
  }
  return missing;
}

async function readText(file: string, what: string): Promise<{ text: string; bytes: Uint8Array }> {
  try {
    const bytes = new Uint8Array(await fs.readFile(file));
    return { text: new TextDecoder().decode(bytes), bytes };
  } catch (e) {
    throw new KskError("input", "CEREMONY-FILE", `${what} cannot be read: ${(e as Error).message}`, { where: file });
  }
}

/** Refuse a second runner on the same directory; a lock left by a killed run (dead PID) is taken over. */
async function lock(outDir: string): Promise<() => Promise<void>> {
  const file = path.join(outDir, ".ceremony.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(file, `${process.pid}\n`, { flag: "wx" });
      return () => fs.rm(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number.parseInt(await fs.readFile(file, "utf8").catch(() => ""), 10);
      let alive = false;
      try {
        if (pid > 0) process.kill(pid, 0);
        alive = pid > 0;
      } catch {
        alive = false;
      }
      if (alive) throw new KskError("refused", "CEREMONY-LOCKED", `another ceremony run (PID ${pid}) is using this directory`, { where: outDir });
      await fs.rm(file, { force: true });
    }
  }
  throw new KskError("refused", "CEREMONY-LOCKED", "cannot take the ceremony lock", { where: outDir });
}

/** The lab's TEST ONLY files: made once, before the first act, never overwritten. */
async function setUp(ceremony: CeremonyFile, outDir: string, examplesDir: string, variables: Variables): Promise<void> {
  for (const dir of ceremony.setup.directories) await fs.mkdir(path.join(outDir, dir), { recursive: true, mode: 0o700 });
  for (const f of ceremony.setup.files) {
    const file = path.join(outDir, f.path);
    if (await exists(file)) continue;
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await fs.writeFile(file, expandString(f.text, variables, `setup ${f.path}`), { mode: f.secret ? 0o600 : 0o644, flag: "wx" });
  }
  for (const c of ceremony.setup.copy) {
    const file = path.join(outDir, c.to);
    if (await exists(file)) continue;
    await fs.copyFile(path.resolve(examplesDir, c.from), file, constants.COPYFILE_EXCL);
  }
}

function stepName(s: PlannedStep): string {
  return `act ${String(s.act.act).padStart(2, "0")} step ${s.index + 1}`;
}

/** Run one `ksk` process; its standard output goes to the terminal and, when captured, to `captureFile`. */
function runKsk(
  options: RunCeremonyOptions,
  argv: readonly string[],
  env: Record<string, string | undefined>,
  captureFile: string | undefined,
  interactive: boolean,
  onChild: (kill: (() => void) | undefined) => void,
): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; lastErrorLine: string }> {
  const [program, ...lead] = options.kskCommand;
  return new Promise((resolve, reject) => {
    const child = spawn(program as string, [...lead, ...argv], {
      cwd: options.outDir,
      env,
      stdio: [interactive ? "inherit" : "ignore", "pipe", "pipe"],
    });
    onChild(() => child.kill("SIGTERM"));
    let capture: Promise<fs.FileHandle> | undefined = captureFile ? fs.open(captureFile, "wx", 0o644) : undefined;
    const writes: Promise<unknown>[] = [];
    let errorTail = "";
    child.stdout.on("data", (chunk: Buffer) => {
      options.terminal.out(chunk.toString("utf8"));
      if (capture) writes.push(capture.then((h) => h.write(chunk)));
    });
    child.stderr.on("data", (chunk: Buffer) => {
      options.terminal.err(chunk.toString("utf8"));
      errorTail = (errorTail + chunk.toString("utf8")).slice(-4000);
    });
    child.on("error", (e) => {
      onChild(undefined);
      reject(new KskError("input", "CEREMONY-KSK", `cannot run ksk (${options.kskCommand.join(" ")}): ${e.message}`));
    });
    child.on("close", async (exitCode, signal) => {
      onChild(undefined);
      try {
        await Promise.all(writes);
        if (capture) {
          const h = await capture;
          await h.sync();
          await h.close();
          capture = undefined;
        }
      } catch (e) {
        reject(e);
        return;
      }
      const lines = errorTail.split("\n").filter((l) => l.trim() !== "");
      resolve({ exitCode, signal, lastErrorLine: lines.at(-1) ?? "" });
    });
  });
}

/** Control characters in a reason would let one line pose as several: escape them. */
function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: exactly the characters to escape
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

function witnessHeadLines(terminal: CeremonyTerminal, label: string, file: string, bytes: Uint8Array): void {
  terminal.out(`${fileWitnessLines(label, { name: file, bytes }).join("\n")}\n`);
}

/** The words witnesses write down at the end: the transcript's last-entry hash. */
export function headWitnessLine(headSha256Hex: string): string {
  return pgpWords(hexToBytes(headSha256Hex)).join(" ");
}

/**
 * Run the acts in order into `outDir`. Returns when every step has run; throws (after recording
 * the failure and the resume point in the transcript) when a step fails.
 */
export async function runCeremony(options: RunCeremonyOptions): Promise<CeremonyOutcome> {
  const { terminal, outDir } = options;
  const ceremonyText = await readText(options.ceremonyFile, "the ceremony file");
  const ceremony = parseCeremonyFile(ceremonyText.text, options.ceremonyFile);
  const examplesDir = path.dirname(path.resolve(options.ceremonyFile));
  const acts: { act: Act; file: string }[] = [];
  for (const file of options.actFiles) acts.push({ act: parseActFile((await readText(file, "the act file")).text, file), file });
  acts.sort((a, b) => a.act.act - b.act.act);
  const operator = options.operator ?? ceremony.operator;
  if (!operator) throw new KskError("usage", "CEREMONY-OPERATOR", "name the operator with --operator (or operator: in the ceremony file)");
  const witnesses = options.witnesses?.length ? options.witnesses : ceremony.witnesses;
  if (!options.assumeYes && witnesses.length === 0) {
    throw new KskError("usage", "CEREMONY-WITNESSES", "a witnessed ceremony names its witnesses: --witness NAME (or witnesses: in the ceremony file)");
  }

  await fs.mkdir(outDir, { recursive: true });
  const unlock = await lock(outDir);
  const interrupts: NodeJS.Signals[] = [];
  let killChild: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts.push(signal);
    killChild?.();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const transcriptFile = path.join(outDir, TRANSCRIPT_FILE);
    const { writer, entries } = await TranscriptWriter.open(transcriptFile, () => options.clock().toISOString());
    const stopped = resumePoint(entries);
    if (stopped && !options.resume) {
      throw new KskError(
        "refused",
        "CEREMONY-STOPPED",
        `the last run stopped at act ${stopped.point.act} step ${stopped.point.step} (${stopped.reason}); continue it with --resume`,
        { where: transcriptFile },
      );
    }
    if (options.resume && !stopped)
      throw new KskError("usage", "CEREMONY-RESUME", "--resume: the last run did not stop part-way; nothing to resume", { where: transcriptFile });

    const base: Record<string, string | readonly string[]> = { out: outDir, examples: examplesDir };
    for (const [name, value] of Object.entries(ceremony.variables)) {
      base[name] = typeof value === "string" ? expandString(value, base, `${options.ceremonyFile}: variables.${name}`) : value;
    }
    let variables: Variables;
    if (stopped) {
      variables = { ...base, ...stopped.start.variables };
    } else {
      const current = currentQuarter(ceremony, (p) => existsSyncIn(outDir, p));
      if (ceremony.quarters.length > 0 && !current) {
        throw new KskError(
          "refused",
          "CEREMONY-QUARTERS-DONE",
          `every quarter the ceremony file lists (${ceremony.quarters.map((q) => q.quarter).join(", ")}) is signed; start a new lab in another output directory`,
          { where: outDir },
        );
      }
      variables = { ...base, ...(current ? quarterVariables(ceremony, current) : {}) };
    }
    // Everything expanded and checked before the first file is written.
    const plan = planActs(
      acts.map((a) => a.act),
      variables,
      ceremony.secrets.concat(ceremony.setup.files.filter((f) => f.secret).map((f) => f.path)),
      (act) => acts.find((a) => a.act === act)?.file ?? actId(act),
    );
    const env: Record<string, string | undefined> = { ...options.env };
    for (const [name, value] of Object.entries(ceremony.env)) env[name] = expandString(value, variables, `${options.ceremonyFile}: env.${name}`);
    await setUp(ceremony, outDir, examplesDir, variables);

    await writer.append({
      type: "start",
      toolkitVersion: options.toolkitVersion,
      host: options.host,
      hsm: { modulePath: ceremony.hsm.module, tokenLabel: ceremony.hsm.token, ...(await tokenSerial(outDir)) },
      ...(ceremony.config && (await exists(path.join(outDir, ceremony.config)))
        ? { config: artefactRecord(ceremony.config, new Uint8Array(await fs.readFile(path.join(outDir, ceremony.config)))) }
        : {}),
      ceremonyFile: artefactRecord(path.basename(options.ceremonyFile), ceremonyText.bytes),
      operator,
      witnesses: [...witnesses],
      mode: options.assumeYes ? "scripted" : "witnessed",
      acts: acts.map((a) => actId(a.act)),
      variables: Object.fromEntries(Object.entries(variables).filter(([name]) => name !== "out" && name !== "examples")),
      ...(stopped ? { resumedFrom: stopped.point } : {}),
    });
    terminal.out(
      `Ceremony in ${outDir}: operator ${operator}; witnesses ${witnesses.length ? witnesses.join(", ") : "none named"}; ${options.assumeYes ? "SCRIPTED run (--yes)" : "witnessed run"}${typeof variables.quarter === "string" ? `; quarter ${variables.quarter}` : ""}\n`,
    );

    const history = entries;
    const actsRun: string[] = [];
    for (const steps of plan) {
      const act = steps[0]?.act as Act;
      if (stopped && act.act < stopped.point.act) continue;
      const completedBefore = history.some((e) => e.type === "act" && e.act === act.act && e.status === "complete");
      if (act.once && completedBefore && !(stopped && act.act === stopped.point.act)) {
        await writer.append({ type: "act", act: act.act, actName: act.name, status: "skipped", reason: "done once in an earlier run" });
        terminal.out(`\n=== Act ${actId(act)}: done in an earlier run (skipped)\n`);
        continue;
      }
      terminal.out(`\n=== Act ${actId(act)}: ${act.title}\n`);
      for (const s of steps) {
        if (stopped && act.act === stopped.point.act && s.index + 1 < stopped.point.step) continue;
        if (s.step.once && history.some((e) => e.type === "step" && e.act === act.act && e.step === s.index + 1 && e.status === "ok")) {
          await writer.append(stepEntry(s, "skipped", options.clock(), { reason: "done once in an earlier run" }));
          terminal.out(`\n--- ${stepName(s)}: ${s.does} (done in an earlier run; skipped)\n`);
          continue;
        }
        await runStep(options, s, env, writer, interrupts, (k) => {
          killChild = k;
        });
      }
      await writer.append({ type: "act", act: act.act, actName: act.name, status: "complete" });
      actsRun.push(actId(act));
    }
    await writer.append({ type: "end", status: "complete" });
    terminal.out(`\nTranscript ${transcriptFile}: last entry SHA-256 ${writer.headSha256Hex}\n  ${headWitnessLine(writer.headSha256Hex)}\n`);
    return { transcriptFile, headSha256Hex: writer.headSha256Hex, actsRun, variables };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await unlock();
  }
}

function existsSyncIn(outDir: string, relative: string): boolean {
  return existsSync(path.join(outDir, relative));
}

/** The token serial `ksk hsm init --json` recorded (act 01), when there is one yet. */
async function tokenSerial(outDir: string): Promise<{ tokenSerial?: string }> {
  try {
    const info = JSON.parse(await fs.readFile(path.join(outDir, HSM_TOKEN_FILE), "utf8")) as { tokenSerial?: unknown };
    return typeof info.tokenSerial === "string" ? { tokenSerial: info.tokenSerial } : {};
  } catch {
    return {};
  }
}

/** Where act 01 keeps `ksk hsm init --json`'s answer, so later runs can name the token's serial. */
export const HSM_TOKEN_FILE = "hsm-token.json";

function stepEntry(
  s: PlannedStep,
  status: "ok" | "failed" | "skipped",
  started: Date,
  extra: { exitCode?: number; reason?: string; consent?: string; inputs?: ArtefactRecord[]; outputs?: ArtefactRecord[] },
): Omit<Extract<TranscriptEntry, { type: "step" }>, "seq" | "previousSha256Hex" | "timeUtc"> {
  return {
    type: "step",
    act: s.act.act,
    actName: s.act.name,
    step: s.index + 1,
    does: s.does,
    argv: s.argv,
    status,
    startedUtc: started.toISOString(),
    ...(extra.exitCode === undefined ? {} : { exitCode: extra.exitCode }),
    ...(extra.reason === undefined ? {} : { reason: extra.reason }),
    ...(extra.consent === undefined ? {} : { consent: extra.consent }),
    ...(Object.keys(s.env).length === 0 ? {} : { env: s.env }),
    inputs: extra.inputs ?? [],
    outputs: extra.outputs ?? [],
  };
}

async function runStep(
  options: RunCeremonyOptions,
  s: PlannedStep,
  env: Record<string, string | undefined>,
  writer: TranscriptWriter,
  interrupts: NodeJS.Signals[],
  setKill: (kill: (() => void) | undefined) => void,
): Promise<void> {
  const { terminal, outDir } = options;
  const started = options.clock();
  const inputs: ArtefactRecord[] = [];
  let consent: string | undefined;
  let exitCode: number | undefined;
  let temporary: string | undefined;
  const hsmLog = hsmLogPath(s.act.act, s.index + 1, started);
  terminal.out(`\n--- ${stepName(s)}: ${s.does}\n    ksk ${s.argv.join(" ")}\n`);
  try {
    // A signal between two steps: stop before starting the next one.
    if (interrupts.length > 0) throw new KskError("refused", "CEREMONY-INTERRUPTED", `interrupted (${interrupts[0]})`);
    for (const input of s.inputs) {
      const file = path.join(outDir, input);
      if (!(await exists(file))) throw new KskError("input", "CEREMONY-INPUT", `input ${input} does not exist (an earlier act makes it)`);
      const bytes = new Uint8Array(await fs.readFile(file));
      inputs.push(artefactRecord(input, bytes));
      if (s.step.private_key && !s.step.asks_yes) witnessHeadLines(terminal, "Input", input, bytes);
    }
    for (const output of s.outputs) {
      if (await exists(path.join(outDir, output))) throw new KskError("refused", "OUTPUT-EXISTS", `output ${output} exists; not overwritten`);
    }
    const missing = await missingPrograms(s.step.requires, env.PATH);
    if (missing.length > 0) {
      const reason = `${missing.join(", ")} not installed`;
      // A lab without the servers still signs and verifies; CI must have them all.
      if (env.CI === "true") throw new KskError("refused", "CEREMONY-TOOL-MISSING", `${reason} (CI=true: a skip is a failure)`);
      terminal.out(`    SKIPPED: ${reason}; this step did not run\n`);
      await writer.append(stepEntry(s, "skipped", started, { reason, inputs }));
      return;
    }
    const argv = [...s.argv];
    if (s.step.private_key && !s.step.asks_yes) {
      consent = await confirmYes(terminal, `Use the private key: ${s.does}?`, options.assumeYes, "the step did not run");
    } else if (s.step.asks_yes) {
      // The command shows its own witness display and asks on the terminal it inherits.
      consent = options.assumeYes ? CONSENT_SCRIPTED : "typed Yes at the terminal (asked by the command)";
      if (options.assumeYes) argv.push("--yes");
    }
    if (s.stdout !== undefined) {
      const final = path.join(outDir, s.stdout);
      await fs.mkdir(path.dirname(final), { recursive: true });
      temporary = path.join(path.dirname(final), `.${path.basename(final)}.${randomBytes(6).toString("hex")}.tmp`);
    }
    const result = await runKsk(
      options,
      argv,
      { ...env, [HSM_LOG_ENV]: path.join(outDir, hsmLog), ...s.env },
      temporary,
      terminal.interactive && s.step.asks_yes && !options.assumeYes,
      setKill,
    );
    if (result.exitCode !== null) exitCode = result.exitCode;
    if (interrupts.length > 0 || result.signal !== null) {
      throw new KskError("refused", "CEREMONY-INTERRUPTED", `interrupted (${interrupts[0] ?? result.signal})`);
    }
    if (result.exitCode !== 0) {
      throw new KskError(KIND_FOR_EXIT[result.exitCode ?? -1] ?? "check", "CEREMONY-STEP-FAILED", `ksk exited ${result.exitCode}: ${result.lastErrorLine}`);
    }
    if (temporary !== undefined && s.stdout !== undefined) {
      await fs.rename(temporary, path.join(outDir, s.stdout));
      temporary = undefined;
    }
    const outputs: ArtefactRecord[] = [];
    for (const output of s.outputs) {
      const file = path.join(outDir, output);
      if (!(await exists(file))) throw new KskError("check", "CEREMONY-OUTPUT", `the command succeeded but did not write ${output}`);
      const bytes = new Uint8Array(await fs.readFile(file));
      outputs.push(artefactRecord(output, bytes));
      witnessHeadLines(terminal, "Output", output, bytes);
    }
    outputs.push(...(await hsmLogArtefacts(outDir, hsmLog)));
    await writer.append(stepEntry(s, "ok", started, { exitCode: 0, ...(consent ? { consent } : {}), inputs, outputs }));
  } catch (e) {
    if (temporary !== undefined) await fs.rm(temporary, { force: true });
    const error = isKskError(e) ? e : new KskError("check", "CEREMONY-STEP-FAILED", (e as Error).message);
    const reason = oneLine(error.message);
    const where = { act: s.act.act, step: s.index + 1 } satisfies ResumePoint;
    const outputs = await hsmLogArtefacts(outDir, hsmLog);
    await writer.append(
      stepEntry(s, "failed", started, { ...(exitCode === undefined ? {} : { exitCode }), reason, ...(consent ? { consent } : {}), inputs, outputs }),
    );
    await writer.append({ type: "end", status: "stopped", reason: `${stepName(s)}: ${reason}`, resumeFrom: where });
    throw new KskError(
      error.kind,
      error.code,
      `${reason}; the ceremony stopped here: no later step ran (resume from act ${String(where.act).padStart(2, "0")} step ${where.step} with --resume)`,
      {
        where: `${actId(s.act)} ${stepName(s)} (${s.does})`,
      },
    );
  }
}
