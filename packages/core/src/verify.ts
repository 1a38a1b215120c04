/**
 * DNSSEC verification of RRsets (RFC 4035 §5.3), and signing through a `Signer` with the
 * signature checked before it is used.
 *
 * `verifyRrsig` judges one RRSIG and says why it fails: signer name not the zone of the RRset,
 * labels field too large, not yet valid, expired, no DNSKEY with that tag/algorithm/owner, bad
 * signature, unsupported algorithm. Its checks are here once, in two parts: `checkRrsigFields`
 * (everything but the signature) and `rrsigVerdictFrom` (the verdict from the candidate keys'
 * signature outcomes), so a caller may verify the signatures elsewhere — in bulk, on worker
 * threads — and still judge by these rules. Times use RFC 1982 serial arithmetic as RFC 4034 §3.1.5
 * requires. `anchoredKeys` says which keys of a DNSKEY RRset a trust anchor (DS or DNSKEY records)
 * designates. Not implemented here: chasing delegations and NSEC denial (see @ksk/zone).
 */
import { algorithmInfo, checkTrustableKey, isSupportedAlgorithm } from "./algorithms.js";
import { bytesEqual } from "./bytes.js";
import { checkFailed } from "./checks.js";
import { KskError, inputError } from "./errors.js";
import { dsMatches } from "./ds.js";
import { isRevoked, isZoneKey, keyTag, withRevokeBit } from "./keytag.js";
import { isSubdomain, nameToString, namesEqual, rrsigLabelCount } from "./name.js";
import type { DnskeyRdata, DsRdata, RrsigRdata } from "./rdata.js";
import { type RR, type RRset, groupRRsets, isKind, makeRR, rrType } from "./rr.js";
import { RRType, typeToString } from "./rrtype.js";
import { type RrsigTemplate, rrsigSignedData } from "./signed-data.js";
import type { Signer } from "./signer.js";
import { formatIsoZ } from "./time.js";

export type RrsigStatus = "valid" | "signer-name" | "type-covered" | "labels" | "not-yet-valid" | "expired" | "no-key" | "algorithm" | "bad-signature";

export interface RrsigVerdict {
  readonly rrsig: RR<RrsigRdata>;
  readonly status: RrsigStatus;
  /** The key that validated it (status "valid"). */
  readonly key?: RR<DnskeyRdata>;
  /** One line for people: why it is valid or not. */
  readonly reason: string;
}

/** RFC 1982 serial comparison on 32-bit values: is `a` at or after `b`? */
export function serialAtOrAfter(a: number, b: number): boolean {
  const diff = ((a >>> 0) - (b >>> 0)) >>> 0;
  return diff < 0x80000000;
}

/**
 * How a signature is checked against a key: core's verifier by default; bulk callers pass a
 * cache of keys built once (./key-verifier.ts), which gives the same verdicts.
 */
export type VerifySignature = (key: DnskeyRdata, data: Uint8Array, signatureBytes: Uint8Array) => boolean;

const coreVerify: VerifySignature = (key, data, signatureBytes) => algorithmInfo(key.algorithm).verify(key.publicKeyBytes, data, signatureBytes);

/**
 * What an RRSIG whose fields pass must still be checked with: the signature over `data` by each
 * candidate key in turn (RFC 4035 §5.3.3). Callers that verify in bulk (on worker threads) take
 * these and hand the outcomes back to `rrsigVerdictFrom`.
 */
export interface RrsigSignatureCheck {
  readonly rrsig: RR<RrsigRdata>;
  /** "RRSIG <type> by <tag>", for the verdict's reason. */
  readonly subject: string;
  /** The zone keys with the RRSIG's owner, algorithm and tag, in the DNSKEY RRset's order. */
  readonly candidates: readonly RR<DnskeyRdata>[];
  /** The signed data (./signed-data.ts, the one builder). */
  readonly data: Uint8Array;
}

/** One candidate key's answer: the signature verifies or not, or the key is malformed (its `KskError` detail). */
export type SignatureOutcome = boolean | { readonly malformed: string };

