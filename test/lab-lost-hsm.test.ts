/**
 * The lost-HSM rehearsal as an operator runs it, `ksk lab --lost-hsm` (docs/custody.md): the lab's
 * KSKs backed up at facility 1 under officers' shares and restored into facility 2's HSM (another
 * SoftHSM token directory), facility 1's token destroyed, and the next quarter signed at facility
 * 2 with the chain unbroken — the KSR validates against facility 1's SKR (`ksr validate
 * --previous-skr`), `rollover check` passes across both quarters, the SKRs verify against the
 * published anchor and unbound validates the next quarter's root as before. Nothing of the PINs,
 * shares or KEKs reaches any file, log or report.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Secret, filesUnder, leaks, secretFileText, shareSecrets } from "./support/leak-scan.js";
import { hasTool } from "./support/tools.js";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const bin = path.join(root, "packages/cli/bin/ksk");
const out = path.join(mkdtempSync(path.join(tmpdir(), "ksk-lost-hsm-")), "lab-lost-hsm-out");
const needed = ["softhsm2-util", "ldns-verify-zone", "kzonecheck", "knotd", "unbound"].every((t) => hasTool(t));
/** Two ceremony runs: minutes each when the machine is busy. */
const RUN_TIMEOUT_MS = 1_800_000;
let run: { status: number | null; stdout: string; stderr: string };

interface Entry {
  type: string;
  act?: number;
  step?: number;
  status?: string;
  argv?: string[];
  env?: Record<string, string>;
  ceremonyFile?: { path: string };
}

