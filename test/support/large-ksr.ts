/**
 * TEST ONLY: KSRs at the reader's limits, made here rather than stored (they are large and
 * regular). `largeKsr` is 1,352 bundles in at most 1 MiB: each bundle the one Ed25519 ZSK's DNSKEY
 * RRset with its proof-of-possession RRSIG (the same RRset and window in every bundle, so one
 * signature serves all), bundles a day apart, written by the canonical writer and unindented as
 * some real files are. (Ed25519 for its short key; ksr.rnc has no EdDSA element, so the
 * RequestPolicy declares it in the ECDSA form.) `manySigners` is a bundle of 60,000 `<Signer/>` elements, and `deeplyNested`
 * nests `depth` elements inside a document element.
 */
import { ROOT, RRType, makeRR, signRrset } from "@ksk/core";
import { type Bundle, type KsrRequestDocument, writeKsrXml } from "@ksk/ksr";
import { testSigner } from "./soft-signer.js";

export const LARGE_KSR_BUNDLES = 1352;
const DAY = 86400;

export async function largeKsr(startEpochSeconds: number): Promise<Uint8Array> {
  const zsk = testSigner({ algorithm: 15, label: "Zscale" });
  const ttlSeconds = 172800;
  const rrset = [makeRR(ROOT, ttlSeconds, zsk.dnskey)];
  const rrsig = await signRrset(zsk, rrset, {
    typeCovered: RRType.DNSKEY,
    algorithm: 15,
    labels: 0,
    originalTtlSeconds: ttlSeconds,
    inceptionEpochSeconds: startEpochSeconds,
    expirationEpochSeconds: startEpochSeconds + 30 * DAY,
    keyTag: zsk.keyTag,
    signerName: ROOT,
  });
  const bundles: Bundle[] = Array.from({ length: LARGE_KSR_BUNDLES }, (_, i) => ({
    id: `b${String(i).padStart(4, "0")}`,
    inceptionEpochSeconds: startEpochSeconds + i * DAY,
    expirationEpochSeconds: startEpochSeconds + i * DAY + 21 * DAY,
    keys: [{ ttlSeconds, dnskey: zsk.dnskey }],
    signatures: [{ ttlSeconds, rrsig: rrsig.rdata }],
  }));
  const hour = 3600;
  const document: KsrRequestDocument = {
    kind: "request",
    id: "scale-test",
    serial: 1,
    domain: ".",
    policy: {
      zsk: {
        publishSafetySeconds: 10 * DAY,
        retireSafetySeconds: 10 * DAY,
        maxSignatureValiditySeconds: 21 * DAY,
        minSignatureValiditySeconds: 21 * DAY,
        maxValidityOverlapSeconds: 12 * hour,
        minValidityOverlapSeconds: 9 * hour,
        algorithms: [{ family: "ECDSA", algorithm: 15, sizeBits: 256 }],
      },
    },
    bundles,
  };
  const text = new TextDecoder().decode(writeKsrXml(document)).replace(/>\s+</g, "><");
  return new TextEncoder().encode(text);
}

const REQUEST_HEAD =
  '<KSR id="x" serial="1" domain="."><Request><RequestPolicy><ZSK><PublishSafety>P10D</PublishSafety><RetireSafety>P10D</RetireSafety>' +
  "<MaxSignatureValidity>P21D</MaxSignatureValidity><MinSignatureValidity>P21D</MinSignatureValidity><MaxValidityOverlap>PT12H</MaxValidityOverlap>" +
  '<MinValidityOverlap>PT9H</MinValidityOverlap><SignatureAlgorithm algorithm="8"><RSA size="2048" exponent="65537"/></SignatureAlgorithm></ZSK></RequestPolicy>';

/**
 * A KSR whose one bundle holds 60,000 `<Signer/>` (each lacking its required keyIdentifier), in
 * their place before the bundle's Key and Signature (left empty: the first Signer is refused first).
 */
export function manySigners(count = 60_000): Uint8Array {
  const signers = "<Signer/>\n".repeat(count);
  return new TextEncoder().encode(
    `${REQUEST_HEAD}\n<RequestBundle id="b"><Inception>2026-01-01T00:00:00</Inception><Expiration>2026-01-22T00:00:00</Expiration>\n${signers}<Key/><Signature/></RequestBundle></Request></KSR>\n`,
  );
}

/**
 * `depth` nested `<n>` elements, one per line, inside `open` (the document's first line, e.g.
 * `<KSR …><Request>`) and closed by `close`: the element at nesting level L starts on line L - k + 1
 * where k is the number of elements `open` opens.
 */
export function deeplyNested(open: string, close: string, depth: number): Uint8Array {
  return new TextEncoder().encode(`${open}\n${"<n>\n".repeat(depth)}${"</n>".repeat(depth)}${close}\n`);
}
