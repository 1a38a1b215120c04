/**
 * A LAB-ONLY certification authority: a self-signed root and the certificates a test lab needs to
 * publish trust anchors the way IANA does — the root-anchors.p7s signer certificate, shaped as
 * unbound-anchor requires it (subject emailAddress, default `dnssec@iana.org`; keyUsage
 * digitalSignature; extendedKeyUsage emailProtection), and a TLS server certificate so tests can
 * serve root-anchors.xml over HTTPS on a loopback address.
 *
 * Pure: keys, serial numbers and validity times are parameters; the caller generates keys and
 * random serials. Left out: intermediate CAs made by this helper (chains given to `anchors sign`
 * may still hold intermediates from elsewhere), CRLs, OCSP, name constraints.
 */
import { createHash } from "node:crypto";
import { KskError } from "@ksk/core";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import {
  derOf,
  distinguishedName,
  KEY_USAGE,
  type NameAttribute,
  OID,
  parseCertificate,
  publicKeyFromSpki,
  type RawSigner,
  schemeAlgorithmIdentifier,
  signVerified,
  toArrayBuffer,
} from "./x509.js";

export const DEFAULT_SIGNER_EMAIL = "dnssec@iana.org";

export interface CertificateValidity {
  readonly notBeforeEpochSeconds: number;
  readonly notAfterEpochSeconds: number;
}

export interface LabCaOptions extends CertificateValidity {
  /** The CA key (it signs its own certificate). */
  readonly signer: RawSigner;
  /** Positive serial number, big-endian (at most 20 octets, RFC 5280 §4.1.2.2). */
  readonly serialNumberBytes: Uint8Array;
  readonly commonName?: string;
  readonly organization?: string;
}

export interface IssueOptions extends CertificateValidity {
  /** The issuing CA: its certificate and its key. */
  readonly caCertificateDer: Uint8Array;
  readonly caSigner: RawSigner;
  /** The subject's public key (DER SubjectPublicKeyInfo). */
  readonly subjectPublicKeyInfoDer: Uint8Array;
  readonly serialNumberBytes: Uint8Array;
}

export interface SignerCertificateOptions extends IssueOptions {
  /** Subject emailAddress that unbound-anchor's `-n` matches (default dnssec@iana.org). */
  readonly email?: string;
  readonly commonName?: string;
  readonly organization?: string;
}

export interface ServerCertificateOptions extends IssueOptions {
  readonly commonName: string;
  readonly dnsNames?: readonly string[];
  /** IPv4 or IPv6 addresses for subjectAltName iPAddress entries. */
  readonly ipAddresses?: readonly string[];
}

/** The self-signed lab root: basicConstraints cA, keyUsage keyCertSign + cRLSign. */
export async function createLabCaCertificate(options: LabCaOptions): Promise<Uint8Array> {
  const subject = distinguishedName([
    { oid: OID.organization, value: options.organization ?? "KSK Ceremony Test Lab", type: "utf8" },
    { oid: OID.commonName, value: options.commonName ?? "KSK Ceremony Test Lab Root CA (TEST ONLY)", type: "utf8" },
  ]);
  const ski = keyIdentifier(options.signer.subjectPublicKeyInfoDer);
  return buildCertificate({
    issuer: subject,
    subject,
    issuerSigner: options.signer,
    subjectPublicKeyInfoDer: options.signer.subjectPublicKeyInfoDer,
    serialNumberBytes: options.serialNumberBytes,
    validity: options,
    extensions: [
      basicConstraints(true),
      keyUsage([KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign]),
      extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: toArrayBuffer(ski) })),
    ],
  });
}

