/**
 * Deleting a key pair: the operator is shown what goes and must answer exactly "Yes" (as at a
 * ceremony: not "yes", not "y"); scripts pass `yes` (`--yes`). Deletion in an HSM cannot be undone.
 *
 * Left out: backups before deletion.
 */
import { KskError } from "@ksk/core";
import type { Keystore } from "@ksk/keystore";
import { type KeyReport, keyReport } from "./report.js";

export interface DeleteOptions {
  /** Take the answer as given: do not ask (scripts, `--yes`). */
  readonly yes?: boolean;
  /** Ask the question, return the answer line. Absent when there is no terminal. */
  readonly ask?: (question: string) => Promise<string>;
}

export function isExactYes(answer: string): boolean {
  return answer === "Yes";
}

export async function deleteKey(keystore: Keystore, label: string, options: DeleteOptions): Promise<{ label: string; report: KeyReport | undefined }> {
  const info = await keystore.find(label);
  const report = info.dnskey ? keyReport(label, info.dnskey) : undefined;
  if (!options.yes) {
    if (!options.ask) {
      throw new KskError("refused", "DELETE-NOT-CONFIRMED", `deleting ${label} needs a typed "Yes" on a terminal, or --yes`, { where: keystore.uri });
    }
    const what = report ? `key ${label} (key tag ${report.keyTag}, ${report.algorithmMnemonic}, flags ${report.flags})` : `leftover ${label}`;
    const answer = await options.ask(`Delete ${what} from ${info.location}? This cannot be undone. Type Yes to delete: `);
    if (!isExactYes(answer.replace(/\r?\n$/, ""))) {
      throw new KskError("refused", "DELETE-NOT-CONFIRMED", `not deleted: the answer was not exactly "Yes"`, { where: `${info.location}: ${label}` });
    }
  }
  await keystore.delete(label);
  return { label, report };
}
