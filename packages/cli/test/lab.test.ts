/**
 * `ksk lab`'s command line, in-process: every bad input is one line with its documented exit code
 * and writes nothing — an unknown --calendar (2), --calendar without --rollover (2), an output
 * directory holding another kind of run (5, whether `lab-run.json` or, for a directory the scripts
 * made before `ksk lab`, its transcript says so), and a run refused before it begins (every quarter
 * signed, a stopped run not resumed) prints no verdict and writes no report. The runs themselves are tested as processes:
 * test/lab-job.test.ts (`pnpm lab` → `ksk lab --yes`) and test/rollover-live.test.ts
 * (`ksk lab --rollover --calendar compressed`).
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LAB_RUN_FILE, detectLabKind, labKindOf, parseRolloverCalendar } from "@ksk/lab";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "./fixtures.js";
import { ksk } from "./harness.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const listing = (dir: string) => readdirSync(dir).sort();

describe("ksk lab: which run", () => {
  it("reads the mode: the lab, the 2024-2027 rehearsal by default with --rollover, or the compressed one", () => {
    expect(labKindOf(false, undefined)).toBe("lab");
    expect(labKindOf(true, undefined)).toBe("rollover-2024-2027");
    expect(labKindOf(true, parseRolloverCalendar("2024-2027"))).toBe("rollover-2024-2027");
    expect(labKindOf(true, parseRolloverCalendar("compressed"))).toBe("rollover-compressed");
  });

  it("knows a directory's run from lab-run.json, or from the ceremony file its transcript names", () => {
    const recorded = path.join(tmp.dir, "recorded");
    mkdirSync(recorded);
    writeFileSync(path.join(recorded, LAB_RUN_FILE), `${JSON.stringify({ kind: "rollover-compressed" })}\n`);
    expect(detectLabKind(recorded)).toBe("rollover-compressed");
    const scripted = path.join(tmp.dir, "scripted");
    mkdirSync(scripted);
    writeFileSync(path.join(scripted, "transcript.jsonl"), `${JSON.stringify({ seq: 1, type: "start", ceremonyFile: { path: "lab-rollover.yaml" } })}\n`);
    expect(detectLabKind(scripted)).toBe("rollover-2024-2027");
    expect(detectLabKind(path.join(tmp.dir, "missing"))).toBeUndefined();
  });
});

describe("ksk lab: bad input is one line, its exit code, nothing written", () => {
  it("an unknown --calendar: exit 2 naming the choices", async () => {
    const out = path.join(tmp.dir, "unknown-calendar");
    const r = await ksk(["lab", "--rollover", "--calendar", "2017", "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('ksk: unknown --calendar "2017": give 2024-2027 or compressed\n');
    expect(r.stdout).toBe("");
    expect(() => readdirSync(out)).toThrow();
  });

  it("--calendar without --rollover: exit 2", async () => {
    const out = path.join(tmp.dir, "no-rollover");
    const r = await ksk(["lab", "--calendar", "compressed", "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("ksk: --calendar is for the rollover rehearsal: give it with --rollover\n");
    expect(() => readdirSync(out)).toThrow();
  });

  it("an output directory holding another kind of run: exit 5, the directory untouched", async () => {
    const out = path.join(tmp.dir, "a-rollover");
    mkdirSync(out);
    writeFileSync(path.join(out, LAB_RUN_FILE), `${JSON.stringify({ kind: "rollover-2024-2027" })}\n`);
    const before = listing(out);
    const r = await ksk(["lab", "--yes", "--out", out]);
    expect(r.code).toBe(5);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/holds the 2024-2027 rollover rehearsal \(ksk lab --rollover\), not the lab ceremony \(ksk lab\): give another --out/);
    expect(listing(out)).toEqual(before);
    const compressed = await ksk(["lab", "--rollover", "--calendar", "compressed", "--out", out]);
    expect(compressed.code).toBe(5);
    expect(compressed.stderr).toMatch(/holds the 2024-2027 rollover rehearsal .*not the compressed-clock rollover rehearsal/);
    expect(listing(out)).toEqual(before);
  });

  it("a compressed rehearsal's directory used again: exit 5, nothing written (each runs once)", async () => {
    const out = path.join(tmp.dir, "compressed-again");
    mkdirSync(out);
    writeFileSync(path.join(out, LAB_RUN_FILE), `${JSON.stringify({ kind: "rollover-compressed" })}\n`);
    writeFileSync(path.join(out, "rollover-live.json"), "{}\n");
    const before = listing(out);
    const r = await ksk(["lab", "--rollover", "--calendar", "compressed", "--out", out]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/holds a compressed rehearsal already: each runs once, into a new --out/);
    expect(listing(out)).toEqual(before);
  });

  it("--resume with --calendar compressed: exit 2", async () => {
    const r = await ksk(["lab", "--rollover", "--calendar", "compressed", "--resume", "--out", path.join(tmp.dir, "resume")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no --resume or --ceremony/);
    expect(() => readdirSync(path.join(tmp.dir, "resume"))).toThrow();
  });
});

/** A transcript of the given entries, chained as the runner writes it. */
function transcriptOf(entries: Record<string, unknown>[]): string {
  let previous = "0".repeat(64);
  return entries
    .map((e, i) => {
      const line = JSON.stringify({ seq: i + 1, previousSha256Hex: previous, timeUtc: "2026-09-01T00:00:00.000Z", ...e });
      previous = createHash("sha256").update(line).digest("hex");
      return `${line}\n`;
    })
    .join("");
}

const START = {
  type: "start",
  toolkitVersion: "0.1.0",
  host: "lab",
  hsm: { modulePath: "/usr/lib/softhsm/libsofthsm2.so", tokenLabel: "ksk-lab" },
  operator: "Lab Operator",
  witnesses: [],
  mode: "scripted",
  acts: ["01-hsm-and-ksk"],
  variables: { quarter: "2026Q3" },
};

describe("ksk lab: a refusal comes before any verdict", () => {
  it.each([
    ["every quarter signed", [START, { type: "end", status: "complete" }], /every quarter the ceremony file lists .* is signed/],
    [
      "a stopped run not resumed",
      [START, { type: "end", status: "stopped", reason: "act 01 step 1: interrupted", resumeFrom: { act: 1, step: 1 } }],
      /continue it with --resume/,
    ],
  ])("%s: exit 5, no PASS printed, no report or README written", async (_name, entries, refusal) => {
    const out = path.join(tmp.dir, `refused-${_name.replaceAll(" ", "-")}`);
    mkdirSync(out);
    writeFileSync(path.join(out, LAB_RUN_FILE), `${JSON.stringify({ kind: "lab" })}\n`);
    writeFileSync(path.join(out, "transcript.jsonl"), transcriptOf(entries as Record<string, unknown>[]));
    for (const q of ["2026Q3", "2026Q4", "2027Q1"]) writeFileSync(path.join(out, `skr-${q}.xml`), "");
    const before = listing(out);
    const r = await ksk(["lab", "--yes", "--out", out]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(refusal);
    expect(r.stdout).not.toMatch(/PASS/);
    expect(listing(out)).toEqual(before);
  });
});
