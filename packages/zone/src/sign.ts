/**
 * Signing a zone as the Root Zone Maintainer does: plan first, then sign through an injected
 * `Signer` (the bundle's ZSK).
 *
 * `planZoneSigning` (pure) takes the unsigned zone, the SKR, the time and the policy, and returns
 * the exact zone to publish without its ZSK signatures: the SOA with its serial set (`keep`,
 * `increment` or `unixtime`, as BIND's dnssec-signzone -N), the apex DNSKEY RRset and its KSK
 * RRSIGs copied from the bundle in use at that time (./bundle.ts), optional sentinel names
 * (./sentinel.ts), the NSEC chain (./nsec.ts) and a ZONEMD placeholder; plus one signing task per
 * RRset the zone is authoritative for (RFC 4035 §2.2: not the apex DNSKEY, which the KSK signed;
 * not delegation NS or glue; DS yes), each with its window from the policy (./policy.ts).
 *
 * `signZone` runs the tasks through the signer, many at a time so that a signer backed by several
 * threads stays busy; every signature is verified in software once before it is kept: by the
 * keystore signer that made it (over exactly the signed data core's `signRrset` builds), or else
 * by `signRrset` itself (see `verifiedOnce`). Then the ZONEMD digest (RFC 8976, SHA-384, SIMPLE)
 * is computed over the signed zone and the ZONEMD RRset signed last.
 *
 * RRSIG, NSEC, NSEC3, NSEC3PARAM and an apex ZONEMD in the input are dropped and made anew (a
 * signed zone can be re-signed); apex DNSKEYs in the input must be exactly the bundle's.
 */
import {
  type AnchorRecord,
  type DnskeyRdata,
  KskError,
  type Name,
  type RR,
  RRType,
  type RrsigRdata,
  type Signer,
  type SoaRdata,
  type VerifySignature,
  bytesEqual,
  checkFailed,
  inputError,
  isKind,
  keyTag,
  keyVerifierCache,
  makeRR,
  nameToString,
  namesEqual,
  rrType,
  rrToString as rrToLine,
  rrsigLabelCount,
  signRrset,
} from "@ksk/core";
import { type KsrResponseDocument, bundleLabel, bundleRrsigRecords, documentDomain, sameDnskey } from "@ksk/ksr";
import { type BundleInUse, bundleInUse } from "./bundle.js";
import { nsecChain } from "./nsec.js";
import { ROOT_ZONE_SIGNING_POLICY, type ZoneSigningPolicy, signatureWindow } from "./policy.js";
import { sentinelKeyTags, sentinelRecords } from "./sentinel.js";
import { type LocatedRR, type Zone, addRecords, buildZone, signedTypes } from "./zone.js";
import { ZONEMD_HASH, zoneDigest, zonemdPlaceholder } from "./zonemd.js";

export type SerialMode = "keep" | "increment" | "unixtime";

export interface ZoneSigningRequest {
  readonly records: readonly LocatedRR[];
  readonly origin: Name;
  readonly skr: KsrResponseDocument;
  readonly atEpochSeconds: number;
  readonly policy?: ZoneSigningPolicy;
  readonly serial?: SerialMode;
  /** The SOA to use when the input has none (the real-sized test root has none). */
  readonly soa?: RR<SoaRdata>;
  /** Add RFC 8509 sentinel names for every KSK of the SKR and of `knownKeys`. */
  readonly sentinels?: boolean;
  readonly knownKeys?: readonly AnchorRecord[];
}

export interface SigningTask {
  readonly rrset: readonly RR[];
  readonly inceptionEpochSeconds: number;
  readonly expirationEpochSeconds: number;
}

export interface ZoneSigningPlan {
  /** The zone to publish, without ZSK RRSIGs, with a placeholder ZONEMD digest. */
  readonly zone: Zone;
  readonly bundle: BundleInUse;
  readonly policy: ZoneSigningPolicy;
  readonly atEpochSeconds: number;
  readonly serial: number;
  /** Every RRset the ZSK signs before the ZONEMD digest. */
  readonly tasks: readonly SigningTask[];
  /** Records the input carried that signing replaces (old RRSIG, NSEC, ZONEMD). */
  readonly droppedRecords: number;
}

const REMADE_TYPES = new Set<number>([RRType.RRSIG, RRType.NSEC, RRType.NSEC3, RRType.NSEC3PARAM]);

/** The next serial as BIND's dnssec-signzone -N computes it (RFC 1982 arithmetic, never 0). */
export function nextSerial(current: number, mode: SerialMode, atEpochSeconds: number): number {
  const increment = (s: number) => ((s + 1) >>> 0 === 0 ? 1 : (s + 1) >>> 0);
  switch (mode) {
    case "keep":
      return current;
    case "increment":
      return increment(current);
    case "unixtime": {
      const now = Math.floor(atEpochSeconds) >>> 0;
      // BIND: the time, unless that would not move the serial forward (RFC 1982 §3.2).
      const diff = (now - current) >>> 0;
      return diff !== 0 && diff < 0x80000000 ? now : increment(current);
    }
  }
}

