/**
 * `ksk zone sign` with the ZSKs in a SoftHSM2 token (as a Root Zone Maintainer keeps them) on two
 * signing threads, each on a session of its own under the keystore's one login: the zone it writes
 * is the one a single session writes (RSA PKCS#1 v1.5 signatures are deterministic), `ksk zone
 * verify` accepts it, and the HSM activity log ($KSK_HSM_LOG) shows every ZSK signature made on the
 * threads' sessions, none with a login of their own.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseHsmLog } from "@ksk/keystore";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SMALL_ROOT } from "../packages/zone/test/lab-root.js";
import { startKsk } from "./support/cli-process.js";
import { type SoftHsmToken, createSoftHsmToken } from "./support/softhsm.js";
import { hasTool } from "./support/tools.js";
import { type ZoneLab, makeZoneLab, zoneSignArgs } from "./support/zone-lab.js";

const needed = hasTool("softhsm2-util");
const dir = mkdtempSync(path.join(tmpdir(), "ksk-zone-hsm-threads-"));
let token: SoftHsmToken;
let lab: ZoneLab;
const zone = path.join(dir, "lab.zone");

beforeAll(async () => {
  if (!needed) return;
  token = createSoftHsmToken({ label: "zsk-threads" });
  lab = await makeZoneLab(dir, { algorithm: 8, hsm: token });
  writeFileSync(zone, SMALL_ROOT);
});
afterAll(() => {
  token?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function sign(threads: number, output: string, hsmLog: string) {
  const r = await startKsk(zoneSignArgs(lab, zone, output, { extra: ["--threads", String(threads)] }), { env: { ...token.env, KSK_HSM_LOG: hsmLog } }).done;
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return parseHsmLog(readFileSync(hsmLog, "utf8"));
}

describe.runIf(needed)("ksk zone sign with the ZSK in SoftHSM2, on signing threads", () => {
  it("--threads 2 writes the zone one session writes, zone verify accepts it, and the HSM log has each signature", async () => {
    const two = path.join(dir, "two.zone");
    const one = path.join(dir, "one.zone");
    const log = await sign(2, two, path.join(dir, "two.hsm.log"));
    const oneLog = await sign(1, one, path.join(dir, "one.hsm.log"));
    expect(readFileSync(two, "utf8")).toBe(readFileSync(one, "utf8"));

    const v = await startKsk(["zone", "verify", two, "--anchor", lab.anchorFile, "--at", lab.at]).done;
    expect(v.stdout).toMatch(/^valid: .* 0 problems\n$/);
    expect(v.code).toBe(0);

    // The ZSK's signatures in the zone: every RRSIG but the DNSKEY RRset's (the SKR's, by the KSK).
    const zskSignatures = readFileSync(two, "utf8")
      .split("\n")
      .map((line) => line.split(/\s+/))
      .filter((fields) => fields[3] === "RRSIG" && fields[4] !== "DNSKEY").length;
    expect(zskSignatures).toBeGreaterThan(5);
    const calls = (entries: typeof log, name: string) => entries.filter((e) => e.call === name);
    expect(calls(oneLog, "C_Sign")).toHaveLength(zskSignatures);
    expect(calls(log, "C_Sign")).toHaveLength(zskSignatures);
    // One login (the keystore's), and the signatures on the two threads' own sessions.
    expect(calls(log, "C_Login")).toHaveLength(1);
    const keystoreSession = calls(log, "C_OpenSession")[0]?.session;
    const threadSessions = new Set(
      calls(log, "C_OpenSession")
        .slice(1)
        .map((e) => e.session),
    );
    expect(threadSessions.size).toBe(2);
    expect(threadSessions.has(keystoreSession)).toBe(false);
    const signedOn = new Set(calls(log, "C_Sign").map((e) => e.session));
    expect([...signedOn].every((s) => threadSessions.has(s))).toBe(true);
    expect(calls(log, "C_SignInit").every((e) => (e.key as { label?: string }).label === "zsk-current")).toBe(true);
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
  });
});
