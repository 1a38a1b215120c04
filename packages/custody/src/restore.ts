/**
 * `ksk key restore`: a KSK backup unwrapped into a token of another module configuration (in the
 * lab, a second SoftHSM token directory standing for the second facility). In order, each refusal
 * before the token is touched:
 * 1. the backup is read and its public parts checked against its DNSKEY (./backup-file.ts);
 * 2. the token must not hold a key with the backup's label, or whose key tag or revoked key tag
 *    equals the backup key's (the same key restored twice, or a collision, RFC 5011 §7);
 * 3. the KEK is recombined from M officers' shares of the backup's set (in memory only);
 * 4. the token unwraps it, CKA_SENSITIVE and not CKA_EXTRACTABLE (RFC 5649's integrity check
 *    refuses a changed wrapped key or a wrong KEK);
 * 5. the restored DNSKEY (hence key tag and DS) must equal the backup's, and one signature over
 *    test data must verify in software against it. Any failure here removes what step 4 made.
 *
 * Left out: restoring under another label (the label is part of what the signer config names).
 */
import { KskError, bytesEqual, encodeRdata, pgpWords, sha256 } from "@ksk/core";
import { checkKeyTagCollision, keyReport } from "@ksk/keygen";
import { type Keystore, isWrappingKeystore, recombineFromShares } from "@ksk/keystore";
import type { ShareUse } from "@ksk/shares";
import { type KeyBackup, parseBackup } from "./backup-file.js";

export interface RestoreRequest {
  readonly keystore: Keystore;
  /** The backup file's bytes as read, and its name for messages. */
  readonly backupBytes: Uint8Array;
  readonly backupName: string;
  readonly sharesDirectory: string;
  readonly promptSecret?: (question: string) => Promise<string>;
}

export interface RestoreReport {
  readonly label: string;
  readonly keyTag: number;
  readonly dsSha256Record: string;
  readonly location: string;
  readonly source: string;
  readonly backupSha256Hex: string;
  readonly backupSha256Words: readonly string[];
  readonly shares: readonly ShareUse[];
}

async function checkTokenFree(keystore: Keystore, backup: KeyBackup): Promise<void> {
  const present = await keystore.list();
  const same = present.find((k) => k.label === backup.label);
  if (same) throw new KskError("refused", "KEY-LABEL-EXISTS", `the token already holds a key labelled ${backup.label}; not replaced`, { where: same.location });
  checkKeyTagCollision(
    { name: `${backup.label} (from the backup)`, dnskey: backup.dnskey },
    present.flatMap((k) => (k.dnskey ? [{ name: `${k.label} in ${k.location}`, dnskey: k.dnskey }] : [])),
  );
}

export async function restoreKey(request: RestoreRequest): Promise<RestoreReport> {
  const { keystore } = request;
  const text = new TextDecoder("utf-8", { fatal: false }).decode(request.backupBytes);
  const backup = parseBackup(text, request.backupName);
  if (!isWrappingKeystore(keystore)) throw new KskError("usage", "BACKUP-KEYSTORE", "a backup is restored into a PKCS#11 token", { where: keystore.uri });
  await checkTokenFree(keystore, backup);
  const { secretBytes, used } = await recombineFromShares({
    directory: request.sharesDirectory,
    kind: "kek",
    ...(request.promptSecret ? { promptSecret: request.promptSecret } : {}),
  });
  const setIdHex = used[0]?.setIdHex;
  if (setIdHex !== backup.kekSetIdHex) {
    secretBytes.fill(0);
    throw new KskError("input", "SHARE-OTHER-SET", `the shares are of set ${setIdHex}, the backup's KEK is set ${backup.kekSetIdHex}`, {
      where: request.sharesDirectory,
    });
  }
  let info: Awaited<ReturnType<typeof keystore.unwrapKey>>;
  try {
    info = await keystore.unwrapKey({
      label: backup.label,
      wrappedKeyBytes: backup.wrappedKeyBytes,
      kekBytes: secretBytes,
      publicKey: backup.publicKey,
      dnskey: backup.dnskey,
    });
  } finally {
    secretBytes.fill(0);
  }
  try {
    if (!info.dnskey || !bytesEqual(encodeRdata(info.dnskey), encodeRdata(backup.dnskey))) {
      throw new KskError("check", "RESTORE-DNSKEY", "the restored key's DNSKEY differs from the backup's", { where: info.location });
    }
    // The verified signer checks the token's signature against the backup's public key: the
    // private key unwrapped is the one the backup stands for.
    const signer = await keystore.signer(backup.label);
    await signer.sign(new TextEncoder().encode(`ksk key restore check ${backup.label}`));
  } catch (e) {
    await keystore.delete(backup.label);
    throw e;
  }
  const report = keyReport(backup.label, backup.dnskey);
  const digest = sha256(request.backupBytes);
  return {
    label: backup.label,
    keyTag: report.keyTag,
    dsSha256Record: report.ds.find((d) => d.digestType === 2)?.record as string,
    location: info.location,
    source: backup.source,
    backupSha256Hex: Buffer.from(digest).toString("hex"),
    backupSha256Words: pgpWords(digest),
    shares: used,
  };
}