const entries = (): Entry[] =>
  readFileSync(path.join(out, "transcript.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Entry);

function ksk(args: string[], conf: string) {
  return spawnSync(bin, args, { cwd: out, encoding: "utf8", env: { ...process.env, SOFTHSM2_CONF: path.join(out, conf) } });
}

beforeAll(() => {
  if (!needed) return;
  const r = spawnSync(bin, ["lab", "--lost-hsm", "--out", out, "--yes"], { cwd: root, encoding: "utf8", timeout: RUN_TIMEOUT_MS });
  run = { status: r.status, stdout: r.stdout, stderr: r.stderr };
}, RUN_TIMEOUT_MS + 60_000);
afterAll(() => rmSync(path.dirname(out), { recursive: true, force: true }));

describe.runIf(needed)("ksk lab --lost-hsm", () => {
  it("runs to the end: facility 1 signs 2026Q3, its HSM is lost, facility 2 signs 2026Q4; the report's verdict passes", () => {
    expect(run.status, run.stderr.slice(-3000)).toBe(0);
    expect(run.stdout).toContain("=== Facility 1's HSM is lost: its token directory softhsm/tokens/ emptied (1 token destroyed)");
    const verdict =
      /^PASS( with \d+ checks? skipped \(([^)]*)\))?: anchor published and verified; SKR 2026Q4 verified against it; test root 2026Q4 zone verified and validated by unbound/m.exec(
        run.stdout,
      );
    expect(verdict, run.stdout.slice(-3000)).not.toBeNull();
    // Only the first quarter's chain checks are skipped (it has no SKR before it); facility 2's
    // quarter is held to every check, against the SKR facility 1 signed.
    const skipped = (verdict?.[2] ?? "").split(", ").filter((s) => s !== "");
    expect(skipped.filter((s) => !/ in (ksr|skr)-2026Q3\.[a-z.]+$/.test(s))).toEqual([]);
    const starts = entries().filter((e) => e.type === "start");
    expect(starts.map((s) => s.ceremonyFile?.path)).toEqual(["lab-lost-hsm.yaml", "lab-lost-hsm-facility-2.yaml"]);
  });

  it("facility 1's token is gone; facility 2's HSM holds both KSKs, sensitive and not extractable, as facility 1 had them", () => {
    expect(readdirSync(path.join(out, "softhsm/tokens"))).toEqual([]);
    const one = ksk(
      ["key", "list", "--keystore", "pkcs11:token=ksk-lab?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:softhsm/user.pin"],
      "softhsm/softhsm2.conf",
    );
    expect(one.status).toBe(4);
    expect(one.stderr).toMatch(/no such token/);
    const two = ksk(
      ["key", "list", "--keystore", "pkcs11:token=ksk-lab?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:softhsm/user.pin", "--dns"],
      "softhsm/facility-2/softhsm2.conf",
    );
    expect(two.status, two.stderr).toBe(0);
    expect(two.stdout).toBe(readFileSync(path.join(out, "ksks.zone"), "utf8"));
    expect(readFileSync(path.join(out, "custody/compare-ksks.txt"), "utf8")).toContain("IDENTICAL");
    for (const label of ["Klabcur", "Klabnxt"]) {
      expect(readFileSync(path.join(out, `custody/${label}.restore.txt`), "utf8")).toMatch(new RegExp(`restored ${label} .* sensitive and not extractable`));
    }
  });

  it("signed 2026Q4 at facility 2 (its module configuration) with the chain unbroken", () => {
    const sign = entries().filter((e) => e.type === "step" && e.argv?.[0] === "skr" && e.argv[1] === "sign" && e.status === "ok");
    expect(sign).toHaveLength(2);
    const restores = entries().filter((e) => e.type === "step" && e.argv?.[0] === "key" && e.argv[1] === "restore");
    expect(restores.map((e) => e.env?.SOFTHSM2_CONF)).toEqual([
      path.join(out, "softhsm/facility-2/softhsm2.conf"),
      path.join(out, "softhsm/facility-2/softhsm2.conf"),
    ]);
    const validation = readFileSync(path.join(out, "lost-hsm-ksr-2026Q4.validation.txt"), "utf8");
    expect(validation).toMatch(/PASS\s+KSR-CHAIN-KEYS/);
    expect(validation).toMatch(/PASS\s+KSR-CHAIN-OVERLAP/);
    const rollover = readFileSync(path.join(out, "lost-hsm-rollover-check.txt"), "utf8");
    expect(rollover).toContain("Rollover plan OK: no RFC 5011 resolver loses the chain");
    expect(rollover).not.toMatch(/^\s*FAIL/m);
    const verify = spawnSync(bin, ["skr", "verify", "skr-2026Q4.xml", "--anchor", "root-anchors.xml"], { cwd: out, encoding: "utf8" });
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    const resolver = JSON.parse(readFileSync(path.join(out, "resolver-2026Q4.json"), "utf8")) as { ok: boolean };
    expect(resolver.ok).toBe(true);
    const report = readFileSync(path.join(out, "report.html"), "utf8");
    expect(report).toContain('<h2 id="custody">Custody</h2>');
    expect(report).toContain("lab-lost-hsm-facility-2.yaml");
  });

  it("no PIN, share or KEK is in any file, the console log or the command's output", async () => {
    const text = (name: string, s: string): Secret => ({ name, bytes: new TextEncoder().encode(s) });
    const secrets = [
      text("user PIN", secretFileText(path.join(out, "softhsm/user.pin"))),
      text("SO PIN", secretFileText(path.join(out, "softhsm/so.pin"))),
      ...(await shareSecrets("PIN shares", path.join(out, "custody/pin-shares"))),
      ...(await shareSecrets("Klabcur KEK shares", path.join(out, "custody/kek-Klabcur"))),
      ...(await shareSecrets("Klabnxt KEK shares", path.join(out, "custody/kek-Klabnxt"))),
    ];
    const holdsSecrets = (relative: string) =>
      /^softhsm\/(facility-2\/)?tokens$/.test(relative) ||
      /^softhsm\/(user|so)\.pin$/.test(relative) ||
      relative === "zsk.passphrase" ||
      /^ca\/.*\.key$/.test(relative) ||
      /^custody\/(pin-shares|kek-Klabcur|kek-Klabnxt)$/.test(relative);
    const files = filesUnder(out, holdsSecrets).map((f) => ({ name: path.relative(out, f), bytes: readFileSync(f) }));
    expect(files.map((f) => f.name)).toContain("custody/Klabcur.backup");
    expect(leaks([...files, { name: "stdout", bytes: Buffer.from(run.stdout) }, { name: "stderr", bytes: Buffer.from(run.stderr) }], secrets)).toEqual([]);
  });
});
