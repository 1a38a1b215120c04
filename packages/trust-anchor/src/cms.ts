/**
 * root-anchors.p7s: a DER detached CMS SignedData (RFC 5652) over the exact bytes of
 * root-anchors.xml, as IANA publishes it (RFC 9718 §3) and unbound-anchor checks it.
 *
 * Signing: SHA-256 message digest; signed attributes contentType (id-data), signingTime and
 * messageDigest (RFC 5652 §5.3, §11), DER-sorted as a SET OF must be; the signer certificate and
 * any intermediates embedded; the signature over the DER of the signed attributes comes from a
 * `RawSigner` (a software key, or a key in the HSM) and is verified in software before use.
 *
 * Verifying: the CMS must be detached id-data; every SignerInfo must verify — messageDigest equal
 * to the content's digest, signature over the signed attributes' original bytes — with a signer
 * certificate that chains, inside the CMS, to one of the given CA certificates, every certificate
 * valid at the given time, issuers being CAs, the signer allowed digitalSignature and (if it has an
 * EKU) emailProtection, and carrying the expected subject emailAddress (what unbound-anchor
 * matches). Signature and chain checks use node:crypto (OpenSSL), not pkijs.
 *
 * Left out: CRL/OCSP revocation, counter-signatures, SignerInfos without signed attributes from
 * our own signer (the verifier accepts them, as RFC 5652 §5.4 allows).
 */
import { createHash, type X509Certificate, verify as nodeVerify } from "node:crypto";
import { bytesEqual, KskError, type CheckCode, checkFailed } from "@ksk/core";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { DEFAULT_SIGNER_EMAIL } from "./lab-ca.js";
import {
  derOf,
  KEY_USAGE,
  keyUsageBits,
  nameToText,
  OID,
  type ParsedCertificate,
  parseCertificate,
  parseDer,
  publicKeyFromSpki,
  type RawSigner,
  schemeAlgorithmIdentifier,
  signVerified,
  subjectEmails,
  toArrayBuffer,
} from "./x509.js";

export interface SignDetachedOptions {
  /** The exact bytes to sign (root-anchors.xml as written). */
  readonly contentBytes: Uint8Array;
  readonly signer: RawSigner;
  readonly signerCertificateDer: Uint8Array;
  /** Intermediate certificates (and, if wanted, the root) to embed after the signer's. */
  readonly chainDers?: readonly Uint8Array[];
  /** The signingTime attribute; the signer certificate must be valid then. */
  readonly signingEpochSeconds: number;
}

/** Build root-anchors.p7s. */
export async function signDetachedCms(o: SignDetachedOptions): Promise<Uint8Array> {
  if (o.signer.scheme !== "RSA-SHA256" && o.signer.scheme !== "ECDSA-SHA256") {
    throw new KskError("input", "CMS-KEY", `the CMS signer must be RSA or ECDSA P-256 with SHA-256; this key signs ${o.signer.scheme}`);
  }
  const signerCert = parseCertificate(o.signerCertificateDer, "signer certificate");
  if (!signerCert.node.publicKey.equals(publicKeyFromSpki(o.signer.subjectPublicKeyInfoDer))) {
    throw new KskError("input", "CMS-KEY-MISMATCH", "the signing key does not belong to the signer certificate");
  }
  checkValidAt("signer certificate", signerCert, o.signingEpochSeconds, "the signer certificate");

  const digest = new Uint8Array(createHash("sha256").update(o.contentBytes).digest());
  const attributes = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    new pkijs.Attribute({ type: OID.signingTime, values: [signingTimeValue(o.signingEpochSeconds)] }),
    new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: toArrayBuffer(digest) })] }),
  ];
  // DER (X.690 §11.6): the components of a SET OF are sorted by their encodings. OpenSSL re-encodes
  // the attributes in DER before verifying, so an unsorted SET would not verify there.
  const sorted = attributes
    .map((a) => ({ a, der: derOf(a.toSchema()) }))
    .sort((x, y) => Buffer.compare(x.der, y.der))
    .map((x) => x.a);
  // RFC 5652 §5.4: the signature covers the DER of the attributes with an explicit SET OF tag.
  const signedAttributesDer = derOf(new asn1js.Set({ value: sorted.map((a) => a.toSchema()) }));
  const signature = await signVerified(o.signer, signedAttributesDer, "CMS signed attributes");

  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: signerCert.pkijs.issuer, serialNumber: signerCert.pkijs.serialNumber }),
    digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: sorted }),
    signatureAlgorithm: schemeAlgorithmIdentifier(o.signer.scheme),
    signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
  });
  const certificates = [o.signerCertificateDer, ...(o.chainDers ?? [])].map(
    (der, i) => parseCertificate(der, i === 0 ? "signer certificate" : `chain certificate ${i}`).pkijs,
  );
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 })],
    // Detached: id-data with no eContent (RFC 5652 §5.2).
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates,
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return derOf(contentInfo.toSchema());
}

