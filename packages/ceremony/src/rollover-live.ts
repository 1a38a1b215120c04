/**
 * `ksk lab --rollover --calendar compressed`: the root KSK roll (RFC 5011) lived by real unbound
 * resolvers on a compressed clock. LAB ONLY. Every phase of the 2024-2027 roll — A normal, B the new
 * KSK pre-published and listed in root-anchors.xml, C roll, D the old KSK revoked, E the old KSK
 * removed — is a KSR built by @ksk/ksr for the quarter in force and an SKR signed by @ksk/signer
 * (planSigning + executePlan) with the phase's schema of keys-example/lab-rollover-compressed.yaml
 * (DNSKEY TTL 2 s); the slot in force now goes into a small test root signed by @ksk/zone, served by
 * knotd on loopback and swapped phase by phase. Three resolvers watch (@ksk/resolver's lab
 * processes, loopback only):
 *
 *   managed  unbound, auto-trust-anchor-file with the old KSK only, permit-small-holddown, hold-downs
 *            of 3 s (remove hold-down one hour, so the revocation stays readable in its file);
 *   static   unbound with a static DS for the old KSK only;
 *   anchors  a fresh unbound per phase from that phase's root-anchors.xml (the KeyDigests valid then).
 *
 * The lab KSKs and ZSKs are generated in an encrypted software keystore in the output directory
 * (keystore/, its passphrase in keystore.passphrase — TEST ONLY, kept in the clear), never in
 * memory only. The lab CA of the acts (act 04) is not there in this mode, so the rehearsal makes its
 * own LAB ONLY test CA and signer certificate in ca/, as `ksk ca init` and `ksk ca issue-signer` do,
 * and signs each phase's root-anchors.xml with it (root-anchors-phase-X.p7s, verified against ca.pem).
 *
 * Written per phase X: ksr-phase-X.xml, skr-phase-X.xml, root-anchors-phase-X.xml and .p7s,
 * root-phase-X.signed.zone, resolvers-phase-X.json (each resolver's RCODE, AD flag, RFC 8509 trust
 * per KSK, and the managed resolver's anchor-file state), dnstap-phase-X.dnstap and
 * telemetry-phase-X.json (the RFC 8145 key tags the root heard each resolver signal:
 * ./telemetry-phase.ts); then rollover-live.json (every phase),
 * report.html and README.txt. Every server is stopped by PID whatever happens (and by the resolver
 * package's exit hook on a signal).
 *
 * unbound 1.17 behaviour relied on: with permit-small-holddown it probes every half DNSKEY TTL; a new
 * key must be seen twice and for the whole add hold-down; bogus answers are cached 60 s (flush_bogus
 * before judging); one DNSKEY TTL + 1 s after a swap before an answer is judged; start with an
 * absolute -c path and `do-not-query-localhost: no` (both @ksk/resolver's). Waits poll for a state
 * with a generous limit; a state not reached is recorded, and the verdict fails.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { existsSync, promises as fs, readFileSync } from "node:fs";
import path from "node:path";
import { KskError, ROOT, RRType, type Signer, loadZoneRecords, makeDs, makeRR, revokedKeyTag, rrToString } from "@ksk/core";
import { generateKey } from "@ksk/keygen";
import { type Keystore, openKeystore } from "@ksk/keystore";
import { defaultKsrPolicy, quarterOf, sameDnskey, writeKsrXml, type KsrResponseDocument } from "@ksk/ksr";
import { type LabAnchors, type LabResolver, LabGroup, checkResolver, query, rcodeToString, startLabAuthority, startLabResolver } from "@ksk/resolver";
import { type KskMaterial, executePlan, parseSignerConfig, planSigning } from "@ksk/signer";
import {
  DEFAULT_SIGNER_EMAIL,
  type RawSigner,
  anchorDsRecords,
  buildRootAnchors,
  createLabCaCertificate,
  issueSignerCertificate,
  parseRootAnchors,
  rawSignerFromPrivateKey,
  signDetachedCms,
  toPem,
  verifyDetachedCms,
} from "@ksk/trust-anchor";
import { bundleInUse, formatSignedZone, planZoneSigning, signZone } from "@ksk/zone";
import { buildKsr } from "@ksk/ksr";
import { LAB_README_FILE, checkLabDirectory, recordLabKind } from "./lab-kind.js";
import { type ReportVerdict, type ResolverPhaseOutcome, renderReportHtml } from "./report-html.js";
import { REPORT_FILE } from "./report.js";
import { type PhaseTelemetry, recordPhaseTelemetry, rehearsalNames, telemetryAddress, telemetryEntries } from "./telemetry-phase.js";

/** The DNSKEY TTL of the compressed clock (keys-example/lab-rollover-compressed.yaml's ksk_policy.ttl). */
export const COMPRESSED_TTL_SECONDS = 2;
/** The managed resolver's RFC 5011 add hold-down. */
export const COMPRESSED_HOLD_DOWN_SECONDS = 3;
export const COMPRESSED_CONFIG_FILE = "lab-rollover-compressed.yaml";
export const ROLLOVER_LIVE_FILE = "rollover-live.json";
export const ROLLOVER_PHASES = ["A", "B", "C", "D", "E"] as const;
export type RolloverPhase = (typeof ROLLOVER_PHASES)[number];
export const PHASE_NAMES: Readonly<Record<RolloverPhase, string>> = {
  A: "A normal",
  B: "B new KSK pre-published",
  C: "C roll",
  D: "D old KSK revoked",
  E: "E old KSK removed",
};
/** The programs the rehearsal starts. */
export const COMPRESSED_TOOLS = ["knotd", "knotc", "unbound", "unbound-control", "unbound-checkconf"] as const;
export const RESOLVER_NAMES = {
  managed: "RFC 5011 (auto-trust-anchor-file)",
  static: "static DS, old KSK",
  anchors: "root-anchors.xml of the phase",
} as const;
export type ResolverName = keyof typeof RESOLVER_NAMES;

