/**
 * The lab ceremony (README line 1's main job, `pnpm lab` = ceremony-scripts/lab) run three times
 * into one temporary directory — each run signs the next quarter of the lab roll, chaining from the
 * SKR before, then signs the real-sized test root for a slot of it and resolves it through unbound
 * — then its outputs checked by tools that are not ours: OpenSSL verifies the CMS signature over
 * root-anchors.xml and the KSK's CSR; ldns-key2ds and BIND's dnssec-dsfromkey agree with the
 * published DS; the 2027Q1 SKR carries the old KSK revoked in slots 2-8, signed by itself under its
 * recomputed tag, as the real root's 2027 roll; ldns-verify-zone -t and kzonecheck -t accept each
 * quarter's signed test root at its slot time (and not after its signatures expire). The transcript
 * verifies, holds no lab secret and records act 06's resolver verdicts; headless Chromium renders
 * the report, whose SVG rows and slot states match the SKRs and whose resolver section shows which
 * KSK unbound trusts. No output, log, transcript or report of the three runs — nor of failing `ksk`
 * runs given the lab's PIN and passphrase files — holds a PIN, the passphrase or a private key.
 *
 * Each run takes minutes on a loaded machine (the real-sized root is signed and served every
 * quarter): one output directory serves every test, and the timeouts are generous.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createHash, createPrivateKey } from "node:crypto";
import { isRevoked, keyTag, parseTimeArgument, withoutRevokeBit } from "@ksk/core";
import { parseKsrXml } from "@ksk/ksr";
import { openKeystore } from "@ksk/keystore";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, runChromium } from "./support/chromium.js";
import { startKsk } from "./support/cli-process.js";
import { type Secret, filesUnder, keyForms, leaks, secretFileText, shareSecrets, softwarePrivateKeys } from "./support/leak-scan.js";
import { hasTool, opensslCmsVerify, runTool } from "./support/tools.js";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const out = path.join(mkdtempSync(path.join(tmpdir(), "ksk-lab-")), "lab-out");
const needed = ["softhsm2-util", "openssl", "ldns-key2ds", "dnssec-dsfromkey", "ldns-verify-zone", "kzonecheck", "knotd", "unbound", CHROMIUM].every((t) =>
  hasTool(t),
);
const QUARTERS = ["2026Q3", "2026Q4", "2027Q1"] as const;
const runs: { status: number | null; stdout: string; stderr: string }[] = [];
/** One lab run: minutes when the machine is busy; the test's own timeouts leave room for three. */
const RUN_TIMEOUT_MS = 900_000;

