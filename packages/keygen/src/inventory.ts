/**
 * Inventory of a keystore, as IANA's `inventory` tool gives it: every key pair with label,
 * algorithm, size, flags, key tag and DS, and the leftovers (a public key without its private
 * half, or the reverse). `--dns` form: each key as its DNSKEY record and its DS SHA-256 record.
 *
 * Left out: certificates and secret keys on the token (not DNSSEC keys).
 */
import type { KeyPairInfo, Keystore } from "@ksk/keystore";
import { type KeyReport, keyReport } from "./report.js";

export interface InventoryEntry {
  readonly label: string;
  readonly location: string;
  readonly report: KeyReport | undefined;
  readonly hasPublicKey: boolean;
  readonly hasPrivateKey: boolean;
  readonly protection?: KeyPairInfo["protection"];
}

export interface Inventory {
  readonly uri: string;
  /** Complete key pairs. */
  readonly keys: readonly InventoryEntry[];
  /** Public keys without private keys and the reverse. */
  readonly leftovers: readonly InventoryEntry[];
}

export async function inventory(keystore: Keystore): Promise<Inventory> {
  const entries = (await keystore.list()).map(
    (k): InventoryEntry => ({
      label: k.label,
      location: k.location,
      report: k.dnskey ? keyReport(k.label, k.dnskey) : undefined,
      hasPublicKey: k.hasPublicKey,
      hasPrivateKey: k.hasPrivateKey,
      ...(k.protection ? { protection: k.protection } : {}),
    }),
  );
  return {
    uri: keystore.uri,
    keys: entries.filter((e) => e.hasPublicKey && e.hasPrivateKey),
    leftovers: entries.filter((e) => !(e.hasPublicKey && e.hasPrivateKey)),
  };
}

export function formatInventory(inv: Inventory): string {
  const lines: string[] = [];
  lines.push(
    `Keystore ${inv.uri}: ${inv.keys.length} key pair${inv.keys.length === 1 ? "" : "s"}${inv.leftovers.length ? `, ${inv.leftovers.length} leftover${inv.leftovers.length === 1 ? "" : "s"}` : ""}`,
  );
  for (const k of inv.keys) {
    const r = k.report as KeyReport;
    const protection = k.protection
      ? ` ${k.protection.sensitive ? "sensitive" : "NOT sensitive"}, ${k.protection.extractable ? "EXTRACTABLE" : "non-extractable"}`
      : "";
    lines.push(
      `  ${k.label}  ${k.location}  alg ${r.algorithm} ${r.algorithmMnemonic} ${r.sizeBits} bits  flags ${r.flags}  tag ${r.keyTag} (revoked ${r.revokedKeyTag})${protection}`,
    );
    for (const d of r.ds) lines.push(`    ${d.record}`);
  }
  if (inv.leftovers.length) {
    lines.push("Leftovers:");
    for (const k of inv.leftovers) {
      const what = k.hasPublicKey ? "public key without private key" : "private key without public key";
      lines.push(`  ${k.label}  ${k.location}  ${what}${k.report ? `  tag ${k.report.keyTag}` : ""}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** IANA `inventory --dns`: the DNSKEY record and the DS SHA-256 record of every complete key pair. */
export function formatInventoryDns(inv: Inventory): string {
  return inv.keys
    .map((k) => {
      const r = k.report as KeyReport;
      const ds = r.ds.find((d) => d.digestType === 2);
      return `; ${k.label}\n${r.dnskeyRecord}\n${ds?.record ?? ""}\n`;
    })
    .join("");
}
