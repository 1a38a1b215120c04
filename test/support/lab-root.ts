/**
 * A lab root zone for the resolver tests, signed with the real tools: `ldns-keygen` makes the KSKs
 * (RSASHA256, 2048 bits, flags 257) and a ZSK (RSASHA256, 1024 bits), `ldns-signzone` signs. The
 * zone has an apex SOA/NS with glue, two TLD delegations with DS, RFC 8509 sentinel names for the
 * tags asked for (RFC 5737 / RFC 3849 documentation addresses), and the deliberately broken name
 * `bogus-rrsig.` whose A RRSIG is corrupted after signing, so a validating resolver answers SERVFAIL.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type DnskeyRdata, type DsRdata, type RR, ROOT, isKind, keyTag, makeDs, makeRR, nameToString, parseZone, rrToString } from "@ksk/core";
import { BROKEN_LABEL, sentinelName } from "@ksk/resolver";
import { runTool } from "./tools.js";

export interface LabKey {
  /** ldns's file base name (`K.+008+27059`), inside the zone's directory. */
  readonly base: string;
  readonly dnskey: RR<DnskeyRdata>;
  readonly tag: number;
  /** Its SHA-256 DS at the root. */
  readonly ds: RR<DsRdata>;
}

function ldnsKeygen(dir: string, ksk: boolean): LabKey {
  const r = runTool("ldns-keygen", ["-a", "RSASHA256", "-b", ksk ? "2048" : "1024", ...(ksk ? ["-k"] : []), "."], { cwd: dir });
  if (r.status !== 0) throw new Error(`ldns-keygen: ${r.stderr}`);
  const base = r.stdout.trim();
  const dnskey = parseZone(readFileSync(path.join(dir, `${base}.key`), "utf8"), { origin: ROOT, defaultTtlSeconds: 3600 }).find((rr): rr is RR<DnskeyRdata> =>
    isKind(rr, "DNSKEY"),
  );
  if (!dnskey) throw new Error(`${base}.key has no DNSKEY`);
  return { base, dnskey, tag: keyTag(dnskey.rdata), ds: makeRR(ROOT, 172800, makeDs(ROOT, dnskey.rdata, 2)) };
}

export function generateLabKeys(dir: string, kskCount: number): { ksks: LabKey[]; zsk: LabKey } {
  const ksks = Array.from({ length: kskCount }, () => ldnsKeygen(dir, true));
  return { ksks, zsk: ldnsKeygen(dir, false) };
}

export interface LabRootOptions {
  readonly dir: string;
  /** Keys published in the DNSKEY RRset. */
  readonly published: readonly LabKey[];
  /** Keys that sign (the DNSKEY RRset is signed by every one of them; ldns signs other data with the ZSK). */
  readonly signing: readonly LabKey[];
  /** Key tags that get sentinel names. */
  readonly sentinelTags: readonly number[];
  readonly serial?: number;
  readonly dnskeyTtlSeconds?: number;
  readonly fileName?: string;
}

/** Write and sign the lab root; returns the signed zone file's path. */
export function signLabRoot(o: LabRootOptions): string {
  const ttl = o.dnskeyTtlSeconds ?? 3600;
  const lines = [
    `.\t86400\tIN\tSOA\ta.root-servers.lab. nstld.lab. ${o.serial ?? 2026112901} 1800 900 604800 86400`,
    ".\t518400\tIN\tNS\ta.root-servers.lab.",
    "lab.\t172800\tIN\tNS\ta.root-servers.lab.",
    "a.root-servers.lab.\t518400\tIN\tA\t192.0.2.53",
    "example.\t172800\tIN\tNS\tns1.example.",
    "ns1.example.\t172800\tIN\tA\t192.0.2.54",
    "example.\t86400\tIN\tDS\t12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE4B7A7C8C4D9B7E3A5F1C2D3E",
    "test.\t172800\tIN\tNS\tns1.test.",
    "ns1.test.\t172800\tIN\tA\t192.0.2.55",
    "test.\t86400\tIN\tDS\t23456 8 2 5A1C2D3E49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE4B7A7C8C4D9B7E3A",
    `${BROKEN_LABEL}.\t3600\tIN\tA\t192.0.2.66`,
  ];
  o.sentinelTags.forEach((tag, i) => {
    for (const kind of ["is-ta", "not-ta"] as const) {
      const owner = nameToString(sentinelName(kind, tag, ROOT));
      lines.push(`${owner}\t3600\tIN\tA\t192.0.2.${100 + i}`, `${owner}\t3600\tIN\tAAAA\t2001:db8::${100 + i}`);
    }
  });
  for (const key of o.published) lines.push(rrToString(makeRR(ROOT, ttl, key.dnskey.rdata)));
  const unsigned = path.join(o.dir, `${o.fileName ?? "root.zone"}`);
  writeFileSync(unsigned, `${lines.join("\n")}\n`);
  // -d: the zone already holds the published DNSKEYs (a pre-published key is not a signing key).
  const signers = [...o.signing.map((k) => k.base)];
  const r = runTool("ldns-signzone", ["-d", "-o", ".", unsigned, ...signers], { cwd: o.dir });
  if (r.status !== 0) throw new Error(`ldns-signzone: ${r.stderr}`);
  const signed = `${unsigned}.signed`;
  writeFileSync(signed, corruptRrsig(readFileSync(signed, "utf8"), `${BROKEN_LABEL}.`));
  return signed;
}

/** Flip one base64 character of the A RRSIG at `owner` (ldns prints one record per line). */
function corruptRrsig(zone: string, owner: string): string {
  const lines = zone.split("\n");
  const i = lines.findIndex((l) => l.startsWith(`${owner}\t`) && /\tRRSIG\tA /.test(l));
  if (i < 0) throw new Error(`no A RRSIG at ${owner}`);
  const line = lines[i] as string;
  const at = line.length - 10;
  lines[i] = `${line.slice(0, at)}${line[at] === "A" ? "B" : "A"}${line.slice(at + 1)}`;
  return lines.join("\n");
}
