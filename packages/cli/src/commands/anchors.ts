/**
 * `ksk anchors build|sign|verify|ds` — publishing the root trust anchors (RFC 9718):
 * - build: root-anchors.xml from KSKs in a keystore or a DNSKEY file, with ids and validity
 *   per key tag; refuses a file in which no KeyDigest is valid at the publication time;
 * - sign: root-anchors.p7s, a detached CMS signature over the exact XML bytes, with a software
 *   key (PEM file) or a key in the HSM (`pkcs11:` URI);
 * - verify: the XML's checks, and with --p7s/--ca the CMS signature, chain and signer email as
 *   unbound-anchor checks them; with --dnskey, that a valid KeyDigest designates a key there;
 * - ds: the valid KeyDigests as DS records for zone files, BIND, unbound or JSON.
 *
 * `build --config ksrsigner.yaml` takes the KSKs from the signer config (@ksk/signer): each key's
 * label is its KeyDigest id (as IANA's are), valid_from/valid_until its window; the keys come from
 * the config's keystore URI or hsm modules, or from --dnskey matched by key_tag.
 */
import {
  bytesToHex,
  checkAt,
  DS_FORMATS,
  type DsFormat,
  bindStaticRootWarning,
  formatDsRecords,
  formatIsoUtc,
  formatIsoZ,
  dnskeyRecords,
  groupedHex,
  KskError,
  sha256,
} from "@ksk/core";
import { type KeystorePublicKey, keystorePublicKeys, parseKeystoreUri } from "@ksk/keystore";
import { type FoundAnchorKey, type KskKeyConfig, type SignerConfig, matchConfigKeys, parseSignerConfig, resolveAnchorKeys } from "@ksk/signer";
import {
  anchorDsRecords,
  anchoredKeyMatches,
  checkDnskeyAnchored,
  checkSignerEmail,
  buildRootAnchors,
  checkDigestMatchesKey,
  checkRootAnchors,
  isValidAt,
  keyDigestsLeftOut,
  parseCertificate,
  parseRootAnchors,
  type RawSigner,
  rawSignerFromDnssecSigner,
  rawSignerFromPrivateKeyFile,
  readCertificates,
  signDetachedCms,
  type TrustAnchorDocument,
  verifyDetachedCms,
} from "@ksk/trust-anchor";
import type { CliContext } from "../context.js";
import { type KeystoreArgs, openCliKeystore, withKeystoreArguments } from "../keystore-args.js";
import { openConfiguredKey } from "../ksk-keys.js";
import { timeOption } from "../options.js";
import { checkOutputWritable, decodeUtf8, printJson, readInput, writeOutput } from "../io.js";
import { readZoneFile } from "../zone-input.js";
import { type CommandFactory, command } from "./command.js";
import { parseDigestList } from "./ds.js";

/** `TAG=VALUE` options to a map by key tag; each tag once. */
export function tagMap(option: string, values: readonly string[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const v of values) {
    const m = /^(\d{1,5})=(.+)$/.exec(v);
    if (!m || Number(m[1]) > 0xffff) throw new KskError("usage", "USAGE-TAG-VALUE", `--${option}: "${v}" is not KEYTAG=VALUE`);
    const tag = Number(m[1]);
    if (out.has(tag)) throw new KskError("usage", "USAGE-TAG-VALUE", `--${option}: key tag ${tag} is given twice`);
    out.set(tag, m[2] as string);
  }
  return out;
}

async function readDocument(ctx: CliContext, file: string): Promise<{ doc: TrustAnchorDocument; bytes: Uint8Array; name: string }> {
  const input = await readInput(ctx, file, 1024 * 1024);
  return { doc: parseRootAnchors(input.bytes, input.name), bytes: input.bytes, name: input.name };
}

/** The signing key: a PEM/DER private key file, or a key in a keystore (`pkcs11:…;object=LABEL`). */
async function loadSigningKey(ctx: CliContext, key: string, args: KeystoreArgs): Promise<{ signer: RawSigner; close: () => Promise<void> }> {
  if (key.startsWith("pkcs11:") || key.startsWith("file:")) {
    const uri = parseKeystoreUri(key);
    const label = uri.scheme === "pkcs11" ? uri.objectLabel : undefined;
    if (!label) throw new KskError("usage", "USAGE-KEY", `--key ${key}: name the key with object=LABEL in the pkcs11: URI`);
    const keystore = await openCliKeystore(ctx, key, args);
    try {
      return { signer: rawSignerFromDnssecSigner(await keystore.signer(label)), close: () => keystore.close() };
    } catch (e) {
      await keystore.close();
      throw e;
    }
  }
  const input = await readInput(ctx, key);
  return { signer: rawSignerFromPrivateKeyFile(input.bytes, input.name), close: async () => {} };
}

