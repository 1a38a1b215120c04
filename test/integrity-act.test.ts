/**
 * Act 00 (ceremony-scripts/acts/00-toolkit.yaml) as operators run it: `ksk ceremony run` records
 * `ksk integrity`'s fingerprint of the code that runs in the transcript (ksk-integrity-<quarter>.txt),
 * `ksk report` shows it under "The toolkit that ran", and `ksk transcript verify` covers it: a
 * changed byte in the recorded fingerprint is caught.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { groupedHex, hexToBytes, pgpWords } from "@ksk/core";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/cli-process.js";

const bin = path.join(REPO_ROOT, "packages/cli/bin/ksk");
const dir = mkdtempSync(path.join(tmpdir(), "ksk-act00-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ksk(args: string[]) {
  const r = spawnSync(bin, args, { cwd: dir, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("act 00: the toolkit's fingerprint", () => {
  it("is recorded in the transcript, shown in the report, and a changed byte is caught", () => {
    const ceremony = path.join(dir, "ceremony.yaml");
    writeFileSync(
      ceremony,
      `operator: Test Operator
witnesses: [Witness One]
hsm: { module: /usr/lib/softhsm/libsofthsm2.so, token: none }
quarter_done: skr-\${quarter}.xml
quarters:
  - { quarter: 2026Q3, schema: publish+, at: 2026-05-15T00:00:00Z, zsk_labels: [Z1] }
`,
    );
    const out = path.join(dir, "out");
    const run = ksk(["ceremony", "run", path.join(REPO_ROOT, "ceremony-scripts/acts/00-toolkit.yaml"), "--ceremony", ceremony, "--out", out, "--yes"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const expected = JSON.parse(ksk(["integrity", "--json"]).stdout) as { sha256: string; pgpWords: string[] };
    const recorded = readFileSync(path.join(out, "ksk-integrity-2026Q3.txt"), "utf8");
    expect(recorded).toContain(`SHA-256 ${expected.sha256}\n`);
    expect(recorded).toContain(expected.pgpWords.slice(0, 8).join(" "));
    // The witnesses saw it on the console too.
    expect(run.stdout).toContain(`SHA-256 ${expected.sha256}`);
    const step = readFileSync(path.join(out, "transcript.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .find((e) => e.type === "step");
    expect(step).toMatchObject({ act: 0, actName: "toolkit", status: "ok", argv: ["integrity"] });
    expect(step.outputs.map((o: { path: string }) => o.path)).toEqual(["ksk-integrity-2026Q3.txt"]);

    expect(ksk(["report", out]).code).toBe(0);
    const html = readFileSync(path.join(out, "report.html"), "utf8");
    const section = html.slice(html.indexOf("<h2>The toolkit that ran</h2>"));
    expect(html).toContain("<h2>The toolkit that ran</h2>");
    expect(section).toContain(groupedHex(hexToBytes(expected.sha256)));
    expect(section).toContain(pgpWords(hexToBytes(expected.sha256)).join(" "));

    expect(ksk(["transcript", "verify", path.join(out, "transcript.jsonl")]).code).toBe(0);
    const changed = recorded.replace(/SHA-256 (.)/, (_m, c: string) => `SHA-256 ${c === "0" ? "1" : "0"}`);
    writeFileSync(path.join(out, "ksk-integrity-2026Q3.txt"), changed);
    const verify = ksk(["transcript", "verify", path.join(out, "transcript.jsonl")]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain("ksk-integrity-2026Q3.txt");
  });
});
