/**
 * HSM faults, with the KSKs in a real SoftHSM2 token and `ksk` run as a process: the module
 * missing, a module that is not a PKCS#11 library (the C library, a text file), the token missing,
 * a wrong PIN, a key missing, the token directory removed between two steps, and the key object
 * deleted or the token directory removed while `skr sign` waits for the witness's Yes — after the
 * keys were found and logged in to, before the first signature. Each is exit 4 with one line on
 * standard error (the --no-previous-skr warning aside), no SKR and no temporary file left; run as
 * a ceremony step, the transcript records the step failed with the keystore's exit code and reason.
 *
 * Not here: the token's "PIN locked" state. SoftHSM2 keeps no failed-login counter
 * (CKF_USER_PIN_LOCKED is never set), so it cannot be produced with it; the function reading those
 * flags into a refusal or a warning is unit-tested in packages/keystore/test/pkcs11-softhsm.test.ts.
 */
import { randomUUID } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { keyTag } from "@ksk/core";
import { openKeystore } from "@ksk/keystore";
import { buildKsr, defaultKsrPolicy, parseQuarter, writeKsrXml } from "@ksk/ksr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, kskCommand, startKsk } from "./support/cli-process.js";
import { runOnTerminal } from "./support/pty.js";
import { type SoftHsmToken, createSoftHsmToken } from "./support/softhsm.js";
import { testSigner } from "./support/soft-signer.js";
import { hasTool, runTool } from "./support/tools.js";

const NOW = "2026-09-01T00:00:00Z";
const needed = ["softhsm2-util", "pkcs11-tool", "script"].every((t) => hasTool(t));
/** The C library: a shared object with no C_GetFunctionList. */
const LIBC = "/usr/lib/x86_64-linux-gnu/libc.so.6";

let token: SoftHsmToken;
let tags: { current: number; next: number };
const file = (name: string) => path.join(token.dir, name);

/** A signer config for the token's two KSKs; `change` rewrites what a fault needs. */
function config(name: string, change: { keystore?: string; label?: string } = {}): string {
  const key = (role: string, label: string, tag: number) =>
    `  ${role}:\n    description: lab ${role}\n    label: ${label}\n    key_tag: ${tag}\n    algorithm: RSASHA256\n    rsa_size: 2048\n    rsa_exponent: 65537\n    valid_from: 2026-01-01T00:00:00+00:00\n`;
  const text = `keystore: "${change.keystore ?? token.uri()}"\nkeys:\n${key("ksk_current", change.label ?? "Kcurrnt", tags.current)}${key("ksk_next", "Knextkk", tags.next)}`;
  writeFileSync(file(name), text);
  return file(name);
}

const uriWith = (module: string, label = token.label, pinFile = token.pinFile) => `pkcs11:token=${label}?module-path=${module}&pin-source=file:${pinFile}`;

function signArgs(configFile: string, out: string): string[] {
  return ["skr", "sign", file("ksr.xml"), "--config", configFile, "--no-previous-skr", "--now", NOW, "-o", out];
}

