/**
 * `ksk key generate|list|export-public|delete|backup|restore` — KSKs and ZSKs in a keystore: a PKCS#11 token
 * (`pkcs11:` RFC 7512 URI) or an encrypted software keystore (`file:DIR`).
 *
 * Secrets never come from argv: the PIN from the URI's pin-source=file:, --pin-file or
 * KSK_PIN_FILE, the passphrase from --passphrase-file or KSK_PASSPHRASE_FILE, else a terminal
 * prompt. `generate` prints the key report (label, key tag, revoked key tag, DNSKEY, DS SHA-256 and
 * SHA-384, DS SHA-256 as PGP words); `list --dns` prints each key as its DNSKEY and DS SHA-256
 * records, as IANA's `inventory --dns` does; `delete` asks for an exact "Yes" unless --yes
 * (`--force`, its old name, is still taken but hidden: everywhere else --force means "replace the output").
 */
import { KskError, dnskeyRecords, keyTag, parseAlgorithm } from "@ksk/core";
import {
  GENERATION_ATTEMPTS,
  type KnownKey,
  deleteKey,
  formatDiscardedCandidate,
  formatInventory,
  formatInventoryDns,
  formatKeyReport,
  generateKey,
  inventory,
  keyReport,
} from "@ksk/keygen";
import { type Keystore, type OpenOptions, RSA_MODULUS_BITS, openKeystore, parseKeystoreUri } from "@ksk/keystore";
import type { Argv } from "yargs";
import type { CliContext } from "../context.js";
import { type KeystoreArgs, keystoreOpenOptions, withKeystoreArguments } from "../keystore-args.js";
import { checkOutputWritable, printJson, writeOutput, zoneRecordsOf } from "../io.js";
import { readZoneFile } from "../zone-input.js";
import { type CommandFactory, command } from "./command.js";
import { keyBackupCommand, keyRestoreCommand } from "./key-backup.js";

interface KeystoreUriArgs extends KeystoreArgs {
  keystore: string;
}

function withKeystoreUriArguments<T>(b: Argv<T>) {
  return withKeystoreArguments(
    b.option("keystore", { type: "string", demandOption: true, describe: "pkcs11:token=LABEL?module-path=…&pin-source=file:… or file:DIR" }),
  );
}

async function withKeystore<T>(ctx: CliContext, argv: KeystoreUriArgs, body: (keystore: Keystore) => Promise<T>, extra: Partial<OpenOptions> = {}): Promise<T> {
  const keystore = await openKeystore(argv.keystore, { ...keystoreOpenOptions(ctx, argv), ...extra });
  try {
    return await body(keystore);
  } finally {
    await keystore.close();
  }
}

/** --label, or the URI's object= attribute. */
function labelOf(argv: KeystoreUriArgs & { label: string | undefined }): string {
  if (argv.label !== undefined) return argv.label;
  const uri = parseKeystoreUri(argv.keystore);
  if (uri.scheme === "pkcs11" && uri.objectLabel !== undefined) return uri.objectLabel;
  throw new KskError("usage", "USAGE-LABEL", "give the key with --label L (or object=L in a pkcs11: URI)");
}

async function readKnownKeys(ctx: CliContext, files: readonly string[]): Promise<KnownKey[]> {
  const known: KnownKey[] = [];
  for (const file of files) {
    const { name, records } = await readZoneFile(ctx, file);
    for (const rr of dnskeyRecords(records, name)) known.push({ name: `${name} key ${keyTag(rr.rdata)}`, dnskey: rr.rdata });
  }
  return known;
}

interface GenerateArgs extends KeystoreUriArgs {
  role: "ksk" | "zsk";
  algorithm: string;
  bits: number | undefined;
  label: string | undefined;
  knownKeys: string[] | undefined;
  extractable: boolean;
  json: boolean;
}

async function generateCommand(ctx: CliContext, argv: GenerateArgs): Promise<void> {
  let algorithm: number;
  try {
    algorithm = parseAlgorithm(argv.algorithm).number;
  } catch (e) {
    throw new KskError("usage", "USAGE-ALGORITHM", `--algorithm: ${(e as Error).message}`);
  }
  if (argv.bits !== undefined && !Number.isInteger(argv.bits)) throw new KskError("usage", "USAGE-BITS", "--bits must be a whole number");
  const knownKeys = await readKnownKeys(ctx, argv.knownKeys ?? []);
  const { report, discarded } = await withKeystore(
    ctx,
    argv,
    (keystore) =>
      generateKey(keystore, {
        role: argv.role,
        algorithm,
        nowEpochSeconds: ctx.now(),
        knownKeys,
        ...(argv.bits === undefined ? {} : { rsaModulusBits: argv.bits }),
        ...(argv.label === undefined ? {} : { label: argv.label }),
        ...(argv.extractable ? { extractable: true } : {}),
      }),
    { createDirectory: true },
  );
  for (const d of discarded) ctx.err(`ksk: NOTE: ${formatDiscardedCandidate(report.label, d)}\n`);
  if (argv.json) printJson(ctx, report);
  else ctx.out(formatKeyReport(report));
}

