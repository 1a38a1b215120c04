/**
 * `ksk custody split`: a token PIN or software keystore passphrase, read from a secret file, split
 * into N officers' share files of which any M recombine it (@ksk/shares). The secret is held in
 * memory only as long as the split takes and never printed; what is printed is the set id and each
 * share's fingerprint, for the transcript.
 */
import { randomBytes } from "node:crypto";
import { KskError } from "@ksk/core";
import { readSecretFileText, secretFromFileText } from "@ksk/keystore";
import { type ShareUse, checkSplitParameters, splitSecret } from "@ksk/shares";
import { checkOfficers, makeShareDirectory, prepareShareDirectory, shareOutputs, writeFilesAtomically } from "./share-files.js";

export interface SplitRequest {
  readonly secretFile: string;
  readonly threshold: number;
  readonly count: number;
  readonly outDirectory: string;
  readonly officers: readonly string[];
}

export interface SplitReport {
  readonly setIdHex: string;
  readonly threshold: number;
  readonly count: number;
  readonly directory: string;
  readonly shares: readonly ShareUse[];
}

export async function splitSecretFile(request: SplitRequest): Promise<SplitReport> {
  checkSplitParameters(request.threshold, request.count);
  checkOfficers(request.officers, request.count);
  await prepareShareDirectory(request.outDirectory);
  let text: string;
  try {
    text = await readSecretFileText(request.secretFile);
  } catch (e) {
    if (e instanceof KskError) throw new KskError("input", e.code, e.detail, { where: request.secretFile });
    throw new KskError("input", "SECRET-FILE", `cannot read the secret file (${(e as NodeJS.ErrnoException)?.code ?? String(e)})`, {
      where: request.secretFile,
    });
  }
  const secretBytes = new TextEncoder().encode(secretFromFileText(text));
  if (secretBytes.length === 0) throw new KskError("input", "SECRET-EMPTY", "the secret file is empty", { where: request.secretFile });
  const records = await splitSecret({
    secretBytes,
    kind: "pin",
    threshold: request.threshold,
    count: request.count,
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
  });
  secretBytes.fill(0);
  const { outputs, uses } = shareOutputs(request.outDirectory, records, request.officers);
  await makeShareDirectory(request.outDirectory);
  await writeFilesAtomically(outputs, { force: false });
  return {
    setIdHex: (records[0] as { setIdHex: string }).setIdHex,
    threshold: request.threshold,
    count: request.count,
    directory: request.outDirectory,
    shares: uses,
  };
}
