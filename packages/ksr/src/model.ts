/**
 * The KSR/SKR document model. One schema serves both files (ksr.rnc, Schlyter, Blacka, Abley,
 * 2010): a `KSR` root element holding either a `Request` (the ZSK operator's Key Signing Request)
 * or a `Response` (the KSK operator's Signed Key Response). Durations are seconds, times are epoch
 * seconds (UTC), keys and signatures are core's DNSKEY/RRSIG RDATA, so everything downstream (key
 * tags, signed data, verification) is computed by @ksk/core and never stored beside the data.
 *
 * Left out: anything about files or bytes (see ./xml-reader.ts and ./xml-writer.ts).
 */
import { type DnskeyRdata, type Name, type RR, type RrsigRdata, decodeRsaPublicKey, inputError, keyTag, makeRR, parseName } from "@ksk/core";

/** An algorithm the policy block declares, with its parameters (ksr.rnc `algorithmPolicy`). */
export type AlgorithmPolicy =
  | { readonly family: "RSA"; readonly algorithm: number; readonly sizeBits: number; readonly exponent: number }
  /** Not in the 2010 schema; IANA's dnssec-keytools added it for ECDSA ZSKs. */
  | { readonly family: "ECDSA"; readonly algorithm: number; readonly sizeBits: number }
  /** In the 2010 schema; DSA is deprecated (RFC 8624 §3.1), so KSR-POLICY-ALG always refuses it. */
  | { readonly family: "DSA"; readonly algorithm: number; readonly sizeBits: number };

/** ksr.rnc `anykeyPolicy`: the signing policy of one key role (ZSK or KSK). */
export interface SignaturePolicy {
  readonly publishSafetySeconds: number;
  readonly retireSafetySeconds: number;
  readonly maxSignatureValiditySeconds: number;
  readonly minSignatureValiditySeconds: number;
  readonly maxValidityOverlapSeconds: number;
  readonly minValidityOverlapSeconds: number;
  /** One or more; two during a ZSK size change (ksr-root-2016-q3-0.xml). */
  readonly algorithms: readonly AlgorithmPolicy[];
}

/** The `RequestPolicy` block of a KSR: the ZSK operator's declared policy. */
export interface RequestPolicy {
  readonly zsk: SignaturePolicy;
}

/** The `ResponsePolicy` block of an SKR: the KSK operator's policy and the ZSK policy echoed. */
export interface ResponsePolicy {
  readonly ksk: SignaturePolicy;
  readonly zsk: SignaturePolicy;
}

/** A `Key` element. Its key tag is `keyTag(key.dnskey)`; the file's `keyTag` attribute is checked on reading. */
export interface BundleKey {
  /** Opaque to DNS: the producer's name for the key (a hex DER subject, a PKCS#11 label). */
  readonly keyIdentifier?: string;
  readonly ttlSeconds: number;
  readonly dnskey: DnskeyRdata;
}

/** A `Signature` element: an RRSIG over the bundle's DNSKEY RRset. */
export interface BundleSignature {
  readonly keyIdentifier?: string;
  /** The TTL of the RRSIG record itself (the signed data uses `rrsig.originalTtlSeconds`). */
  readonly ttlSeconds: number;
  readonly rrsig: RrsigRdata;
}

/** A `RequestBundle` or `ResponseBundle`: one time slot. */
export interface Bundle {
  readonly id: string;
  readonly inceptionEpochSeconds: number;
  readonly expirationEpochSeconds: number;
  readonly keys: readonly BundleKey[];
  readonly signatures: readonly BundleSignature[];
  /** Request bundles only: `Signer` elements naming the KSKs asked to sign (ksr.rnc, optional). */
  readonly signers?: readonly string[];
}

interface DocumentHeader {
  readonly id: string;
  readonly serial: number;
  /** The `domain` attribute as written (`.` for the root). */
  readonly domain: string;
  /** The `timestamp` attribute of Request/Response, if present. */
  readonly timestampEpochSeconds?: number;
  readonly bundles: readonly Bundle[];
}

export interface KsrRequestDocument extends DocumentHeader {
  readonly kind: "request";
  readonly policy: RequestPolicy;
}

export interface KsrResponseDocument extends DocumentHeader {
  readonly kind: "response";
  readonly policy: ResponsePolicy;
}

/** A KSR (kind "request") or an SKR (kind "response"). */
export type KsrDocument = KsrRequestDocument | KsrResponseDocument;

/** The document's domain as a DNS name; a domain that is not a valid absolute name is bad input. */
export function documentDomain(document: Pick<DocumentHeader, "domain">): Name {
  const text = document.domain.endsWith(".") ? document.domain : `${document.domain}.`;
  try {
    return parseName(text);
  } catch (e) {
    throw inputError("KSR-XML-DOMAIN", `domain "${document.domain}" is not a DNS name: ${(e as Error).message}`, "KSR/@domain");
  }
}

/** The key tag of a bundle key, derived (RFC 4034 Appendix B). */
export function bundleKeyTag(key: BundleKey): number {
  return keyTag(key.dnskey);
}

/** The bundle's DNSKEY RRset at `domain`, for core's signed-data builder and verifier. */
export function bundleDnskeyRrset(bundle: Bundle, domain: Name): RR<DnskeyRdata>[] {
  return bundle.keys.map((k) => makeRR(domain, k.ttlSeconds, k.dnskey));
}

/** The bundle's signatures as RRSIG records at `domain`. */
export function bundleRrsigRecords(bundle: Bundle, domain: Name): RR<RrsigRdata>[] {
  return bundle.signatures.map((s) => makeRR(domain, s.ttlSeconds, s.rrsig));
}

/** The flags of a ZSK in a KSR: RFC 4034 §2.1.1 Zone Key bit only; no SEP, no REVOKE (RFC 5011 §3). */
export const ZSK_FLAGS = 256;

/** A short human name for a bundle in messages: `bundle 3 (dc1bc68c…)`. */
export function bundleLabel(bundle: Bundle, index: number): string {
  return `bundle ${index + 1} (${bundle.id})`;
}

/**
 * A string equal for two DNSKEYs exactly when `sameDnskey` holds: for Sets and Maps, so that
 * collecting the distinct keys of a KSR is linear in its keys, not quadratic.
 */
export function dnskeyIdentity(k: DnskeyRdata): string {
  return `${k.flags} ${k.protocol} ${k.algorithm} ${Buffer.from(k.publicKeyBytes).toString("base64")}`;
}

/** Two DNSKEYs are the same key record: flags, protocol, algorithm and key octets all equal. */
export function sameDnskey(a: DnskeyRdata, b: DnskeyRdata): boolean {
  return (
    a.flags === b.flags &&
    a.protocol === b.protocol &&
    a.algorithm === b.algorithm &&
    a.publicKeyBytes.length === b.publicKeyBytes.length &&
    Buffer.compare(a.publicKeyBytes, b.publicKeyBytes) === 0
  );
}

/** The public exponent of an RSA DNSKEY (RFC 3110 §2), as a number (root keys use 3 or 65537). */
export function rsaExponentOf(publicKeyBytes: Uint8Array): number {
  const { exponentBytes } = decodeRsaPublicKey(publicKeyBytes);
  let value = 0;
  for (const b of exponentBytes) value = value * 256 + b;
  return value;
}