/** The root-anchors.p7s signer: emailAddress in the subject, digitalSignature, emailProtection. */
export async function issueSignerCertificate(options: SignerCertificateOptions): Promise<Uint8Array> {
  const email = options.email ?? DEFAULT_SIGNER_EMAIL;
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || !/^[\x20-\x7e]+$/.test(email)) {
    throw new KskError("usage", "USAGE-EMAIL", `"${email}" is not an email address (IA5 characters, one @)`);
  }
  const subjectAttributes: NameAttribute[] = [
    { oid: OID.organization, value: options.organization ?? "KSK Ceremony Test Lab", type: "utf8" },
    { oid: OID.commonName, value: options.commonName ?? "Root Zone Trust Anchor Signer (TEST ONLY)", type: "utf8" },
    // PKCS #9 emailAddress is an IA5String (RFC 2985 §5.2.1); unbound-anchor matches it exactly.
    { oid: OID.emailAddress, value: email, type: "ia5" },
  ];
  return issue(options, subjectAttributes, [
    basicConstraints(false),
    keyUsage([KEY_USAGE.digitalSignature]),
    extension(OID.extKeyUsage, false, new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.emailProtection })] })),
    subjectAltName([new pkijs.GeneralName({ type: 1, value: email })]),
  ]);
}

/** A TLS server certificate (serverAuth) for a lab HTTPS server. */
export async function issueServerCertificate(options: ServerCertificateOptions): Promise<Uint8Array> {
  const names = [
    ...(options.dnsNames ?? []).map((n) => new pkijs.GeneralName({ type: 2, value: n })),
    ...(options.ipAddresses ?? []).map((ip) => new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: toArrayBuffer(ipBytes(ip)) }) })),
  ];
  return issue(
    options,
    [{ oid: OID.commonName, value: options.commonName, type: "utf8" }],
    [
      basicConstraints(false),
      keyUsage([KEY_USAGE.digitalSignature]),
      extension(OID.extKeyUsage, false, new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.serverAuth })] })),
      ...(names.length ? [subjectAltName(names)] : []),
    ],
  );
}

async function issue(options: IssueOptions, subjectAttributes: readonly NameAttribute[], extensions: pkijs.Extension[]): Promise<Uint8Array> {
  const ca = parseCertificate(options.caCertificateDer, "CA certificate");
  if (!ca.node.ca) throw new KskError("input", "CA-NOT-CA", "the issuing certificate is not a CA (basicConstraints cA is not set)");
  if (!ca.node.publicKey.equals(publicKeyFromSpki(options.caSigner.subjectPublicKeyInfoDer))) {
    throw new KskError("input", "CA-KEY-MISMATCH", "the CA key does not belong to the CA certificate");
  }
  const caSki = keyIdentifier(new Uint8Array(ca.node.publicKey.export({ format: "der", type: "spki" })));
  const ski = keyIdentifier(options.subjectPublicKeyInfoDer);
  return buildCertificate({
    issuer: ca.pkijs.subject,
    subject: distinguishedName(subjectAttributes),
    issuerSigner: options.caSigner,
    subjectPublicKeyInfoDer: options.subjectPublicKeyInfoDer,
    serialNumberBytes: options.serialNumberBytes,
    validity: options,
    extensions: [
      ...extensions,
      extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: toArrayBuffer(ski) })),
      extension(
        OID.authorityKeyIdentifier,
        false,
        new asn1js.Sequence({ value: [new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: toArrayBuffer(caSki) })] }),
      ),
    ],
  });
}

interface BuildOptions {
  readonly issuer: pkijs.RelativeDistinguishedNames;
  readonly subject: pkijs.RelativeDistinguishedNames;
  readonly issuerSigner: RawSigner;
  readonly subjectPublicKeyInfoDer: Uint8Array;
  readonly serialNumberBytes: Uint8Array;
  readonly validity: CertificateValidity;
  readonly extensions: pkijs.Extension[];
}

