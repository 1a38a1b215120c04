/**
 * Full validation of a signed zone from a trust anchor (RFC 4035 §2 and §5.3, RFC 8976 §4):
 *
 * - the apex DNSKEY RRset is signed by a key the anchor designates (DNSKEY-ANCHORED);
 * - every RRset the zone is authoritative for has a valid RRSIG (RRSET-SIGNED), with each
 *   algorithm of the apex DNSKEY RRset (ZONE-ALGORITHMS), and every RRSIG present validates at the
 *   given time (RRSIG-VALID: bad signature, expired, not yet valid, unknown key);
 * - delegation NS RRsets and glue carry no RRSIG, DS RRsets are signed (ZONE-DELEGATION);
 * - one NSEC at every authoritative name and delegation point, none elsewhere, linked in canonical
 *   order back to the apex (ZONE-NSEC-CHAIN), with exact type bitmaps (ZONE-NSEC-BITMAP);
 * - every apex ZONEMD of a known scheme and hash matches the zone and the SOA serial (ZONE-ZONEMD);
 * - the zone semantics kzonecheck judges: no CNAME beside other data (ZONE-CNAME), every name
 *   server inside the zone has an address in it (ZONE-GLUE), only glue below a cut (ZONE-OCCLUDED).
 *
 * Every problem names its owner, type and check code; the zone is valid only with none. A zone
 * that does not even parse or hang together (two SOAs, data outside the zone) is malformed input
 * and throws from `buildZone`. Signatures are verified with core's one verifier.
 * Left out: NSEC3 zones (reported, not judged), wildcard expansion proofs (no query is answered).
 */
import {
  type AnchorRecord,
  type CheckCode,
  type CheckResult,
  type DnskeyRdata,
  type Name,
  type RR,
  RRType,
  type RrsigRdata,
  type VerifySignature,
  anchoredKeys,
  inputError,
  isKind,
  isRevoked,
  keyTag,
  keyVerifierCache,
  nameToString,
  namesEqual,
  rrType,
  typeToString,
  verifyRrsig,
} from "@ksk/core";
import { hasNsec, nsecTypes } from "./nsec.js";
import { type LocatedRR, type Zone, type ZoneNode, buildZone } from "./zone.js";
import { type ZonemdVerdict, checkZonemd } from "./zonemd.js";

/** A failed check at one RRset: core's one result shape (FAIL, where = `owner TYPE`), with the owner and type apart for JSON. */
export interface ZoneProblem extends CheckResult {
  readonly status: "fail";
  readonly where: string;
  readonly owner: string;
  readonly type: string;
}

export interface ZoneVerificationRequest {
  readonly records: readonly LocatedRR[];
  readonly anchors: readonly AnchorRecord[];
  readonly atEpochSeconds: number;
}

export interface ZoneVerification {
  readonly ok: boolean;
  readonly origin: Name;
  readonly problems: readonly ZoneProblem[];
  /** The anchored keys that validly sign the apex DNSKEY RRset. */
  readonly anchoredKeyTags: readonly number[];
  readonly counts: { readonly rrsets: number; readonly rrsigs: number; readonly nsec: number };
  readonly zonemd: readonly ZonemdVerdict[];
}

/** The zone's apex: the owner of its one SOA record. */
export function zoneOrigin(records: readonly LocatedRR[]): Name {
  const soas = records.filter((l) => rrType(l.rr) === RRType.SOA);
  const first = soas[0];
  if (!first) throw inputError("ZONE-SOA", "the zone has no SOA record, so it has no apex");
  const second = soas[1];
  if (second) throw inputError("ZONE-SOA", `a second SOA record (the first is at ${first.where})`, second.where);
  return first.rr.owner;
}

