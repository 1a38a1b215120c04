/**
 * generateKey, inventory and deleteKey against a real SoftHSM2 token: the report (tags, DNSKEY,
 * DS SHA-256/SHA-384 equal to ldns-key2ds's, PGP words), a candidate whose tag collides with a
 * known key or a key in the keystore deleted again and another generated (refused after three in a
 * row), inventory with leftovers, and deletion only on an exact "Yes".
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT, bytesToHex, dsDigest, KskError, pgpWords, parseZone, isKind, keyTag } from "@ksk/core";
import { type KeyPairInfo, type Keystore, openKeystore } from "@ksk/keystore";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SoftHsmToken, createSoftHsmToken } from "../../../test/support/softhsm.js";
import { hasTool, runTool } from "../../../test/support/tools.js";
import {
  GENERATION_ATTEMPTS,
  type KnownKey,
  deleteKey,
  formatDiscardedCandidate,
  formatInventory,
  formatInventoryDns,
  generateKey,
  ianaLabel,
  inventory,
} from "../src/index.js";
import { dnskeyWithTag } from "./tag-helpers.js";

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0) / 1000;

/** A keystore that reports each generated candidate to the test before generateKey checks it. */
function observed(real: Keystore, onGenerated: (info: KeyPairInfo) => void): Keystore {
  return {
    uri: real.uri,
    list: () => real.list(),
    find: (l) => real.find(l),
    signer: (l) => real.signer(l),
    delete: (l) => real.delete(l),
    close: () => real.close(),
    generate: async (spec) => {
      const info = await real.generate(spec);
      onGenerated(info);
      return info;
    },
  };
}

