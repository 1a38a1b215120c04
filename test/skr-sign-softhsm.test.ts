/**
 * The KSK signing ceremony end to end with the KSKs inside a real SoftHSM2 token: KSRs built by
 * @ksk/ksr for 2026 Q4 and 2027 Q1 (lab ZSKs), `ksk skr sign` for every built-in schema, `ksk skr
 * verify` against the KSK's DS, each produced bundle verified independently by ldns-verify-zone -t
 * and kzonecheck -t at the slot's time, tampering detected, and every refusal: wrong PIN, missing
 * key, a config DS that is not the key's (exit 4), no witness Yes or an existing output (exit 5), a
 * KSR failing a check (exit 1), a slot breaking an RFC 5011 rollover rule (exit 1, unless its
 * rollover_policy switch allows it, with a warning naming the switch) — each leaving no SKR behind.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type Signer, bytesToHex, dsDigest, formatIsoUtc, hexToBytes, keyTag, parseName, pgpWords } from "@ksk/core";
import { openKeystore } from "@ksk/keystore";
import { type KsrRequestDocument, buildKsr, defaultKsrPolicy, parseKsrXml, parseQuarter, writeKsrXml } from "@ksk/ksr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ksk } from "../packages/cli/test/harness.js";
import { bundleAsZone, rrsigTime } from "../packages/signer/test/helpers.js";
import { testSigner } from "./support/soft-signer.js";
import { type TypedAnswer, runOnTerminal } from "./support/pty.js";
import { type SoftHsmToken, createSoftHsmToken } from "./support/softhsm.js";
import { hasTool, runTool } from "./support/tools.js";

const CEREMONY = "2026-12-01T00:00:00Z";
const KSK_BIN = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../packages/cli/bin/ksk");
const haveSoftHsm = hasTool("softhsm2-util");
const haveLdns = hasTool("ldns-verify-zone");
const haveKnot = hasTool("kzonecheck");

let token: SoftHsmToken;
let dir: string;
let zsks: Signer[];
let tags: { current: number; next: number };
let q1: KsrRequestDocument;
const file = (name: string) => path.join(dir, name);

function configText(options: { dsCurrent?: string; label?: string } = {}): string {
  const key = (name: string, label: string, tag: number, ds?: string) =>
    `  ${name}:\n    description: lab ${name}\n    label: ${label}\n    key_tag: ${tag}\n    algorithm: RSASHA256\n    rsa_size: 2048\n    rsa_exponent: 65537\n    valid_from: 2026-01-01T00:00:00+00:00\n${ds ? `    ds_sha256: ${ds}\n` : ""}`;
  return `keystore: "${token.uri(undefined, { pinSource: true })}"\nkeys:\n${key("ksk_current", options.label ?? "Kcurrnt", tags.current, options.dsCurrent)}${key("ksk_next", "Knextkk", tags.next)}`;
}

beforeAll(async () => {
  if (!haveSoftHsm) return;
  // A PIN that cannot occur by chance in hex digests or key tags on the screen.
  token = createSoftHsmToken({ label: "ksk-lab", pin: "lab-pin-unseen" });
  dir = token.dir;
  const keystore = await openKeystore(token.uri(undefined, { pinSource: true }), { env: token.env });
  try {
    const current = await keystore.generate({ label: "Kcurrnt", algorithm: 8, rsaModulusBits: 2048, flags: 257 });
    const next = await keystore.generate({ label: "Knextkk", algorithm: 8, rsaModulusBits: 2048, flags: 257 });
    tags = { current: keyTag(current.dnskey!), next: keyTag(next.dnskey!) };
    const dsOf = (k: typeof current) => bytesToHex(dsDigest(parseName("."), k.dnskey!, 2), true);
    writeFileSync(file("current.ds"), `.\t172800\tIN\tDS\t${tags.current} 8 2 ${dsOf(current)}\n`);
    writeFileSync(file("next.ds"), `.\t172800\tIN\tDS\t${tags.next} 8 2 ${dsOf(next)}\n`);
    writeFileSync(file("both.ds"), readFileSync(file("current.ds"), "utf8") + readFileSync(file("next.ds"), "utf8"));
  } finally {
    await keystore.close();
  }
  writeFileSync(file("ksrsigner.yaml"), configText());
  zsks = [0, 1, 2, 3].map((i) => testSigner({ algorithm: 8, label: `Zlab${i}` }));
  const now = Date.parse(CEREMONY) / 1000;
  const q4 = await buildKsr({
    quarter: parseQuarter("2026Q4"),
    zsks: zsks.slice(0, 3),
    policy: defaultKsrPolicy(),
    nowEpochSeconds: now - 90 * 86400,
    newId: randomUUID,
  });
  writeFileSync(file("ksr-2026q4.xml"), writeKsrXml(q4));
  const sign = await ksk(
    [
      "skr",
      "sign",
      file("ksr-2026q4.xml"),
      "--config",
      file("ksrsigner.yaml"),
      "--no-previous-skr",
      "--now",
      formatIsoUtc(now - 90 * 86400),
      "--yes",
      "-o",
      file("skr-2026q4.xml"),
    ],
    { env: token.env },
  );
  if (sign.code !== 0) throw new Error(`signing 2026 Q4 failed: ${sign.stderr}${sign.stdout}`);
  const previous = parseKsrXml(readFileSync(file("skr-2026q4.xml"))).document;
  if (previous.kind !== "response") throw new Error("not an SKR");
  q1 = await buildKsr({
    quarter: parseQuarter("2027Q1"),
    zsks: zsks.slice(1, 4),
    policy: defaultKsrPolicy(),
    nowEpochSeconds: now,
    newId: randomUUID,
    previousSkr: previous,
  });
  writeFileSync(file("ksr-2027q1.xml"), writeKsrXml(q1));
}, 120_000);

afterAll(() => token?.cleanup());

const signQ1 = (extra: string[], env: Record<string, string> = token.env, answers?: string[]) =>
  ksk(["skr", "sign", file("ksr-2027q1.xml"), "--config", file("ksrsigner.yaml"), "--previous-skr", file("skr-2026q4.xml"), "--now", CEREMONY, ...extra], {
    env,
    ...(answers ? { answers } : {}),
  });

describe.runIf(haveSoftHsm)("ksk skr sign with the KSKs in SoftHSM", () => {
  it("signs a quarter chained to the previous SKR, shows the witnesses everything, and the SKR verifies", async () => {
    const r = await signQ1(["--yes", "-o", file("skr-normal.xml")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const shown of [
      "KSR: ",
      "Previous SKR: ",
      "Config: ",
      "SHA-256 ",
      "== Previous SKR",
      "== KSR",
      "== Planned SKR (schema normal)",
      "Kcurrnt  tag ",
      "    DS SHA-256 ",
      "== HSM ksk-lab",
      "  token serial  ",
      "864 B",
      "PASS KSR-CHAIN-KEYS",
      "PASS KSK-CHAIN-SIGNER",
      "PASS KSR-POLICY-SAFETY",
      "--yes (scripted lab run)",
    ]) {
      expect(r.stdout).toContain(shown);
    }
    const v = await ksk(["skr", "verify", file("skr-normal.xml"), "--anchor", file("current.ds"), "--ksr", file("ksr-2027q1.xml"), "--now", CEREMONY]);
    expect(v.stdout).toContain("SKR verified");
    expect(v.code).toBe(0);
  });

  // C = ksk_current, N = ksk_next, R = ksk_current with the REVOKE bit (its own, recomputed tag).
  type Slot = { published: string[]; signers: string[] };
  const schemas: [string, string, (slot: number) => Slot][] = [
    ["pre-publish", "current.ds", (s) => ({ published: s === 0 ? ["C"] : ["C", "N"], signers: ["C"] })],
    ["publish+", "current.ds", () => ({ published: ["C", "N"], signers: ["C"] })],
    // During the switch resolvers must trust both keys (root-anchors.xml lists both): slots 2-9
    // are signed by the new KSK only, so an anchor of the old KSK alone would fail there.
    ["rollover", "both.ds", (s) => ({ published: ["C", "N"], signers: s === 0 ? ["C"] : ["N"] })],
    ["rollover+", "next.ds", () => ({ published: ["C", "N"], signers: ["N"] })],
    ["revoke", "next.ds", (s) => ({ published: s === 0 ? ["C", "N"] : s === 8 ? ["N"] : ["N", "R"], signers: s === 0 || s === 8 ? ["N"] : ["N", "R"] })],
    ["revoke+", "next.ds", (s) => ({ published: s === 0 || s === 8 ? ["N"] : ["N", "R"], signers: s === 0 || s === 8 ? ["N"] : ["N", "R"] })],
  ];
  for (const [schema, anchor, expected] of schemas) {
    it(`schema ${schema}: exact KSKs and signers per slot; verified by ksk, ldns-verify-zone and kzonecheck`, async () => {
      const out = file(`skr-${schema}.xml`);
      // Without the previous SKR: KSR-POLICY-SAFETY across quarters is tested separately.
      const r = await ksk(
        [
          "skr",
          "sign",
          file("ksr-2027q1.xml"),
          "--config",
          file("ksrsigner.yaml"),
          "--no-previous-skr",
          "--schema",
          schema,
          "--now",
          CEREMONY,
          "--yes",
          "-o",
          out,
        ],
        { env: token.env },
      );
      expect(r.code, r.stderr + r.stdout).toBe(0);
      // Large DNSKEY answers are summarised once per command, naming every slot concerned.
      const sizeWarnings = r.stderr.split("\n").filter((l) => l.includes("DNSKEY answer"));
      if (schema === "publish+") {
        expect(sizeWarnings).toHaveLength(1);
        expect(Number(/in (\d+) slot\(s\)/.exec(sizeWarnings[0]!)?.[1])).toBeGreaterThan(1);
      } else {
        expect(sizeWarnings.length).toBeLessThanOrEqual(1);
      }
      const skr = parseKsrXml(readFileSync(out)).document;
      const letter = (tag: number, flags: number) => (tag === tags.current ? "C" : tag === tags.next ? "N" : flags === 385 ? "R" : "?");
      for (const [i, bundle] of skr.bundles.entries()) {
        const ksks = bundle.keys.filter((k) => k.dnskey.flags & 1);
        const want = expected(i);
        expect(ksks.map((k) => letter(keyTag(k.dnskey), k.dnskey.flags)).sort(), `slot ${i + 1}`).toEqual(want.published);
        const signerLetters = bundle.signatures
          .map((s) => letter(s.rrsig.keyTag, ksks.find((k) => keyTag(k.dnskey) === s.rrsig.keyTag)?.dnskey.flags ?? 0))
          .sort();
        expect(signerLetters, `slot ${i + 1} signers`).toEqual(want.signers);
        for (const k of ksks.filter((x) => x.dnskey.flags === 385)) expect(keyTag(k.dnskey)).not.toBe(tags.current);
      }
      const v = await ksk(["skr", "verify", out, "--anchor", file(anchor), "--ksr", file("ksr-2027q1.xml")]);
      expect(v.code, v.stdout).toBe(0);
      for (const [i, bundle] of skr.bundles.entries()) {
        const zsk = zsks.find((z) => keyTag(z.dnskey) === keyTag(q1.bundles[i]!.keys[0]!.dnskey))!;
        const zone = file(`bundle-${schema}-${i + 1}.zone`);
        writeFileSync(zone, await bundleAsZone(bundle, zsk));
        const at = bundle.inceptionEpochSeconds + 86400;
        if (haveLdns) {
          const ldns = runTool("ldns-verify-zone", ["-t", rrsigTime(at), zone]);
          expect(ldns.status, `ldns slot ${i + 1}: ${ldns.stdout}${ldns.stderr}`).toBe(0);
        }
        if (haveKnot) {
          const knot = runTool("kzonecheck", ["-o", ".", "-t", String(at), zone]);
          expect(knot.status, `kzonecheck slot ${i + 1}: ${knot.stdout}${knot.stderr}`).toBe(0);
        }
      }
    });
  }

  it("tampering with one byte of a signature, a key or a date makes ksk skr verify fail", async () => {
    const text = readFileSync(file("skr-normal.xml"), "utf8");
    const flip = (t: string, at: number) => t.slice(0, at) + (t[at] === "A" ? "B" : "A") + t.slice(at + 1);
    const signature = /<SignatureData>/.exec(text)!.index + "<SignatureData>".length + 5;
    // A changed key with its keyTag attribute recomputed, so the reader accepts it and only the
    // signature check can notice (a bare byte flip is already refused by the reader, exit 3).
    const keyBlock = /<Key keyIdentifier="Kcurrnt" keyTag="(\d+)">[\s\S]*?<PublicKey>([^<]+)<\/PublicKey>/.exec(text)!;
    const changedKey = flip(keyBlock[2]!, 20);
    const newTag = keyTag({ kind: "DNSKEY", flags: 257, protocol: 3, algorithm: 8, publicKeyBytes: new Uint8Array(Buffer.from(changedKey, "base64")) });
    const tamperedKey = text.replace(keyBlock[0], keyBlock[0].replace(`keyTag="${keyBlock[1]}"`, `keyTag="${newTag}"`).replace(keyBlock[2]!, changedKey));
    const mutations = [
      flip(text, signature),
      tamperedKey,
      text.replace(/<Expiration>2027-01-22T00:00:00\+00:00<\/Expiration>/, "<Expiration>2027-01-23T00:00:00+00:00</Expiration>"),
    ];
    for (const [i, mutated] of mutations.entries()) {
      expect(mutated).not.toBe(text);
      writeFileSync(file("tampered.xml"), mutated);
      const v = await ksk(["skr", "verify", file("tampered.xml"), "--anchor", file("current.ds")]);
      expect(v.code, `mutation ${i}: ${v.stdout}${v.stderr}`).toBe(1);
      expect(v.stdout).toMatch(/FAIL/);
    }
    writeFileSync(file("tampered.xml"), flip(text, keyBlock.index + keyBlock[0].length - "</PublicKey>".length - 30));
    expect((await ksk(["skr", "verify", file("tampered.xml")])).code).toBe(3);
  });

  it("finds the KSKs through IANA's hsm section: module, pin and a SOFTHSM2_CONF relative to the config", async () => {
    const keys = configText().split("\nkeys:\n")[1];
    const hsmConfig = `hsm:\n  softhsm:\n    module: ${token.module}\n    pin: ${token.pin}\n    env:\n      SOFTHSM2_CONF: ${path.basename(token.conf)}\nkeys:\n${keys}`;
    writeFileSync(file("iana-hsm.yaml"), hsmConfig);
    // No SOFTHSM2_CONF in the environment: the config's env section must supply it.
    const r = await ksk(
      ["skr", "sign", file("ksr-2027q1.xml"), "--config", file("iana-hsm.yaml"), "--no-previous-skr", "--now", CEREMONY, "--yes", "-o", file("skr-hsm.xml")],
      {
        env: {},
      },
    );
    expect(r.stderr.split("\n").filter((l) => l && !l.startsWith("ksk: WARNING: --no-previous-skr"))).toEqual([]);
    expect(r.code).toBe(0);
    expect((await ksk(["skr", "verify", file("skr-hsm.xml"), "--anchor", file("current.ds")])).code).toBe(0);
  });

  it("IANA's hsm section logs in only to the token holding the keys; a wrong pin there is reported as a wrong PIN", async () => {
    // Another token of the same module with another PIN: a login there would cost a wrong-PIN attempt.
    runTool("softhsm2-util", ["--init-token", "--free", "--label", "unrelated", "--pin", "999999", "--so-pin", token.soPin], { env: token.processEnv });
    const keys = configText().split("\nkeys:\n")[1];
    const hsm = (pin: string) =>
      `hsm:\n  softhsm:\n    module: ${token.module}\n    pin: "${pin}"\n    env:\n      SOFTHSM2_CONF: ${path.basename(token.conf)}\n      KSK_LAB_UNUSED: applied\nkeys:\n${keys}`;
    writeFileSync(file("iana-hsm-2.yaml"), hsm(token.pin));
    const argv = (config: string, out: string) => [
      "skr",
      "sign",
      file("ksr-2027q1.xml"),
      "--config",
      file(config),
      "--no-previous-skr",
      "--now",
      CEREMONY,
      "--yes",
      "-o",
      file(out),
    ];
    const r = await ksk(argv("iana-hsm-2.yaml", "skr-hsm-2.xml"), { env: {} });
    expect(r.code, r.stderr).toBe(0);
    writeFileSync(file("iana-hsm-wrong.yaml"), hsm("not-the-pin"));
    const wrong = await ksk(argv("iana-hsm-wrong.yaml", "skr-hsm-wrong.xml"), { env: {} });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toMatch(/wrong PIN \(CKR_PIN_INCORRECT\)/);
    expect(wrong.stderr).not.toMatch(/in none of the config's HSMs/);
    expect(existsSync(file("skr-hsm-wrong.xml"))).toBe(false);
    // anchors build --config reads the same keys the same way (relative SOFTHSM2_CONF, one token).
    const anchors = await ksk(["anchors", "build", "--config", file("iana-hsm-2.yaml"), "--at", CEREMONY, "-o", file("anchors-hsm.xml")], { env: {} });
    expect(anchors.code, anchors.stderr).toBe(0);
    const anchorsWrong = await ksk(["anchors", "build", "--config", file("iana-hsm-wrong.yaml"), "--at", CEREMONY, "-o", file("anchors-wrong.xml")], {
      env: {},
    });
    expect(anchorsWrong.code).toBe(4);
    expect(anchorsWrong.stderr).toMatch(/wrong PIN/);
  });

  it("refuses a missing HSM module with exit 4 and writes nothing", async () => {
    writeFileSync(file("no-module.yaml"), configText().replace(token.module, "/nonexistent/libpkcs11.so"));
    const r = await ksk(
      ["skr", "sign", file("ksr-2027q1.xml"), "--config", file("no-module.yaml"), "--no-previous-skr", "--now", CEREMONY, "--yes", "-o", file("skr-x.xml")],
      {
        env: token.env,
      },
    );
    expect(r.code).toBe(4);
    expect(
      r.stderr
        .trim()
        .split("\n")
        .filter((l) => !l.startsWith("ksk: WARNING")),
    ).toHaveLength(1);
    expect(r.stderr).toMatch(/\/nonexistent\/libpkcs11\.so/);
    expect(existsSync(file("skr-x.xml"))).toBe(false);
  });

  it("refuses a wrong PIN with exit 4 and writes nothing", async () => {
    writeFileSync(file("wrong.pin"), "000000\n");
    writeFileSync(file("wrong-pin.yaml"), configText().replace(token.pinFile, file("wrong.pin")));
    const r = await ksk(
      ["skr", "sign", file("ksr-2027q1.xml"), "--config", file("wrong-pin.yaml"), "--no-previous-skr", "--now", CEREMONY, "--yes", "-o", file("skr-x.xml")],
      {
        env: token.env,
      },
    );
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/CKR_PIN_INCORRECT/);
    expect(existsSync(file("skr-x.xml"))).toBe(false);
  });

  it("refuses a key label that is not in the HSM with exit 4", async () => {
    writeFileSync(file("missing.yaml"), configText({ label: "Kabsent" }));
    const r = await ksk(
      ["skr", "sign", file("ksr-2027q1.xml"), "--config", file("missing.yaml"), "--no-previous-skr", "--now", CEREMONY, "--yes", "-o", file("skr-x.xml")],
      {
        env: token.env,
      },
    );
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/Kabsent/);
    expect(existsSync(file("skr-x.xml"))).toBe(false);
  });

  it("refuses a key whose DS differs from the config with exit 4", async () => {
    const wrongDs = readFileSync(file("next.ds"), "utf8").trim().split(/\s+/).pop()!;
    writeFileSync(file("wrong-ds.yaml"), configText({ dsCurrent: wrongDs }));
    const r = await ksk(
      ["skr", "sign", file("ksr-2027q1.xml"), "--config", file("wrong-ds.yaml"), "--no-previous-skr", "--now", CEREMONY, "--yes", "-o", file("skr-x.xml")],
      {
        env: token.env,
      },
    );
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/KSK-CONFIG-MATCH|DS SHA-256 is/);
    expect(existsSync(file("skr-x.xml"))).toBe(false);
  });

  it("refuses without a witness's exact Yes (exit 5), and takes a typed Yes", async () => {
    const noTerminal = await signQ1(["-o", file("skr-x.xml")]);
    expect(noTerminal.code).toBe(5);
    expect(noTerminal.stderr).toMatch(/a witness must type Yes/);
    const lower = await signQ1(["-o", file("skr-x.xml")], token.env, ["yes"]);
    expect(lower.code).toBe(5);
    expect(lower.stderr).toMatch(/the answer was "yes", not "Yes": nothing was signed/);
    expect(existsSync(file("skr-x.xml"))).toBe(false);
    const typed = await signQ1(["-o", file("skr-typed.xml")], token.env, ["Yes"]);
    expect(typed.code, typed.stderr).toBe(0);
    expect(typed.stdout).toContain("typed Yes at the terminal");
  });

  // The real process on a pseudo-terminal: the PIN typed (no pin-source in the URI) and the witness Yes.
  const signOnTerminal = (out: string, answers: TypedAnswer[]) => {
    const uriWithoutPin = token.uri(undefined, { pinSource: false });
    writeFileSync(file("prompt-pin.yaml"), configText().replace(/^keystore: .*$/m, `keystore: "${uriWithoutPin}"`));
    const argv = ["skr", "sign", file("ksr-2027q1.xml"), "--config", file("prompt-pin.yaml"), "--previous-skr", file("skr-2026q4.xml")];
    return runOnTerminal([KSK_BIN, ...argv, "--now", CEREMONY, "-o", out], answers, { env: { ...process.env, ...token.env } });
  };

  it.runIf(hasTool("script"))("at a terminal: the PIN typed unseen and a witness's typed Yes sign, and the record says a person typed it", async () => {
    const out = file("skr-terminal.xml");
    const r = await signOnTerminal(out, [
      { after: "User PIN for ", type: `${token.pin}\r` },
      { after: "Type Yes to sign: ", type: "Yes\r" },
    ]);
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).toContain("confirmation: typed Yes at the terminal.");
    expect(r.screen).not.toContain(token.pin);
    expect((await ksk(["skr", "verify", out, "--anchor", file("current.ds"), "--ksr", file("ksr-2027q1.xml"), "--now", CEREMONY])).code).toBe(0);
  });

  it.runIf(hasTool("script"))(
    "at a terminal, publish+: PIN first, then the HSM, the KSKs' DS words and the plan in 100 columns, then a Yes naming the signer only",
    async () => {
      const out = file("skr-terminal-publish.xml");
      const uriWithoutPin = token.uri(undefined, { pinSource: false });
      writeFileSync(file("prompt-pin.yaml"), configText().replace(/^keystore: .*$/m, `keystore: "${uriWithoutPin}"`));
      const argv = ["skr", "sign", file("ksr-2027q1.xml"), "--config", file("prompt-pin.yaml"), "--previous-skr", file("skr-2026q4.xml")];
      const question = "Kcurrnt signs slots 1–9; Knextkk is published only. Type Yes to sign: ";
      const r = await runOnTerminal(
        [KSK_BIN, ...argv, "--schema", "publish+", "--now", CEREMONY, "-o", out],
        [
          { after: "User PIN for ", type: `${token.pin}\r` },
          { after: question, type: "Yes\r" },
        ],
        { env: { ...process.env, ...token.env } },
      );
      expect(r.code, r.screen).toBe(0);
      const screen = r.screen;
      // The order a witness sees: the PIN prompt, then the display, then the question.
      const pinAt = screen.indexOf("User PIN for ");
      expect(pinAt).toBeGreaterThanOrEqual(0);
      expect(screen.indexOf("== Files")).toBeGreaterThan(pinAt);
      expect(screen.indexOf("== HSM ksk-lab")).toBeGreaterThan(pinAt);
      expect(screen.indexOf(question)).toBeGreaterThan(screen.indexOf("== Planned SKR (schema publish+)"));
      // The token as softhsm2-util reports it.
      const slots = runTool("softhsm2-util", ["--show-slots"], { env: token.processEnv }).stdout;
      const serial = /Serial number:\s+(\S+)[\s\S]*?Label:\s+ksk-lab\s/.exec(
        slots.split(/\n(?=Slot )/).find((b) => /Label:\s+ksk-lab\s*$/m.test(b)) ?? "",
      )?.[1];
      expect(serial).toMatch(/^[0-9a-f]{16}$/);
      expect(screen).toContain(`token serial  ${serial}`);
      // The signing KSK's DS SHA-256 and its PGP words, from the DS file made from the key.
      const dsHex = readFileSync(file("current.ds"), "utf8").trim().split(/\s+/).pop() as string;
      const words = pgpWords(hexToBytes(dsHex));
      for (let i = 0; i < 32; i += 8) expect(screen).toContain(words.slice(i, i + 8).join(" "));
      const planned = screen.slice(screen.indexOf("== Planned SKR (schema publish+)"), screen.indexOf(question));
      expect(planned.split("\n").filter((l) => /^\s+\d\s/.test(l))).toHaveLength(9);
      for (const row of planned.split("\n").filter((l) => /^\s+\d\s/.test(l))) expect(row).toMatch(/\ssigns\s+published\s+172800\s+\d+ B/);
      // Fits a projected terminal, with no escape sequence as text and no raw control character.
      for (const line of screen.split("\n")) expect(line.length, line).toBeLessThanOrEqual(100);
      expect(screen).not.toMatch(/\\x[0-9a-f]{2}|\\u00|\\[rn]/i);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: exactly what must not reach the screen
      expect(screen).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
      expect(screen).not.toContain(token.pin);
      expect(screen).toContain("confirmation: typed Yes at the terminal.");
    },
  );

  for (const [name, typed] of [
    ["yes", "yes\r"],
    ["no", "no\r"],
    ["an empty line", "\r"],
    ["Ctrl-D", "\u0004"],
  ] as const) {
    it.runIf(hasTool("script"))(`at a terminal: ${name} instead of Yes is a refusal (exit 5) and no SKR is written`, async () => {
      const out = file(`skr-terminal-${name.replace(/\W/g, "")}.xml`);
      const r = await signOnTerminal(out, [
        { after: "User PIN for ", type: `${token.pin}\r` },
        { after: "Type Yes to sign: ", type: typed },
      ]);
      expect(r.code, r.screen).toBe(5);
      expect(r.screen).not.toContain("internal error");
      expect(existsSync(out)).toBe(false);
    });
  }

  it("never overwrites an existing SKR without --force (exit 5), refusing before the KSK is used", async () => {
    writeFileSync(file("exists.xml"), "keep me");
    const r = await signQ1(["--yes", "-o", file("exists.xml")]);
    expect(r.code).toBe(5);
    expect(r.stdout).not.toContain("Sign 9 bundles");
    expect(r.stdout).not.toContain("== Checks before signing");
    expect(readFileSync(file("exists.xml"), "utf8")).toBe("keep me");
    const forced = await signQ1(["--yes", "--force", "-o", file("exists.xml")]);
    expect(forced.code).toBe(0);
  });

  it("refuses a KSR that fails a check with exit 1, naming the code, and writes nothing", async () => {
    const text = readFileSync(file("ksr-2027q1.xml"), "utf8");
    const signature = /<SignatureData>([A-Za-z0-9+/]{10})/.exec(text)![1]!;
    writeFileSync(file("bad-ksr.xml"), text.replace(signature, signature.slice(0, 5) + (signature[5] === "A" ? "B" : "A") + signature.slice(6)));
    const r = await ksk(
      [
        "skr",
        "sign",
        file("bad-ksr.xml"),
        "--config",
        file("ksrsigner.yaml"),
        "--previous-skr",
        file("skr-2026q4.xml"),
        "--now",
        CEREMONY,
        "--yes",
        "-o",
        file("skr-x.xml"),
      ],
      {
        env: token.env,
      },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL KSR-BUNDLE-POP/);
    expect(r.stderr).toMatch(/checks before signing failed: KSR-BUNDLE-POP; no SKR was written/);
    expect(existsSync(file("skr-x.xml"))).toBe(false);
  });

  it("refuses a KSR from the wrong quarter (2027 Q2 after the 2026 Q4 SKR), naming the quarters, and writes nothing", async () => {
    const q2 = await buildKsr({
      quarter: parseQuarter("2027Q2"),
      zsks: zsks.slice(1, 4),
      policy: defaultKsrPolicy(),
      nowEpochSeconds: Date.parse(CEREMONY) / 1000,
      newId: randomUUID,
    });
    writeFileSync(file("ksr-2027q2.xml"), writeKsrXml(q2));
    const r = await ksk(
      [
        "skr",
        "sign",
        file("ksr-2027q2.xml"),
        "--config",
        file("ksrsigner.yaml"),
        "--previous-skr",
        file("skr-2026q4.xml"),
        "--now",
        CEREMONY,
        "--yes",
        "-o",
        file("skr-x.xml"),
      ],
      { env: token.env },
    );
    expect(r.code).toBe(1);
    const wrongQuarter = "a KSR from the wrong quarter: it covers 2027Q2; the previous SKR covers 2026Q4, so the next KSR is for 2027Q1; hence ";
    // The same ZSKs chain (KSR-CHAIN-KEYS passes); the windows do not, and the reason is named.
    expect(r.stdout).toMatch(new RegExp(`^ *FAIL KSR-CHAIN-OVERLAP .*: ${wrongQuarter}a gap of P80D`, "m"));
    expect(r.stderr).toMatch(/checks before signing failed: .*KSR-CHAIN-OVERLAP.*; no SKR was written/);
    expect(existsSync(file("skr-x.xml"))).toBe(false);
  });

  it("refuses a schema naming a key the config lacks (exit 3), saying which config key or schema to change, before the HSM is used", async () => {
    writeFileSync(file("current-only.yaml"), configText().split("  ksk_next:\n")[0] as string);
    const r = await ksk(
      [
        "skr",
        "sign",
        file("ksr-2027q1.xml"),
        "--config",
        file("current-only.yaml"),
        "--previous-skr",
        file("skr-2026q4.xml"),
        "--now",
        CEREMONY,
        "--schema",
        "pre-publish",
        "--yes",
        "-o",
        file("skr-x.xml"),
      ],
      // No SOFTHSM2_CONF: had the token been opened, this would be exit 4.
      { env: {} },
    );
    expect(r.stderr).toBe(
      `ksk: ${file("current-only.yaml")}: schema pre-publish names key ksk_next, which is not in the config's keys (ksk_current); add keys.ksk_next to the config, or choose a --schema that names only configured keys\n`,
    );
    expect(r.code).toBe(3);
    expect(existsSync(file("skr-x.xml"))).toBe(false);
  });

  it("requires the previous SKR, or an explicit --no-previous-skr that warns which checks are skipped", async () => {
    const missing = await ksk(
      ["skr", "sign", file("ksr-2027q1.xml"), "--config", file("ksrsigner.yaml"), "--now", CEREMONY, "--yes", "-o", file("skr-x.xml")],
      { env: token.env },
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/give the previous SKR with --previous-skr/);
    const waived = await ksk(
      [
        "skr",
        "sign",
        file("ksr-2027q1.xml"),
        "--config",
        file("ksrsigner.yaml"),
        "--no-previous-skr",
        "--now",
        CEREMONY,
        "--yes",
        "-o",
        file("skr-waived.xml"),
      ],
      { env: token.env },
    );
    expect(waived.code).toBe(0);
    expect(waived.stderr).toMatch(/WARNING: --no-previous-skr: KSR-ID, .*KSR-CHAIN-KEYS, KSR-CHAIN-OVERLAP, KSK-CHAIN-SIGNER .* are NOT run/);
  });

  /** The lab config plus `extra` YAML (rollover_policy, schemas), signing Q1 after the normal Q4. */
  const signQ1With = (extra: string, schema: string, out: string) => {
    writeFileSync(file("rollover.yaml"), `${configText()}${extra}`);
    return ksk(
      [
        "skr",
        "sign",
        file("ksr-2027q1.xml"),
        "--config",
        file("rollover.yaml"),
        "--previous-skr",
        file("skr-2026q4.xml"),
        "--schema",
        schema,
        "--now",
        CEREMONY,
        "--yes",
        "-o",
        out,
      ],
      { env: token.env },
    );
  };
  const slots = (...rows: string[]) => rows.map((r, i) => `    ${i + 1}: ${r}\n`).join("");
  const C = "{ publish: [ksk_current, ksk_next], sign: ksk_current }";
  const N = "{ publish: [ksk_current, ksk_next], sign: ksk_next }";
  // The next KSK published on 2027-01-01 and signing from 2027-02-10 (40 days later), the old one
  // gone in slot 9 without ever being revoked.
  const QUICK_ROLL = `schemas:\n  quick-roll:\n${slots(C, C, C, C, N, N, N, N, "{ publish: ksk_next, sign: ksk_next }")}`;
  // Both KSKs sign slot 1, which still carries two ZSKs.
  const DOUBLE = `schemas:\n  double:\n${slots("{ publish: [ksk_current, ksk_next], sign: [ksk_current, ksk_next] }", ...Array(8).fill(C))}`;

  it("refuses to roll to a KSK that RFC 5011 resolvers do not trust yet, before the HSM is used (exit 1)", async () => {
    const r = await signQ1(["--schema", "rollover", "--yes", "-o", file("skr-x.xml")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL ROLLOVER-ADD-HOLDDOWN +2027Q1 slot 2 \(2027-01-11T00:00:00Z\): KSK \d+\/Knextkk signs before RFC 5011 resolvers trust it/);
    expect(r.stderr).toMatch(/checks before signing failed: ROLLOVER-ADD-HOLDDOWN/);
    expect(existsSync(file("skr-x.xml"))).toBe(false);
  });

  it("rollover_policy.check_add_hold_down: false signs it anyway, with a loud warning naming the switch", async () => {
    const r = await signQ1With("rollover_policy:\n  check_add_hold_down: false\n", "rollover", file("skr-early.xml"));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/OFF {2}ROLLOVER-ADD-HOLDDOWN/);
    expect(r.stderr).toMatch(
      /^ksk: WARNING: ROLLOVER-ADD-HOLDDOWN DISABLED by policy \(rollover_policy\.check_add_hold_down: false\): its failures are reported as warnings$/m,
    );
    expect(r.stderr).toMatch(/^ksk: WARNING: ROLLOVER-ADD-HOLDDOWN 2027Q1 slot 2 .* ALLOWED by policy \(rollover_policy\.check_add_hold_down: false\)/m);
    expect(existsSync(file("skr-early.xml"))).toBe(true);
  });

  it("refuses to drop the old KSK without publishing it revoked (exit 1); check_remove_hold_down: false allows it", async () => {
    const r = await signQ1With(QUICK_ROLL, "quick-roll", file("skr-x.xml"));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /FAIL ROLLOVER-REMOVE-HOLDDOWN +2027Q1 slot 9 \(2027-03-21T00:00:00Z\): KSK \d+\/Kcurrnt is dropped without having been published revoked/,
    );
    expect(r.stdout).toMatch(/PASS ROLLOVER-ADD-HOLDDOWN/);
    expect(existsSync(file("skr-x.xml"))).toBe(false);
    const allowed = await signQ1With(`${QUICK_ROLL}rollover_policy:\n  check_remove_hold_down: false\n`, "quick-roll", file("skr-dropped.xml"));
    expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0);
    expect(allowed.stderr).toMatch(/WARNING: ROLLOVER-REMOVE-HOLDDOWN 2027Q1 slot 9 .* ALLOWED by policy \(rollover_policy\.check_remove_hold_down: false\)/);
  });

  it("refuses a slot whose DNSKEY answer exceeds 1452 octets (exit 1); check_dnskey_response_size: false allows it", async () => {
    // Both KSKs signing slot 1 also signs with the next KSK before resolvers trust it: allowed here, to see the size rule alone.
    const early = "rollover_policy:\n  check_add_hold_down: false\n";
    const r = await signQ1With(`${DOUBLE}${early}`, "double", file("skr-x.xml"));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL ROLLOVER-DNSKEY-SIZE +2027Q1 slot 1 \(2027-01-01T00:00:00Z\): the DNSKEY answer with DO is \d{4} octets, over 1452/);
    expect(existsSync(file("skr-x.xml"))).toBe(false);
    const allowed = await signQ1With(`${DOUBLE}${early}  check_dnskey_response_size: false\n`, "double", file("skr-big.xml"));
    expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0);
    expect(allowed.stderr).toMatch(/WARNING: ROLLOVER-DNSKEY-SIZE 2027Q1 slot 1 .* ALLOWED by policy \(rollover_policy\.check_dnskey_response_size: false\)/);
  });

  it("with the rollover rules waived, still refuses what would break retire safety across quarters: nothing kept (exit 1)", async () => {
    const r = await signQ1With("rollover_policy:\n  check_add_hold_down: false\n", "revoke", file("skr-x.xml"));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL KSR-POLICY-SAFETY/);
    expect(existsSync(file("skr-x.xml"))).toBe(false);
  });
});
