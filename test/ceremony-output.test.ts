/**
 * What a lab ceremony prints for the people in the room (`ksk lab` as a process): each act shows the
 * SHA-256 and PGP words of the files they compare — the KSK operator's DNSKEYs, DS and CSR (act 01),
 * the KSR (acts 02 and 03), the SKR (acts 03 and 05), root-anchors.xml, its p7s and DS (act 04) —
 * each file once per act, every other step in one line, and act 06 the resolver's summary rather
 * than its JSON. `--verbose` (the next quarter, into the same directory) shows every command line
 * and every output's hash again, as the transcript records them.
 *
 * Two lab runs, each minutes on a loaded machine (the real-sized test root is signed and served).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasTool } from "./support/tools.js";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const bin = path.join(root, "packages/cli/bin/ksk");
const base = mkdtempSync(path.join(tmpdir(), "ksk-ceremony-output-"));
const out = path.join(base, "lab-out");
afterAll(() => rmSync(base, { recursive: true, force: true }));
const needed = ["softhsm2-util", "knotd", "unbound"].every((t) => hasTool(t));

interface Artefact {
  path: string;
  sha256Hex: string;
}
interface StepEntry {
  type: "step";
  act: number;
  step: number;
  argv: string[];
  status: string;
  inputs: Artefact[];
  outputs: Artefact[];
}

function lab(extra: string[]) {
  const r = spawnSync(bin, ["lab", "--yes", "--out", out, ...extra], { cwd: base, encoding: "utf8", timeout: 900_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The step entries of the transcript's last run (after its last `start` entry). */
