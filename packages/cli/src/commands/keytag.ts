/** `ksk keytag FILE` — the key tag of each DNSKEY and its tag with the REVOKE bit set. */
import { algorithmInfo, dnskeyRecords, isRevoked, keyTag, nameToString, revokedKeyTag, withoutRevokeBit } from "@ksk/core";
import { printJson } from "../io.js";
import { readZoneFile } from "../zone-input.js";
import { type CommandFactory, command } from "./command.js";

export const keytagCommand: CommandFactory = (ctx) =>
  command({
    command: "keytag <file>",
    builder: (y) =>
      y
        .positional("file", { type: "string", demandOption: true, describe: "File with DNSKEY records (- for stdin)" })
        .option("json", { type: "boolean", default: false, describe: "Print JSON" }),
    handler: async (argv) => {
      const { name, records } = await readZoneFile(ctx, argv.file);
      const dnskeys = dnskeyRecords(records, name, { trustable: true });
      const rows = dnskeys.map((rr) => {
        const key = rr.rdata;
        const revoked = isRevoked(key);
        return {
          owner: nameToString(rr.owner),
          flags: key.flags,
          algorithm: key.algorithm,
          algorithmMnemonic: safeMnemonic(key.algorithm),
          keyTag: keyTag(key),
          revoked,
          unrevokedKeyTag: keyTag(withoutRevokeBit(key)),
          revokedKeyTag: revokedKeyTag(key),
        };
      });
      if (argv.json) return printJson(ctx, rows);
      for (const r of rows) {
        // A key already revoked: show its tag before revocation; otherwise the tag it will have.
        const other = r.revoked ? `revoked; ${r.unrevokedKeyTag} before revocation` : `revoked tag ${r.revokedKeyTag}`;
        ctx.out(`${r.owner} ${r.keyTag} (${other}) flags ${r.flags} algorithm ${r.algorithm} ${r.algorithmMnemonic}\n`);
      }
    },
  });

function safeMnemonic(algorithm: number): string {
  try {
    return algorithmInfo(algorithm).mnemonic;
  } catch {
    return "unsupported";
  }
}
