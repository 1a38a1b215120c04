/**
 * A KSR or SKR file is read the same way by every command: the same 1 MiB cap (checked before the
 * bytes are read) and the same refusal of a file of the other kind, whether `ksk ksr` or `ksk skr`
 * reads it. Real files: IANA's 2017 Q2 KSR and 2017 Q1 SKR (packages/ksr/test/fixtures).
 */
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "./fixtures.js";
import { ksk } from "./harness.js";

const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), "../../ksr/test/fixtures");
const KSR = path.join(FIXTURES, "ksr-root-2017-q2-0.xml");
const SKR = path.join(FIXTURES, "skr-root-2017-q1-0.xml");
const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("KSR and SKR files, whichever command reads them", () => {
  const big = tmp.file("big.xml", new Uint8Array(1024 * 1024 + 1).fill(0x20));
  const cap = `ksk: ${big}: is ${1024 * 1024 + 1} bytes; at most ${1024 * 1024} accepted\n`;

  it.each([
    ["ksr validate", ["ksr", "validate", big]],
    ["ksr validate --previous-skr", ["ksr", "validate", KSR, "--previous-skr", big]],
    ["ksr show", ["ksr", "show", big]],
    ["skr verify", ["skr", "verify", big]],
    ["skr verify --ksr", ["skr", "verify", SKR, "--ksr", big]],
    ["skr show", ["skr", "show", big]],
  ])("%s: a file over 1 MiB is exit 3 before it is read", async (_name, args) => {
    expect(await ksk(args)).toEqual({ code: 3, stdout: "", stderr: cap });
  });

  it.each([
    ["ksr validate", ["ksr", "validate", SKR], `ksk: ${SKR}: is an SKR (<Response>), not a KSR (<Request>)\n`],
    ["skr verify --ksr", ["skr", "verify", SKR, "--ksr", SKR], `ksk: ${SKR}: is an SKR (<Response>), not a KSR (<Request>)\n`],
    ["ksr validate --previous-skr", ["ksr", "validate", KSR, "--previous-skr", KSR], `ksk: ${KSR}: is a KSR (<Request>), not an SKR (<Response>)\n`],
    ["skr verify", ["skr", "verify", KSR], `ksk: ${KSR}: is a KSR (<Request>), not an SKR (<Response>)\n`],
  ])("%s: a file of the other kind is exit 3, the same words", async (_name, args, stderr) => {
    expect(await ksk(args)).toEqual({ code: 3, stdout: "", stderr });
  });
});
