/**
 * `ksk lab --rollover --calendar compressed`: the root KSK roll (RFC 5011) lived by real unbound
 * resolvers on a compressed clock. LAB ONLY. Every phase of the 2024-2027 roll — A normal, B the new
 * KSK pre-published and listed in root-anchors.xml, C roll, D the old KSK revoked, E the old KSK
 * removed — is signed by the path a ceremony signs by: a KSR built and checked by @ksk/ksr
 * (`buildCheckedKsr`) for the quarter in force, the signer's checks before signing (`preflight`:
 * the KSR checks, KSK-CONFIG-MATCH, SCHEMA-FITS-KSR, the RFC 5011 rules), `executePlan` with the
 * phase's schema of keys-example/lab-rollover-compressed.yaml (DNSKEY TTL 2 s), and the checks
 * after signing (`postflight`) on the SKR as written and read back. The signer's config is built
 * as data (the lab keys and that file's policy), written as ksrsigner.yaml and read back through
 * @ksk/signer's config parser. The slot in force now goes into a small test root signed by
 * @ksk/zone, served by knotd on loopback and swapped phase by phase. Three resolvers watch
 * (@ksk/resolver's lab processes, loopback only):
 *
 *   managed  unbound, auto-trust-anchor-file with the old KSK only, permit-small-holddown, hold-downs
 *            of 3 s (remove hold-down one hour, so the revocation stays readable in its file);
 *   static   unbound with a static DS for the old KSK only;
 *   anchors  a fresh unbound per phase from that phase's root-anchors.xml (the KeyDigests valid then).
 *
 * The lab KSKs and ZSKs are generated in an encrypted software keystore in the output directory
 * (keystore/, its passphrase in keystore.passphrase — TEST ONLY, kept in the clear), never in
 * memory only. The lab CA of the acts (act 04) is not there in this mode, so the rehearsal makes
 * its own in ca/ with ./lab-ca.ts (as `ksk ca init` and `ksk ca issue-signer` do) and signs each
 * phase's root-anchors.xml with it (root-anchors-phase-X.p7s, verified against ca.pem).
 *
 * Written per phase X: ksr-phase-X.xml, skr-phase-X.xml, root-anchors-phase-X.xml and .p7s,
 * root-phase-X.signed.zone, resolvers-phase-X.json (each resolver's RCODE, AD flag, RFC 8509 trust
 * per KSK, and the managed resolver's anchor-file state), dnstap-phase-X.dnstap and
 * telemetry-phase-X.json (the RFC 8145 key tags the root heard each resolver signal:
 * ./telemetry-phase.ts); then rollover-live.json (every phase),
 * report.html and README.txt — each through @ksk/files' atomic writer, never over a file. Every
 * server is stopped by PID whatever happens (and by the resolver package's exit hook on a signal).
 *
 * unbound 1.17 behaviour relied on: with permit-small-holddown it probes every half DNSKEY TTL; a new
 * key must be seen twice and for the whole add hold-down; bogus answers are cached 60 s (flush_bogus
 * before judging); one DNSKEY TTL + 1 s after a swap before an answer is judged; start with an
 * absolute -c path and `do-not-query-localhost: no` (both @ksk/resolver's). Waits poll for a state
 * with a generous limit; a state not reached is recorded, and the verdict fails.
 */
