/**
 * `ksk zone sign` draws its progress bar on standard error only when that is a terminal: run once
 * under a real pseudo-terminal (util-linux `script`) and once with pipes.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SMALL_ROOT, SOA_TEXT } from "../packages/zone/test/lab-root.js";
import { hasTool } from "./support/tools.js";
import { type ZoneLab, makeZoneLab, zoneSignArgs } from "./support/zone-lab.js";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const bin = path.join(root, "packages/cli/bin/ksk");
const dir = mkdtempSync(path.join(tmpdir(), "ksk-zone-progress-"));
let lab: ZoneLab;
beforeAll(async () => {
  lab = await makeZoneLab(dir, { algorithm: 13 });
  writeFileSync(path.join(dir, "lab.zone"), SMALL_ROOT);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

describe.runIf(hasTool("script"))("the signing progress bar", () => {
  it("is drawn on a terminal, ending in a full bar and a newline", () => {
    const args = zoneSignArgs(lab, path.join(dir, "lab.zone"), path.join(dir, "tty.zone"), { soa: SOA_TEXT });
    const r = spawnSync("script", ["-qefc", [bin, ...args].map(quote).join(" "), "/dev/null"], { cwd: root, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\rsigning \[#{30}\] (\d+)\/\1\r?\n/);
  });

  it("is not drawn when standard error is a pipe", () => {
    const r = spawnSync(bin, zoneSignArgs(lab, path.join(dir, "lab.zone"), path.join(dir, "pipe.zone"), { soa: SOA_TEXT }), { cwd: root, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
  });
});
