/**
 * The LAB ONLY certification authority for root-anchors.p7s, in a directory: a self-signed root
 * (RSA-2048; ca.key 0600 unencrypted, ca.pem) and signer certificates shaped as unbound-anchor
 * requires (subject emailAddress, keyUsage digitalSignature, EKU emailProtection; signer.key 0600,
 * signer.pem by default). `ksk ca init|issue-signer` and the compressed rehearsal both make their
 * CA here; the certificates themselves are built by @ksk/trust-anchor (pure), and this module
 * supplies what that leaves to its caller: generated keys, random serial numbers, the clock's time
 * and the files, each key written together with its certificate or not at all (@ksk/files).
 *
 * Left out: a real trust anchor publication, which uses IANA's CA and an HSM-held signer key.
 */
import { type KeyObject, createPrivateKey, generateKeyPairSync, randomBytes } from "node:crypto";
import path from "node:path";
import { KskError } from "@ksk/core";
import { checkOutputPath, readRegularFile, writeFilesAtomically } from "@ksk/files";
import {
  DEFAULT_SIGNER_EMAIL,
  type RawSigner,
  createLabCaCertificate,
  issueSignerCertificate,
  parseCertificate,
  rawSignerFromPrivateKey,
  readCertificates,
  toPem,
} from "@ksk/trust-anchor";

export const LAB_CA_KEY_FILE = "ca.key";
export const LAB_CA_CERT_FILE = "ca.pem";
export const LAB_SIGNER_KEY_FILE = "signer.key";
export const LAB_SIGNER_CERT_FILE = "signer.pem";
/** A certificate's notBefore lies this far before now, so a clock a little behind still accepts it. */
const BACKDATE_SECONDS = 3600;

/** A positive 16-octet serial number (RFC 5280 §4.1.2.2: unpredictable, at most 20 octets). */
export function certificateSerial(): Uint8Array {
  const s = new Uint8Array(randomBytes(16));
  s[0] = ((s[0] as number) & 0x7f) | 0x01;
  return s;
}

function generateKey(type: "rsa" | "ec"): KeyObject {
  return type === "rsa" ? generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey : generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
}

/** A key and its certificate, written together or not at all: never an orphan key. */
async function writeKeyAndCertificate(keyFile: string, key: KeyObject, certFile: string, certDer: Uint8Array, force: boolean): Promise<void> {
  await writeFilesAtomically(
    [
      { file: keyFile, bytes: key.export({ format: "pem", type: "pkcs8" }) as string, mode: 0o600 },
      {
        file: certFile,
        bytes: toPem(certDer, "CERTIFICATE"),
        verify: (w) => void parseCertificate(readCertificates(w, certFile)[0] ?? new Uint8Array(), certFile),
      },
    ],
    { force },
  );
}

export interface LabCa {
  readonly keyFile: string;
  readonly certFile: string;
  readonly certificateDer: Uint8Array;
  readonly signer: RawSigner;
}

export interface InitLabCaOptions {
  /** The CA directory (it must exist). */
  readonly dir: string;
  readonly nowEpochSeconds: number;
  readonly validitySeconds: number;
  readonly commonName?: string;
  /** Replace existing regular files. */
  readonly force: boolean;
}

/** `ksk ca init`: a new lab CA (ca.key, ca.pem) in `dir`. */
export async function initLabCa(options: InitLabCaOptions): Promise<LabCa> {
  const keyFile = path.join(options.dir, LAB_CA_KEY_FILE);
  const certFile = path.join(options.dir, LAB_CA_CERT_FILE);
  // Refused before a key is made: an output that exists (without force) or cannot be written.
  for (const file of [keyFile, certFile]) await checkOutputPath(file, options.force);
  const key = generateKey("rsa");
  const signer = rawSignerFromPrivateKey(key);
  const certificateDer = await createLabCaCertificate({
    signer,
    serialNumberBytes: certificateSerial(),
    notBeforeEpochSeconds: options.nowEpochSeconds - BACKDATE_SECONDS,
    notAfterEpochSeconds: options.nowEpochSeconds + options.validitySeconds,
    ...(options.commonName === undefined ? {} : { commonName: options.commonName }),
  });
  await writeKeyAndCertificate(keyFile, key, certFile, certificateDer, options.force);
  return { keyFile, certFile, certificateDer, signer };
}

/** The lab CA of `dir`: its certificate and key as written by `initLabCa` (bad input if unreadable). */
export async function loadLabCa(dir: string): Promise<LabCa> {
  const certFile = path.join(dir, LAB_CA_CERT_FILE);
  const [certificateDer] = readCertificates(await readRegularFile(certFile), certFile);
  if (!certificateDer) throw new KskError("input", "PEM-NO-CERTIFICATE", "holds no certificate", { where: certFile });
  const keyFile = path.join(dir, LAB_CA_KEY_FILE);
  const keyBytes = await readRegularFile(keyFile);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(keyBytes).toString("latin1"), format: "pem" });
  } catch (e) {
    throw new KskError("input", "KEY-UNREADABLE", `is not a PEM private key: ${(e as Error).message}`, { where: keyFile });
  }
  return { keyFile, certFile, certificateDer, signer: rawSignerFromPrivateKey(key) };
}

export interface IssueLabSignerOptions {
  /** The lab CA's directory; the signer's files go there too unless named. */
  readonly dir: string;
  readonly nowEpochSeconds: number;
  readonly validitySeconds: number;
  /** Subject emailAddress that unbound-anchor's `-n` matches (default dnssec@iana.org). */
  readonly email?: string;
  readonly keyType?: "rsa" | "ec";
  readonly commonName?: string;
  readonly keyFile?: string;
  readonly certFile?: string;
  readonly force: boolean;
  /** The CA, when the caller has it already (else read from `dir`). */
  readonly ca?: LabCa;
}

export interface LabSigner extends LabCa {
  readonly email: string;
}

/** `ksk ca issue-signer`: the root-anchors.p7s signer's key and certificate from the lab CA. */
export async function issueLabSigner(options: IssueLabSignerOptions): Promise<LabSigner> {
  const keyFile = options.keyFile ?? path.join(options.dir, LAB_SIGNER_KEY_FILE);
  const certFile = options.certFile ?? path.join(options.dir, LAB_SIGNER_CERT_FILE);
  const email = options.email ?? DEFAULT_SIGNER_EMAIL;
  for (const file of [keyFile, certFile]) await checkOutputPath(file, options.force);
  const ca = options.ca ?? (await loadLabCa(options.dir));
  const key = generateKey(options.keyType ?? "rsa");
  const signer = rawSignerFromPrivateKey(key);
  const certificateDer = await issueSignerCertificate({
    caCertificateDer: ca.certificateDer,
    caSigner: ca.signer,
    subjectPublicKeyInfoDer: signer.subjectPublicKeyInfoDer,
    serialNumberBytes: certificateSerial(),
    notBeforeEpochSeconds: options.nowEpochSeconds - BACKDATE_SECONDS,
    notAfterEpochSeconds: options.nowEpochSeconds + options.validitySeconds,
    email,
    ...(options.commonName === undefined ? {} : { commonName: options.commonName }),
  });
  await writeKeyAndCertificate(keyFile, key, certFile, certificateDer, options.force);
  return { keyFile, certFile, certificateDer, signer, email };
}
