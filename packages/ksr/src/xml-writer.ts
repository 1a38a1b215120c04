/**
 * The canonical writer of KSR/SKR XML. One form only, so that the same document always gives the
 * same bytes (and the same SHA-256 read aloud at a ceremony):
 *   - `<?xml version="1.0" encoding="UTF-8"?>`, 4-space indentation, a final newline;
 *   - elements in the schema's order (ksr.rnc), times as `YYYY-MM-DDTHH:MM:SS+00:00`, durations
 *     as the shortest ISO 8601 form (`P21D`, `PT0S`), key tags unpadded, base64 unwrapped;
 *   - bundles in document order (the timeline is the producer's statement; sorting could hide a
 *     misordered KSR from KSR-POLICY-SIG-OVERLAP); keys sorted by key tag, then by DNSKEY RDATA;
 *     signatures sorted by key tag, algorithm, then signature octets; Signer elements sorted;
 *   - every attribute and text escaped by xmlbuilder2 with `wellFormed: true`, which also refuses
 *     characters XML cannot carry. Nothing is built by string concatenation;
 *   - no `timestamp` attribute on Request/Response unless asked for (`{ timestamp: true }`): ksr.rnc
 *     allows it, but no KSR or SKR of the root's (2010 on) carries it, and IANA's dnssec-keytools
 *     readers fail on a Request or Response that has one. The element and attribute skeleton is
 *     the real files' (packages/ksr/test/xml-skeleton.test.ts compares it).
 * Not written: comments, or anything the model does not hold.
 */
import { bytesToBase64, compareBytes, encodeRdata, formatDuration, formatIsoUtc, nameToString, typeToString } from "@ksk/core";
import { create } from "xmlbuilder2";
import type { XMLBuilder } from "xmlbuilder2/lib/interfaces.js";
import { type Bundle, type BundleKey, type BundleSignature, type KsrDocument, type SignaturePolicy, bundleKeyTag } from "./model.js";

/** Keys in canonical order: key tag, then DNSKEY RDATA (two keys may share a tag). */
export function compareBundleKeys(a: BundleKey, b: BundleKey): number {
  return bundleKeyTag(a) - bundleKeyTag(b) || compareBytes(encodeRdata(a.dnskey), encodeRdata(b.dnskey));
}

/** Signatures in canonical order: key tag, algorithm, then signature octets. */
export function compareBundleSignatures(a: BundleSignature, b: BundleSignature): number {
  return a.rrsig.keyTag - b.rrsig.keyTag || a.rrsig.algorithm - b.rrsig.algorithm || compareBytes(a.rrsig.signatureBytes, b.rrsig.signatureBytes);
}

/** The bundle as the writer emits it: keys, signatures and signers in canonical order. */
export function canonicalBundle(bundle: Bundle): Bundle {
  return {
    ...bundle,
    keys: [...bundle.keys].sort(compareBundleKeys),
    signatures: [...bundle.signatures].sort(compareBundleSignatures),
    ...(bundle.signers ? { signers: [...bundle.signers].sort() } : {}),
  };
}

export interface WriteKsrOptions {
  /** Write the document's `timestampEpochSeconds` as the Request/Response `timestamp` attribute (default: not written). */
  readonly timestamp?: boolean;
}

/** The document as the writer emits it (what reading the written bytes gives back). */
export function canonicalDocument<D extends KsrDocument>(document: D, options: WriteKsrOptions = {}): D {
  const canonical: D = { ...document, bundles: document.bundles.map(canonicalBundle) };
  if (options.timestamp !== true) delete (canonical as { timestampEpochSeconds?: number }).timestampEpochSeconds;
  return canonical;
}

