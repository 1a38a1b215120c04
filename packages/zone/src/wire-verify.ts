/**
 * `zone verify` over the compact zone (./wire-zone.ts): the checks are ./verify.ts's `ZoneJudge`,
 * the same code the object model runs, fed one node at a time. Each node is decoded from the
 * record buffer into a transient `ZoneNode` (its records as written, so every name in a problem
 * reads as ./zone.ts gives it), judged, and dropped once its signatures' outcomes are in: objects
 * live per node in flight, not per zone. The zone semantics (ZONE-CNAME, ZONE-GLUE, ZONE-OCCLUDED)
 * come from `buildWireZone` with `report`, ZONEMD from ./wire-digest.ts.
 *
 * Signatures are verified in batches by an injected `BatchSignatureVerifier` (the CLI's runs on
 * worker threads); the nodes of a few batches are in flight at once, and each node is finished in
 * canonical order, so the problems come in the order `verifyZone` gives them. The default verifies
 * in this thread with core's verifier.
 *
 * Left out: what ./verify.ts leaves out (NSEC3, wildcard proofs).
 */
import {
  type AnchorRecord,
  type BatchSignatureVerifier,
  type Name,
  type RR,
  type Rdata,
  RRClass,
  type SignatureOutcome,
  type SignedDataFromWire,
  decodeRdata,
  encodeRrsigFieldsWithoutSignature,
  inputError,
  signedDataFromWire,
} from "@ksk/core";
import { type JudgedNode, type NodeJudgement, ZoneJudge, type ZoneVerification, localSignatureVerifier, semanticsReporter } from "./verify.js";
import { checkWireZonemd } from "./wire-digest.js";
import { wireName } from "./wire-order.js";
import { FIXED_OCTETS, wireNameLength } from "./wire-records.js";
import { ROLE, type WireZone, type WireZoneInput, buildWireZone, firstRead, nodeOwner, writtenOwner } from "./wire-zone.js";
import type { NodeRole } from "./zone.js";

export interface WireZoneVerificationRequest {
  readonly anchors: readonly AnchorRecord[];
  readonly atEpochSeconds: number;
  /** Verifies signatures in bulk; default: core's verifier in this thread, each key built once. */
  readonly verify?: BatchSignatureVerifier;
}

const ROLE_NAMES: readonly NodeRole[] = ["apex", "authoritative", "delegation", "below-cut"];

/**
 * The signed data of an RRSIG over node `n`'s RRset of `type`, from the octets the compact zone
 * holds: the owner and each RDATA in canonical form, in canonical order, duplicates merged
 * (./wire-order.ts) — core's one layout (`signedDataFromWire`).
 */
function wireSignedData(zone: WireZone, n: number, type: number): SignedDataFromWire {
  return (rrsig) => {
    const { records, order, nodeStart } = zone;
    const rdatas: Uint8Array[] = [];
    let owner: Uint8Array | undefined;
    for (let k = nodeStart[n] as number; k < (nodeStart[n + 1] as number); k++) {
      const i = order[k] as number;
      if (records.type(i) !== type) continue;
      owner ??= records.ownerWire(i);
      rdatas.push(records.rdataWire(i));
    }
    if (owner === undefined) return undefined;
    const sig = rrsig.rdata;
    // The RRSIG's own canonical RDATA up to its signature is the fields as signed (RFC 4034 §3.1.8.1).
    const fields = rrsig instanceof WireRR ? rrsig.canonicalRdata?.subarray(0, rrsig.canonicalRdata.length - sig.signatureBytes.length) : undefined;
    return signedDataFromWire(fields ?? encodeRrsigFieldsWithoutSignature(sig), owner, RRClass.IN, sig.originalTtlSeconds, rdatas);
  };
}

/**
 * A record of a transient node, its RDATA decoded when first asked for: most records are only
 * typed and counted by the checks, or signed over from their octets (`wireSignedData`).
 */
class WireRR implements RR {
  readonly class = RRClass.IN;
  private decoded: Rdata | undefined;

  /**
   * `rdataWire` is the RDATA as written, which is the canonical form unless a name in the record
   * had upper case (then `canonicalRdata` is undefined).
   */
  constructor(
    readonly owner: Name,
    readonly ttlSeconds: number,
    private readonly type: number,
    private readonly rdataWire: Uint8Array,
    readonly canonicalRdata: Uint8Array | undefined,
  ) {}

  get rdata(): Rdata {
    this.decoded ??= decodeRdata(this.type, this.rdataWire);
    return this.decoded;
  }
}

/**
 * Node `n` as ./zone.ts's `ZoneNode`: RRsets by type in ascending order, each in canonical RDATA
 * order (the order of the compact zone), each record decoded from its form as written.
 */
