/**
 * The X.509 plumbing shared by the lab CA, the CMS signer and the KSK's CSR: the "raw signer"
 * abstraction (a key that signs bytes, wherever it lives), the signature algorithms these
 * objects use (RFC 4055 RSA, RFC 5758 ECDSA, RFC 8410 EdDSA), distinguished names with one
 * attribute per RDN, and reading a few certificate fields.
 *
 * Every signature in this package goes through `signVerified`: the raw signer signs (in software
 * or inside the HSM), then node:crypto (OpenSSL) verifies the result against the public key
 * before it is put into any structure (docs/architecture.md: every signature is verified in software before use).
 *
 * Left out: RSA-PSS, DSA, certificate revocation (CRLs, OCSP) and name constraints; the lab's
 * trust anchors have none of them.
 */
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import { type DnskeyRdata, KskError, type Signer, dnskeyKeyObject } from "@ksk/core";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

/** The signature schemes of this package, each one hash and one key type. */
export type SignatureScheme = "RSA-SHA256" | "RSA-SHA512" | "ECDSA-SHA256" | "ECDSA-SHA384" | "Ed25519" | "Ed448";

interface SchemeInfo {
  /** AlgorithmIdentifier OID for signatures (RFC 4055 §5, RFC 5758 §3.2, RFC 8410 §3). */
  readonly signatureOid: string;
  /** RSA AlgorithmIdentifiers carry NULL parameters (RFC 4055 §5); ECDSA and EdDSA carry none. */
  readonly nullParameters: boolean;
  /** node:crypto digest name, or null for PureEdDSA (the message is signed as is). */
  readonly nodeHash: "sha256" | "sha384" | "sha512" | null;
}

const SCHEMES: Readonly<Record<SignatureScheme, SchemeInfo>> = {
  "RSA-SHA256": { signatureOid: "1.2.840.113549.1.1.11", nullParameters: true, nodeHash: "sha256" },
  "RSA-SHA512": { signatureOid: "1.2.840.113549.1.1.13", nullParameters: true, nodeHash: "sha512" },
  "ECDSA-SHA256": { signatureOid: "1.2.840.10045.4.3.2", nullParameters: false, nodeHash: "sha256" },
  "ECDSA-SHA384": { signatureOid: "1.2.840.10045.4.3.3", nullParameters: false, nodeHash: "sha384" },
  Ed25519: { signatureOid: "1.3.101.112", nullParameters: false, nodeHash: null },
  Ed448: { signatureOid: "1.3.101.113", nullParameters: false, nodeHash: null },
};

export const OID = {
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  organizationalUnit: "2.5.4.11",
  emailAddress: "1.2.840.113549.1.9.1",
  /** IANA's `resourceRecord` attribute (iana(1000) iana-dns(53)): a DNS record in presentation form. */
  resourceRecord: "1.3.6.1.4.1.1000.53",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
  emailProtection: "1.3.6.1.5.5.7.3.4",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  sha256: "2.16.840.1.101.3.4.2.1",
  data: "1.2.840.113549.1.7.1",
  signedData: "1.2.840.113549.1.7.2",
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingTime: "1.2.840.113549.1.9.5",
} as const;

/**
 * A private key that signs bytes, wherever it is: a software key, or a key in the HSM reached
 * through a DNSSEC `Signer`. `sign` returns the signature in X.509/CMS form (RSA: the PKCS#1 v1.5
 * octets; ECDSA: a DER Ecdsa-Sig-Value; EdDSA: R||S).
 */