export function writeKsrXml(document: KsrDocument, options: WriteKsrOptions = {}): Uint8Array {
  const root = create({ version: "1.0", encoding: "UTF-8" }).ele("KSR", { id: document.id, domain: document.domain, serial: String(document.serial) });
  const body = root.ele(document.kind === "request" ? "Request" : "Response");
  if (options.timestamp === true && document.timestampEpochSeconds !== undefined) body.att("timestamp", formatIsoUtc(document.timestampEpochSeconds));
  if (document.kind === "request") {
    writePolicy(body.ele("RequestPolicy").ele("ZSK"), document.policy.zsk);
  } else {
    const policy = body.ele("ResponsePolicy");
    writePolicy(policy.ele("KSK"), document.policy.ksk);
    writePolicy(policy.ele("ZSK"), document.policy.zsk);
  }
  for (const bundle of document.bundles.map(canonicalBundle)) {
    writeBundle(body.ele(document.kind === "request" ? "RequestBundle" : "ResponseBundle", { id: bundle.id }), bundle);
  }
  const xml = root.end({ prettyPrint: true, indent: "    ", wellFormed: true, newline: "\n" });
  return new TextEncoder().encode(`${xml}\n`);
}

function text(parent: XMLBuilder, name: string, value: string): void {
  parent.ele(name).txt(value);
}

function writePolicy(e: XMLBuilder, policy: SignaturePolicy): void {
  text(e, "PublishSafety", formatDuration(policy.publishSafetySeconds));
  text(e, "RetireSafety", formatDuration(policy.retireSafetySeconds));
  text(e, "MaxSignatureValidity", formatDuration(policy.maxSignatureValiditySeconds));
  text(e, "MinSignatureValidity", formatDuration(policy.minSignatureValiditySeconds));
  text(e, "MaxValidityOverlap", formatDuration(policy.maxValidityOverlapSeconds));
  text(e, "MinValidityOverlap", formatDuration(policy.minValidityOverlapSeconds));
  for (const a of policy.algorithms) {
    const alg = e.ele("SignatureAlgorithm", { algorithm: String(a.algorithm) });
    if (a.family === "RSA") alg.ele("RSA", { size: String(a.sizeBits), exponent: String(a.exponent) });
    else alg.ele(a.family, { size: String(a.sizeBits) });
  }
}

function writeBundle(e: XMLBuilder, bundle: Bundle): void {
  text(e, "Inception", formatIsoUtc(bundle.inceptionEpochSeconds));
  text(e, "Expiration", formatIsoUtc(bundle.expirationEpochSeconds));
  for (const signer of bundle.signers ?? []) e.ele("Signer", { keyIdentifier: signer });
  for (const key of bundle.keys) {
    const k = e.ele(
      "Key",
      key.keyIdentifier === undefined ? { keyTag: String(bundleKeyTag(key)) } : { keyIdentifier: key.keyIdentifier, keyTag: String(bundleKeyTag(key)) },
    );
    text(k, "TTL", String(key.ttlSeconds));
    text(k, "Flags", String(key.dnskey.flags));
    text(k, "Protocol", String(key.dnskey.protocol));
    text(k, "Algorithm", String(key.dnskey.algorithm));
    text(k, "PublicKey", bytesToBase64(key.dnskey.publicKeyBytes));
  }
  for (const sig of bundle.signatures) {
    const s = e.ele("Signature", sig.keyIdentifier === undefined ? {} : { keyIdentifier: sig.keyIdentifier });
    const r = sig.rrsig;
    text(s, "TTL", String(sig.ttlSeconds));
    text(s, "TypeCovered", typeToString(r.typeCovered));
    text(s, "Algorithm", String(r.algorithm));
    text(s, "Labels", String(r.labels));
    text(s, "OriginalTTL", String(r.originalTtlSeconds));
    text(s, "SignatureExpiration", formatIsoUtc(r.expirationEpochSeconds));
    text(s, "SignatureInception", formatIsoUtc(r.inceptionEpochSeconds));
    text(s, "KeyTag", String(r.keyTag));
    text(s, "SignersName", nameToString(r.signerName));
    text(s, "SignatureData", bytesToBase64(r.signatureBytes));
  }
}
