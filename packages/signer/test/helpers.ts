/**
 * Shared material for the signer tests: the real ceremony files (copied under packages/ksr/test/fixtures
 * with their provenance), lab KSKs made in memory (TEST ONLY), a config around them, and the bundle of
 * an SKR written as a minimal signed root zone for the independent verifiers (ldns-verify-zone -t,
 * kzonecheck -t), which need a SOA, NS with glue and an NSEC chain besides the DNSKEY RRset.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { type DnskeyRdata, type RR, ROOT, type Signer, formatIsoUtc, formatZone, groupRRsets, keyTag, parseZone, rrType, signRrset } from "@ksk/core";
import { type Bundle, type KsrRequestDocument, type KsrResponseDocument, bundleDnskeyRrset, bundleRrsigRecords, parseKsrXml } from "@ksk/ksr";
import { testSigner } from "../../../test/support/soft-signer.js";
import { type KskMaterial, type SignerConfig, parseSignerConfig } from "../src/index.js";

const fixtures = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../ksr/test/fixtures");

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(fixtures, name)));
}

export function readKsr(name: string): KsrRequestDocument {
  const { document } = parseKsrXml(fixtureBytes(name), { fileName: name });
  if (document.kind !== "request") throw new Error(`${name} is not a KSR`);
  return document;
}

export function readSkr(name: string): KsrResponseDocument {
  const { document } = parseKsrXml(fixtureBytes(name), { fileName: name });
  if (document.kind !== "response") throw new Error(`${name} is not an SKR`);
  return document;
}

export interface LabKsks {
  readonly current: Signer;
  readonly next: Signer;
  readonly signers: ReadonlyMap<string, Signer>;
}

/** Two RSA-2048 KSKs (TEST ONLY, in memory) whose tags and revoked tags clash with nothing in the fixtures. */
export function labKsks(): LabKsks {
  const current = testSigner({ algorithm: 8, flags: 257, label: "Kcurrnt" });
  const next = testSigner({ algorithm: 8, flags: 257, label: "Knextkk" });
  return {
    current,
    next,
    signers: new Map([
      ["ksk_current", current],
      ["ksk_next", next],
    ]),
  };
}

export interface ConfigOptions {
  readonly validFrom?: string;
  readonly extra?: string;
  readonly requestPolicy?: string;
  readonly kskPolicy?: string;
}

/** A ksrsigner.yaml for the lab KSKs, in IANA's layout. */
export function labConfigText(ksks: LabKsks, options: ConfigOptions = {}): string {
  const from = options.validFrom ?? "2010-01-01T00:00:00+00:00";
  const key = (name: string, s: Signer) => `  ${name}:
    description: lab ${name}
    label: ${s.label}
    key_tag: ${s.keyTag}
    algorithm: RSASHA256
    rsa_size: 2048
    rsa_exponent: 65537
    valid_from: ${from}
`;
  return `keystore: file:/lab/keystore
keys:
${key("ksk_current", ksks.current)}${key("ksk_next", ksks.next)}
ksk_policy:
  publish_safety: PT0S
  retire_safety: P28D
  max_signature_validity: P21D
  min_signature_validity: P21D
  max_validity_overlap: P16D
  min_validity_overlap: P9D
  ttl: 172800
${options.kskPolicy ?? ""}
request_policy:
  signature_horizon_days: 180
${options.requestPolicy ?? ""}
${options.extra ?? ""}`;
}

export function labConfig(ksks: LabKsks, options: ConfigOptions = {}): SignerConfig {
  return parseSignerConfig(labConfigText(ksks, options), "lab.yaml");
}

export function materials(config: SignerConfig, ksks: LabKsks): Map<string, KskMaterial> {
  const out = new Map<string, KskMaterial>();
  for (const [name, s] of ksks.signers) {
    const c = config.keys.get(name);
    if (c) out.set(name, { config: c, dnskey: s.dnskey });
  }
  return out;
}

/**
 * One SKR bundle as a complete, signed root zone: SOA, NS with in-zone glue and a two-name NSEC
 * chain signed by `zsk` with the bundle's window, plus the bundle's DNSKEY RRset and its KSK RRSIGs
 * exactly as in the SKR.
 */
export async function bundleAsZone(bundle: Bundle, zsk: Signer): Promise<string> {
  const apex = parseZone(`. 86400 IN SOA a.root-servers.net. nstld.verisign-grs.com. 2027010100 1800 900 604800 86400
. 518400 IN NS a.root-servers.net.
. 86400 IN NSEC a.root-servers.net. NS SOA RRSIG NSEC DNSKEY
a.root-servers.net. 518400 IN A 198.41.0.4
a.root-servers.net. 86400 IN NSEC . A RRSIG NSEC
`);
  const out: RR[] = [...apex, ...bundleDnskeyRrset(bundle, ROOT), ...bundleRrsigRecords(bundle, ROOT)];
  for (const set of groupRRsets(apex)) {
    const first = set.rrs[0] as RR;
    out.push(
      await signRrset(zsk, set.rrs, {
        typeCovered: rrType(first),
        algorithm: zsk.dnskey.algorithm,
        labels: first.owner.labels.length,
        originalTtlSeconds: first.ttlSeconds,
        inceptionEpochSeconds: bundle.inceptionEpochSeconds,
        expirationEpochSeconds: bundle.expirationEpochSeconds,
        keyTag: zsk.keyTag,
        signerName: ROOT,
      }),
    );
  }
  return formatZone(out);
}

/** RRSIG time form of an epoch time, for `ldns-verify-zone -t`. */
export function rrsigTime(epochSeconds: number): string {
  return formatIsoUtc(epochSeconds).slice(0, 19).replace(/[-T:]/g, "");
}

export function tagsOf(keys: readonly { dnskey: DnskeyRdata }[]): number[] {
  return keys.map((k) => keyTag(k.dnskey)).sort((a, b) => a - b);
}