interface BuildArgs extends KeystoreArgs {
  config: string | undefined;
  keystore: string | undefined;
  label: string[];
  dnskey: string | undefined;
  idFor: string[];
  validFrom: string[];
  validUntil: string[];
  trustAnchorId: string | undefined;
  source: string | undefined;
  digest: string;
  rfc7958: boolean;
  at: string | undefined;
  output: string | undefined;
  force: boolean;
}

type FoundKey = FoundAnchorKey;

/** The config's KSKs from its `hsm` modules (IANA's form: module, PIN and labels, no token), each from the token holding it. */
async function keysFromConfigHsms(ctx: CliContext, config: SignerConfig, configFile: string, args: KeystoreArgs): Promise<FoundKey[]> {
  const found: FoundKey[] = [];
  for (const key of config.keys.values()) {
    const [k] = await keystorePublicKeys(() => openConfiguredKey(ctx, config, configFile, key.label, args), [key.label], `${configFile} keys.${key.name}`);
    const { dnskey, location } = k as KeystorePublicKey;
    found.push({ dnskey, where: location, config: key });
  }
  return found;
}

async function buildCommand(ctx: CliContext, argv: BuildArgs): Promise<void> {
  const config = argv.config === undefined ? undefined : await readSignerConfig(ctx, argv.config);
  if (config === undefined && (argv.keystore === undefined) === (argv.dnskey === undefined)) {
    throw new KskError("usage", "USAGE-KEYS", "give the keys with --keystore URI --label L…, with --dnskey FILE, or with --config FILE");
  }
  if (argv.keystore !== undefined && argv.dnskey !== undefined) throw new KskError("usage", "USAGE-KEYS", "give --keystore or --dnskey, not both");
  if (config !== undefined && argv.label.length > 0) throw new KskError("usage", "USAGE-KEYS", "with --config the keys are the config's; --label is not used");
  const output = argv.output ?? config?.config.filenames.outputTrustAnchor;
  if (output === undefined) throw new KskError("usage", "USAGE-OUTPUT", "give -o FILE (or filenames.output_trustanchor in the config)");
  await checkOutputWritable(output, argv.force);
  const publication = timeOption(ctx, argv.at, "--at");
  const digestTypes = parseDigestList(argv.digest);
  const ids = tagMap("id-for", argv.idFor);
  const from = tagMap("valid-from", argv.validFrom);
  const until = tagMap("valid-until", argv.validUntil);

  let found: FoundKey[];
  if (argv.dnskey !== undefined) {
    const { name, records } = await readZoneFile(ctx, argv.dnskey);
    // Each key checked for form first (file:line): a malformed key is no trust anchor to publish.
    const inFile = dnskeyRecords(records, name, { trustable: true }).map((rr) => ({ dnskey: rr.rdata, where: name }));
    found = config ? matchConfigKeys(config.config, inFile, config.name) : inFile;
  } else if (config !== undefined) {
    const uri = argv.keystore ?? config.config.keystoreUri;
    if (uri === undefined) found = await keysFromConfigHsms(ctx, config.config, config.name, argv);
    else {
      const keys = [...config.config.keys.values()];
      const inKeystore = await keystorePublicKeys(
        () => openCliKeystore(ctx, uri, argv),
        keys.map((k) => k.label),
        uri,
      );
      found = inKeystore.map((k, i) => ({ ...k, config: keys[i] as KskKeyConfig }));
    }
  } else {
    const uri = argv.keystore as string;
    found = await keystorePublicKeys(() => openCliKeystore(ctx, uri, argv), argv.label.length > 0 ? argv.label : "every-ksk", uri);
    if (argv.label.length === 0) ctx.err(`ksk: no --label: every KSK in the keystore: ${found.map((k) => k.label).join(", ")}\n`);
  }
  const times = (option: string, map: ReadonlyMap<number, string>) => new Map([...map].map(([tag, text]) => [tag, timeOption(ctx, text, option)]));
  const { keys, notes } = resolveAnchorKeys(
    found,
    { idFor: ids, validFrom: times("--valid-from", from), validUntil: times("--valid-until", until), publicationEpochSeconds: publication },
    config?.name,
  );
  for (const note of notes) ctx.err(`ksk: ${note}\n`);
  const trustAnchorId = (argv.trustAnchorId ?? ctx.newId()).toUpperCase();
  const { document, xmlBytes } = buildRootAnchors({
    trustAnchorId,
    ...(argv.source === undefined ? {} : { source: argv.source }),
    keys,
    digestTypes,
    form: argv.rfc7958 ? "rfc7958" : "rfc9718",
    publicationEpochSeconds: publication,
  });
  await writeOutput(output, xmlBytes, {
    force: argv.force,
    verify: (written) => checkRootAnchors(parseRootAnchors(written, output), publication),
  });
  const valid = document.keyDigests.filter((kd) => isValidAt(kd, publication));
  ctx.out(
    `wrote ${output}: TrustAnchor ${document.id}, ${document.keyDigests.length} KeyDigest(s), valid at ${formatIsoUtc(publication)}: ${valid.map((kd) => `${kd.id} (${kd.keyTag})`).join(", ")}\n`,
  );
  ctx.out(`SHA-256 ${groupedHex(sha256(xmlBytes))}\n`);
}

