/**
 * The zone model shared by the signer and the validator: records grouped into nodes (one owner
 * name each) in canonical order (RFC 4034 §6.1), each node's role relative to the zone cuts
 * (RFC 4035 §2.2: apex, authoritative, delegation point, or below a cut: glue and occluded data),
 * and the structural checks a zone file must pass before anything is signed or judged:
 * data outside the zone, a second SOA, CNAME beside other data (RFC 1034 §3.6.2; RFC 4035 §2.5
 * allows RRSIG and NSEC), TTLs with the top bit set (RFC 2181 §8), RRsets whose records differ
 * in TTL (RFC 2181 §5.2), DS away from a delegation, and in-zone name servers without glue.
 * Each failure is malformed input naming `file:line`. Identical records are merged (RFC 2181 §5).
 *
 * Left out: wildcards below cuts, DNAME (the root has neither); NSEC3 zones.
 */
import {
  type LocatedRR,
  MAX_TTL_SECONDS,
  type Name,
  type RR,
  RRType,
  compareBytes,
  compareNames,
  encodeRdata,
  bytesEqual,
  inputError,
  isKind,
  isSubdomain,
  nameToString,
  namesEqual,
  rrType,
  typeToString,
} from "@ksk/core";

/** Core's located record (its zone loader makes them), re-exported for this package's users. */
export type { LocatedRR } from "@ksk/core";

/**
 * Where a name stands (RFC 4035 §2.2): the apex; authoritative data; a delegation point (NS not
 * at the apex: only its NS and DS are the zone's); or below a cut (glue and occluded data).
 */
export type NodeRole = "apex" | "authoritative" | "delegation" | "below-cut";

export interface ZoneNode {
  readonly owner: Name;
  /** RRsets at this name by type, each in canonical RDATA order, duplicates merged. */
  readonly rrsets: ReadonlyMap<number, readonly RR[]>;
  /** Computed once when the zone is built, from the zone's own NS records. */
  readonly role: NodeRole;
}

export interface Zone {
  readonly origin: Name;
  /** Every owner name, in canonical order. */
  readonly nodes: readonly ZoneNode[];
}

/** `rrs` in canonical RDATA order, by their canonical RDATA already encoded (`wires[i]` is `rrs[i]`'s). */
function sortByWire(rrs: readonly RR[], wires: readonly Uint8Array[]): RR[] {
  if (rrs.length < 2) return [...rrs];
  return rrs
    .map((rr, i) => ({ rr, wire: wires[i] as Uint8Array }))
    .sort((a, b) => compareBytes(a.wire, b.wire))
    .map((x) => x.rr);
}

const nameKeys = new WeakMap<Name, string>();

/**
 * The key used to find a node by name: its presentation form, lowercased. Remembered per name
 * object (names are immutable, and the zone reader hands out one object per run of an owner).
 */
export function nameKey(name: Name): string {
  let key = nameKeys.get(name);
  if (key === undefined) {
    key = nameToString(name).toLowerCase();
    nameKeys.set(name, key);
  }
  return key;
}

interface MutableNode {
  owner: Name;
  rrsets: Map<number, RR[]>;
  /** The canonical RDATA of each record in `rrsets`, same order, for finding duplicates. */
  wires: Map<number, Uint8Array[]>;
  where: Map<number, string>;
}

/** The zone-semantics findings `zone verify` reports as checks instead of refusing the file. */
export type ZoneSemanticsCode = "ZONE-CNAME" | "ZONE-GLUE" | "ZONE-OCCLUDED";

export interface BuildZoneOptions {
  /**
   * Report CNAME beside other data, name servers without addresses and data below a zone cut that
   * is not glue (as kzonecheck does), instead of throwing: `zone verify` judges a zone with them.
   * Without it (`zone sign`), CNAME and glue below a cut are malformed input as before.
   */
  readonly report?: (code: ZoneSemanticsCode, owner: Name, type: number, detail: string, where: string) => void;
}

/**
 * Build a zone from located records, running the structural checks. `origin` is the zone's apex;
 * every owner must be at or below it.
 */
