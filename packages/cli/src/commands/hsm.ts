/**
 * `ksk hsm init` — make a lab token in SoftHSM2, or, with a vendor module, only check that the
 * token is present and the user PIN logs in (initialising a production HSM is the vendor's
 * procedure). An existing token is never re-initialised: that would erase its keys.
 *
 * PINs come from files (--so-pin-file, --pin-file), never from argv. The module comes from
 * --module or KSK_PKCS11_MODULE, else Debian's SoftHSM2 module; SoftHSM finds its token directory
 * through SOFTHSM2_CONF (else its built-in /etc/softhsm/softhsm2.conf), which is said, as is the
 * `pkcs11:` URI to give the key commands next.
 */
import { KskError } from "@ksk/core";
import { KEYSTORE_ENV, initToken, loadSecretFile, moduleEnvironment } from "@ksk/keystore";
import path from "node:path";
import { printJson } from "../io.js";
import { type CommandFactory, command } from "./command.js";

/** Debian's SoftHSM2 module (package softhsm2), the lab's default. */
const DEBIAN_SOFTHSM2_MODULE = "/usr/lib/softhsm/libsofthsm2.so";

export const hsmCommand: CommandFactory = (ctx) => ({
  command: "hsm <command>",
  builder: (y) =>
    y
      .command(
        command({
          command: "init",
          describe: "Initialise a SoftHSM2 lab token (with a vendor module: check the token is present)",
          builder: (b) =>
            b
              .option("token", { type: "string", demandOption: true, describe: "Token label (1-32 octets)" })
              .option("so-pin-file", { type: "string", demandOption: true, describe: "File holding the security officer PIN" })
              .option("pin-file", { type: "string", demandOption: true, describe: "File holding the user PIN" })
              .option("module", { type: "string", describe: `PKCS#11 module path (default: $${KEYSTORE_ENV.module}, else ${DEBIAN_SOFTHSM2_MODULE})` })
              .option("json", { type: "boolean", default: false, describe: "Print JSON" }),
          handler: async (argv) => {
            const modulePath = argv.module ?? ctx.env[KEYSTORE_ENV.module] ?? DEBIAN_SOFTHSM2_MODULE;
            const conf = ctx.env[KEYSTORE_ENV.softhsmConf];
            const setting = `module ${modulePath}${argv.module === undefined && ctx.env[KEYSTORE_ENV.module] === undefined ? " (the default)" : ""}, SOFTHSM2_CONF ${conf ?? "not set (SoftHSM2 reads /etc/softhsm/softhsm2.conf)"}`;
            if (!argv.json) ctx.out(`${setting}\n`);
            const where = `pkcs11:token=${argv.token}`;
            const soPin = await loadSecretFile(argv.soPinFile, "SO PIN", where);
            const userPin = await loadSecretFile(argv.pinFile, "PIN", where);
            let result: Awaited<ReturnType<typeof initToken>>;
            try {
              result = await initToken({ modulePath, moduleEnvironment: moduleEnvironment({ env: ctx.env }), tokenLabel: argv.token, soPin, userPin });
            } catch (e) {
              // Name what was in force: a wrong SOFTHSM2_CONF is the usual reason for "no such token".
              throw e instanceof KskError ? new KskError(e.kind, e.code, `${e.detail} (${setting})`, { where: e.where ?? where }) : e;
            }
            if (argv.json) {
              printJson(ctx, { ...result, modulePath });
              return;
            }
            ctx.out(
              result.action === "initialized"
                ? `initialised token ${result.tokenLabel} (serial ${result.tokenSerial}) in ${modulePath}\n`
                : `token ${result.tokenLabel} (serial ${result.tokenSerial}) is present in ${modulePath} (${result.moduleManufacturer}; not initialised by ksk) and the PIN logs in\n`,
            );
            const uri = `pkcs11:token=${encodeURIComponent(result.tokenLabel)}?module-path=${modulePath}&pin-source=file:${path.resolve(argv.pinFile)}`;
            ctx.out(`next: ${conf ? `SOFTHSM2_CONF=${conf} ` : ""}ksk key generate --keystore '${uri}' --role ksk --algorithm RSASHA256\n`);
          },
        }),
      )
      .demandCommand(1, "Give an hsm command: init"),
  handler: () => {},
});
