/**
 * `ksk hsm init` against SoftHSM2 in a fresh temporary SOFTHSM2_CONF directory: the token is made
 * (softhsm2-util and pkcs11-tool see it and the PIN logs in), a second init is refused without
 * touching it, and a missing module or PIN file fails with one line and exit 4.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SoftHsmToken, createSoftHsmToken } from "../../../test/support/softhsm.js";
import { hasTool, runTool } from "../../../test/support/tools.js";
import { ksk } from "./harness.js";

describe.runIf(hasTool("softhsm2-util"))("ksk hsm init (SoftHSM2)", () => {
  let hsm: SoftHsmToken;
  beforeAll(() => {
    hsm = createSoftHsmToken({ label: "ceremony-lab", initialize: false });
  });
  afterAll(() => hsm?.cleanup());
  const args = () => ["hsm", "init", "--token", "ceremony-lab", "--so-pin-file", hsm.soPinFile, "--pin-file", hsm.pinFile];

  it("initialises a lab token that softhsm2-util and pkcs11-tool see, with a working user PIN", async () => {
    const r = await ksk([...args(), "--module", hsm.module], { env: hsm.env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe(`module /usr/lib/softhsm/libsofthsm2.so, SOFTHSM2_CONF ${hsm.conf}`);
    expect(lines[1]).toMatch(/^initialised token ceremony-lab \(serial [0-9a-f]{16}\) in \/usr\/lib\/softhsm\/libsofthsm2\.so$/);
    expect(lines[2]).toBe(
      `next: SOFTHSM2_CONF=${hsm.conf} ksk key generate --keystore 'pkcs11:token=ceremony-lab?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:${hsm.pinFile}' --role ksk --algorithm RSASHA256`,
    );
    const slots = runTool("softhsm2-util", ["--show-slots"], { env: hsm.processEnv });
    expect(slots.stdout).toMatch(/Label:\s+ceremony-lab\s*\n/);
    const login = runTool("pkcs11-tool", ["--module", hsm.module, "--token-label", "ceremony-lab", "--login", "--pin", hsm.pin, "--list-objects"], {
      env: hsm.processEnv,
    });
    expect(login.status).toBe(0);
    const wrong = runTool("pkcs11-tool", ["--module", hsm.module, "--token-label", "ceremony-lab", "--login", "--pin", "999999", "--list-objects"], {
      env: hsm.processEnv,
    });
    expect(wrong.status).not.toBe(0);
  });

  it("without --module takes Debian's SoftHSM2 module and says so; a refusal names the module and SOFTHSM2_CONF in force", async () => {
    const r = await ksk(args(), { env: hsm.env });
    expect(r.stdout.split("\n")[0]).toBe(`module /usr/lib/softhsm/libsofthsm2.so (the default), SOFTHSM2_CONF ${hsm.conf}`);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`(module /usr/lib/softhsm/libsofthsm2.so (the default), SOFTHSM2_CONF ${hsm.conf})`);
  });

  it("the new token takes a KSK from ksk key generate, listed with the same DS", async () => {
    const uri = `pkcs11:token=ceremony-lab?module-path=${hsm.module}&pin-source=file:${hsm.pinFile}`;
    const gen = await ksk(["key", "generate", "--keystore", uri, "--role", "ksk", "--algorithm", "RSASHA256", "--json"], { env: hsm.env });
    expect(gen.code).toBe(0);
    const report = JSON.parse(gen.stdout) as { label: string; ds: { record: string }[] };
    const list = await ksk(["key", "list", "--keystore", uri, "--dns"], { env: hsm.env });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`; ${report.label}\n`);
    expect(list.stdout).toContain(`${report.ds[0]?.record}\n`);
  });

  it("refuses to initialise a token that exists (exit 5), leaving it as it was", async () => {
    const before = runTool("softhsm2-util", ["--show-slots"], { env: hsm.processEnv }).stdout;
    const r = await ksk([...args(), "--json"], { env: { ...hsm.env, KSK_PKCS11_MODULE: hsm.module } });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(
      /^ksk: pkcs11:token=ceremony-lab: a token with this label exists \(serial [0-9a-f]+\); not re-initialised, which would erase its keys \(module \/usr\/lib\/softhsm\/libsofthsm2\.so, SOFTHSM2_CONF \/\S+\)\n$/,
    );
    expect(runTool("softhsm2-util", ["--show-slots"], { env: hsm.processEnv }).stdout).toBe(before);
  });

  it.runIf(hasTool("pkcs11-tool"))("with a vendor module only looks for the token: OpenSC's module has none, exit 4", async () => {
    const r = await ksk(
      [
        "hsm",
        "init",
        "--token",
        "vendor-token",
        "--so-pin-file",
        hsm.soPinFile,
        "--pin-file",
        hsm.pinFile,
        "--module",
        "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
      ],
      {
        env: hsm.env,
      },
    );
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(
      `ksk: pkcs11:token=vendor-token: no such token in module /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so (initialised tokens: none) (module /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so, SOFTHSM2_CONF ${hsm.conf})\n`,
    );
  });

  it("fails with exit 4 and one line for a missing module or PIN file", async () => {
    const noModule = await ksk([...args(), "--module", "/nonexistent/libsofthsm2.so"], { env: hsm.env });
    expect(noModule.code).toBe(4);
    expect(noModule.stderr).toMatch(
      /^ksk: module \/nonexistent\/libsofthsm2\.so: cannot load the PKCS#11 module: [^\n]*\(module \/nonexistent\/libsofthsm2\.so, SOFTHSM2_CONF \S+\)\n$/,
    );
    const noPin = await ksk(["hsm", "init", "--token", "other", "--so-pin-file", hsm.soPinFile, "--pin-file", "/nonexistent/pin", "--module", hsm.module], {
      env: hsm.env,
    });
    expect(noPin.code).toBe(4);
    expect(noPin.stderr).toBe("ksk: pkcs11:token=other: cannot read the PIN file /nonexistent/pin: no such file\n");
  });
});
