/**
 * resolveAnchorKeys: a KeyDigest's id and window from the choices given, else from the config,
 * else the keystore label and the publication time (each default noted); a choice for a key tag
 * not found is a usage error; a key the config describes otherwise is KSK-CONFIG-MATCH (exit 4).
 */
import { keyTag } from "@ksk/core";
import { describe, expect, it } from "vitest";
import { type AnchorKeyChoices, matchConfigKeys, resolveAnchorKeys } from "../src/index.js";
import { labConfig, labKsks } from "./helpers.js";

const ksks = labKsks();
const config = labConfig(ksks);
const AT = Date.UTC(2026, 11, 1) / 1000;
const none: AnchorKeyChoices = { idFor: new Map(), validFrom: new Map(), validUntil: new Map(), publicationEpochSeconds: AT };
const current = ksks.current.dnskey;
const next = ksks.next.dnskey;

describe("resolveAnchorKeys", () => {
  it("takes ids and windows from the choices, then the config, then the label and the publication time, noting each default", () => {
    const fromKeystore = resolveAnchorKeys([{ dnskey: next, where: "file:ks Knextkk", label: "Knextkk" }], none);
    expect(fromKeystore.keys).toEqual([{ dnskey: next, id: "Knextkk", validFromEpochSeconds: AT, validUntilEpochSeconds: undefined }]);
    expect(fromKeystore.notes).toEqual([
      `KeyDigest id for ${keyTag(next)}: Knextkk (its keystore label; --id-for ${keyTag(next)}=ID to change)`,
      `validFrom for ${keyTag(next)}: 2026-12-01T00:00:00+00:00 (the publication time, --at or now; --valid-from ${keyTag(next)}=TIME to change)`,
    ]);
    const chosen = resolveAnchorKeys([{ dnskey: next, where: "file", label: "Knextkk" }], {
      ...none,
      idFor: new Map([[keyTag(next), "Kchosen"]]),
      validFrom: new Map([[keyTag(next), AT - 10]]),
      validUntil: new Map([[keyTag(next), AT + 10]]),
    });
    expect(chosen).toEqual({ keys: [{ dnskey: next, id: "Kchosen", validFromEpochSeconds: AT - 10, validUntilEpochSeconds: AT + 10 }], notes: [] });
    const key = config.keys.get("ksk_current")!;
    const configured = resolveAnchorKeys([{ dnskey: current, where: "hsm", config: key }], none, "ksrsigner.yaml");
    expect(configured.keys[0]).toMatchObject({ id: key.label, validFromEpochSeconds: key.validFromEpochSeconds });
    expect(configured.notes).toEqual([]);
  });

  it("refuses a choice for a key tag that was not found, and a key with no id", () => {
    expect(() => resolveAnchorKeys([{ dnskey: next, where: "f", label: "K" }], { ...none, idFor: new Map([[1, "X"]]) })).toThrow(
      /--id-for: no key has key tag 1/,
    );
    expect(() => resolveAnchorKeys([{ dnskey: next, where: "f" }], none)).toThrow(`key ${keyTag(next)} has no --id-for ${keyTag(next)}=ID`);
  });

  it("holds a key the config describes to KSK-CONFIG-MATCH", () => {
    const key = config.keys.get("ksk_current")!;
    let error: unknown;
    try {
      resolveAnchorKeys([{ dnskey: next, where: "hsm", config: key }], none, "ksrsigner.yaml");
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ kind: "keystore", code: "KSK-CONFIG-MATCH" });
  });

  it("matches a file's DNSKEYs to the config's keys by key tag", () => {
    const found = [
      { dnskey: current, where: "keys.zone" },
      { dnskey: next, where: "keys.zone" },
    ];
    const keyed = new Map([...config.keys].map(([name, k]) => [name, { ...k, keyTag: keyTag(name === "ksk_current" ? current : next) }]));
    const matched = matchConfigKeys({ ...config, keys: keyed }, found, "ksrsigner.yaml");
    expect(matched.map((k) => k.config?.name)).toEqual([...keyed.keys()]);
    const untagged = new Map(
      [...config.keys].map(([name, k]) => {
        const { keyTag: _tag, ...rest } = k;
        return [name, rest];
      }),
    );
    expect(() => matchConfigKeys({ ...config, keys: untagged }, found, "ksrsigner.yaml")).toThrow(/has no key_tag/);
    expect(() => matchConfigKeys({ ...config, keys: keyed }, [found[0]!], "ksrsigner.yaml")).toThrow(/0 DNSKEYs with key tag/);
  });
});
