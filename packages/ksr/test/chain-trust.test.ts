/**
 * SKR-VERIFY of SKR(n-1) against the KSK operator's own keys: IANA's 2017 Q1 SKR is signed by
 * KSK-2010 (19036). Trusting KSK-2010 it passes; trusting only KSK-2017 it fails, because a file's
 * own keys prove nothing about who signed it; with no trusted key given the result says so.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { type DnskeyRdata, isSep, keyTag } from "@ksk/core";
import { describe, expect, it } from "vitest";
import { checkSkrSignatures, parseKsrXml } from "../src/index.js";

const here = path.dirname(new URL(import.meta.url).pathname);
const skr = parseKsrXml(readFileSync(path.join(here, "fixtures/skr-root-2017-q1-0.xml"))).document;
if (skr.kind !== "response") throw new Error("not an SKR");
const ksk2010 = skr.bundles[0]?.keys.find((k) => isSep(k.dnskey))?.dnskey as DnskeyRdata;
// KSK-2017 (20326), from the real root apex: a real root KSK that did not sign this SKR.
const ksk2017: DnskeyRdata = {
  kind: "DNSKEY",
  flags: 257,
  protocol: 3,
  algorithm: 8,
  publicKeyBytes: new Uint8Array(
    Buffer.from(
      "AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU=",
      "base64",
    ),
  ),
};

describe("SKR-VERIFY of the previous SKR against trusted KSKs", () => {
  it("passes when the operator's key (KSK-2010) signed every bundle", () => {
    expect(keyTag(ksk2010)).toBe(19036);
    expect(checkSkrSignatures(skr, [ksk2010])).toBe("9 KSK signatures in the previous SKR verify, each bundle signed by a trusted KSK");
  });

  it("fails when only keys the file carries signed it", () => {
    expect(keyTag(ksk2017)).toBe(20326);
    expect(() => checkSkrSignatures(skr, [ksk2017])).toThrow(
      /previous SKR bundle 1 .*: no signature by a trusted KSK \(20326\); signed by 19036, which is not a trusted key: this SKR was not signed by the operator's keys$/,
    );
    // Told the operator's configured keys, it names the signer as one of them.
    expect(() => checkSkrSignatures(skr, [ksk2017], new Map([[19036, "keys.ksk_old (label K2010)"]]))).toThrow(
      /signed by 19036, which is keys\.ksk_old \(label K2010\) in the config but not a key opened for this signing \(is --schema right\?\)$/,
    );
  });

  it("says so when no trusted key is given", () => {
    expect(checkSkrSignatures(skr)).toMatch(/with the keys the file carries \(no trusted KSK given to check them against\)/);
  });
});
