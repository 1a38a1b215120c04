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
 * and throws from `buildZone`.
 *
 * The checks are one `ZoneJudge` fed the zone's nodes in canonical order, one at a time: the
 * object model (`verifyZone`, here) hands it its `ZoneNode`s; the compact model
 * (./wire-verify.ts) decodes one node at a time and drops it once judged. Each node yields the
 * signatures it needs verified (core's `checkRrsigFields` runs every other RRSIG check and builds
 * the signed data) and is finished, in node order, with their outcomes (core's
 * `rrsigVerdictFrom`): here in the same thread with core's verifier, each key built once; there in
 * batches by an injected `BatchSignatureVerifier` (worker threads in the CLI).
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
  type RrsigVerdict,
  type SignatureJob,
  type SignatureOutcome,
  type SignedDataFromWire,
  type VerifySignature,
  anchoredKeys,
  checkRrsigFields,
  inputError,
  isKind,
  isRevoked,
  isRrsigVerdict,
  keyTag,
  keyVerifierCache,
  nameToString,
  namesEqual,
  rrType,
  rrsigVerdictFrom,
  signatureOutcome,
  typeToString,
} from "@ksk/core";
import { hasNsec, nsecTypes } from "./nsec.js";
import { type BuildZoneOptions, type LocatedRR, type ZoneNode, buildZone } from "./zone.js";
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

/** One failed check as a `ZoneProblem`. */
export function zoneProblem(code: CheckCode, owner: Name | string, type: number | string, detail: string): ZoneProblem {
  const ownerText = typeof owner === "string" ? owner : nameToString(owner);
  const typeText = typeof type === "number" ? typeToString(type) : type;
  return { code, status: "fail", where: `${ownerText} ${typeText}`, owner: ownerText, type: typeText, detail };
}

/** Core's verifier in this thread, each key built once (`keyVerifierCache`): the same outcomes as `verifyRrsig`'s. */
export function localSignatureVerifier(): (jobs: readonly SignatureJob[]) => SignatureOutcome[] {
  const verifier = keyVerifierCache();
  const verifySignature: VerifySignature = (key, data, signatureBytes) => verifier(key)(data, signatureBytes);
  return (jobs) => jobs.map((j) => signatureOutcome(verifySignature, j.dnskey, j.data, j.signature));
}

/**
 * A node to judge: ./zone.ts's node, and for the compact zone a maker of an RRSIG's signed data
 * from its RRset's octets as held (core's `SignedDataFromWire`, per type covered).
 */
export interface JudgedNode extends ZoneNode {
  readonly signedData?: (type: number) => SignedDataFromWire;
}

/** A node's signatures to verify, and how to judge the node once their outcomes are known. */
export interface NodeJudgement {
  readonly jobs: readonly SignatureJob[];
  /** Report the node's problems; `outcomes` answer `jobs`, in order. Called in node order. */
  finish(outcomes: readonly SignatureOutcome[]): void;
}

type Step = (take: (count: number) => readonly SignatureOutcome[]) => void;

/** The apex DNSKEY RRset's records. */
function apexKeys(apex: ZoneNode): RR<DnskeyRdata>[] {
  return (apex.rrsets.get(RRType.DNSKEY) ?? []).filter((rr): rr is RR<DnskeyRdata> => isKind(rr, "DNSKEY"));
}

/**
 * The checks of ./verify.ts over a zone's nodes, fed one at a time in canonical order (`node`),
 * then `result`. `problems` holds what was found before (the zone semantics of `buildZone` or
 * `buildWireZone` with `report`); the apex node gives the keys.
 */
export class ZoneJudge {
  private readonly problems: ZoneProblem[];
  private readonly keys: RR<DnskeyRdata>[];
  private readonly algorithms: number[];
  private readonly nsec: NsecChainJudge;
  private rrsets = 0;
  private rrsigs = 0;
  private anchoredKeyTags: number[] = [];

  constructor(
    private readonly origin: Name,
    apex: ZoneNode,
    private readonly anchors: readonly AnchorRecord[],
    private readonly atEpochSeconds: number,
    problems: readonly ZoneProblem[],
  ) {
    this.problems = [...problems];
    this.keys = apexKeys(apex);
    this.algorithms = [...new Set(this.keys.filter((k) => !isRevoked(k.rdata)).map((k) => k.rdata.algorithm))];
    this.nsec = new NsecChainJudge(origin, apex.rrsets.has(RRType.NSEC3PARAM));
    if (this.keys.length === 0) this.problem("DNSKEY-ANCHORED", origin, RRType.DNSKEY, "the apex has no DNSKEY RRset");
  }

  private problem(code: CheckCode, owner: Name, type: number, detail: string): void {
    this.problems.push(zoneProblem(code, owner, type, detail));
  }

