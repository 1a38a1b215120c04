/**
 * Key custody with two SoftHSM2 token directories standing for the two facilities, through the
 * built `ksk` as a process: a PIN split among three officers (any two activate the HSM, no one
 * alone does), the KSK backed up at facility 1 under a KEK split among officers, restored at
 * facility 2, and the same KSR signed at both into byte-identical SKRs. Every bad input is one
 * line, a documented exit code, and leaves the files and both tokens as they were. No PIN, share
 * or KEK appears in any output.
 */
import { randomUUID } from "node:crypto";
import { appendFileSync, chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { formatIsoUtc } from "@ksk/core";
import { buildKsr, defaultKsrPolicy, parseQuarter, writeKsrXml } from "@ksk/ksr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FinishedProcess, startKsk } from "./support/cli-process.js";
import { type Secret, leaks, shareSecrets } from "./support/leak-scan.js";
import { testSigner } from "./support/soft-signer.js";
import { type SoftHsmToken, createSoftHsmToken } from "./support/softhsm.js";
import { hasTool } from "./support/tools.js";

const CEREMONY = "2026-12-01T00:00:00Z";
const softhsm = hasTool("softhsm2-util");
let work: string;
let facility1: SoftHsmToken;
let facility2: SoftHsmToken;
let facility3: SoftHsmToken;
const outputs: { name: string; bytes: Uint8Array }[] = [];
const w = (...parts: string[]) => path.join(work, ...parts);

async function ksk(args: string[], env: Record<string, string>): Promise<FinishedProcess> {
  const r = await startKsk(args, { env, cwd: work }).done;
  outputs.push(
    { name: `ksk ${args.slice(0, 2).join(" ")} stdout`, bytes: Buffer.from(r.stdout) },
    { name: `ksk ${args.slice(0, 2).join(" ")} stderr`, bytes: Buffer.from(r.stderr) },
  );
  return r;
}

/** A token URI without a PIN source, and with pin-source=shares:DIR. */
const noPin = (t: SoftHsmToken) => t.uri(undefined, { pinSource: false });
const withShares = (t: SoftHsmToken, dir: string) => `${noPin(t)}&pin-source=shares:${dir}`;

/** Every file under a directory with its size and bytes' hash-free content, for "nothing changed". */
function snapshot(...dirs: string[]): string {
  const lines: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = path.join(d, name);
      const s = statSync(full);
      if (s.isDirectory()) walk(full);
      else lines.push(`${full} ${s.size} ${(s.mode & 0o777).toString(8)}`);
    }
  };
  for (const d of dirs) walk(d);
  return lines.join("\n");
}

/** A directory holding copies of some share files (0600, as officers bring them). */
function shareSubset(name: string, from: string, indexes: readonly number[]): string {
  const dir = w(name);
  mkdirSync(dir, { mode: 0o700 });
  for (const i of indexes) copyFileSync(path.join(from, `share-${i}`), path.join(dir, `share-${i}`));
  return dir;
}

function configFor(token: SoftHsmToken, uri: string): string {
  const file = w(`ksrsigner-${token.label}.yaml`);
  writeFileSync(
    file,
    `keystore: "${uri}"\nkeys:\n  ksk_current:\n    description: the KSK\n    label: Kcust01\n    algorithm: RSASHA256\n    rsa_size: 2048\n    rsa_exponent: 65537\n    valid_from: 2026-01-01T00:00:00+00:00\n`,
  );
  return file;
}

