/**
 * The zones `zone verify` is tested on, made once and shared: the damaged signed lab roots of
 * sign-verify.test.ts (each kind of damage the validator must catch) and the unsigned zones of
 * zone-semantics.test.ts (CNAME, glue, occluded data). Those files judge each with the object
 * model and say what it must find; wire-verify.test.ts checks the compact model finds exactly the
 * same in every one of them.
 */
import { type RR, RRType, makeRR, nameToString, parseName, rrToString, rrType, signRrset } from "@ksk/core";
import { planZoneSigning, signZone, wireName, wireNameLength } from "@ksk/zone";
import { SMALL_ROOT, type SmallLab, records, soaRecord } from "./lab-root.js";

/** Sign `text` (the small lab root by default) with the lab's current ZSK, as `zone sign` would. */
export async function signSmall(lab: SmallLab, text = SMALL_ROOT, extra: Partial<Parameters<typeof planZoneSigning>[0]> = {}): Promise<string> {
  const plan = planZoneSigning({
    records: records(text),
    origin: parseName("."),
    skr: lab.skr,
    atEpochSeconds: lab.atEpochSeconds,
    soa: soaRecord(),
    ...extra,
  });
  // The lab SKR's bundles 2-8 publish the current ZSK (the second made) alone.
  return await signZone(plan, lab.zsks[1] as (typeof lab.zsks)[number]);
}

/** Replace the first line matching `pattern` with `edit(line)` (undefined: remove it). */
export function damage(text: string, pattern: RegExp, edit: (line: string) => string | undefined): string {
  const lines = text.split("\n");
  const i = lines.findIndex((l) => pattern.test(l));
  if (i < 0) throw new Error(`no line matches ${pattern}`);
  const replaced = edit(lines[i] as string);
  if (replaced === undefined) lines.splice(i, 1);
  else lines[i] = replaced;
  return lines.join("\n");
}

/** A signed zone to validate: its text, and the time and anchor when they are not the lab's. */
export interface VerifyCase {
  readonly text: string;
  readonly atEpochSeconds?: number;
  readonly anchor?: RR;
}

/** The small root signed with the DS bit of com.'s NSEC cleared in the plan: the signatures are good, the bitmap is not. */
async function wrongBitmap(lab: SmallLab): Promise<string> {
  const plan = planZoneSigning({ records: records(SMALL_ROOT), origin: parseName("."), skr: lab.skr, atEpochSeconds: lab.atEpochSeconds, soa: soaRecord() });
  const store = plan.zone.records;
  const nsec = [...plan.zone.order].find((i) => store.type(i) === RRType.NSEC && nameToString(wireName(store.bytes, store.start(i))) === "com.");
  if (nsec === undefined) throw new Error("fixture: com. has no NSEC");
  const rdata = store.rdataWire(nsec);
  const window0 = rdata.subarray(wireNameLength(rdata, 0));
  // Window 0, octet 43 >> 3 = 5, bit 0x80 >> (43 & 7): DS (RFC 4034 §4.1.2).
  if (((window0[2 + 5] as number) & 0x10) !== 0x10) throw new Error("fixture: com.'s NSEC does not list DS");
  window0[2 + 5] = (window0[2 + 5] as number) & ~0x10;
  return await signZone(plan, lab.zsks[1] as never);
}

/** The signed small root plus a valid RRSIG by the ZSK over com.'s delegation NS RRset, which must not be signed. */
async function signedDelegationNs(lab: SmallLab, signedText: string): Promise<string> {
  const ns = records(signedText)
    .map((l) => l.rr)
    .filter((rr) => nameToString(rr.owner) === "com." && rrType(rr) === RRType.NS) as never[];
  const zsk = lab.zsks[1] as never as { dnskey: { algorithm: number }; keyTag: number };
  const rrsig = await signRrset(lab.zsks[1] as never, ns, {
    typeCovered: RRType.NS,
    algorithm: zsk.dnskey.algorithm,
    labels: 1,
    originalTtlSeconds: 172800,
    inceptionEpochSeconds: lab.atEpochSeconds - 3600,
    expirationEpochSeconds: lab.atEpochSeconds + 86400,
    keyTag: zsk.keyTag,
    signerName: parseName("."),
  });
  return `${signedText}${rrToString(rrsig)}\n`;
}

/** Each kind of damage to the signed small root `signedText`, by name, and the good zone itself. */
export async function damagedZones(lab: SmallLab, signedText: string): Promise<Record<string, VerifyCase>> {
  return {
    good: { text: signedText },
    "changed signature": { text: damage(signedText, /^com\.\t\d+\tIN\tRRSIG\tDS /, (l) => l.replace(/[A-Za-z0-9+/]{8}(=*)$/, "AAAAAAAA$1")) },
    "missing NSEC": { text: damage(signedText, /^example\.\t\d+\tIN\tNSEC\t/, () => undefined) },
    "wrong bitmap, re-signed": { text: await wrongBitmap(lab) },
    "stale ZONEMD (glue changed)": { text: damage(signedText, /^a\.gtld-servers\.net\.\t\d+\tIN\tA\t/, (l) => l.replace(/192\.5\.6\.30$/, "192.5.6.31")) },
    expired: { text: signedText, atEpochSeconds: lab.atEpochSeconds + 14 * 86400 },
    "not yet valid": { text: signedText, atEpochSeconds: lab.atEpochSeconds - 7200 },
    "not anchored": { text: signedText, anchor: makeRR(parseName("."), 0, lab.zsks[0]?.dnskey as never) },
    "signed delegation NS": { text: await signedDelegationNs(lab, signedText) },
    "two SOAs": { text: `${signedText}. 86400 IN SOA a. b. 1 2 3 4 5\n` },
  };
}

/** The start of each zone-semantics case: a root with its SOA, NS and the name server's address. */
const HEAD = `. 86400 IN SOA a.root-servers.net. nstld.verisign-grs.com. 2026010100 1800 900 604800 86400
. 518400 IN NS a.root-servers.net.
a.root-servers.net. 518400 IN A 198.41.0.4
`;

/** The unsigned zones of the zone semantics (file name: text), judged at `SEMANTICS_AT` without anchors. */
export const SEMANTICS_ZONES = {
  "good.zone": `${HEAD}example. 172800 IN NS ns1.example.\nns1.example. 172800 IN A 192.0.2.53\n`,
  "no-glue.zone": `${HEAD}example. 172800 IN NS a.iana-servers.net.\n`,
  "no-glue-below.zone": `${HEAD}example. 172800 IN NS ns1.example.\n`,
  "cname.zone": `${HEAD}alias. 86400 IN CNAME a.root-servers.net.\nalias. 86400 IN TXT "other data"\n`,
  "occluded.zone": `${HEAD}example. 172800 IN NS ns1.example.\nns1.example. 172800 IN A 192.0.2.53\nwww.example. 172800 IN A 192.0.2.80\nns1.example. 172800 IN TXT "not glue"\n`,
} as const;

export const SEMANTICS_AT = Date.UTC(2026, 0, 2) / 1000;
