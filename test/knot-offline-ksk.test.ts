/**
 * Knot DNS's offline-KSK mode against the ceremony, with the real tools on loopback (slow).
 *
 * Knot as the ZSK side: keymgr pre-generates ZSKs and writes its KSR; `ksk skr sign` (the built
 * command, as an operator runs it) signs it with a KSK from a software keystore and writes Knot's
 * SKR; `keymgr validate-skr` passes it and `keymgr import-skr` imports it; knotd signs the lab root
 * with its own ZSKs and serves the DNSKEY RRset and RRSIG from the ceremony; unbound, whose only
 * trust is the root-anchors.xml `ksk anchors build` wrote, answers with AD. A tampered SKR is
 * refused by `ksk skr verify` (after `skr import`) and by `keymgr import-skr`.
 *
 * Knot as the KSK side: a KSR built by `ksk ksr build` is exported with `ksk ksr export --format
 * knot`, signed by `keymgr sign-ksr`, and the SKR Knot writes verifies through `ksk skr import
 * --format knot` and `ksk skr verify` against Knot's KSK.
 *
 * keymgr, knotd and unbound run at the real clock, so the ZSK side's periods begin now and the
 * resolver validates the period in force now. knotd and unbound are stopped by PID whatever happens.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type DsRecord, ROOT, RRType, makeRR, parseZone, rrToString } from "@ksk/core";
import { knotConfig, nothingListens, query, startLabAuthority, startLabResolver } from "@ksk/resolver";
import { anchorDsRecords, parseRootAnchors } from "@ksk/trust-anchor";
import { parseKnotText } from "@ksk/ksr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKsk } from "./support/cli-process.js";
import { hasTool, runTool } from "./support/tools.js";

const tools = hasTool("keymgr") && hasTool("knotd") && hasTool("unbound") && hasTool("faketime");

/** The ZSK side's policy: Knot's offline-KSK mode, ZSKs rolled every 30 days. */
const ZSK_POLICY = [
  "offline-ksk: on",
  "manual: on",
  "algorithm: ecdsap256sha256",
  "dnskey-ttl: 3600",
  "zone-max-ttl: 86400",
  "propagation-delay: 1h",
  "zsk-lifetime: 30d",
  "rrsig-lifetime: 14d",
  "rrsig-refresh: 7d",
];

const ROOT_ZONE = `. 86400 IN SOA a.root-servers.net. nstld.verisign-grs.com. 2026120600 1800 900 604800 86400
. 518400 IN NS a.root-servers.net.
a.root-servers.net. 518400 IN A 127.0.0.1
`;

async function kskRun(args: readonly string[], env: Record<string, string>) {
  return startKsk(args, { env }).done;
}

/** keymgr with a config file; fails the test on a non-zero exit unless `allowFailure`. */
function keymgr(config: string, args: readonly string[], allowFailure = false) {
  const r = runTool("keymgr", ["-c", config, ".", ...args]);
  if (!allowFailure && r.status !== 0) throw new Error(`keymgr ${args.join(" ")} (${r.status}): ${r.stderr}`);
  return r;
}

/** A copy of a Knot SKR with one base64 character of its first RRSIG's signature changed. */
function tamper(text: string): string {
  const lines = text.split("\n");
  const i = lines.findIndex((l) => /\tRRSIG\t/.test(l));
  const line = lines[i] as string;
  const at = line.length - 10;
  lines[i] = `${line.slice(0, at)}${line[at] === "A" ? "B" : "A"}${line.slice(at + 1)}`;
  return lines.join("\n");
}