beforeAll(async () => {
  if (!softhsm) return;
  work = mkdtempSync(path.join(tmpdir(), "ksk-custody-"));
  // PINs that cannot occur by chance in hex, key tags or words on the screen.
  facility1 = createSoftHsmToken({ label: "facility-1", pin: "fac1-pin-unseen" });
  facility2 = createSoftHsmToken({ label: "facility-2", pin: "fac2-pin-unseen" });
  facility3 = createSoftHsmToken({ label: "facility-3", pin: "fac3-pin-unseen" });
  // Facility 3's HSM offers RSA signing but no AES key wrap: a module that cannot restore.
  appendFileSync(facility3.conf, "slots.mechanisms = CKM_RSA_PKCS_KEY_PAIR_GEN,CKM_SHA256_RSA_PKCS,CKM_RSA_PKCS,CKM_AES_KEY_GEN\n");
  const split = await ksk(
    [
      "custody",
      "split",
      "--secret-file",
      facility1.pinFile,
      "--threshold",
      "2",
      "--shares",
      "3",
      "--out",
      w("pin-shares"),
      "--officer",
      "Alice",
      "Bob",
      "Carol",
    ],
    {},
  );
  if (split.code !== 0) throw new Error(`split: ${split.stderr}`);
  for (const [label, extractable] of [
    ["Kcust01", true],
    ["Knoexpt", false],
  ] as const) {
    const made = await ksk(
      [
        "key",
        "generate",
        "--keystore",
        withShares(facility1, w("pin-shares")),
        "--role",
        "ksk",
        "--algorithm",
        "RSASHA256",
        "--label",
        label,
        ...(extractable ? ["--extractable"] : []),
      ],
      facility1.env,
    );
    if (made.code !== 0) throw new Error(`generate: ${made.stderr}`);
  }
  const zsks = [0, 1, 2].map((i) => testSigner({ algorithm: 8, label: `Zlab${i}` }));
  const ksr = await buildKsr({
    quarter: parseQuarter("2027Q1"),
    zsks,
    policy: defaultKsrPolicy(),
    nowEpochSeconds: Date.parse(CEREMONY) / 1000,
    newId: randomUUID,
  });
  writeFileSync(w("ksr-2027q1.xml"), writeKsrXml(ksr));
}, 180_000);

