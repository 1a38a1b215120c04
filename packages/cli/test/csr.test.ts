/**
 * `ksk csr create|show`: the KSK's CSR made inside SoftHSM by the KSK itself, checked by
 * `openssl req -verify`, its DS equal to ldns-key2ds's for the key; `show` on good, wrong-DS and
 * malformed requests.
 */
import { existsSync, readFileSync } from "node:fs";
import { bytesToBase64, keyTag } from "@ksk/core";
import { openKeystore } from "@ksk/keystore";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSoftHsmToken, type SoftHsmToken } from "../../../test/support/softhsm.js";
import { testSigner } from "../../../test/support/soft-signer.js";
import { hasTool, runTool } from "../../../test/support/tools.js";
import { tempDir } from "./fixtures.js";
import { ksk } from "./harness.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe.runIf(hasTool("softhsm2-util"))("ksk csr create (KSK in SoftHSM)", () => {
  let token: SoftHsmToken;
  let dnskeyLine = "";
  let tag = 0;
  beforeAll(async () => {
    token = createSoftHsmToken({ label: "ksk-lab" });
    const keystore = await openKeystore(token.uri(), { env: token.env });
    try {
      const info = await keystore.generate({ label: "Kmyv6jo", algorithm: 8, rsaModulusBits: 2048, flags: 257 });
      if (!info.dnskey) throw new Error("no public key");
      tag = keyTag(info.dnskey);
      dnskeyLine = `.\t172800\tIN\tDNSKEY\t257 3 8 ${bytesToBase64(info.dnskey.publicKeyBytes)}\n`;
    } finally {
      await keystore.close();
    }
  });
  afterAll(() => token?.cleanup());

  it("writes a PEM CSR that openssl verifies, whose DS is ldns-key2ds's DS of the key", async () => {
    const out = tmp.file("K.csr");
    const r = await ksk(["csr", "create", "--keystore", token.uri(), "--label", "Kmyv6jo", "--generated", "2024-04-26T00:00:00Z", "-o", out], {
      env: token.env,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(out, "utf8")).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n/);
    if (hasTool("openssl")) {
      const v = runTool("openssl", ["req", "-in", out, "-verify", "-noout", "-subject"]);
      expect(v.status, v.stderr).toBe(0);
      expect(v.stdout).toContain('O = ICANN, OU = IANA, CN = "Root Zone KSK 2024-04-26T00:00:00+00:00", 1.3.6.1.4.1.1000.53 = . IN DS');
    }
    const show = await ksk(["csr", "show", out, "--json"]);
    expect(show.code).toBe(0);
    const fields = JSON.parse(show.stdout);
    expect(fields.keyTag).toBe(tag);
    if (hasTool("ldns-key2ds")) {
      const ds = runTool("ldns-key2ds", ["-n", "-2", tmp.file("k.key", dnskeyLine)]);
      const [, , , , ...rdata] = ds.stdout.trim().split(/\s+/);
      expect(fields.ds.toUpperCase()).toBe(`. IN DS ${rdata.join(" ")}`.toUpperCase());
    }
  });

  it("--der writes DER; an unknown label is a keystore error (exit 4), nothing written", async () => {
    const der = tmp.file("K.der");
    expect((await ksk(["csr", "create", "--keystore", token.uri(), "--label", "Kmyv6jo", "--der", "-o", der], { env: token.env })).code).toBe(0);
    expect(readFileSync(der)[0]).toBe(0x30);
    const missing = tmp.file("missing.csr");
    const r = await ksk(["csr", "create", "--keystore", token.uri(), "--label", "Knope", "-o", missing], { env: token.env });
    expect(r.code).toBe(4);
    expect(existsSync(missing)).toBe(false);
  });
});

describe.runIf(hasTool("openssl"))("ksk csr show", () => {
  // A request made by openssl with another key's DS in the subject: signature fine, DS wrong.
  const own = testSigner({ algorithm: 8, flags: 257 });
  const key = tmp.file("own.pem", own.privateKey.export({ format: "pem", type: "pkcs8" }) as string);
  const csrWithDs = (ds: string, name: string) => {
    const cnf = tmp.file(
      `${name}.cnf`,
      `oid_section = oids\n[ oids ]\nresourceRecord = 1.3.6.1.4.1.1000.53\n[ req ]\nprompt = no\ndistinguished_name = dn\n[ dn ]\nO = ICANN\nOU = IANA\nCN = Root Zone KSK 2010-06-16 21:19:24+00:00\nresourceRecord = ${ds}\n`,
    );
    const out = tmp.file(name);
    expect(runTool("openssl", ["req", "-new", "-key", key, "-sha256", "-config", cnf, "-out", out]).status).toBe(0);
    return out;
  };

  it("the DS of another key: exit 1 after printing the request", async () => {
    const r = await ksk(["csr", "show", csrWithDs(". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D", "other.csr")]);
    expect(r.stdout).toContain("DS:        . IN DS 20326 8 2 E06D44B8");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not the DS of the key that signed it/);
  });

  it("not a CSR: exit 3, one line", async () => {
    const r = await ksk(["csr", "show", tmp.file("junk.csr", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n")]);
    expect(r.code).toBe(3);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});