export function verifyZone(request: ZoneVerificationRequest): ZoneVerification {
  const origin = zoneOrigin(request.records);
  const problems: ZoneProblem[] = [];
  const problem = (code: CheckCode, owner: Name | string, type: number | string, detail: string) => {
    const ownerText = typeof owner === "string" ? owner : nameToString(owner);
    const typeText = typeof type === "number" ? typeToString(type) : type;
    problems.push({ code, status: "fail", where: `${ownerText} ${typeText}`, owner: ownerText, type: typeText, detail });
  };
  // CNAME beside data, name servers without addresses, data below a cut that is not glue: reported.
  const zone = buildZone(request.records, origin, {
    report: (code, owner, type, detail, where) => problem(code, owner, type, where ? `${detail} (${where})` : detail),
  });
  const at = request.atEpochSeconds;
  // Thousands of RRSIGs by a few keys: each key is built once (same verdicts as core's verifier).
  const verifier = keyVerifierCache();
  const verifySignature: VerifySignature = (key, data, signatureBytes) => verifier(key)(data, signatureBytes);
  const apex = zone.nodes.find((n) => n.role === "apex") as ZoneNode;
  const keys = (apex.rrsets.get(RRType.DNSKEY) ?? []).filter((rr): rr is RR<DnskeyRdata> => isKind(rr, "DNSKEY"));
  const algorithms = [...new Set(keys.filter((k) => !isRevoked(k.rdata)).map((k) => k.rdata.algorithm))];
  let rrsets = 0;
  let rrsigs = 0;
  let anchoredKeyTags: number[] = [];
  if (keys.length === 0) problem("DNSKEY-ANCHORED", origin, RRType.DNSKEY, "the apex has no DNSKEY RRset");

  for (const node of zone.nodes) {
    const sigs = (node.rrsets.get(RRType.RRSIG) ?? []).filter((rr): rr is RR<RrsigRdata> => isKind(rr, "RRSIG"));
    rrsigs += sigs.length;
    if (node.role === "below-cut") {
      for (const s of sigs)
        problem("ZONE-DELEGATION", node.owner, s.rdata.typeCovered, "glue or occluded data below a zone cut carries an RRSIG (RFC 4035 §2.2)");
      continue;
    }
    for (const s of sigs) {
      if (!node.rrsets.has(s.rdata.typeCovered))
        problem("RRSIG-VALID", node.owner, s.rdata.typeCovered, `RRSIG by ${s.rdata.keyTag} covers a type absent at this name`);
    }
    for (const [type, set] of node.rrsets) {
      if (type === RRType.RRSIG) continue;
      const covering = sigs.filter((s) => s.rdata.typeCovered === type);
      if (node.role === "delegation" && type !== RRType.DS && type !== RRType.NSEC) {
        if (covering.length > 0)
          problem(
            "ZONE-DELEGATION",
            node.owner,
            type,
            `${typeToString(type)} at a delegation point carries an RRSIG; only DS and NSEC are signed there (RFC 4035 §2.2)`,
          );
        continue;
      }
      rrsets++;
      const verdicts = covering.map((s) => verifyRrsig(set, s, keys, at, verifySignature));
      for (const v of verdicts) if (v.status !== "valid") problem("RRSIG-VALID", node.owner, type, v.reason);
      const valid = verdicts.filter((v) => v.status === "valid");
      if (valid.length === 0) {
        problem("RRSET-SIGNED", node.owner, type, covering.length === 0 ? "no RRSIG covers this RRset" : "no valid RRSIG covers this RRset");
      } else {
        const signedWith = new Set(valid.map((v) => v.rrsig.rdata.algorithm));
        const missing = algorithms.filter((a) => !signedWith.has(a));
        if (missing.length > 0) problem("ZONE-ALGORITHMS", node.owner, type, `no valid RRSIG with algorithm ${missing.join(", ")} of the apex DNSKEY RRset`);
      }
      if (node.role === "apex" && type === RRType.DNSKEY) {
        const designated = anchoredKeys(keys, request.anchors);
        anchoredKeyTags = valid.filter((v) => v.key && designated.includes(v.key)).map((v) => keyTag((v.key as RR<DnskeyRdata>).rdata));
        if (anchoredKeyTags.length === 0) {
          problem(
            "DNSKEY-ANCHORED",
            node.owner,
            type,
            designated.length === 0
              ? `no key of the DNSKEY RRset (${keys.map((k) => keyTag(k.rdata)).join(", ")}) is designated by the trust anchor`
              : `no valid RRSIG by an anchored key (${designated.map((k) => keyTag(k.rdata)).join(", ")})`,
          );
        }
      }
    }
  }
  const nsec = checkNsecChain(zone, problem);
  const zonemd = checkZonemd(zone);
  for (const v of zonemd) if (v.status !== "valid" && v.status !== "unsupported") problem("ZONE-ZONEMD", origin, RRType.ZONEMD, v.reason);
  return { ok: problems.length === 0, origin, problems, anchoredKeyTags, counts: { rrsets, rrsigs, nsec }, zonemd };
}

type Report = (code: CheckCode, owner: Name, type: number | string, detail: string) => void;

/** Compare the zone's NSEC records with the chain it must have; returns the number of NSECs. */
function checkNsecChain(zone: Zone, problem: Report): number {
  const apex = zone.nodes.find((n) => n.role === "apex") as ZoneNode;
  if (apex.rrsets.has(RRType.NSEC3PARAM)) {
    problem("ZONE-NSEC-CHAIN", zone.origin, RRType.NSEC3PARAM, "the zone uses NSEC3, which this validator does not judge");
    return 0;
  }
  const owners = zone.nodes.filter(hasNsec);
  let count = 0;
  for (const [i, node] of owners.entries()) {
    const nsecs = node.rrsets.get(RRType.NSEC) ?? [];
    count += nsecs.length;
    const next = (owners[i + 1] ?? (owners[0] as ZoneNode)).owner;
    const nsec = nsecs[0];
    if (!nsec || !isKind(nsec, "NSEC")) {
      problem("ZONE-NSEC-CHAIN", node.owner, RRType.NSEC, `missing: the chain needs an NSEC here pointing to ${nameToString(next)}`);
      continue;
    }
    if (nsecs.length > 1) problem("ZONE-NSEC-CHAIN", node.owner, RRType.NSEC, `${nsecs.length} NSEC records at one name`);
    if (!namesEqual(nsec.rdata.nextName, next)) {
      problem(
        "ZONE-NSEC-CHAIN",
        node.owner,
        RRType.NSEC,
        `next name ${nameToString(nsec.rdata.nextName)}, but the next name in canonical order is ${nameToString(next)}`,
      );
    }
    const want = nsecTypes(node);
    const have = nsec.rdata.types;
    if (want.length !== have.length || want.some((t, k) => t !== have[k])) {
      problem(
        "ZONE-NSEC-BITMAP",
        node.owner,
        RRType.NSEC,
        `bitmap lists ${have.map(typeToString).join(" ")}; the name has ${want.map(typeToString).join(" ")}`,
      );
    }
  }
  for (const node of zone.nodes) {
    if (!hasNsec(node) && node.rrsets.has(RRType.NSEC)) {
      problem("ZONE-NSEC-CHAIN", node.owner, RRType.NSEC, "an NSEC at glue or occluded data below a zone cut");
      count += node.rrsets.get(RRType.NSEC)?.length ?? 0;
    }
  }
  return count;
}
