/**
 * The check-code registry: each package registers the codes of its own checks (core the DNS
 * ones, @ksk/ksr the KSR ones, @ksk/signer the SKR and KSK ones, @ksk/trust-anchor the TA and CSR
 * ones, @ksk/zone the ZONE ones), no code twice, and every check is implemented in the package that
 * registers it. Read from the sources: every string literal that is exactly a code-shaped word
 * (`"KSR-ID"`, `"TA-CMS-EMAIL"`), whatever call it is given to — checkFailed, a KskError of any
 * kind, a step table, a comparison — must be registered, and appear only in its owner's sources
 * (core's DNS codes anywhere, since every package validates DNS with core). The scanner is tested
 * on sources made up here, good and bad, so it cannot pass by finding nothing.
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

interface Source {
  readonly file: string;
  readonly text: string;
}

function sources(): Source[] {
  return readdirSync(path.join(root, "packages"))
    .flatMap((p) => readdirSync(path.join(root, "packages", p, "src"), { recursive: true }).map((f) => path.join("packages", p, "src", String(f))))
    .filter((f) => f.endsWith(".ts"))
    .map((file) => ({ file, text: readFileSync(path.join(root, file), "utf8") }));
}

/** The package a source file belongs to. */
function packageOf(file: string): string {
  return `@ksk/${file.split(/[\\/]/)[1]}`;
}

/** The prefixes of check families: a literal with one of them is a check code or a named input-error code. */
const CHECK_FAMILY = /^(KSR|SKR|KSK|SCHEMA|ROLLOVER|TA|CSR|ZONE|RRSIG|RRSET|DNSKEY)-[A-Z0-9]+(-[A-Z0-9]+)*$/;

/** Every string literal ("…", '…', `…` without substitutions) that is exactly a code-shaped word, with its line. */
function codeLiterals(text: string): { code: string; line: number }[] {
  const out: { code: string; line: number }[] = [];
  for (const m of text.matchAll(/"([A-Z][A-Z0-9-]*)"|'([A-Z][A-Z0-9-]*)'|`([A-Z][A-Z0-9-]*)`/g)) {
    const code = (m[1] ?? m[2] ?? m[3]) as string;
    if (!code.includes("-")) continue;
    out.push({ code, line: text.slice(0, m.index).split("\n").length });
  }
  return out;
}

/**
 * Codes given to a check failure: checkFailed("X"…) and trust-anchor's wrappers of it, and a
 * KskError("check", "X"…) with a check-family code (the ceremony runner's and the lab's own
 * kind-"check" errors, CEREMONY-… and LAB-…, report a failed step, not a check).
 */
