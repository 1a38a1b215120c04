/**
 * Knot's offline-KSK periods to and from the KSR/SKR model, so that one set of checks, one signing
 * plan and one verifier serve both.
 *
 * The two formats mean different things by a time. A Knot period says "these keys from this time
 * until the next period" (the last one is open); a KSR bundle is a signature window. So:
 *   - a Knot KSR becomes request bundles by cutting each period into slices no longer than `stepSeconds`
 *     and giving each slice the window [slice start - offset, slice start - offset + validitySeconds]:
 *     the signatures of one slice stay valid until the next slice begins (step + offset ≤
 *     validity), and the last period, open in Knot's file, gets one slice. The inception is set
 *     `inceptionOffsetSeconds` before the slice, as Knot does for its own signatures (90 minutes),
 *     so that a validator whose clock lags a little does not find the signature not yet valid
 *     (RFC 4034 §3.1.5) the moment knotd starts serving the slice;
 *   - an SKR becomes Knot periods that start `inceptionOffsetSeconds` after each bundle's inception
 *     (Knot serves a period's records until the next period begins: the key timeline stays Knot's);
 *   - a Knot SKR becomes response bundles whose window is what the period's DNSKEY RRSIGs all
 *     cover: latest inception to earliest expiration (Knot backdates its inceptions by 90 minutes,
 *     so the window opens before the period; the bundle id keeps the period's start). A period
 *     without RRSIG is bad input: the model's bundle needs a signature, and keymgr refuses it too;
 *   - a KSR becomes a Knot KSR with a period at each bundle's inception.
 * Knot files carry no ids, no declared policy and no proof of possession: the ids made here are
 * `knot-<unix time>` and the policy is the one the windows and keys show, so that the model's
 * writer and checks have something true to hold. Which KSR checks apply to a Knot KSR is
 * @ksk/signer's knot-signing.ts. Left out: reading and writing the text (./knot-format.ts).
 */
import { type CheckCode, type DnskeyRdata, type Name, RRType, algorithmInfo, formatIsoZ, inputError, makeRR, nameToString } from "@ksk/core";
import type { KnotDocument, KnotPeriod } from "./knot-format.js";
import {
  type AlgorithmPolicy,
  type Bundle,
  type KsrRequestDocument,
  type KsrResponseDocument,
  type SignaturePolicy,
  documentDomain,
  rsaExponentOf,
} from "./model.js";

export interface KnotSlicing {
  /** Each bundle's signature validity. */
  readonly validitySeconds: number;
  /** The longest slice of a period; with the offset, at most `validitySeconds`. */
  readonly stepSeconds: number;
  /** How long before its slice a signature's inception is (clock skew of validators). */
  readonly inceptionOffsetSeconds: number;
}

/** Knot's own inception offset (keymgr sign-ksr's RRSIGs begin 90 minutes before their period). */
export const KNOT_INCEPTION_OFFSET_SECONDS = 90 * 60;

/** The id of the bundle that starts at a time (Knot has none; the time is the period's identity). */
export function knotBundleId(startEpochSeconds: number): string {
  return `knot-${startEpochSeconds}`;
}

/** The zone of a Knot file as the model's `domain` attribute (`.` for the root, else no final dot). */
function domainOf(document: KnotDocument): string {
  const text = nameToString(document.zone);
  return text === "." ? "." : text.replace(/\.$/, "");
}

/** What a Knot file does not carry but a model document needs: an id from its first period's start, serial 1, the domain. */
function documentHeaderOf(document: KnotDocument): { id: string; serial: number; domain: string } {
  return { id: knotBundleId(document.periods[0]?.startEpochSeconds ?? 0), serial: 1, domain: domainOf(document) };
}

/** A period's DNSKEY records as a bundle's keys. */
function bundleKeysOf(period: KnotPeriod): Bundle["keys"] {
  return period.dnskeys.map((rr) => ({ ttlSeconds: rr.ttlSeconds, dnskey: rr.rdata }));
}

/** Every DNSKEY of every period of a Knot file, in file order (a key in several periods comes again). */
function allDnskeysOf(document: KnotDocument): DnskeyRdata[] {
  return document.periods.flatMap((p) => p.dnskeys.map((rr) => rr.rdata));
}