export function buildZone(records: readonly LocatedRR[], origin: Name, options: BuildZoneOptions = {}): Zone {
  const nodes = new Map<string, MutableNode>();
  let soaWhere: string | undefined;
  for (const { rr, where } of records) {
    if (!isSubdomain(rr.owner, origin)) {
      throw inputError("ZONE-OUT-OF-ZONE", `${nameToString(rr.owner)} ${typeToString(rrType(rr))} is outside the zone ${nameToString(origin)}`, where);
    }
    if (rr.ttlSeconds > MAX_TTL_SECONDS) {
      throw inputError("ZONE-TTL-RANGE", `TTL ${rr.ttlSeconds} of ${nameToString(rr.owner)} is over 2^31-1 (RFC 2181 §8)`, where);
    }
    const type = rrType(rr);
    if (type === RRType.SOA) {
      if (!namesEqual(rr.owner, origin)) throw inputError("ZONE-SOA", `SOA at ${nameToString(rr.owner)}, not at the apex ${nameToString(origin)}`, where);
      if (soaWhere !== undefined) throw inputError("ZONE-SOA", `a second SOA record (the first is at ${soaWhere})`, where);
      soaWhere = where;
    }
    const key = nameKey(rr.owner);
    let node = nodes.get(key);
    if (!node) {
      node = { owner: rr.owner, rrsets: new Map(), wires: new Map(), where: new Map() };
      nodes.set(key, node);
    }
    let set = node.rrsets.get(type);
    let wires = node.wires.get(type);
    if (!set || !wires) {
      set = [];
      wires = [];
      node.rrsets.set(type, set);
      node.wires.set(type, wires);
      node.where.set(type, where);
    }
    const rdata = encodeRdata(rr.rdata, true);
    const index = wires.findIndex((w) => bytesEqual(w, rdata));
    const same = set[index];
    if (same) {
      if (same.ttlSeconds !== rr.ttlSeconds) throw ttlMismatch(rr, same, where);
      continue; // RFC 2181 §5: an RRset has no duplicate records
    }
    wires.push(rdata);
    // RRSIGs at a name are one "RRset" by type, but each covers its own RRset and keeps its TTL.
    if (type !== RRType.RRSIG && set[0] && set[0].ttlSeconds !== rr.ttlSeconds) throw ttlMismatch(rr, set[0], where);
    set.push(rr);
  }
  const sorted = [...nodes.values()].sort((a, b) => compareNames(a.owner, b.owner));
  const out: ZoneNode[] = [];
  let cut: Name | undefined;
  for (const node of sorted) {
    for (const [type, set] of node.rrsets) node.rrsets.set(type, sortByWire(set, node.wires.get(type) as Uint8Array[]));
    const isApex = namesEqual(node.owner, origin);
    if (cut && !isSubdomain(node.owner, cut)) cut = undefined;
    let role: NodeRole;
    if (isApex) role = "apex";
    else if (cut) role = "below-cut";
    else if (node.rrsets.has(RRType.NS)) {
      role = "delegation";
      cut = node.owner;
    } else role = "authoritative";
    checkNode(node, role, options.report);
    out.push({ owner: node.owner, rrsets: new Map([...node.rrsets.entries()].sort((a, b) => a[0] - b[0])), role });
  }
  const zone: Zone = { origin, nodes: out };
  checkGlue(zone, nodes, options.report);
  if (options.report) checkOccluded(zone, nodes, options.report);
  return zone;
}

function ttlMismatch(rr: RR, other: RR, where: string) {
  return inputError(
    "ZONE-TTL-MISMATCH",
    `${nameToString(rr.owner)} ${typeToString(rrType(rr))}: TTL ${rr.ttlSeconds} differs from ${other.ttlSeconds} of the same RRset (RFC 2181 §5.2)`,
    where,
  );
}

/** Types that may sit beside a CNAME (RFC 4035 §2.5). */
const CNAME_COMPANIONS = new Set<number>([RRType.CNAME, RRType.RRSIG, RRType.NSEC]);

function checkNode(node: MutableNode, role: NodeRole, report?: BuildZoneOptions["report"]): void {
  const at = (type: number) => node.where.get(type) as string;
  if (node.rrsets.has(RRType.CNAME)) {
    const other = [...node.rrsets.keys()].find((t) => !CNAME_COMPANIONS.has(t));
    if (other !== undefined) {
      const detail = `${nameToString(node.owner)} has a CNAME beside ${typeToString(other)} data (RFC 1034 §3.6.2)`;
      if (!report) throw inputError("ZONE-CNAME", detail, at(RRType.CNAME));
      report("ZONE-CNAME", node.owner, RRType.CNAME, detail, at(RRType.CNAME));
    }
    if ((node.rrsets.get(RRType.CNAME)?.length ?? 0) > 1)
      throw inputError("ZONE-CNAME", `${nameToString(node.owner)} has more than one CNAME`, at(RRType.CNAME));
  }
  if (node.rrsets.has(RRType.DS)) {
    if (role === "apex") throw inputError("ZONE-DS", "DS at the apex: a DS belongs in the parent zone (RFC 4035 §2.4)", at(RRType.DS));
    if (role !== "delegation") throw inputError("ZONE-DS", `DS at ${nameToString(node.owner)}, which is not a delegation point (no NS)`, at(RRType.DS));
  }
}

