/**
 * `ksk ca init|issue-signer` — a LAB-ONLY certification authority for root-anchors.p7s: a
 * self-signed root (RSA-2048) in a directory, and signer certificates shaped as unbound-anchor
 * requires (subject emailAddress, keyUsage digitalSignature, EKU emailProtection).
 *
 * Files in --dir: ca.key (0600, unencrypted: TEST ONLY), ca.pem; issue-signer writes
 * signer.key (0600) and signer.pem unless told otherwise. Nothing is overwritten without --force.
 * The CA is @ksk/lab's (lab-ca.ts), the same one the compressed rehearsal makes; this parses the
 * options, calls it and prints what it wrote. A real trust anchor publication uses IANA's CA and
 * an HSM-held signer key instead.
 */
import { KskError } from "@ksk/core";
import { initLabCa, issueLabSigner } from "@ksk/lab";
import { DEFAULT_SIGNER_EMAIL } from "@ksk/trust-anchor";
import { type CommandFactory, command } from "./command.js";

const DAY = 86400;

function days(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 36500)
    throw new KskError("usage", "USAGE-DAYS", `--${option} must be a whole number of days from 1 to 36500`);
  return value * DAY;
}

export const caCommand: CommandFactory = (ctx) => ({
  command: "ca <command>",
  builder: (y) =>
    y
      .command(
        command({
          command: "init",
          describe: "Create a self-signed lab CA (ca.key, ca.pem) in --dir",
          builder: (b) =>
            b
              .option("dir", { type: "string", demandOption: true, describe: "Directory for ca.key and ca.pem (must exist)" })
              .option("days", { type: "number", default: 3650, describe: "Validity in days from now" })
              .option("cn", { type: "string", describe: "The CA's common name" })
              .option("force", { type: "boolean", default: false, describe: "Replace existing files" }),
          handler: async (argv) => {
            const ca = await initLabCa({
              dir: argv.dir,
              nowEpochSeconds: ctx.now(),
              validitySeconds: days("days", argv.days),
              force: argv.force,
              ...(argv.cn === undefined ? {} : { commonName: argv.cn }),
            });
            ctx.out(`wrote ${ca.keyFile} (TEST ONLY, unencrypted) and ${ca.certFile}\n`);
          },
        }),
      )
      .command(
        command({
          command: "issue-signer",
          describe: "Issue the root-anchors.p7s signer certificate and key from the lab CA",
          builder: (b) =>
            b
              .option("dir", { type: "string", demandOption: true, describe: "The lab CA directory (ca.key, ca.pem)" })
              .option("email", { type: "string", default: DEFAULT_SIGNER_EMAIL, describe: "Subject emailAddress (unbound-anchor -n matches it)" })
              .option("days", { type: "number", default: 365, describe: "Validity in days from now" })
              .option("key-type", { choices: ["rsa", "ec"] as const, default: "rsa" as const, describe: "Signer key: RSA-2048 or ECDSA P-256" })
              .option("cn", { type: "string", describe: "The signer's common name" })
              .option("out-key", { type: "string", describe: "Signer key file (default DIR/signer.key)" })
              .option("out-cert", { type: "string", describe: "Signer certificate file (default DIR/signer.pem)" })
              .option("force", { type: "boolean", default: false, describe: "Replace existing files" }),
          handler: async (argv) => {
            const signer = await issueLabSigner({
              dir: argv.dir,
              nowEpochSeconds: ctx.now(),
              validitySeconds: days("days", argv.days),
              email: argv.email,
              keyType: argv.keyType,
              force: argv.force,
              ...(argv.cn === undefined ? {} : { commonName: argv.cn }),
              ...(argv.outKey === undefined ? {} : { keyFile: argv.outKey }),
              ...(argv.outCert === undefined ? {} : { certFile: argv.outCert }),
            });
            ctx.out(`wrote ${signer.keyFile} (TEST ONLY, unencrypted) and ${signer.certFile}: emailAddress=${signer.email}\n`);
          },
        }),
      )
      .demandCommand(1, "Give a ca command: init or issue-signer"),
  handler: () => {},
});
