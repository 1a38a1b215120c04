/**
 * `ksk ca init|issue-signer` — a LAB-ONLY certification authority for root-anchors.p7s: a
 * self-signed root (RSA-2048) in a directory, and signer certificates shaped as unbound-anchor
 * requires (subject emailAddress, keyUsage digitalSignature, EKU emailProtection).
 *
 * Files in --dir: ca.key (0600, unencrypted: TEST ONLY), ca.pem; issue-signer writes
 * signer.key (0600) and signer.pem unless told otherwise. Nothing is overwritten without --force.
 * A real trust anchor publication uses IANA's CA and an HSM-held signer key instead.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes } from "node:crypto";
import path from "node:path";
import { KskError } from "@ksk/core";
import {
  createLabCaCertificate,
  DEFAULT_SIGNER_EMAIL,
  issueSignerCertificate,
  parseCertificate,
  rawSignerFromPrivateKey,
  readCertificates,
  toPem,
} from "@ksk/trust-anchor";
import type { CliContext } from "../context.js";
import { checkOutputWritable, readInput, writeOutputs } from "../io.js";
import { type CommandFactory, handle } from "./command.js";

const DAY = 86400;

/** A positive 16-octet serial (RFC 5280 §4.1.2.2: unpredictable, at most 20 octets). */
function serial(): Uint8Array {
  const s = new Uint8Array(randomBytes(16));
  s[0] = ((s[0] as number) & 0x7f) | 0x01;
  return s;
}

function days(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 36500)
    throw new KskError("usage", "USAGE-DAYS", `--${option} must be a whole number of days from 1 to 36500`);
  return value * DAY;
}

function generateKey(type: "rsa" | "ec") {
  return type === "rsa" ? generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey : generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
}

async function loadCa(ctx: CliContext, dir: string) {
  const certInput = await readInput(ctx, path.join(dir, "ca.pem"));
  const [caDer] = readCertificates(certInput.bytes, certInput.name);
  if (!caDer) throw new KskError("input", "PEM-NO-CERTIFICATE", "holds no certificate", { where: certInput.name });
  const keyInput = await readInput(ctx, path.join(dir, "ca.key"));
  let caKey: ReturnType<typeof createPrivateKey>;
  try {
    caKey = createPrivateKey({ key: Buffer.from(keyInput.bytes).toString("latin1"), format: "pem" });
  } catch (e) {
    throw new KskError("input", "KEY-UNREADABLE", `is not a PEM private key: ${(e as Error).message}`, { where: keyInput.name });
  }
  return { caDer, ca: rawSignerFromPrivateKey(caKey), where: certInput.name };
}

interface InitArgs {
  dir: string;
  days: number;
  cn?: string;
  force: boolean;
}

interface IssueArgs {
  dir: string;
  email: string;
  days: number;
  keyType: "rsa" | "ec";
  cn?: string;
  outKey?: string;
  outCert?: string;
  force: boolean;
}

export const caCommand: CommandFactory = (ctx) => ({
  command: "ca <command>",
  builder: (y) =>
    y
      .command({
        command: "init",
        describe: "Create a self-signed lab CA (ca.key, ca.pem) in --dir",
        builder: (b) =>
          b
            .option("dir", { type: "string", demandOption: true, describe: "Directory for ca.key and ca.pem (must exist)" })
            .option("days", { type: "number", default: 3650, describe: "Validity in days from now" })
            .option("cn", { type: "string", describe: "The CA's common name" })
            .option("force", { type: "boolean", default: false, describe: "Replace existing files" }),
        handler: handle(async (argv: InitArgs) => {
          const now = ctx.now();
          const keyFile = path.join(argv.dir, "ca.key");
          const certFile = path.join(argv.dir, "ca.pem");
          for (const file of [keyFile, certFile]) await checkOutputWritable(file, argv.force);
          const key = generateKey("rsa");
          const certDer = await createLabCaCertificate({
            signer: rawSignerFromPrivateKey(key),
            serialNumberBytes: serial(),
            notBeforeEpochSeconds: now - 3600,
            notAfterEpochSeconds: now + days("days", argv.days),
            ...(argv.cn === undefined ? {} : { commonName: argv.cn }),
          });
          // The key and its certificate are written together or not at all: never an orphan key.
          await writeOutputs(
            [
              { file: keyFile, bytes: key.export({ format: "pem", type: "pkcs8" }) as string, mode: 0o600 },
              {
                file: certFile,
                bytes: toPem(certDer, "CERTIFICATE"),
                verify: (w) => void parseCertificate(readCertificates(w, certFile)[0] ?? new Uint8Array(), certFile),
              },
            ],
            argv.force,
          );
          ctx.out(`wrote ${keyFile} (TEST ONLY, unencrypted) and ${certFile}\n`);
        }),
      })
      .command({
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
        handler: handle(async (argv: IssueArgs) => {
          const now = ctx.now();
          const keyFile = argv.outKey ?? path.join(argv.dir, "signer.key");
          const certFile = argv.outCert ?? path.join(argv.dir, "signer.pem");
          for (const file of [keyFile, certFile]) await checkOutputWritable(file, argv.force);
          const { caDer, ca } = await loadCa(ctx, argv.dir);
          const key = generateKey(argv.keyType);
          const signer = rawSignerFromPrivateKey(key);
          const certDer = await issueSignerCertificate({
            caCertificateDer: caDer,
            caSigner: ca,
            subjectPublicKeyInfoDer: signer.subjectPublicKeyInfoDer,
            serialNumberBytes: serial(),
            notBeforeEpochSeconds: now - 3600,
            notAfterEpochSeconds: now + days("days", argv.days),
            email: argv.email,
            ...(argv.cn === undefined ? {} : { commonName: argv.cn }),
          });
          await writeOutputs(
            [
              { file: keyFile, bytes: key.export({ format: "pem", type: "pkcs8" }) as string, mode: 0o600 },
              {
                file: certFile,
                bytes: toPem(certDer, "CERTIFICATE"),
                verify: (w) => void parseCertificate(readCertificates(w, certFile)[0] ?? new Uint8Array(), certFile),
              },
            ],
            argv.force,
          );
          ctx.out(`wrote ${keyFile} (TEST ONLY, unencrypted) and ${certFile}: emailAddress=${argv.email}\n`);
        }),
      })
      .demandCommand(1, "Give a ca command: init or issue-signer"),
  handler: () => {},
});
