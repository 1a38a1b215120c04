/**
 * `pnpm bench:zone`'s hsm section: the real-sized root signed with the ZSK in SoftHSM2, as a Root
 * Zone Maintainer keeps it, against the bare PKCS#11 loop (./bench-pkcs11.ts) making the same
 * number of signatures:
 *
 *   ksk zone sign --keystore pkcs11:… --threads 1   vs  the bare loop on 1 session
 *   ksk zone sign --keystore pkcs11:… --threads 2   vs  the bare loop on 2 sessions (2 threads)
 *
 * The token is a throwaway SoftHSM2 token (test/support/softhsm.ts) holding the lab's three
 * RSA-2048 ZSKs, made there with the keystore API, and the lab SKR is built around them as for
 * the other sections (test/support/zone-lab.ts `makeZoneLab`). The count of signatures is the
 * ZSK's RRSIGs in `ksk`'s output (every RRSIG but the DNSKEY RRset's, which is the SKR's); the bare
 * loop signs that many 200-octet messages (about an RRSIG's signed data in the root). ksk's time
 * is the whole process (start-up, reading, planning, signing, writing); the loop's is its signing
 * alone. Ratios are ksk / loop, the target 1.2x or less; the load average is printed before and
 * after, as the machine is shared, and so are the CPU seconds each spent (every thread; ksk's from
 * /usr/bin/time, the loop's from process.cpuUsage over the loop), which a loaded machine disturbs
 * less than wall time.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createSoftHsmToken } from "../test/support/softhsm.js";
import { makeZoneLab, unsignedRootText, zoneSignArgs } from "../test/support/zone-lab.js";
import { bareLoop } from "./bench-pkcs11.js";

export interface Sample {
  readonly seconds: number;
  readonly peakRssKiB: number;
  readonly cpuSeconds: number;
}

export interface HsmSectionTools {
  readonly dir: string;
  readonly runs: number;
  /** The `ksk` command. */
  readonly ksk: string;
  readonly timed: (command: string, args: readonly string[]) => Sample;
  readonly summary: (samples: readonly Sample[]) => string;
  readonly ratio: (ours: readonly Sample[], peer: readonly Sample[]) => string;
  readonly loadAverage: () => string;
  readonly median: (values: readonly number[]) => number;
}

const DATA = new Uint8Array(200).map((_, i) => (i * 13 + 5) & 0xff);

/** The ZSK's RRSIGs in a signed zone file: every RRSIG but the DNSKEY RRset's. */
function zskSignatures(file: string): number {
  let n = 0;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const fields = line.split(/\s+/);
    if (fields[3] === "RRSIG" && fields[4] !== "DNSKEY") n++;
  }
  return n;
}

export async function hsmSection(tools: HsmSectionTools): Promise<void> {
  const token = createSoftHsmToken({ label: "bench-zone-hsm" });
  const saved = process.env.SOFTHSM2_CONF;
  // The ksk processes find the token through SOFTHSM2_CONF, as an operator's would.
  process.env.SOFTHSM2_CONF = token.conf;
  try {
    console.log(`hsm: the ZSK in SoftHSM2 (RSA-2048), ${tools.runs} runs each; load average ${tools.loadAverage()}`);
    const lab = await makeZoneLab(mkdtempSync(path.join(tools.dir, "hsm-lab-")), { algorithm: 8, hsm: token });
    const unsigned = path.join(tools.dir, "hsm-root.zone");
    writeFileSync(unsigned, unsignedRootText());
    const out = (threads: number) => path.join(tools.dir, `hsm-signed-${threads}.zone`);
    const sign = (threads: number) => tools.timed(tools.ksk, zoneSignArgs(lab, unsigned, out(threads), { extra: ["--threads", String(threads), "--force"] }));
    // Once before timing: the count of signatures, and the token's files in the page cache.
    sign(2);
    const signatures = zskSignatures(out(2));
    const key = { module: token.module, conf: token.conf, tokenLabel: token.label, pin: token.pin, keyLabel: "zsk-current" };
    const samples: Record<string, Sample[]> = { "ksk --threads 1": [], "ksk --threads 2": [], "bare loop, 1 session": [], "bare loop, 2 sessions": [] };
    const bare = async (sessions: number): Promise<Sample> => {
      const r = await bareLoop(key, signatures, DATA, sessions);
      return { seconds: r.seconds, cpuSeconds: r.cpuSeconds, peakRssKiB: 0 };
    };
    for (let round = 0; round < tools.runs; round++) {
      samples["ksk --threads 1"]?.push(sign(1));
      samples["bare loop, 1 session"]?.push(await bare(1));
      samples["ksk --threads 2"]?.push(sign(2));
      samples["bare loop, 2 sessions"]?.push(await bare(2));
    }
    console.log(`  ${signatures.toLocaleString("en")} ZSK signatures (the signed root's RRSIGs but the DNSKEY RRset's)`);
    for (const [who, s] of Object.entries(samples)) {
      const rate = `${(signatures / Math.min(...s.map((x) => x.seconds))).toFixed(0)} signatures/s at best`;
      const text = who.startsWith("bare") ? tools.summary(s).replace(/, peak RSS .*$/, "") : tools.summary(s);
      console.log(`  ${who.padEnd(24)} ${text}, ${rate}, CPU ${tools.median(s.map((x) => x.cpuSeconds)).toFixed(2)} s`);
    }
    const one = samples["ksk --threads 1"] as Sample[];
    const two = samples["ksk --threads 2"] as Sample[];
    console.log(`  ratio ksk --threads 1 / bare loop, 1 session:   ${tools.ratio(one, samples["bare loop, 1 session"] as Sample[])}  (target <= 1.2x)`);
    console.log(`  ratio ksk --threads 2 / bare loop, 2 sessions:  ${tools.ratio(two, samples["bare loop, 2 sessions"] as Sample[])}  (target <= 1.2x)`);
    console.log(`  ratio ksk --threads 2 / bare loop, 1 session:   ${tools.ratio(two, samples["bare loop, 1 session"] as Sample[])}`);
    // CPU seconds (every thread): what ksk spends beside the token's signing, whatever the load.
    const cpu = (list: readonly Sample[]) => tools.median(list.map((x) => x.cpuSeconds));
    for (const [ours, peer] of [
      ["ksk --threads 1", "bare loop, 1 session"],
      ["ksk --threads 2", "bare loop, 2 sessions"],
    ] as const) {
      const [o, p] = [cpu(samples[ours] as Sample[]), cpu(samples[peer] as Sample[])];
      console.log(`  CPU ${ours} / ${peer}: ${(o / p).toFixed(2)}x (${o.toFixed(2)} s against ${p.toFixed(2)} s)`);
    }
    console.log(`  load average after: ${tools.loadAverage()}\n`);
  } finally {
    if (saved === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = saved;
    token.cleanup();
  }
}