const KSK_LABELS = { ksk_current: "Klabcur", ksk_next: "Klabnxt" } as const;
const ZSK_LABELS = ["Zroll1", "Zroll2", "Zroll3"] as const;
const PASSPHRASE_FILE = "keystore.passphrase";
const KEYSTORE_DIR = "keystore";

/** A small test root with TTLs of 2 s (SOA minimum too), so that every answer ages out within a phase. LAB ONLY. */
function testRoot(serial: number): string {
  const t = COMPRESSED_TTL_SECONDS;
  return `. ${t} IN SOA a.root-servers.net. nstld.verisign-grs.com. ${serial} 1800 900 604800 ${t}\n. ${t} IN NS a.root-servers.net.\na.root-servers.net. ${t} IN A 198.41.0.4\n`;
}

/** A positive 16-octet certificate serial (RFC 5280 §4.1.2.2). */
function certificateSerial(): Uint8Array {
  const s = new Uint8Array(randomBytes(16));
  s[0] = ((s[0] as number) & 0x7f) | 0x01;
  return s;
}

/**
 * LAB ONLY: this rehearsal's own test CA and root-anchors.p7s signer certificate (as act 04's
 * `ksk ca init` and `ksk ca issue-signer` make them), written to ca/ (keys unencrypted, 0600).
 */
async function labAnchorSigner(caDir: string, now: number): Promise<{ caDer: Uint8Array; signer: RawSigner; signerDer: Uint8Array }> {
  await fs.mkdir(caDir, { recursive: true, mode: 0o700 });
  const validity = { notBeforeEpochSeconds: now - 3600, notAfterEpochSeconds: now + 30 * 86400 };
  const caKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
  const caSigner = rawSignerFromPrivateKey(caKey);
  const caDer = await createLabCaCertificate({
    signer: caSigner,
    serialNumberBytes: certificateSerial(),
    commonName: "KSK Ceremony Test Lab Root CA (TEST ONLY, compressed rehearsal)",
    ...validity,
  });
  const signerKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
  const signer = rawSignerFromPrivateKey(signerKey);
  const signerDer = await issueSignerCertificate({
    caCertificateDer: caDer,
    caSigner,
    subjectPublicKeyInfoDer: signer.subjectPublicKeyInfoDer,
    serialNumberBytes: certificateSerial(),
    email: DEFAULT_SIGNER_EMAIL,
    ...validity,
  });
  await writeNew(path.join(caDir, "ca.key"), caKey.export({ format: "pem", type: "pkcs8" }) as string, 0o600);
  await writeNew(path.join(caDir, "ca.pem"), toPem(caDer, "CERTIFICATE"));
  await writeNew(path.join(caDir, "signer.key"), signerKey.export({ format: "pem", type: "pkcs8" }) as string, 0o600);
  await writeNew(path.join(caDir, "signer.pem"), toPem(signerDer, "CERTIFICATE"));
  return { caDer, signer, signerDer };
}

