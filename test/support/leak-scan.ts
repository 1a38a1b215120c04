/**
 * TEST ONLY: the lab's secrets in every form a leak could take, and a scan of files and process
 * output for them. The secrets are the PINs and the ZSK passphrase (as written in the lab's
 * secret files) and each software-keystore private key, decrypted here through @ksk/keystore with
 * the passphrase and searched for as PKCS#8 DER, base64 (plain and URL-safe) and hex (both cases).
 * The HSM's private keys cannot be searched for: they never leave the token (the lab test asserts
 * CKA_EXTRACTABLE false and CKA_SENSITIVE true instead).
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { exportSoftwarePrivateKey } from "@ksk/keystore";

export interface Secret {
  /** What it is, for failure messages (never the secret itself). */
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** A secret file's text: one trailing line ending stripped, as the keystore reads it. */
export function secretFileText(file: string): string {
  return readFileSync(file, "utf8").replace(/\r?\n$/, "");
}

/** The forms of a private key a leak could take: DER, base64, URL-safe base64, hex. */
export function keyForms(name: string, der: Uint8Array): Secret[] {
  const b = Buffer.from(der);
  const text = (form: string, s: string) => ({ name: `${name} (${form})`, bytes: new TextEncoder().encode(s) });
  return [
    { name: `${name} (PKCS#8 DER)`, bytes: der },
    text("base64", b.toString("base64")),
    text("base64url", b.toString("base64url")),
    text("hex", b.toString("hex")),
    text("HEX", b.toString("hex").toUpperCase()),
  ];
}

/** Each private key of the software keystore in `directory`, as PKCS#8 DER, decrypted with `passphrase`. */
export async function softwarePrivateKeys(directory: string, passphrase: string): Promise<Secret[]> {
  const labels = readdirSync(directory)
    .filter((f) => f.endsWith(".private"))
    .map((f) => f.slice(0, -".private".length));
  const out: Secret[] = [];
  for (const label of labels.sort()) {
    const der = await exportSoftwarePrivateKey({ uriText: `file:${directory}`, directory, passphrase: async () => passphrase }, label);
    out.push(...keyForms(`private key ${label}`, der));
  }
  return out;
}

/** Every regular file under `dir`, except those `skip` says hold secrets by design. */
export function filesUnder(dir: string, skip: (relative: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      const relative = path.relative(dir, full);
      if (skip(relative)) continue;
      const s = statSync(full);
      if (s.isDirectory()) walk(full);
      else if (s.isFile()) out.push(full);
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Where each secret occurs in `haystacks` ("file: secret name"). A secret shorter than 12 octets
 * (a PIN) must not occur as a whole token: digits next to it are part of another number (a serial,
 * a hash), which is not a leak.
 */
export function leaks(haystacks: readonly { name: string; bytes: Uint8Array }[], secrets: readonly Secret[]): string[] {
  const found: string[] = [];
  for (const h of haystacks) {
    const buffer = Buffer.from(h.bytes);
    for (const s of secrets) {
      let at = buffer.indexOf(Buffer.from(s.bytes));
      while (at >= 0) {
        const isolated = s.bytes.length >= 12 || (!isWordByte(buffer[at - 1]) && !isWordByte(buffer[at + s.bytes.length]));
        if (isolated) {
          found.push(`${h.name}: ${s.name}`);
          break;
        }
        at = buffer.indexOf(Buffer.from(s.bytes), at + 1);
      }
    }
  }
  return found;
}

function isWordByte(b: number | undefined): boolean {
  return b !== undefined && /[0-9A-Za-z]/.test(String.fromCharCode(b));
}

/**
 * The forms of officers' shares a leak could take, for every share file under `directory`
 * (`share-*`, as `ksk custody split` and `ksk key backup` write them): the share record as hex and
 * as its PGP words, and the Shamir share inside it as hex and base64. And the secret they recombine
 * to (a PIN, or a backup's KEK) as raw octets, text, hex and base64, recombined here with the
 * audited library itself, not the code under test.
 */
export async function shareSecrets(name: string, directory: string): Promise<Secret[]> {
  const { combine } = await import("shamir-secret-sharing");
  const text = (form: string, s: string) => ({ name: `${name} ${form}`, bytes: new TextEncoder().encode(s) });
  const out: Secret[] = [];
  const shares: Uint8Array[] = [];
  for (const file of readdirSync(directory)
    .filter((f) => f.startsWith("share-"))
    .sort()) {
    const content = readFileSync(path.join(directory, file), "utf8");
    const recordHex = /^record: ([0-9a-f]+)$/m.exec(content)?.[1];
    const words = /^words: (.+)$/m.exec(content)?.[1];
    if (!recordHex || !words) throw new Error(`${directory}/${file} is not a share file`);
    const record = Buffer.from(recordHex, "hex");
    // Record layout (packages/shares/src/record.ts): 17 header octets, the share, 4 checksum octets.
    const share = record.subarray(17, record.length - 4);
    shares.push(new Uint8Array(share));
    out.push(text(`${file} record (hex)`, recordHex), text(`${file} words`, words), ...keyForms(`${name} ${file} Shamir share`, share).slice(1));
  }
  if (shares.length >= 2) {
    const secret = await combine(shares);
    // The raw octets are named so, not "PKCS#8 DER": the secret is a PIN or an AES key.
    const forms = keyForms(`${name} recombined secret`, secret).map((f) => ({ ...f, name: f.name.replace("(PKCS#8 DER)", "(octets)") }));
    out.push(...forms, text(`${name} recombined secret (text)`, Buffer.from(secret).toString("latin1")));
  }
  return out;
}