export function planZoneSigning(request: ZoneSigningRequest): ZoneSigningPlan {
  const { origin, skr, atEpochSeconds } = request;
  const policy = request.policy ?? ROOT_ZONE_SIGNING_POLICY;
  const domain = documentDomain(skr);
  if (!namesEqual(domain, origin)) throw checkFailed("ZONE-SKR-BUNDLE", `SKR ${skr.id} is for ${nameToString(domain)}, the zone is ${nameToString(origin)}`);
  const inUse = bundleInUse(skr, atEpochSeconds);
  const label = bundleLabel(inUse.bundle, inUse.index);
  let dropped = 0;
  const kept: LocatedRR[] = [];
  let inputSoa: LocatedRR | undefined;
  for (const located of request.records) {
    const { rr } = located;
    const type = rrType(rr);
    const atApex = namesEqual(rr.owner, origin);
    if (REMADE_TYPES.has(type) || (atApex && type === RRType.ZONEMD)) {
      dropped++;
      continue;
    }
    if (atApex && type === RRType.DNSKEY) {
      const dnskey = rr.rdata as DnskeyRdata;
      if (!inUse.bundle.keys.some((k) => sameDnskey(k.dnskey, dnskey))) {
        throw checkFailed(
          "ZONE-APEX-DNSKEY",
          `the zone carries apex DNSKEY ${keyTag(dnskey)}, which is not in ${label}; remove it (the SKR gives the apex DNSKEY RRset)`,
          located.where,
        );
      }
      continue; // the bundle's RRset (with its TTLs) replaces the input's copy
    }
    if (atApex && type === RRType.SOA) {
      if (inputSoa) throw inputError("ZONE-SOA", `a second SOA record (the first is at ${inputSoa.where})`, located.where);
      inputSoa = located;
    }
    kept.push(located);
  }
  // The SOA, with the serial set.
  let soa: RR<SoaRdata>;
  if (inputSoa) {
    if (request.soa) throw new KskError("usage", "ZONE-SOA-TWICE", `the zone has a SOA (${inputSoa.where}); --soa is for zones without one`);
    soa = inputSoa.rr as RR<SoaRdata>;
  } else {
    if (!request.soa) throw new KskError("input", "ZONE-SOA", `the zone has no SOA record: add one or give --soa`);
    soa = request.soa;
  }
  const serial = nextSerial(soa.rdata.serial, request.serial ?? "keep", atEpochSeconds);
  const newSoa = makeRR(origin, soa.ttlSeconds, { ...soa.rdata, serial });
  const body = kept.filter((l) => l.rr !== inputSoa?.rr);
  const generated = (rr: RR): LocatedRR => ({ rr, where: "generated" });
  const bundleKeys = inUse.bundle.keys.map((k) => generated(makeRR(origin, k.ttlSeconds, k.dnskey)));
  const negativeTtl = Math.min(newSoa.ttlSeconds, newSoa.rdata.minimumSeconds);
  const sentinels = request.sentinels ? sentinelRecords(origin, sentinelKeyTags(skr, request.knownKeys), negativeTtl).map(generated) : [];
  const zonemd = generated(makeRR(origin, newSoa.ttlSeconds, zonemdPlaceholder(serial, ZONEMD_HASH.SHA384)));
  const unsigned = buildZone([generated(newSoa), ...bundleKeys, zonemd, ...body, ...sentinels], origin);
  const withNsec = addRecords(unsigned, nsecChain(unsigned));
  const tasks: SigningTask[] = [];
  for (const node of withNsec.nodes) {
    for (const type of signedTypes(node)) {
      if (node.role === "apex" && (type === RRType.DNSKEY || type === RRType.ZONEMD)) continue;
      tasks.push({ rrset: node.rrsets.get(type) as RR[], ...signatureWindow(policy, atEpochSeconds, node.owner, type) });
    }
  }
  // The KSK's signatures over the DNSKEY RRset, exactly as the SKR carries them.
  const zone = addRecords(withNsec, bundleRrsigRecords(inUse.bundle, origin));
  return { zone, bundle: inUse, policy, atEpochSeconds, serial, tasks, droppedRecords: dropped };
}

