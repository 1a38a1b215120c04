/**
 * Property: a single changed byte in a signed artefact is caught by its verifier.
 * - an RRSIG'd RRset (RFC 4034 §3.1.8.1): any byte of the records' RDATA or of the RRSIG RDATA;
 * - root-anchors.p7s over root-anchors.xml (RFC 5652): any byte of the DER, or of the XML it signs;
 * - an SKR (IANA's 2017 Q1 SKR, KSK-2010 as the anchor): any byte of what its signatures cover —
 *   the DNSKEY fields and every RRSIG field.
 * "Caught" means the reader refuses the changed bytes with a coded error, or the verifier fails.
 * A byte is changed by XOR 0x01, which never turns a letter into its other case (DNS names compare
 * case-insensitively, RFC 4343, so a case change in a name is not a change).
 */
import {
  type AnchorRecord,
  type RR,
  type RrsigRdata,
  makeRR,
  parseIsoUtc,
  parseName,
  parseZone,
  rrFromWire,
  rrToWire,
  signRrset,
  verifyRrsig,
} from "@ksk/core";
import { parseKsrXml } from "@ksk/ksr";
import { verifySkr } from "@ksk/signer";
import { signDetachedCms, verifyDetachedCms } from "@ksk/trust-anchor";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { labPki } from "../../packages/trust-anchor/test/support.js";
import { acceptsOrCodedError, fuzzParameters, repoBytes } from "../support/fuzz.js";
import { testSigner } from "../support/soft-signer.js";

const NOW = parseIsoUtc("2026-11-28T00:00:00Z");

function flipped(bytes: Uint8Array, at: number): Uint8Array {
  const out = bytes.slice();
  out[at] = (out[at] as number) ^ 0x01;
  return out;
}

describe("a changed byte is caught", () => {
  it("in an RRSIG'd RRset: the records' RDATA or the RRSIG's", async () => {
    const signer = testSigner({ algorithm: 13, flags: 257 });
    const owner = parseName("example.");
    const rrset = parseZone('example. 3600 IN TXT "first" "second"\nexample. 3600 IN TXT "third"\nexample. 3600 IN TXT "a longer string, with spaces"\n', {
      fileName: "rrset.zone",
    });
    const rrsig = await signRrset(signer, rrset, {
      typeCovered: 16,
      algorithm: 13,
      labels: 1,
      originalTtlSeconds: 3600,
      expirationEpochSeconds: NOW + 86400,
      inceptionEpochSeconds: NOW - 86400,
      keyTag: signer.keyTag,
      signerName: owner,
    });
    const keys = [makeRR(owner, 3600, signer.dnskey)];
    expect(verifyRrsig(rrset, rrsig, keys, NOW).status).toBe("valid");
    const wires = [...rrset, rrsig].map((rr) => rrToWire(rr));
    // Only RDATA bytes: the RRSIG covers the Original TTL, not a record's own TTL.
    const positions = wires.flatMap((wire, record) => {
      const start = wire.length - rdataLength(wire);
      return Array.from({ length: wire.length - start }, (_, i) => ({ record, at: start + i }));
    });
    fc.assert(
      fc.property(fc.constantFrom(...positions), ({ record, at }) => {
        const changed = acceptsOrCodedError(() => rrFromWire(flipped(wires[record] as Uint8Array, at), 0).rr);
        if (changed === undefined) return; // refused as malformed wire data: caught
        const records = rrset.map((rr, i) => (i === record ? changed : rr));
        const signature = (record === rrset.length ? changed : rrsig) as RR<RrsigRdata>;
        if (signature.rdata.kind !== "RRSIG") return; // no longer an RRSIG: caught
        expect(verifyRrsig(records, signature, keys, NOW).status, `byte ${at} of record ${record}`).not.toBe("valid");
      }),
      fuzzParameters(200),
    );
  });

  describe("in root-anchors.p7s or the XML it signs", () => {
    const xml = repoBytes("packages/trust-anchor/test/fixtures/root-anchors-rfc9718-2024.xml");
    let p7s: Uint8Array;
    let caDer: Uint8Array;
    beforeAll(async () => {
      const pki = await labPki(NOW);
      caDer = pki.caDer;
      p7s = await signDetachedCms({ contentBytes: xml, signer: pki.signer, signerCertificateDer: pki.signerDer, signingEpochSeconds: NOW });
    });
    const verify = (der: Uint8Array, content: Uint8Array) =>
      verifyDetachedCms({ cmsDer: der, contentBytes: content, trustedCaDers: [caDer], atEpochSeconds: NOW });

    it("any byte of the DER", () => {
      expect(verify(p7s, xml).signers).toHaveLength(1);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: p7s.length - 1 }), (at) => {
          expect(
            acceptsOrCodedError(() => verify(flipped(p7s, at), xml)),
            `byte ${at} of the p7s`,
          ).toBeUndefined();
        }),
        fuzzParameters(300),
      );
    });

    it("any byte of the XML", () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: xml.length - 1 }), (at) => {
          expect(
            acceptsOrCodedError(() => verify(p7s, flipped(xml, at))),
            `byte ${at} of the XML`,
          ).toBeUndefined();
        }),
        fuzzParameters(200),
      );
    });
  });

  it("in an SKR: any byte of the signed DNSKEY and RRSIG fields", () => {
    const skr = repoBytes("packages/ksr/test/fixtures/skr-root-2017-q1-0.xml");
    const text = Buffer.from(skr).toString("latin1");
    const ksk2010 = parseZone(". 172800 IN DS 19036 8 2 49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5\n", {
      fileName: "anchor",
    }) as AnchorRecord[];
    const check = (bytes: Uint8Array) => {
      const doc = parseKsrXml(bytes).document;
      if (doc.kind !== "response") throw new Error("not an SKR");
      return verifySkr(doc, { anchors: ksk2010 }).ok;
    };
    expect(check(skr)).toBe(true);
    // What the KSK's RRSIGs cover: each bundle's DNSKEY RRset and the RRSIG fields themselves.
    const SIGNED = [
      "Flags",
      "Protocol",
      "Algorithm",
      "PublicKey",
      "TypeCovered",
      "Labels",
      "OriginalTTL",
      "SignatureExpiration",
      "SignatureInception",
      "KeyTag",
      "SignersName",
      "SignatureData",
    ];
    const positions: number[] = [];
    for (const m of text.matchAll(new RegExp(`<(${SIGNED.join("|")})>([^<]*)</\\1>`, "g"))) {
      const start = (m.index as number) + m[1]!.length + 2;
      for (let i = 0; i < (m[2] as string).length; i++) if (!/\s/.test((m[2] as string)[i] as string)) positions.push(start + i);
    }
    expect(positions.length).toBeGreaterThan(5000);
    fc.assert(
      fc.property(fc.constantFrom(...positions), (at) => {
        const verdict = acceptsOrCodedError(() => check(flipped(skr, at)));
        expect(verdict, `byte ${at} ("${text[at]}") of the SKR`).not.toBe(true);
      }),
      fuzzParameters(200),
    );
  });
});

/** RDLENGTH of a wire-form RR (uncompressed): after the owner name, TYPE, CLASS and TTL. */
function rdataLength(wire: Uint8Array): number {
  let at = 0;
  while ((wire[at] as number) !== 0) at += (wire[at] as number) + 1;
  at += 1 + 8;
  return ((wire[at] as number) << 8) | (wire[at + 1] as number);
}