import { randomUUID } from "node:crypto";
import { existsSync, promises as fs } from "node:fs";
import path from "node:path";
import { type DsRdata, KskError, ROOT, type RR, RRType, type Signer, loadZoneRecords, makeDs, makeRR, revokedKeyTag, rrToString } from "@ksk/core";
import { readRegularFile, writeFilesAtomically } from "@ksk/files";
import { type GenerateRequest, formatDiscardedCandidate, generateKey } from "@ksk/keygen";
import { type Keystore, openKeystore } from "@ksk/keystore";
import { type KsrResponseDocument, buildCheckedKsr, defaultKsrPolicy, parseKsrXml, quarterOf, sameDnskey, writeKsrXml, zsksNeeded } from "@ksk/ksr";
import {
  type LabAnchors,
  type LabAuthority,
  type LabResolver,
  LabGroup,
  checkResolver,
  query,
  rcodeToString,
  startLabAuthority,
  startLabResolver,
} from "@ksk/resolver";
import { type KskMaterial, type PreflightReport, type SignerConfig, executePlan, parseSignerConfig, postflight, preflight } from "@ksk/signer";
import { anchorDsRecords, buildRootAnchors, parseRootAnchors, signDetachedCms, verifyDetachedCms } from "@ksk/trust-anchor";
import { planZoneSigning, signZone } from "@ksk/zone";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { anchorFileStates, sleep, until, watchAddPending } from "./anchor-file-watch.js";
import { type LabSigner, initLabCa, issueLabSigner } from "./lab-ca.js";
import { LAB_README_FILE, checkLabDirectory, recordLabKind } from "./lab-kind.js";
import {
  COMPRESSED_CONFIG_FILE,
  COMPRESSED_HOLD_DOWN_SECONDS,
  COMPRESSED_TOOLS,
  COMPRESSED_TTL_SECONDS,
  PHASE_NAMES,
  type PhaseRecord,
  RESOLVER_NAMES,
  ROLLOVER_LIVE_FILE,
  ROLLOVER_PHASES,
  type ResolverAnswer,
  type ResolverName,
  type RolloverKeyTags,
  type RolloverPhase,
  compressedVerdict,
} from "./rollover-record.js";
import { compressedReadme, compressedReportHtml } from "./rollover-report.js";
import { type PhaseTelemetry, recordPhaseTelemetry, rehearsalNames, telemetryAddress } from "./telemetry-phase.js";
import type { ReportVerdict } from "@ksk/ceremony";
import { REPORT_FILE } from "@ksk/ceremony";

const KSK_LABELS = { ksk_current: "Klabcur", ksk_next: "Klabnxt" } as const;
const ZSK_LABELS = ["Zroll1", "Zroll2", "Zroll3"] as const;
const PASSPHRASE_FILE = "keystore.passphrase";
const KEYSTORE_DIR = "keystore";
const CONFIG_FILE = "ksrsigner.yaml";
/** How long the rehearsal's CA and signer certificates are valid: far beyond one run. */
const CA_VALIDITY_SECONDS = 30 * 86400;

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
  readonly keyTags: RolloverKeyTags;
  readonly reportFile: string;
  readonly verdict: ReportVerdict;
  /** One line per resolver: how it lived the roll. */
  readonly summary: readonly string[];
}

/** What every phase works with: the output directory, the lab keys and the signer's config. */
interface Rehearsal {
  readonly options: CompressedRehearsalOptions;
  readonly file: (name: string) => string;
  readonly oldKsk: Signer;
  readonly newKsk: Signer;
  /** The KSKs by the config's key names (ksk_current, ksk_next). */
  readonly kskSigners: ReadonlyMap<string, Signer>;
  readonly zsks: readonly Signer[];
  readonly tags: RolloverKeyTags;
  readonly config: SignerConfig;
  readonly materials: ReadonlyMap<string, KskMaterial>;
  readonly anchorSigner: LabSigner & { readonly caDer: Uint8Array };
  /** The warnings of the checks already shown. */
  readonly warned: Set<string>;
}

/** The servers: knotd and the two resolvers that live every phase. */
interface Servers {
  readonly authority: LabAuthority;
  readonly managed: LabResolver;
  readonly fixed: LabResolver;
  readonly start: (name: string, anchors: LabAnchors, settings?: object) => Promise<LabResolver>;
}

/** A small test root with TTLs of 2 s (SOA minimum too), so that every answer ages out within a phase. LAB ONLY. */
function testRoot(serial: number): string {
  const t = COMPRESSED_TTL_SECONDS;
  return `. ${t} IN SOA a.root-servers.net. nstld.verisign-grs.com. ${serial} 1800 900 604800 ${t}\n. ${t} IN NS a.root-servers.net.\na.root-servers.net. ${t} IN A 198.41.0.4\n`;
}

function programMissing(name: string, searchPath: string | undefined): boolean {
  return !(searchPath ?? "").split(path.delimiter).some((d) => d !== "" && existsSync(path.join(d, name)));
}

