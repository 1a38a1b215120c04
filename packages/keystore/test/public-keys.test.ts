/**
 * keystorePublicKeys on a software keystore in a temporary directory: the DNSKEYs of labels as
 * generated, every KSK (flags 257, ZSKs left out) sorted by label, a label without its public half
 * (KEY-NO-PUBLIC), a keystore with no KSK (KEY-NOT-FOUND), and the keystore closed in every case.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Keystore, keystorePublicKeys, openKeystore } from "../src/index.js";

const dir = mkdtempSync(path.join(tmpdir(), "ksk-pubkeys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const passphraseFile = path.join(dir, "passphrase.txt");
writeFileSync(passphraseFile, "correct horse battery staple\n", { mode: 0o600 });

function store(name: string) {
  const uri = `file:${path.join(dir, name)}`;
  let closed = 0;
  const open = async (): Promise<Keystore> => {
    const keystore = await openKeystore(uri, { env: { KSK_PASSPHRASE_FILE: passphraseFile, KSK_SCRYPT_LOG2N: "14" } });
    const close = keystore.close.bind(keystore);
    // Counted, to see that keystorePublicKeys closes what it opened whatever happens.
    keystore.close = async () => {
      closed++;
      await close();
    };
    return keystore;
  };
  return { uri, open, closed: () => closed };
}

const keys = store("keys");
const zsksOnly = store("zsks");
const generated = new Map<string, number>();

beforeAll(async () => {
  const k = await keys.open();
  for (const [label, flags] of [
    ["Kb", 257],
    ["Ka", 257],
    ["Zc", 256],
    ["Knopub", 257],
  ] as const) {
    const info = await k.generate({ label, algorithm: 13, flags });
    generated.set(label, info.dnskey?.publicKeyBytes.length ?? -1);
  }
  await k.close();
  renameSync(path.join(dir, "keys", "Knopub.dnskey"), path.join(dir, "Knopub.dnskey.aside"));
  const z = await zsksOnly.open();
  await z.generate({ label: "Zonly", algorithm: 13, flags: 256 });
  await z.close();
}, 60_000);

describe("keystorePublicKeys", () => {
  it("reads the DNSKEYs of the labels asked for, in that order, named at where and label", async () => {
    const before = keys.closed();
    const found = await keystorePublicKeys(keys.open, ["Zc", "Ka"], keys.uri);
    expect(found.map((k) => [k.label, k.dnskey.flags, k.where])).toEqual([
      ["Zc", 256, `${keys.uri} Zc`],
      ["Ka", 257, `${keys.uri} Ka`],
    ]);
    expect(found[0]?.dnskey.publicKeyBytes.length).toBe(generated.get("Zc"));
    expect(keys.closed()).toBe(before + 1);
  });

  it("with every-ksk, lists the KSKs with a public half sorted by label and leaves the ZSK out", async () => {
    const found = await keystorePublicKeys(keys.open, "every-ksk", keys.uri);
    expect(found.map((k) => k.label)).toEqual(["Ka", "Kb"]);
  });

  it("refuses a label without its public half and a keystore with no KSK, closing the keystore", async () => {
    const before = keys.closed();
    await expect(keystorePublicKeys(keys.open, ["Ka", "Knopub"], keys.uri)).rejects.toMatchObject({ kind: "keystore", code: "KEY-NO-PUBLIC" });
    expect(keys.closed()).toBe(before + 1);
    await expect(keystorePublicKeys(zsksOnly.open, "every-ksk", zsksOnly.uri)).rejects.toMatchObject({
      kind: "keystore",
      code: "KEY-NOT-FOUND",
      where: zsksOnly.uri,
    });
  });
});
