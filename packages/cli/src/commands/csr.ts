/**
 * `ksk csr create|show` — the KSK's PKCS#10 certificate signing request with its DS attribute
 * (OID 1.3.6.1.4.1.1000.53), as IANA has published one for every root KSK:
 * - create: signed by the KSK itself inside the keystore (HSM), written as PEM (or DER);
 * - show: decodes any such CSR (IANA's 2010-era ones included) and checks that its DS is the DS
 *   of the key that signed it (exit 1 if not).
 */
import { KskError, keyTag, parseTimeArgument } from "@ksk/core";
import { checkKskCsr, createKskCsr, readKskCsr, toPem } from "@ksk/trust-anchor";
import { checkOutputWritable, printJson, readInput, writeOutput } from "../io.js";
import { openCliKeystore, withKeystoreArguments } from "../keystore-args.js";
import { type CommandFactory, command } from "./command.js";
import { parseDigestList } from "./ds.js";

export const csrCommand: CommandFactory = (ctx) => ({
  command: "csr <command>",
  builder: (y) =>
    y
      .command(
        command({
          command: "create",
          describe: "Create the KSK's CSR, self-signed by the KSK in the keystore",
          builder: (b) =>
            withKeystoreArguments(b)
              .option("keystore", { type: "string", demandOption: true, describe: "Keystore URI (pkcs11:… or file:…)" })
              .option("label", { type: "string", demandOption: true, describe: "The KSK's label" })
              .option("generated", { type: "string", describe: 'Key generation time for the CN "Root Zone KSK <time>" (default now)' })
              .option("digest", { type: "string", default: "2", describe: "DS digest type in the request (1, 2 or 4)" })
              .option("organization", { type: "string", default: "ICANN", describe: "Organization (O) in the request's subject" })
              .option("unit", { type: "string", default: "IANA", describe: "Organizational unit" })
              .option("der", { type: "boolean", default: false, describe: "Write DER instead of PEM" })
              .option("output", { alias: "o", type: "string", demandOption: true, describe: "Where to write the CSR" })
              .option("force", { type: "boolean", default: false, describe: "Replace an existing output file" }),
          handler: async (argv) => {
            const digestTypes = parseDigestList(argv.digest);
            if (digestTypes.length !== 1) throw new KskError("usage", "USAGE-DIGEST", "--digest: the request carries one DS; give one digest type");
            let generated = ctx.now();
            if (argv.generated !== undefined) {
              try {
                generated = parseTimeArgument(argv.generated, "--generated");
              } catch (e) {
                throw new KskError("usage", "USAGE-TIME", (e as KskError).message);
              }
            }
            // Before the KSK is used: a request that could not be kept is refused now.
            await checkOutputWritable(argv.output, argv.force);
            const keystore = await openCliKeystore(ctx, argv.keystore, argv);
            let der: Uint8Array;
            try {
              const signer = await keystore.signer(argv.label);
              der = await createKskCsr({
                signer,
                generationEpochSeconds: generated,
                digestType: digestTypes[0] as number,
                organization: argv.organization,
                organizationalUnit: argv.unit,
              });
            } finally {
              await keystore.close();
            }
            await writeOutput(argv.output, argv.der ? der : toPem(der, "CERTIFICATE REQUEST"), {
              force: argv.force,
              verify: (written) => checkKskCsr(readKskCsr(written, argv.output)),
            });
            const csr = readKskCsr(der, argv.output);
            ctx.out(`wrote ${argv.output}: ${csr.subject}\n`);
          },
        }),
      )
      .command(
        command({
          command: "show <csr>",
          describe: "Decode a KSK CSR and check that its DS matches the key that signed it",
          builder: (b) =>
            b
              .positional("csr", { type: "string", demandOption: true, describe: "The CSR, PEM or DER (- for stdin)" })
              .option("json", { type: "boolean", default: false, describe: "Print JSON" }),
          handler: async (argv) => {
            const input = await readInput(ctx, argv.csr, 1024 * 1024);
            const csr = readKskCsr(input.bytes, input.name);
            const fields = {
              file: input.name,
              subject: csr.subject,
              organization: csr.organization ?? null,
              organizationalUnit: csr.organizationalUnit ?? null,
              commonName: csr.commonName ?? null,
              ds: csr.dsText ?? null,
              signatureAlgorithm: csr.signatureAlgorithm,
              signatureValid: csr.signatureValid,
              keyTag: csr.dnskey ? keyTag(csr.dnskey) : null,
            };
            if (argv.json) printJson(ctx, fields);
            else {
              ctx.out(`subject:   ${csr.subject}\n`);
              ctx.out(`DS:        ${csr.dsText ?? "(none)"}\n`);
              ctx.out(`signature: ${csr.signatureAlgorithm}, ${csr.signatureValid ? "valid" : "INVALID"}\n`);
            }
            checkKskCsr(csr);
            if (!argv.json) ctx.out(`ok: the DS is that of the key that signed the request (key tag ${csr.dnskey ? keyTag(csr.dnskey) : "?"})\n`);
          },
        }),
      )
      .demandCommand(1, "Give a csr command: create or show"),
  handler: () => {},
});