async function readSignerConfig(ctx: CliContext, file: string): Promise<{ config: SignerConfig; name: string }> {
  const input = await readInput(ctx, file, 1024 * 1024);
  return { config: parseSignerConfig(decodeUtf8(input), input.name), name: input.name };
}

interface SignArgs extends KeystoreArgs {
  xml: string;
  cert: string;
  signerEmail: string;
  key: string;
  chain: string | undefined;
  at: string | undefined;
  output: string;
  force: boolean;
}

async function signCommand(ctx: CliContext, argv: SignArgs): Promise<void> {
  const at = timeOption(ctx, argv.at, "--at");
  // Before the key is used: a signature that could not be kept is refused now.
  await checkOutputWritable(argv.output, argv.force);
  const { doc, bytes, name } = await readDocument(ctx, argv.xml);
  // Never sign a file resolvers would reject or read as "unsigned".
  checkAt(name, () => checkRootAnchors(doc, at));
  const certInput = await readInput(ctx, argv.cert);
  const [signerCert, ...extra] = readCertificates(certInput.bytes, certInput.name);
  if (!signerCert) throw new KskError("input", "PEM-NO-CERTIFICATE", "holds no certificate", { where: certInput.name });
  // unbound-anchor matches its -n name against the signer's subject emailAddress: a signature by
  // a certificate without it would be rejected by every resolver that bootstraps this way.
  checkSignerEmail(parseCertificate(signerCert, certInput.name).pkijs, argv.signerEmail, certInput.name);
  const chain = [...extra];
  if (argv.chain !== undefined) {
    const chainInput = await readInput(ctx, argv.chain);
    chain.push(...readCertificates(chainInput.bytes, chainInput.name));
  }
  const { signer, close } = await loadSigningKey(ctx, argv.key, argv);
  let p7s: Uint8Array;
  try {
    p7s = await signDetachedCms({ contentBytes: bytes, signer, signerCertificateDer: signerCert, chainDers: chain, signingEpochSeconds: at });
  } finally {
    await close();
  }
  await writeOutput(argv.output, p7s, {
    force: argv.force,
    // Read back and verify over the exact XML bytes; the signer (and its chain) as the trust
    // point: the chain to a CA is `anchors verify --ca`'s job.
    verify: (written) => {
      verifyDetachedCms({
        cmsDer: written,
        contentBytes: bytes,
        trustedCaDers: [signerCert],
        atEpochSeconds: at,
        signerEmail: argv.signerEmail,
        where: argv.output,
      });
    },
  });
  ctx.out(`wrote ${argv.output}: detached CMS signature over ${name} (${bytes.length} bytes, SHA-256 ${bytesToHex(sha256(bytes), true)})\n`);
}

interface VerifyArgs {
  xml: string;
  p7s: string | undefined;
  ca: string | undefined;
  signerEmail: string;
  dnskey: string | undefined;
  at: string | undefined;
  json: boolean;
}

