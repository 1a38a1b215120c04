/**
 * A small lab root for the zone tests: the shape of the real root in a dozen names — apex NS
 * with glue under a TLD, signed and unsigned delegations, in-domain and sibling glue — plus an
 * SKR for a lab quarter made in memory (test/support/lab-skr.ts).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { type LocatedRR, type RR, type Signer, type SoaRdata, loadZoneRecords, makeRR, parseName, parseTimeArgument, parseZone } from "@ksk/core";
import type { KsrResponseDocument } from "@ksk/ksr";
import { labSkr } from "../../../test/support/lab-skr.js";
import { testSigner } from "../../../test/support/soft-signer.js";

export const SMALL_ROOT = `$TTL 172800
.		518400	IN	NS	a.root-servers.net.
.		518400	IN	NS	b.root-servers.net.
net.			IN	NS	a.gtld-servers.net.
net.			IN	NS	ns.example.com.
net.		86400	IN	DS	35886 8 2 7862B27F5F516EBE19680444D4CE5E762981931842C465F00236401D8BD973EE
a.gtld-servers.net.	IN	A	192.5.6.30
a.gtld-servers.net.	IN	AAAA	2001:503:a83e::2:30
a.root-servers.net.	IN	A	198.41.0.4
b.root-servers.net.	IN	AAAA	2001:500:200::b
com.			IN	NS	a.gtld-servers.net.
com.		86400	IN	DS	30909 8 2 E2D3C916F6DEEAC73294E8268FB5885044A833FC5459588F4A9184CFC41A5766
example.		IN	NS	ns.example.com.
ns.example.com.		IN	A	192.0.2.53
aaa.			IN	NS	ns1.dns.nic.aaa.
ns1.dns.nic.aaa.	IN	A	156.154.144.2
`;

export const SOA_TEXT = "a.root-servers.net. nstld.verisign-grs.com. 2027020300 1800 900 604800 86400";

export function soaRecord(text = SOA_TEXT): RR<SoaRdata> {
  return parseZone(`. 86400 IN SOA ${text}`)[0] as RR<SoaRdata>;
}

export function records(text: string, name = "lab.zone"): LocatedRR[] {
  return loadZoneRecords({ name, text });
}

export interface SmallLab {
  readonly zsks: readonly Signer[];
  readonly ksk: Signer;
  readonly skr: KsrResponseDocument;
  /** A time when bundle 4 (one ZSK, the current one) is in use. */
  readonly atEpochSeconds: number;
  readonly anchor: RR;
}

export async function smallLab(algorithm: 8 | 13 = 13): Promise<SmallLab> {
  const zsks = ["retiring", "current", "next"].map((label) => testSigner({ algorithm, label: `zsk-${label}` }));
  const ksk = testSigner({ algorithm, flags: 257, label: "ksk" });
  const skr = await labSkr({ zsks, ksk, quarter: "2027Q1", nowEpochSeconds: parseTimeArgument("2026-11-01T00:00:00Z") });
  const atEpochSeconds = (skr.bundles[3]?.inceptionEpochSeconds as number) + 3 * 86400;
  return { zsks, ksk, skr, atEpochSeconds, anchor: makeRR(parseName("."), 172800, ksk.dnskey) };
}

/** The real root of 2020-09-13 (test/data/root-zone) without its own DNSKEYs (the SKR's bundle gives the apex DNSKEY RRset). */
export function realRootText(): string {
  return readFileSync(path.join(import.meta.dirname, "../../../test/data/root-zone/root-2020-09-13.zone"), "utf8")
    .split("\n")
    .filter((l) => !/\tDNSKEY\t/.test(l))
    .join("\n");
}
