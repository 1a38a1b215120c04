/**
 * Finding the KSKs a signing config names. With `keystore:` (a keystore URI) every key label is
 * looked up in that keystore; with IANA's `hsm:` section every token of every listed module is
 * searched for each label, as IANA's ksrsigner does, with the module's `env` (e.g. SOFTHSM2_CONF,
 * resolved against the config file's directory) and its `pin` (or a PIN file/prompt when absent).
 * The caller must `close()` what this opens.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { KskError, type Signer, isKskError } from "@ksk/core";
import { type Keystore, type OpenOptions, findKeyInAnyToken, openKeystore, secretFromFileText } from "@ksk/keystore";
import type { KskMaterial, SignerConfig } from "@ksk/signer";
import type { CliContext } from "./context.js";

export interface OpenedKsks {
  readonly materials: Map<string, KskMaterial>;
  readonly signers: Map<string, Signer>;
  close(): Promise<void>;
}

export function keystoreOptions(ctx: CliContext, extra: Partial<OpenOptions> = {}): OpenOptions {
  return {
    env: ctx.env,
    readSecretFile: (file: string) => fs.readFile(file, "utf8"),
    ...(ctx.interactive ? { promptSecret: ctx.promptSecret } : {}),
    ...extra,
  };
}

async function openFor(ctx: CliContext, config: SignerConfig, configDir: string, label: string, pinFile: string | undefined): Promise<Keystore> {
  const pinOption = pinFile === undefined ? {} : { pinFile };
  if (config.keystoreUri !== undefined) return openKeystore(config.keystoreUri, keystoreOptions(ctx, pinOption));
  let lastError: unknown;
  for (const hsm of config.hsms) {
    const env: Record<string, string | undefined> = { ...ctx.env };
    for (const [name, value] of Object.entries(hsm.env)) env[name] = name === "SOFTHSM2_CONF" ? path.resolve(configDir, value) : value;
    const options = keystoreOptions({ ...ctx, env }, pinOption);
    try {
      const pin = hsm.pin ?? (pinFile ? secretFromFileText(await fs.readFile(pinFile, "utf8")) : undefined);
      if (pin === undefined) {
        if (!ctx.interactive) throw new KskError("keystore", "SECRET-MISSING", `hsm ${hsm.name}: no pin in the config and no --pin-file`);
        return await findKeyInAnyToken(hsm.modulePath, await ctx.promptSecret(`User PIN for ${hsm.name} (${hsm.modulePath}): `), label, options);
      }
      return await findKeyInAnyToken(hsm.modulePath, pin, label, options);
    } catch (e) {
      if (!isKskError(e) || e.kind !== "keystore") throw e;
      lastError = e;
    }
  }
  throw lastError ?? new KskError("keystore", "KEY-MISSING", `key ${label} is in none of the configured HSMs`);
}

/** Open every KSK the schema names; their public keys and Signers, keyed by config key name. */
export async function openKsks(ctx: CliContext, config: SignerConfig, configFile: string, names: Iterable<string>, pinFile?: string): Promise<OpenedKsks> {
  const opened: Keystore[] = [];
  const materials = new Map<string, KskMaterial>();
  const signers = new Map<string, Signer>();
  const close = async () => {
    for (const k of opened.splice(0)) await k.close();
  };
  try {
    const shared = config.keystoreUri !== undefined ? await openFor(ctx, config, path.dirname(configFile), "", pinFile) : undefined;
    if (shared) opened.push(shared);
    for (const name of names) {
      const key = config.keys.get(name);
      if (!key) throw new KskError("input", "CONFIG-INVALID", `the schema names key ${name}, which is not in keys`, { where: configFile });
      let keystore = shared;
      if (!keystore) {
        keystore = await openFor(ctx, config, path.dirname(configFile), key.label, pinFile);
        opened.push(keystore);
      }
      const info = await keystore.find(key.label);
      if (!info.dnskey || !info.hasPrivateKey) {
        throw new KskError("keystore", "KEY-INCOMPLETE", `key ${key.label} has ${info.dnskey ? "no private key" : "no public key"} in ${info.location}`);
      }
      // The keystore's record (or, for keys made elsewhere, the label) says what role the key has;
      // a key that is not a KSK is refused, never re-flagged.
      if (info.dnskey.flags !== 257) {
        throw new KskError("keystore", "KSK-CONFIG-MATCH", `key ${name} (label ${key.label}) has DNSKEY flags ${info.dnskey.flags}, not 257: it is not a KSK`, {
          where: info.location,
        });
      }
      materials.set(name, { config: key, dnskey: info.dnskey });
      signers.set(name, await keystore.signer(key.label));
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { materials, signers, close };
}
