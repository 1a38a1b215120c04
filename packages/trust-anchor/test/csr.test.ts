/**
 * The KSK's PKCS#10 CSR (RFC 2986; IANA's form, RFC 7958 §3): built through a DNSSEC Signer,
 * checked by `openssl req -verify`, its subject one RDN per attribute with the DS attribute
 * 1.3.6.1.4.1.1000.53; and `readKskCsr`/`checkKskCsr` on CSRs made by openssl the way IANA's
 * 2010-era tool made them, with a good and a bad case for each check.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { bytesToHex, KskError, keyTag, makeDs, parseIsoUtc, ROOT } from "@ksk/core";
import { afterAll, describe, expect, it } from "vitest";
import { testSigner } from "../../../test/support/soft-signer.js";
import { hasTool, runTool } from "../../../test/support/tools.js";
import { checkKskCsr, createKskCsr, dsAttributeText, readKskCsr } from "../src/index.js";

const GENERATED = parseIsoUtc("2024-04-26T00:00:00Z");
const dir = mkdtempSync(path.join(tmpdir(), "ta-csr-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: Uint8Array | string) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

function expectCheck(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KskError);
    expect({ kind: (e as KskError).kind, code: (e as KskError).code }).toEqual({ kind: "check", code });
    return;
  }
  throw new Error(`expected check ${code}; nothing was thrown`);
}

describe("creating the KSK's CSR through a DNSSEC Signer", async () => {
  const ksk = testSigner({ algorithm: 8, flags: 257, label: "Ktest" });
  const der = await createKskCsr({ signer: ksk, generationEpochSeconds: GENERATED });
  const expectedDs = dsAttributeText(ROOT, makeDs(ROOT, ksk.dnskey, 2));

  it("reads back: O=ICANN, OU=IANA, CN=Root Zone KSK <time>, the DS of the key; self-signature valid", () => {
    const csr = readKskCsr(der, "K.csr");
    expect([csr.organization, csr.organizationalUnit, csr.commonName]).toEqual(["ICANN", "IANA", "Root Zone KSK 2024-04-26T00:00:00+00:00"]);
    expect(csr.dsText).toBe(expectedDs);
    expect(csr.ds?.keyTag).toBe(ksk.keyTag);
    expect(csr.signatureValid).toBe(true);
    checkKskCsr(csr);
  });

  it.runIf(hasTool("openssl"))("openssl req -verify accepts it; each subject attribute is its own RDN", () => {
    const r = runTool("openssl", ["req", "-inform", "DER", "-in", file("k.csr", der), "-verify", "-noout", "-subject", "-nameopt", "RFC2253"]);
    expect(r.status).toBe(0);
    // RFC 2253 lists RDNs last first, joined by ","; a multi-valued RDN would be joined by "+". The
    // DS attribute (an OID openssl has no name for) prints as #<DER hex>: tag 16 is IA5String.
    const ia5 = Buffer.concat([Buffer.of(0x16, expectedDs.length), Buffer.from(expectedDs)])
      .toString("hex")
      .toUpperCase();
    expect(r.stdout).toBe(`subject=1.3.6.1.4.1.1000.53=#${ia5},CN=Root Zone KSK 2024-04-26T00:00:00\\+00:00,OU=IANA,O=ICANN\n`);
  });

  it.runIf(hasTool("ldns-key2ds"))("the DS inside equals ldns-key2ds's DS of the same DNSKEY", () => {
    const line = `.\t172800\tIN\tDNSKEY\t257 3 8 ${Buffer.from(ksk.dnskey.publicKeyBytes).toString("base64")}\n`;
    const r = runTool("ldns-key2ds", ["-n", "-2", file("k.key", line)]);
    expect(r.status).toBe(0);
    const fields = r.stdout.trim().split(/\s+/);
    expect(fields.slice(4).join(" ").toUpperCase()).toBe(expectedDs.split(" ").slice(3).join(" ").toUpperCase());
  });

  it("an ECDSA P-256 and an Ed25519 KSK make valid CSRs too (r||s re-encoded as DER for X.509)", async () => {
    for (const algorithm of [13, 15] as const) {
      const k = testSigner({ algorithm, flags: 257 });
      const csr = readKskCsr(await createKskCsr({ signer: k, generationEpochSeconds: GENERATED }), `alg ${algorithm}`);
      checkKskCsr(csr);
      expect(csr.ds?.algorithm).toBe(algorithm);
      if (hasTool("openssl"))
        expect(
          runTool("openssl", [
            "req",
            "-inform",
            "DER",
            "-in",
            file(`k${algorithm}.csr`, await createKskCsr({ signer: k, generationEpochSeconds: GENERATED })),
            "-verify",
            "-noout",
          ]).status,
        ).toBe(0);
    }
  });

  it("CSR-SIGNATURE: one byte of the signature changed", () => {
    const bad = new Uint8Array(der);
    bad[bad.length - 3] = (bad[bad.length - 3] as number) ^ 1;
    expectCheck(() => checkKskCsr(readKskCsr(bad, "bad.csr")), "CSR-SIGNATURE");
  });
});

describe.runIf(hasTool("openssl"))("CSRs made the way IANA's 2010-era tool made them (openssl req, DS in the subject)", () => {
  const ksk = testSigner({ algorithm: 8, flags: 257 });
  const keyPem = file("ksk.pem", ksk.privateKey.export({ format: "pem", type: "pkcs8" }) as string);
  // openssl's -subj skips unknown OIDs, so the subject comes from a config with an oid_section.
  const opensslCsr = (dsText: string | undefined, name: string, key = keyPem) => {
    const config = [
      "oid_section = oids",
      "[ oids ]",
      "resourceRecord = 1.3.6.1.4.1.1000.53",
      "[ req ]",
      "prompt = no",
      "distinguished_name = dn",
      "[ dn ]",
      "O = ICANN",
      "OU = IANA",
      "CN = Root Zone KSK 2010-06-16 21:19:24+00:00",
      ...(dsText === undefined ? [] : [`resourceRecord = ${dsText}`]),
      "",
    ].join("\n");
    const out = path.join(dir, name);
    const r = runTool("openssl", ["req", "-new", "-key", key, "-sha256", "-outform", "PEM", "-out", out, "-config", file(`${name}.cnf`, config)]);
    expect(r.status, r.stderr).toBe(0);
    return new Uint8Array(readFileSync(out));
  };
  const ds = makeDs(ROOT, ksk.dnskey, 2);

  it("decodes it (PEM, UTF8String DS) and the DS matches the key that signed it", () => {
    const csr = readKskCsr(opensslCsr(`. IN DS ${ds.keyTag} 8 2 ${bytesToHex(ds.digestBytes, true)}`, "good.csr"), "good.csr");
    expect(csr.commonName).toBe("Root Zone KSK 2010-06-16 21:19:24+00:00");
    expect(csr.ds?.keyTag).toBe(keyTag(ksk.dnskey));
    checkKskCsr(csr);
  });

  it("CSR-DS: a DS of another key", () => {
    const other = makeDs(ROOT, testSigner({ algorithm: 8, flags: 257 }).dnskey, 2);
    expectCheck(
      () => checkKskCsr(readKskCsr(opensslCsr(`. IN DS ${other.keyTag} 8 2 ${bytesToHex(other.digestBytes, true)}`, "other.csr"), "other.csr")),
      "CSR-DS",
    );
  });

  it("CSR-DS: no DS attribute at all", () => {
    expectCheck(() => checkKskCsr(readKskCsr(opensslCsr(undefined, "nods.csr"), "nods.csr")), "CSR-DS");
  });

  it("CSR-DS, not a crash: a brainpoolP256r1 key (no DNSSEC algorithm; Node cannot export it as JWK)", () => {
    const bpKey = path.join(dir, "bp.pem");
    const g = runTool("openssl", [
      "req",
      "-new",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:brainpoolP256r1",
      "-nodes",
      "-subj",
      "/CN=x",
      "-keyout",
      bpKey,
      "-out",
      path.join(dir, "bp0.csr"),
    ]);
    expect(g.status, g.stderr).toBe(0);
    const csr = readKskCsr(opensslCsr(`. IN DS ${ds.keyTag} 13 2 ${bytesToHex(ds.digestBytes, true)}`, "bp.csr", bpKey), "bp.csr");
    expect(csr.signatureValid).toBe(true);
    expect(csr.dnskey).toBeUndefined();
    expectCheck(() => checkKskCsr(csr), "CSR-DS");
    // And without a DS attribute the brainpool request still reads (CSR-DS: no DS).
    expectCheck(() => checkKskCsr(readKskCsr(new Uint8Array(readFileSync(path.join(dir, "bp0.csr"))), "bp0.csr")), "CSR-DS");
  });

  it("bad input: a DS attribute that is not a DS record", () => {
    expect(() => readKskCsr(opensslCsr(". IN A 192.0.2.1", "a.csr"), "a.csr")).toThrow(/not a DS record/);
  });
});