/** Write a new file of the rehearsal (never over one: each rehearsal runs once into its directory). */
async function writeNew(file: string, bytes: string | Uint8Array, options: { mode?: number; verify?: (written: Uint8Array) => void } = {}): Promise<void> {
  await writeFilesAtomically([{ file, bytes, ...options }], { force: false });
}

/** Refusals before anything is written; the policy part of the signer's config (keys-example). */
async function checkCanStart(options: CompressedRehearsalOptions): Promise<Record<string, unknown>> {
  const { outDir } = options;
  checkLabDirectory(outDir, "rollover-compressed");
  if (existsSync(path.join(outDir, ROLLOVER_LIVE_FILE)) || existsSync(path.join(outDir, KEYSTORE_DIR))) {
    throw new KskError("refused", "OUTPUT-EXISTS", "holds a compressed rehearsal already: each runs once, into a new --out", { where: outDir });
  }
  const missing = COMPRESSED_TOOLS.filter((t) => programMissing(t, options.env.PATH));
  if (missing.length > 0)
    throw new KskError("refused", "LAB-TOOL-MISSING", `${missing.join(", ")} not installed: the compressed rehearsal runs real knotd and unbound`);
  const configFile = path.join(options.examplesDir, COMPRESSED_CONFIG_FILE);
  const policy: unknown = parseYaml(new TextDecoder().decode(await readRegularFile(configFile)));
  if (typeof policy !== "object" || policy === null || Array.isArray(policy) || "keys" in policy || "keystore" in policy) {
    throw new KskError("input", "LAB-COMPRESSED-POLICY", "holds the signing policy and schemas only (the rehearsal adds its keystore and keys)", {
      where: configFile,
    });
  }
  return policy as Record<string, unknown>;
}

/** LAB ONLY keys: an encrypted software keystore in the output directory, its passphrase beside it in the clear. */
async function openLabKeystore(file: (name: string) => string): Promise<Keystore> {
  await writeNew(file(PASSPHRASE_FILE), `lab rollover rehearsal passphrase ${randomUUID()}\n`, { mode: 0o600 });
  return openKeystore(`file:${path.resolve(file(KEYSTORE_DIR))}`, { passphraseFile: file(PASSPHRASE_FILE), createDirectory: true, env: {} });
}

/** A key generated in the lab keystore; each candidate deleted for a key-tag collision is logged. */
async function generateLogged(keystore: Keystore, request: GenerateRequest, log: (text: string) => void): Promise<void> {
  const { report, discarded } = await generateKey(keystore, request);
  for (const d of discarded) log(`LAB ONLY: ${formatDiscardedCandidate(report.label, d)}\n`);
}

/** The lab KSKs (old Klabcur, new Klabnxt), generated in the keystore; ksks.zone. */
async function generateLabKsks(keystore: Keystore, options: CompressedRehearsalOptions, file: (name: string) => string) {
  const { log, now } = options;
  log(`LAB ONLY: generating the lab KSKs (${Object.values(KSK_LABELS).join(", ")}) in ${file(KEYSTORE_DIR)}\n`);
  for (const label of Object.values(KSK_LABELS))
    await generateLogged(keystore, { role: "ksk", algorithm: 8, rsaModulusBits: 2048, label, nowEpochSeconds: now() }, log);
  const kskSigners = new Map<string, Signer>();
  for (const [name, label] of Object.entries(KSK_LABELS)) kskSigners.set(name, await keystore.signer(label));
  const oldKsk = kskSigners.get("ksk_current") as Signer;
  const newKsk = kskSigners.get("ksk_next") as Signer;
  const tags = { old: oldKsk.keyTag, oldRevoked: revokedKeyTag(oldKsk.dnskey), new: newKsk.keyTag };
  await writeNew(file("ksks.zone"), `${[oldKsk, newKsk].map((k) => rrToString(makeRR(ROOT, COMPRESSED_TTL_SECONDS, k.dnskey))).join("\n")}\n`);
  return { kskSigners, oldKsk, newKsk, tags };
}

