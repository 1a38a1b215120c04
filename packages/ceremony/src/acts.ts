/**
 * Act files and the ceremony file, as the operator writes them (YAML), and the pure planning
 * around them: variable expansion, which quarter a run is for, which acts and steps it runs.
 *
 * An act file is one numbered act of the printed script: its steps, in order, each a `ksk`
 * command line (`run`, with `${name}` variables), what it reads (`inputs`) and writes (`outputs`,
 * and `stdout` when the command prints the artefact), whether it uses a private key
 * (`private_key`: the witnesses see the inputs and a person types Yes first) and whether the
 * command itself shows the witness display and asks (`asks_yes`: the runner then passes `--yes`
 * only on a scripted run), its own environment (`env`, e.g. the second facility's SOFTHSM2_CONF),
 * and which other programs it starts (`requires`: when one is not installed
 * the step is recorded as skipped, or fails under CI=true). Acts hold no crypto or DNS logic: every decision is a `ksk` command's.
 *
 * The ceremony file names the operator and witnesses, the HSM, the KSK operator's config, the
 * variables, and for a lab the quarters of the roll and the TEST ONLY files (token directory,
 * PINs, passphrase) written before the first act. Secret files are never hashed or recorded.
 *
 * Pure: the YAML text comes in as a string; nothing here reads files or the clock.
 */
import { KskError, parseIsoUtc } from "@ksk/core";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

const relativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), "must be a path inside the output directory (relative, no ..)");

/**
 * C0 and C1 control characters (and DEL): in a name printed on the witnesses' terminal and written
 * into the report they could move the cursor, clear the screen or pose as other text.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: exactly the characters refused
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** A person's name as the ceremony records it: printable text only. */
export const personName = z
  .string()
  .min(1)
  .refine((n) => !CONTROL_CHARACTERS.test(n), "a name may not hold control characters (escape codes, bell, NUL)");

/**
 * The only variables a ceremony file may set for its steps: the SoftHSM2 configuration and the
 * toolkit's own KSK_* settings. Anything else — NODE_OPTIONS (which loads code into every `ksk`
 * step), LD_PRELOAD, LD_LIBRARY_PATH, PATH — would change what runs, unseen by the witnesses.
 */
export const STEP_ENV_ALLOWED = /^(SOFTHSM2_CONF|KSK_[A-Z0-9_]+)$/;

/**
 * The KSK_* variables the runtime itself sets for each step, which no file may set: where the
 * step's HSM activity log is written (a file could send it where nobody files it) and the width
 * of the witnesses' terminal.
 */
export const STEP_ENV_RUNTIME = new Set(["KSK_HSM_LOG", "KSK_TERMINAL_COLUMNS"]);

/** Variables set for steps, by the ceremony file (every step) or by an act's step (that step only). */
const stepEnvironment = z.record(z.string(), z.string()).superRefine((env, ctx) => {
  for (const name of Object.keys(env).filter((n) => STEP_ENV_RUNTIME.has(n))) {
    ctx.addIssue({ code: "custom", path: [name], message: "refused: the ceremony runtime sets this variable for each step itself" });
  }
  for (const name of Object.keys(env).filter((n) => !STEP_ENV_ALLOWED.test(n))) {
    ctx.addIssue({
      code: "custom",
      path: [name],
      message:
        "refused: only SOFTHSM2_CONF and the toolkit's own KSK_* variables may be set for steps (not NODE_OPTIONS, LD_PRELOAD, LD_LIBRARY_PATH or any other)",
    });
  }
});

const stepSchema = z
  .object({
    does: z.string().min(1),
    run: z.array(z.string()).min(1),
    inputs: z.array(z.string()).default([]),
    outputs: z.array(z.string()).default([]),
    stdout: z.string().optional(),
    private_key: z.boolean().default(false),
    asks_yes: z.boolean().default(false),
    /** Inputs and outputs whose SHA-256 and PGP words the people in the room compare: shown once per act. */
    compare: z.array(z.string()).default([]),
    /** Show the command's standard output on the terminal (a summary meant for the room), not only with --verbose. */
    show_output: z.boolean().default(false),
    once: z.boolean().default(false),
    /**
     * Environment for this step only, over the ceremony's `env` (e.g. the SOFTHSM2_CONF of the
     * second facility's HSM: one `ksk` process per facility, as SoftHSM reads it at C_Initialize).
     * The same variables as the ceremony file's `env` only.
     */
    env: stepEnvironment.default({}),
    /** Programs besides `ksk` the command starts (e.g. knotd, unbound): without them the step is skipped. */
    requires: z.array(z.string().regex(/^[A-Za-z0-9._+-]+$/, "a program name, not a path")).default([]),
  })
  .strict();

