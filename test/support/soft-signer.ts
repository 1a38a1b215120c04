/**
 * TEST ONLY: a `Signer` over a key made in memory with node:crypto, for tests of packages that
 * take a Signer (ksr, signer, trust-anchor, zone) without an HSM. The keystore package has the
 * real software keystore and the PKCS#11 one; this exists so library tests stay fast and pure.
 */
import { type KeyObject, generateKeyPairSync, sign as nodeSign } from "node:crypto";
import { type DnskeyRdata, type Signer, algorithmInfo, dnskeyPublicKeyFromKeyObject, keyTag } from "@ksk/core";

export interface TestKeyOptions {
  readonly algorithm: 8 | 10 | 13 | 14 | 15 | 16;
  readonly flags?: number;
  readonly rsaBits?: number;
  readonly label?: string;
}

export function testSigner(options: TestKeyOptions): Signer & { readonly privateKey: KeyObject } {
  const { algorithm } = options;
  const flags = options.flags ?? 256;
  const pair =
    algorithm === 8 || algorithm === 10
      ? generateKeyPairSync("rsa", { modulusLength: options.rsaBits ?? 2048, publicExponent: 65537 })
      : algorithm === 13 || algorithm === 14
        ? generateKeyPairSync("ec", { namedCurve: algorithm === 13 ? "P-256" : "P-384" })
        : algorithm === 15
          ? generateKeyPairSync("ed25519")
          : generateKeyPairSync("ed448");
  const publicKeyBytes = dnskeyPublicKeyFromKeyObject(algorithm, pair.publicKey) as Uint8Array;
  const dnskey: DnskeyRdata = { kind: "DNSKEY", flags, protocol: 3, algorithm, publicKeyBytes };
  const hash = algorithmInfo(algorithm).hash;
  const dsaEncoding = algorithm === 13 || algorithm === 14 ? "ieee-p1363" : undefined;
  const privateKey = pair.privateKey;
  return {
    label: options.label ?? `test-${algorithm}-${flags}`,
    dnskey,
    keyTag: keyTag(dnskey),
    privateKey,
    sign: async (data: Uint8Array) => new Uint8Array(nodeSign(hash, data, dsaEncoding ? { key: privateKey, dsaEncoding } : privateKey)),
  };
}