/** The lab ZSKs the request policy's key counts need, generated in the keystore. */
async function generateLabZsks(keystore: Keystore, options: CompressedRehearsalOptions, config: SignerConfig): Promise<Signer[]> {
  const labels = ZSK_LABELS.slice(0, zsksNeeded(config.requestPolicy.num_keys_per_bundle));
  options.log(`LAB ONLY: generating the lab ZSKs (${labels.join(", ")})\n`);
  const zsks: Signer[] = [];
  for (const label of labels) {
    await generateLogged(keystore, { role: "zsk", algorithm: 8, rsaModulusBits: 2048, label, nowEpochSeconds: options.now() }, options.log);
    zsks.push(await keystore.signer(label));
  }
  return zsks;
}

/**
 * The KSK operator's config as data — the lab keys (as `keys` entries of ksrsigner.yaml) and the
 * compressed policy and schemas — written as ksrsigner.yaml and parsed back by @ksk/signer's config
 * parser, which is what the phases sign with; its KSKs matched to the keys found in the keystore.
 */
async function writeSignerConfig(file: (name: string) => string, policy: Record<string, unknown>, kskSigners: ReadonlyMap<string, Signer>) {
  const keyEntry = (name: string, s: Signer) => ({
    description: `LAB ONLY ${name}`,
    label: s.label,
    key_tag: s.keyTag,
    algorithm: "RSASHA256",
    rsa_size: 2048,
    rsa_exponent: 65537,
    valid_from: "2010-01-01T00:00:00+00:00",
  });
  const data = { keystore: `file:${KEYSTORE_DIR}`, keys: Object.fromEntries([...kskSigners].map(([name, s]) => [name, keyEntry(name, s)])), ...policy };
  const text = `# LAB ONLY: written by ksk lab --rollover --calendar compressed\n${toYaml(data)}`;
  let config: SignerConfig | undefined;
  await writeNew(file(CONFIG_FILE), text, {
    verify: (written) => {
      config = parseSignerConfig(new TextDecoder().decode(written), CONFIG_FILE);
    },
  });
  const parsed = config as SignerConfig;
  if (parsed.kskPolicy.ttlSeconds !== COMPRESSED_TTL_SECONDS) {
    throw new KskError("input", "LAB-COMPRESSED-TTL", `ksk_policy.ttl is not ${COMPRESSED_TTL_SECONDS} s`, { where: COMPRESSED_CONFIG_FILE });
  }
  const materials = new Map<string, KskMaterial>();
  for (const [name, s] of kskSigners) {
    const c = parsed.keys.get(name);
    if (c) materials.set(name, { config: c, dnskey: s.dnskey });
  }
  return { config: parsed, materials };
}

/** LAB ONLY: this rehearsal's own test CA and root-anchors.p7s signer certificate in ca/ (./lab-ca.ts). */
async function rehearsalCa(caDir: string, nowEpochSeconds: number): Promise<Rehearsal["anchorSigner"]> {
  await fs.mkdir(caDir, { recursive: true, mode: 0o700 });
  const ca = await initLabCa({
    dir: caDir,
    nowEpochSeconds,
    validitySeconds: CA_VALIDITY_SECONDS,
    commonName: "KSK Ceremony Test Lab Root CA (TEST ONLY, compressed rehearsal)",
    force: false,
  });
  const signer = await issueLabSigner({ dir: caDir, ca, nowEpochSeconds, validitySeconds: CA_VALIDITY_SECONDS, force: false });
  return { ...signer, caDer: ca.certificateDer };
}

/** Each warning of the checks (a check switched off by the lab's policy) once per rehearsal. */
function warn(r: Rehearsal, warnings: readonly string[]): void {
  for (const w of warnings) {
    if (r.warned.has(w)) continue;
    r.warned.add(w);
    r.options.log(`WARNING: ${w}\n`);
  }
}

/** A failed stage of the checked signing path, as a check failure naming the codes: nothing further is signed. */
function checksFailed(phase: RolloverPhase, stage: string, results: PreflightReport["results"]): KskError {
  const codes = results.filter((r) => r.status === "fail").map((r) => r.code);
  return new KskError("check", codes[0] ?? "SKR-VERIFY", `phase ${phase}: ${stage} failed: ${codes.join(", ")}`, { where: `skr-phase-${phase}.xml` });
}