/** RFC 5652 §11.3: UTCTime through 2049, GeneralizedTime from 2050. */
function signingTimeValue(epochSeconds: number): asn1js.UTCTime | asn1js.GeneralizedTime {
  const date = new Date(epochSeconds * 1000);
  return date.getUTCFullYear() < 2050 ? new asn1js.UTCTime({ valueDate: date }) : new asn1js.GeneralizedTime({ valueDate: date });
}

export interface VerifyDetachedOptions {
  readonly cmsDer: Uint8Array;
  /** The exact bytes the signature should cover. */
  readonly contentBytes: Uint8Array;
  /** Trusted roots (the CA file); at least one. */
  readonly trustedCaDers: readonly Uint8Array[];
  /** The subject emailAddress the signer must carry (default dnssec@iana.org). */
  readonly signerEmail?: string;
  readonly atEpochSeconds: number;
  /** The .p7s's name for messages (default root-anchors.p7s). */
  readonly where?: string;
}

export interface CmsVerdict {
  readonly signers: readonly {
    readonly subject: string;
    readonly emails: readonly string[];
    readonly signingEpochSeconds: number | undefined;
    /** Subjects from the signer up to the trusted root. */
    readonly chain: readonly string[];
  }[];
}

const DIGESTS: ReadonlyMap<string, "sha256" | "sha384" | "sha512"> = new Map([
  ["2.16.840.1.101.3.4.2.1", "sha256"],
  ["2.16.840.1.101.3.4.2.2", "sha384"],
  ["2.16.840.1.101.3.4.2.3", "sha512"],
]);

/** Signature OIDs and the digest each implies (undefined: the digestAlgorithm decides). */
const CMS_SIGNATURES: ReadonlyMap<string, string | undefined> = new Map([
  ["1.2.840.113549.1.1.1", undefined], // rsaEncryption (what openssl cms -sign writes)
  ["1.2.840.113549.1.1.11", "sha256"],
  ["1.2.840.113549.1.1.12", "sha384"],
  ["1.2.840.113549.1.1.13", "sha512"],
  ["1.2.840.10045.2.1", undefined], // id-ecPublicKey
  ["1.2.840.10045.4.3.2", "sha256"],
  ["1.2.840.10045.4.3.3", "sha384"],
  ["1.2.840.10045.4.3.4", "sha512"],
]);

function cmsCheck(where: string, code: CheckCode, detail: string): KskError {
  return checkFailed(code, detail, where);
}

/**
 * Verify root-anchors.p7s over `contentBytes`; throws a check failure naming what failed. Each
 * SignerInfo goes through one function per check, in unbound-anchor's order: TA-CMS-SIGNATURE's
 * algorithms, TA-CMS-DIGEST, TA-CMS-SIGNATURE itself, TA-CMS-CHAIN with TA-CMS-CERT-TIME,
 * TA-CMS-CERT-USAGE and TA-CMS-EMAIL.
 */