const actSchema = z
  .object({
    act: z.number().int().min(0).max(99),
    name: z.string().regex(/^[a-z0-9-]+$/, "act names are lower-case letters, digits and -"),
    title: z.string().min(1),
    once: z.boolean().default(false),
    steps: z.array(stepSchema).min(1),
  })
  .strict();

const variableValue = z.union([z.string(), z.array(z.string())]);

const quarterSchema = z
  .object({
    quarter: z.string().regex(/^\d{4}Q[1-4]$/, "a quarter is written 2026Q3"),
    schema: z.string().min(1),
    at: z.string().min(1),
    zsk_labels: z.array(z.string().min(1)).min(1),
    /** A time inside one of the quarter's slots, for signing and validating the test root zone. */
    zone_at: z.string().min(1).optional(),
  })
  .strict();

const ceremonySchema = z
  .object({
    operator: personName.optional(),
    witnesses: z.array(personName).default([]),
    hsm: z.object({ module: z.string().min(1), token: z.string().min(1) }).strict(),
    config: relativePath.optional(),
    env: stepEnvironment.default({}),
    variables: z.record(z.string(), variableValue).default({}),
    setup: z
      .object({
        directories: z.array(relativePath).default([]),
        files: z.array(z.object({ path: relativePath, text: z.string(), secret: z.boolean().default(false) }).strict()).default([]),
        copy: z.array(z.object({ from: z.string().min(1), to: relativePath }).strict()).default([]),
      })
      .strict()
      .default({ directories: [], files: [], copy: [] }),
    secrets: z.array(relativePath).default([]),
    quarters: z.array(quarterSchema).default([]),
    quarter_done: z.string().optional(),
  })
  .strict();

export type Step = z.infer<typeof stepSchema>;
export type Act = z.infer<typeof actSchema>;
export type CeremonyFile = z.infer<typeof ceremonySchema>;
export type LabQuarter = z.infer<typeof quarterSchema>;
export type Variables = Readonly<Record<string, string | readonly string[]>>;

function parseYamlWith<T>(schema: z.ZodType<T>, text: string, fileName: string): T {
  let data: unknown;
  try {
    data = parseYaml(text, { strict: true, uniqueKeys: true, maxAliasCount: 0 });
  } catch (e) {
    throw new KskError("input", "CEREMONY-FILE", `is not valid YAML: ${(e as Error).message.split("\n")[0]}`, { where: fileName });
  }
  const parsed = schema.safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const keys = issue && "keys" in issue ? ` (${(issue.keys as string[]).join(", ")})` : "";
    throw new KskError("input", "CEREMONY-FILE", `${issue?.message ?? "invalid"}${keys}`, { where: `${fileName}: ${issue?.path.join(".") || "top level"}` });
  }
  return parsed.data;
}

export function parseActFile(text: string, fileName: string): Act {
  const act = parseYamlWith(actSchema, text, fileName);
  for (const [i, step] of act.steps.entries()) {
    if (step.stdout !== undefined && !step.outputs.includes(step.stdout)) {
      throw new KskError("input", "CEREMONY-FILE", `stdout ${step.stdout} must also be listed in outputs`, { where: `${fileName}: steps.${i}` });
    }
  }
  return act;
}

export function parseCeremonyFile(text: string, fileName: string): CeremonyFile {
  const ceremony = parseYamlWith(ceremonySchema, text, fileName);
  for (const [i, q] of ceremony.quarters.entries()) {
    for (const field of ["at", "zone_at"] as const) {
      const value = q[field];
      if (value === undefined) continue;
      try {
        parseIsoUtc(value, field);
      } catch (e) {
        throw new KskError("input", "CEREMONY-FILE", (e as KskError).detail ?? String(e), { where: `${fileName}: quarters.${i}.${field}` });
      }
    }
  }
  return ceremony;
}