function lab() {
  const r = spawnSync("bash", [path.join(root, "ceremony-scripts/lab"), "--out", out], { cwd: root, encoding: "utf8", timeout: RUN_TIMEOUT_MS });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface ResolverRunJson {
  ok: boolean;
  verdict: string;
  anchoredKeyTags: number[];
  probes: { question: string; ok: boolean; authenticData: boolean }[];
  readiness: { keys: { keyTag: number; trust: string; ready: boolean }[] };
}

function resolverRun(quarter: string): ResolverRunJson {
  return JSON.parse(readFileSync(path.join(out, `resolver-${quarter}.json`), "utf8")) as ResolverRunJson;
}

let keyFiles = 0;
function writeKey(line: string): string {
  const file = path.join(path.dirname(out), `key-${keyFiles++}.key`);
  writeFileSync(file, `${line}\n`);
  return file;
}

function entries(): Record<string, unknown>[] {
  return readFileSync(path.join(out, "transcript.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

beforeAll(
  () => {
    if (!needed) return;
    for (const _ of QUARTERS) {
      const r = lab();
      runs.push(r);
      if (r.status !== 0) break;
    }
  },
  QUARTERS.length * RUN_TIMEOUT_MS + 60_000,
);
afterAll(() => rmSync(path.dirname(out), { recursive: true, force: true }));

describe.runIf(needed)("the lab ceremony (pnpm lab)", () => {
  it("runs to the end three times, each ending with the report's path and a one-line verdict", () => {
    for (const [i, run] of runs.entries()) {
      expect(run.status, `run ${i + 1}: ${run.stderr.slice(-2000)}`).toBe(0);
      expect(run.stdout).toContain(`Report: ${out}/report.html`);
      expect(run.stdout).toMatch(
        new RegExp(
          `^PASS( with \\d+ checks? skipped \\([^)]*\\))?: anchor published and verified; SKR ${QUARTERS[i]} verified against it; test root ${QUARTERS[i]} zone verified and validated by unbound from the anchor; transcript verifies`,
          "m",
        ),
      );
    }
    expect(runs).toHaveLength(3);
  });

  it("keeps its console log and a README (each file, how to reuse the token) in the output directory", () => {
    const log = readFileSync(path.join(out, "console.log"), "utf8");
    // Every run's console, as printed: the three verdict lines are all there.
    for (const q of QUARTERS) expect(log).toContain(`SKR ${q} verified against it`);
    const readme = readFileSync(path.join(out, "README.txt"), "utf8");
    expect(readme).toContain(`SOFTHSM2_CONF=${out}/softhsm/softhsm2.conf packages/cli/bin/ksk key list --keystore 'pkcs11:token=ksk-lab?`);
    expect(readme).toContain(`ksk transcript verify ${out}/transcript.jsonl --dir ${out}`);
    // The README names files that are really there.
    for (const name of [
      "console.log",
      "transcript.jsonl",
      "report.html",
      "ksrsigner.yaml",
      "root-anchors.xml",
      "root-anchors.p7s",
      "Klabnxt.csr",
      "ksks.zone",
      "zsk.passphrase",
    ]) {
      expect(readme).toContain(name);
      expect(existsSync(path.join(out, name)), name).toBe(true);
    }
  });

  it(
    "chains: the second and third runs sign the next quarter against the SKR before, without redoing act 01",
    () => {
      const starts = entries().filter((e) => e.type === "start");
      expect(starts.map((s) => (s.variables as Record<string, unknown>).quarter)).toEqual([...QUARTERS]);
      expect(starts.map((s) => (s.variables as Record<string, unknown>).previous_skr_file)).toEqual([[], ["skr-2026Q3.xml"], ["skr-2026Q4.xml"]]);
      for (const q of ["2026Q4", "2027Q1"]) {
        const validation = readFileSync(path.join(out, `ksr-${q}.validation.txt`), "utf8");
        expect(validation).toMatch(/PASS\s+KSR-CHAIN-KEYS/);
        expect(validation).toMatch(/PASS\s+KSR-CHAIN-OVERLAP/);
      }
      expect(
        entries()
          .filter((e) => e.type === "act" && e.act === 1)
          .map((e) => e.status),
      ).toEqual(["complete", "skipped", "skipped"]);
      // The token's serial, recorded by act 01, is named in every later run's first entry.
      const serial = (JSON.parse(readFileSync(path.join(out, "hsm-token.json"), "utf8")) as { tokenSerial: string }).tokenSerial;
      expect(starts.slice(1).map((s) => (s.hsm as Record<string, unknown>).tokenSerial)).toEqual([serial, serial]);
      const fourth = lab();
      expect(fourth.status).toBe(5);
      expect(fourth.stderr).toMatch(/every quarter the ceremony file lists \(2026Q3, 2026Q4, 2027Q1\) is signed/);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "signs each quarter's test root so that ldns-verify-zone -t and kzonecheck -t accept it at its slot time, and not once it expired",
    () => {
      const starts = entries().filter((e) => e.type === "start");
      for (const q of QUARTERS) {
        const variables = starts.find((s) => (s.variables as Record<string, unknown>).quarter === q)?.variables as Record<string, string> | undefined;
        const zoneAt = variables?.zone_at as string;
        const at = parseTimeArgument(zoneAt);
        const zone = path.join(out, `root-${q}.signed.zone`);
        const stamp = (t: number) => new Date(t * 1000).toISOString().replace(/[-:T]/g, "").slice(0, 14);
        const ldns = runTool("ldns-verify-zone", ["-t", stamp(at), zone]);
        expect(ldns.status, `${q}: ${ldns.stdout}${ldns.stderr}`).toBe(0);
        const knot = runTool("kzonecheck", ["-o", ".", "-d", "on", "-t", String(at), zone]);
        expect(knot.status, `${q}: ${knot.stdout}${knot.stderr}`).toBe(0);
        // A quarter later every signature of the slot has expired: both tools must say so.
        const later = at + 90 * 86400;
        expect(runTool("ldns-verify-zone", ["-t", stamp(later), zone]).status, q).not.toBe(0);
        expect(runTool("kzonecheck", ["-o", ".", "-d", "on", "-t", String(later), zone]).status, q).not.toBe(0);
        // The RFC 8509 sentinel names of every KSK the resolver was asked about are in the zone.
        const text = readFileSync(zone, "utf8");
        for (const tag of resolverRun(q).anchoredKeyTags) {
          for (const kind of ["is", "not"])
            expect(text).toMatch(new RegExp(`^root-key-sentinel-${kind}-ta-${String(tag).padStart(5, "0")}\\.\\s.*\\sA\\s`, "m"));
        }
      }
    },
    RUN_TIMEOUT_MS,
  );

  it("records act 06's resolver verdicts in the transcript: unbound validated each quarter's root and trusts every anchored KSK", () => {
    const ksks = new Set(
      readFileSync(`${out}/ksks.zone`, "utf8")
        .split("\n")
        .filter((l) => /\sDNSKEY\s/.test(l))
        // The key tag as ldns computes it: the DS record's first RDATA field.
        .map((l) => Number(/\sDS\s+(\d+)\s/.exec(runTool("ldns-key2ds", ["-n", "-2", writeKey(l)]).stdout)?.[1])),
    );
    expect(ksks.size).toBe(2);
    for (const q of QUARTERS) {
      const step = entries().find(
        (e) => e.type === "step" && e.actName === "resolve" && e.status === "ok" && JSON.stringify(e.argv).includes(`root-${q}.signed.zone`),
      );
      expect(step, q).toBeDefined();
      const recorded = ((step?.outputs ?? []) as { path: string; sha256Hex: string }[]).find((o) => o.path === `resolver-${q}.json`);
      const bytes = readFileSync(path.join(out, `resolver-${q}.json`));
      expect(recorded?.sha256Hex).toBe(createHash("sha256").update(bytes).digest("hex"));
      const run = resolverRun(q);
      expect(run.ok, run.verdict).toBe(true);
      expect(run.probes.every((p) => p.ok && p.authenticData)).toBe(true);
      expect(run.anchoredKeyTags.length).toBeGreaterThan(0);
      for (const tag of run.anchoredKeyTags) expect(ksks).toContain(tag);
      expect(run.readiness.keys.map((k) => [k.keyTag, k.trust, k.ready])).toEqual(run.anchoredKeyTags.map((t) => [t, "trusted", true]));
    }
  });

  it(
    "leaves a transcript that verifies and holds no PIN or passphrase",
    () => {
      const r = spawnSync(path.join(root, "packages/cli/bin/ksk"), ["transcript", "verify", path.join(out, "transcript.jsonl")], { encoding: "utf8" });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const text = readFileSync(path.join(out, "transcript.jsonl"), "utf8");
      for (const secretFile of ["softhsm/user.pin", "softhsm/so.pin", "zsk.passphrase"]) {
        const secret = readFileSync(path.join(out, secretFile), "utf8").trim();
        expect(text).not.toMatch(new RegExp(`(^|[^0-9a-f])${secret}([^0-9a-f]|$)`));
        expect(text).not.toContain(`"path":"${secretFile}"`);
      }
      expect(text).not.toContain("PRIVATE KEY");
    },
    RUN_TIMEOUT_MS,
  );

  it("publishes a root-anchors.p7s that openssl cms -verify -binary accepts with the lab CA", () => {
    const r = opensslCmsVerify({ p7sFile: `${out}/root-anchors.p7s`, contentFile: `${out}/root-anchors.xml`, caFile: `${out}/ca/ca.pem`, purposeAny: true });
    expect(r.status, r.stderr).toBe(0);
  });

  it("publishes DS records that ldns-key2ds and dnssec-dsfromkey compute from the KSKs in the HSM", () => {
    const digestsOf = (file: string) =>
      readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .filter((l) => /\sDS\s/.test(l))
        .map((l) => l.split(/\s+/).slice(-4).join(" ").toUpperCase());
    const published = digestsOf(`${out}/root-anchors.ds`);
    const act01 = digestsOf(`${out}/ksks.ds`);
    const keys = readFileSync(`${out}/ksks.zone`, "utf8")
      .split("\n")
      .filter((l) => /\sDNSKEY\s/.test(l));
    expect(keys).toHaveLength(2);
    for (const [i, line] of keys.entries()) {
      const file = path.join(path.dirname(out), `k${i}.key`);
      writeFileSync(file, `${line}\n`);
      const ldns = runTool("ldns-key2ds", ["-n", "-2", file]);
      expect(ldns.status).toBe(0);
      const bind = runTool("dnssec-dsfromkey", ["-2", "-f", file, "."]);
      expect(bind.status, bind.stderr).toBe(0);
      for (const tool of [ldns.stdout, bind.stdout]) {
        const digest = tool.trim().split(/\s+/).slice(-4).join(" ").toUpperCase();
        expect(published).toContain(digest);
        expect(act01).toContain(digest);
      }
    }
  });

  it("writes a CSR whose self-signature openssl req -verify accepts", () => {
    const r = runTool("openssl", ["req", "-in", `${out}/Klabnxt.csr`, "-verify", "-noout"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/verify OK/);
  });

  it("signs 2027Q1 with the old KSK revoked in slots 2-8, signing its own revocation under its recomputed tag", () => {
    const skr = parseKsrXml(readFileSync(`${out}/skr-2027Q1.xml`)).document;
    for (const [i, bundle] of skr.bundles.entries()) {
      const revoked = bundle.keys.filter((k) => isRevoked(k.dnskey));
      expect(revoked, `slot ${i + 1}`).toHaveLength(i >= 1 && i <= 7 ? 1 : 0);
      for (const r of revoked) {
        expect(bundle.signatures.map((s) => s.rrsig.keyTag)).toContain(keyTag(r.dnskey));
        expect(keyTag(r.dnskey)).not.toBe(keyTag(withoutRevokeBit(r.dnskey)));
      }
    }
  });

  it(
    "renders a report whose SVG timeline has one row per key and each slot's state as the SKRs say (headless Chromium)",
    async () => {
      const page = `file://${out}/report.html`;
      const dom = await runChromium(["--dump-dom", page]);
      expect(dom.status, dom.stderr.slice(-1000)).toBe(0);
      const shot = path.join(path.dirname(out), "report.png");
      const screenshot = await runChromium(["--window-size=1400,1400", `--screenshot=${shot}`, page]);
      expect(screenshot.status, screenshot.stderr.slice(-1000)).toBe(0);
      expect(readFileSync(shot).subarray(1, 4).toString("latin1")).toBe("PNG");

      // What the SKRs say, computed here from the files: per key (by its unrevoked tag), per slot.
      const expected = new Map<string, string>();
      const rows = new Set<string>();
      for (const q of QUARTERS) {
        const skr = parseKsrXml(readFileSync(`${out}/skr-${q}.xml`)).document;
        for (const [i, b] of skr.bundles.entries()) {
          const signers = new Set(b.signatures.map((s) => s.rrsig.keyTag));
          for (const k of b.keys) {
            const role = (k.dnskey.flags & 1) === 1 ? "KSK" : "ZSK";
            const row = `${role}-${keyTag(withoutRevokeBit(k.dnskey))}`;
            const signs = signers.has(keyTag(k.dnskey));
            rows.add(row);
            // A ZSK signs the zone, not the DNSKEY RRset: which one signs is checked per slot below.
            const state = isRevoked(k.dnskey) ? (signs ? "revoked-signing" : "revoked") : signs ? "signing" : "published";
            expected.set(`${row} ${q}/${i + 1}`, role === "ZSK" ? "ZSK" : state);
          }
        }
      }
      const html = dom.stdout;
      // One block per year: a key present in two years has a row in each.
      const shownRows = [...html.matchAll(/<g class="key-row" data-key="([^"]+)"/g)].map((m) => m[1]);
      expect(new Set(shownRows)).toEqual(rows);
      const shown = new Map<string, string>();
      const zskSigning = new Map<string, number>();
      for (const g of html.split('<g class="key-row"').slice(1)) {
        const row = /data-key="([^"]+)"/.exec(g)?.[1] ?? "";
        for (const m of g.split("</g>")[0]?.matchAll(/<rect [^>]*data-slot="([^"]+)" data-state="([^"]+)"/g) ?? []) {
          shown.set(`${row} ${m[1]}`, row.startsWith("ZSK") ? "ZSK" : (m[2] as string));
          if (row.startsWith("ZSK") && m[2] === "signing") zskSigning.set(m[1] as string, (zskSigning.get(m[1] as string) ?? 0) + 1);
        }
      }
      expect(shown).toEqual(expected);
      // Each slot shows exactly one ZSK signing the zone (S), any other published only (P).
      expect([...zskSigning.values()]).toEqual(Array(27).fill(1));
      expect([...expected.values()]).toEqual(expect.arrayContaining(["signing", "published", "revoked-signing"]));
      // The DNSKEY answer size of every slot is shown: 27 slots over three quarters.
      expect([...html.matchAll(/class="response-size"[^>]*data-bytes="(\d+)"/g)]).toHaveLength(27);
      expect(html).not.toMatch(/<script|<link|src="http|href="http/);

      // The resolver section: per quarter, which KSK unbound trusts, as act 06 recorded it.
      for (const q of QUARTERS) {
        const section = html.split(`<div class="resolver-run" data-file="resolver-${q}.json"`)[1]?.split("</div>")[0];
        expect(section, q).toBeDefined();
        expect(section).toMatch(/^ data-ok="true"/);
        const shownKeys = [...(section as string).matchAll(/<tr data-key-tag="(\d+)" data-trust="([^"]+)" data-ready="([^"]+)"/g)].map((m) => [
          Number(m[1]),
          m[2],
          m[3],
        ]);
        expect(shownKeys).toEqual(resolverRun(q).readiness.keys.map((k) => [k.keyTag, k.trust, String(k.ready)]));
      }
      // The root's view (act 06's telemetry-<quarter>.json from knotd's dnstap): unbound signalled
      // (RFC 8145) exactly the keys it was anchored to.
      for (const q of QUARTERS) {
        const signalled = new RegExp(`data-entry="telemetry-${q}\\.json" data-resolver="127\\.0\\.0\\.1" data-tags="([^"]*)"`).exec(html)?.[1];
        expect(signalled, q).toBe([...resolverRun(q).anchoredKeyTags].sort((a, b) => a - b).join(" "));
      }
    },
    RUN_TIMEOUT_MS,
  );

  describe("secrets", () => {
    /**
     * Files that hold secrets by design: both facilities' tokens and PIN files, the passphrase, the
     * CA's keys, and act 07's officers' share files.
     */
    const holdsSecrets = (relative: string) =>
      /^softhsm\/(facility-2\/)?tokens$/.test(relative) ||
      /^softhsm\/(facility-2\/)?(user|so)\.pin$/.test(relative) ||
      relative === "zsk.passphrase" ||
      /^ca\/.*\.key$/.test(relative) ||
      /^custody\/(pin|kek)-shares$/.test(relative);
    const labPinUri = () => `pkcs11:token=ksk-lab?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:${out}/softhsm/user.pin`;
    const labEnv = () => ({ SOFTHSM2_CONF: `${out}/softhsm/softhsm2.conf` });

    async function labSecrets(): Promise<Secret[]> {
      const text = (name: string, s: string) => ({ name, bytes: new TextEncoder().encode(s) });
      const passphrase = secretFileText(`${out}/zsk.passphrase`);
      const caKeys = ["ca/ca.key", "ca/signer.key"].map((f) =>
        keyForms(f, new Uint8Array(createPrivateKey(readFileSync(path.join(out, f))).export({ format: "der", type: "pkcs8" }))),
      );
      return [
        text("user PIN", secretFileText(`${out}/softhsm/user.pin`)),
        text("SO PIN", secretFileText(`${out}/softhsm/so.pin`)),
        text("facility 2 user PIN", secretFileText(`${out}/softhsm/facility-2/user.pin`)),
        text("facility 2 SO PIN", secretFileText(`${out}/softhsm/facility-2/so.pin`)),
        text("ZSK passphrase", passphrase),
        // Act 07: every officer's share (record, words, Shamir share) and what they recombine to
        // (the PIN again, and the backup's KEK, which exists nowhere else).
        ...(await shareSecrets("PIN shares", `${out}/custody/pin-shares`)),
        ...(await shareSecrets("KEK shares", `${out}/custody/kek-shares`)),
        ...(await softwarePrivateKeys(`${out}/zsk-keystore`, passphrase)),
        ...caKeys.flat(),
      ];
    }

    it(
      "no output, log, transcript or report of the three runs holds a PIN, the passphrase or a private key (DER, base64, hex)",
      async () => {
        const secrets = await labSecrets();
        // Every ZSK the lab made (Zlab1-5) and both CA keys are searched for, in five forms each.
        expect(secrets.filter((s) => s.name.endsWith("(PKCS#8 DER)"))).toHaveLength(7);
        const files = filesUnder(out, holdsSecrets);
        for (const name of ["console.log", "transcript.jsonl", "report.html", "README.txt", "skr-2027Q1.xml", "resolver-2027Q1.json"]) {
          expect(files).toContain(path.join(out, name));
        }
        const haystacks = [
          ...files.map((f) => ({ name: path.relative(out, f), bytes: readFileSync(f) })),
          ...runs.flatMap((r, i) => [
            { name: `run ${i + 1} stdout`, bytes: Buffer.from(r.stdout) },
            { name: `run ${i + 1} stderr`, bytes: Buffer.from(r.stderr) },
          ]),
        ];
        expect(leaks(haystacks, secrets)).toEqual([]);
        // The scan finds a secret where there is one (a scan that cannot fail proves nothing).
        expect(leaks([{ name: "zsk.passphrase", bytes: readFileSync(`${out}/zsk.passphrase`) }], secrets)).toEqual(["zsk.passphrase: ZSK passphrase"]);
      },
      RUN_TIMEOUT_MS,
    );

    it("keeps the signing KSKs in the HSM sensitive and not extractable; act 07's backup KSK leaves only wrapped", async () => {
      const keystore = await openKeystore(labPinUri(), { env: labEnv() });
      try {
        const keys = (await keystore.list()).filter((k) => k.hasPrivateKey);
        expect(keys.map((k) => k.label).sort()).toEqual(["Klabbak", "Klabcur", "Klabnxt"]);
        // Klabbak is act 07's key custody demonstration: sensitive (never readable in clear),
        // extractable only by wrapping for its backup (docs/custody.md).
        for (const k of keys) expect(k.protection, k.label).toEqual({ sensitive: true, extractable: k.label === "Klabbak" });
      } finally {
        await keystore.close();
      }
      // Restored at facility 2, the backup KSK is not extractable at all.
      const facility2 = await openKeystore(
        `pkcs11:token=ksk-lab-2?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:${out}/softhsm/facility-2/user.pin`,
        { env: { SOFTHSM2_CONF: `${out}/softhsm/facility-2/softhsm2.conf` } },
      );
      try {
        expect((await facility2.find("Klabbak")).protection).toEqual({ sensitive: true, extractable: false });
      } finally {
        await facility2.close();
      }
    });

    it(
      "failing runs given the PIN and passphrase files print and write no secret; argv never carries one",
      async () => {
        const secrets = await labSecrets();
        const scratch = mkdtempSync(path.join(tmpdir(), "ksk-leak-"));
        try {
          const wrongPin = path.join(scratch, "wrong.pin");
          writeFileSync(wrongPin, "9876543210\n", { mode: 0o600 });
          const wrongPassphrase = path.join(scratch, "wrong.passphrase");
          writeFileSync(wrongPassphrase, "not the lab zsk operator passphrase\n", { mode: 0o600 });
          secrets.push({ name: "wrong PIN", bytes: new TextEncoder().encode("9876543210") });
          secrets.push({ name: "wrong passphrase", bytes: new TextEncoder().encode("not the lab zsk operator passphrase") });
          cpSync(`${out}/zsk-keystore`, path.join(scratch, "zsk-keystore"), { recursive: true });
          const zskStore = `file:${scratch}/zsk-keystore`;
          const hsm = (pinFile: string) => `pkcs11:token=ksk-lab?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:${pinFile}`;
          const pin = secretFileText(`${out}/softhsm/user.pin`);
          const failing: { args: string[]; code: number; message: RegExp }[] = [
            // The wrong PIN, and the right PIN with a label that exists.
            { args: ["key", "list", "--keystore", hsm(wrongPin)], code: 4, message: /PIN/ },
            {
              args: ["key", "generate", "--role", "ksk", "--algorithm", "8", "--label", "Klabcur", "--keystore", hsm(`${out}/softhsm/user.pin`)],
              code: 5,
              message: /exists/,
            },
            // The wrong passphrase (confirmed against a key in the keystore), and the right one with a label that exists.
            {
              args: ["key", "generate", "--role", "zsk", "--algorithm", "8", "--keystore", zskStore, "--passphrase-file", wrongPassphrase],
              code: 4,
              message: /passphrase/,
            },
            {
              args: [
                "key",
                "generate",
                "--role",
                "zsk",
                "--algorithm",
                "8",
                "--label",
                "Zlab1",
                "--keystore",
                zskStore,
                "--passphrase-file",
                `${out}/zsk.passphrase`,
              ],
              code: 5,
              message: /exists/,
            },
            // Secrets in argv are refused, and the refusal does not repeat them.
            {
              args: ["key", "list", "--keystore", `pkcs11:token=ksk-lab?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=${pin}`],
              code: 2,
              message: /pin-value=\(redacted\).*pin-source=file:/,
            },
            {
              args: ["key", "list", "--pin", pin, "--keystore", hsm(`${out}/softhsm/user.pin`)],
              code: 2,
              message: /^ksk: --pin: secrets are never taken on the command line/,
            },
            {
              args: ["key", "list", "--passphrase", "lab zsk operator passphrase", "--keystore", zskStore],
              code: 2,
              message: /^ksk: --passphrase: secrets are never taken on the command line/,
            },
          ];
          const before = new Map(filesUnder(scratch, () => false).map((f) => [f, readFileSync(f)]));
          for (const f of failing) {
            const { child, done } = startKsk(f.args, { env: labEnv(), cwd: scratch });
            // What `ps` shows is /proc/PID/cmdline: read while the command runs.
            const cmdline =
              child.pid === undefined
                ? ""
                : (() => {
                    try {
                      return readFileSync(`/proc/${child.pid}/cmdline`, "latin1");
                    } catch {
                      return "";
                    }
                  })();
            const r = await done;
            const what = f.args.slice(0, 2).join(" ");
            expect(r.code, `${what}: ${r.stderr}`).toBe(f.code);
            expect(r.stderr.trim().split("\n"), `${what}: ${r.stderr}`).toHaveLength(1);
            expect(r.stderr).toMatch(f.message);
            const argvSecrets = f.code === 2 ? [] : [{ name: `${what} cmdline`, bytes: Buffer.from(cmdline, "latin1") }];
            expect(
              leaks(
                [{ name: `${what} stdout`, bytes: Buffer.from(r.stdout) }, { name: `${what} stderr`, bytes: Buffer.from(r.stderr) }, ...argvSecrets],
                secrets,
              ),
            ).toEqual([]);
          }
          // Nothing was written or changed: the keystore copy and the secret files are as they were.
          const after = filesUnder(scratch, () => false);
          expect(after).toEqual([...before.keys()]);
          for (const f of after) expect(readFileSync(f).equals(before.get(f) as Buffer), f).toBe(true);
          // The lab's own commands: the transcript records each step's argv, as `ps` showed it.
          for (const e of entries().filter((e) => e.type === "step")) {
            expect(leaks([{ name: `step ${JSON.stringify(e.argv)}`, bytes: Buffer.from(JSON.stringify(e.argv)) }], secrets)).toEqual([]);
          }
        } finally {
          rmSync(scratch, { recursive: true, force: true });
        }
      },
      RUN_TIMEOUT_MS,
    );
  });
});
