/**
 * The KSK's certificate signing request, as IANA made them for each root KSK (RFC 7958 §3,
 * still described in RFC 9718 §3): PKCS#10 (RFC 2986) signed by the KSK itself, subject
 * O / OU / CN "Root Zone KSK <generation time>" — each attribute its own RDN — followed by an RDN of
 * IANA's resourceRecord attribute (OID 1.3.6.1.4.1.1000.53, IA5String) holding the key's DS
 * record in presentation form (`. IN DS 20326 8 2 E06D…`).
 *
 * `createKskCsr` signs through a DNSSEC `Signer` (the KSK in the HSM) via a raw signer, so the
 * TBS bytes are built here and the signature is verified in software before it is used.
 * `readKskCsr` decodes any such CSR (IANA's 2010-era ones included: the DS is looked for in the
 * subject, then in the request attributes) and `checkKskCsr` checks that the self-signature
 * verifies and that the DS is the DS of the key that signed.
 *
 * Left out: extension requests, challenge passwords, and keys other than DNSSEC algorithms
 * 8, 10, 13, 14, 15, 16.
 */
import { createPublicKey } from "node:crypto";
import {
  bytesToHex,
  type DnskeyRdata,
  type DsRdata,
  digestTypeInfo,
  dsMatches,
  dnskeyPublicKeyFromKeyObject,
  formatIsoUtc,
  hexToBytes,
  KskError,
  keyTag,
  makeDs,
  type Name,
  nameToString,
  parseName,
  ROOT,
  type Signer,
  checkFailed,
} from "@ksk/core";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import {
  derOf,
  distinguishedName,
  nameAttributes,
  nameToText,
  OID,
  parseDer,
  rawSignerFromDnssecSigner,
  schemeAlgorithmIdentifier,
  schemeForOid,
  signVerified,
  toArrayBuffer,
  verifySignature,
} from "./x509.js";

export interface CreateKskCsrOptions {
  /** The KSK (in the HSM); it signs its own request. */
  readonly signer: Signer;
  /** When the key was generated: the CN reads "Root Zone KSK <that time>". */
  readonly generationEpochSeconds: number;
  readonly zone?: Name;
  readonly organization?: string;
  readonly organizationalUnit?: string;
  /** DS digest type for the resourceRecord attribute (default 2, SHA-256). */
  readonly digestType?: number;
}

/** `. IN DS 20326 8 2 E06D…` — the resourceRecord attribute's text. */
export function dsAttributeText(zone: Name, ds: DsRdata): string {
  return `${nameToString(zone)} IN DS ${ds.keyTag} ${ds.algorithm} ${ds.digestType} ${bytesToHex(ds.digestBytes, true)}`;
}

/** Build and self-sign the KSK's CSR; returns DER. */
export async function createKskCsr(o: CreateKskCsrOptions): Promise<Uint8Array> {
  const zone = o.zone ?? ROOT;
  const raw = rawSignerFromDnssecSigner(o.signer);
  const ds = makeDs(zone, o.signer.dnskey, o.digestType ?? 2);
  const subject = distinguishedName([
    { oid: OID.organization, value: o.organization ?? "ICANN", type: "utf8" },
    { oid: OID.organizationalUnit, value: o.organizationalUnit ?? "IANA", type: "utf8" },
    { oid: OID.commonName, value: `Root Zone KSK ${formatIsoUtc(o.generationEpochSeconds)}`, type: "utf8" },
    { oid: OID.resourceRecord, value: dsAttributeText(zone, ds), type: "ia5" },
  ]);
  const spki = pkijs.PublicKeyInfo.fromBER(toArrayBuffer(raw.subjectPublicKeyInfoDer));
  // CertificationRequestInfo (RFC 2986 §4.1): version 0, subject, key, and the attributes field,
  // which is required even when empty.
  const info = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 0 }),
      subject.toSchema(),
      spki.toSchema(),
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [] }),
    ],
  });
  const infoDer = derOf(info);
  const signature = await signVerified(raw, infoDer, "certificate request");
  const csr = new asn1js.Sequence({
    value: [
      parseDer(infoDer, "CertificationRequestInfo"),
      schemeAlgorithmIdentifier(raw.scheme).toSchema(),
      new asn1js.BitString({ valueHex: toArrayBuffer(signature) }),
    ],
  });
  const der = derOf(csr);
  const read = readKskCsr(der, "the request just built");
  checkKskCsr(read);
  return der;
}

export interface KskCsr {
  readonly subject: string;
  readonly organization: string | undefined;
  readonly organizationalUnit: string | undefined;
  readonly commonName: string | undefined;
  /** The resourceRecord attribute as written, or undefined if the request has none. */
  readonly dsText: string | undefined;
  readonly owner: Name | undefined;
  readonly ds: DsRdata | undefined;
  /** The DNSKEY (flags 257) rebuilt from the request's public key and the DS's algorithm. */
  readonly dnskey: DnskeyRdata | undefined;
  readonly signatureAlgorithm: string;
  readonly signatureValid: boolean;
  readonly where: string;
}

const DS_TEXT_RE = /^(\S+)\s+(?:\d+\s+)?IN\s+DS\s+(\d{1,5})\s+(\d{1,3})\s+(\d{1,3})\s+([0-9A-Fa-f\s]+)$/;