/** A Knot KSR as a request document: each period cut into slices of at most `stepSeconds`. */
export function knotKsrToRequest(document: KnotDocument, slicing: KnotSlicing): KsrRequestDocument {
  if (document.kind !== "ksr") throw inputError("KNOT-KIND", "a Knot SKR where a KSR is needed");
  const { stepSeconds, validitySeconds, inceptionOffsetSeconds: offset } = slicing;
  if (!(stepSeconds > 0 && offset >= 0 && stepSeconds + offset <= validitySeconds)) {
    throw inputError("KNOT-SLICING", `a slice of ${stepSeconds} s begun ${offset} s early cannot be covered by signatures valid ${validitySeconds} s`);
  }
  const bundles: Bundle[] = [];
  for (const [i, period] of document.periods.entries()) {
    const next = document.periods[i + 1];
    const end = next ? next.startEpochSeconds : period.startEpochSeconds + 1;
    for (let start = period.startEpochSeconds; start < end; start += stepSeconds) {
      bundles.push({
        id: knotBundleId(start),
        inceptionEpochSeconds: start - offset,
        expirationEpochSeconds: start - offset + validitySeconds,
        keys: bundleKeysOf(period),
        signatures: [],
      });
    }
  }
  return { kind: "request", ...documentHeaderOf(document), policy: { zsk: observedPolicy(bundles, allDnskeysOf(document)) }, bundles };
}

/**
 * An SKR as Knot's SKR: a period `inceptionOffsetSeconds` after each bundle's inception (the slice
 * `knotKsrToRequest` made it for) with its DNSKEY RRset and RRSIGs.
 */
export function responseToKnotSkr(skr: KsrResponseDocument, generator: string, generatedEpochSeconds: number, inceptionOffsetSeconds = 0): KnotDocument {
  const zone = documentDomain(skr);
  const periods = periodsOf(zone, skr.bundles, inceptionOffsetSeconds, (b) => b.signatures.map((s) => makeRR(zone, s.ttlSeconds, s.rrsig)));
  return { kind: "skr", zone, periods, generator, generatedEpochSeconds };
}

/**
 * A KSR as Knot's KSR: a period at each bundle's inception with its ZSKs. The bundles' own
 * signatures (proof of possession) are left out: a Knot KSR has none.
 */
export function requestToKnotKsr(ksr: KsrRequestDocument, generator: string, generatedEpochSeconds: number): KnotDocument {
  const zone = documentDomain(ksr);
  return { kind: "ksr", zone, periods: periodsOf(zone, ksr.bundles, 0, () => []), generator, generatedEpochSeconds };
}

/** A Knot period per bundle, starting `offsetSeconds` after its inception, with its DNSKEYs and the RRSIGs `rrsigsOf` gives. */
function periodsOf(zone: Name, bundles: readonly Bundle[], offsetSeconds: number, rrsigsOf: (b: Bundle) => KnotPeriod["rrsigs"]): KnotPeriod[] {
  return bundles.map((b, i) => ({
    startEpochSeconds: b.inceptionEpochSeconds + offsetSeconds,
    line: i + 1,
    dnskeys: b.keys.map((k) => makeRR(zone, k.ttlSeconds, k.dnskey)),
    rrsigs: rrsigsOf(b),
    others: [],
  }));
}

/**
 * A Knot SKR as a response document. Only the RRSIGs over the DNSKEY RRset are the model's; those
 * over Knot's CDNSKEY/CDS are left out (the model has no place for them).
 */
export function knotSkrToResponse(document: KnotDocument, fileName = "knot-skr.txt"): KsrResponseDocument {
  if (document.kind !== "skr") throw inputError("KNOT-KIND", "a Knot KSR where an SKR is needed");
  const bundles: Bundle[] = document.periods.map((period) => {
    const rrsigs = period.rrsigs.filter((rr) => rr.rdata.typeCovered === RRType.DNSKEY);
    if (rrsigs.length === 0) {
      // The model's ResponseBundle needs a Signature (ksr.rnc); keymgr validate-skr refuses it too.
      throw inputError("KNOT-UNSIGNED", `period ${formatIsoZ(period.startEpochSeconds)} has no RRSIG over its DNSKEY RRset`, `${fileName}:${period.line}`);
    }
    const inceptions = rrsigs.map((rr) => rr.rdata.inceptionEpochSeconds);
    const expirations = rrsigs.map((rr) => rr.rdata.expirationEpochSeconds);
    return {
      id: knotBundleId(period.startEpochSeconds),
      inceptionEpochSeconds: Math.max(...inceptions),
      expirationEpochSeconds: Math.min(...expirations),
      keys: bundleKeysOf(period),
      signatures: rrsigs.map((rr) => ({ ttlSeconds: rr.ttlSeconds, rrsig: rr.rdata })),
    };
  });
  const all = allDnskeysOf(document);
  return {
    kind: "response",
    ...documentHeaderOf(document),
    policy: {
      ksk: observedPolicy(
        bundles,
        all.filter((k) => k.flags & 1),
      ),
      zsk: observedPolicy(
        bundles,
        all.filter((k) => !(k.flags & 1)),
      ),
    },
    bundles,
  };
}

