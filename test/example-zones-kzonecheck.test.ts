/**
 * The test roots the lab and the 2024-2027 rehearsal sign (keys-example/test-root.zone,
 * keys-example/rollover-root.zone) are well-formed zones as Knot's kzonecheck judges them before
 * signing: every in-zone NS target has glue, nothing is below a delegation but glue. A zone
 * without the glue (the rehearsal's delegation as it once was) is refused, so the check can fail.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/cli-process.js";
import { hasTool, runTool } from "./support/tools.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";

const dir = mkdtempSync(path.join(tmpdir(), "ksk-kzonecheck-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(hasTool("kzonecheck"))("the example test roots under kzonecheck", () => {
  for (const name of ["test-root.zone", "rollover-root.zone"]) {
    it(`${name} is a well-formed root zone`, () => {
      const r = runTool("kzonecheck", ["-o", ".", path.join(REPO_ROOT, "keys-example", name)]);
      expect(r.status, r.stdout + r.stderr).toBe(0);
    });
  }

  it("a delegation without its glue is refused (missing glue record)", () => {
    const text = readFileSync(path.join(REPO_ROOT, "keys-example/rollover-root.zone"), "utf8")
      .split("\n")
      .filter((l) => !l.startsWith("ns1.example."))
      .join("\n");
    const file = path.join(dir, "no-glue.zone");
    writeFileSync(file, text);
    const r = runTool("kzonecheck", ["-o", ".", file]);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("missing glue record");
  });
});