async function verifyCommand(ctx: CliContext, argv: VerifyArgs): Promise<void> {
  const at = timeOption(ctx, argv.at, "--at");
  if ((argv.p7s === undefined) !== (argv.ca === undefined))
    throw new KskError("usage", "USAGE-CA", "--p7s and --ca go together (the signature is checked against the CA file)");
  const { doc, bytes, name } = await readDocument(ctx, argv.xml);
  const report: Record<string, unknown> = { file: name, trustAnchorId: doc.id, at: formatIsoZ(at) };
  if (argv.p7s !== undefined && argv.ca !== undefined) {
    const p7s = await readInput(ctx, argv.p7s);
    const ca = await readInput(ctx, argv.ca);
    const verdict = verifyDetachedCms({
      cmsDer: p7s.bytes,
      contentBytes: bytes,
      trustedCaDers: readCertificates(ca.bytes, ca.name),
      signerEmail: argv.signerEmail,
      atEpochSeconds: at,
      where: p7s.name,
    });
    report.signature = verdict.signers.map((s) => ({
      signer: s.subject,
      chain: s.chain,
      signingTime: s.signingEpochSeconds === undefined ? null : formatIsoZ(s.signingEpochSeconds),
    }));
    if (!argv.json) for (const s of verdict.signers) ctx.out(`signature ok: ${p7s.name} signed by ${s.subject}, chain ${s.chain.join(" <- ")}\n`);
  }
  checkAt(name, () => checkRootAnchors(doc, at));
  report.keyDigests = doc.keyDigests.map((kd) => ({ id: kd.id, keyTag: kd.keyTag, validNow: isValidAt(kd, at), publicKey: kd.publicKeyBytes !== undefined }));
  if (!argv.json) {
    for (const kd of doc.keyDigests) {
      const window = `${formatIsoUtc(kd.validFromEpochSeconds)} .. ${kd.validUntilEpochSeconds === undefined ? "" : formatIsoUtc(kd.validUntilEpochSeconds)}`;
      ctx.out(
        `${isValidAt(kd, at) ? "valid  " : "not now"} KeyDigest ${kd.id} key tag ${kd.keyTag} alg ${kd.algorithm} digest type ${kd.digestType} [${window}]${kd.publicKeyBytes ? " (PublicKey matches Digest)" : ""}\n`,
      );
    }
  }
  if (argv.dnskey !== undefined) {
    const input = await readZoneFile(ctx, argv.dnskey);
    const dnskeys = dnskeyRecords(input.records, input.name);
    const matches = anchoredKeyMatches(doc, dnskeys, at);
    report.dnskey = matches.map((m) => ({ id: m.keyDigest.id, keyTag: m.keyDigest.keyTag, inDnskeyRrset: m.inDnskeyRrset }));
    if (!argv.json)
      for (const m of matches) ctx.out(`${m.inDnskeyRrset ? "present" : "absent "} in ${input.name}: KeyDigest ${m.keyDigest.id} (${m.keyDigest.keyTag})\n`);
    checkDnskeyAnchored(matches, at, input.name);
  }
  const signatureChecked = argv.p7s !== undefined;
  if (argv.json) printJson(ctx, { ...report, verified: true, signatureChecked });
  else if (signatureChecked) ctx.out(`verified: ${name} at ${formatIsoUtc(at)}\n`);
  else ctx.out(`XML checks passed: ${name} at ${formatIsoUtc(at)}; the signature was NOT checked (give --p7s root-anchors.p7s --ca CA.pem)\n`);
}

interface DsArgs {
  xml: string;
  format: DsFormat;
  bindMode: "static-ds" | "initial-ds";
  at: string | undefined;
  all: boolean;
}

async function dsCommand(ctx: CliContext, argv: DsArgs): Promise<void> {
  if (argv.all && argv.at !== undefined) throw new KskError("usage", "USAGE-TIME", "give --at or --all, not both");
  const at = timeOption(ctx, argv.at, "--at");
  const { doc, name } = await readDocument(ctx, argv.xml);
  checkAt(name, () => {
    if (argv.all) for (const kd of doc.keyDigests) checkDigestMatchesKey(doc, kd);
    else checkRootAnchors(doc, at);
  });
  const records = anchorDsRecords(doc, argv.all ? { all: true } : { atEpochSeconds: at });
  ctx.out(formatDsRecords(records, argv.format, { bindMode: argv.bindMode }));
  if (!argv.all)
    for (const note of keyDigestsLeftOut(doc, at)) ctx.err(`ksk: NOTE: ${name}: ${note}: left out at ${formatIsoZ(at)} (--at or --all to include it)\n`);
  const warning = bindStaticRootWarning(records, argv.format, { bindMode: argv.bindMode });
  if (warning) ctx.err(`ksk: WARNING: ${warning}\n`);
}

