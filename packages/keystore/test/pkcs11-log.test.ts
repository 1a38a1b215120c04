/**
 * The HSM activity log (../src/pkcs11-log.ts) against a real SoftHSM2 token: a keystore opened,
 * a KSK generated, one signature made and the keystore closed are recorded call by call — in
 * order, with the injected clock's times and CKR_OK — naming the token (label, serial from
 * softhsm2-util), the find templates, the key a C_SignInit used and the SHA-256 of the data and of
 * the signature the keystore returned; a wrong PIN is recorded with its CKR code; the PIN itself
 * is never in the log. With no recorder installed nothing is recorded.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { bytesToHex, sha256 } from "@ksk/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SoftHsmToken, createSoftHsmToken } from "../../../test/support/softhsm.js";
import { hasTool } from "../../../test/support/tools.js";
import { type HsmLogEntry, hsmLogFileSink, openKeystore, parseHsmLog, recordHsmActivity } from "../src/index.js";
import { sampleData } from "./helpers.js";

/** A clock that advances one second a call, from a fixed start. */
function steppingClock(startIso: string): () => Date {
  let t = Date.parse(startIso);
  return () => {
    const now = new Date(t);
    t += 1000;
    return now;
  };
}

function tokenSerial(token: SoftHsmToken): string {
  const shown = execFileSync("softhsm2-util", ["--show-slots"], { env: token.processEnv, encoding: "utf8" });
  const blocks = shown.split(/\n(?=Slot )/).filter((b) => new RegExp(`Label:\\s+${token.label}\\s*$`, "m").test(b));
  return /Serial number:\s+(\S+)/.exec(blocks[0] ?? "")?.[1] ?? "";
}

describe.runIf(hasTool("softhsm2-util"))("the HSM activity log with SoftHSM2", () => {
  let token: SoftHsmToken;
  const dir = mkdtempSync(path.join(tmpdir(), "ksk-hsm-log-"));
  beforeAll(() => {
    token = createSoftHsmToken({ label: "ksk-log" });
  });
  afterAll(() => {
    recordHsmActivity(undefined);
    token?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("records every call of open, generate, sign and close, in order, with times and return values, never the PIN", async () => {
    const entries: HsmLogEntry[] = [];
    recordHsmActivity({ sink: (e) => entries.push(e), clock: steppingClock("2026-05-15T12:00:00Z") });
    const keystore = await openKeystore(token.uri(), { env: token.env });
    await keystore.generate({ label: "Klog", algorithm: 8, flags: 257, rsaModulusBits: 2048 });
    const signer = await keystore.signer("Klog");
    const data = sampleData("hsm log");
    const signature = await signer.sign(data);
    await keystore.close();
    recordHsmActivity(undefined);

    const calls = entries.map((e) => e.call);
    expect(calls[0]).toBe("C_Initialize");
    expect(calls.at(-1)).toBe("C_Finalize");
    for (const c of [
      "C_GetTokenInfo",
      "C_OpenSession",
      "C_Login",
      "C_FindObjectsInit",
      "C_FindObjects",
      "C_GenerateKeyPair",
      "C_SignInit",
      "C_Sign",
      "C_CloseSession",
    ]) {
      expect(calls, c).toContain(c);
    }
    expect(calls.indexOf("C_Login")).toBeGreaterThan(calls.indexOf("C_OpenSession"));
    expect(calls.indexOf("C_Sign")).toBe(calls.indexOf("C_SignInit") + 1);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    expect(entries.every((e) => e.rv === "CKR_OK")).toBe(true);
    expect(entries[0]?.timeUtc).toBe("2026-05-15T12:00:00.000Z");
    expect(entries[1]?.timeUtc).toBe("2026-05-15T12:00:01.000Z");

    const info = entries.find((e) => e.call === "C_GetTokenInfo" && e.label === "ksk-log");
    expect(info).toMatchObject({ label: "ksk-log", serial: tokenSerial(token), manufacturer: "SoftHSM project", model: "SoftHSM v2" });
    expect(entries.find((e) => e.call === "C_Login")).toMatchObject({ userType: "CKU_USER", pin: "given, not recorded" });
    expect(JSON.stringify(entries)).not.toContain(token.pin);
    const templates = entries.filter((e) => e.call === "C_FindObjectsInit").map((e) => JSON.stringify(e.template));
    expect(templates).toContain(JSON.stringify([{ type: "CKA_CLASS", value: "CKO_PRIVATE_KEY" }]));

    const init = entries.find((e) => e.call === "C_SignInit") as HsmLogEntry & { mechanism: string; key: { label?: string } };
    expect(init.key.label).toBe("Klog");
    expect(["CKM_SHA256_RSA_PKCS", "CKM_RSA_PKCS"]).toContain(init.mechanism);
    const sign = entries.find((e) => e.call === "C_Sign") as HsmLogEntry & Record<string, unknown>;
    expect(sign.signatureSha256Hex).toBe(bytesToHex(sha256(signature)));
    expect(sign.signatureBytes).toBe(256);
    if (init.mechanism === "CKM_SHA256_RSA_PKCS") expect(sign.dataSha256Hex).toBe(bytesToHex(sha256(data)));
    else expect(sign.dataBytes).toBe(19 + 32);
  });

  it("records a wrong PIN with its CKR code, and appends to a file a line per call", async () => {
    const file = path.join(dir, "hsm.jsonl");
    recordHsmActivity({ sink: hsmLogFileSink(file), clock: () => new Date("2026-05-15T13:00:00Z") });
    await expect(openKeystore(token.uri(undefined, { pinSource: false }), { env: token.env, pin: "999999" })).rejects.toThrow();
    recordHsmActivity(undefined);
    const entries = parseHsmLog(readFileSync(file, "utf8"));
    const login = entries.find((e) => e.call === "C_Login");
    expect(login?.rv).toBe("CKR_PIN_INCORRECT");
    expect(readFileSync(file, "utf8")).not.toContain("999999");
    expect(entries.at(-1)?.call).toBe("C_Finalize");
  });

  it("records nothing when no recorder is installed", async () => {
    const entries: HsmLogEntry[] = [];
    recordHsmActivity({ sink: (e) => entries.push(e), clock: () => new Date() });
    recordHsmActivity(undefined);
    const keystore = await openKeystore(token.uri(), { env: token.env });
    await keystore.list();
    await keystore.close();
    expect(entries).toEqual([]);
  });
});