export interface SignZoneOptions {
  /** How many signatures may be outstanding at once (a threaded signer needs several). */
  readonly concurrency?: number;
  /** Called after each signature with the count done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

function template(signer: Signer, task: SigningTask, origin: Name) {
  const first = task.rrset[0] as RR;
  return {
    typeCovered: rrType(first),
    algorithm: signer.dnskey.algorithm,
    labels: rrsigLabelCount(first.owner),
    originalTtlSeconds: first.ttlSeconds,
    expirationEpochSeconds: task.expirationEpochSeconds,
    inceptionEpochSeconds: task.inceptionEpochSeconds,
    keyTag: signer.keyTag,
    signerName: origin,
  };
}

/**
 * Every signature is verified once before it is kept. A keystore signer has verified each one
 * against its DNSKEY over exactly the data it was given (`verifiedBeforeReturn`); then core's
 * `signRrset` still judges the RRSIG it builds (type, labels, window, key tag, signer name) and,
 * in place of a second cryptographic check, confirms that the signed data it rebuilds from that
 * RRSIG are, octet for octet, the data the keystore verified the signature over, and that the key
 * is the signer's. Any other signer's signatures are verified here with the ZSK's public key built
 * once (core's `keyVerifierCache`).
 */
function verifiedOnce(signer: Signer): { signer: Signer; verifySignature: VerifySignature } {
  if (!signer.verifiedBeforeReturn) {
    const verifier = keyVerifierCache();
    return { signer, verifySignature: (key, data, signatureBytes) => verifier(key)(data, signatureBytes) };
  }
  // Each signature the keystore returned, with the data it verified it over.
  const verifiedOver = new WeakMap<Uint8Array, Uint8Array>();
  const recording: Signer = {
    label: signer.label,
    dnskey: signer.dnskey,
    keyTag: signer.keyTag,
    async sign(data) {
      const signatureBytes = await signer.sign(data);
      verifiedOver.set(signatureBytes, data);
      return signatureBytes;
    },
  };
  const verifySignature: VerifySignature = (key, data, signatureBytes) => {
    const over = verifiedOver.get(signatureBytes);
    return key === signer.dnskey && over !== undefined && bytesEqual(over, data);
  };
  return { signer: recording, verifySignature };
}

/** Execute a plan with the bundle's signing ZSK; returns the signed zone, ZONEMD computed and signed. */
export async function signZone(plan: ZoneSigningPlan, signer: Signer, options: SignZoneOptions = {}): Promise<Zone> {
  const zsk = plan.bundle.signingZsk.dnskey;
  if (!sameDnskey(signer.dnskey, zsk)) {
    throw new KskError(
      "keystore",
      "ZONE-ZSK-MISMATCH",
      `key ${signer.label} (${signer.keyTag}) is not the ZSK ${keyTag(zsk)} that ${bundleLabel(plan.bundle.bundle, plan.bundle.index)} signs with`,
    );
  }
  const origin = plan.zone.origin;
  const { signer: signing, verifySignature } = verifiedOnce(signer);
  const total = plan.tasks.length + 1;
  let done = 0;
  const rrsigs: RR<RrsigRdata>[] = new Array(plan.tasks.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      const task = plan.tasks[i];
      if (!task) return;
      rrsigs[i] = await signRrset(signing, task.rrset, template(signer, task, origin), verifySignature);
      options.onProgress?.(++done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 64) }, worker));
  const signed = addRecords(plan.zone, rrsigs);
  // RFC 8976 §3.3: the digest covers the signed zone, so it is computed once all else is signed.
  const apex = signed.nodes.find((n) => n.role === "apex");
  const placeholder = apex?.rrsets.get(RRType.ZONEMD)?.[0];
  if (!placeholder || !isKind(placeholder, "ZONEMD")) throw new Error("unreachable: the plan has no ZONEMD");
  const zonemd = makeRR(origin, placeholder.ttlSeconds, { ...placeholder.rdata, digestBytes: zoneDigest(signed, placeholder.rdata.hashAlgorithm) });
  const withDigest = replaceRRset(signed, zonemd);
  const window = signatureWindow(plan.policy, plan.atEpochSeconds, origin, RRType.ZONEMD);
  const zonemdSig = await signRrset(signing, [zonemd], template(signer, { rrset: [zonemd], ...window }, origin), verifySignature);
  options.onProgress?.(++done, total);
  return addRecords(withDigest, [zonemdSig]);
}

/** The zone with the RRset of `rr`'s owner and type replaced by `rr` alone. */
function replaceRRset(zone: Zone, rr: RR): Zone {
  const type = rrType(rr);
  return {
    origin: zone.origin,
    nodes: zone.nodes.map((n) =>
      namesEqual(n.owner, rr.owner) ? { ...n, rrsets: new Map([...n.rrsets].map(([t, set]) => [t, t === type ? [rr] : set])) } : n,
    ),
  };
}

/** The zone as presentation text: each RRset followed by the RRSIGs over it, in canonical order. */
export function formatSignedZone(zone: Zone): string {
  const lines: string[] = [];
  const push = (rr: RR) => lines.push(rrToLine(rr));
  for (const node of zone.nodes) {
    const sigs = node.rrsets.get(RRType.RRSIG) ?? [];
    for (const [type, set] of node.rrsets) {
      if (type === RRType.RRSIG) continue;
      set.forEach(push);
      for (const s of sigs) if ((s.rdata as RrsigRdata).typeCovered === type) push(s);
    }
    for (const s of sigs) if (!node.rrsets.has((s.rdata as RrsigRdata).typeCovered)) push(s);
  }
  lines.push("");
  return lines.join("\n");
}