export interface RawSigner {
  readonly scheme: SignatureScheme;
  /** The public key as a DER SubjectPublicKeyInfo. */
  readonly subjectPublicKeyInfoDer: Uint8Array;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

export function schemeAlgorithmIdentifier(scheme: SignatureScheme): pkijs.AlgorithmIdentifier {
  const info = SCHEMES[scheme];
  return new pkijs.AlgorithmIdentifier({
    algorithmId: info.signatureOid,
    ...(info.nullParameters ? { algorithmParams: new asn1js.Null() } : {}),
  });
}

/** The scheme named by a signature AlgorithmIdentifier OID; unknown OIDs throw (no fallback). */
export function schemeForOid(oid: string, where: string): SignatureScheme {
  for (const [scheme, info] of Object.entries(SCHEMES)) if (info.signatureOid === oid) return scheme as SignatureScheme;
  throw new KskError("input", "X509-SIGNATURE-ALGORITHM", `signature algorithm ${oid} is not supported (RSA, ECDSA and EdDSA with SHA-2 are)`, { where });
}

/** The scheme a public key implies for our own signatures (RSA and P-256 sign with SHA-256). */
export function schemeForKey(key: KeyObject): SignatureScheme {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return "RSA-SHA256";
    case "ec": {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === "prime256v1") return "ECDSA-SHA256";
      if (curve === "secp384r1") return "ECDSA-SHA384";
      throw new KskError("input", "KEY-TYPE", `EC curve ${curve ?? "unknown"} is not supported (P-256 and P-384 are)`);
    }
    case "ed25519":
      return "Ed25519";
    case "ed448":
      return "Ed448";
    default:
      throw new KskError("input", "KEY-TYPE", `key type ${key.asymmetricKeyType ?? "unknown"} is not supported (RSA, EC, Ed25519, Ed448 are)`);
  }
}

export function publicKeyFromSpki(spkiDer: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.from(spkiDer), format: "der", type: "spki" });
}

/** Verify an X.509/CMS-form signature with node:crypto (OpenSSL). */
export function verifySignature(scheme: SignatureScheme, spkiDer: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return nodeVerify(SCHEMES[scheme].nodeHash, data, publicKeyFromSpki(spkiDer), signature);
  } catch {
    return false;
  }
}

/** Sign with a raw signer and check the signature in software before anyone uses it. */
export async function signVerified(signer: RawSigner, data: Uint8Array, what: string): Promise<Uint8Array> {
  const signature = await signer.sign(data);
  if (!verifySignature(signer.scheme, signer.subjectPublicKeyInfoDer, data, signature)) {
    throw new KskError(
      "keystore",
      "SIGNATURE-UNVERIFIED",
      `the ${signer.scheme} signature over the ${what} does not verify with the signer's public key; nothing was written`,
    );
  }
  return signature;
}

/**
 * A raw signer over a software private key file's bytes: an unencrypted PEM private key, or
 * PKCS#8 DER. Anything else is bad input naming the file.
 */
export function rawSignerFromPrivateKeyFile(bytes: Uint8Array, where: string): RawSigner {
  let privateKey: KeyObject;
  try {
    const text = Buffer.from(bytes).toString("latin1");
    privateKey = text.includes("-----BEGIN")
      ? createPrivateKey({ key: text, format: "pem" })
      : createPrivateKey({ key: Buffer.from(bytes), format: "der", type: "pkcs8" });
  } catch (e) {
    throw new KskError("input", "KEY-UNREADABLE", `is not an unencrypted PEM or PKCS#8 DER private key: ${(e as Error).message}`, { where });
  }
  return rawSignerFromPrivateKey(privateKey);
}

/** A raw signer over a software private key (PEM or PKCS#8 loaded by the caller). */
export function rawSignerFromPrivateKey(privateKey: KeyObject): RawSigner {
  const publicKey = createPublicKey(privateKey);
  const scheme = schemeForKey(publicKey);
  return {
    scheme,
    subjectPublicKeyInfoDer: new Uint8Array(publicKey.export({ format: "der", type: "spki" })),
    sign: async (data) => new Uint8Array(nodeSign(SCHEMES[scheme].nodeHash, data, privateKey)),
  };
}

/** The public key of a DNSKEY as a node KeyObject (RFC 3110, RFC 6605 §4, RFC 8080 §3; core's converter). */
export function dnskeyPublicKey(dnskey: DnskeyRdata): KeyObject {
  return dnskeyKeyObject(dnskey);
}