export const anchorsCommand: CommandFactory = (ctx) => ({
  command: "anchors <command>",
  builder: (y) =>
    y
      .command(
        command({
          command: "build",
          describe: "Build root-anchors.xml from KSKs (keystore or DNSKEY file)",
          builder: (b) =>
            withKeystoreArguments(b)
              .option("config", { type: "string", describe: "ksrsigner.yaml: its keys (label = KeyDigest id, valid_from, valid_until) and keystore/hsm" })
              .option("keystore", { type: "string", describe: "Keystore URI (pkcs11:… or file:…) holding the KSKs" })
              .option("label", { type: "string", array: true, default: [], describe: "Key label in the keystore (repeat for each key)" })
              .option("dnskey", { type: "string", describe: "Zone-format file with the KSKs' DNSKEY records" })
              .option("id-for", { type: "string", array: true, default: [], describe: "KeyDigest id per key: KEYTAG=ID (e.g. 20326=Klajeyz)" })
              .option("valid-from", { type: "string", array: true, default: [], describe: "KEYTAG=TIME: when the key becomes a trust anchor" })
              .option("valid-until", { type: "string", array: true, default: [], describe: "KEYTAG=TIME: when it stops being one" })
              .option("trust-anchor-id", { type: "string", describe: "TrustAnchor id (a UUID; a fresh one by default)" })
              .option("source", { type: "string", describe: "TrustAnchor source URL (default IANA's)" })
              .option("digest", { type: "string", default: "2", describe: "DS digest types, comma separated (1, 2, 4)" })
              .option("rfc7958", { type: "boolean", default: false, describe: "Write the older RFC 7958 form (no PublicKey/Flags)" })
              .option("at", { type: "string", describe: "Publication time (default now): some KeyDigest must be valid then" })
              .option("output", {
                alias: "o",
                type: "string",
                describe: "Where to write root-anchors.xml (default: the config's filenames.output_trustanchor)",
              })
              .option("force", { type: "boolean", default: false, describe: "Replace an existing output file" }),
          handler: (argv) => buildCommand(ctx, argv),
        }),
      )
      .command(
        command({
          command: "sign <xml>",
          describe: "Write root-anchors.p7s: a detached CMS signature over the exact XML bytes",
          builder: (b) =>
            withKeystoreArguments(b)
              .positional("xml", { type: "string", demandOption: true, describe: "root-anchors.xml to sign, byte for byte (- for stdin)" })
              .option("cert", { type: "string", demandOption: true, describe: "Signer certificate (PEM; more PEM blocks after it are embedded as the chain)" })
              .option("key", { type: "string", demandOption: true, describe: "Signer key: PEM file, or pkcs11:…;object=LABEL for a key in the HSM" })
              .option("chain", { type: "string", describe: "Intermediate certificates to embed (PEM)" })
              .option("signer-email", { type: "string", default: "dnssec@iana.org", describe: "Subject emailAddress the signer certificate must have" })
              .option("at", { type: "string", describe: "Signing time (default now)" })
              .option("output", { alias: "o", type: "string", demandOption: true, describe: "Where to write root-anchors.p7s" })
              .option("force", { type: "boolean", default: false, describe: "Replace an existing output file" }),
          handler: (argv) => signCommand(ctx, argv),
        }),
      )
      .command(
        command({
          command: "verify <xml>",
          describe: "Check root-anchors.xml, and its .p7s against a CA file as unbound-anchor does",
          builder: (b) =>
            b
              .positional("xml", { type: "string", demandOption: true, describe: "root-anchors.xml to check (- for stdin)" })
              .option("p7s", { type: "string", describe: "Detached CMS signature to check" })
              .option("ca", { type: "string", describe: "CA certificate(s), PEM, to check the signature against" })
              .option("signer-email", { type: "string", default: "dnssec@iana.org", describe: "Subject emailAddress the signer must have" })
              .option("dnskey", { type: "string", describe: "DNSKEY RRset (zone format): a valid KeyDigest must designate a key in it" })
              .option("at", { type: "string", describe: "Check at this time (default now)" })
              .option("json", { type: "boolean", default: false, describe: "Print JSON" }),
          handler: (argv) => verifyCommand(ctx, argv),
        }),
      )
      .command(
        command({
          command: "ds <xml>",
          describe: "DS records of the KeyDigests valid at a time (or all)",
          builder: (b) =>
            b
              .positional("xml", { type: "string", demandOption: true, describe: "root-anchors.xml (- for stdin)" })
              .option("format", { choices: DS_FORMATS, default: "zone" as const, describe: "zone lines, BIND trust-anchors, unbound anchor file, or JSON" })
              .option("bind-mode", {
                choices: ["static-ds", "initial-ds"] as const,
                default: "initial-ds" as const,
                describe: "With --format bind: initial-ds (RFC 5011 managed, as BIND recommends for the root) or static-ds",
              })
              .option("at", { type: "string", describe: "Select KeyDigests valid at this time (default now)" })
              .option("all", { type: "boolean", default: false, describe: "Every KeyDigest, whatever its validity" }),
          handler: (argv) => dsCommand(ctx, argv),
        }),
      )
      .demandCommand(1, "Give an anchors command: build, sign, verify or ds"),
  handler: () => {},
});