function lastRunSteps(): StepEntry[] {
  const entries = readFileSync(path.join(out, "transcript.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { type: string });
  const start = entries.map((e) => e.type).lastIndexOf("start");
  return entries.slice(start).filter((e): e is StepEntry => e.type === "step");
}

/** The printed output cut into acts: act number → its lines. */
function acts(stdout: string): Map<number, string> {
  const byAct = new Map<number, string>();
  for (const block of stdout.split(/^=== Act /m).slice(1)) byAct.set(Number(block.slice(0, 2)), block);
  return byAct;
}

const grouped = (hex: string) => (hex.match(/.{8}/g) as string[]).join(" ");
const count = (text: string, what: string) => text.split(what).length - 1;
/** A file's SHA-256 as printed anywhere in `text`: grouped, or as one hex string. */
const hashShown = (text: string, hex: string) => count(text, grouped(hex)) + count(text.toLowerCase(), hex);

describe("ksk resolver lab --json-out", () => {
  it("is refused with --json (exit 2), and over an existing file without --force (exit 5), before any server starts", () => {
    const existing = path.join(base, "resolver-exists.json");
    writeFileSync(existing, "kept\n");
    const both = spawnSync(bin, ["resolver", "lab", "--zone", "z", "--anchors", "a", "--json", "--json-out", "r.json"], { cwd: base, encoding: "utf8" });
    expect(both.status, both.stderr).toBe(2);
    expect(both.stderr).toContain("give --json or --json-out, not both");
    const over = spawnSync(bin, ["resolver", "lab", "--zone", "z", "--anchors", "a", "--json-out", existing], { cwd: base, encoding: "utf8" });
    expect(over.status, over.stderr).toBe(5);
    expect(over.stderr).toMatch(/exists; not overwritten/);
    expect(readFileSync(existing, "utf8")).toBe("kept\n");
  });
});

describe.runIf(needed)("the lab's output, sized for witnesses", { timeout: 1_900_000 }, () => {
  let quiet: ReturnType<typeof lab>;
  let quietSteps: StepEntry[];
  let verbose: ReturnType<typeof lab>;
  let verboseSteps: StepEntry[];
  beforeAll(() => {
    quiet = lab([]);
    quietSteps = lastRunSteps();
    verbose = lab(["--verbose"]);
    verboseSteps = lastRunSteps();
  }, 1_850_000);

  it("shows each compared file's SHA-256 once per act, and no other file's", () => {
    expect(quiet.code, quiet.stdout + quiet.stderr).toBe(0);
    const byAct = acts(quiet.stdout);
    expect([...byAct.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const compared: Record<number, string[]> = {
      // Act 00 prints the toolkit's fingerprint (ksk integrity), not a file's hash.
      0: [],
      1: ["ksks.zone", "ksks.ds", "Klabnxt.csr"],
      2: ["ksr-2026Q3.xml"],
      // skr sign's own display: the KSR, the signing configuration and the SKR written.
      3: ["ksr-2026Q3.xml", "ksrsigner.yaml", "skr-2026Q3.xml"],
      4: ["root-anchors.xml", "root-anchors.p7s", "root-anchors.ds"],
      5: ["skr-2026Q3.xml"],
      6: [],
      // The backup that goes from facility 1 to facility 2.
      7: ["custody/Klabbak.backup"],
    };
    for (const [act, text] of byAct) {
      const files = new Map<string, string>();
      for (const s of quietSteps.filter((e) => e.act === act)) for (const a of [...s.inputs, ...s.outputs]) files.set(a.path, a.sha256Hex);
      for (const [file, hex] of files) {
        const shown = hashShown(text, hex);
        // A file with the same bytes as a compared one (root-anchors.ds is ksks.ds's DS) counts as that one.
        const sameBytes = (compared[act] ?? []).some((c) => files.get(c) === hex);
        expect(shown, `act ${act}: ${file}`).toBe(sameBytes ? 1 : 0);
      }
      for (const file of compared[act] ?? []) expect(files.has(file), `act ${act} reads or writes ${file}`).toBe(true);
    }
  });

  it("says each step's result in one line and act 06 in the resolver's summary, not its JSON", () => {
    const resultLines = quiet.stdout.split("\n").filter((l) => /^ {2}act \d\d step \d+: .* — (ok|SKIPPED|done in an earlier run)/.test(l));
    expect(resultLines).toHaveLength(quietSteps.length);
    // No command line (with --verbose they are indented four spaces: "    ksk key generate …").
    expect(quiet.stdout).not.toMatch(/^ {4}ksk /m);
    const act6 = (acts(quiet.stdout).get(6) as string).split("\nTranscript ")[0] as string;
    expect(act6).toMatch(/^verdict: lab root validates from root-anchors\.xml/m);
    expect(act6).not.toMatch(/^\s*[{}"[\]]/m);
    expect(act6.split("\n").length).toBeLessThan(20);
    // Everything else is in the artefacts: the resolver's JSON for the report.
    const json = JSON.parse(readFileSync(path.join(out, "resolver-2026Q3.json"), "utf8")) as { ok: boolean };
    expect(json.ok).toBe(true);
    // The quarter's whole console, skr sign's witness display included, against 764 lines before.
    const blocks = quiet.stdout.match(/SHA-256 (?:[0-9a-f]{8} ){7}[0-9a-f]{8}/g) ?? [];
    // 13 in acts 00-06 and the backup in act 07 (key custody).
    expect(blocks.length).toBeLessThanOrEqual(14);
    expect(quiet.stdout.split("\n").length).toBeLessThan(260);
  });

  it("--verbose shows every command line and every output's SHA-256", () => {
    expect(verbose.code, verbose.stdout + verbose.stderr).toBe(0);
    for (const s of verboseSteps.filter((e) => e.status === "ok")) {
      expect(verbose.stdout, `act ${s.act} step ${s.step}`).toContain(`    ksk ${s.argv.join(" ")}\n`);
      // The HSM activity log is filed with the step (the report shows it), not printed.
      for (const o of s.outputs.filter((a) => !a.path.startsWith("hsm-log/"))) {
        expect(hashShown(verbose.stdout, o.sha256Hex), o.path).toBeGreaterThanOrEqual(1);
      }
    }
    // The KSR's hash as the command that builds it prints it, and again as the runtime shows the output.
    const ksr = verboseSteps.flatMap((s) => s.outputs).find((o) => o.path === "ksr-2026Q4.xml") as Artefact;
    expect(hashShown(acts(verbose.stdout).get(2) as string, ksr.sha256Hex)).toBeGreaterThan(1);
    expect(verbose.stdout.split("\n").length).toBeGreaterThan(quiet.stdout.split("\n").length);
  });
});
