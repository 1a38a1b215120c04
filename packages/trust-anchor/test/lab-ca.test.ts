/**
 * The lab CA's certificate serial number: DER wants the minimal two's-complement INTEGER
 * (X.690 §8.3.2), so redundant leading zero octets are dropped and one 0x00 is added only in front
 * of a high bit (RFC 5280 §4.1.2.2: positive). OpenSSL refuses a badly padded INTEGER.
 */
import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { bytesToHex, KskError, parseIsoUtc } from "@ksk/core";
import { afterAll, describe, expect, it } from "vitest";
import { hasTool, runTool } from "../../../test/support/tools.js";
import { createLabCaCertificate, rawSignerFromPrivateKey } from "../src/index.js";
import { DAY } from "./support.js";

const NOW = parseIsoUtc("2026-11-28T00:00:00Z");
const ca = rawSignerFromPrivateKey(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey);
const dir = mkdtempSync(path.join(tmpdir(), "ta-lab-ca-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const certificate = (serial: number[]) =>
  createLabCaCertificate({ signer: ca, serialNumberBytes: Uint8Array.from(serial), notBeforeEpochSeconds: NOW - DAY, notAfterEpochSeconds: NOW + DAY });

/** The serial number's INTEGER content octets, found right after the [0] version field. */
function serialContent(der: Uint8Array): string {
  const hex = bytesToHex(der);
  const at = hex.indexOf("a003020102") + 10;
  expect(hex.slice(at, at + 2)).toBe("02");
  const length = Number.parseInt(hex.slice(at + 2, at + 4), 16);
  return hex.slice(at + 4, at + 4 + 2 * length);
}

describe("lab CA serial numbers are minimal DER INTEGERs", () => {
  const cases: [string, number[], string][] = [
    ["good: 01 02 as given", [0x01, 0x02], "0102"],
    ["good: a high first bit gets one 00", [0x80, 0x01], "008001"],
    ["bad input made good: 00 01 02 loses its redundant zero", [0x00, 0x01, 0x02], "0102"],
    ["bad input made good: 00 00 80 keeps exactly one zero", [0x00, 0x00, 0x80], "0080"],
  ];
  it.each(cases)("%s", async (_name, serial, content) => {
    const der = await certificate(serial);
    expect(serialContent(der)).toBe(content);
    expect(new X509Certificate(der).serialNumber.replace(/^0+(?=.)/, "")).toBe(content.replace(/^0+(?=.)/, "").toUpperCase());
  });

  it.runIf(hasTool("openssl"))("openssl x509 reads the certificate whose serial was given as 00 01 ...", async () => {
    const file = path.join(dir, "ca.der");
    writeFileSync(file, await certificate([0x00, 0x01, 0xab]));
    const r = runTool("openssl", ["x509", "-inform", "DER", "-in", file, "-noout", "-serial"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("serial=01AB");
  });

  it("bad: an all-zero serial is still refused", async () => {
    await expect(certificate([0x00, 0x00])).rejects.toBeInstanceOf(KskError);
  });
});
