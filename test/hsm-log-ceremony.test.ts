/**
 * The HSM activity log through `ksk ceremony run` (real processes, a real SoftHSM2 token): each
 * step whose command used the HSM has its log (hsm-log/…jsonl) among its transcript artefacts —
 * token initialised, KSK generated, KSK listed — with the calls a witness expects (C_Initialize,
 * C_GetTokenInfo with the token's serial, C_Login without the PIN, C_GenerateKeyPair, C_Finalize);
 * a step that never touched the HSM has none; `ksk report` shows it under "HSM log"; and
 * `ksk transcript verify` passes, then fails naming the log when one byte of it is changed.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/cli-process.js";
import { SOFTHSM_MODULE } from "./support/softhsm.js";
import { hasTool } from "./support/tools.js";

const bin = path.join(REPO_ROOT, "packages/cli/bin/ksk");
const dir = mkdtempSync(path.join(tmpdir(), "ksk-hsm-log-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const USER_PIN = "271828";
const SO_PIN = "31415926";

function ksk(args: string[]) {
  const r = spawnSync(bin, args, { cwd: dir, encoding: "utf8", timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Step {
  type: string;
  act: number;
  step: number;
  status: string;
  outputs: { path: string; sha256Hex: string }[];
}

describe.runIf(hasTool("softhsm2-util"))("the HSM log of a ceremony", () => {
  it("is a hash-chained artefact of each step that used the HSM, shown in the report", () => {
    writeFileSync(
      path.join(dir, "ceremony.yaml"),
      `operator: Test Operator
witnesses: [Witness One]
hsm: { module: ${SOFTHSM_MODULE}, token: log-lab }
env: { SOFTHSM2_CONF: "\${out}/softhsm/softhsm2.conf" }
variables:
  hsm: pkcs11:token=log-lab?module-path=${SOFTHSM_MODULE}&pin-source=file:softhsm/user.pin
setup:
  directories: [softhsm/tokens]
  files:
    - { path: softhsm/softhsm2.conf, text: "directories.tokendir = \${out}/softhsm/tokens\\nobjectstore.backend = file\\nlog.level = ERROR\\n" }
    - { path: softhsm/user.pin, text: "${USER_PIN}\\n", secret: true }
    - { path: softhsm/so.pin, text: "${SO_PIN}\\n", secret: true }
`,
    );
    writeFileSync(
      path.join(dir, "01-hsm.yaml"),
      `act: 1
name: hsm
title: A token, a KSK in it, the KSK listed
steps:
  - does: Initialise the token
    run: [hsm, init, --token, log-lab, --so-pin-file, softhsm/so.pin, --pin-file, softhsm/user.pin, --module, ${SOFTHSM_MODULE}, --json]
    stdout: hsm-token.json
    outputs: [hsm-token.json]
  - does: Generate the KSK
    run: [key, generate, --keystore, "\${hsm}", --role, ksk, --algorithm, RSASHA256, --bits, "2048", --label, Klog]
    private_key: true
  - does: List the KSK
    run: [key, list, --keystore, "\${hsm}", --dns]
    stdout: ksks.zone
    outputs: [ksks.zone]
  - does: Its DS (no HSM)
    run: [ds, ksks.zone]
    inputs: [ksks.zone]
    stdout: ksks.ds
    outputs: [ksks.ds]
`,
    );
    const out = path.join(dir, "out");
    const run = ksk(["ceremony", "run", path.join(dir, "01-hsm.yaml"), "--ceremony", path.join(dir, "ceremony.yaml"), "--out", out, "--yes"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);

    const steps = readFileSync(path.join(out, "transcript.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Step)
      .filter((e) => e.type === "step");
    const logs = steps.map((s) => s.outputs.map((o) => o.path).filter((p) => p.startsWith("hsm-log/")));
    expect(logs.map((l) => l.length)).toEqual([1, 1, 1, 0]);
    const serial = (JSON.parse(readFileSync(path.join(out, "hsm-token.json"), "utf8")) as { tokenSerial: string }).tokenSerial;
    const calls = (file: string) =>
      readFileSync(path.join(out, file), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const generate = calls(logs[1]?.[0] as string);
    expect(generate[0]?.call).toBe("C_Initialize");
    expect(generate.at(-1)?.call).toBe("C_Finalize");
    expect(generate.find((c) => c.call === "C_GetTokenInfo" && c.label === "log-lab")?.serial).toBe(serial);
    expect(generate.find((c) => c.call === "C_Login")).toMatchObject({ rv: "CKR_OK", userType: "CKU_USER" });
    expect(generate.find((c) => c.call === "C_GenerateKeyPair")).toMatchObject({ rv: "CKR_OK", mechanism: "CKM_RSA_PKCS_KEY_PAIR_GEN" });
    const init = readFileSync(path.join(out, logs[0]?.[0] as string), "utf8");
    expect(init).toContain('"call":"C_InitToken"');
    for (const file of logs.flat()) {
      const text = readFileSync(path.join(out, file), "utf8");
      expect(text).not.toContain(USER_PIN);
      expect(text).not.toContain(SO_PIN);
    }

    expect(ksk(["report", out]).code).toBe(0);
    const html = readFileSync(path.join(out, "report.html"), "utf8");
    const section = html.slice(html.indexOf("<h2>HSM log</h2>"));
    expect(html).toContain("<h2>HSM log</h2>");
    expect(section).toContain("Act 01 step 2: Generate the KSK");
    expect(section).toContain("<code>C_GenerateKeyPair</code>");
    expect(section).toContain(`serial=${serial}`);

    const transcript = path.join(out, "transcript.jsonl");
    expect(ksk(["transcript", "verify", transcript]).code).toBe(0);
    const file = path.join(out, logs[1]?.[0] as string);
    writeFileSync(file, readFileSync(file, "utf8").replace('"rv":"CKR_OK"', '"rv":"CKR_OK "'));
    const verify = ksk(["transcript", "verify", transcript]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(logs[1]?.[0]);
  });
});