export function verifyDetachedCms(o: VerifyDetachedOptions): CmsVerdict {
  if (o.trustedCaDers.length === 0) throw new KskError("usage", "USAGE-CA", "no CA certificate to verify the CMS signature against");
  const trusted = o.trustedCaDers.map((der, i) => parseCertificate(der, `CA certificate ${i + 1}`));
  const email = o.signerEmail ?? DEFAULT_SIGNER_EMAIL;
  const where = o.where ?? "root-anchors.p7s";
  const signedData = readSignedData(o.cmsDer, where);
  if (signedData.signerInfos.length === 0) throw cmsCheck(where, "TA-CMS-SIGNATURE", "has no SignerInfo");
  const embedded = (signedData.certificates ?? [])
    .filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
    .map((c, i) => parseCertificate(derOf(c.toSchema()), `embedded certificate ${i + 1}`));

  const signers = signedData.signerInfos.map((info, index) => {
    const label = signedData.signerInfos.length > 1 ? `SignerInfo ${index + 1}` : "the signature";
    const hash = checkSignatureAlgorithms(where, info, label);
    const { signedBytes, signingEpochSeconds } = checkMessageDigest(where, info, label, hash, o.contentBytes);
    const signer = checkSignature(where, info, label, hash, signedBytes, embedded);
    const chain = buildChain(where, signer, embedded, trusted, o.atEpochSeconds);
    checkSignerUsage(where, signer);
    const emails = checkSignerEmail(signer.pkijs, email, where);
    return { subject: nameToText(signer.pkijs.subject), emails, signingEpochSeconds, chain: chain.map((c) => nameToText(c.pkijs.subject)) };
  });
  return { signers };
}

/** The .p7s as a detached id-data SignedData in DER, with RFC 5652's versions and parameters; anything else is bad input. */
function readSignedData(cmsDer: Uint8Array, where: string): pkijs.SignedData {
  let asn: ReturnType<typeof parseDer>;
  try {
    asn = parseDer(cmsDer, "the .p7s file");
  } catch (e) {
    throw e instanceof KskError ? e.within(where) : e;
  }
  // DER exactly, as written here and by `openssl cms -outform DER`: asn1js reads BER leniently (a
  // certificate length one too long still parsed, and the signature still verified), so bytes
  // that do not re-encode identically are refused rather than read some lenient way.
  if (!bytesEqual(derOf(asn), cmsDer)) {
    throw new KskError("input", "CMS-NOT-DER", "is not DER: some tag or length is not as a DER encoder writes it", { where });
  }
  let signedData: pkijs.SignedData;
  try {
    const contentInfo = new pkijs.ContentInfo({ schema: asn });
    if (contentInfo.contentType !== OID.signedData) throw new Error(`content type is ${contentInfo.contentType}, not signedData`);
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
  } catch (e) {
    throw new KskError("input", "CMS-MALFORMED", `is not a CMS SignedData: ${(e as Error).message}`, { where });
  }
  const malformed = (detail: string) => new KskError("input", "CMS-MALFORMED", detail, { where });
  // RFC 5652 §5.1: SignedData version 1, 3, 4 or 5 (0 does not exist); §5.3: a SignerInfo is
  // version 1 with issuerAndSerialNumber, 3 with subjectKeyIdentifier. Unsigned, but a changed
  // version is a changed file, and the verifier says so.
  if (![1, 3, 4, 5].includes(signedData.version)) throw malformed(`SignedData version ${signedData.version} is not a CMS version (RFC 5652 §5.1)`);
  for (const info of signedData.signerInfos) {
    const expected = info.sid instanceof pkijs.IssuerAndSerialNumber ? 1 : 3;
    if (info.version !== expected) throw malformed(`SignerInfo version ${info.version} does not match its signer identifier (RFC 5652 §5.3: ${expected})`);
    // RFC 5754 §2-3 and RFC 4055 §5: digest and RSA signature algorithm parameters are absent or
    // NULL (ECDSA's are absent); anything else there is not what any signer writes.
    for (const [what, algorithm] of [
      ["digest", info.digestAlgorithm],
      ["signature", info.signatureAlgorithm],
    ] as const) {
      const params = algorithm.algorithmParams as unknown;
      if (params !== undefined && !(params instanceof asn1js.Null)) throw malformed(`the SignerInfo's ${what} algorithm has parameters other than NULL`);
    }
    // RFC 5652 §5.1: digestAlgorithms lists the digest algorithm of every signer.
    if (!signedData.digestAlgorithms.some((a) => a.algorithmId === info.digestAlgorithm.algorithmId)) {
      throw malformed(`the SignerInfo's digest algorithm ${info.digestAlgorithm.algorithmId} is not in SignedData digestAlgorithms`);
    }
  }
  if (signedData.encapContentInfo.eContentType !== OID.data) {
    throw new KskError("input", "CMS-MALFORMED", `signs content of type ${signedData.encapContentInfo.eContentType}, not id-data`, {
      where: "root-anchors.p7s",
    });
  }
  if (signedData.encapContentInfo.eContent) {
    throw new KskError("input", "CMS-NOT-DETACHED", "carries its content inside; root-anchors.p7s is a detached signature", { where });
  }
  return signedData;
}