/**
 * One phase's KSR and SKR, by the path a ceremony signs by: the KSR built and checked
 * (`buildCheckedKsr`), the checks before signing (`preflight`), the plan executed through the lab
 * KSKs' verified signers, and the checks after signing on the SKR as written and read back.
 */
async function signPhase(r: Rehearsal, phase: RolloverPhase): Promise<KsrResponseDocument> {
  const { now } = r.options;
  // The ZSK operator builds to the request policy the KSK operator checks with (one lab, one file).
  const ksrPolicy = { request: r.config.requestPolicy, zsk: { ...defaultKsrPolicy().zsk, ttlSeconds: COMPRESSED_TTL_SECONDS } };
  const built = await buildCheckedKsr({ quarter: quarterOf(now()), zsks: r.zsks, policy: ksrPolicy, nowEpochSeconds: now(), newId: randomUUID });
  if (!built.ok) throw checksFailed(phase, "the built KSR's checks", built.report.results);
  await writeNew(r.file(`ksr-phase-${phase}.xml`), built.bytes);
  const schema = r.config.schemas.get(`phase-${phase}`);
  if (!schema) throw new KskError("input", "LAB-COMPRESSED-SCHEMA", `no schema phase-${phase}`, { where: COMPRESSED_CONFIG_FILE });
  const before = preflight({ ksr: built.ksr, config: r.config, schema, ksks: r.materials, nowEpochSeconds: now() });
  warn(r, built.report.warnings);
  warn(r, before.warnings);
  if (!before.ok || !before.plan) throw checksFailed(phase, "the checks before signing", before.results);
  const skr = await executePlan(before.plan, r.kskSigners, { timestampEpochSeconds: now() });
  let reread: KsrResponseDocument | undefined;
  await writeNew(r.file(`skr-phase-${phase}.xml`), writeKsrXml(skr), {
    verify: (written) => {
      const document = parseKsrXml(written, { fileName: `skr-phase-${phase}.xml` }).document;
      if (document.kind !== "response") throw new KskError("check", "SKR-VERIFY", "the SKR written does not read back as an SKR");
      const after = postflight({ ksr: built.ksr, skr: document, config: r.config });
      warn(r, after.warnings);
      if (!after.ok) throw checksFailed(phase, "the checks after signing", after.results);
      reread = document;
    },
  });
  return reread as KsrResponseDocument;
}

/** The test root for now with the phase's SKR slot in use, signed by its ZSK; a new serial per phase. */
async function signPhaseZone(r: Rehearsal, phase: RolloverPhase, skr: KsrResponseDocument, serial: number): Promise<{ file: string; serial: number }> {
  const plan = planZoneSigning({
    records: loadZoneRecords({ name: "test-root.zone", text: testRoot(serial) }),
    origin: ROOT,
    skr,
    atEpochSeconds: r.options.now(),
    sentinels: true,
    knownKeys: [r.oldKsk.dnskey, r.newKsk.dnskey].map((dnskey) => makeRR(ROOT, COMPRESSED_TTL_SECONDS, dnskey)),
  });
  const zsk = r.zsks.find((z) => sameDnskey(z.dnskey, plan.bundle.signingZsk.dnskey)) as Signer;
  const file = r.file(`root-phase-${phase}.signed.zone`);
  await writeNew(file, await signZone(plan, zsk));
  return { file, serial: plan.serial };
}