/** One resolver's answer in one phase. */
export interface ResolverAnswer {
  /** The resolver's name in the report. */
  readonly resolver: string;
  readonly address: string;
  readonly port: number;
  /** `. SOA` with DO: the RCODE and the AD flag. */
  readonly rcode: string;
  readonly authenticData: boolean;
  /** `AD`, `SERVFAIL` or `rcode NAME`. */
  readonly answer: string;
  /** RFC 8509 sentinel trust of the old and the new KSK (`trusted`, `not-trusted`, `unknown`). */
  readonly trust: { readonly old: string; readonly new: string };
  /** The managed resolver's anchor file: key tags by RFC 5011 state as unbound wrote them. */
  readonly anchorFile?: { readonly trusted: readonly number[]; readonly revoked: readonly number[]; readonly states: Readonly<Record<string, string>> };
}

export interface PhaseRecord {
  readonly phase: RolloverPhase;
  readonly name: string;
  /** When the answers were judged (UTC). */
  readonly atUtc: string;
  readonly servedSerial: number;
  /** What the rehearsal waited for before judging, and whether it came within the limit. */
  readonly waitedFor?: { readonly state: string; readonly reached: boolean };
  readonly resolvers: Readonly<Record<ResolverName, ResolverAnswer>>;
}

export interface CompressedRehearsalOptions {
  /** The output directory as given. */
  readonly outDir: string;
  /** keys-example: lab-rollover-compressed.yaml. */
  readonly examplesDir: string;
  readonly toolkitVersion: string;
  /** PATH (for the servers) and CI. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Progress lines. */
  readonly log: (text: string) => void;
  readonly now: () => number;
  /** How long to wait for a resolver's RFC 5011 state (default 60 s). */
  readonly waitLimitSeconds?: number;
}

export interface CompressedOutcome {
  readonly outDir: string;
  readonly phases: readonly PhaseRecord[];
  readonly keyTags: { readonly old: number; readonly oldRevoked: number; readonly new: number };
  readonly reportFile: string;
  readonly verdict: ReportVerdict;
  /** One line per resolver: how it lived the roll. */
  readonly summary: readonly string[];
}

/** unbound's autotrust file: each KSK's tag as unbound shows it and its RFC 5011 state. */
export function autotrustStates(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split("\n")) {
    const m = /;\{id = (\d+) \(ksk\).*;;state=\d+ \[\s*(\w+)\s*\]/.exec(line);
    if (m) out.set(Number(m[1]), m[2] as string);
  }
  return out;
}

function programMissing(name: string, searchPath: string | undefined): boolean {
  return !(searchPath ?? "").split(path.delimiter).some((d) => d !== "" && existsSync(path.join(d, name)));
}

const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

/** Poll `probe` every 250 ms until it holds or `limitSeconds` pass; whether it held. */
async function until(probe: () => boolean, limitSeconds: number): Promise<boolean> {
  const end = Date.now() + limitSeconds * 1000;
  for (;;) {
    if (probe()) return true;
    if (Date.now() > end) return false;
    await sleep(0.25);
  }
}