/** TA-CMS-SIGNATURE, its algorithms: a known digest, a known signature algorithm, and the two agree. Returns the digest's name. */
function checkSignatureAlgorithms(where: string, info: pkijs.SignerInfo, label: string): "sha256" | "sha384" | "sha512" {
  const hash = DIGESTS.get(info.digestAlgorithm.algorithmId);
  if (!hash)
    throw cmsCheck(where, "TA-CMS-SIGNATURE", `${label} uses digest algorithm ${info.digestAlgorithm.algorithmId}; SHA-256, SHA-384 or SHA-512 expected`);
  const sigOid = info.signatureAlgorithm.algorithmId;
  if (!CMS_SIGNATURES.has(sigOid)) throw cmsCheck(where, "TA-CMS-SIGNATURE", `${label} uses signature algorithm ${sigOid}, which is not supported`);
  const impliedHash = CMS_SIGNATURES.get(sigOid);
  if (impliedHash !== undefined && impliedHash !== hash)
    throw cmsCheck(where, "TA-CMS-SIGNATURE", `${label}: signature algorithm ${sigOid} does not use the digest algorithm ${hash}`);
  return hash;
}

/**
 * TA-CMS-DIGEST: the messageDigest attribute is the digest of the exact XML bytes (RFC 5652 §11.2),
 * with exactly one content-type (id-data) and message-digest attribute. Returns the bytes the
 * signature covers (the attributes' original encoding, or the content without attributes) and the
 * signing time, if given.
 */
function checkMessageDigest(
  where: string,
  info: pkijs.SignerInfo,
  label: string,
  hash: string,
  contentBytes: Uint8Array,
): { signedBytes: Uint8Array; signingEpochSeconds: number | undefined } {
  if (!info.signedAttrs) return { signedBytes: contentBytes, signingEpochSeconds: undefined };
  const attrs = info.signedAttrs.attributes;
  const one = (oid: string, name: string) => {
    const found = attrs.filter((a) => a.type === oid);
    if (found.length !== 1 || found[0]?.values.length !== 1)
      throw cmsCheck(where, "TA-CMS-SIGNATURE", `${label} must carry exactly one ${name} signed attribute (RFC 5652 §11)`);
    return found[0].values[0];
  };
  const contentType = one(OID.contentType, "content-type") as asn1js.ObjectIdentifier;
  if (contentType.valueBlock.toString() !== OID.data) throw cmsCheck(where, "TA-CMS-SIGNATURE", `${label}: content-type attribute is not id-data`);
  const messageDigest = one(OID.messageDigest, "message-digest") as asn1js.OctetString;
  const contentDigest = new Uint8Array(createHash(hash).update(contentBytes).digest());
  if (!bytesEqual(new Uint8Array(messageDigest.valueBlock.valueHexView), contentDigest)) {
    throw cmsCheck(where, "TA-CMS-DIGEST", `${label} is over different content: its message digest does not match the ${hash.toUpperCase()} of the XML bytes`);
  }
  // The signature covers the attributes' original bytes, re-tagged as a SET (pkijs keeps them).
  return { signedBytes: new Uint8Array(info.signedAttrs.encodedValue), signingEpochSeconds: signingTimeOf(where, attrs, label) };
}