/** knotd with phase A's zone, the managed and the static resolvers; loopback only, in `lab`. */
async function startServers(r: Rehearsal, lab: LabGroup, zoneA: string): Promise<Servers> {
  const servers = path.resolve(r.file("servers"));
  const authority = lab.add(await startLabAuthority({ zoneFile: zoneA, dir: path.join(servers, "knot") }));
  const start = async (name: string, anchors: LabAnchors, settings = {}) =>
    lab.add(await startLabResolver({ dir: path.join(servers, name), authority, anchors, options: settings, address: telemetryAddress(name) }));
  const managed = await start(
    "managed",
    { kind: "auto-trust-anchor-file", records: [dsOf(r.oldKsk)] },
    // The remove hold-down is left long: unbound drops a REVOKED key from its file once it has
    // been missing that long, and the record of the revocation is what phase E shows.
    { permitSmallHolddown: true, addHolddownSeconds: COMPRESSED_HOLD_DOWN_SECONDS, delHolddownSeconds: 3600 },
  );
  const fixed = await start("static", { kind: "ds", records: [dsOf(r.oldKsk)] });
  r.options.log(`knotd ${authority.address}:${authority.port}; unbound managed ${managed.address}:${managed.port}, static ${fixed.address}:${fixed.port}\n`);
  return { authority, managed, fixed, start };
}

function dsOf(s: Signer): RR<DsRdata> {
  return makeRR(ROOT, 3600, makeDs(ROOT, s.dnskey, 2));
}

/** One resolver's answer to `. SOA` with DO, its RFC 8509 trust per KSK, and (managed) its anchor file. */
async function answerOf(r: Rehearsal, name: ResolverName, resolver: LabResolver): Promise<ResolverAnswer> {
  resolver.flushBogus();
  const { response } = await query(resolver, ROOT, RRType.SOA, { dnssecOk: true });
  const ad = response.flags.authenticData;
  const text = response.rcode === 0 && ad ? "AD" : response.rcode === 2 ? "SERVFAIL" : `rcode ${rcodeToString(response.rcode)}${ad ? " AD" : ""}`;
  const readiness = await checkResolver({ server: resolver, keyTags: [r.tags.old, r.tags.new] });
  const trustOf = (tag: number) => readiness.keys.find((k) => k.keyTag === tag)?.trust ?? "unknown";
  let anchorFile: ResolverAnswer["anchorFile"];
  if (name === "managed") {
    const states = anchorFileStates(resolver.anchorFile as string);
    anchorFile = {
      trusted: [...states].filter(([, s]) => s === "VALID").map(([t]) => t),
      revoked: [...states].filter(([, s]) => s === "REVOKED").map(([t]) => t),
      states: Object.fromEntries([...states].map(([t, s]) => [String(t), s])),
    };
  }
  return {
    resolver: RESOLVER_NAMES[name],
    address: resolver.address,
    port: resolver.port,
    rcode: rcodeToString(response.rcode),
    authenticData: ad,
    answer: text,
    trust: { old: trustOf(r.tags.old), new: trustOf(r.tags.new) },
    ...(anchorFile ? { anchorFile } : {}),
  };
}

/**
 * root-anchors.xml as published in the phase (the new KSK from B, the old one closed with
 * validUntil in E) and its detached CMS signature by the lab CA's signer, checked against the CA
 * before use; the DS records a resolver started from it is given.
 */
async function publishAnchors(r: Rehearsal, phase: RolloverPhase, at: number): Promise<{ xml: Uint8Array; ds: RR<DsRdata>[] }> {
  const keys = [
    { dnskey: r.oldKsk.dnskey, id: "Klabcur", validFromEpochSeconds: at - 86400, ...(phase === "E" ? { validUntilEpochSeconds: at - 1 } : {}) },
    ...(phase === "A" ? [] : [{ dnskey: r.newKsk.dnskey, id: "Klabnxt", validFromEpochSeconds: at - 3600 }]),
  ];
  const xml = buildRootAnchors({ trustAnchorId: randomUUID().toUpperCase(), keys, publicationEpochSeconds: at }).xmlBytes;
  await writeNew(r.file(`root-anchors-phase-${phase}.xml`), xml);
  const { signer, certificateDer, caDer } = r.anchorSigner;
  const p7s = await signDetachedCms({ contentBytes: xml, signer, signerCertificateDer: certificateDer, signingEpochSeconds: at });
  verifyDetachedCms({ cmsDer: p7s, contentBytes: xml, trustedCaDers: [caDer], atEpochSeconds: at, where: `root-anchors-phase-${phase}.p7s` });
  await writeNew(r.file(`root-anchors-phase-${phase}.p7s`), p7s);
  return { xml, ds: anchorDsRecords(parseRootAnchors(xml), { atEpochSeconds: at }).map((d) => makeRR(d.owner, d.ttlSeconds, d.ds)) };
}

