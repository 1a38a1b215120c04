/**
 * The keystore arguments: every command that opens a keystore takes --module, --pin-file and
 * --passphrase-file from one builder, and they reach the keystore — shown with a SoftHSM token
 * whose URI names neither the module nor a PIN source (`csr create` and `anchors build`, which
 * lacked them before), and refused without them.
 */
import { existsSync } from "node:fs";
import { keyTag } from "@ksk/core";
import { openKeystore } from "@ksk/keystore";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SoftHsmToken, createSoftHsmToken } from "../../../test/support/softhsm.js";
import { hasTool } from "../../../test/support/tools.js";
import { keystoreOpenOptions } from "../src/keystore-args.js";
import { tempDir } from "./fixtures.js";
import { ksk } from "./harness.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const ask = async () => "secret";

describe("keystoreOpenOptions", () => {
  it("passes each given argument, the environment, and the prompt only on a terminal", () => {
    const env = { KSK_PIN_FILE: "/p" };
    expect(keystoreOpenOptions({ env, interactive: true, promptSecret: ask }, { module: "/m.so", pinFile: "/pin", passphraseFile: "/pass" })).toEqual({
      env,
      promptSecret: ask,
      modulePath: "/m.so",
      pinFile: "/pin",
      passphraseFile: "/pass",
    });
    expect(keystoreOpenOptions({ env, interactive: false, promptSecret: ask }, {})).toEqual({ env });
  });
});

describe("every command that opens a keystore takes the same keystore arguments", () => {
  const commands = [
    ["key", "generate"],
    ["key", "list"],
    ["key", "export-public"],
    ["key", "delete"],
    ["ksr", "build"],
    ["skr", "sign"],
    ["zone", "sign"],
    ["csr", "create"],
    ["anchors", "build"],
    ["anchors", "sign"],
  ];
  for (const command of commands) {
    it(`ksk ${command.join(" ")} --help lists --module, --pin-file, --passphrase-file and --shares`, async () => {
      const r = await ksk([...command, "--help"]);
      expect(r.code).toBe(0);
      for (const option of ["--module", "--pin-file", "--passphrase-file", "--shares"]) expect(r.stdout).toContain(option);
    });
  }
  it("a command that opens no keystore does not list them", async () => {
    const r = await ksk(["ds", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("--pin-file");
  });
});

describe.runIf(hasTool("softhsm2-util"))("--module and --pin-file reach the keystore (SoftHSM)", () => {
  let token: SoftHsmToken;
  let tag = 0;
  beforeAll(async () => {
    token = createSoftHsmToken({ label: "ksk-args" });
    const keystore = await openKeystore(token.uri(), { env: token.env });
    try {
      const info = await keystore.generate({ label: "Kargs01", algorithm: 13, flags: 257 });
      if (!info.dnskey) throw new Error("no public key");
      tag = keyTag(info.dnskey);
    } finally {
      await keystore.close();
    }
  });
  afterAll(() => token?.cleanup());
  // Neither module-path= nor pin-source= in the URI: only the arguments can supply them.
  const bareUri = () => token.uri(undefined, { module: false, pinSource: false });

  it("csr create opens the token with --module and --pin-file", async () => {
    const out = tmp.file("args.csr");
    const args = ["csr", "create", "--keystore", bareUri(), "--label", "Kargs01", "--generated", "2026-11-01T00:00:00Z", "-o", out];
    const r = await ksk([...args, "--module", token.module, "--pin-file", token.pinFile], { env: token.env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const show = await ksk(["csr", "show", out, "--json"]);
    expect(JSON.parse(show.stdout).keyTag).toBe(tag);
  });

  it("csr create without --pin-file (and no terminal, no KSK_PIN_FILE) is refused, exit 4, writing nothing", async () => {
    const out = tmp.file("no-pin.csr");
    const r = await ksk(["csr", "create", "--keystore", bareUri(), "--label", "Kargs01", "--module", token.module, "-o", out], { env: token.env });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/PIN/);
    expect(existsSync(out)).toBe(false);
  });

  const anchorsBuild = (modulePath: string, out: string) =>
    ksk(
      [
        "anchors",
        "build",
        "--keystore",
        bareUri(),
        "--label",
        "Kargs01",
        "--valid-from",
        `${tag}=2026-11-01T00:00:00Z`,
        "--module",
        modulePath,
        "--pin-file",
        token.pinFile,
        "-o",
        out,
      ],
      { env: token.env },
    );

  it("anchors build opens the token with --module and --pin-file", async () => {
    const out = tmp.file("root-anchors.xml");
    const r = await anchorsBuild(token.module, out);
    expect(r.code, r.stderr).toBe(0);
    const verify = await ksk(["anchors", "verify", out, "--json"]);
    expect(verify.stdout).toContain(String(tag));
  });

  it("anchors build with a --module that is not a PKCS#11 module is refused, exit 4, writing nothing", async () => {
    const out = tmp.file("x.xml");
    const r = await anchorsBuild(tmp.file("not-a-module.so", "x"), out);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("not-a-module.so");
    expect(existsSync(out)).toBe(false);
  });
});