export const keyCommand: CommandFactory = (ctx) => ({
  command: "key <command>",
  builder: (y) =>
    y
      .command(
        command({
          command: "generate",
          describe: `Generate a KSK or ZSK; refuses a label that exists; a candidate whose key tag collides is deleted and another made (${GENERATION_ATTEMPTS} at most)`,
          builder: (b) =>
            withKeystoreUriArguments(b)
              .option("role", { choices: ["ksk", "zsk"] as const, demandOption: true, describe: "KSK (flags 257) or ZSK (flags 256)" })
              .option("algorithm", {
                type: "string",
                demandOption: true,
                describe: "RSASHA256, RSASHA512, ECDSAP256SHA256, ECDSAP384SHA384, ED25519, ED448 (or 8, 10, 13-16)",
              })
              .option("bits", { type: "number", describe: `RSA modulus size: ${RSA_MODULUS_BITS.join(", ")} (default 2048)` })
              .option("label", { type: "string", describe: "Key label (default: IANA style, role letter + base32 of the time)" })
              .option("known-keys", { type: "string", array: true, describe: "Zone-format files of DNSKEYs the new key's tags must not collide with" })
              .option("extractable", { type: "boolean", default: false, describe: "PKCS#11: create the private key extractable, for a wrapped backup" })
              .option("json", { type: "boolean", default: false, describe: "Print JSON" }),
          handler: (argv) => generateCommand(ctx, argv),
        }),
      )
      .command(
        command({
          command: "list",
          describe: "Inventory: every key pair with algorithm, size, flags, key tag and DS, and leftovers",
          builder: (b) =>
            withKeystoreUriArguments(b)
              .option("dns", { type: "boolean", default: false, describe: "Each key as its DNSKEY and DS SHA-256 records (owner .)" })
              .option("json", { type: "boolean", default: false, describe: "Print JSON" }),
          handler: async (argv) => {
            const inv = await withKeystore(ctx, argv, (keystore) => inventory(keystore));
            if (argv.json) printJson(ctx, inv);
            else ctx.out(argv.dns ? formatInventoryDns(inv) : formatInventory(inv));
          },
        }),
      )
      .command(
        command({
          command: "export-public",
          describe: "The key's DNSKEY as one presentation-format record (. 172800 IN DNSKEY …)",
          builder: (b) =>
            withKeystoreUriArguments(b)
              .option("label", { type: "string", describe: "Key label (default: the URI's object=)" })
              .option("output", { type: "string", describe: "Write to this file instead of standard output" })
              .option("force", { type: "boolean", default: false, describe: "With --output: replace an existing file" }),
          handler: async (argv) => {
            const label = labelOf(argv);
            if (argv.output !== undefined) await checkOutputWritable(argv.output, argv.force);
            const info = await withKeystore(ctx, argv, (keystore) => keystore.find(label));
            if (!info.dnskey) throw new KskError("keystore", "KEY-NO-PUBLIC", `key ${label} has no public key`, { where: info.location });
            const line = `${keyReport(label, info.dnskey).dnskeyRecord}\n`;
            if (argv.output === undefined) ctx.out(line);
            else {
              const file = argv.output;
              // Read back as a zone file: one DNSKEY of a well-formed key.
              await writeOutput(file, line, {
                force: argv.force,
                verify: (written) => void dnskeyRecords(zoneRecordsOf({ name: file, bytes: written }), file, { trustable: true }),
              });
            }
          },
        }),
      )
      .command(
        command({
          command: "delete",
          describe: 'Delete a key pair (asks for an exact "Yes" unless --yes)',
          builder: (b) =>
            withKeystoreUriArguments(b)
              .option("label", { type: "string", describe: "Key label (default: the URI's object=)" })
              .option("yes", { type: "boolean", default: false, describe: 'Do not ask: take the "Yes" as given (scripts)' })
              // --force was --yes's first name here; kept, hidden, so existing scripts still work.
              .option("force", { type: "boolean", default: false, hidden: true }),
          handler: async (argv) => {
            const label = labelOf(argv);
            const { report } = await withKeystore(ctx, argv, (keystore) =>
              deleteKey(keystore, label, { yes: argv.yes || argv.force, ...(ctx.interactive ? { ask: ctx.prompt } : {}) }),
            );
            ctx.out(`deleted ${label}${report ? ` (key tag ${report.keyTag})` : ""}\n`);
          },
        }),
      )
      .command(keyBackupCommand(ctx))
      .command(keyRestoreCommand(ctx))
      .demandCommand(1, "Give a key command: generate, list, export-public, delete, backup or restore"),
  handler: () => {},
});