/**
 * Every name server inside the zone and below a cut needs an address record (glue) here. With
 * `report`, also one inside the zone and not below a cut: the zone is authoritative for its
 * addresses, so without them the delegation is lame (kzonecheck: "missing glue record").
 */
function checkGlue(zone: Zone, nodes: Map<string, MutableNode>, report?: BuildZoneOptions["report"]): void {
  const roles = new Map(zone.nodes.map((n) => [nameKey(n.owner), n.role]));
  // Many delegations share name servers: each target is judged once.
  const judged = new Map<string, boolean>();
  for (const node of zone.nodes) {
    if (node.role !== "delegation" && node.role !== "apex") continue;
    for (const ns of node.rrsets.get(RRType.NS) ?? []) {
      if (!isKind(ns, "NS") || !isSubdomain(ns.rdata.target, zone.origin)) continue;
      const targetKey = nameKey(ns.rdata.target);
      let below = judged.get(targetKey);
      if (below === undefined) {
        below = belowCut(zone, ns.rdata.target, roles);
        judged.set(targetKey, below);
      }
      if (!below && !report) continue;
      const target = nodes.get(targetKey);
      if (!target || !(target.rrsets.has(RRType.A) || target.rrsets.has(RRType.AAAA))) {
        const where = nodes.get(nameKey(node.owner))?.where.get(RRType.NS) as string;
        const detail = below
          ? `${nameToString(node.owner)} NS ${nameToString(ns.rdata.target)}: the name server is below a zone cut here but has no A or AAAA glue`
          : `${nameToString(node.owner)} NS ${nameToString(ns.rdata.target)}: the name server is inside the zone but has no A or AAAA record in it (missing glue)`;
        if (!report) throw inputError("ZONE-GLUE", detail, where);
        report("ZONE-GLUE", node.owner, RRType.NS, detail, where);
      }
    }
  }
}

/**
 * Data below a zone cut is occluded (RFC 2181 §6, RFC 4035 §2.2): only the A and AAAA records of
 * a name server some NS record of the zone names belong there, as glue.
 */
function checkOccluded(zone: Zone, nodes: Map<string, MutableNode>, report: NonNullable<BuildZoneOptions["report"]>): void {
  const targets = new Set<string>();
  for (const node of zone.nodes) for (const ns of node.rrsets.get(RRType.NS) ?? []) if (isKind(ns, "NS")) targets.add(nameKey(ns.rdata.target));
  for (const node of zone.nodes) {
    if (node.role !== "below-cut") continue;
    const where = nodes.get(nameKey(node.owner))?.where;
    for (const type of node.rrsets.keys()) {
      if (type === RRType.RRSIG || type === RRType.NSEC) continue; // ZONE-DELEGATION and ZONE-NSEC-CHAIN judge those
      const glue = (type === RRType.A || type === RRType.AAAA) && targets.has(nameKey(node.owner));
      if (glue) continue;
      const why = type === RRType.A || type === RRType.AAAA ? "no NS record of the zone names it, so it is not glue" : "only glue (A, AAAA) belongs there";
      report("ZONE-OCCLUDED", node.owner, type, `${nameToString(node.owner)} ${typeToString(type)} is below a zone cut: ${why}`, where?.get(type) ?? "");
    }
  }
}

/** Is `name` at or below a delegation point of the zone (so its addresses must be glue)? */
function belowCut(zone: Zone, name: Name, roles: ReadonlyMap<string, NodeRole>): boolean {
  for (let drop = name.labels.length - zone.origin.labels.length - 1; drop >= 0; drop--) {
    const ancestor: Name = { labels: name.labels.slice(drop) };
    if (roles.get(nameKey(ancestor)) === "delegation") return true;
  }
  return false;
}

/** The zone's SOA record. */
export function zoneSoa(zone: Zone): RR {
  const apex = zone.nodes.find((n) => n.role === "apex");
  const soa = apex?.rrsets.get(RRType.SOA)?.[0];
  if (!soa) throw inputError("ZONE-SOA", `the zone ${nameToString(zone.origin)} has no SOA record`);
  return soa;
}