/** The signing-time attribute, if any; one that names no real time is bad input. */
function signingTimeOf(where: string, attrs: readonly pkijs.Attribute[], label: string): number | undefined {
  const time = attrs.filter((a) => a.type === OID.signingTime)[0]?.values[0] as asn1js.UTCTime | asn1js.GeneralizedTime | undefined;
  if (!time) return undefined;
  // RFC 5652 §11.3 with DER (RFC 5280 §4.1.2.5): YYMMDDHHMMSSZ or YYYYMMDDHHMMSSZ exactly;
  // asn1js leaves a zero date behind for anything else rather than failing.
  const text = Buffer.from(time.valueBlock.valueHexView ?? new Uint8Array()).toString("latin1");
  // (asn1js's GeneralizedTime is a subclass of its UTCTime, so it is tested first.)
  const form = time instanceof asn1js.GeneralizedTime ? /^\d{14}Z$/ : time instanceof asn1js.UTCTime ? /^\d{12}Z$/ : undefined;
  const epochMilliseconds = form?.test(text) ? (time as asn1js.UTCTime).toDate().getTime() : Number.NaN;
  if (!Number.isFinite(epochMilliseconds)) {
    throw new KskError("input", "CMS-MALFORMED", `${label}: the signing-time attribute is not a UTCTime or GeneralizedTime that names a real time`, {
      where,
    });
  }
  return Math.floor(epochMilliseconds / 1000);
}

/** TA-CMS-SIGNATURE: the signer certificate is inside the .p7s and its key verifies the signature (node:crypto). */
function checkSignature(
  where: string,
  info: pkijs.SignerInfo,
  label: string,
  hash: string,
  signedBytes: Uint8Array,
  embedded: readonly ParsedCertificate[],
): ParsedCertificate {
  const signer = findSignerCertificate(info, embedded);
  if (!signer) throw cmsCheck(where, "TA-CMS-CHAIN", `${label}: the signer certificate is not inside the .p7s (unbound-anchor needs it there)`);
  const signatureBytes = new Uint8Array(info.signature.valueBlock.valueHexView);
  let ok = false;
  try {
    ok = nodeVerify(hash, signedBytes, signer.node.publicKey, signatureBytes);
  } catch {
    ok = false;
  }
  if (!ok) throw cmsCheck(where, "TA-CMS-SIGNATURE", `${label} does not verify with the key of ${nameToText(signer.pkijs.subject)}`);
  return signer;
}

/**
 * TA-CMS-EMAIL: the signer certificate's subject carries the expected emailAddress, the name
 * unbound-anchor matches with -n. `anchors sign` asks it of a certificate before signing with it.
 * Returns the subject's addresses.
 */
export function checkSignerEmail(certificate: pkijs.Certificate, email: string, where: string): string[] {
  const emails = subjectEmails(certificate);
  if (!emails.includes(email)) {
    throw cmsCheck(
      where,
      "TA-CMS-EMAIL",
      `the signer certificate's subject has ${emails.length ? `emailAddress ${emails.join(", ")}` : "no emailAddress"}; expected emailAddress=${email} (unbound-anchor -n)`,
    );
  }
  return emails;
}

function findSignerCertificate(info: pkijs.SignerInfo, certificates: readonly ParsedCertificate[]): ParsedCertificate | undefined {
  if (info.sid instanceof pkijs.IssuerAndSerialNumber) {
    const sid = info.sid;
    return certificates.find((c) => c.pkijs.issuer.isEqual(sid.issuer) && c.pkijs.serialNumber.isEqual(sid.serialNumber));
  }
  // [0] SubjectKeyIdentifier (RFC 5652 §5.3): match the certificate's SKI extension.
  const ski = new Uint8Array((info.sid as asn1js.Primitive).valueBlock.valueHexView);
  return certificates.find((c) => {
    const ext = c.pkijs.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier);
    if (!ext) return false;
    const value = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result as asn1js.OctetString;
    return bytesEqual(new Uint8Array(value.valueBlock.valueHexView), ski);
  });
}

