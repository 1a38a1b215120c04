/**
 * root-anchors.p7s (RFC 5652 detached SignedData, RFC 9718 §3): our signer against our verifier
 * and against OpenSSL (`openssl cms -verify -binary`) both ways, with a good and a bad case for
 * every check: digest, signature, chain, validity time, key usage, EKU, emailAddress.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { KskError, parseIsoUtc } from "@ksk/core";
import * as asn1js from "asn1js";
import { afterAll, describe, expect, it } from "vitest";
import { testSigner } from "../../../test/support/soft-signer.js";
import { hasTool, opensslCmsVerify, runTool } from "../../../test/support/tools.js";
import {
  buildRootAnchors,
  issueSignerCertificate,
  rawSignerFromDnssecSigner,
  rawSignerFromPrivateKey,
  signDetachedCms,
  toPem,
  verifyDetachedCms,
} from "../src/index.js";
import { DAY, labPki, rootAnchorKeys } from "./support.js";

const NOW = parseIsoUtc("2026-11-28T00:00:00Z");
const XML = buildRootAnchors({ trustAnchorId: "0C05FDD6-422C-4910-8ED6-430ED15E11C2", keys: rootAnchorKeys(), publicationEpochSeconds: NOW }).xmlBytes;
const dir = mkdtempSync(path.join(tmpdir(), "ta-cms-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: Uint8Array | string) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

async function expectCheck(fn: () => unknown, code: string): Promise<KskError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KskError);
    expect({ kind: (e as KskError).kind, code: (e as KskError).code }).toEqual({ kind: "check", code });
    return e as KskError;
  }
  throw new Error(`expected check ${code}; nothing was thrown`);
}

describe("signing and verifying root-anchors.p7s", async () => {
  const pki = await labPki(NOW);
  const p7s = await signDetachedCms({ contentBytes: XML, signer: pki.signer, signerCertificateDer: pki.signerDer, signingEpochSeconds: NOW });

  it("verifies: signer emailAddress dnssec@iana.org, signing time, chain to the lab root", () => {
    const v = verifyDetachedCms({ cmsDer: p7s, contentBytes: XML, trustedCaDers: [pki.caDer], atEpochSeconds: NOW });
    expect(v.signers).toHaveLength(1);
    expect(v.signers[0]?.emails).toEqual(["dnssec@iana.org"]);
    expect(v.signers[0]?.signingEpochSeconds).toBe(NOW);
    expect(v.signers[0]?.chain).toHaveLength(2);
  });

  it("is detached id-data with the three signed attributes in DER order and the signer certificate inside", () => {
    const info = asn1js.fromBER(new Uint8Array(p7s).buffer);
    expect(info.offset).toBe(p7s.length);
    const hex = Buffer.from(p7s).toString("hex");
    expect(hex).toContain("06092a864886f70d010903"); // contentType
    expect(hex).toContain("06092a864886f70d010904"); // messageDigest
    expect(hex).toContain("06092a864886f70d010905"); // signingTime
    expect(hex).toContain(Buffer.from(pki.signerDer).toString("hex"));
    expect(hex).not.toContain(Buffer.from(XML.subarray(0, 40)).toString("hex"));
  });

  it("a malformed signing-time is malformed input (CMS-MALFORMED or DER-MALFORMED), not an internal error", () => {
    // signingTime attribute: OID 1.2.840.113549.1.9.5, SET { UTCTime (0x17, 13 octets) }.
    const hex = Buffer.from(p7s).toString("hex");
    const at = hex.indexOf("06092a864886f70d010905") / 2 + 11;
    expect([p7s[at], p7s[at + 2], p7s[at + 3]]).toEqual([0x31, 0x17, 0x0d]);
    for (const [tag, text] of [
      [0x17, "ZZ1128000000Z"],
      [0x18, "ZZ1128000000Z"],
      [0x18, "2026112800000"],
      [0x18, "20261128000.Z"],
    ] as const) {
      const bad = new Uint8Array(p7s);
      bad[at + 2] = tag;
      bad.set(new TextEncoder().encode(text), at + 4);
      try {
        verifyDetachedCms({ cmsDer: bad, contentBytes: XML, trustedCaDers: [pki.caDer], atEpochSeconds: NOW });
        throw new Error(`accepted signing-time ${text}`);
      } catch (e) {
        expect(e, text).toBeInstanceOf(KskError);
        expect((e as KskError).kind, text).toBe("input");
        expect((e as KskError).message, text).toMatch(/signing-time|DER/);
      }
    }
  });

  it("every single-byte change of the p7s structure is refused, some only because they are not DER (CMS-NOT-DER)", () => {
    // asn1js reads BER leniently: without the DER check, a certificate length one too long still
    // parsed and the signature still verified; unsigned fields (versions, digestAlgorithms, NULL
    // parameters) were not checked at all (found by the tamper property test). The certificate's
    // own bytes and the signature value are left to that property test: each one costs a full
    // verification, and their changes fail the certificate or signature check.
    const certificate = Buffer.from(p7s).indexOf(Buffer.from(pki.signerDer));
    const signature = p7s.length - 256;
    const positions = [...Array(p7s.length).keys()].filter((at) => at <= certificate + 4 || (at >= certificate + pki.signerDer.length - 4 && at < signature));
    const codes = new Set<string>();
    for (const at of positions) {
      const bad = new Uint8Array(p7s);
      bad[at] = (bad[at] as number) ^ 1;
      try {
        verifyDetachedCms({ cmsDer: bad, contentBytes: XML, trustedCaDers: [pki.caDer], atEpochSeconds: NOW });
        throw new Error(`byte ${at} changed and the p7s was accepted`);
      } catch (e) {
        expect(e, `byte ${at}`).toBeInstanceOf(KskError);
        codes.add((e as KskError).code);
      }
    }
    expect(codes).toContain("CMS-NOT-DER");
    expect(codes).toContain("CMS-MALFORMED");
  });

  it("TA-CMS-DIGEST: one byte of the XML changed", async () => {
    const tampered = new Uint8Array(XML);
    tampered[100] = (tampered[100] as number) ^ 1;
    await expectCheck(() => verifyDetachedCms({ cmsDer: p7s, contentBytes: tampered, trustedCaDers: [pki.caDer], atEpochSeconds: NOW }), "TA-CMS-DIGEST");
  });

  it("TA-CMS-SIGNATURE: one byte of the signature changed", async () => {
    const bad = new Uint8Array(p7s);
    bad[bad.length - 5] = (bad[bad.length - 5] as number) ^ 1;
    await expectCheck(() => verifyDetachedCms({ cmsDer: bad, contentBytes: XML, trustedCaDers: [pki.caDer], atEpochSeconds: NOW }), "TA-CMS-SIGNATURE");
  });

  it("TA-CMS-CHAIN: verified against another CA", async () => {
    const other = await labPki(NOW);
    await expectCheck(() => verifyDetachedCms({ cmsDer: p7s, contentBytes: XML, trustedCaDers: [other.caDer], atEpochSeconds: NOW }), "TA-CMS-CHAIN");
    // …and with both CAs given, the right one is found.
    verifyDetachedCms({ cmsDer: p7s, contentBytes: XML, trustedCaDers: [other.caDer, pki.caDer], atEpochSeconds: NOW });
  });

  it("TA-CMS-EMAIL: a different expected signer email", async () => {
    const err = await expectCheck(
      () => verifyDetachedCms({ cmsDer: p7s, contentBytes: XML, trustedCaDers: [pki.caDer], signerEmail: "other@example.org", atEpochSeconds: NOW }),
      "TA-CMS-EMAIL",
    );
    expect(err.message).toContain("dnssec@iana.org");
  });

  it("TA-CMS-CERT-TIME: verified after the signer certificate expired, or before it was valid", async () => {
    await expectCheck(
      () => verifyDetachedCms({ cmsDer: p7s, contentBytes: XML, trustedCaDers: [pki.caDer], atEpochSeconds: NOW + 400 * DAY }),
      "TA-CMS-CERT-TIME",
    );
    await expectCheck(
      () => verifyDetachedCms({ cmsDer: p7s, contentBytes: XML, trustedCaDers: [pki.caDer], atEpochSeconds: NOW - 2 * DAY }),
      "TA-CMS-CERT-TIME",
    );
  });

  it("TA-CMS-CERT-TIME: a trusted CA whose notBefore or notAfter is not a valid time is refused, as openssl cms refuses it", async () => {
    for (const [which, index] of [
      ["notBefore", 0],
      ["notAfter", 1],
    ] as const) {
      // The validity's UTCTimes are the certificate's first two (tag 0x17, 13 octets YYMMDDHHMMSSZ); month 13.
      const corrupt = new Uint8Array(pki.caDer);
      let at = -1;
      for (let n = 0; n <= index; n++) at = Buffer.from(corrupt).indexOf(Buffer.from([0x17, 0x0d]), at + 1);
      corrupt.set(new TextEncoder().encode("13"), at + 4);
      const err = await expectCheck(
        () => verifyDetachedCms({ cmsDer: p7s, contentBytes: XML, trustedCaDers: [corrupt], atEpochSeconds: NOW }),
        "TA-CMS-CERT-TIME",
      );
      expect(err.message).toContain(`${which} that is not a valid time`);
      if (hasTool("openssl")) {
        const r = opensslCmsVerify({
          p7sFile: file("ok.p7s", p7s),
          contentFile: file("ok.xml", XML),
          caFile: file(`corrupt-${which}.pem`, toPem(corrupt, "CERTIFICATE")),
        });
        expect(r.status, r.stderr).not.toBe(0);
      }
    }
  });

  it("refuses to sign with an expired signer certificate, or with a key that is not the certificate's", async () => {
    await expectCheck(
      () => signDetachedCms({ contentBytes: XML, signer: pki.signer, signerCertificateDer: pki.signerDer, signingEpochSeconds: NOW + 400 * DAY }),
      "TA-CMS-CERT-TIME",
    );
    const stranger = rawSignerFromPrivateKey(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey);
    await expect(signDetachedCms({ contentBytes: XML, signer: stranger, signerCertificateDer: pki.signerDer, signingEpochSeconds: NOW })).rejects.toMatchObject(
      { code: "CMS-KEY-MISMATCH" },
    );
  });

  it("a signer certificate without the emailAddress fails, one with another email fails", async () => {
    const other = await labPki(NOW, { email: "noc@lab.example" });
    const s = await signDetachedCms({ contentBytes: XML, signer: other.signer, signerCertificateDer: other.signerDer, signingEpochSeconds: NOW });
    await expectCheck(() => verifyDetachedCms({ cmsDer: s, contentBytes: XML, trustedCaDers: [other.caDer], atEpochSeconds: NOW }), "TA-CMS-EMAIL");
    verifyDetachedCms({ cmsDer: s, contentBytes: XML, trustedCaDers: [other.caDer], signerEmail: "noc@lab.example", atEpochSeconds: NOW });
  });

  it.runIf(hasTool("openssl"))("openssl cms -verify -binary accepts it, and rejects it for the tampered XML", () => {
    const args = (content: string) => [
      "cms",
      "-verify",
      "-binary",
      "-inform",
      "DER",
      "-in",
      file("r.p7s", p7s),
      "-content",
      content,
      "-CAfile",
      file("ca.pem", toPem(pki.caDer, "CERTIFICATE")),
      "-attime",
      String(NOW),
      "-out",
      "/dev/null",
    ];
    const ok = runTool("openssl", args(file("r.xml", XML)));
    expect(ok.status, ok.stderr).toBe(0);
    const tampered = new Uint8Array(XML);
    tampered[200] = (tampered[200] as number) ^ 0x20;
    const bad = runTool("openssl", args(file("bad.xml", tampered)));
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/Verification failure/);
  });

  it.runIf(hasTool("openssl"))("our verifier accepts a p7s made by openssl cms -sign -binary, and rejects it for other bytes", () => {
    const key = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    return (async () => {
      const signer = rawSignerFromPrivateKey(key);
      const certDer = await issueSignerCertificate({
        caCertificateDer: pki.caDer,
        caSigner: pki.ca,
        subjectPublicKeyInfoDer: signer.subjectPublicKeyInfoDer,
        serialNumberBytes: randomBytes(12),
        notBeforeEpochSeconds: NOW - DAY,
        notAfterEpochSeconds: NOW + 30 * DAY,
      });
      const out = path.join(dir, "openssl.p7s");
      const r = runTool("openssl", [
        "cms",
        "-sign",
        "-binary",
        "-outform",
        "DER",
        "-in",
        file("o.xml", XML),
        "-signer",
        file("o.pem", toPem(certDer, "CERTIFICATE")),
        "-inkey",
        file("o.key", key.export({ format: "pem", type: "pkcs8" }) as string),
        "-md",
        "sha256",
        "-out",
        out,
      ]);
      expect(r.status).toBe(0);
      const der = new Uint8Array(readFileSync(out));
      const v = verifyDetachedCms({ cmsDer: der, contentBytes: XML, trustedCaDers: [pki.caDer], atEpochSeconds: NOW });
      expect(v.signers[0]?.emails).toEqual(["dnssec@iana.org"]);
      // -keyid: the SignerInfo names its certificate by subjectKeyIdentifier instead (RFC 5652 §5.3).
      const byKeyId = path.join(dir, "openssl-keyid.p7s");
      const k = runTool("openssl", [
        "cms",
        "-sign",
        "-binary",
        "-keyid",
        "-outform",
        "DER",
        "-in",
        file("o.xml", XML),
        "-signer",
        file("o.pem", toPem(certDer, "CERTIFICATE")),
        "-inkey",
        file("o.key", key.export({ format: "pem", type: "pkcs8" }) as string),
        "-md",
        "sha256",
        "-out",
        byKeyId,
      ]);
      expect(k.status).toBe(0);
      verifyDetachedCms({ cmsDer: new Uint8Array(readFileSync(byKeyId)), contentBytes: XML, trustedCaDers: [pki.caDer], atEpochSeconds: NOW });
      await expectCheck(
        () => verifyDetachedCms({ cmsDer: der, contentBytes: new Uint8Array([...XML, 0x0a]), trustedCaDers: [pki.caDer], atEpochSeconds: NOW }),
        "TA-CMS-DIGEST",
      );
    })();
  });
});

describe("signer keys", () => {
  it("an ECDSA P-256 signer key works, and openssl agrees", async () => {
    const pki = await labPki(NOW, {}, "ec");
    const p7s = await signDetachedCms({ contentBytes: XML, signer: pki.signer, signerCertificateDer: pki.signerDer, signingEpochSeconds: NOW });
    verifyDetachedCms({ cmsDer: p7s, contentBytes: XML, trustedCaDers: [pki.caDer], atEpochSeconds: NOW });
    if (hasTool("openssl")) {
      const r = opensslCmsVerify({
        p7sFile: file("ec.p7s", p7s),
        contentFile: file("ec.xml", XML),
        caFile: file("ec-ca.pem", toPem(pki.caDer, "CERTIFICATE")),
        atEpochSeconds: NOW,
      });
      expect(r.status).toBe(0);
    }
  });

  it("a key reached through a DNSSEC Signer (the HSM path) signs the CMS; a signer that lies is caught", async () => {
    const pki = await labPki(NOW);
    const ksk = testSigner({ algorithm: 8, flags: 257 });
    const raw = rawSignerFromDnssecSigner(ksk);
    const certDer = await issueSignerCertificate({
      caCertificateDer: pki.caDer,
      caSigner: pki.ca,
      subjectPublicKeyInfoDer: raw.subjectPublicKeyInfoDer,
      serialNumberBytes: randomBytes(8),
      notBeforeEpochSeconds: NOW - DAY,
      notAfterEpochSeconds: NOW + DAY,
    });
    const p7s = await signDetachedCms({ contentBytes: XML, signer: raw, signerCertificateDer: certDer, signingEpochSeconds: NOW });
    verifyDetachedCms({ cmsDer: p7s, contentBytes: XML, trustedCaDers: [pki.caDer], atEpochSeconds: NOW });
    const liar = { ...raw, sign: async (d: Uint8Array) => (await raw.sign(d)).map((b, i) => (i === 0 ? b ^ 1 : b)) };
    await expect(signDetachedCms({ contentBytes: XML, signer: liar, signerCertificateDer: certDer, signingEpochSeconds: NOW })).rejects.toMatchObject({
      kind: "keystore",
      code: "SIGNATURE-UNVERIFIED",
    });
  });
});

describe("lab CA certificates as unbound-anchor needs them", async () => {
  const pki = await labPki(NOW);
  it.runIf(hasTool("openssl"))("signer: emailAddress in the subject, keyUsage digitalSignature (critical), EKU emailProtection, chains to the CA", () => {
    const pem = file("signer.pem", toPem(pki.signerDer, "CERTIFICATE"));
    const text = runTool("openssl", ["x509", "-in", pem, "-noout", "-text"]).stdout;
    expect(text).toMatch(/Subject: .*emailAddress = dnssec@iana.org/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s+E-mail Protection\n/);
    expect(text).toMatch(/CA:FALSE/);
    const verify = runTool("openssl", [
      "verify",
      "-attime",
      String(NOW),
      "-purpose",
      "smimesign",
      "-CAfile",
      file("ca2.pem", toPem(pki.caDer, "CERTIFICATE")),
      pem,
    ]);
    expect(verify.stdout).toContain("OK");
    expect(verify.status).toBe(0);
  });
  it.runIf(hasTool("openssl"))("CA: self-signed, CA:TRUE, keyCertSign", () => {
    const text = runTool("openssl", ["x509", "-in", file("ca3.pem", toPem(pki.caDer, "CERTIFICATE")), "-noout", "-text"]).stdout;
    expect(text).toMatch(/CA:TRUE/);
    expect(text).toMatch(/Certificate Sign, CRL Sign/);
  });
  it("a signer certificate with an EKU lacking emailProtection fails TA-CMS-CERT-USAGE", async () => {
    // A TLS server certificate from the same CA: its EKU is serverAuth only. The usage check comes
    // before the email check, so the missing emailAddress does not mask it.
    const { issueServerCertificate } = await import("../src/index.js");
    const signer = rawSignerFromPrivateKey(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey);
    const der = await issueServerCertificate({
      caCertificateDer: pki.caDer,
      caSigner: pki.ca,
      subjectPublicKeyInfoDer: signer.subjectPublicKeyInfoDer,
      serialNumberBytes: randomBytes(8),
      notBeforeEpochSeconds: NOW - DAY,
      notAfterEpochSeconds: NOW + DAY,
      commonName: "dnssec@iana.org",
    });
    const p7s = await signDetachedCms({ contentBytes: XML, signer, signerCertificateDer: der, signingEpochSeconds: NOW });
    await expectCheck(() => verifyDetachedCms({ cmsDer: p7s, contentBytes: XML, trustedCaDers: [pki.caDer], atEpochSeconds: NOW }), "TA-CMS-CERT-USAGE");
  });
});
