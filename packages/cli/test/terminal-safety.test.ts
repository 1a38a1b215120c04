/**
 * Nothing that quotes input reaches the terminal raw: a NUL, `ESC[2J` (clear the screen) and a
 * newline put into each kind of input — config keys and values, `--schema`, KSR element names and
 * text, UTF-16 input, root-anchors.xml's <Zone>, a CSR subject on stdout — come out as visible
 * escapes, and an error stays one line.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasTool, runTool } from "../../../test/support/tools.js";
import { tempDir } from "./fixtures.js";
import { ksk } from "./harness.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const NASTY = "a\u0000b\u001b[2Jc\nd";
/** Any C0 control but newline and tab, DEL or a C1 control. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding raw controls is the point of the test.
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const KSR_FILE = path.join(path.dirname(new URL(import.meta.url).pathname), "../../ksr/test/fixtures/ksr-root-2017-q2-0.xml");

function expectSafeOneLineError(r: { code: number; stdout: string; stderr: string }, code: number) {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout + r.stderr).not.toMatch(RAW_CONTROL);
  const errors = r.stderr.split("\n").filter((l) => l.startsWith("ksk: ") && !l.startsWith("ksk: WARNING"));
  expect(errors, r.stderr).toHaveLength(1);
  expect(errors[0]).toContain("\\x1b[2J");
}

const config = (extra: string) =>
  `keystore: "file:${tmp.dir}/keys"\n${extra}keys:\n  ksk_current:\n    description: lab\n    label: Kx\n    key_tag: 1\n    algorithm: RSASHA256\n    rsa_size: 2048\n    rsa_exponent: 65537\n    valid_from: 2026-01-01T00:00:00+00:00\n`;

describe("escaped output", () => {
  it("a config key with NUL, ESC[2J and a newline", async () => {
    const file = tmp.file("key.yaml", config(`${JSON.stringify(NASTY)}: 1\n`));
    expectSafeOneLineError(await ksk(["anchors", "build", "--config", file, "-o", tmp.file("a1.xml")]), 3);
  });

  it("a config value with NUL, ESC[2J and a newline", async () => {
    const file = tmp.file("value.yaml", config("").replace("algorithm: RSASHA256", `algorithm: ${JSON.stringify(NASTY)}`));
    expectSafeOneLineError(await ksk(["anchors", "build", "--config", file, "-o", tmp.file("a2.xml")]), 3);
  });

  it("--schema with NUL, ESC[2J and a newline", async () => {
    const file = tmp.file("ok.yaml", config(""));
    const r = await ksk(["skr", "sign", KSR_FILE, "--config", file, "--schema", NASTY, "--no-previous-skr", "-o", tmp.file("skr.xml")]);
    expectSafeOneLineError(r, 2);
  });

  it("a KSR element name and text", async () => {
    const text = readFileSync(KSR_FILE, "utf8");
    const name = tmp.file("name.xml", text.replace("<Request>", "<Request><Bad\u0085\u009b2J/>"));
    const r1 = await ksk(["ksr", "validate", name]);
    expect(r1.stdout + r1.stderr).not.toMatch(RAW_CONTROL);
    expect(r1.code).not.toBe(0);
    const value = tmp.file("text.xml", text.replace(/<KeyTag>\d+<\/KeyTag>/, "<KeyTag>1\u001b[2J</KeyTag>"));
    const r2 = await ksk(["ksr", "validate", value]);
    expect(r2.stdout + r2.stderr).not.toMatch(RAW_CONTROL);
    expect(r2.code).not.toBe(0);
  });

  it("UTF-16 input", async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`. 172800 IN DNSKEY 257 3 8 ${NASTY}\n`, "utf16le")]);
    const r = await ksk(["ds", tmp.file("utf16.key", utf16)]);
    expect(r.code).toBe(3);
    expect(r.stdout + r.stderr).not.toMatch(RAW_CONTROL);
  });

  it("root-anchors.xml <Zone>", async () => {
    const file = tmp.file(
      "ra.xml",
      `<?xml version="1.0"?>\n<TrustAnchor id="x" source="y"><Zone>.${NASTY}</Zone><KeyDigest id="Kjqmt7v" validFrom="2010-07-15T00:00:00+00:00"><KeyTag>19036</KeyTag><Algorithm>8</Algorithm><DigestType>2</DigestType><Digest>49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5</Digest></KeyDigest></TrustAnchor>\n`,
    );
    expectSafeOneLineError(await ksk(["anchors", "ds", file]), 3);
  });

  it.runIf(hasTool("openssl"))("a CSR subject printed by csr show", async () => {
    const key = tmp.file("k.pem");
    expect(runTool("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]).status).toBe(0);
    const csr = tmp.file("nasty.csr");
    const r0 = runTool("openssl", ["req", "-new", "-key", key, "-subj", "/CN=lab\u001b[2Jca\u0001/O=x", "-out", csr]);
    expect(r0.status, r0.stderr).toBe(0);
    const r = await ksk(["csr", "show", csr]);
    expect(r.stdout).toContain("CN=lab\\x1b[2Jca\\x01");
    expect(r.stdout + r.stderr).not.toMatch(RAW_CONTROL);
  });
});