function decodeWireNode(zone: WireZone, n: number): JudgedNode {
  const { records, order, nodeStart } = zone;
  const rrsets = new Map<number, RR[]>();
  // One owner object for the records whose names were written in lower case (most of them).
  let canonicalOwner: Name | undefined;
  for (let k = nodeStart[n] as number; k < (nodeStart[n + 1] as number); k++) {
    const i = order[k] as number;
    const type = records.type(i);
    const written = records.originalWire(i);
    let rr: RR;
    if (written === undefined) {
      canonicalOwner ??= wireName(records.bytes, records.start(i));
      const rdata = records.rdataWire(i);
      rr = new WireRR(canonicalOwner, records.ttlSeconds(i), type, rdata, rdata);
    } else {
      rr = new WireRR(writtenOwner(records, i), records.ttlSeconds(i), type, written.subarray(wireNameLength(written, 0) + FIXED_OCTETS), undefined);
    }
    const set = rrsets.get(type);
    if (set) set.push(rr);
    else rrsets.set(type, [rr]);
  }
  // The node's name as first written: the canonical owner unless that record was written with upper case.
  const first = firstRead(zone, n);
  const owner = records.originalWire(first) === undefined && canonicalOwner !== undefined ? canonicalOwner : nodeOwner(zone, n);
  return { owner, rrsets, role: ROLE_NAMES[zone.roles[n] as number] as NodeRole, signedData: (type) => wireSignedData(zone, n, type) };
}

/** The zone's nodes in canonical order, decoded one at a time; node 0 (the apex) is `apex`, decoded already. */
function* wireNodes(zone: WireZone, apex: JudgedNode): Generator<JudgedNode> {
  yield apex;
  for (let n = 1; n < zone.nodeCount; n++) yield decodeWireNode(zone, n);
}

export interface BatchOptions {
  /** Signatures per batch handed to the verifier. */
  readonly batchJobs?: number;
  /** Batches outstanding while more nodes are judged. */
  readonly batchesInFlight?: number;
}

/** Nodes per batch at most, so that a zone with few signatures keeps few nodes in flight too. */
const BATCH_NODES = 1024;

/**
 * Judge `nodes` (canonical order) with `judge`, their signatures verified by `verify` in batches
 * of about `batchJobs`, up to `batchesInFlight` outstanding; each node finished in order.
 */
async function judgeNodesInBatches(judge: ZoneJudge, nodes: Iterable<JudgedNode>, verify: BatchSignatureVerifier, options: BatchOptions = {}): Promise<void> {
  const batchJobs = options.batchJobs ?? 256;
  const batchesInFlight = options.batchesInFlight ?? 4;
  interface Batch {
    readonly judgements: NodeJudgement[];
    readonly jobs: NodeJudgement["jobs"][number][];
  }
  const inFlight: { judgements: readonly NodeJudgement[]; jobCount: number; outcomes: Promise<SignatureOutcome[]> }[] = [];
  let current: Batch = { judgements: [], jobs: [] };
  const send = () => {
    const outcomes = current.jobs.length === 0 ? Promise.resolve([]) : verify(current.jobs);
    // Awaited in order below; a failure of a later batch must not go unhandled meanwhile.
    outcomes.catch(() => undefined);
    inFlight.push({ judgements: current.judgements, jobCount: current.jobs.length, outcomes });
    current = { judgements: [], jobs: [] };
  };
  const settle = async () => {
    const batch = inFlight.shift();
    if (!batch) return;
    const outcomes = await batch.outcomes;
    if (outcomes.length !== batch.jobCount) throw new Error(`unreachable: ${outcomes.length} outcomes for ${batch.jobCount} signatures`);
    let at = 0;
    for (const j of batch.judgements) {
      j.finish(outcomes.slice(at, at + j.jobs.length));
      at += j.jobs.length;
    }
  };
  for (const node of nodes) {
    const j = judge.node(node);
    current.judgements.push(j);
    for (const job of j.jobs) current.jobs.push(job);
    if (current.jobs.length >= batchJobs || current.judgements.length >= BATCH_NODES) {
      send();
      if (inFlight.length > batchesInFlight) await settle();
    }
  }
  send();
  while (inFlight.length > 0) await settle();
}

/**
 * Validate the zone read into `input` as `verifyZone` validates the same records: the same
 * `ZoneVerification` (problems in the same order), the same refusals of malformed input.
 */
export async function verifyWireZone(input: WireZoneInput, request: WireZoneVerificationRequest, options: BatchOptions = {}): Promise<ZoneVerification> {
  const semantics = semanticsReporter();
  const zone = buildWireZone(input, { report: semantics.report });
  // As `verifyZone`'s `zoneOrigin`: the apex is the SOA's owner (an input built with an apex given may have none).
  if (input.soaIndex < 0) throw inputError("ZONE-SOA", "the zone has no SOA record, so it has no apex");
  const origin = writtenOwner(zone.records, input.soaIndex);
  if (zone.roles[0] !== ROLE.apex) throw new Error("unreachable: the first node of a zone with its SOA is not the apex");
  const apex = decodeWireNode(zone, 0);
  const judge = new ZoneJudge(origin, apex, request.anchors, request.atEpochSeconds, semantics.problems);
  const local = request.verify === undefined ? localSignatureVerifier() : undefined;
  const verify: BatchSignatureVerifier = request.verify ?? (async (jobs) => (local as NonNullable<typeof local>)(jobs));
  await judgeNodesInBatches(judge, wireNodes(zone, apex), verify, options);
  return judge.result(checkWireZonemd(zone));
}