/** One signature to verify: `signature` over `data` with `dnskey`. */
export interface SignatureJob {
  readonly dnskey: DnskeyRdata;
  readonly data: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * Verifies signatures in bulk — each with core's rules (./key-verifier.ts), answered as
 * `signatureOutcome` answers: one outcome per job, in order.
 */
export type BatchSignatureVerifier = (jobs: readonly SignatureJob[]) => Promise<SignatureOutcome[]>;

/**
 * The checks of one RRSIG over `rrset` that need no signature verification (RFC 4035 §5.3.1):
 * type covered, signer name, labels, validity window, algorithm, the keys that may have made it
 * (RFC 5011 §2.1 for revoked ones). A failure is the verdict; else what to verify it with.
 */
export function checkRrsigFields(
  rrset: readonly RR[],
  rrsig: RR<RrsigRdata>,
  dnskeys: readonly RR<DnskeyRdata>[],
  nowEpochSeconds: number,
  signedData?: SignedDataFromWire,
): RrsigVerdict | RrsigSignatureCheck {
  const sig = rrsig.rdata;
  const first = rrset[0];
  const verdict = (status: RrsigStatus, reason: string): RrsigVerdict => ({ rrsig, status, reason });
  if (!first) return verdict("type-covered", "the RRset is empty");
  const subject = `RRSIG ${typeToString(sig.typeCovered)} by ${sig.keyTag}`;
  if (sig.typeCovered !== rrType(first)) {
    return verdict("type-covered", `${subject} covers ${typeToString(sig.typeCovered)}, not ${typeToString(rrType(first))}`);
  }
  if (!isSubdomain(first.owner, sig.signerName)) {
    return verdict("signer-name", `${subject}: signer ${nameToString(sig.signerName)} is not the zone of ${nameToString(first.owner)}`);
  }
  if (sig.labels > rrsigLabelCount(first.owner)) {
    return verdict("labels", `${subject}: labels ${sig.labels} exceeds the owner's ${rrsigLabelCount(first.owner)}`);
  }
  if (!serialAtOrAfter(nowEpochSeconds, sig.inceptionEpochSeconds)) {
    return verdict("not-yet-valid", `${subject} is not valid until ${formatIsoZ(sig.inceptionEpochSeconds)}`);
  }
  if (!serialAtOrAfter(sig.expirationEpochSeconds, nowEpochSeconds)) {
    return verdict("expired", `${subject} expired at ${formatIsoZ(sig.expirationEpochSeconds)}`);
  }
  if (!isSupportedAlgorithm(sig.algorithm)) {
    try {
      algorithmInfo(sig.algorithm);
    } catch (e) {
      return verdict("algorithm", `${subject}: ${(e as Error).message}`);
    }
  }
  const matching = dnskeys.filter(
    (k) =>
      namesEqual(k.owner, sig.signerName) &&
      k.rdata.algorithm === sig.algorithm &&
      k.rdata.protocol === 3 &&
      isZoneKey(k.rdata) &&
      tagOf(k.rdata) === sig.keyTag,
  );
  // RFC 5011 §2.1: a revoked key may validate only the RRSIG over the DNSKEY RRset that carries
  // its revocation — judged key by key, since a revoked key's new tag may equal another key's.
  const candidates = matching.filter(
    (k) => !isRevoked(k.rdata) || (sig.typeCovered === RRType.DNSKEY && rrset.some((rr) => isKind(rr, "DNSKEY") && sameDnskeyRecord(rr.rdata, k.rdata))),
  );
  if (matching.length > 0 && candidates.length === 0) {
    return verdict("no-key", `${subject}: key ${sig.keyTag} is revoked (RFC 5011) and may sign only the DNSKEY RRset that carries its revocation`);
  }
  if (candidates.length === 0) {
    return verdict("no-key", `${subject}: no zone DNSKEY at ${nameToString(sig.signerName)} with tag ${sig.keyTag} and algorithm ${sig.algorithm}`);
  }
  // The owner as signed is the owner itself unless the RRSIG is a wildcard's (RFC 4035 §5.3.2):
  // then only rrsigSignedData writes it.
  const plain = sig.labels === rrsigLabelCount(first.owner);
  const data = (plain ? signedData?.(rrsig) : undefined) ?? rrsigSignedData(sig, rrset);
  return { rrsig, subject, candidates, data };
}

/**
 * The signed data of an RRSIG over an RRset a caller holds in canonical wire form already (the
 * compact zone): core's `signedDataFromWire` over those octets, the same octets `rrsigSignedData`
 * makes from the records; undefined to leave it to `rrsigSignedData`.
 */
export type SignedDataFromWire = (rrsig: RR<RrsigRdata>) => Uint8Array | undefined;

const keyTags = new WeakMap<DnskeyRdata, number>();

/** A key's tag, computed once per key object (a zone's thousands of RRSIGs name the same few keys). */
function tagOf(key: DnskeyRdata): number {
  let tag = keyTags.get(key);
  if (tag === undefined) {
    tag = keyTag(key);
    keyTags.set(key, tag);
  }
  return tag;
}

/** Is this the verdict already (a field check failed), not a signature still to check? */
export function isRrsigVerdict(x: RrsigVerdict | RrsigSignatureCheck): x is RrsigVerdict {
  return "status" in x;
}

/**
 * The outcome of verifying `signatureBytes` over `data` with `key`: a malformed DNSKEY (e.g. an RSA
 * key field with no modulus) is a verdict on this RRSIG, not a reason to abandon judging the rest.
 */
export function signatureOutcome(verifySignature: VerifySignature, key: DnskeyRdata, data: Uint8Array, signatureBytes: Uint8Array): SignatureOutcome {
  try {
    return verifySignature(key, data, signatureBytes);
  } catch (e) {
    if (!(e instanceof KskError)) throw e;
    return { malformed: e.detail };
  }
}

/**
 * The verdict on a checked RRSIG from its candidates' outcomes, in the candidates' order (a prefix
 * of them is enough when it ends at the first that verifies): valid with the first key whose
 * signature verifies.
 */
export function rrsigVerdictFrom(check: RrsigSignatureCheck, outcomes: readonly SignatureOutcome[]): RrsigVerdict {
  const { rrsig, subject } = check;
  const valid = outcomes.indexOf(true);
  const key = check.candidates[valid];
  if (key) return { rrsig, status: "valid", reason: `${subject} is valid until ${formatIsoZ(rrsig.rdata.expirationEpochSeconds)}`, key };
  const malformed = outcomes.flatMap((o) => (typeof o === "object" ? [o.malformed] : []));
  if (malformed.length === check.candidates.length) {
    return { rrsig, status: "bad-signature", reason: `${subject}: the key is malformed: ${malformed.join("; ")}` };
  }
  return { rrsig, status: "bad-signature", reason: `${subject}: the signature does not verify with the key` };
}

/** Judge one RRSIG over `rrset` with the candidate `dnskeys` at `nowEpochSeconds`. */
export function verifyRrsig(
  rrset: readonly RR[],
  rrsig: RR<RrsigRdata>,
  dnskeys: readonly RR<DnskeyRdata>[],
  nowEpochSeconds: number,
  verifySignature: VerifySignature = coreVerify,
): RrsigVerdict {
  const check = checkRrsigFields(rrset, rrsig, dnskeys, nowEpochSeconds);
  if (isRrsigVerdict(check)) return check;
  const outcomes: SignatureOutcome[] = [];
  for (const key of check.candidates) {
    const outcome = signatureOutcome(verifySignature, key.rdata, check.data, rrsig.rdata.signatureBytes);
    outcomes.push(outcome);
    if (outcome === true) break;
  }
  return rrsigVerdictFrom(check, outcomes);
}

function sameDnskeyRecord(a: DnskeyRdata, b: DnskeyRdata): boolean {
  return a.flags === b.flags && a.protocol === b.protocol && a.algorithm === b.algorithm && bytesEqual(a.publicKeyBytes, b.publicKeyBytes);
}

export interface RrsetVerdict {
  readonly rrset: RRset;
  readonly verdicts: readonly RrsigVerdict[];
  /** At least one RRSIG is valid. */
  readonly signed: boolean;
}

/**
 * Verify every RRset in `rrs` (other than RRSIGs) with the RRSIGs and DNSKEYs found in `rrs`
 * itself plus `extraDnskeys`. Each RRset is signed if any one of its RRSIGs is valid.
 */
export function verifyRecords(rrs: readonly RR[], nowEpochSeconds: number, extraDnskeys: readonly RR<DnskeyRdata>[] = []): RrsetVerdict[] {
  const dnskeys = [...rrs.filter((rr): rr is RR<DnskeyRdata> => isKind(rr, "DNSKEY")), ...extraDnskeys];
  const rrsigs = rrs.filter((rr): rr is RR<RrsigRdata> => isKind(rr, "RRSIG"));
  const out: RrsetVerdict[] = [];
  for (const rrset of groupRRsets(rrs)) {
    if (rrset.type === RRType.RRSIG) continue;
    const covering = rrsigs.filter((s) => s.rdata.typeCovered === rrset.type && namesEqual(s.owner, rrset.owner) && s.class === rrset.class);
    const verdicts = covering.map((s) => verifyRrsig(rrset.rrs, s, dnskeys, nowEpochSeconds));
    out.push({ rrset, verdicts, signed: verdicts.some((v) => v.status === "valid") });
  }
  return out;
}

export type AnchorRecord = RR<DsRdata> | RR<DnskeyRdata>;

/** Does the anchor record designate this DNSKEY? A DS by digest (RFC 4034 §5), a DNSKEY by equality. */
export function anchorDesignates(anchor: AnchorRecord, key: RR<DnskeyRdata>): boolean {
  if (!namesEqual(anchor.owner, key.owner)) return false;
  if (isKind(anchor, "DS")) return dsMatches(anchor.rdata, key.owner, key.rdata);
  return sameDnskeyRecord(anchor.rdata as DnskeyRdata, key.rdata);
}

/**
 * The keys of a DNSKEY RRset designated by any of the anchor records. A designated key that must
 * not be trusted (see `checkTrustableKey`: a weak or malformed RSA key) is left out: fail closed.
 */
export function anchoredKeys(dnskeys: readonly RR<DnskeyRdata>[], anchors: readonly AnchorRecord[]): RR<DnskeyRdata>[] {
  return dnskeys.filter((k) => anchors.some((a) => anchorDesignates(a, k)) && isTrustableKey(k.rdata));
}

function isTrustableKey(key: DnskeyRdata): boolean {
  try {
    checkTrustableKey(key.algorithm, key.publicKeyBytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Sign `rrset` with `signer` under `template` and return the RRSIG record — only after the
 * signature has been verified in software with the core verifier. A template whose key tag is the
 * signer's revoked tag is verified against the revoked form of the key (RFC 5011 §2.1).
 */
export async function signRrset(signer: Signer, rrset: readonly RR[], template: RrsigTemplate, verifySignature?: VerifySignature): Promise<RR<RrsigRdata>> {
  const first = rrset[0];
  if (!first) throw inputError("RRSET-EMPTY", "cannot sign an empty RRset");
  const forms = [signer.dnskey, withRevokeBit(signer.dnskey)];
  const dnskey = forms.find((k) => keyTag(k) === template.keyTag && k.algorithm === template.algorithm);
  if (!dnskey) {
    throw inputError(
      "SIGN-KEY-MISMATCH",
      `RRSIG template key tag ${template.keyTag}/algorithm ${template.algorithm} is not key ${signer.label} (${signer.keyTag}, revoked ${keyTag(withRevokeBit(signer.dnskey))})`,
    );
  }
  const signatureBytes = await signer.sign(rrsigSignedData(template, rrset));
  const rrsig = makeRR(first.owner, first.ttlSeconds, { kind: "RRSIG", ...template, signatureBytes } as RrsigRdata, first.class);
  const check = verifyRrsig(rrset, rrsig, [makeRR(template.signerName, first.ttlSeconds, dnskey)], template.inceptionEpochSeconds, verifySignature);
  if (check.status !== "valid") {
    throw checkFailed("SKR-VERIFY", `signature by ${signer.label} (${template.keyTag}) did not verify in software: ${check.reason}`);
  }
  return rrsig;
}
