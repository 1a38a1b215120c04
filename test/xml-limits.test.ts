/**
 * The strict XML reader at its limits, through the libraries and through the `ksk` process:
 * a KSR of 60,000 `<Signer/>` is refused at its first Signer, a 1 MiB KSR of 1,352 bundles is
 * read and every KSR check runs on it, and nesting deeper than each format allows (KSR, SKR,
 * root-anchors.xml) is exit 3 naming the file and line. Each of these took tens of seconds, or
 * crashed, when line numbers were recounted per element and the checks were quadratic; the
 * tests bound them with a generous timeout instead of timing them (the work is linear: one pass over
 * the bytes, one over the elements, one over the bundles).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { KskError } from "@ksk/core";
import { KSR_CHECK_CODES, defaultKsrPolicy, parseKsrXml, runKsrChecks } from "@ksk/ksr";
import { parseRootAnchors } from "@ksk/trust-anchor";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LARGE_KSR_BUNDLES, deeplyNested, largeKsr, manySigners } from "./support/large-ksr.js";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const bin = path.join(root, "packages/cli/bin/ksk");
const dir = mkdtempSync(path.join(tmpdir(), "ksk-xml-limits-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const START = Date.UTC(2026, 0, 1) / 1000;
// A bound, not a timing: about 2 s of CPU at most, on a machine shared with other test runs.
const BOUND = { timeout: 30_000 };

function file(name: string, bytes: Uint8Array): string {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

function ksk(args: readonly string[]) {
  const r = spawnSync(bin, args, { cwd: dir, encoding: "utf8", maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function refusal(fn: () => unknown): KskError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KskError);
    return e as KskError;
  }
  throw new Error("accepted");
}

describe("60,000 <Signer/> in one bundle", () => {
  const bytes = manySigners();

  it("is refused at the first Signer by the library", BOUND, () => {
    const e = refusal(() => parseKsrXml(bytes, { fileName: "signers.xml" }));
    expect({ kind: e.kind, code: e.code, where: e.where }).toEqual({
      kind: "input",
      code: "KSR-XML-MISSING",
      where: "signers.xml:3: KSR/Request/RequestBundle/Signer",
    });
  });

  it("is exit 3 from ksk ksr validate, one line with file:line", BOUND, () => {
    const f = file("signers.xml", bytes);
    const r = ksk(["ksr", "validate", f]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`ksk: ${f}:3: KSR/Request/RequestBundle/Signer: <Signer> lacks the required attribute keyIdentifier\n`);
  });
});

describe("a 1 MiB KSR of 1,352 bundles", () => {
  let bytes: Uint8Array;
  beforeAll(async () => {
    bytes = await largeKsr(START);
  });

  it("is within the 1 MiB cap, read whole, and every check runs on it (library)", BOUND, () => {
    expect(bytes.length).toBeGreaterThan(1000 * 1000);
    expect(bytes.length).toBeLessThanOrEqual(1024 * 1024);
    const { document } = parseKsrXml(bytes, { fileName: "large.xml" });
    expect(document.kind).toBe("request");
    expect(document.bundles).toHaveLength(LARGE_KSR_BUNDLES);
    if (document.kind !== "request") return;
    const report = runKsrChecks({ ksr: document, policy: defaultKsrPolicy().request, nowEpochSeconds: START });
    expect(report.results.map((r) => r.code)).toEqual(KSR_CHECK_CODES);
    // A root KSR has 9 bundles: the count check fails; proof of possession holds in every bundle.
    expect(report.results.find((r) => r.code === "KSR-BUNDLE-COUNT")?.status).toBe("fail");
    expect(report.results.find((r) => r.code === "KSR-BUNDLE-POP")?.status).toBe("pass");
  });

  it("is validated by ksk ksr validate: a full report, exit 1 for the failed count", BOUND, () => {
    const f = file("large.xml", bytes);
    const r = ksk(["ksr", "validate", f, "--now", "2026-01-01T00:00:00Z"]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL KSR-BUNDLE-COUNT\s+KSR\/Request: 1352 bundles; the policy asks for 9/m);
    expect(r.stdout).toMatch(/^PASS KSR-BUNDLE-POP\s/m);
  });
});

describe("nesting deeper than the format", () => {
  const deep = 10_000;

  it("is exit 3 at the first too-deep element of a KSR (6 levels)", BOUND, () => {
    const f = file("deep-ksr.xml", deeplyNested('<KSR id="x" serial="1" domain="."><Request>', "</Request></KSR>", deep));
    // <KSR> and <Request> are levels 1-2 on line 1; level 7 is the fifth <n>, on line 6.
    const r = ksk(["ksr", "validate", f]);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 3, stdout: "" });
    expect(r.stderr).toBe(`ksk: ${f}:6: element nesting deeper than KSR files have (6)\n`);
  });

  it("is exit 3 at the first too-deep element of an SKR (6 levels)", BOUND, () => {
    const f = file("deep-skr.xml", deeplyNested('<KSR id="x" serial="1" domain="."><Response>', "</Response></KSR>", deep));
    const r = ksk(["skr", "verify", f]);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 3, stdout: "" });
    expect(r.stderr).toBe(`ksk: ${f}:6: element nesting deeper than KSR files have (6)\n`);
  });

  it("is exit 3 at the first too-deep element of root-anchors.xml (3 levels), by the library and ksk anchors ds", BOUND, () => {
    const bytes = deeplyNested('<TrustAnchor id="x" source="y">', "</TrustAnchor>", deep);
    // <TrustAnchor> is level 1 on line 1; level 4 is the third <n>, on line 4.
    const e = refusal(() => parseRootAnchors(bytes, "deep.xml"));
    expect({ kind: e.kind, code: e.code, where: e.where }).toEqual({ kind: "input", code: "TA-STRUCTURE", where: "deep.xml:4" });
    const f = file("deep-anchors.xml", bytes);
    const r = ksk(["anchors", "ds", f, "--all"]);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 3, stdout: "" });
    expect(r.stderr).toBe(`ksk: ${f}:4: element nesting deeper than root-anchors.xml files have (3)\n`);
  });
});
