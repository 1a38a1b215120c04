/** Paths and facts the CLI tests share: the real root apex (2023-11-04) and the real root KSKs. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const here = path.dirname(new URL(import.meta.url).pathname);

/** The real root SOA and DNSKEY RRset with their real RRSIGs (serial 2023110401). */
export const ROOT_APEX_FILE = path.join(here, "../../core/test/fixtures/root-apex-2023-11-04.txt");

interface RootKsk {
  name: string;
  keyTag: number;
  revokedKeyTag: number;
  flags: number;
  protocol: number;
  algorithm: number;
  publicKey: string;
  ds: { digestType: number; digest: string }[];
}

const vectors = JSON.parse(readFileSync(path.join(here, "../../core/test/vectors/root-ksks.json"), "utf8")) as { keys: RootKsk[] };
export const ROOT_KSKS: readonly RootKsk[] = vectors.keys;

export function dnskeyLine(k: RootKsk, flags = k.flags): string {
  return `.\t172800\tIN\tDNSKEY\t${flags} ${k.protocol} ${k.algorithm} ${k.publicKey}\n`;
}

export function dsDigest(k: RootKsk, digestType: number): string {
  const found = k.ds.find((d) => d.digestType === digestType);
  if (!found) throw new Error(`${k.name}: no DS of type ${digestType} in the vectors`);
  return found.digest;
}

/** A temporary directory removed by the returned cleanup function. */
export function tempDir(): { dir: string; file: (name: string, content?: string | Uint8Array) => string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), "ksk-cli-"));
  return {
    dir,
    file: (name, content) => {
      const p = path.join(dir, name);
      if (content !== undefined) writeFileSync(p, content);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
