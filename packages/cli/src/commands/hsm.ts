/**
 * `ksk hsm init` — make a lab token in SoftHSM2, or, with a vendor module, only check that the
 * token is present and the user PIN logs in (initialising a production HSM is the vendor's
 * procedure). An existing token is never re-initialised: that would erase its keys.
 *
 * PINs come from files (--so-pin-file, --pin-file), never from argv. The module comes from
 * --module or KSK_PKCS11_MODULE; SoftHSM finds its token directory through SOFTHSM2_CONF.
 */
import { KskError } from "@ksk/core";
import { KEYSTORE_ENV, initToken, loadSecretFile, moduleEnvironment } from "@ksk/keystore";
import { printJson } from "../io.js";
import { type CommandFactory, handle } from "./command.js";

interface InitArgs {
  token: string;
  soPinFile: string;
  pinFile: string;
  module?: string;
  json: boolean;
}

export const hsmCommand: CommandFactory = (ctx) => ({
  command: "hsm <command>",
  builder: (y) =>
    y
      .command({
        command: "init",
        describe: "Initialise a SoftHSM2 lab token (with a vendor module: check the token is present)",
        builder: (b) =>
          b
            .option("token", { type: "string", demandOption: true, describe: "Token label (1-32 octets)" })
            .option("so-pin-file", { type: "string", demandOption: true, describe: "File holding the security officer PIN" })
            .option("pin-file", { type: "string", demandOption: true, describe: "File holding the user PIN" })
            .option("module", { type: "string", describe: `PKCS#11 module path (default: $${KEYSTORE_ENV.module})` })
            .option("json", { type: "boolean", default: false, describe: "Print JSON" }),
        handler: handle(async (argv: InitArgs) => {
          const modulePath = argv.module ?? ctx.env[KEYSTORE_ENV.module];
          if (!modulePath) throw new KskError("usage", "USAGE-MODULE", `give the PKCS#11 module with --module PATH or ${KEYSTORE_ENV.module}`);
          const where = `pkcs11:token=${argv.token}`;
          const soPin = await loadSecretFile(argv.soPinFile, "SO PIN", where);
          const userPin = await loadSecretFile(argv.pinFile, "PIN", where);
          const result = await initToken({ modulePath, moduleEnvironment: moduleEnvironment({ env: ctx.env }), tokenLabel: argv.token, soPin, userPin });
          if (argv.json) {
            printJson(ctx, { ...result, modulePath });
            return;
          }
          ctx.out(
            result.action === "initialized"
              ? `initialised token ${result.tokenLabel} (serial ${result.tokenSerial}) in ${modulePath}\n`
              : `token ${result.tokenLabel} (serial ${result.tokenSerial}) is present in ${modulePath} (${result.moduleManufacturer}; not initialised by ksk) and the PIN logs in\n`,
          );
        }),
      })
      .demandCommand(1, "Give an hsm command: init"),
  handler: () => {},
});
