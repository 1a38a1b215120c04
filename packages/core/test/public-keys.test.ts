/**
 * The DNSKEY ↔ key converter on the published keys: the real root KSKs (RSA, RFC 3110 form), the
 * RFC 6605 §6 ECDSA keys and the RFC 8080 §6 EdDSA keys. Each DNSKEY becomes a node KeyObject that
 * OpenSSL's own `openssl pkey -text_pub` prints with the same modulus and exponent, or the same
 * point (0x04||x||y for ECDSA, which is also noble's form) — a differential check against a tool
 * that does not share this code — and converts back to the same DNSKEY field. Keys of another
 * kind or curve have no DNSKEY form; malformed fields are input errors.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasTool, runTool } from "../../../test/support/tools.js";
import {
  base64ToBytes,
  bytesToHex,
  decodeRsaPublicKey,
  dnskeyJwk,
  dnskeyKeyObject,
  dnskeyPublicKeyFromJwk,
  dnskeyPublicKeyFromKeyObject,
  noblePublicKey,
} from "../src/index.js";
import { readVector } from "./helpers.js";

interface Example {
  readonly dnskey: { readonly algorithm: number; readonly publicKey: string };
}
const rootKsks = readVector<{ keys: { name: string; algorithm: number; publicKey: string }[] }>("root-ksks.json").keys.map((k) => ({
  name: k.name,
  algorithm: k.algorithm,
  publicKeyBytes: base64ToBytes(k.publicKey),
}));
const fromVectors = (file: string) =>
  readVector<{ examples: Example[] }>(file).examples.map((e, i) => ({
    name: `${file} example ${i + 1}`,
    algorithm: e.dnskey.algorithm,
    publicKeyBytes: base64ToBytes(e.dnskey.publicKey),
  }));
const KEYS = [...rootKsks, ...fromVectors("rfc6605-ecdsa.json"), ...fromVectors("rfc8080-eddsa.json")];

const dir = mkdtempSync(path.join(tmpdir(), "ksk-public-keys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The hex octets `openssl pkey -text_pub` prints after a heading (`Modulus:`, `pub:`), without separators. */
function opensslHex(text: string, heading: string): string {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => l.trim() === heading);
  const out: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (!/^\s+[0-9a-f]{2}(:|$)/.test(line)) break;
    out.push(line.trim().replace(/:/g, ""));
  }
  return out.join("");
}

describe("DNSKEY → KeyObject → DNSKEY", () => {
  it.each(KEYS.map((k) => [k.name, k] as const))("%s converts both ways to the same field", (_name, k) => {
    const key = dnskeyKeyObject(k);
    expect(dnskeyPublicKeyFromKeyObject(k.algorithm, key)).toEqual(k.publicKeyBytes);
    expect(dnskeyPublicKeyFromJwk(k.algorithm, dnskeyJwk(k.algorithm, k.publicKeyBytes))).toEqual(k.publicKeyBytes);
  });

  it.runIf(hasTool("openssl"))("prints in openssl as the same modulus and exponent, or the same point", () => {
    for (const k of KEYS) {
      const der = path.join(dir, `${k.name.replace(/\W+/g, "-")}.der`);
      writeFileSync(der, dnskeyKeyObject(k).export({ format: "der", type: "spki" }));
      const r = runTool("openssl", ["pkey", "-pubin", "-inform", "DER", "-in", der, "-text_pub", "-noout"]);
      expect(r.status).toBe(0);
      if (k.algorithm === 8) {
        const { modulusBytes, exponentBytes } = decodeRsaPublicKey(k.publicKeyBytes);
        expect(opensslHex(r.stdout, "Modulus:").replace(/^00/, "")).toBe(bytesToHex(modulusBytes).toLowerCase());
        expect(r.stdout).toContain(`Exponent: ${Number.parseInt(bytesToHex(exponentBytes), 16)} `);
      } else {
        expect({ name: k.name, pub: opensslHex(r.stdout, "pub:") }).toEqual({
          name: k.name,
          pub: bytesToHex(noblePublicKey(k.algorithm, k.publicKeyBytes)).toLowerCase(),
        });
      }
    }
  });
});

describe("keys with no DNSKEY form, and malformed fields", () => {
  it("a key of another kind or curve converts to nothing for the algorithm", () => {
    const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey;
    expect(dnskeyPublicKeyFromKeyObject(13, p384)).toBeUndefined();
    expect(dnskeyPublicKeyFromKeyObject(14, p384)).toHaveLength(96);
    expect(dnskeyPublicKeyFromKeyObject(8, generateKeyPairSync("ed25519").publicKey)).toBeUndefined();
    expect(dnskeyPublicKeyFromKeyObject(16, generateKeyPairSync("ed448").privateKey)).toHaveLength(57);
    expect(dnskeyPublicKeyFromKeyObject(13, generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey)).toBeUndefined();
  });

  it.each([
    ["a P-256 key of 63 octets", 13, new Uint8Array(63), "DNSKEY-KEY-LENGTH"],
    ["an Ed25519 key of 31 octets", 15, new Uint8Array(31), "DNSKEY-KEY-LENGTH"],
    ["a P-256 x||y off the curve", 13, new Uint8Array(64).fill(1), "DNSKEY-KEY"],
    ["an RSA field whose exponent leaves no modulus", 8, new Uint8Array([3, 1, 0, 1]), "DNSKEY-RSA-KEY"],
    ["algorithm 5 (RSASHA1)", 5, new Uint8Array([3, 1, 0, 1, 0xc1]), "ALGORITHM-UNKNOWN"],
  ])("%s is an input error", (_name, algorithm, publicKeyBytes, code) => {
    expect(() => dnskeyKeyObject({ algorithm, publicKeyBytes })).toThrow(expect.objectContaining({ kind: "input", code }));
  });
});