afterAll(() => {
  for (const t of [facility1, facility2, facility3]) t?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** One line on stderr, the exit code, and nothing changed in the work directory or any token. */
async function refused(args: string[], env: Record<string, string>, code: number, says: RegExp): Promise<void> {
  const before = snapshot(work, facility1.dir, facility2.dir, facility3.dir);
  const r = await ksk(args, env);
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr).toMatch(says);
  expect(r.stdout).toBe("");
  expect(snapshot(work, facility1.dir, facility2.dir, facility3.dir)).toBe(before);
}

describe.runIf(softhsm)("key custody across two facilities", () => {
  it("split writes three 0600 share files; any two activate facility 1 and the transcript line names them, one alone does not", async () => {
    for (const i of [1, 2, 3]) expect(statSync(w("pin-shares", `share-${i}`)).mode & 0o777).toBe(0o600);
    const setId = /^set: (\S+)$/m.exec(readFileSync(w("pin-shares", "share-1"), "utf8"))?.[1] as string;
    for (const subset of [
      [1, 2],
      [1, 3],
      [2, 3],
    ]) {
      const dir = shareSubset(`pin-${subset.join("")}`, w("pin-shares"), subset);
      const r = await ksk(["key", "list", "--keystore", noPin(facility1), "--shares", dir], facility1.env);
      expect(r.stderr).toContain(`activated by 2 officers' shares:`);
      for (const i of subset) expect(r.stderr).toMatch(new RegExp(`set ${setId} share ${i} \\((Alice|Bob|Carol)\\) fingerprint [0-9a-f]{16}`));
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("Kcust01");
    }
    for (const i of [1, 2, 3]) {
      const dir = shareSubset(`pin-${i}`, w("pin-shares"), [i]);
      await refused(["key", "list", "--keystore", withShares(facility1, dir)], facility1.env, 3, /1 of 2 shares of set [0-9a-f]{16}: 1 more needed/);
    }
  }, 120_000);

  it("backs up the KSK at facility 1: the backup and three KEK share files, its SHA-256 and words printed", async () => {
    const r = await ksk(
      [
        "key",
        "backup",
        "--keystore",
        facility1.uri(),
        "--label",
        "Kcust01",
        "--shares-out",
        w("kek"),
        "--threshold",
        "2",
        "--shares",
        "3",
        "-o",
        w("ksk.backup"),
      ],
      facility1.env,
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // An RSA-2048 PKCS#8 key of about 1,217 octets, padded to a multiple of eight plus the 8-octet
    // integrity block (RFC 5649 §4.1): 1,224 or 1,232 octets, by the DER lengths of its integers.
    const octets = Number(/wrapped with CKM_AES_KEY_WRAP_PAD \(RFC 5649\): (\d+) octets/.exec(r.stdout)?.[1]);
    expect(octets % 8).toBe(0);
    expect(octets).toBeGreaterThanOrEqual(1216);
    expect(octets).toBeLessThanOrEqual(1240);
    expect(r.stdout).toMatch(/backup SHA-256 [0-9a-f]{64}/);
    expect(r.stdout).toMatch(/KEK \(AES-256\) destroyed in the HSM, split 2 of 3/);
    for (const i of [1, 2, 3]) expect(statSync(w("kek", `share-${i}`)).mode & 0o777).toBe(0o600);
    // A second backup of the same key: another KEK, another share set.
    const again = await ksk(
      [
        "key",
        "backup",
        "--keystore",
        facility1.uri(),
        "--label",
        "Kcust01",
        "--shares-out",
        w("kek2"),
        "--threshold",
        "2",
        "--shares",
        "3",
        "-o",
        w("ksk2.backup"),
      ],
      facility1.env,
    );
    expect(again.code).toBe(0);
  }, 120_000);

  it("refuses every bad input with one line and its exit code, changing nothing", async () => {
    const restore = (backup: string, shares: string, token = facility2) => ["key", "restore", backup, "--keystore", token.uri(), "--shares", shares];
    // Fewer than M shares, saying how many more.
    await refused(restore(w("ksk.backup"), shareSubset("kek-1", w("kek"), [1])), facility2.env, 3, /1 of 2 shares of set [0-9a-f]{16}: 1 more needed/);
    // A share of another set.
    const mixed = shareSubset("kek-mixed", w("kek"), [1]);
    copyFileSync(w("kek2", "share-2"), path.join(mixed, "share-2"));
    await refused(restore(w("ksk.backup"), mixed), facility2.env, 3, /share-2: a share of set [0-9a-f]{16}, not of set/);
    // The shares of another backup's KEK.
    await refused(
      restore(w("ksk.backup"), shareSubset("kek2-12", w("kek2"), [1, 2])),
      facility2.env,
      3,
      /the shares are of set [0-9a-f]{16}, the backup's KEK is set/,
    );
    // The same share twice.
    const twice = shareSubset("kek-twice", w("kek"), [1]);
    copyFileSync(w("kek", "share-1"), path.join(twice, "share-1-copy"));
    await refused(restore(w("ksk.backup"), twice), facility2.env, 3, /share-1-copy: the same share as .*share-1/);
    // A corrupted share (checksum).
    const damaged = shareSubset("kek-damaged", w("kek"), [1, 2]);
    const text = readFileSync(path.join(damaged, "share-2"), "utf8");
    const recordHex = /^record: ([0-9a-f]+)$/m.exec(text)?.[1] as string;
    const flippedHex = `${recordHex.slice(0, 30)}${recordHex[30] === "0" ? "1" : "0"}${recordHex.slice(31)}`;
    writeFileSync(path.join(damaged, "share-2"), text.replace(recordHex, flippedHex), { mode: 0o600 });
    await refused(restore(w("ksk.backup"), damaged), facility2.env, 3, /share-2: the share's checksum does not match/);
    // A share file readable by others.
    const loose = shareSubset("kek-loose", w("kek"), [1, 2]);
    chmodSync(path.join(loose, "share-2"), 0o644);
    await refused(restore(w("ksk.backup"), loose), facility2.env, 3, /share-2: readable or writable by others \(mode 644\)/);
    // A one-bit change in the wrapped key: RFC 5649's integrity check in the HSM.
    const backup = readFileSync(w("ksk.backup"), "utf8");
    const wrapped = /^wrapped-key: (\S+)$/m.exec(backup)?.[1] as string;
    const octets = Buffer.from(wrapped, "base64");
    octets[100] = (octets[100] as number) ^ 0x01;
    writeFileSync(w("bit-flip.backup"), backup.replace(wrapped, octets.toString("base64")));
    const good = shareSubset("kek-13", w("kek"), [1, 3]);
    await refused(
      restore(w("bit-flip.backup"), good),
      facility2.env,
      3,
      /fails RFC 5649's integrity check \(.*CKR_(WRAPPED_KEY_INVALID|ENCRYPTED_DATA_INVALID|GENERAL_ERROR)/,
    );
    // A one-bit change in the public key: caught before the HSM is touched.
    const modulus = /^modulus: ([0-9a-f]+)$/m.exec(backup)?.[1] as string;
    const flippedModulus = `${modulus.slice(0, 10)}${modulus[10] === "0" ? "1" : "0"}${modulus.slice(11)}`;
    writeFileSync(w("modulus-flip.backup"), backup.replace(`modulus: ${modulus}`, `modulus: ${flippedModulus}`));
    await refused(restore(w("modulus-flip.backup"), good), facility2.env, 3, /modulus-flip\.backup: modulus: does not match the DNSKEY RDATA/);
    // …and in the DNSKEY RDATA (whose key tag then differs from the one recorded).
    writeFileSync(w("rdata-flip.backup"), backup.replace(modulus, flippedModulus));
    await refused(restore(w("rdata-flip.backup"), good), facility2.env, 3, /rdata-flip\.backup: key-tag: does not match the DNSKEY RDATA/);
    // A module that cannot unwrap, and one that cannot wrap (facility 1's tokens seen through a
    // configuration whose HSM offers no CKM_AES_KEY_WRAP_PAD).
    await refused(restore(w("ksk.backup"), good, facility3), facility3.env, 4, /does not offer CKM_AES_KEY_WRAP_PAD \(RFC 5649\)/);
    const noWrapConf = w("no-wrap.conf");
    writeFileSync(
      noWrapConf,
      `${readFileSync(facility1.conf, "utf8")}slots.mechanisms = ${"CKM_RSA_PKCS_KEY_PAIR_GEN,CKM_SHA256_RSA_PKCS,CKM_RSA_PKCS,CKM_AES_KEY_GEN"}\n`,
    );
    const backupArgs = (label: string) => [
      "key",
      "backup",
      "--keystore",
      facility1.uri(),
      "--label",
      label,
      "--shares-out",
      w("kek-new"),
      "--threshold",
      "2",
      "--shares",
      "3",
      "-o",
      w("new.backup"),
    ];
    await refused(backupArgs("Kcust01"), { SOFTHSM2_CONF: noWrapConf }, 4, /does not offer CKM_AES_KEY_WRAP_PAD \(RFC 5649\)/);
    // A key that is not extractable.
    await refused(backupArgs("Knoexpt"), facility1.env, 4, /not extractable \(CKA_EXTRACTABLE false\)/);
    // A backup over an existing file; a split into a directory that holds shares.
    await refused(
      [
        "key",
        "backup",
        "--keystore",
        facility1.uri(),
        "--label",
        "Kcust01",
        "--shares-out",
        w("kek-new"),
        "--threshold",
        "2",
        "--shares",
        "3",
        "-o",
        w("ksk.backup"),
      ],
      facility1.env,
      5,
      /ksk\.backup/,
    );
    await refused(
      ["custody", "split", "--secret-file", facility1.pinFile, "--threshold", "2", "--shares", "3", "--out", w("pin-shares")],
      {},
      5,
      /holds share files already/,
    );
    await refused(
      ["custody", "split", "--secret-file", facility1.pinFile, "--threshold", "4", "--shares", "3", "--out", w("pin-new")],
      {},
      2,
      /need 2 <= threshold <= shares/,
    );
  }, 300_000);

  it("restores at facility 2 from two KEK shares, sensitive and not extractable, and refuses it twice", async () => {
    const r = await ksk(["key", "restore", w("ksk.backup"), "--keystore", facility2.uri(), "--shares", w("kek-13")], facility2.env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const backupSha = /backup SHA-256 ([0-9a-f]{64})/.exec(r.stdout)?.[1];
    expect(backupSha).toMatch(/^[0-9a-f]{64}$/);
    expect(r.stdout).toContain("restored Kcust01");
    expect(r.stdout).toMatch(/used share 1 .*\n.*used share 3 /);
    const list = await ksk(["key", "list", "--keystore", facility2.uri()], facility2.env);
    expect(list.stdout).toMatch(/Kcust01 +pkcs11:token=facility-2 .*sensitive, non-extractable/);
    const one = await ksk(["key", "list", "--keystore", facility1.uri(), "--dns"], facility1.env);
    const two = await ksk(["key", "list", "--keystore", facility2.uri(), "--dns"], facility2.env);
    const kcust = (s: string) =>
      s
        .split("\n")
        .filter((l) => l.includes("DS") || l.includes("DNSKEY"))
        .find((l) => l.includes("257 3 8"));
    expect(kcust(two.stdout)).toBe(kcust(one.stdout));
    // Restored twice: the label is there. Under another label: the key tag is there.
    await refused(
      ["key", "restore", w("ksk.backup"), "--keystore", facility2.uri(), "--shares", w("kek-13")],
      facility2.env,
      5,
      /already holds a key labelled Kcust01/,
    );
    writeFileSync(w("relabelled.backup"), readFileSync(w("ksk.backup"), "utf8").replace(/^label: Kcust01$/m, "label: Kother1"));
    await refused(
      ["key", "restore", w("relabelled.backup"), "--keystore", facility2.uri(), "--shares", w("kek-13")],
      facility2.env,
      5,
      /key tag \d+ equals Kcust01/,
    );
  }, 120_000);

  it("the same KSR signed at facility 1 and at facility 2 gives byte-identical SKRs", async () => {
    const sign = async (token: SoftHsmToken, uri: string, out: string) => {
      const r = await ksk(
        [
          "skr",
          "sign",
          w("ksr-2027q1.xml"),
          "--config",
          configFor(token, uri),
          "--no-previous-skr",
          "--now",
          formatIsoUtc(Date.parse(CEREMONY) / 1000),
          "--yes",
          "-o",
          w(out),
        ],
        token.env,
      );
      expect(r.code, r.stderr).toBe(0);
      return r;
    };
    const one = await sign(facility1, withShares(facility1, w("pin-23")), "skr-facility-1.xml");
    expect(one.stderr).toMatch(/activated by 2 officers' shares:\n.*share 2 \(Bob\).*\n.*share 3 \(Carol\)/);
    await sign(facility2, facility2.uri(), "skr-facility-2.xml");
    const a = readFileSync(w("skr-facility-1.xml"));
    const b = readFileSync(w("skr-facility-2.xml"));
    expect(a.length).toBeGreaterThan(1000);
    expect(Buffer.compare(a, b)).toBe(0);
  }, 180_000);

  it("custody show records the officers present without a share; custody compare fails (exit 1) on different files", async () => {
    const shown = await ksk(["custody", "show", w("kek-13")], {});
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(
      /^2 of 3 shares of a backup's KEK \(any 2 recombine it\) in .*kek-13:\n {2}set [0-9a-f]{16} share 1 fingerprint [0-9a-f]{16}\n {2}set [0-9a-f]{16} share 3 /,
    );
    await refused(["custody", "show", w("kek-1")], {}, 3, /1 of 2 shares of set [0-9a-f]{16}: 1 more needed/);
    const same = await ksk(["custody", "compare", w("skr-facility-1.xml"), w("skr-facility-2.xml")], {});
    expect(same.code).toBe(0);
    expect(same.stdout).toContain("IDENTICAL: the 2 files are byte for byte the same");
    const different = await ksk(["custody", "compare", w("skr-facility-1.xml"), w("ksr-2027q1.xml")], {});
    expect(different.code).toBe(1);
    expect(different.stdout).toContain("DIFFERENT: the files are not byte for byte the same");
  });

  it("no PIN, share or KEK appears in any output", async () => {
    const text = (name: string, s: string): Secret => ({ name, bytes: new TextEncoder().encode(s) });
    const secrets = [
      text("facility 1 PIN", facility1.pin),
      text("facility 2 PIN", facility2.pin),
      ...(await shareSecrets("PIN shares", w("pin-shares"))),
      ...(await shareSecrets("KEK shares", w("kek"))),
      ...(await shareSecrets("second KEK shares", w("kek2"))),
    ];
    // The scan finds what it looks for: the share files themselves hold their records.
    expect(leaks([{ name: "share-1", bytes: readFileSync(w("kek", "share-1")) }], secrets).length).toBeGreaterThan(0);
    expect(outputs.length).toBeGreaterThan(20);
    expect(leaks(outputs, secrets)).toEqual([]);
    const files = ["ksk.backup", "ksk2.backup", "skr-facility-1.xml", "skr-facility-2.xml"].map((f) => ({ name: f, bytes: readFileSync(w(f)) }));
    expect(leaks(files, secrets)).toEqual([]);
  });
});
