/**
 * The zones `zone verify` is tested on, made once and shared: the damaged signed lab roots of
 * sign-verify.test.ts (each kind of damage the validator must catch) and the unsigned zones of
 * zone-semantics.test.ts (CNAME, glue, occluded data). Those files judge each with the object
 * model and say what it must find; wire-verify.test.ts checks the compact model finds exactly the
 * same in every one of them.
 */
import { type RR, RRType, makeRR, nameToString, parseName, rrToString, rrType, signRrset } from "@ksk/core";
import { type Zone, formatSignedZone, planZoneSigning, signZone } from "@ksk/zone";
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
  return formatSignedZone(await signZone(plan, lab.zsks[1] as (typeof lab.zsks)[number]));
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

/** The small root signed with the bitmap of com.'s NSEC wrong: the signatures are good, the bitmap is not. */
async function wrongBitmap(lab: SmallLab): Promise<string> {
  const plan = planZoneSigning({ records: records(SMALL_ROOT), origin: parseName("."), skr: lab.skr, atEpochSeconds: lab.atEpochSeconds, soa: soaRecord() });
  const zone: Zone = {
    ...plan.zone,
    nodes: plan.zone.nodes.map((n) =>
      nameToString(n.owner) === "com."
        ? {
            ...n,
            rrsets: new Map(
              [...n.rrsets].map(([t, s]) => [
                t,
                t === RRType.NSEC ? s.map((rr) => ({ ...rr, rdata: { ...(rr.rdata as object), types: [RRType.NS, RRType.RRSIG, RRType.NSEC] } }) as never) : s,
              ]),
            ),
          }
        : n,
    ),
  };
  const tasks = plan.tasks.map((t) =>
    nameToString(t.rrset[0]?.owner as never) === "com." && rrType(t.rrset[0] as never) === RRType.NSEC
      ? { ...t, rrset: zone.nodes.find((n) => nameToString(n.owner) === "com.")?.rrsets.get(RRType.NSEC) as never }
      : t,
  );
  return formatSignedZone(await signZone({ ...plan, zone, tasks }, lab.zsks[1] as never));
}

/** The signed small root plus a valid RRSIG by the ZSK over com.'s delegation NS RRset, which must not be signed. */
async function signedDelegationNs(lab: SmallLab, signedText: string): Promise<string> {
  const plan = planZoneSigning({ records: records(SMALL_ROOT), origin: parseName("."), skr: lab.skr, atEpochSeconds: lab.atEpochSeconds, soa: soaRecord() });
  const ns = plan.zone.nodes.find((n) => nameToString(n.owner) === "com.")?.rrsets.get(RRType.NS) as never[];
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
