/**
 * @ksk/trust-anchor — publishing the root zone's trust anchors: root-anchors.xml (RFC 9718, read
 * in RFC 7958 form too), its detached CMS signature root-anchors.p7s, the lab CA that issues the
 * signer certificate, the KSK's PKCS#10 CSR with its DS attribute, and DS records selected from
 * the XML for every resolver format (through @ksk/core's `formatDsRecords`).
 *
 * Pure: bytes and times in, bytes out. Keys come in as `RawSigner`s (software keys or a DNSSEC
 * `Signer` in the HSM); the caller generates keys, serial numbers and UUIDs.
 */
export * from "./check-codes.js";
export * from "./cms.js";
export * from "./csr.js";
export * from "./lab-ca.js";
export * from "./root-anchors.js";
export {
  dnskeyPublicKey,
  OID,
  parseCertificate,
  pemBlocks,
  type RawSigner,
  rawSignerFromDnssecSigner,
  rawSignerFromPrivateKey,
  rawSignerFromPrivateKeyFile,
  readCertificates,
  type SignatureScheme,
  subjectEmails,
  toPem,
  verifySignature,
} from "./x509.js";