  /** Judge `node`: the signatures to verify, and the rest of its checks once they are. */
  node(node: JudgedNode): NodeJudgement {
    this.nsec.node(node);
    const sigs = (node.rrsets.get(RRType.RRSIG) ?? []).filter((rr): rr is RR<RrsigRdata> => isKind(rr, "RRSIG"));
    this.rrsigs += sigs.length;
    const steps: Step[] = [];
    const jobs: SignatureJob[] = [];
    const report = (code: CheckCode, type: number, detail: string) => steps.push(() => this.problem(code, node.owner, type, detail));
    if (node.role === "below-cut") {
      for (const s of sigs) report("ZONE-DELEGATION", s.rdata.typeCovered, "glue or occluded data below a zone cut carries an RRSIG (RFC 4035 §2.2)");
      return finishing(jobs, steps);
    }
    for (const s of sigs) {
      if (!node.rrsets.has(s.rdata.typeCovered)) report("RRSIG-VALID", s.rdata.typeCovered, `RRSIG by ${s.rdata.keyTag} covers a type absent at this name`);
    }
    for (const [type, set] of node.rrsets) {
      if (type === RRType.RRSIG) continue;
      const covering = sigs.filter((s) => s.rdata.typeCovered === type);
      if (node.role === "delegation" && type !== RRType.DS && type !== RRType.NSEC) {
        if (covering.length > 0)
          report("ZONE-DELEGATION", type, `${typeToString(type)} at a delegation point carries an RRSIG; only DS and NSEC are signed there (RFC 4035 §2.2)`);
        continue;
      }
      this.rrsets++;
      const fromWire = node.signedData?.(type);
      const checks = covering.map((s) => checkRrsigFields(set, s, this.keys, this.atEpochSeconds, fromWire));
      for (const c of checks) {
        if (!isRrsigVerdict(c)) for (const key of c.candidates) jobs.push({ dnskey: key.rdata, data: c.data, signature: c.rrsig.rdata.signatureBytes });
      }
      steps.push((take) => {
        const verdicts = checks.map((c) => (isRrsigVerdict(c) ? c : rrsigVerdictFrom(c, take(c.candidates.length))));
        this.judgeRrset(node, type, covering.length, verdicts);
      });
    }
    return finishing(jobs, steps);
  }

  /** The problems of one RRset the zone signs, from the verdicts on the RRSIGs covering it. */
  private judgeRrset(node: ZoneNode, type: number, covering: number, verdicts: readonly RrsigVerdict[]): void {
    for (const v of verdicts) if (v.status !== "valid") this.problem("RRSIG-VALID", node.owner, type, v.reason);
    const valid = verdicts.filter((v) => v.status === "valid");
    if (valid.length === 0) {
      this.problem("RRSET-SIGNED", node.owner, type, covering === 0 ? "no RRSIG covers this RRset" : "no valid RRSIG covers this RRset");
    } else {
      const signedWith = new Set(valid.map((v) => v.rrsig.rdata.algorithm));
      const missing = this.algorithms.filter((a) => !signedWith.has(a));
      if (missing.length > 0) this.problem("ZONE-ALGORITHMS", node.owner, type, `no valid RRSIG with algorithm ${missing.join(", ")} of the apex DNSKEY RRset`);
    }
    if (node.role !== "apex" || type !== RRType.DNSKEY) return;
    const keys = this.keys;
    const designated = anchoredKeys(keys, this.anchors);
    this.anchoredKeyTags = valid.filter((v) => v.key && designated.includes(v.key)).map((v) => keyTag((v.key as RR<DnskeyRdata>).rdata));
    if (this.anchoredKeyTags.length === 0) {
      this.problem(
        "DNSKEY-ANCHORED",
        node.owner,
        type,
        designated.length === 0
          ? `no key of the DNSKEY RRset (${keys.map((k) => keyTag(k.rdata)).join(", ")}) is designated by the trust anchor`
          : `no valid RRSIG by an anchored key (${designated.map((k) => keyTag(k.rdata)).join(", ")})`,
      );
    }
  }

  /** The verification, once every node has been judged and finished; `zonemd` are the apex ZONEMD verdicts. */
  result(zonemd: readonly ZonemdVerdict[]): ZoneVerification {
    const { origin } = this;
    const problems = [...this.problems, ...this.nsec.end()];
    for (const v of zonemd) if (v.status !== "valid" && v.status !== "unsupported") problems.push(zoneProblem("ZONE-ZONEMD", origin, RRType.ZONEMD, v.reason));
    const counts = { rrsets: this.rrsets, rrsigs: this.rrsigs, nsec: this.nsec.count };
    return { ok: problems.length === 0, origin, problems, anchoredKeyTags: this.anchoredKeyTags, counts, zonemd: [...zonemd] };
  }
}

