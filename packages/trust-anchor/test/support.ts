/** Fixtures and helpers shared by the trust-anchor tests: the real root KSKs and a lab PKI. */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { base64ToBytes, type DnskeyRdata, parseIsoUtc } from "@ksk/core";
import { createLabCaCertificate, issueSignerCertificate, type RawSigner, rawSignerFromPrivateKey, type SignerCertificateOptions } from "../src/index.js";

const here = path.dirname(new URL(import.meta.url).pathname);
export const fixture = (name: string) => path.join(here, "fixtures", name);
export const schemaPath = path.join(here, "../schema/root-anchors.rng");

interface RootKsk {
  name: string;
  keyTag: number;
  flags: number;
  protocol: number;
  algorithm: number;
  publicKey: string;
  ds: { digestType: number; digest: string }[];
  rootAnchorsXml: { id: string; validFrom: string; validUntil?: string; keyTag: number; digest: string };
}

export const ROOT_KSKS: readonly RootKsk[] = (JSON.parse(readFileSync(fixture("root-ksks.json"), "utf8")) as { keys: RootKsk[] }).keys;

export function rootKskDnskey(k: RootKsk): DnskeyRdata {
  return { kind: "DNSKEY", flags: k.flags, protocol: k.protocol, algorithm: k.algorithm, publicKeyBytes: base64ToBytes(k.publicKey) };
}

/** The three root KSKs as builder input, with IANA's ids and dates. */
export function rootAnchorKeys() {
  return ROOT_KSKS.map((k) => ({
    dnskey: rootKskDnskey(k),
    id: k.rootAnchorsXml.id,
    validFromEpochSeconds: parseIsoUtc(k.rootAnchorsXml.validFrom),
    validUntilEpochSeconds: k.rootAnchorsXml.validUntil === undefined ? undefined : parseIsoUtc(k.rootAnchorsXml.validUntil),
  }));
}

export const DAY = 86400;

export interface LabPki {
  readonly caDer: Uint8Array;
  readonly ca: RawSigner;
  readonly signerDer: Uint8Array;
  readonly signer: RawSigner;
}

/** A fresh lab CA and signer certificate valid around `now` (RSA-2048 unless told otherwise). */
export async function labPki(
  now: number,
  signerOverrides: Partial<Omit<SignerCertificateOptions, "caCertificateDer" | "caSigner" | "subjectPublicKeyInfoDer">> = {},
  signerKey: "rsa" | "ec" = "rsa",
): Promise<LabPki> {
  const ca = rawSignerFromPrivateKey(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey);
  const caDer = await createLabCaCertificate({
    signer: ca,
    serialNumberBytes: randomBytes(16),
    notBeforeEpochSeconds: now - DAY,
    notAfterEpochSeconds: now + 3650 * DAY,
  });
  const signer = rawSignerFromPrivateKey(
    signerKey === "rsa" ? generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey : generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey,
  );
  const signerDer = await issueSignerCertificate({
    caCertificateDer: caDer,
    caSigner: ca,
    subjectPublicKeyInfoDer: signer.subjectPublicKeyInfoDer,
    serialNumberBytes: randomBytes(16),
    notBeforeEpochSeconds: now - DAY,
    notAfterEpochSeconds: now + 365 * DAY,
    ...signerOverrides,
  });
  return { caDer, ca, signerDer, signer };
}