/**
 * RFC 8145 signals go out when a resolver primes its trust anchor, which it does when it next needs
 * the root's DNSKEY RRset after its TTL ran out. So before the phase's dnstap is closed, the TTL
 * is let run out once more and the two long-lived resolvers are asked again: each phase's file then
 * holds a signal each sent in the phase's settled state, however quickly the machine ran the phase.
 */
async function settleSignals(servers: Servers): Promise<void> {
  await sleep(COMPRESSED_TTL_SECONDS + 1);
  for (const resolver of [servers.managed, servers.fixed]) await query(resolver, ROOT, RRType.SOA, { dnssecOk: true });
  await sleep(1);
}

/** What the phase waits for before judging: the RFC 5011 state change it brings, if any. */
async function waitForPhase(r: Rehearsal, phase: RolloverPhase, managed: LabResolver): Promise<PhaseRecord["waitedFor"]> {
  const limit = r.options.waitLimitSeconds ?? 60;
  const state = (resolver: LabResolver) => anchorFileStates(resolver.anchorFile as string);
  if (phase === "B") {
    // RFC 5011 §2.4.1: the new key is trusted once seen for the whole add hold-down.
    const what = `the RFC 5011 resolver trusting the new KSK ${r.tags.new}`;
    return { state: what, reached: await until(() => state(managed).get(r.tags.new) === "VALID", limit) };
  }
  if (phase === "D") {
    const what = `the RFC 5011 resolver recording the old KSK revoked (${r.tags.oldRevoked})`;
    return { state: what, reached: await until(() => state(managed).get(r.tags.oldRevoked) === "REVOKED", limit) };
  }
  return undefined;
}

/**
 * One phase lived: its zone served, its RFC 5011 change awaited, its anchors published, every
 * resolver asked; then the RFC 8145 key tags the root heard in the phase (./telemetry-phase.ts).
 */
async function observePhase(
  r: Rehearsal,
  servers: Servers,
  phase: RolloverPhase,
  zone: { file: string; serial: number },
): Promise<{ record: PhaseRecord; telemetry: PhaseTelemetry }> {
  if (phase !== "A") await servers.authority.swapZone(zone.file);
  // Read beside the phase's own waits, so the phase keeps its timing (the resolvers' signals follow it).
  const managedFile = servers.managed.anchorFile as string;
  const watching = phase === "B" ? watchAddPending(managedFile, r.tags.new, r.options.now, r.options.waitLimitSeconds ?? 60) : undefined;
  await sleep(COMPRESSED_TTL_SECONDS + 1);
  const waitedFor = await waitForPhase(r, phase, servers.managed);
  const addPending = await watching;
  const at = r.options.now();
  const { xml, ds } = await publishAnchors(r, phase, at);
  const fromAnchors = await servers.start(`anchors-${phase}`, { kind: "ds", records: ds });
  let record: PhaseRecord;
  try {
    record = {
      phase,
      name: PHASE_NAMES[phase],
      atUtc: new Date(at * 1000).toISOString(),
      servedSerial: zone.serial,
      ...(addPending ? { addPending } : {}),
      ...(waitedFor ? { waitedFor } : {}),
      resolvers: {
        managed: await answerOf(r, "managed", servers.managed),
        static: await answerOf(r, "static", servers.fixed),
        anchors: await answerOf(r, "anchors", fromAnchors),
      },
    };
  } finally {
    await fromAnchors.stop();
  }
  await settleSignals(servers);
  const telemetry = await recordPhaseTelemetry({
    authority: servers.authority,
    outDir: r.options.outDir,
    phase,
    phaseName: PHASE_NAMES[phase],
    anchorsXml: xml,
    atEpochSeconds: at,
    // The zone publishes the old KSK revoked from phase D on.
    revokedKeyTags: phase === "D" || phase === "E" ? [r.tags.old] : [],
    ...rehearsalNames(RESOLVER_NAMES, r.tags),
  });
  await writeNew(r.file(`resolvers-phase-${phase}.json`), `${JSON.stringify(record, null, 2)}\n`);
  r.options.log(
    `phase ${PHASE_NAMES[phase]}: ${(Object.keys(RESOLVER_NAMES) as ResolverName[]).map((n) => `${n} ${record.resolvers[n].answer}`).join(", ")}\n`,
  );
  return { record, telemetry };
}

