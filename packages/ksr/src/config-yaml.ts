/**
 * YAML for the operators' configuration files (ksrsigner.yaml, the KSR policy): YAML 1.2 core
 * schema, strict, unique keys, no aliases. Two things differ from the `yaml` package's defaults,
 * both because such a file may hold a PIN:
 *
 * - Nothing is printed. The package's warnings go to the console and quote the source line (for
 *   `pin: !secret 123456`, the PIN). Here every warning is an error (an unknown tag is refused, not
 *   silently read as a string), and an error names the problem, line and column, never the line.
 * - A secret written as a plain number is taken as its source text if that is decimal digits only
 *   (`0123456` keeps its zero, a 20-digit PIN all its digits) and refused otherwise (`0x1E240`,
 *   `1.23456e5`): on an HSM every wrong PIN counts toward a lock, so a PIN is used
 *   exactly as written or not at all.
 */
import { KskError } from "@ksk/core";
import { isScalar, parseDocument, visit } from "yaml";

/** Parse a configuration file's YAML into plain data; `secretKeys` name the mapping keys that hold secrets. */
export function parseConfigYaml(text: string, fileName: string, code: string, secretKeys: readonly string[] = []): unknown {
  const doc = parseDocument(text, { strict: true, uniqueKeys: true, logLevel: "silent", prettyErrors: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    // The first line is "<what> at line L, column C:"; the source excerpt follows it.
    throw new KskError("input", code, `is not valid YAML: ${problem.message.split("\n")[0]?.replace(/:$/, "")}`, { where: fileName });
  }
  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || !secretKeys.includes(String(pair.key.value))) return;
      const value = pair.value;
      if (!isScalar(value) || typeof value.value !== "number" || !value.range) return;
      const written = text.slice(value.range[0], value.range[1]);
      if (!/^[0-9]+$/.test(written)) {
        const line = text.slice(0, value.range[0]).split("\n").length;
        throw new KskError(
          "input",
          code,
          `${String(pair.key.value)} at line ${line} is a YAML number that is not plain digits: quote it ("…") to use it as written`,
          {
            where: fileName,
          },
        );
      }
      value.value = written;
    },
  });
  try {
    return doc.toJS({ maxAliasCount: 0 });
  } catch (e) {
    throw new KskError("input", code, `is not valid YAML: ${(e as Error).message.split("\n")[0]}`, { where: fileName });
  }
}
