/**
 * Which keys a root-anchors.xml publishes, and with what id and window (`ksk anchors build`): the
 * KSKs found (in a keystore, an HSM named by the signer config, or a DNSKEY file), each held to
 * KSK-CONFIG-MATCH when the config describes it, with the per-key-tag choices given and the
 * defaults IANA's files follow — a KeyDigest's id is the key's HSM label (Kjqmt7v, Klajeyz,
 * Kmyv6jo), its validFrom the config's valid_from or else the publication time. Pure: the keys
 * come in found, the times parsed; what was defaulted comes back as notes to show.
 *
 * Left out: finding the keys (the keystore's job) and building the document (@ksk/trust-anchor).
 */
import { type DnskeyRdata, KskError, ROOT, formatIsoUtc, keyTag } from "@ksk/core";
import type { AnchorKey } from "@ksk/trust-anchor";
import { checkKskMatchesConfig } from "./ceremony-checks.js";
import type { KskKeyConfig, SignerConfig } from "./config.js";

/** A key to publish as found, with what the config says about it. */
export interface FoundAnchorKey {
  readonly dnskey: DnskeyRdata;
  /** Where it was found, for messages: `pkcs11:… Klajeyz`, a file name. */
  readonly where: string;
  readonly config?: KskKeyConfig;
  /** The key's keystore label, when it came from a keystore. */
  readonly label?: string;
}

/** The per-key-tag choices (`--id-for`, `--valid-from`, `--valid-until`) and the publication time. */
export interface AnchorKeyChoices {
  readonly idFor: ReadonlyMap<number, string>;
  readonly validFrom: ReadonlyMap<number, number>;
  readonly validUntil: ReadonlyMap<number, number>;
  readonly publicationEpochSeconds: number;
}

/** Match DNSKEYs from a file to the config's keys by key tag and algorithm (the config must give key_tag). */
export function matchConfigKeys(config: SignerConfig, dnskeys: readonly FoundAnchorKey[], where: string): FoundAnchorKey[] {
  return [...config.keys.values()].map((key) => {
    if (key.keyTag === undefined) throw new KskError("input", "CONFIG-KEY-TAG", `keys.${key.name} has no key_tag to find it in the --dnskey file`, { where });
    const matches = dnskeys.filter((k) => keyTag(k.dnskey) === key.keyTag && k.dnskey.algorithm === key.algorithm);
    if (matches.length !== 1) {
      throw new KskError("input", "CONFIG-KEY-TAG", `keys.${key.name}: ${matches.length} DNSKEYs with key tag ${key.keyTag} and algorithm ${key.algorithm}`, {
        where,
      });
    }
    return { ...(matches[0] as FoundAnchorKey), config: key };
  });
}

/** Every key tag a choice names must be one of the keys found (a typo would otherwise be silently ignored). */
function checkChoicesName(found: readonly FoundAnchorKey[], choices: AnchorKeyChoices): void {
  const tags = new Set(found.map((k) => keyTag(k.dnskey)));
  for (const [option, map] of [
    ["id-for", choices.idFor],
    ["valid-from", choices.validFrom],
    ["valid-until", choices.validUntil],
  ] as const) {
    for (const tag of map.keys()) {
      if (!tags.has(tag)) throw new KskError("usage", "USAGE-TAG-VALUE", `--${option}: no key has key tag ${tag} (keys: ${[...tags].join(", ")})`);
    }
  }
}

/**
 * The anchor keys to publish: each found key (held to KSK-CONFIG-MATCH when the config describes
 * it: exit 4, named by `configName` or where it was found) with its id and window, and a note for
 * each value that was defaulted rather than given.
 */
export function resolveAnchorKeys(
  found: readonly FoundAnchorKey[],
  choices: AnchorKeyChoices,
  configName?: string,
): { readonly keys: AnchorKey[]; readonly notes: string[] } {
  for (const k of found) {
    if (!k.config) continue;
    try {
      checkKskMatchesConfig(k.config, k.dnskey, ROOT);
    } catch (e) {
      throw e instanceof KskError ? e.within(configName ?? k.where) : e;
    }
  }
  checkChoicesName(found, choices);
  const notes: string[] = [];
  const keys = found.map(({ dnskey, config, label }): AnchorKey => {
    const tag = keyTag(dnskey);
    // IANA's KeyDigest ids are the KSKs' HSM labels (Kjqmt7v, Klajeyz, Kmyv6jo).
    let id = choices.idFor.get(tag) ?? config?.label;
    if (id === undefined && label !== undefined) {
      id = label;
      notes.push(`KeyDigest id for ${tag}: ${id} (its keystore label; --id-for ${tag}=ID to change)`);
    }
    if (id === undefined) throw new KskError("usage", "USAGE-TAG-VALUE", `key ${tag} has no --id-for ${tag}=ID`);
    let validFromEpochSeconds = choices.validFrom.get(tag) ?? config?.validFromEpochSeconds;
    if (validFromEpochSeconds === undefined) {
      validFromEpochSeconds = choices.publicationEpochSeconds;
      notes.push(
        `validFrom for ${tag}: ${formatIsoUtc(choices.publicationEpochSeconds)} (the publication time, --at or now; --valid-from ${tag}=TIME to change)`,
      );
    }
    const validUntilEpochSeconds = choices.validUntil.get(tag) ?? config?.validUntilEpochSeconds;
    return { dnskey, id, validFromEpochSeconds, validUntilEpochSeconds };
  });
  return { keys, notes };
}