describe.runIf(hasTool("softhsm2-util"))("generateKey in SoftHSM2", () => {
  let token: SoftHsmToken;
  let keystore: Keystore;
  beforeAll(async () => {
    token = createSoftHsmToken({ label: "keygen-lab" });
    keystore = await openKeystore(token.uri(), { env: token.env });
  });
  afterAll(async () => {
    await keystore?.close();
    token?.cleanup();
  });

  it("generates a KSK with an IANA-style label and reports tags, DNSKEY, DS and PGP words", async () => {
    const { info, report } = await generateKey(keystore, { role: "ksk", algorithm: 8, nowEpochSeconds: NOW });
    expect(info.label).toBe(ianaLabel("ksk", NOW));
    expect(report).toMatchObject({ label: info.label, algorithm: 8, algorithmMnemonic: "RSASHA256", sizeBits: 2048, flags: 257 });
    const dnskey = info.dnskey!;
    expect(report.keyTag).toBe(keyTag(dnskey));
    expect(report.revokedKeyTag).toBe(keyTag({ ...dnskey, flags: 385 }));
    expect(report.dnskeyRecord).toMatch(/^\. 172800 IN DNSKEY 257 3 8 AwEAA[A-Za-z0-9+/=]+$/);
    // The DNSKEY line parses back to the same key.
    const [rr] = parseZone(`${report.dnskeyRecord}\n`);
    expect(rr && isKind(rr, "DNSKEY") && Buffer.from(rr.rdata.publicKeyBytes).equals(Buffer.from(dnskey.publicKeyBytes))).toBe(true);
    expect(report.ds.map((d) => d.digestType)).toEqual([2, 4]);
    expect(report.ds[0]?.record).toBe(`. 172800 IN DS ${report.keyTag} 8 2 ${bytesToHex(dsDigest(ROOT, dnskey, 2), true)}`);
    expect(report.dsSha256PgpWords).toEqual(pgpWords(dsDigest(ROOT, dnskey, 2)));
    expect(report.dsSha256PgpWords).toHaveLength(32);
    const signer = await keystore.signer(info.label);
    const data = new TextEncoder().encode("signed by a fresh KSK");
    expect(signer.keyTag).toBe(report.keyTag);
    await signer.sign(data);
  });

  it.runIf(hasTool("ldns-key2ds"))("reports DS SHA-256 and SHA-384 equal to ldns-key2ds's", async () => {
    const { report } = await generateKey(keystore, { role: "zsk", algorithm: 13, nowEpochSeconds: NOW });
    expect(report.label).toMatch(/^Z/);
    const file = path.join(token.dir, `${report.label}.key`);
    writeFileSync(file, `${report.dnskeyRecord}\n`);
    for (const [flag, type] of [
      ["-2", 2],
      ["-4", 4],
    ] as const) {
      const r = runTool("ldns-key2ds", ["-n", "-f", flag, file]); // -f: also for a non-SEP (ZSK) key
      expect(r.status).toBe(0);
      const ours = report.ds.find((d) => d.digestType === type)!;
      expect(r.stdout.trim().split(/\s+/).slice(4).join(" ").toUpperCase()).toBe(ours.record.split(" ").slice(4).join(" ").toUpperCase());
    }
  });

  it("refuses a label that exists", async () => {
    await expect(generateKey(keystore, { role: "ksk", algorithm: 8, nowEpochSeconds: NOW })).rejects.toMatchObject({
      kind: "refused",
      code: "KEY-LABEL-EXISTS",
    });
  });

  it("deletes a candidate whose tag equals a known key's, generates another, and reports the one discarded", async () => {
    const known: KnownKey[] = [];
    const candidates: KeyPairInfo[] = [];
    const ks = observed(keystore, (info) => {
      candidates.push(info);
      // Only the first candidate collides: a known key of other material with its tag.
      if (candidates.length === 1) known.push({ name: "known ZSK Zother", dnskey: dnskeyWithTag({ ...info.dnskey!, flags: 256 }, keyTag(info.dnskey!), 256) });
    });
    const { info, report, discarded } = await generateKey(ks, { role: "ksk", algorithm: 15, label: "Kretry", nowEpochSeconds: NOW, knownKeys: known });
    // Another collision by chance (a few in 65,536) would discard the second candidate too.
    const kept = candidates.at(-1)!;
    expect(discarded).toHaveLength(candidates.length - 1);
    const first = keyTag(candidates[0]!.dnskey!);
    expect(discarded[0]).toMatchObject({ attempt: 1, keyTag: first, revokedKeyTag: keyTag({ ...candidates[0]!.dnskey!, flags: 385 }) });
    expect(discarded[0]!.clash).toMatch(new RegExp(`^key tag ${first} equals known ZSK Zother's key tag(;|$)`));
    expect(formatDiscardedCandidate("Kretry", discarded[0]!)).toBe(
      `candidate 1 for Kretry (key tag ${first}, revoked ${discarded[0]!.revokedKeyTag}) collided and was deleted from the keystore: ${discarded[0]!.clash}; generated again`,
    );
    // The key kept is the last candidate; the first is gone from the token.
    expect(bytesToHex(info.dnskey!.publicKeyBytes)).toBe(bytesToHex(kept.dnskey!.publicKeyBytes));
    expect(report.keyTag).toBe(keyTag(kept.dnskey!));
    expect(bytesToHex((await keystore.find("Kretry")).dnskey!.publicKeyBytes)).toBe(bytesToHex(kept.dnskey!.publicKeyBytes));
    expect((await keystore.list()).filter((k) => k.label === "Kretry")).toHaveLength(1);
  });

  it(`refuses after ${GENERATION_ATTEMPTS} candidates whose tags each equal a known key's, and deletes every one`, async () => {
    const before = (await keystore.list()).map((k) => k.label);
    const known: KnownKey[] = [];
    const candidates: KeyPairInfo[] = [];
    const ks = observed(keystore, (info) => {
      candidates.push(info);
      // The known key: different key material, the candidate's tag.
      known.push({ name: "known ZSK Zother", dnskey: dnskeyWithTag({ ...info.dnskey!, flags: 256 }, keyTag(info.dnskey!), 256) });
    });
    const e = await generateKey(ks, { role: "ksk", algorithm: 15, label: "Kclash", nowEpochSeconds: NOW, knownKeys: known }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KskError);
    expect(e).toMatchObject({ kind: "refused", code: "KEY-TAG-COLLISION" });
    expect(candidates).toHaveLength(GENERATION_ATTEMPTS);
    for (const [i, c] of candidates.entries()) {
      expect((e as KskError).message).toContain(`candidate ${i + 1}: key tag ${keyTag(c.dnskey!)} equals known ZSK Zother's key tag`);
    }
    await expect(keystore.find("Kclash")).rejects.toMatchObject({ code: "KEY-NOT-FOUND" });
    expect((await keystore.list()).map((k) => k.label)).toEqual(before);
  });

  it("refuses candidates whose revoked tags each equal the tag of a key in the keystore, and deletes them", async () => {
    const existing = (await keystore.list())[0]!;
    let candidate: KeyPairInfo | undefined;
    // The keystore lists, after generation, a key whose tag is the candidate's revoked tag (as if
    // another session had just stored it).
    const ks: Keystore = {
      ...observed(keystore, (info) => {
        candidate = info;
      }),
      list: async () => {
        const real = await keystore.list();
        if (!candidate) return real;
        const revoked = keyTag({ ...candidate.dnskey!, flags: candidate.dnskey!.flags | 0x80 });
        return [...real, { ...existing, label: "Kstandin", dnskey: dnskeyWithTag(existing.dnskey!, revoked) }];
      },
    };
    const e = await generateKey(ks, { role: "ksk", algorithm: 15, label: "Krevclash", nowEpochSeconds: NOW }).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: "refused", code: "KEY-TAG-COLLISION" });
    expect((e as KskError).message).toContain(`revoked key tag ${keyTag({ ...candidate!.dnskey!, flags: 385 })} equals Kstandin in the keystore's key tag`);
    await expect(keystore.find("Krevclash")).rejects.toMatchObject({ code: "KEY-NOT-FOUND" });
  });

  it("inventories key pairs with DS, and leftovers; --dns form gives DNSKEY and DS SHA-256 lines", async () => {
    const { report } = await generateKey(keystore, { role: "ksk", algorithm: 13, label: "Kinv", nowEpochSeconds: NOW });
    const inv = await inventory(keystore);
    const entry = inv.keys.find((k) => k.label === "Kinv")!;
    expect(entry.report).toEqual(report);
    expect(entry.protection).toEqual({ sensitive: true, extractable: false });
    expect(formatInventory(inv)).toContain(`Kinv  pkcs11:token=keygen-lab  alg 13 ECDSAP256SHA256 256 bits  flags 257  tag ${report.keyTag}`);
    expect(formatInventoryDns(inv)).toContain(`; Kinv\n${report.dnskeyRecord}\n${report.ds[0]!.record}\n`);
    expect(inv.leftovers).toEqual([]);
    const r = runTool(
      "pkcs11-tool",
      ["--module", token.module, "--token-label", token.label, "--login", "--pin", token.pin, "--delete-object", "--type", "privkey", "--label", "Kinv"],
      {
        env: token.processEnv,
      },
    );
    expect(r.status).toBe(0);
    const after = await inventory(keystore);
    expect(after.keys.map((k) => k.label)).not.toContain("Kinv");
    expect(after.leftovers).toMatchObject([{ label: "Kinv", hasPublicKey: true, hasPrivateKey: false }]);
    expect(formatInventory(after)).toContain("Kinv  pkcs11:token=keygen-lab  public key without private key");
    await keystore.delete("Kinv");
  });

  it("deletes only on an exact Yes, or with yes", async () => {
    await generateKey(keystore, { role: "zsk", algorithm: 15, label: "Zdel", nowEpochSeconds: NOW });
    for (const answer of ["yes", "y", "YES", " Yes", ""]) {
      await expect(deleteKey(keystore, "Zdel", { ask: async () => answer })).rejects.toMatchObject({ kind: "refused", code: "DELETE-NOT-CONFIRMED" });
    }
    await expect(deleteKey(keystore, "Zdel", {})).rejects.toMatchObject({ kind: "refused" });
    expect((await keystore.find("Zdel")).hasPrivateKey).toBe(true);
    const questions: string[] = [];
    await deleteKey(keystore, "Zdel", {
      ask: async (q) => {
        questions.push(q);
        return "Yes";
      },
    });
    expect(questions[0]).toMatch(/^Delete key Zdel \(key tag \d+, ED25519, flags 256\) from pkcs11:token=keygen-lab\?/);
    await expect(keystore.find("Zdel")).rejects.toMatchObject({ code: "KEY-NOT-FOUND" });
    await generateKey(keystore, { role: "zsk", algorithm: 15, label: "Zdel", nowEpochSeconds: NOW });
    await deleteKey(keystore, "Zdel", { yes: true });
    await expect(keystore.find("Zdel")).rejects.toMatchObject({ code: "KEY-NOT-FOUND" });
  });
});