/** The policy the windows and keys show: validity and overlap bounds as found, no safety margins. */
function observedPolicy(bundles: readonly Bundle[], keys: readonly DnskeyRdata[]): SignaturePolicy {
  const validities = bundles.map((b) => b.expirationEpochSeconds - b.inceptionEpochSeconds);
  const overlaps = bundles.slice(1).map((b, i) => (bundles[i] as Bundle).expirationEpochSeconds - b.inceptionEpochSeconds);
  const bound = (xs: number[], f: (...v: number[]) => number) => (xs.length > 0 ? Math.max(0, f(...xs)) : 0);
  const algorithms: AlgorithmPolicy[] = [];
  for (const k of keys) {
    const a = algorithmPolicy(k);
    if (a && !algorithms.some((b) => JSON.stringify(a) === JSON.stringify(b))) algorithms.push(a);
  }
  return {
    publishSafetySeconds: 0,
    retireSafetySeconds: 0,
    maxSignatureValiditySeconds: bound(validities, Math.max),
    minSignatureValiditySeconds: bound(validities, Math.min),
    maxValidityOverlapSeconds: bound(overlaps, Math.max),
    minValidityOverlapSeconds: bound(overlaps, Math.min),
    algorithms,
  };
}

/** The SignatureAlgorithm entry of a key; none for EdDSA, which the KSR schema cannot declare. */
function algorithmPolicy(key: DnskeyRdata): AlgorithmPolicy | undefined {
  const info = algorithmInfo(key.algorithm);
  const sizeBits = info.describeKey(key.publicKeyBytes).sizeBits;
  if (info.family === "RSA") return { family: "RSA", algorithm: key.algorithm, sizeBits, exponent: rsaExponentOf(key.publicKeyBytes) };
  if (info.family === "ECDSA") return { family: "ECDSA", algorithm: key.algorithm, sizeBits };
  return undefined;
}

/** The KSR checks a Knot KSR cannot be held to, and why: shown as SKIP in the display and report. */
// Here, beside the conversion, because the codes are @ksk/ksr's (the signer reports them SKIP).
export const KNOT_KSR_SKIPPED: Readonly<Partial<Record<CheckCode, string>>> = {
  "KSR-ID": "a Knot KSR has no id to compare with the previous SKR's",
  "KSR-BUNDLE-UNIQUE": "a Knot KSR has no bundle ids (the periods are named by their start time)",
  "KSR-BUNDLE-POP": "a Knot KSR carries no proof of possession (keymgr generate-ksr signs nothing)",
  "KSR-BUNDLE-COUNT": "a Knot KSR has as many periods as the ZSK timeline, not a fixed count",
  "KSR-BUNDLE-CYCLE-DURATION": "a Knot KSR declares no cycle; its span is the ZSK side's choice",
  "KSR-POLICY-KEYS": "keys per bundle follow Knot's ZSK rollover, not the root's pattern",
  "KSR-POLICY-SIG-VALIDITY": "a Knot KSR declares no signature windows (the KSK policy's are checked as KSK-POLICY-SIG-VALIDITY)",
  "KSR-POLICY-SIG-OVERLAP": "a Knot KSR declares no signature windows (the KSK policy's are checked as KSK-POLICY-SIG-OVERLAP)",
  "KSR-POLICY-BUNDLE-INTERVALS": "Knot's periods begin at its key events, not on a fixed interval",
  // The chain checks before signing (the new SKR's own SKR-VERIFY runs after signing).
  "SKR-VERIFY": "no previous SKR to verify: a Knot KSR chains to none (Knot keeps the chain in its KASP database)",
  "KSR-CHAIN-KEYS": "no previous SKR: a Knot KSR chains to none",
  "KSR-CHAIN-OVERLAP": "no previous SKR: a Knot KSR chains to none",
};
