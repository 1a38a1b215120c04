/**
 * Runs the hostile-input corpus (./cases.ts) through the real `ksk` process. For every case:
 * the documented exit code; at most two lines on stderr, naming the file, the place and the
 * problem, with control characters escaped, no stack trace and no "internal error" (a check that
 * fails, exit 1, reports on standard output instead); no file created, changed or removed (outputs
 * included); finished within 10 s of CPU time and under 1 GB of resident memory, both measured by
 * /usr/bin/time around the process. CPU time, not wall time: this machine is shared, and the
 * wall time of a process here measures the neighbours as much as the toolkit (a hang still fails,
 * at the test's timeout).
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ksk } from "../../packages/cli/test/harness.js";
import { runKskMeasured } from "../support/cli-process.js";
import { hasTool } from "../support/tools.js";
import { CASES, CONFIG_TEXT, type HostileCase, SHARED } from "./cases.js";

const TEN_SECONDS = 10;
const ONE_GB_KB = 1024 * 1024;
const haveTime = hasTool("/usr/bin/time");

let base: string;

beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), "ksk hostile #"));
  const shared = path.join(base, "shared");
  mkdirSync(shared);
  for (const step of [
    ["ca", "init", "--dir", shared],
    ["ca", "issue-signer", "--dir", shared],
  ]) {
    const r = await ksk(step);
    if (r.code !== 0) throw new Error(`${step.join(" ")}: ${r.stderr}`);
  }
  writeFileSync(path.join(base, SHARED.config), CONFIG_TEXT);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** Every file under `dir` with the SHA-256 of its content: what must not change. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const file = path.join(dir, name);
    if (statSync(file).isFile()) out[name] = createHash("sha256").update(readFileSync(file)).digest("hex");
  }
  return out;
}

function caseDir(c: HostileCase, index: number): string {
  const dir = path.join(base, `case-${index}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(c.files)) writeFileSync(path.join(dir, name), typeof content === "function" ? content() : content);
  return dir;
}

describe.runIf(haveTime)("hostile inputs: one clear line, the documented exit code, nothing written, bounded time and memory", () => {
  CASES.forEach((c, index) => {
    it(`${c.input}: ${c.name}`, async () => {
      const dir = caseDir(c, index);
      const before = snapshot(base);
      const r = await runKskMeasured(c.args, { cwd: dir, timeFile: path.join(base, `rss-${index}.txt`) });
      const after = snapshot(base);
      delete after[`rss-${index}.txt`];
      const context = `exit ${r.code}, stderr: ${JSON.stringify(r.stderr.slice(0, 600))}`;

      expect(r.code, context).toBe(c.exit);
      const lines = r.stderr.replace(/\n$/, "").split("\n");
      expect(lines.length, context).toBeLessThanOrEqual(2);
      expect(r.stderr, context).not.toMatch(/internal error|\n\s+at |Error: /);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is that none get through
      expect(r.stderr.replace(/\n/g, ""), context).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      // A failed check (exit 1) is a report on standard output; anything else is one error line.
      const message = c.exit === 1 ? r.stdout : r.stderr;
      if (c.exit !== 1) expect(r.stderr, context).toMatch(/^ksk: /m);
      const named = c.names ?? Object.keys(c.files)[0];
      if (named !== undefined && c.exit !== 1) expect(message, context).toContain(named);
      for (const says of c.says) expect(message, context).toMatch(says);

      expect(after, "no file created, changed or removed").toEqual(before);
      expect(r.cpuSeconds, `used ${r.cpuSeconds} s of CPU`).toBeLessThan(TEN_SECONDS);
      expect(r.maxRssKb, `peak RSS ${r.maxRssKb} kB`).toBeLessThan(ONE_GB_KB);
      rmSync(dir, { recursive: true, force: true });
    }, 60_000);
  });
});
