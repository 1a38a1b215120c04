/**
 * `ksk lab --rollover` (the 2024-2027 calendar, what `pnpm lab:rollover` runs) as a process, on a
 * short calendar: keys-example/lab-rollover.yaml cut to its first two quarters (2024Q4 normal,
 * 2025Q1 pre-publish), in a copy of keys-example. The quarter loop runs acts 01-04 and 21 once per
 * quarter, act 22 (rollover-remove: root-anchors-remove.xml and `ksk rollover check` over the roll)
 * only in the last quarter's run, then the report — which says that no resolver lived this
 * calendar and points to --calendar compressed. The directory is then refused to the lab ceremony
 * and to the compressed rehearsal (exit 5, nothing written). The full eleven quarters are
 * `pnpm lab:rollover`; the same loop, only longer.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FinishedProcess, REPO_ROOT, startKsk } from "./support/cli-process.js";
import { hasTool, runTool } from "./support/tools.js";

const dir = mkdtempSync(path.join(tmpdir(), "ksk-lab-rollover-"));
const out = path.join(dir, "out");
const examples = path.join(dir, "keys-example");
let run: FinishedProcess;

describe.runIf(hasTool("softhsm2-util"))("ksk lab --rollover on the real calendar (two quarters)", () => {
  beforeAll(async () => {
    cpSync(path.join(REPO_ROOT, "keys-example"), examples, { recursive: true });
    const full = readFileSync(path.join(examples, "lab-rollover.yaml"), "utf8");
    const short = full
      .replace(/rollover_skrs: \[[^\]]*\]/, "rollover_skrs: [skr-2024Q4.xml, skr-2025Q1.xml]")
      .split("\n")
      .filter((l) => !l.startsWith("  - { quarter: ") || l.includes("2024Q4") || l.includes("2025Q1"))
      .join("\n");
    writeFileSync(path.join(examples, "two-quarters.yaml"), short);
    run = await startKsk(["lab", "--rollover", "--yes", "--ceremony", path.join(examples, "two-quarters.yaml"), "--out", out]).done;
  }, 600000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs one ceremony per quarter, act 22 in the last one, then the report", () => {
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    const entries = readFileSync(path.join(out, "transcript.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; acts?: string[]; variables?: { quarter?: string } });
    const starts = entries.filter((e) => e.type === "start");
    expect(starts.map((s) => s.variables?.quarter)).toEqual(["2024Q4", "2025Q1"]);
    expect(starts.map((s) => s.acts?.includes("22-rollover-remove"))).toEqual([false, true]);
    expect(readFileSync(path.join(out, "rollover-check.txt"), "utf8")).toContain("Rollover plan OK");
    expect(JSON.parse(readFileSync(path.join(out, "lab-run.json"), "utf8")).kind).toBe("rollover-2024-2027");
    expect(run.stdout).toContain(`Report: ${out}/report.html`);
    expect(run.stdout).toMatch(/^PASS( with \d+ checks? skipped \([^)]*\))?: anchor published and verified; SKR 2025Q1 verified against it/m);
    const html = readFileSync(path.join(out, "report.html"), "utf8");
    expect(html).toContain("Resolvers were not run on the 2024-2027 calendar");
    expect(html).toContain("ksk lab --rollover --calendar compressed");
    // Each quarter's signed test root is a complete zone to Knot's checker at the time it was signed for.
    for (const start of starts) {
      const quarter = start.variables?.quarter as string;
      const zoneAt = (start.variables as { zone_at?: string }).zone_at as string;
      const file = path.join(out, `root-${quarter}.signed.zone`);
      const knot = runTool("kzonecheck", ["-o", ".", "-d", "on", "-t", String(Math.floor(Date.parse(zoneAt) / 1000)), file]);
      expect(knot.status, `${quarter}: ${knot.stdout}${knot.stderr}`).toBe(0);
    }
  });

  it("refuses the directory to another kind of run: exit 5, one line, nothing written", async () => {
    const before = readdirSync(out).sort();
    const lab = await startKsk(["lab", "--yes", "--out", out]).done;
    expect(lab.code).toBe(5);
    expect(lab.stderr).toMatch(
      /^ksk: .*holds the 2024-2027 rollover rehearsal \(ksk lab --rollover\), not the lab ceremony \(ksk lab\): give another --out\n$/,
    );
    const compressed = await startKsk(["lab", "--rollover", "--calendar", "compressed", "--out", out]).done;
    expect(compressed.code).toBe(5);
    expect(readdirSync(out).sort()).toEqual(before);
  });
});