/** Build the TBSCertificate, sign it with the issuer's raw signer, and return the DER certificate. */
async function buildCertificate(o: BuildOptions): Promise<Uint8Array> {
  const serial = o.serialNumberBytes;
  if (serial.length === 0 || serial.length > 20 || serial.every((b) => b === 0)) {
    throw new KskError("usage", "USAGE-SERIAL", "a certificate serial number is 1 to 20 octets and not zero (RFC 5280 §4.1.2.2)");
  }
  if (o.validity.notAfterEpochSeconds <= o.validity.notBeforeEpochSeconds) {
    throw new KskError("usage", "USAGE-VALIDITY", "a certificate's notAfter must be later than its notBefore");
  }
  const cert = new pkijs.Certificate();
  cert.version = 2;
  // DER (X.690 §8.3.2) wants the minimal INTEGER: redundant leading zero octets are dropped (OpenSSL
  // refuses "00 01 …"), and one 0x00 is put back only where a high first bit would make it negative.
  const firstNonZero = serial.findIndex((b) => b !== 0);
  const minimal = serial.subarray(firstNonZero);
  cert.serialNumber = new asn1js.Integer({ valueHex: toArrayBuffer((minimal[0] as number) & 0x80 ? Uint8Array.of(0, ...minimal) : minimal) });
  cert.signature = schemeAlgorithmIdentifier(o.issuerSigner.scheme);
  cert.signatureAlgorithm = schemeAlgorithmIdentifier(o.issuerSigner.scheme);
  cert.issuer = o.issuer;
  cert.subject = o.subject;
  cert.notBefore = x509Time(o.validity.notBeforeEpochSeconds);
  cert.notAfter = x509Time(o.validity.notAfterEpochSeconds);
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(toArrayBuffer(o.subjectPublicKeyInfoDer));
  cert.extensions = o.extensions;
  // encodeTBS() is protected in pkijs's types; toSchema(true) encodes the TBS from the fields.
  const tbsSchema = cert.toSchema(true).valueBlock.value[0];
  if (!tbsSchema) throw new Error("pkijs produced a certificate without a TBSCertificate");
  const tbs = derOf(tbsSchema);
  const signature = await signVerified(o.issuerSigner, tbs, "certificate");
  cert.tbsView = tbs;
  cert.signatureValue = new asn1js.BitString({ valueHex: toArrayBuffer(signature) });
  return derOf(cert.toSchema(false));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
function x509Time(epochSeconds: number): pkijs.Time {
  const date = new Date(epochSeconds * 1000);
  return new pkijs.Time({ type: date.getUTCFullYear() < 2050 ? 0 : 1, value: date });
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING's value. */
function keyIdentifier(spkiDer: Uint8Array): Uint8Array {
  const spki = pkijs.PublicKeyInfo.fromBER(toArrayBuffer(spkiDer));
  return new Uint8Array(createHash("sha1").update(spki.subjectPublicKey.valueBlock.valueHexView).digest());
}

function extension(oid: string, critical: boolean, value: { toBER(sizeOnly?: boolean): ArrayBuffer }): pkijs.Extension {
  return new pkijs.Extension({ extnID: oid, critical, extnValue: value.toBER(false) });
}

function basicConstraints(isCa: boolean): pkijs.Extension {
  return extension(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: isCa }).toSchema());
}

/** keyUsage as a DER BIT STRING with the named bits set and trailing zero bits dropped. */
function keyUsage(bitNumbers: readonly number[]): pkijs.Extension {
  const highest = Math.max(...bitNumbers);
  const octets = new Uint8Array((highest >> 3) + 1);
  for (const bit of bitNumbers) octets[bit >> 3] = (octets[bit >> 3] as number) | (0x80 >> (bit & 7));
  const unused = 7 - (highest & 7);
  return extension(OID.keyUsage, true, new asn1js.BitString({ valueHex: toArrayBuffer(octets), unusedBits: unused }));
}

function subjectAltName(names: pkijs.GeneralName[]): pkijs.Extension {
  return extension(OID.subjectAltName, false, new pkijs.AltName({ altNames: names }).toSchema());
}

function ipBytes(ip: string): Uint8Array {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) return Uint8Array.from(v4.slice(1).map((o) => Number(o)));
  if (ip === "::1") return Uint8Array.of(...new Array(15).fill(0), 1);
  throw new KskError("usage", "USAGE-IP", `"${ip}" is not an IPv4 address or ::1`);
}