/** Decode a KSK CSR (DER or PEM) without judging it; `checkKskCsr` judges. */
export function readKskCsr(bytes: Uint8Array, where: string): KskCsr {
  const der = csrDer(bytes, where);
  let csr: pkijs.CertificationRequest;
  try {
    csr = new pkijs.CertificationRequest({ schema: parseDer(der, "the request") });
  } catch (e) {
    if (e instanceof KskError) throw e.within(where);
    throw new KskError("input", "CSR-MALFORMED", `is not a PKCS#10 certificate request: ${(e as Error).message}`, { where });
  }
  const attrs = nameAttributes(csr.subject);
  const first = (oid: string) => attrs.find((a) => a.oid === oid)?.value;
  let dsText = first(OID.resourceRecord);
  if (dsText === undefined) {
    const attr = csr.attributes?.find((a) => a.type === OID.resourceRecord);
    const v = attr?.values[0] as { valueBlock?: { value?: unknown } } | undefined;
    if (v?.valueBlock?.value !== undefined) dsText = String(v.valueBlock.value);
  }
  let owner: Name | undefined;
  let ds: DsRdata | undefined;
  if (dsText !== undefined) {
    const m = DS_TEXT_RE.exec(dsText.trim());
    if (!m)
      throw new KskError("input", "CSR-DS", `resourceRecord attribute "${dsText}" is not a DS record ("<owner> IN DS <tag> <alg> <type> <hex>")`, { where });
    owner = parseName(m[1] as string);
    ds = { kind: "DS", keyTag: Number(m[2]), algorithm: Number(m[3]), digestType: Number(m[4]), digestBytes: hexToBytes(m[5] as string, "DS digest") };
    const info = digestTypeInfo(ds.digestType);
    if (ds.digestBytes.length !== info.digestOctets)
      throw new KskError("input", "CSR-DS", `the DS's ${info.mnemonic} digest is ${ds.digestBytes.length} octets; must be ${info.digestOctets}`, { where });
  }
  const spkiDer = derOf(csr.subjectPublicKeyInfo.toSchema());
  const scheme = schemeForOid(csr.signatureAlgorithm.algorithmId, where);
  const signatureValid = verifySignature(scheme, spkiDer, new Uint8Array(csr.tbsView), new Uint8Array(csr.signatureValue.valueBlock.valueHexView));
  return {
    subject: nameToText(csr.subject),
    organization: first(OID.organization),
    organizationalUnit: first(OID.organizationalUnit),
    commonName: first(OID.commonName),
    dsText,
    owner,
    ds,
    dnskey: ds ? dnskeyFromSpki(spkiDer, ds.algorithm) : undefined,
    signatureAlgorithm: scheme,
    signatureValid,
    where,
  };
}

function csrDer(bytes: Uint8Array, where: string): Uint8Array {
  const text = Buffer.from(bytes).toString("latin1");
  if (!text.includes("-----BEGIN")) return bytes;
  const m = /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([A-Za-z0-9+/=\s]+)-----END (?:NEW )?CERTIFICATE REQUEST-----/.exec(text);
  if (!m) throw new KskError("input", "CSR-PEM", "holds no PEM CERTIFICATE REQUEST block", { where });
  return new Uint8Array(Buffer.from((m[1] as string).replace(/\s+/g, ""), "base64"));
}

/** The DNSKEY (flags 257: a KSK) of a SubjectPublicKeyInfo, for the DS's algorithm. */
function dnskeyFromSpki(spkiDer: Uint8Array, algorithm: number): DnskeyRdata | undefined {
  // A key of another kind or curve, or one node cannot export (an EC key on brainpoolP256r1,
  // explicit curve parameters), has no DNSKEY: CSR-DS then reports that the DS does not fit the
  // request's key, instead of the reader crashing.
  let publicKeyBytes: Uint8Array | undefined;
  try {
    publicKeyBytes = dnskeyPublicKeyFromKeyObject(algorithm, createPublicKey({ key: Buffer.from(spkiDer), format: "der", type: "spki" }));
  } catch {
    return undefined;
  }
  if (!publicKeyBytes) return undefined;
  return { kind: "DNSKEY", flags: 257, protocol: 3, algorithm, publicKeyBytes };
}

/**
 * CSR-SIGNATURE: the request verifies with its own key; CSR-DS: it carries a DS, and that DS
 * (owner, key tag, algorithm, digest) is the DS of the key that signed the request.
 */
export function checkKskCsr(csr: KskCsr): void {
  if (!csr.signatureValid) throw checkFailed("CSR-SIGNATURE", "the request's self-signature does not verify with its public key", csr.where);
  if (!csr.ds || !csr.owner) throw checkFailed("CSR-DS", `the subject has no resourceRecord (${OID.resourceRecord}) attribute with the key's DS`, csr.where);
  if (!csr.dnskey) {
    throw checkFailed("CSR-DS", `the DS names algorithm ${csr.ds.algorithm}, which does not fit the request's ${csr.signatureAlgorithm} key`, csr.where);
  }
  if (!dsMatches(csr.ds, csr.owner, csr.dnskey)) {
    throw new KskError(
      "check",
      "CSR-DS",
      `the DS in the request (${csr.dsText}) is not the DS of the key that signed it (key tag ${keyTag(csr.dnskey)}, flags 257)`,
      { where: csr.where },
    );
  }
}