describe.runIf(tools)("Knot as the ZSK side: keymgr generate-ksr → ksk skr sign → keymgr import-skr → knotd → unbound (AD)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "ksk-knot-zsk-"));
  const file = (name: string) => path.join(dir, name);
  const env = { KSK_PASSPHRASE_FILE: file("passphrase.txt") };
  const knotDir = file("knot");
  const kaspDb = path.join(knotDir, "keys");
  const keymgrConf = file("keymgr.conf");
  let kskTag = 0;
  let signOut = "";

  beforeAll(async () => {
    mkdirSync(knotDir);
    writeFileSync(env.KSK_PASSPHRASE_FILE, "lab passphrase\n");
    writeFileSync(file("root.zone"), ROOT_ZONE);
    // keymgr reads the configuration knotd will run with: the same KASP database and policy.
    const signing = { kaspDb, policyLines: ZSK_POLICY };
    writeFileSync(
      keymgrConf,
      knotConfig({ dir: knotDir, address: "127.0.0.1", port: 53, zoneFile: file("root.zone"), controlSocket: path.join(knotDir, "knot.sock"), signing }),
    );
    keymgr(keymgrConf, ["generate", "ksk=no", "zsk=yes"]);
    keymgr(keymgrConf, ["pregenerate", "+60d"]);
    writeFileSync(file("knot-ksr.txt"), keymgr(keymgrConf, ["generate-ksr", "+0", "+60d"]).stdout);

    const key = await kskRun(
      ["key", "generate", "--keystore", `file:${file("ksk")}`, "--role", "ksk", "--algorithm", "ECDSAP256SHA256", "--label", "lab-ksk", "--json"],
      env,
    );
    if (key.code !== 0) throw new Error(`ksk key generate: ${key.stderr}`);
    const generated = JSON.parse(key.stdout) as { keyTag: number; dnskeyRecord: string };
    kskTag = generated.keyTag;
    writeFileSync(file("ksk.dnskey"), `${generated.dnskeyRecord}\n`);
    writeFileSync(
      file("ksrsigner.yaml"),
      `keystore: file:${file("ksk")}
keys:
  ksk_current:
    description: the lab root's KSK
    label: lab-ksk
    key_tag: ${kskTag}
    algorithm: ECDSAP256SHA256
    valid_from: 2026-01-01T00:00:00+00:00
ksk_policy:
  max_signature_validity: P14D
  min_signature_validity: P14D
  max_validity_overlap: P14D
  min_validity_overlap: P7D
  ttl: 3600
  signers_name: .
request_policy:
  approved_algorithms: [ECDSAP256SHA256]
  enable_unsupported_ecdsa: true
  dns_ttl: 3600
  signature_horizon_days: 365
`,
    );
    const signed = await kskRun(["skr", "sign", file("knot-ksr.txt"), "--config", file("ksrsigner.yaml"), "--yes", "-o", file("knot-skr.txt")], env);
    signOut = signed.stdout;
    if (signed.code !== 0) throw new Error(`ksk skr sign (${signed.code}): ${signed.stderr}\n${signed.stdout}`);
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("shows which KSR checks apply (PASS) and which cannot apply to a Knot KSR (SKIP, with the reason)", () => {
    expect(signOut).toMatch(/^ {2}SKIP KSR-BUNDLE-POP +a Knot KSR carries no proof of possession/m);
    expect(signOut).toMatch(/^ {2}SKIP KSR-BUNDLE-COUNT /m);
    for (const code of ["KSR-DOMAIN", "KSR-BUNDLE-KEYS", "KSR-POLICY-ALG", "KSR-KEYTAG-CLASH", "SCHEMA-FITS-KSR", "SKR-VERIFY", "KSR-POLICY-SAFETY"]) {
      expect(signOut).toMatch(new RegExp(`^ {2}PASS ${code} `, "m"));
    }
    expect(signOut).not.toMatch(/^ {2}FAIL /m);
  });

  it("a tampered SKR: ksk skr verify refuses it after skr import, and keymgr refuses to import it", async () => {
    writeFileSync(file("tampered.txt"), tamper(readFileSync(file("knot-skr.txt"), "utf8")));
    const imported = await kskRun(["skr", "import", "--format", "knot", file("tampered.txt"), "-o", file("tampered.xml")], env);
    expect(imported.code).toBe(0);
    const verified = await kskRun(["skr", "verify", file("tampered.xml"), "--anchor", file("ksk.dnskey")], env);
    expect(verified.stdout).toMatch(/SKR NOT verified/);
    expect(verified.code).toBe(1);
    // keymgr 3.2.6's validate-skr reports a bad signature on stderr yet exits 0; import-skr refuses.
    expect(keymgr(keymgrConf, ["validate-skr", file("tampered.txt")], true).stderr).toMatch(/no valid signature/);
    expect(keymgr(keymgrConf, ["import-skr", file("tampered.txt")], true).status).not.toBe(0);
  }, 120_000);

  /** knotd signing the lab root at `at` (its clock started there), unbound validating as of `at`. */
  async function serveAndResolve(name: string, at: number | undefined, ds: readonly DsRecord[]) {
    const authority = await startLabAuthority({
      zoneFile: file("root.zone"),
      dir: file(`knotd-${name}`),
      signing: { kaspDb, policyLines: ZSK_POLICY },
      ...(at === undefined ? {} : { clockEpochSeconds: at }),
    });
    try {
      const resolver = await startLabResolver({
        dir: file(`unbound-${name}`),
        authority,
        anchors: { kind: "ds", records: ds.map((d) => makeRR(d.owner, d.ttlSeconds, d.ds)) },
        ...(at === undefined ? {} : { options: { validationEpochSeconds: at } }),
      });
      try {
        const served = (await query(authority, ROOT, RRType.DNSKEY)).response.answers.map((rr) => rrToString(rr));
        const answers = [];
        for (const type of [RRType.SOA, RRType.DNSKEY, RRType.NS]) {
          const answer = await query(resolver, ROOT, type);
          answers.push(`${type} ${answer.response.rcode} ${answer.response.flags.authenticData}`);
        }
        return { served, answers };
      } finally {
        await resolver.stop();
        expect(await nothingListens(resolver.address, resolver.port)).toBe(true);
      }
    } finally {
      await authority.stop();
      expect(await nothingListens(authority.address, authority.port)).toBe(true);
    }
  }

  it("keymgr validates and imports the SKR; knotd serves the ceremony's DNSKEY RRset in every period; unbound validates it from root-anchors.xml (AD)", async () => {
    const validated = keymgr(keymgrConf, ["validate-skr", file("knot-skr.txt")]);
    expect(validated.stderr).toBe("");
    keymgr(keymgrConf, ["import-skr", file("knot-skr.txt")]);

    const now = Math.floor(Date.now() / 1000);
    const anchors = await kskRun(
      [
        "anchors",
        "build",
        "--dnskey",
        file("ksk.dnskey"),
        "--id-for",
        `${kskTag}=Klab`,
        "--valid-from",
        `${kskTag}=2026-01-01T00:00:00Z`,
        "-o",
        file("root-anchors.xml"),
      ],
      env,
    );
    expect(anchors.code, anchors.stderr).toBe(0);
    const ds = anchorDsRecords(parseRootAnchors(readFileSync(file("root-anchors.xml")), "root-anchors.xml"), { atEpochSeconds: now });
    expect(ds.map((d) => d.ds.keyTag)).toEqual([kskTag]);
    const skrRecords = new Set(
      parseZone(readFileSync(file("knot-skr.txt"), "utf8").replace(/^;;.*$/gm, ""), { fileName: "knot-skr.txt" }).map((rr) => rrToString(rr)),
    );
    const ksr = parseKnotText(readFileSync(file("knot-ksr.txt")), { kind: "ksr" });

    // Now (knotd's own clock), then a minute into every later period of Knot's KSR (its clock started there).
    const times = [undefined, ...ksr.periods.slice(1).map((p) => p.startEpochSeconds + 60)];
    for (const [i, at] of times.entries()) {
      const period = ksr.periods[i] as (typeof ksr.periods)[number];
      const { served, answers } = await serveAndResolve(String(i), at, ds);
      // The DNSKEY RRset and RRSIG come from the SKR; the ZSKs are the period's own.
      expect(
        served.filter((r) => !skrRecords.has(r)),
        `period ${i + 1}`,
      ).toEqual([]);
      expect(served.filter((r) => /\tDNSKEY\t256 /.test(r))).toHaveLength(period.dnskeys.length);
      expect(served.some((r) => r.includes("RRSIG\tDNSKEY 13 0 3600") && r.includes(` ${kskTag} . `))).toBe(true);
      expect(answers, `period ${i + 1} at ${at ?? "now"}`).toEqual([`${RRType.SOA} 0 true`, `${RRType.DNSKEY} 0 true`, `${RRType.NS} 0 true`]);
    }
  }, 300_000);
});

describe.runIf(tools)("Knot as the KSK side: ksk ksr build → ksk ksr export → keymgr sign-ksr → ksk skr import → ksk skr verify", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "ksk-knot-ksk-"));
  const file = (name: string) => path.join(dir, name);
  const env = { KSK_PASSPHRASE_FILE: file("passphrase.txt") };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("Knot's SKR for our KSR verifies against Knot's KSK", async () => {
    writeFileSync(env.KSK_PASSPHRASE_FILE, "lab passphrase\n");
    const store = `file:${file("zsks")}`;
    for (const label of ["zsk-retiring", "zsk-current", "zsk-next"]) {
      const g = await kskRun(["key", "generate", "--keystore", store, "--role", "zsk", "--algorithm", "RSASHA256", "--label", label], env);
      expect(g.code, g.stderr).toBe(0);
    }
    const built = await kskRun(
      ["ksr", "build", "--keystore", store, "--quarter", "2027Q1", "--zsk", "zsk-retiring", "--zsk", "zsk-current", "--zsk", "zsk-next", "-o", file("ksr.xml")],
      env,
    );
    expect(built.code, built.stderr).toBe(0);
    expect(readFileSync(file("ksr.xml"), "utf8")).not.toContain("timestamp");
    const exported = await kskRun(["ksr", "export", "--format", "knot", file("ksr.xml"), "-o", file("knot-ksr.txt")], env);
    expect(exported.code, exported.stderr).toBe(0);

    const knotDir = file("knot");
    mkdirSync(knotDir);
    const conf = file("keymgr.conf");
    const policy = [
      "offline-ksk: on",
      "manual: on",
      "algorithm: rsasha256",
      "ksk-size: 2048",
      "dnskey-ttl: 172800",
      "zone-max-ttl: 172800",
      "rrsig-lifetime: 21d",
      "rrsig-refresh: 7d",
    ];
    writeFileSync(
      conf,
      knotConfig({
        dir: knotDir,
        address: "127.0.0.1",
        port: 53,
        zoneFile: file("root.zone"),
        controlSocket: path.join(knotDir, "knot.sock"),
        signing: { kaspDb: path.join(knotDir, "keys"), policyLines: policy },
      }),
    );
    const kskId = keymgr(conf, ["generate", "ksk=yes", "zsk=no"]).stdout.trim();
    writeFileSync(file("knot-ksk.dnskey"), keymgr(conf, ["dnskey", kskId]).stdout);
    writeFileSync(file("knot-skr.txt"), keymgr(conf, ["sign-ksr", file("knot-ksr.txt")]).stdout);

    const imported = await kskRun(["skr", "import", "--format", "knot", file("knot-skr.txt"), "-o", file("skr.xml")], env);
    expect(imported.code, imported.stderr).toBe(0);
    const verified = await kskRun(["skr", "verify", file("skr.xml"), "--anchor", file("knot-ksk.dnskey")], env);
    expect(verified.stdout).toMatch(/^SKR verified/m);
    expect(verified.code).toBe(0);

    // The imported SKR is an SKR like any other: the rollover rules hold over it, and the zone is signed from it.
    const rollover = await kskRun(["rollover", "check", file("skr.xml")], env);
    expect(rollover.code, rollover.stdout + rollover.stderr).toBe(0);
    writeFileSync(file("root.zone"), ROOT_ZONE);
    const at = "2027-02-15T12:00:00Z";
    const zone = await kskRun(["zone", "sign", file("root.zone"), "--keystore", store, "--skr", file("skr.xml"), "--at", at, "-o", file("root.signed")], env);
    expect(zone.code, zone.stderr).toBe(0);
    const zoneVerified = await kskRun(["zone", "verify", file("root.signed"), "--anchor", file("knot-ksk.dnskey"), "--at", at], env);
    expect(zoneVerified.code, zoneVerified.stdout + zoneVerified.stderr).toBe(0);
  }, 300_000);
});