/** The verdict over the phases: what the rehearsal must show, and what it showed. */
export function compressedVerdict(phases: readonly PhaseRecord[], tags: CompressedOutcome["keyTags"]): { verdict: ReportVerdict; summary: string[] } {
  const answers = (r: ResolverName) => phases.map((p) => p.resolvers[r].answer);
  const problems: string[] = [];
  const managed = answers("managed");
  const last = phases.at(-1)?.resolvers.managed.anchorFile;
  const staticBreaks = phases.find((p) => p.resolvers.static.answer !== "AD")?.phase;
  if (phases.length !== ROLLOVER_PHASES.length) problems.push(`only ${phases.length} of ${ROLLOVER_PHASES.length} phases ran`);
  if (!managed.every((a) => a === "AD")) problems.push(`the RFC 5011 resolver answered ${managed.join(", ")}`);
  if (!last || last.trusted.join() !== String(tags.new) || !last.revoked.includes(tags.oldRevoked))
    problems.push(`the RFC 5011 resolver's anchor file ends with trusted [${last?.trusted.join(", ") ?? ""}], revoked [${last?.revoked.join(", ") ?? ""}]`);
  if (!answers("anchors").every((a) => a === "AD")) problems.push(`the per-phase root-anchors.xml resolvers answered ${answers("anchors").join(", ")}`);
  const expectedStatic = phases.map((p) => (p.phase === "A" || p.phase === "B" ? "AD" : "SERVFAIL"));
  if (answers("static").join() !== expectedStatic.join()) problems.push(`the static-anchor resolver answered ${answers("static").join(", ")}`);
  for (const p of phases) if (p.waitedFor && !p.waitedFor.reached) problems.push(`phase ${p.phase}: ${p.waitedFor.state} did not happen in time`);
  const summary = [
    `${RESOLVER_NAMES.managed}: ${managed.join(" ")}; its anchor file ends trusting [${last?.trusted.join(", ") ?? ""}], revoked [${last?.revoked.join(", ") ?? ""}]`,
    `${RESOLVER_NAMES.static}: ${answers("static").join(" ")}${staticBreaks ? ` — broken from phase ${staticBreaks} (${PHASE_NAMES[staticBreaks]}): the failure operators are warned about` : ""}`,
    `${RESOLVER_NAMES.anchors}: ${answers("anchors").join(" ")}`,
  ];
  const ok = problems.length === 0;
  const line = ok
    ? `PASS: LAB ONLY compressed roll A-E: the RFC 5011 resolver validated in every phase and ends trusting only the new KSK ${tags.new} with the old one recorded REVOKED (${tags.oldRevoked}); the static-anchor resolver validated until the roll and SERVFAILs from phase C; resolvers from each phase's root-anchors.xml validated in every phase`
    : `FAIL: LAB ONLY compressed roll: ${problems.join("; ")}`;
  return { verdict: { ok, line }, summary };
}

async function writeNew(file: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  await fs.writeFile(file, data, { mode, flag: "wx" });
}