/** An act's display name: `03-key-signing`. */
export function actId(act: Pick<Act, "act" | "name">): string {
  return `${String(act.act).padStart(2, "0")}-${act.name}`;
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Expand `${name}` in each argument. An argument that is exactly `${name}` of a list variable
 * becomes that many arguments (none for an empty list); a list inside a longer string is refused.
 */
export function expandArguments(template: readonly string[], variables: Variables, where: string): string[] {
  const out: string[] = [];
  for (const arg of template) {
    const whole = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(arg);
    const listValue = whole ? variables[whole[1] as string] : undefined;
    if (Array.isArray(listValue)) {
      out.push(...listValue);
      continue;
    }
    out.push(expandString(arg, variables, where));
  }
  return out;
}

export function expandString(text: string, variables: Variables, where: string): string {
  return text.replace(VARIABLE, (_m, name: string) => {
    const value = variables[name];
    if (value === undefined) throw new KskError("input", "CEREMONY-VARIABLE", `\${${name}} is not defined`, { where });
    if (typeof value !== "string") throw new KskError("input", "CEREMONY-VARIABLE", `\${${name}} is a list; use it as a whole argument`, { where });
    return value;
  });
}

/** The quarter a run is for: the first listed quarter whose `quarter_done` file does not exist yet. */
export function currentQuarter(ceremony: CeremonyFile, exists: (relativePath: string) => boolean): { quarter: LabQuarter; previous?: LabQuarter } | undefined {
  const done = ceremony.quarter_done;
  if (done === undefined) return undefined;
  for (const [i, q] of ceremony.quarters.entries()) {
    if (!exists(expandString(done, { quarter: q.quarter }, "quarter_done"))) {
      const previous = ceremony.quarters[i - 1];
      return previous ? { quarter: q, previous } : { quarter: q };
    }
  }
  return undefined;
}

/** Where act 01 lists the KSK operator's keys as DNSKEY and DS records. */
export const KSK_LIST_FILE = "ksks.zone";

/**
 * The variables a quarter adds: `quarter`, `schema`, `at`, `zsk_labels` (a list), `previous_skr`
 * (`--previous-skr FILE`, or nothing in the first quarter) and `skr_chain` (the same, or
 * `--no-previous-skr`: signing without SKR(n-1) is always said out loud), `previous_skr_file` (the
 * file alone, for `inputs`), `previous_skr_anchor` (`--anchor ksks.zone`, the KSK operator's own
 * keys as act 01 lists them, which SKR(n-1) must be signed by; nothing in the first quarter) and
 * `zone_at` (a time in one of its slots) when the file gives one.
 */
export function quarterVariables(ceremony: CeremonyFile, current: { quarter: LabQuarter; previous?: LabQuarter }): Record<string, string | string[]> {
  const { quarter, previous } = current;
  const previousSkr =
    previous && ceremony.quarter_done ? ["--previous-skr", expandString(ceremony.quarter_done, { quarter: previous.quarter }, "quarter_done")] : [];
  return {
    quarter: quarter.quarter,
    schema: quarter.schema,
    at: quarter.at,
    zsk_labels: [...quarter.zsk_labels],
    previous_skr: previousSkr,
    previous_skr_file: previousSkr.slice(1),
    previous_skr_anchor: previousSkr.length ? ["--anchor", KSK_LIST_FILE] : [],
    skr_chain: previousSkr.length ? previousSkr : ["--no-previous-skr"],
    ...(quarter.zone_at === undefined ? {} : { zone_at: quarter.zone_at }),
  };
}

/** A step with its variables expanded: what will run. */
export interface PlannedStep {
  readonly act: Act;
  readonly index: number;
  readonly step: Step;
  /** The step's `does` with its variables expanded. */
  readonly does: string;
  readonly argv: string[];
  readonly inputs: string[];
  readonly outputs: string[];
  /** The inputs and outputs whose SHA-256 and words are shown to the room. */
  readonly compare: string[];
  readonly stdout?: string;
  /** The step's own environment, expanded (see the step schema's `env`). */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Expand every step of every act before anything runs, so a typo in act 4 stops the ceremony
 * before act 1 touches the HSM. Secret files may not be listed as inputs or outputs.
 */
export function planActs(acts: readonly Act[], variables: Variables, secrets: readonly string[], actFileName: (act: Act) => string): PlannedStep[][] {
  const seen = new Set<number>();
  return acts.map((act) => {
    if (seen.has(act.act)) throw new KskError("usage", "CEREMONY-ACTS", `act ${act.act} is given twice`);
    seen.add(act.act);
    return act.steps.map((step, index) => {
      const where = `${actFileName(act)}: steps.${index}`;
      const paths = (list: readonly string[]) =>
        expandArguments(list, variables, where).map((expanded) => {
          if (expanded.startsWith("/") || expanded.split("/").includes("..")) {
            throw new KskError("input", "CEREMONY-FILE", `${expanded}: artefacts are paths inside the output directory`, { where });
          }
          if (secrets.includes(expanded))
            throw new KskError("input", "CEREMONY-SECRET", `${expanded} is a secret file: it is never hashed or recorded`, { where });
          return expanded;
        });
      const stdout = step.stdout === undefined ? undefined : expandString(step.stdout, variables, where);
      const inputs = paths(step.inputs);
      const outputs = paths(step.outputs);
      const compare = paths(step.compare);
      for (const file of compare) {
        if (!inputs.includes(file) && !outputs.includes(file)) {
          throw new KskError("input", "CEREMONY-FILE", `compare: ${file} is neither an input nor an output of the step`, { where });
        }
      }
      return {
        act,
        index,
        step,
        does: expandString(step.does, variables, where),
        argv: expandArguments(step.run, variables, where),
        inputs,
        outputs,
        compare,
        ...(stdout === undefined ? {} : { stdout }),
        env: Object.fromEntries(Object.entries(step.env).map(([name, value]) => [name, expandString(value, variables, `${where}: env.${name}`)])),
      };
    });
  });
}