/** rollover-live.json, report.html and README.txt; the verdict. */
async function writeOutcome(
  r: Rehearsal,
  skrs: ReadonlyMap<RolloverPhase, KsrResponseDocument>,
  phases: readonly PhaseRecord[],
  telemetry: readonly PhaseTelemetry[],
): Promise<CompressedOutcome> {
  const { outDir } = r.options;
  const { verdict, summary } = compressedVerdict(phases, r.tags);
  await writeNew(r.file(ROLLOVER_LIVE_FILE), `${JSON.stringify({ labOnly: true, calendar: "compressed", keyTags: r.tags, verdict, phases }, null, 2)}\n`);
  await writeNew(r.file(REPORT_FILE), compressedReportHtml({ outDir, generatedEpochSeconds: r.options.now(), skrs, phases, telemetry, verdict }));
  await writeNew(r.file(LAB_README_FILE), compressedReadme(outDir));
  return { outDir, phases, keyTags: r.tags, reportFile: r.file(REPORT_FILE), verdict, summary };
}

/** Run the compressed rehearsal into `outDir` (see the module comment). */
export async function runRolloverCompressed(options: CompressedRehearsalOptions): Promise<CompressedOutcome> {
  const { outDir, log, now } = options;
  const policy = await checkCanStart(options);
  await fs.mkdir(outDir, { recursive: true });
  await recordLabKind(outDir, "rollover-compressed", options.toolkitVersion);
  const file = (name: string) => path.join(outDir, name);
  let keystore: Keystore | undefined;
  const lab = new LabGroup();
  try {
    keystore = await openLabKeystore(file);
    const ksks = await generateLabKsks(keystore, options, file);
    const { config, materials } = await writeSignerConfig(file, policy, ksks.kskSigners);
    const zsks = await generateLabZsks(keystore, options, config);
    const anchorSigner = await rehearsalCa(file("ca"), now());
    log(`LAB ONLY: a test CA and root-anchors.p7s signer certificate in ${file("ca")}\n`);
    const r: Rehearsal = { options, file, ...ksks, zsks, config, materials, anchorSigner, warned: new Set() };

    // Per phase: the KSR, the SKR of the phase's schema, the test root signed for now.
    const skrs = new Map<RolloverPhase, KsrResponseDocument>();
    const zones = new Map<RolloverPhase, { file: string; serial: number }>();
    // Each swap serves a new serial (knotd reloads, and the lab authority refuses a serial it serves).
    const firstSerial = Number(new Date(now() * 1000).toISOString().slice(0, 10).replaceAll("-", "")) * 100;
    for (const [i, phase] of ROLLOVER_PHASES.entries()) {
      const skr = await signPhase(r, phase);
      skrs.set(phase, skr);
      zones.set(phase, await signPhaseZone(r, phase, skr, firstSerial + i + 1));
      log(`phase ${PHASE_NAMES[phase]}: ksr-phase-${phase}.xml, skr-phase-${phase}.xml, root-phase-${phase}.signed.zone\n`);
    }

    const servers = await startServers(r, lab, (zones.get("A") as { file: string }).file);
    const phases: PhaseRecord[] = [];
    const telemetry: PhaseTelemetry[] = [];
    for (const phase of ROLLOVER_PHASES) {
      const lived = await observePhase(r, servers, phase, zones.get(phase) as { file: string; serial: number });
      phases.push(lived.record);
      telemetry.push(lived.telemetry);
    }
    await lab.stopAll();
    return await writeOutcome(r, skrs, phases, telemetry);
  } finally {
    try {
      await lab.stopAll();
    } finally {
      await keystore?.close();
    }
  }
}