/** What a fault must leave: exit 4, one line naming it, no SKR, no temporary file. */
function expectCleanFault(r: { code: number | null; stderr: string }, out: string, names: RegExp) {
  const lines = r.stderr
    .trim()
    .split("\n")
    .filter((l) => !l.startsWith("ksk: WARNING: --no-previous-skr"));
  expect(r.code, r.stderr).toBe(4);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(names);
  expect(lines[0]).not.toMatch(/internal error|\n|\bat .*\.js:\d+/);
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(path.dirname(out)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
}

/** A copy of the token in its own directory and config, for the faults that destroy it. */
function tokenCopy(name: string): { env: Record<string, string>; tokens: string; conf: string } {
  const dir = file(name);
  mkdirSync(dir);
  const tokens = path.join(dir, "tokens");
  cpSync(path.join(token.dir, "tokens"), tokens, { recursive: true });
  const conf = path.join(dir, "softhsm2.conf");
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  return { env: { SOFTHSM2_CONF: conf }, tokens, conf };
}

beforeAll(async () => {
  if (!needed) return;
  token = createSoftHsmToken({ label: "ksk-faults", pin: "fault-pin-unseen" });
  const keystore = await openKeystore(token.uri(), { env: token.env });
  try {
    const current = await keystore.generate({ label: "Kcurrnt", algorithm: 8, rsaModulusBits: 2048, flags: 257 });
    const next = await keystore.generate({ label: "Knextkk", algorithm: 8, rsaModulusBits: 2048, flags: 257 });
    tags = { current: keyTag(current.dnskey!), next: keyTag(next.dnskey!) };
  } finally {
    await keystore.close();
  }
  const ksr = await buildKsr({
    quarter: parseQuarter("2026Q4"),
    zsks: [0, 1, 2].map((i) => testSigner({ algorithm: 8, label: `Zlab${i}` })),
    policy: defaultKsrPolicy(),
    nowEpochSeconds: Date.parse(NOW) / 1000,
    newId: randomUUID,
  });
  writeFileSync(file("ksr.xml"), writeKsrXml(ksr));
  writeFileSync(file("not-a-module.so"), "this is a text file, not a PKCS#11 library\n");
  writeFileSync(file("wrong.pin"), "000000\n", { mode: 0o600 });
}, 120_000);

afterAll(() => token?.cleanup());

describe.runIf(needed)("HSM faults: exit 4, one line, nothing written", () => {
  it("signs with the token as it is (the faults below are the only difference)", async () => {
    const out = file("skr-ok.xml");
    const r = await startKsk([...signArgs(config("ok.yaml"), out), "--yes"], { env: token.env }).done;
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  const cases: { name: string; keystore?: () => string; label?: string; names: RegExp }[] = [
    { name: "the module missing", keystore: () => uriWith("/nonexistent/libpkcs11.so"), names: /\/nonexistent\/libpkcs11\.so/ },
    { name: "the C library as the module", keystore: () => uriWith(LIBC), names: /libc\.so\.6/ },
    { name: "a text file as the module", keystore: () => uriWith(file("not-a-module.so")), names: /not-a-module\.so/ },
    { name: "the token missing", keystore: () => uriWith(token.module, "no-such-token"), names: /no-such-token/ },
    { name: "a wrong PIN", keystore: () => uriWith(token.module, token.label, file("wrong.pin")), names: /wrong PIN/ },
    { name: "a key missing", label: "Kabsent", names: /Kabsent/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const configFile = config(`${c.name.replace(/\W+/g, "-")}.yaml`, {
        ...(c.keystore ? { keystore: c.keystore() } : {}),
        ...(c.label ? { label: c.label } : {}),
      });
      const out = file("skr-fault.xml");
      const r = await startKsk([...signArgs(configFile, out), "--yes"], { env: token.env }).done;
      expectCleanFault(r, out, c.names);
      expect(r.stderr).not.toContain(token.pin);
    });
  }

  it("the token directory removed between two steps", async () => {
    const copy = tokenCopy("removed-between");
    const listed = await startKsk(["key", "list", "--keystore", token.uri()], { env: copy.env }).done;
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain("Kcurrnt");
    rmSync(copy.tokens, { recursive: true });
    const out = file("skr-removed.xml");
    const r = await startKsk([...signArgs(config("removed.yaml"), out), "--yes"], { env: copy.env }).done;
    // SoftHSM refuses to initialise without its token directory: the line names the config it was given.
    expectCleanFault(r, out, new RegExp(`C_Initialize failed .*token directory \\(SOFTHSM2_CONF=${copy.conf}\\)`));
  });

  // While `skr sign` waits for the witness (keys found, session logged in), the fault strikes;
  // then Yes is typed and the first signature fails.
  const midSign: { name: string; fault: (copy: ReturnType<typeof tokenCopy>) => void }[] = [
    {
      name: "the key object deleted with pkcs11-tool while skr sign waits to sign",
      fault: (copy) => {
        const r = runTool(
          "pkcs11-tool",
          ["--module", token.module, "--token-label", token.label, "--login", "--pin", token.pin, "--delete-object", "--type", "privkey", "--label", "Kcurrnt"],
          { env: { ...process.env, ...copy.env } },
        );
        if (r.status !== 0) throw new Error(`pkcs11-tool: ${r.stderr}`);
      },
    },
    { name: "the token directory removed while skr sign waits to sign", fault: (copy) => rmSync(copy.tokens, { recursive: true }) },
  ];
  for (const m of midSign) {
    it(m.name, async () => {
      const copy = tokenCopy(m.name.replace(/\W+/g, "-"));
      const out = file("skr-mid.xml");
      const [command, leading] = kskCommand();
      const r = await runOnTerminal(
        [command, ...leading, ...signArgs(config("mid.yaml"), out)],
        [{ after: "Type Yes to sign: ", type: "Yes\r", meanwhile: () => m.fault(copy) }],
        {
          cwd: REPO_ROOT,
          env: { ...process.env, ...copy.env },
        },
      );
      // On a terminal stderr and stdout share the screen: the fault is the last line shown.
      const shown = r.screen.trim().split("\n");
      expectCleanFault(
        { code: r.code, stderr: shown.at(-1) ?? "" },
        out,
        /^ksk: pkcs11:token=ksk-faults;object=Kcurrnt: signing failed \(CKR_OBJECT_HANDLE_INVALID\)$/,
      );
      expect(r.screen).not.toContain("Signed ");
      expect(r.screen).not.toContain(token.pin);
    });
  }

  it("as a ceremony step: the transcript records the step failed, with exit 4 and the fault", async () => {
    const dir = file("ceremony");
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, "ceremony.yaml"),
      `operator: Test Operator\nwitnesses: [Witness One]\nhsm: { module: ${token.module}, token: ${token.label} }\nenv: { SOFTHSM2_CONF: ${token.conf} }\nvariables: { hsm: "${uriWith(token.module, token.label, file("wrong.pin"))}" }\n`,
    );
    writeFileSync(
      path.join(dir, "01-keys.yaml"),
      `act: 1\nname: keys\ntitle: The KSKs in the HSM\nsteps:\n  - does: List the keys\n    run: [key, list, --keystore, "\${hsm}"]\n    stdout: keys.txt\n    outputs: [keys.txt]\n`,
    );
    const out = path.join(dir, "out");
    const r = await startKsk(["ceremony", "run", path.join(dir, "01-keys.yaml"), "--ceremony", path.join(dir, "ceremony.yaml"), "--out", out, "--yes"]).done;
    expect(r.code, r.stderr).toBe(4);
    expect(existsSync(path.join(out, "keys.txt"))).toBe(false);
    const entries = readFileSync(path.join(out, "transcript.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const failed = entries.find((e) => e.type === "step" && e.status === "failed");
    expect(failed).toMatchObject({ act: 1, step: 1, exitCode: 4 });
    expect(String(failed?.reason)).toMatch(/wrong PIN/);
    expect(entries.at(-1)).toMatchObject({ type: "end", status: "stopped" });
    expect(readFileSync(path.join(out, "transcript.jsonl"), "utf8")).not.toContain(token.pin);
  });
});
