/**
 * `ksk key backup`: the KSK wrapped out of its HSM under a fresh AES-256 KEK (CKM_AES_KEY_WRAP_PAD,
 * RFC 5649), the KEK split among N officers of whom any M can restore it, the KEK dropped. The
 * backup file and the N share files are written together (all or none); the backup's SHA-256 and
 * PGP words are returned for the witnesses to read out and compare again at the restore.
 *
 * Left out: backing up a software keystore (its files are the backup), several keys in one file.
 */
import { randomBytes } from "node:crypto";
import { KskError, pgpWords, sha256 } from "@ksk/core";
import { keyReport } from "@ksk/keygen";
import { checkOutputPath } from "@ksk/files";
import { type Keystore, isWrappingKeystore } from "@ksk/keystore";
import { type ShareUse, checkSplitParameters, splitSecret } from "@ksk/shares";
import { formatBackup, parseBackup } from "./backup-file.js";
import { checkOfficers, makeShareDirectory, prepareShareDirectory, shareOutputs, writeFilesAtomically } from "./share-files.js";

export interface BackupRequest {
  readonly keystore: Keystore;
  readonly label: string;
  readonly outputFile: string;
  readonly sharesOutDirectory: string;
  readonly threshold: number;
  readonly count: number;
  readonly officers: readonly string[];
}

export interface BackupReport {
  readonly label: string;
  readonly keyTag: number;
  readonly dsSha256Record: string;
  readonly source: string;
  readonly backupFile: string;
  readonly backupSha256Hex: string;
  readonly backupSha256Words: readonly string[];
  readonly wrappedKeyOctets: number;
  readonly kekSetIdHex: string;
  readonly threshold: number;
  readonly count: number;
  readonly shares: readonly ShareUse[];
}

export async function backupKey(request: BackupRequest): Promise<BackupReport> {
  const { keystore } = request;
  checkSplitParameters(request.threshold, request.count);
  checkOfficers(request.officers, request.count);
  if (!isWrappingKeystore(keystore)) {
    throw new KskError("usage", "BACKUP-KEYSTORE", "a backup wraps a key out of a PKCS#11 token; a software keystore's files are its own backup", {
      where: keystore.uri,
    });
  }
  await checkOutputPath(request.outputFile, false);
  await prepareShareDirectory(request.sharesOutDirectory);
  const wrapped = await keystore.wrapKey(request.label);
  let records: Awaited<ReturnType<typeof splitSecret>>;
  try {
    records = await splitSecret({
      secretBytes: wrapped.kekBytes,
      kind: "kek",
      threshold: request.threshold,
      count: request.count,
      randomBytes: (n) => new Uint8Array(randomBytes(n)),
    });
  } finally {
    wrapped.kekBytes.fill(0);
  }
  const setIdHex = (records[0] as { setIdHex: string }).setIdHex;
  const text = formatBackup({
    label: request.label,
    dnskey: wrapped.dnskey,
    publicKey: wrapped.publicKey,
    source: `${wrapped.location} serial ${wrapped.tokenSerial}`,
    sourceProtection: `${wrapped.protection.sensitive ? "sensitive" : "not-sensitive"} ${wrapped.protection.extractable ? "extractable" : "not-extractable"}`,
    kekSetIdHex: setIdHex,
    kekThreshold: request.threshold,
    kekCount: request.count,
    wrappedKeyBytes: wrapped.wrappedKeyBytes,
  });
  const { outputs, uses } = shareOutputs(request.sharesOutDirectory, records, request.officers);
  await makeShareDirectory(request.sharesOutDirectory);
  const file = request.outputFile;
  await writeFilesAtomically(
    [...outputs, { file, bytes: text, mode: 0o644, verify: (written) => void parseBackup(Buffer.from(written).toString("utf8"), file) }],
    {
      force: false,
    },
  );
  const digest = sha256(new TextEncoder().encode(text));
  const report = keyReport(request.label, wrapped.dnskey);
  return {
    label: request.label,
    keyTag: report.keyTag,
    dsSha256Record: report.ds.find((d) => d.digestType === 2)?.record as string,
    source: `${wrapped.location} serial ${wrapped.tokenSerial}`,
    backupFile: file,
    backupSha256Hex: Buffer.from(digest).toString("hex"),
    backupSha256Words: pgpWords(digest),
    wrappedKeyOctets: wrapped.wrappedKeyBytes.length,
    kekSetIdHex: setIdHex,
    threshold: request.threshold,
    count: request.count,
    shares: uses,
  };
}
