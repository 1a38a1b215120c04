/**
 * Finding the KSKs a signing config names. With `keystore:` (a keystore URI) every key label is
 * looked up in that keystore; with IANA's `hsm:` section each label is looked for, without a
 * login, in the tokens of every listed module, and only the token holding it is logged in to, with
 * the module's `env` (every entry; a relative SOFTHSM2_CONF resolved against the config file's
 * directory) and its `pin` (or a PIN file/prompt when absent).
 * The caller must `close()` what this opens.
 */
import path from "node:path";
import { KskError, type Signer } from "@ksk/core";
import { type HsmToken, KEYSTORE_ENV, type KeyModule, type Keystore, loadSecretFile, openKeyInModules, openKeystore, secretFromShares } from "@ksk/keystore";
import {
  type HsmConfig,
  type KskKeyConfig,
  type KskMaterial,
  type SignerConfig,
  type SigningSchema,
  checkConfiguredKeyIsKsk,
  schemaKeyNames,
} from "@ksk/signer";
import type { CliContext } from "./context.js";
import { type KeystoreArgs, activationReporter, keystoreOpenOptions } from "./keystore-args.js";

export interface OpenedKsks {
  readonly materials: Map<string, KskMaterial>;
  readonly signers: Map<string, Signer>;
  /** The HSM tokens the KSKs are in (none for a software keystore), for the witness display. */
  readonly hsms: readonly HsmToken[];
  close(): Promise<void>;
}

/**
 * The environment an `hsm:` entry's module is initialised with: every `env:` entry, a relative
 * SOFTHSM2_CONF resolved against the config file's directory (where IANA's layout keeps it).
 */
export function hsmModuleEnvironment(hsm: HsmConfig, configFile: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(hsm.env)) env[name] = name === KEYSTORE_ENV.softhsmConf ? path.resolve(path.dirname(configFile), value) : value;
  // Without an env: entry the module sees the process's SOFTHSM2_CONF, as IANA's tools do.
  return env;
}

/**
 * Open the token holding a key named by a signer config: the config's `keystore:` URI, or the one
 * token among its `hsm:` modules that holds the label (see openTokenHoldingKey: only that token is
 * logged in to). The PIN is the hsm entry's `pin`, else --shares, else --pin-file, else a prompt; with `keystore:`, the
 * keystore arguments (--module, --pin-file, --passphrase-file) apply as to any keystore URI. The search
 * of the `hsm:` entries is @ksk/keystore's `openKeyInModules`; this builds each entry's environment and
 * PIN source. Every command that reads KSKs through a config uses this one function.
 */
export async function openConfiguredKey(ctx: CliContext, config: SignerConfig, configFile: string, label: string, args: KeystoreArgs = {}): Promise<Keystore> {
  if (config.keystoreUri !== undefined) return openKeystore(config.keystoreUri, keystoreOpenOptions(ctx, args));
  const pinFile = args.pinFile;
  const modules: KeyModule[] = config.hsms.map((hsm) => ({
    name: hsm.name,
    modulePath: hsm.modulePath,
    moduleEnvironment: { ...inheritedModuleEnvironment(ctx), ...hsmModuleEnvironment(hsm, configFile) },
    ...(hsm.tokenLabel === undefined ? {} : { tokenLabel: hsm.tokenLabel }),
    pin: async () => {
      if (hsm.pin !== undefined) return hsm.pin;
      if (args.shares !== undefined) {
        return secretFromShares(
          { ...(ctx.interactive ? { promptSecret: ctx.promptSecret } : {}), onSharesUsed: activationReporter(ctx) },
          args.shares,
          "PIN",
          `hsm ${hsm.name}`,
        );
      }
      if (pinFile !== undefined) return loadSecretFile(pinFile, "PIN", `hsm ${hsm.name}`);
      if (!ctx.interactive) throw new KskError("keystore", "SECRET-MISSING", `hsm ${hsm.name}: no pin in the config and no --pin-file`);
      return ctx.promptSecret(`User PIN for ${hsm.name} (${hsm.modulePath}): `);
    },
  }));
  return openKeyInModules(modules, label, { where: configFile, warn: (text) => ctx.err(`ksk: WARNING: ${text}\n`) });
}

/** SOFTHSM2_CONF from the process, for an `hsm:` entry that gives none. */
function inheritedModuleEnvironment(ctx: CliContext): Record<string, string> {
  const conf = ctx.env[KEYSTORE_ENV.softhsmConf];
  return conf ? { [KEYSTORE_ENV.softhsmConf]: conf } : {};
}

/** Open every KSK the schema names; their public keys and Signers, keyed by config key name. */
export async function openKsks(ctx: CliContext, config: SignerConfig, configFile: string, schema: SigningSchema, args: KeystoreArgs = {}): Promise<OpenedKsks> {
  // Before any HSM is opened: a PIN attempt is not spent on a schema the config cannot serve.
  for (const name of schemaKeyNames(schema)) {
    if (!config.keys.has(name)) {
      throw new KskError(
        "input",
        "CONFIG-INVALID",
        `schema ${schema.name} names key ${name}, which is not in the config's keys (${[...config.keys.keys()].join(", ") || "none"}); add keys.${name} to the config, or choose a --schema that names only configured keys`,
        { where: configFile },
      );
    }
  }
  const opened: Keystore[] = [];
  const materials = new Map<string, KskMaterial>();
  const signers = new Map<string, Signer>();
  const close = async () => {
    for (const k of opened.splice(0)) await k.close();
  };
  try {
    const shared = config.keystoreUri !== undefined ? await openConfiguredKey(ctx, config, configFile, "", args) : undefined;
    if (shared) opened.push(shared);
    for (const name of schemaKeyNames(schema)) {
      const key = config.keys.get(name) as KskKeyConfig;
      let keystore = shared;
      if (!keystore) {
        keystore = await openConfiguredKey(ctx, config, configFile, key.label, args);
        opened.push(keystore);
      }
      const info = await keystore.find(key.label);
      if (!info.dnskey || !info.hasPrivateKey) {
        throw new KskError("keystore", "KEY-INCOMPLETE", `key ${key.label} has ${info.dnskey ? "no private key" : "no public key"} in ${info.location}`);
      }
      checkConfiguredKeyIsKsk(name, key.label, info.dnskey, info.location);
      materials.set(name, { config: key, dnskey: info.dnskey });
      signers.set(name, await keystore.signer(key.label));
    }
  } catch (e) {
    await close();
    throw e;
  }
  const hsms = opened
    .flatMap((k) => k.hsmTokens?.() ?? [])
    .filter((t, i, all) => all.findIndex((u) => u.modulePath === t.modulePath && u.serial === t.serial) === i);
  return { materials, signers, hsms, close };
}
