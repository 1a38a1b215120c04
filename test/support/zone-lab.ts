/**
 * TEST ONLY: what `ksk zone sign` needs, made in a temporary directory — a software keystore
 * (`file:DIR`, cheap scrypt so set-up is quick) holding three lab ZSKs, a lab quarter's SKR signed
 * by an in-memory lab KSK (./lab-skr.ts) written as XML, the KSK as a DNSKEY anchor file, and the
 * real-sized root zone of test/data/root-zone without its two real DNSKEYs (a lab root publishes
 * the lab SKR's keys instead).
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type Signer, formatIsoZ, makeRR, parseName, rrToString } from "@ksk/core";
import { type Keystore, openKeystore, openSoftwareKeystore } from "@ksk/keystore";
import { type KsrResponseDocument, parseQuarter, quarterStartEpochSeconds, writeKsrXml } from "@ksk/ksr";
import { labSkr } from "./lab-skr.js";
import { testSigner } from "./soft-signer.js";
import type { SoftHsmToken } from "./softhsm.js";

const repository = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
export const ROOT_ZONE_FILE = path.join(repository, "test/data/root-zone/root-2020-09-13.zone");
/** The lab root's SOA (the real root's of that day, serial of 2020-09-13). */
export const ROOT_SOA = "a.root-servers.net. nstld.verisign-grs.com. 2020091300 1800 900 604800 86400";

/** The real-sized root zone text with the apex DNSKEYs removed. */
export function unsignedRootText(): string {
  return readFileSync(ROOT_ZONE_FILE, "utf8")
    .split("\n")
    .filter((line) => !/^\.\s+\d+\s+IN\s+DNSKEY\s/.test(line))
    .join("\n");
}

export interface ZoneLab {
  readonly dir: string;
  readonly keystoreUri: string;
  readonly passphraseFile: string;
  readonly skrFile: string;
  readonly skr: KsrResponseDocument;
  readonly ksk: Signer;
  /** The KSK as a DNSKEY record file, a trust anchor for `zone verify`. */
  readonly anchorFile: string;
  /** A time inside the quarter (bundle 4 is in use), ISO form. */
  readonly at: string;
  readonly atEpochSeconds: number;
  readonly zsks: readonly Signer[];
}

/**
 * `quarter` defaults to 2027Q1 with a time in bundle 4; BIND's dnssec-verify and delv, which take
 * no time, need the quarter of the real clock and a time inside it (`atEpochSeconds`).
 */
export async function makeZoneLab(
  dir: string,
  options: { algorithm?: 8 | 13; quarter?: string; atEpochSeconds?: number; hsm?: SoftHsmToken } = {},
): Promise<ZoneLab> {
  const algorithm = options.algorithm ?? 8;
  const quarter = options.quarter ?? "2027Q1";
  const passphraseFile = path.join(dir, "passphrase.txt");
  writeFileSync(passphraseFile, "lab passphrase\n");
  const keystoreDir = path.join(dir, "zsks");
  const keystore: Keystore = options.hsm
    ? await openKeystore(options.hsm.uri(), { env: options.hsm.env })
    : await openSoftwareKeystore({
        uriText: `file:${keystoreDir}`,
        directory: keystoreDir,
        passphrase: async () => "lab passphrase",
        scrypt: { log2N: 14, r: 8, p: 1 },
        createDirectory: true,
      });
  const zsks: Signer[] = [];
  try {
    for (const label of ["zsk-retiring", "zsk-current", "zsk-next"]) {
      await keystore.generate({ label, algorithm, flags: 256, ...(algorithm === 8 ? { rsaModulusBits: 2048 } : {}) });
      zsks.push(await keystore.signer(label));
    }
    const ksk = testSigner({ algorithm, flags: 257, label: "lab-ksk" });
    const built = quarterStartEpochSeconds(parseQuarter(quarter)) - 60 * 86400;
    const skr = await labSkr({ zsks, ksk, quarter, nowEpochSeconds: built });
    const skrFile = path.join(dir, `skr-${quarter}.xml`);
    writeFileSync(skrFile, writeKsrXml(skr));
    const anchorFile = path.join(dir, "lab-ksk.dnskey");
    writeFileSync(anchorFile, `${rrToString(makeRR(parseName("."), 172800, ksk.dnskey))}\n`);
    const atEpochSeconds = options.atEpochSeconds ?? (skr.bundles[3]?.inceptionEpochSeconds as number) + 3 * 86400;
    return {
      dir,
      keystoreUri: options.hsm ? options.hsm.uri() : `file:${keystoreDir.split("/").map(encodeURIComponent).join("/")}`,
      passphraseFile,
      skrFile,
      skr,
      ksk,
      anchorFile,
      at: formatIsoZ(atEpochSeconds),
      atEpochSeconds,
      zsks,
    };
  } finally {
    await keystore.close();
  }
}

/**
 * The `ksk zone sign` arguments for this lab: its keystore, passphrase and SKR, `--soa`, and `--at`
 * unless `at` is null (then the command's clock decides).
 */
export function zoneSignArgs(
  lab: ZoneLab,
  zone: string,
  output: string,
  options: { soa?: string; at?: string | null; extra?: readonly string[] } = {},
): string[] {
  const at = options.at === null ? [] : ["--at", options.at ?? lab.at];
  const soa = options.soa === undefined ? ["--soa", ROOT_SOA] : options.soa === "" ? [] : ["--soa", options.soa];
  return [
    "zone",
    "sign",
    zone,
    "--keystore",
    lab.keystoreUri,
    "--passphrase-file",
    lab.passphraseFile,
    "--skr",
    lab.skrFile,
    ...at,
    ...soa,
    ...(options.extra ?? []),
    "-o",
    output,
  ];
}