function finishing(jobs: readonly SignatureJob[], steps: readonly Step[]): NodeJudgement {
  return {
    jobs,
    finish(outcomes) {
      let at = 0;
      const take = (count: number) => {
        const taken = outcomes.slice(at, at + count);
        at += count;
        return taken;
      };
      for (const step of steps) step(take);
    },
  };
}

/** Judge `nodes` (canonical order) with `judge`, each node's signatures verified in this thread. */
export function judgeNodes(judge: ZoneJudge, nodes: Iterable<ZoneNode>): void {
  const verify = localSignatureVerifier();
  for (const node of nodes) {
    const j = judge.node(node);
    j.finish(verify(j.jobs));
  }
}

/**
 * The zone semantics `buildZone` and `buildWireZone` report with `report` (CNAME beside data, name
 * servers without addresses, data below a cut that is not glue) as problems, `file:line` in the detail.
 */
export function semanticsReporter(): { readonly problems: ZoneProblem[]; readonly report: NonNullable<BuildZoneOptions["report"]> } {
  const problems: ZoneProblem[] = [];
  return { problems, report: (code, owner, type, detail, where) => problems.push(zoneProblem(code, owner, type, where ? `${detail} (${where})` : detail)) };
}

export function verifyZone(request: ZoneVerificationRequest): ZoneVerification {
  const origin = zoneOrigin(request.records);
  const semantics = semanticsReporter();
  const zone = buildZone(request.records, origin, { report: semantics.report });
  const apex = zone.nodes.find((n) => n.role === "apex") as ZoneNode;
  const judge = new ZoneJudge(origin, apex, request.anchors, request.atEpochSeconds, semantics.problems);
  judgeNodes(judge, zone.nodes);
  return judge.result(checkZonemd(zone));
}

/**
 * The NSEC chain of the zone against the one it must have, fed the nodes in canonical order: each
 * chain node is judged when the next one (its NSEC's next name) is seen, the last against the
 * apex; an NSEC below a cut is reported after the chain's problems.
 */
class NsecChainJudge {
  count = 0;
  private first: Name | undefined;
  private previous: { readonly owner: Name; readonly nsecs: readonly RR[]; readonly want: readonly number[] } | undefined;
  private readonly chain: ZoneProblem[] = [];
  private readonly stray: ZoneProblem[] = [];

  constructor(
    private readonly origin: Name,
    private readonly nsec3: boolean,
  ) {}

  node(node: ZoneNode): void {
    if (this.nsec3) return;
    const nsecs = node.rrsets.get(RRType.NSEC) ?? [];
    if (!hasNsec(node)) {
      if (nsecs.length > 0) {
        this.stray.push(zoneProblem("ZONE-NSEC-CHAIN", node.owner, RRType.NSEC, "an NSEC at glue or occluded data below a zone cut"));
        this.count += nsecs.length;
      }
      return;
    }
    if (this.previous) this.link(this.previous, node.owner);
    else this.first = node.owner;
    this.previous = { owner: node.owner, nsecs, want: nsecTypes(node) };
  }

  /** The chain's problems, then the stray NSECs'. */
  end(): ZoneProblem[] {
    if (this.nsec3) return [zoneProblem("ZONE-NSEC-CHAIN", this.origin, RRType.NSEC3PARAM, "the zone uses NSEC3, which this validator does not judge")];
    if (this.previous) this.link(this.previous, this.first as Name);
    this.previous = undefined;
    return [...this.chain, ...this.stray];
  }

  private link(at: { readonly owner: Name; readonly nsecs: readonly RR[]; readonly want: readonly number[] }, next: Name): void {
    const problem = (detail: string, code: CheckCode = "ZONE-NSEC-CHAIN") => this.chain.push(zoneProblem(code, at.owner, RRType.NSEC, detail));
    this.count += at.nsecs.length;
    const nsec = at.nsecs[0];
    if (!nsec || !isKind(nsec, "NSEC")) {
      problem(`missing: the chain needs an NSEC here pointing to ${nameToString(next)}`);
      return;
    }
    if (at.nsecs.length > 1) problem(`${at.nsecs.length} NSEC records at one name`);
    if (!namesEqual(nsec.rdata.nextName, next)) {
      problem(`next name ${nameToString(nsec.rdata.nextName)}, but the next name in canonical order is ${nameToString(next)}`);
    }
    const have = nsec.rdata.types;
    const want = at.want;
    if (want.length !== have.length || want.some((t, k) => t !== have[k])) {
      problem(`bitmap lists ${have.map(typeToString).join(" ")}; the name has ${want.map(typeToString).join(" ")}`, "ZONE-NSEC-BITMAP");
    }
  }
}
