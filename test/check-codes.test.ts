/**
 * The check-code registry: each package registers the codes of its own checks (core the DNS
 * ones, @ksk/ksr the KSR ones, @ksk/signer the SKR and KSK ones, @ksk/trust-anchor the TA and CSR
 * ones, @ksk/zone the ZONE ones), no code twice, and every code a check throws anywhere in the sources is registered.
 * Read from the sources, so a new check with an unregistered code fails here.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { registeredChecks } from "@ksk/core";
import "@ksk/ksr";
import "@ksk/signer";
import "@ksk/trust-anchor";
import "@ksk/zone";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

function sources(): { file: string; text: string }[] {
  return readdirSync(path.join(root, "packages"))
    .flatMap((p) => readdirSync(path.join(root, "packages", p, "src"), { recursive: true }).map((f) => path.join("packages", p, "src", String(f))))
    .filter((f) => f.endsWith(".ts"))
    .map((file) => ({ file, text: readFileSync(path.join(root, file), "utf8") }));
}

/** The package a code belongs to, by its prefix. */
function ownerByPrefix(code: string): string {
  if (code === "SKR-VERIFY" || /^(RRSIG|RRSET|DNSKEY)-/.test(code)) return "@ksk/core";
  if (code.startsWith("KSR-")) return "@ksk/ksr";
  if (/^(SKR|KSK|SCHEMA|ROLLOVER)-/.test(code)) return "@ksk/signer";
  if (code.startsWith("ZONE-")) return "@ksk/zone";
  if (/^(TA|CSR)-/.test(code)) return "@ksk/trust-anchor";
  return "unknown";
}

describe("check codes", () => {
  const registry = registeredChecks();

  it("are registered by the package that owns them", () => {
    expect(registry.size).toBeGreaterThan(40);
    for (const [code, { owner }] of registry) expect({ code, owner }).toEqual({ code, owner: ownerByPrefix(code) });
  });

  it("are registered in the owning package's sources only", () => {
    for (const { file, text } of sources()) {
      if (!text.includes("registerChecks(")) continue;
      const owner = `@ksk/${file.split(path.sep)[1]}`;
      const codes = [...text.matchAll(/^ {2}"([A-Z0-9-]+)": \{/gm)].map((m) => m[1] as string);
      for (const code of codes) expect({ code, file, owner: registry.get(code)?.owner }).toEqual({ code, file, owner });
    }
  });

  it("include every code a check throws (checkFailed and the packages' wrappers of it)", () => {
    const thrown = new Set<string>();
    for (const { text } of sources()) {
      // checkFailed("CODE", …), trust-anchor's taCheck("CODE", …) and cmsCheck(where, "CODE", …), and
      // the KSR check steps ({ code: "CODE", run: … }).
      for (const m of text.matchAll(/(?:checkFailed|taCheck)\(\s*"([A-Z0-9-]+)"|cmsCheck\([^,]+,\s*"([A-Z0-9-]+)"|\bcode: "([A-Z0-9-]+)", run:/g)) {
        thrown.add((m[1] ?? m[2] ?? m[3]) as string);
      }
    }
    expect(thrown.size).toBeGreaterThan(20);
    const unregistered = [...thrown].filter((c) => !registry.has(c));
    expect(unregistered).toEqual([]);
  });
});