function checkFailureCodes(text: string): string[] {
  const found: string[] = [];
  const re = /(?:checkFailed|taCheck)\(\s*"([A-Z0-9-]+)"|cmsCheck\([^,]+,\s*"([A-Z0-9-]+)"|KskError\(\s*"check",\s*"([A-Z0-9-]+)"/g;
  for (const m of text.matchAll(re)) {
    const code = (m[1] ?? m[2] ?? m[3]) as string;
    if (m[3] === undefined || CHECK_FAMILY.test(code)) found.push(code);
  }
  return found;
}

type Registry = ReadonlyMap<string, { readonly owner: string }>;

/**
 * What is wrong with the sources: a registered code outside its owner's sources (core's codes
 * excepted), a check failure under an unregistered code, or a check-family code that is neither
 * registered nor a known input-error code (given as `inputCodes`).
 */
function violations(files: readonly Source[], registry: Registry, inputCodes: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const { file, text } of files) {
    const pkg = packageOf(file);
    for (const { code, line } of codeLiterals(text)) {
      const entry = registry.get(code);
      if (entry) {
        if (entry.owner !== "@ksk/core" && entry.owner !== pkg) out.push(`${file}:${line}: ${code} is registered by ${entry.owner}, used in ${pkg}`);
      } else if (CHECK_FAMILY.test(code) && !inputCodes.has(code)) {
        out.push(`${file}:${line}: ${code} looks like a check code but is not registered`);
      }
    }
    for (const code of checkFailureCodes(text)) if (!registry.has(code)) out.push(`${file}: a check fails with ${code}, which is not registered`);
  }
  return out;
}

/** Codes of check-family shape given to KskError as bad input (kind "input"), or used as such: not checks. */
function inputErrorCodes(files: readonly Source[]): Set<string> {
  const codes = new Set<string>();
  for (const { text } of files) {
    for (const m of text.matchAll(/(?:inputError|\bbad|KskError\(\s*"(?:input|usage|keystore|refused)",)\(?\s*"([A-Z0-9-]+)"/g)) codes.add(m[1] as string);
    // XML readers name their codes in a table (tooLarge: "TA-TOO-LARGE", …) and w.bad(e, "CODE", …).
    // (A `code:` key is a check step's or a result's, never an input error's.)
    for (const m of text.matchAll(/\b([a-zA-Z]+):\s*"([A-Z][A-Z0-9-]+)"|\.bad\([^,]+,\s*"([A-Z0-9-]+)"/g)) {
      if (m[1] !== "code") codes.add((m[2] ?? m[3]) as string);
    }
  }
  return codes;
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
  const files = sources();
  const inputCodes = inputErrorCodes(files);

  it("are registered by the package that owns them", () => {
    expect(registry.size).toBeGreaterThan(40);
    for (const [code, { owner }] of registry) expect({ code, owner }).toEqual({ code, owner: ownerByPrefix(code) });
  });

  it("are registered in the owning package's sources only", () => {
    expect(registry.size).toBeGreaterThan(40);
    for (const { file, text } of files) {
      if (!text.includes("registerChecks(")) continue;
      const codes = [...text.matchAll(/^ {2}"([A-Z0-9-]+)": \{/gm)].map((m) => m[1] as string);
      for (const code of codes) expect({ code, file, owner: registry.get(code)?.owner }).toEqual({ code, file, owner: packageOf(file) });
    }
  });

  it("appear in the sources only in the package that registers them, and every check failure's code is registered", () => {
    const literals = files.flatMap((f) => codeLiterals(f.text).filter((l) => registry.has(l.code)));
    // Not vacuous: hundreds of uses, and every registered code is used where it is implemented.
    expect(literals.length).toBeGreaterThan(150);
    const unused = [...registry]
      .filter(
        ([code, { owner }]) =>
          !files.some((f) => packageOf(f.file) === owner && !f.file.endsWith("check-codes.ts") && codeLiterals(f.text).some((l) => l.code === code)),
      )
      .map(([code, { owner }]) => `${code} (${owner})`);
    expect(unused).toEqual([]);
    expect(files.flatMap((f) => checkFailureCodes(f.text)).length).toBeGreaterThan(60);
    expect(violations(files, registry, inputCodes)).toEqual([]);
  });

  it("the scanner catches a code outside its package, whatever throws it, and an unregistered check (self-test)", () => {
    const fake: Source[] = [
      { file: "packages/cli/src/keys.ts", text: 'throw new KskError("keystore", "KSK-CONFIG-MATCH", "not a KSK");' },
      { file: "packages/cli/src/anchors.ts", text: "if (!ok) throw checkFailed(`TA-CMS-EMAIL`, detail);" },
      { file: "packages/signer/src/roll.ts", text: "const code = 'TA-NONE-VALID';" },
      { file: "packages/ksr/src/x.ts", text: 'throw checkFailed("KSR-NOT-A-CHECK", "…");' },
      { file: "packages/zone/src/y.ts", text: 'report("ZONE-NEW-RULE", owner);' },
      { file: "packages/ksr/src/steps.ts", text: '{ code: "KSR-NEW-STEP", run: (i) => check(i) },' },
      { file: "packages/signer/src/ok.ts", text: 'throw checkFailed("SKR-VERIFY", "…"); const k = "KSK-CHAIN-SIGNER"; throw inputError("ZONE-SOA", "…");' },
    ];
    const found = violations(fake, registry, inputErrorCodes(fake));
    expect(inputErrorCodes(fake)).toEqual(new Set(["KSK-CONFIG-MATCH", "ZONE-SOA"]));
    expect(found).toEqual([
      "packages/cli/src/keys.ts:1: KSK-CONFIG-MATCH is registered by @ksk/signer, used in @ksk/cli",
      "packages/cli/src/anchors.ts:1: TA-CMS-EMAIL is registered by @ksk/trust-anchor, used in @ksk/cli",
      "packages/signer/src/roll.ts:1: TA-NONE-VALID is registered by @ksk/trust-anchor, used in @ksk/signer",
      "packages/ksr/src/x.ts:1: KSR-NOT-A-CHECK looks like a check code but is not registered",
      "packages/ksr/src/x.ts: a check fails with KSR-NOT-A-CHECK, which is not registered",
      "packages/zone/src/y.ts:1: ZONE-NEW-RULE looks like a check code but is not registered",
      "packages/ksr/src/steps.ts:1: KSR-NEW-STEP looks like a check code but is not registered",
    ]);
  });
});
