/**
 * End to end with the real resolver tool: a lab publishes root-anchors.xml and its .p7s over HTTPS
 * on 127.0.0.1, and `unbound-anchor` (NLnet Labs) fetches both, checks the CMS signature against
 * the lab CA and the signer's emailAddress, and writes the DS of every KeyDigest valid now into its
 * anchor file. unbound-anchor reads the real clock, so the keys and certificates here are valid
 * around Date.now() rather than a frozen time.
 *
 * Isolation: a config and root hints on loopback (and do-not-query-localhost left at its default)
 * so it sends no DNS query anywhere; `-F` makes it go straight to the certificate update. Its exit
 * code is 1 when it updated the anchor. If it silently fell back to its built-in
 * ICANN CA (unreadable -c file), our lab signature would not verify and these tests fail.
 */
import { execFile } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { bytesToHex, makeDs, ROOT } from "@ksk/core";
import {
  buildRootAnchors,
  createLabCaCertificate,
  issueServerCertificate,
  issueSignerCertificate,
  rawSignerFromPrivateKey,
  signDetachedCms,
  toPem,
} from "@ksk/trust-anchor";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testSigner } from "./support/soft-signer.js";
import { hasTool } from "./support/tools.js";

const DAY = 86400;

function run(cmd: string, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

describe.runIf(hasTool("unbound-anchor"))("unbound-anchor fetches and accepts the lab's signed root-anchors.xml", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "ta-unbound-anchor-"));
  const f = (name: string) => path.join(dir, name);
  const now = Math.floor(Date.now() / 1000);
  const current = testSigner({ algorithm: 8, flags: 257, label: "Kcurrent" });
  const retired = testSigner({ algorithm: 8, flags: 257, label: "Kretired" });
  const next = testSigner({ algorithm: 8, flags: 257, label: "Knext" });
  const files = new Map<string, Uint8Array>();
  let server: Server | undefined;
  let port = 0;
  let caPem = "";

  beforeAll(async () => {
    const ca = rawSignerFromPrivateKey(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey);
    const caDer = await createLabCaCertificate({
      signer: ca,
      serialNumberBytes: randomBytes(16),
      notBeforeEpochSeconds: now - DAY,
      notAfterEpochSeconds: now + 365 * DAY,
    });
    caPem = toPem(caDer, "CERTIFICATE");
    const signerKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const signer = rawSignerFromPrivateKey(signerKey);
    const signerDer = await issueSignerCertificate({
      caCertificateDer: caDer,
      caSigner: ca,
      subjectPublicKeyInfoDer: signer.subjectPublicKeyInfoDer,
      serialNumberBytes: randomBytes(16),
      notBeforeEpochSeconds: now - DAY,
      notAfterEpochSeconds: now + 30 * DAY,
    });
    const { xmlBytes } = buildRootAnchors({
      trustAnchorId: "3A5C4B8E-1D2F-4E6A-9B0C-7D8E9F0A1B2C",
      keys: [
        { dnskey: retired.dnskey, id: "Kretired", validFromEpochSeconds: now - 400 * DAY, validUntilEpochSeconds: now - 10 * DAY },
        { dnskey: current.dnskey, id: "Kcurrent", validFromEpochSeconds: now - 100 * DAY },
        { dnskey: next.dnskey, id: "Knext", validFromEpochSeconds: now + 30 * DAY },
      ],
      publicationEpochSeconds: now,
    });
    const p7s = await signDetachedCms({ contentBytes: xmlBytes, signer, signerCertificateDer: signerDer, signingEpochSeconds: now });
    files.set("/root-anchors/root-anchors.xml", xmlBytes);
    files.set("/root-anchors/root-anchors.p7s", p7s);
    const tamperedXml = new Uint8Array(xmlBytes);
    tamperedXml[tamperedXml.length - 20] = (tamperedXml[tamperedXml.length - 20] as number) ^ 0x01;
    files.set("/tampered/root-anchors.xml", tamperedXml);
    files.set("/tampered/root-anchors.p7s", p7s);

    // The HTTPS server's own certificate for 127.0.0.1, from the same lab CA.
    const tlsKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const tlsDer = await issueServerCertificate({
      caCertificateDer: caDer,
      caSigner: ca,
      subjectPublicKeyInfoDer: rawSignerFromPrivateKey(tlsKey).subjectPublicKeyInfoDer,
      serialNumberBytes: randomBytes(16),
      notBeforeEpochSeconds: now - DAY,
      notAfterEpochSeconds: now + DAY,
      commonName: "127.0.0.1",
      ipAddresses: ["127.0.0.1"],
    });
    writeFileSync(f("ca.pem"), caPem);
    writeFileSync(f("root.hints"), ".\t3600000\tNS\tlocal-root.\nlocal-root.\t3600000\tA\t127.0.0.1\n");
    writeFileSync(f("unbound.conf"), `server:\n\tdirectory: "${dir}"\n\tchroot: ""\n\tusername: ""\n\tdo-not-query-localhost: yes\n`);
    server = createServer({ key: tlsKey.export({ format: "pem", type: "pkcs8" }), cert: toPem(tlsDer, "CERTIFICATE") }, (req, res) => {
      const body = files.get(req.url ?? "");
      if (!body) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length }).end(Buffer.from(body));
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const anchorArgs = (anchorFile: string, xPath: string, sPath: string, caFile = f("ca.pem")) => [
    "-a",
    anchorFile,
    "-c",
    caFile,
    "-u",
    "127.0.0.1",
    "-P",
    String(port),
    "-x",
    xPath,
    "-s",
    sPath,
    "-r",
    f("root.hints"),
    "-C",
    f("unbound.conf"),
    "-F",
    "-v",
  ];

  it("updates the anchor (exit 1) to exactly the DS of the KeyDigest valid now", async () => {
    const anchor = f("root.key");
    const r = await run("unbound-anchor", anchorArgs(anchor, "root-anchors/root-anchors.xml", "root-anchors/root-anchors.p7s"));
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(1);
    // -v output: it used our CA file (not its built-in ICANN bundle) and took one KeyDigest.
    expect(r.stdout).toContain("have 1 trusted certificates");
    expect(r.stdout).toContain("emailAddress=dnssec@iana.org");
    expect(r.stdout).toContain("the PKCS7 signature verified");
    expect(r.stdout).toContain("XML was parsed successfully, 1 keys");
    const written = readFileSync(anchor, "utf8");
    const ds = makeDs(ROOT, current.dnskey, 2);
    expect(written.toUpperCase()).toContain(`${ds.keyTag} 8 2 ${bytesToHex(ds.digestBytes, true)}`);
    expect(written).not.toContain(` ${retired.keyTag} 8 2 `);
    expect(written).not.toContain(` ${next.keyTag} 8 2 `);
  });

  it("rejects the same p7s over an XML with one byte changed (anchor left as it was)", async () => {
    const anchor = f("tampered.key");
    const r = await run("unbound-anchor", anchorArgs(anchor, "tampered/root-anchors.xml", "tampered/root-anchors.p7s"));
    expect(r.status).not.toBe(1);
    expect(`${r.stdout}${r.stderr}`).toMatch(/verif|signature|fail/i);
    const ds = makeDs(ROOT, current.dnskey, 2);
    expect(readFileSync(anchor, "utf8").toUpperCase()).not.toContain(bytesToHex(ds.digestBytes, true));
  });

  it("rejects it when checked against another CA", async () => {
    const otherCa = rawSignerFromPrivateKey(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey);
    const otherDer = await createLabCaCertificate({
      signer: otherCa,
      serialNumberBytes: randomBytes(16),
      notBeforeEpochSeconds: now - DAY,
      notAfterEpochSeconds: now + DAY,
    });
    writeFileSync(f("other-ca.pem"), toPem(otherDer, "CERTIFICATE"));
    const anchor = f("other.key");
    const r = await run("unbound-anchor", anchorArgs(anchor, "root-anchors/root-anchors.xml", "root-anchors/root-anchors.p7s", f("other-ca.pem")));
    expect(r.status).not.toBe(1);
    const ds = makeDs(ROOT, current.dnskey, 2);
    expect(readFileSync(anchor, "utf8").toUpperCase()).not.toContain(bytesToHex(ds.digestBytes, true));
  });
});
