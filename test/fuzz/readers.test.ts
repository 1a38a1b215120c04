/**
 * Property: every reader of outside input — zone files, KSR/SKR XML, root-anchors.xml, the signer
 * config YAML, the KSR policy YAML, a .p7s, a CSR, certificates — either accepts its input or
 * throws the toolkit's coded KskError; never a TypeError, a RangeError, a stack overflow or a
 * library's raw error (which the CLI would report as an internal error, exit 70). Inputs are
 * random bytes and random edits (bit flips, inserted markup and control bytes, deletions,
 * truncations) of real files: IANA's KSRs and SKRs, the 2024 root-anchors.xml, the real root apex.
 */
import { parseIsoUtc, parseZone } from "@ksk/core";
import { parseKsrPolicyYaml, parseKsrXml } from "@ksk/ksr";
import { parseSignerConfig } from "@ksk/signer";
import {
  checkKskCsr,
  createKskCsr,
  parseCertificate,
  parseRootAnchors,
  readCertificates,
  readKskCsr,
  signDetachedCms,
  toPem,
  verifyDetachedCms,
} from "@ksk/trust-anchor";
import fc from "fast-check";
import { beforeAll, describe, it } from "vitest";
import { labConfigText, labKsks } from "../../packages/signer/test/helpers.js";
import { labPki } from "../../packages/trust-anchor/test/support.js";
import { testSigner } from "../support/soft-signer.js";
import { acceptsOrCodedError, fuzzParameters, mutatedBytes, repoBytes } from "../support/fuzz.js";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

const KSR = repoBytes("packages/ksr/test/fixtures/ksr-root-2017-q2-0.xml");
const SKR = repoBytes("packages/ksr/test/fixtures/skr-root-2017-q1-0.xml");
const ANCHORS = repoBytes("packages/trust-anchor/test/fixtures/root-anchors-rfc9718-2024.xml");
const APEX = repoBytes("packages/core/test/fixtures/root-apex-2023-11-04.txt");
const CONFIG = new TextEncoder().encode(labConfigText(labKsks()));
const POLICY = new TextEncoder().encode(
  "request_policy:\n  num_bundles: 9\n  approved_algorithms: [RSASHA256]\n  num_keys_per_bundle: [2, 1, 1, 1, 1, 1, 1, 1, 2]\n  signature_horizon_days: 180\n",
);
const NOW = parseIsoUtc("2026-11-28T00:00:00Z");

const anyBytes = fc.uint8Array({ maxLength: 4096 });

function readerProperty(seed: Uint8Array | (() => Uint8Array), read: (bytes: Uint8Array) => unknown, runs = 150) {
  return () => {
    const original = typeof seed === "function" ? seed() : seed;
    fc.assert(
      fc.property(fc.oneof({ weight: 4, arbitrary: mutatedBytes(original) }, { weight: 1, arbitrary: anyBytes }), (bytes) => {
        acceptsOrCodedError(() => read(bytes));
      }),
      fuzzParameters(runs),
    );
  };
}

describe("readers throw only coded errors", () => {
  let p7s: Uint8Array;
  let xml: Uint8Array;
  let caDer: Uint8Array;
  let csrPem: Uint8Array;
  let certPem: Uint8Array;
  beforeAll(async () => {
    const pki = await labPki(NOW);
    xml = ANCHORS;
    caDer = pki.caDer;
    p7s = await signDetachedCms({ contentBytes: xml, signer: pki.signer, signerCertificateDer: pki.signerDer, signingEpochSeconds: NOW });
    csrPem = new TextEncoder().encode(
      toPem(await createKskCsr({ signer: testSigner({ algorithm: 8, flags: 257 }), generationEpochSeconds: NOW }), "CERTIFICATE REQUEST"),
    );
    certPem = new TextEncoder().encode(toPem(pki.signerDer, "CERTIFICATE") + toPem(pki.caDer, "CERTIFICATE"));
  });

  it(
    "zone files (the real root apex)",
    readerProperty(APEX, (b) => parseZone(text(b), { fileName: "fuzz.zone" })),
  );
  it(
    "KSR XML (IANA's 2017 Q2 KSR)",
    readerProperty(KSR, (b) => parseKsrXml(b, { fileName: "fuzz.xml" })),
  );
  it(
    "SKR XML (IANA's 2017 Q1 SKR)",
    readerProperty(SKR, (b) => parseKsrXml(b, { fileName: "fuzz.xml" })),
  );
  it(
    "root-anchors.xml (IANA's 2024 file)",
    readerProperty(ANCHORS, (b) => parseRootAnchors(b, "fuzz.xml")),
  );
  it(
    "signer config YAML",
    readerProperty(CONFIG, (b) => parseSignerConfig(text(b), "fuzz.yaml")),
  );
  it(
    "KSR policy YAML",
    readerProperty(POLICY, (b) => parseKsrPolicyYaml(text(b), "fuzz.yaml")),
  );
  it(
    "p7s (a lab signature over root-anchors.xml)",
    readerProperty(
      () => p7s,
      (b) => verifyDetachedCms({ cmsDer: b, contentBytes: xml, trustedCaDers: [caDer], atEpochSeconds: NOW }),
      100,
    ),
  );
  it(
    "CSR (a KSK's PKCS#10 request, PEM)",
    readerProperty(
      () => csrPem,
      (b) => checkKskCsr(readKskCsr(b, "fuzz.csr")),
      100,
    ),
  );
  it(
    "certificates (PEM chain)",
    readerProperty(
      () => certPem,
      (b) => {
        for (const der of readCertificates(b, "fuzz.pem")) parseCertificate(der, "fuzz.pem");
      },
      100,
    ),
  );
});