function checkValidAt(where: string, cert: ParsedCertificate, atEpochSeconds: number, what: string): void {
  const from = Date.parse(cert.node.validFrom) / 1000;
  const to = Date.parse(cert.node.validTo) / 1000;
  const subject = nameToText(cert.pkijs.subject);
  // A time that does not parse compares false with everything: refuse it rather than let it pass.
  if (!Number.isFinite(from)) throw cmsCheck(where, "TA-CMS-CERT-TIME", `${what} (${subject}) has a notBefore that is not a valid time`);
  if (!Number.isFinite(to)) throw cmsCheck(where, "TA-CMS-CERT-TIME", `${what} (${subject}) has a notAfter that is not a valid time`);
  if (atEpochSeconds < from) throw cmsCheck(where, "TA-CMS-CERT-TIME", `${what} (${subject}) is not valid until ${new Date(from * 1000).toISOString()}`);
  if (atEpochSeconds > to) throw cmsCheck(where, "TA-CMS-CERT-TIME", `${what} (${subject}) expired on ${new Date(to * 1000).toISOString()}`);
}

/**
 * The path from the signer to a trusted root, through certificates in the CMS. Each link is a
 * name match plus a signature check; every certificate on the path must be valid at the time.
 */
function buildChain(
  where: string,
  signer: ParsedCertificate,
  embedded: readonly ParsedCertificate[],
  trusted: readonly ParsedCertificate[],
  at: number,
): ParsedCertificate[] {
  const path: ParsedCertificate[] = [signer];
  checkValidAt(where, signer, at, "the signer certificate");
  let current = signer;
  for (let depth = 0; depth < 8; depth++) {
    if (trusted.some((t) => t.node.raw.equals(current.node.raw))) return path;
    const root = trusted.find((t) => issues(t, current));
    if (root) {
      checkValidAt(where, root, at, "the CA certificate");
      path.push(root);
      return path;
    }
    const next = embedded.find((c) => c !== current && !path.includes(c) && issues(c, current));
    if (!next) break;
    checkValidAt(where, next, at, "an intermediate certificate");
    path.push(next);
    current = next;
  }
  throw cmsCheck(where, "TA-CMS-CHAIN", `the signer certificate (${nameToText(signer.pkijs.subject)}) does not chain to any of the given CA certificates`);
}

/** Does `issuer` issue `subject`: names match, issuer is a CA allowed to sign certificates, signature verifies. */
function issues(issuer: ParsedCertificate, subject: ParsedCertificate): boolean {
  if (!issuer.pkijs.subject.isEqual(subject.pkijs.issuer)) return false;
  if (!issuer.node.ca) return false;
  const usage = keyUsageBits(issuer.pkijs);
  if (usage && !usage.has(KEY_USAGE.keyCertSign)) return false;
  return subject.node.verify(issuer.node.publicKey);
}

function checkSignerUsage(where: string, signer: ParsedCertificate): void {
  const usage = keyUsageBits(signer.pkijs);
  if (usage && !usage.has(KEY_USAGE.digitalSignature))
    throw cmsCheck(where, "TA-CMS-CERT-USAGE", "the signer certificate's keyUsage does not allow digitalSignature");
  const eku = (signer.node as X509Certificate & { keyUsage?: string[] }).keyUsage;
  if (eku && eku.length > 0 && !eku.includes(OID.emailProtection) && !eku.includes("2.5.29.37.0")) {
    throw cmsCheck(where, "TA-CMS-CERT-USAGE", `the signer certificate's extendedKeyUsage (${eku.join(", ")}) does not include emailProtection`);
  }
}