/** Run the compressed rehearsal into `outDir` (see the module comment). */
export async function runRolloverCompressed(options: CompressedRehearsalOptions): Promise<CompressedOutcome> {
  const { outDir, log } = options;
  checkLabDirectory(outDir, "rollover-compressed");
  if (existsSync(path.join(outDir, ROLLOVER_LIVE_FILE)) || existsSync(path.join(outDir, KEYSTORE_DIR))) {
    throw new KskError("refused", "OUTPUT-EXISTS", "holds a compressed rehearsal already: each runs once, into a new --out", { where: outDir });
  }
  const missing = COMPRESSED_TOOLS.filter((t) => programMissing(t, options.env.PATH));
  if (missing.length > 0)
    throw new KskError("refused", "LAB-TOOL-MISSING", `${missing.join(", ")} not installed: the compressed rehearsal runs real knotd and unbound`);
  const configFile = path.join(options.examplesDir, COMPRESSED_CONFIG_FILE);
  let policyText: string;
  try {
    policyText = readFileSync(configFile, "utf8");
  } catch (e) {
    throw new KskError("input", "INPUT-UNREADABLE", (e as Error).message, { where: configFile });
  }
  await fs.mkdir(outDir, { recursive: true });
  await recordLabKind(outDir, "rollover-compressed", options.toolkitVersion);
  const file = (name: string) => path.join(outDir, name);

  // LAB ONLY keys: an encrypted software keystore here, its passphrase beside it in the clear.
  await writeNew(file(PASSPHRASE_FILE), `lab rollover rehearsal passphrase ${randomUUID()}\n`, 0o600);
  let keystore: Keystore | undefined;
  const lab = new LabGroup();
  try {
    keystore = await openKeystore(`file:${path.resolve(file(KEYSTORE_DIR))}`, { passphraseFile: file(PASSPHRASE_FILE), createDirectory: true, env: {} });
    const now = options.now;
    log(`LAB ONLY: generating the lab KSKs (${Object.values(KSK_LABELS).join(", ")}) and ZSKs (${ZSK_LABELS.join(", ")}) in ${file(KEYSTORE_DIR)}\n`);
    for (const label of Object.values(KSK_LABELS))
      await generateKey(keystore, { role: "ksk", algorithm: 8, rsaModulusBits: 2048, label, nowEpochSeconds: now() });
    for (const label of ZSK_LABELS) await generateKey(keystore, { role: "zsk", algorithm: 8, rsaModulusBits: 2048, label, nowEpochSeconds: now() });
    const kskSigners = new Map<string, Signer>();
    for (const [name, label] of Object.entries(KSK_LABELS)) kskSigners.set(name, await keystore.signer(label));
    const zsks: Signer[] = [];
    for (const label of ZSK_LABELS) zsks.push(await keystore.signer(label));
    const oldKsk = kskSigners.get("ksk_current") as Signer;
    const newKsk = kskSigners.get("ksk_next") as Signer;
    const tags = { old: oldKsk.keyTag, oldRevoked: revokedKeyTag(oldKsk.dnskey), new: newKsk.keyTag };
    await writeNew(file("ksks.zone"), `${[oldKsk, newKsk].map((k) => rrToString(makeRR(ROOT, COMPRESSED_TTL_SECONDS, k.dnskey))).join("\n")}\n`);

    const anchorSigner = await labAnchorSigner(file("ca"), now());
    log(`LAB ONLY: a test CA and root-anchors.p7s signer certificate in ${file("ca")}\n`);

    // The KSK operator's config: the lab keys, the compressed policy and the phases' schemas.
    const keyText = (name: string, s: Signer) =>
      `  ${name}:\n    description: LAB ONLY ${name}\n    label: ${s.label}\n    key_tag: ${s.keyTag}\n    algorithm: RSASHA256\n    rsa_size: 2048\n    rsa_exponent: 65537\n    valid_from: 2010-01-01T00:00:00+00:00\n`;
    const configText = `# LAB ONLY: written by ksk lab --rollover --calendar compressed\nkeystore: file:${KEYSTORE_DIR}\nkeys:\n${keyText("ksk_current", oldKsk)}${keyText("ksk_next", newKsk)}${policyText}`;
    await writeNew(file("ksrsigner.yaml"), configText);
    const config = parseSignerConfig(configText, "ksrsigner.yaml");
    if (config.kskPolicy.ttlSeconds !== COMPRESSED_TTL_SECONDS)
      throw new KskError("input", "LAB-COMPRESSED-TTL", `ksk_policy.ttl is not ${COMPRESSED_TTL_SECONDS} s`, { where: configFile });
    const materials = new Map<string, KskMaterial>();
    for (const [name, s] of kskSigners) {
      const c = config.keys.get(name);
      if (c) materials.set(name, { config: c, dnskey: s.dnskey });
    }

    // Per phase: the KSR, the SKR of the phase's schema, the test root signed for now.
    const policy = defaultKsrPolicy();
    const ksrPolicy = { request: { ...policy.request, dns_ttl: COMPRESSED_TTL_SECONDS }, zsk: { ...policy.zsk, ttlSeconds: COMPRESSED_TTL_SECONDS } };
    const skrs = new Map<RolloverPhase, KsrResponseDocument>();
    const zones = new Map<RolloverPhase, { file: string; serial: number }>();
    let serial = Number(new Date(now() * 1000).toISOString().slice(0, 10).replaceAll("-", "")) * 100;
    for (const phase of ROLLOVER_PHASES) {
      const ksr = await buildKsr({ quarter: quarterOf(now()), zsks, policy: ksrPolicy, nowEpochSeconds: now(), newId: randomUUID });
      await writeNew(file(`ksr-phase-${phase}.xml`), writeKsrXml(ksr));
      const schema = config.schemas.get(`phase-${phase}`);
      if (!schema) throw new KskError("input", "LAB-COMPRESSED-SCHEMA", `no schema phase-${phase}`, { where: configFile });
      const skr = await executePlan(planSigning({ ksr, schema, kskPolicy: config.kskPolicy, ksks: materials }), kskSigners);
      skrs.set(phase, skr);
      await writeNew(file(`skr-phase-${phase}.xml`), writeKsrXml(skr));
      // Each swap serves a new serial (knotd reloads, and the lab authority refuses a serial it serves).
      serial++;
      const plan = planZoneSigning({
        records: loadZoneRecords({ name: "test-root.zone", text: testRoot(serial) }),
        origin: ROOT,
        skr,
        atEpochSeconds: now(),
        sentinels: true,
        knownKeys: [oldKsk.dnskey, newKsk.dnskey].map((dnskey) => makeRR(ROOT, COMPRESSED_TTL_SECONDS, dnskey)),
      });
      const zsk = zsks.find((z) => sameDnskey(z.dnskey, plan.bundle.signingZsk.dnskey)) as Signer;
      const zoneFile = file(`root-phase-${phase}.signed.zone`);
      await writeNew(zoneFile, formatSignedZone(await signZone(plan, zsk)));
      zones.set(phase, { file: zoneFile, serial: plan.serial });
      log(`phase ${PHASE_NAMES[phase]}: ksr-phase-${phase}.xml, skr-phase-${phase}.xml, root-phase-${phase}.signed.zone\n`);
    }

    // The servers: knotd with phase A, the managed and the static resolvers; loopback only.
    const servers = path.resolve(file("servers"));
    const authority = lab.add(await startLabAuthority({ zoneFile: (zones.get("A") as { file: string }).file, dir: path.join(servers, "knot") }));
    const dsOf = (s: Signer) => makeRR(ROOT, 3600, makeDs(ROOT, s.dnskey, 2));
    const start = async (name: string, anchors: LabAnchors, settings = {}) =>
      lab.add(await startLabResolver({ dir: path.join(servers, name), authority, anchors, options: settings, address: telemetryAddress(name) }));
    const managed = await start(
      "managed",
      { kind: "auto-trust-anchor-file", records: [dsOf(oldKsk)] },
      // The remove hold-down is left long: unbound drops a REVOKED key from its file once it has
      // been missing that long, and the record of the revocation is what phase E shows.
      { permitSmallHolddown: true, addHolddownSeconds: COMPRESSED_HOLD_DOWN_SECONDS, delHolddownSeconds: 3600 },
    );
    const fixed = await start("static", { kind: "ds", records: [dsOf(oldKsk)] });
    log(`knotd ${authority.address}:${authority.port}; unbound managed ${managed.address}:${managed.port}, static ${fixed.address}:${fixed.port}\n`);
    const anchorState = () => autotrustStates(readFileSync(managed.anchorFile as string, "utf8"));
    const limit = options.waitLimitSeconds ?? 60;

    const answer = async (name: ResolverName, r: LabResolver): Promise<ResolverAnswer> => {
      r.flushBogus();
      const { response } = await query(r, ROOT, RRType.SOA, { dnssecOk: true });
      const ad = response.flags.authenticData;
      const text = response.rcode === 0 && ad ? "AD" : response.rcode === 2 ? "SERVFAIL" : `rcode ${rcodeToString(response.rcode)}${ad ? " AD" : ""}`;
      const readiness = await checkResolver({ server: r, keyTags: [tags.old, tags.new] });
      const trustOf = (tag: number) => readiness.keys.find((k) => k.keyTag === tag)?.trust ?? "unknown";
      let anchorFile: ResolverAnswer["anchorFile"];
      if (name === "managed") {
        const states = anchorState();
        anchorFile = {
          trusted: [...states].filter(([, s]) => s === "VALID").map(([t]) => t),
          revoked: [...states].filter(([, s]) => s === "REVOKED").map(([t]) => t),
          states: Object.fromEntries([...states].map(([t, s]) => [String(t), s])),
        };
      }
      return {
        resolver: RESOLVER_NAMES[name],
        address: r.address,
        port: r.port,
        rcode: rcodeToString(response.rcode),
        authenticData: ad,
        answer: text,
        trust: { old: trustOf(tags.old), new: trustOf(tags.new) },
        ...(anchorFile ? { anchorFile } : {}),
      };
    };

    const phases: PhaseRecord[] = [];
    const telemetry: PhaseTelemetry[] = [];
    for (const phase of ROLLOVER_PHASES) {
      const zone = zones.get(phase) as { file: string; serial: number };
      if (phase !== "A") await authority.swapZone(zone.file);
      await sleep(COMPRESSED_TTL_SECONDS + 1);
      let waitedFor: PhaseRecord["waitedFor"];
      if (phase === "B") {
        // RFC 5011 §2.4.1: the new key is trusted once seen for the whole add hold-down.
        const state = `the RFC 5011 resolver trusting the new KSK ${tags.new}`;
        waitedFor = { state, reached: await until(() => anchorState().get(tags.new) === "VALID", limit) };
      }
      if (phase === "D") {
        const state = `the RFC 5011 resolver recording the old KSK revoked (${tags.oldRevoked})`;
        waitedFor = { state, reached: await until(() => anchorState().get(tags.oldRevoked) === "REVOKED", limit) };
      }
      const at = options.now();
      // root-anchors.xml as published in the phase: the new KSK from B, the old one closed (validUntil) in E.
      const keys = [
        { dnskey: oldKsk.dnskey, id: "Klabcur", validFromEpochSeconds: at - 86400, ...(phase === "E" ? { validUntilEpochSeconds: at - 1 } : {}) },
        ...(phase === "A" ? [] : [{ dnskey: newKsk.dnskey, id: "Klabnxt", validFromEpochSeconds: at - 3600 }]),
      ];
      const xml = buildRootAnchors({ trustAnchorId: randomUUID().toUpperCase(), keys, publicationEpochSeconds: at }).xmlBytes;
      await writeNew(file(`root-anchors-phase-${phase}.xml`), xml);
      // Its detached CMS signature by the lab CA's signer, checked against the CA before use.
      const p7s = await signDetachedCms({
        contentBytes: xml,
        signer: anchorSigner.signer,
        signerCertificateDer: anchorSigner.signerDer,
        signingEpochSeconds: at,
      });
      verifyDetachedCms({ cmsDer: p7s, contentBytes: xml, trustedCaDers: [anchorSigner.caDer], atEpochSeconds: at, where: `root-anchors-phase-${phase}.p7s` });
      await writeNew(file(`root-anchors-phase-${phase}.p7s`), p7s);
      const ds = anchorDsRecords(parseRootAnchors(xml), { atEpochSeconds: at }).map((d) => makeRR(d.owner, d.ttlSeconds, d.ds));
      const fromAnchors = await start(`anchors-${phase}`, { kind: "ds", records: ds });
      let record: PhaseRecord;
      try {
        record = {
          phase,
          name: PHASE_NAMES[phase],
          atUtc: new Date(at * 1000).toISOString(),
          servedSerial: zone.serial,
          ...(waitedFor ? { waitedFor } : {}),
          resolvers: { managed: await answer("managed", managed), static: await answer("static", fixed), anchors: await answer("anchors", fromAnchors) },
        };
      } finally {
        await fromAnchors.stop();
      }
      phases.push(record);
      const revokedKeyTags = phase === "D" || phase === "E" ? [tags.old] : [];
      const names = rehearsalNames(RESOLVER_NAMES, tags);
      telemetry.push(
        await recordPhaseTelemetry({ authority, outDir, phase, phaseName: PHASE_NAMES[phase], anchorsXml: xml, atEpochSeconds: at, revokedKeyTags, ...names }),
      );
      await writeNew(file(`resolvers-phase-${phase}.json`), `${JSON.stringify(record, null, 2)}\n`);
      log(`phase ${PHASE_NAMES[phase]}: ${(Object.keys(RESOLVER_NAMES) as ResolverName[]).map((n) => `${n} ${record.resolvers[n].answer}`).join(", ")}\n`);
    }
    await lab.stopAll();

    const { verdict, summary } = compressedVerdict(phases, tags);
    await writeNew(file(ROLLOVER_LIVE_FILE), `${JSON.stringify({ labOnly: true, calendar: "compressed", keyTags: tags, verdict, phases }, null, 2)}\n`);
    const generated = options.now();
    const html = renderReportHtml({
      title: `LAB ONLY: KSK roll rehearsal on a compressed clock: ${path.basename(path.resolve(outDir))}`,
      generatedEpochSeconds: generated,
      entries: [],
      verification: { ok: true, entryCount: 0, artefactCount: 0, headSha256Hex: "00".repeat(32), problems: [], incomplete: false },
      // The timeline: the slot each phase served.
      skrs: ROLLOVER_PHASES.map((phase) => {
        const skr = skrs.get(phase) as KsrResponseDocument;
        const at = phases.find((p) => p.phase === phase)?.atUtc;
        const when = at ? Date.parse(at) / 1000 : generated;
        return { path: `skr-phase-${phase}.xml`, document: { ...skr, bundles: [bundleInUse(skr, when).bundle] }, column: phase };
      }),
      resolverRuns: [],
      texts: new Map(),
      rolloverResolvers: phases.flatMap((p) =>
        (Object.keys(RESOLVER_NAMES) as ResolverName[]).map(
          (n): ResolverPhaseOutcome => ({
            phase: p.name,
            resolver: RESOLVER_NAMES[n],
            answer: p.resolvers[n].answer,
            trust: `old ${p.resolvers[n].trust.old}, new ${p.resolvers[n].trust.new}`,
          }),
        ),
      ),
      telemetry: telemetryEntries(telemetry),
      verdict,
      transcriptNote: "This rehearsal runs in one process, without ceremony acts: no transcript. Its record is rollover-live.json and resolvers-phase-X.json.",
      generatedBy: "ksk lab --rollover --calendar compressed (the timeline's columns are the phases A-E, each the SKR slot served in it)",
    });
    await writeNew(file(REPORT_FILE), html);
    await writeNew(file(LAB_README_FILE), compressedReadme(outDir));
    return { outDir, phases, keyTags: tags, reportFile: file(REPORT_FILE), verdict, summary };
  } finally {
    try {
      await lab.stopAll();
    } finally {
      await keystore?.close();
    }
  }
}