const SCHEME_FOR_DNSSEC: ReadonlyMap<number, SignatureScheme> = new Map<number, SignatureScheme>([
  [8, "RSA-SHA256"],
  [10, "RSA-SHA512"],
  [13, "ECDSA-SHA256"],
  [14, "ECDSA-SHA384"],
  [15, "Ed25519"],
  [16, "Ed448"],
]);

/**
 * A raw signer over a DNSSEC `Signer` (a KSK in the HSM). A DNSSEC signature is already the X.509
 * one for RSA (RFC 5702 §3: PKCS#1 v1.5) and EdDSA (RFC 8080 §4); ECDSA's r||s (RFC 6605 §4) is
 * re-encoded as the DER Ecdsa-Sig-Value X.509 wants (RFC 5758 §3.2).
 */
export function rawSignerFromDnssecSigner(signer: Signer): RawSigner {
  const scheme = SCHEME_FOR_DNSSEC.get(signer.dnskey.algorithm);
  if (!scheme)
    throw new KskError(
      "input",
      "ALGORITHM-UNKNOWN",
      `key ${signer.label} has DNSSEC algorithm ${signer.dnskey.algorithm}, which has no X.509 signature form here`,
    );
  const spki = new Uint8Array(dnskeyPublicKey(signer.dnskey).export({ format: "der", type: "spki" }));
  return {
    scheme,
    subjectPublicKeyInfoDer: spki,
    sign: async (data) => {
      const signature = await signer.sign(data);
      return scheme.startsWith("ECDSA") ? ecdsaRawToDer(signature) : signature;
    },
  };
}

/** r||s (fixed width) to DER `SEQUENCE { r INTEGER, s INTEGER }`. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  const integer = (b: Uint8Array) => new asn1js.Integer({ valueHex: toArrayBuffer(unsignedInteger(b)) });
  return derOf(new asn1js.Sequence({ value: [integer(raw.subarray(0, half)), integer(raw.subarray(half))] }));
}

/** Minimal two's-complement form of an unsigned big-endian integer. */
function unsignedInteger(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const trimmed = b.subarray(i);
  return (trimmed[0] as number) & 0x80 ? Uint8Array.of(0, ...trimmed) : trimmed;
}

// --- DER helpers ---------------------------------------------------------------------------------

export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return new Uint8Array(bytes).buffer;
}

export function derOf(value: { toBER(sizeOnly?: boolean): ArrayBuffer }): Uint8Array {
  return new Uint8Array(value.toBER(false));
}

/** Parse one whole DER object; trailing bytes or a parse error are bad input naming `what`. */
export function parseDer(bytes: Uint8Array, what: string): asn1js.AsnType {
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(toArrayBuffer(bytes));
  } catch (e) {
    // asn1js throws plain Errors for some malformed primitives (a GeneralizedTime that is no time:
    // "Wrong input string for conversion"); those are malformed input like any other bad DER.
    throw new KskError("input", "DER-MALFORMED", `${what} is not valid DER: ${(e as Error)?.message ?? String(e)}`);
  }
  if (parsed.offset === -1) throw new KskError("input", "DER-MALFORMED", `${what} is not valid DER: ${parsed.result.error}`);
  if (parsed.offset !== bytes.length) throw new KskError("input", "DER-MALFORMED", `${what} has ${bytes.length - parsed.offset} bytes after its DER object`);
  return parsed.result;
}