function compressedReadme(out: string): string {
  return `LAB ONLY: the KSK roll rehearsed on a compressed clock (ksk lab --rollover --calendar compressed)
Lab keys and their passphrase are kept here in the clear. DNSKEY TTL 2 s, RFC 5011 hold-downs 3 s: never for a real ceremony.

ksrsigner.yaml                   the KSK operator's config: the lab KSKs and keys-example/lab-rollover-compressed.yaml
keystore/, keystore.passphrase   the encrypted software keystore with the lab KSKs (Klabcur old, Klabnxt new) and ZSKs, its passphrase
ksks.zone                        the lab KSKs' DNSKEY records
ksr-phase-X.xml                  the KSR of each phase (A normal, B pre-publish, C roll, D revoke, E remove)
skr-phase-X.xml                  the SKR of each phase, signed with the schema phase-X
root-anchors-phase-X.xml, .p7s  root-anchors.xml as published in each phase, and its CMS signature
ca/                              LAB ONLY: this rehearsal's test CA (ca.pem, ca.key) and the p7s signer (signer.pem, signer.key)
root-phase-X.signed.zone         the test root served in each phase
resolvers-phase-X.json           each resolver's answer to . SOA in the phase: RCODE, AD, RFC 8509 trust per KSK,
                                   and the RFC 5011 resolver's anchor file (trusted and revoked key tags)
dnstap-phase-X.dnstap            the queries the lab root received in each phase (knotd mod-dnstap; read with ksk telemetry)
telemetry-phase-X.json           the RFC 8145 key-tag signals in them, per resolver (ksk telemetry --json, with the phase's root-anchors.xml)
rollover-live.json               every phase and the verdict
report.html                      the key timeline per phase and the resolvers' outcomes
servers/                         knotd's and each unbound's config and log (all stopped)
lab-run.json                     the kind of run this directory holds

Check an SKR, or an anchors file and its signature, from here with e.g.
  packages/cli/bin/ksk skr verify ${out}/skr-phase-C.xml --ksr ${out}/ksr-phase-C.xml --anchor ${out}/ksks.zone
  packages/cli/bin/ksk anchors verify ${out}/root-anchors-phase-B.xml --p7s ${out}/root-anchors-phase-B.p7s --ca ${out}/ca/ca.pem --dnskey ${out}/ksks.zone
`;
}