/** PEM blocks of one label (`CERTIFICATE`), decoded; text outside the blocks is ignored. */
export function pemBlocks(text: string, label: string): Uint8Array[] {
  const re = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+?)-----END ${label}-----`, "g");
  return [...text.matchAll(re)].map((m) => new Uint8Array(Buffer.from((m[1] ?? "").replace(/\s+/g, ""), "base64")));
}

export function toPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString("base64");
  return `-----BEGIN ${label}-----\n${(b64.match(/.{1,64}/g) ?? []).join("\n")}\n-----END ${label}-----\n`;
}

/** Certificates from PEM text (one or more) or from one DER certificate. */
export function readCertificates(bytes: Uint8Array, where: string): Uint8Array[] {
  const text = Buffer.from(bytes).toString("latin1");
  if (text.includes("-----BEGIN")) {
    const blocks = pemBlocks(text, "CERTIFICATE");
    if (blocks.length === 0) throw new KskError("input", "PEM-NO-CERTIFICATE", "holds no PEM CERTIFICATE block", { where });
    return blocks;
  }
  return [bytes];
}

// --- Names ---------------------------------------------------------------------------------------

export interface NameAttribute {
  readonly oid: string;
  readonly value: string;
  /** ASN.1 string type: PrintableString-safe values may still be UTF8String; emailAddress is IA5String. */
  readonly type: "utf8" | "ia5" | "printable";
}

/**
 * A distinguished name with one attribute per RDN, in the order given. pkijs encodes all
 * `typesAndValues` as one multi-valued RDN, so the SEQUENCE of SETs is built
 * here and read back.
 */
export function distinguishedName(attributes: readonly NameAttribute[]): pkijs.RelativeDistinguishedNames {
  const rdns = attributes.map((a) => {
    const value =
      a.type === "ia5"
        ? new asn1js.IA5String({ value: a.value })
        : a.type === "printable"
          ? new asn1js.PrintableString({ value: a.value })
          : new asn1js.Utf8String({ value: a.value });
    return new asn1js.Set({ value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: a.oid }), value] })] });
  });
  return pkijs.RelativeDistinguishedNames.fromBER(toArrayBuffer(derOf(new asn1js.Sequence({ value: rdns }))));
}

/** Every attribute of a name in order, with its value as text (any directory string type). */
export function nameAttributes(name: pkijs.RelativeDistinguishedNames): { oid: string; value: string }[] {
  return name.typesAndValues.map((tv) => ({ oid: tv.type, value: String((tv.value as { valueBlock: { value: unknown } }).valueBlock.value) }));
}

/** A name for messages: `O=…, CN=…, emailAddress=…` in encoded order (unknown OIDs as numbers). */
export function nameToText(name: pkijs.RelativeDistinguishedNames): string {
  const short: Record<string, string> = {
    [OID.commonName]: "CN",
    [OID.organization]: "O",
    [OID.organizationalUnit]: "OU",
    [OID.emailAddress]: "emailAddress",
  };
  return nameAttributes(name)
    .map((a) => `${short[a.oid] ?? a.oid}=${a.value}`)
    .join(", ");
}

/** Parse a certificate with node (for chain checks) and pkijs (for names and extensions). */
export interface ParsedCertificate {
  readonly der: Uint8Array;
  readonly node: X509Certificate;
  readonly pkijs: pkijs.Certificate;
}

export function parseCertificate(der: Uint8Array, where: string): ParsedCertificate {
  let node: X509Certificate;
  try {
    node = new X509Certificate(Buffer.from(der));
  } catch (e) {
    throw new KskError("input", "X509-MALFORMED", `is not an X.509 certificate: ${(e as Error).message}`, { where });
  }
  return { der, node, pkijs: pkijs.Certificate.fromBER(toArrayBuffer(der)) };
}

export function certificateExtension(cert: pkijs.Certificate, oid: string): pkijs.Extension | undefined {
  return cert.extensions?.find((e) => e.extnID === oid);
}

/** The keyUsage bits (RFC 5280 §4.2.1.3) as a set of bit numbers, or undefined if absent. */
export function keyUsageBits(cert: pkijs.Certificate): Set<number> | undefined {
  const ext = certificateExtension(cert, OID.keyUsage);
  if (!ext) return undefined;
  const bitString = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result as asn1js.BitString;
  const bytes = bitString.valueBlock.valueHexView;
  const bits = new Set<number>();
  for (let i = 0; i < bytes.length * 8; i++) if (((bytes[i >> 3] as number) >> (7 - (i & 7))) & 1) bits.add(i);
  return bits;
}

export const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

/** The subject's emailAddress attributes (the field unbound-anchor matches). */
export function subjectEmails(cert: pkijs.Certificate): string[] {
  return nameAttributes(cert.subject)
    .filter((a) => a.oid === OID.emailAddress)
    .map((a) => a.value);
}
