/**
 * Every KSR check with a good and a bad case. The good case is the real ksr-root-2017-q2-0.xml
 * chained to the real skr-root-2017-q1-0.xml; each bad case mutates a copy of it (swap a
 * signature, drop a key, shift a date, change a key tag, duplicate a bundle id, …).
 */
import { type DnskeyRdata, KskError, keyTag, revokedKeyTag } from "@ksk/core";
import { describe, expect, it } from "vitest";
import {
  type Bundle,
  type BundleKey,
  type BundleSignature,
  type KsrRequestDocument,
  type KsrResponseDocument,
  checkBundleCount,
  checkBundleIntervals,
  checkBundleKeys,
  checkBundleUnique,
  chainQuarterMismatch,
  checkChainKeys,
  checkChainOverlap,
  checkCycleDuration,
  checkKeyTagClash,
  checkKsrDomain,
  checkKsrId,
  checkPolicyAlgorithms,
  checkPolicyKeys,
  checkProofOfPossession,
  checkSignatureHorizon,
  checkSignatureOverlap,
  checkSignatureValidity,
  checkSkrSignatures,
  defaultKsrPolicy,
  runKsrChecks,
  skrKsks,
} from "../src/index.js";
import { Q2_2017_NOW, loadKsr, loadSkr, utc } from "./helpers.js";

const POLICY = defaultKsrPolicy().request;
const KSR = loadKsr("ksr-root-2017-q2-0.xml");
const SKR_Q1 = loadSkr("skr-root-2017-q1-0.xml");
const DAY = 86400;

function failure(fn: () => unknown): KskError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KskError);
    expect((e as KskError).kind).toBe("check");
    return e as KskError;
  }
  throw new Error("the check passed");
}

/** A bundle whose key and signature lists a test may edit. */
type EditableBundle = Omit<Bundle, "keys" | "signatures"> & { keys: BundleKey[]; signatures: BundleSignature[] };

function withBundles(ksr: KsrRequestDocument, edit: (bundles: EditableBundle[]) => void): KsrRequestDocument {
  const bundles: EditableBundle[] = ksr.bundles.map((b) => ({ ...b, keys: [...b.keys], signatures: [...b.signatures] }));
  edit(bundles);
  return { ...ksr, bundles };
}

function shift<B extends Bundle | EditableBundle>(b: B, inceptionDays: number, expirationDays = inceptionDays): B {
  return {
    ...b,
    inceptionEpochSeconds: b.inceptionEpochSeconds + inceptionDays * DAY,
    expirationEpochSeconds: b.expirationEpochSeconds + expirationDays * DAY,
  };
}

/** A DNSKEY with the given flags whose key tag (or revoked tag) is `target`: the last two key octets are searched. */
function keyWithTag(base: DnskeyRdata, flags: number, target: number, revoked = false): DnskeyRdata {
  const bytes = base.publicKeyBytes.slice();
  for (let v = 0; v < 65536; v++) {
    bytes[bytes.length - 2] = v >> 8;
    bytes[bytes.length - 1] = v & 0xff;
    const k: DnskeyRdata = { ...base, flags, publicKeyBytes: bytes.slice() };
    if ((revoked ? revokedKeyTag(k) : keyTag(k)) === target) return k;
  }
  throw new Error("no such key");
}

describe("the real KSR 2017 Q2 passes every check at a time before its first inception", () => {
  it("all 17 checks pass, none disabled or skipped, with SKR(n-1) = skr-root-2017-q1-0.xml", () => {
    const report = runKsrChecks({ ksr: KSR, policy: POLICY, nowEpochSeconds: Q2_2017_NOW, previousSkr: SKR_Q1 });
    expect(report.results.map((r) => [r.code, r.status]).filter(([, s]) => s !== "pass")).toEqual([]);
    expect(report.results).toHaveLength(17);
    expect(report.warnings).toEqual([]);
    expect(report.ok).toBe(true);
  });
});

describe("historical KSRs parse and prove possession but fail today's root policy", () => {
  const failing = (name: string, now: number) =>
    runKsrChecks({ ksr: loadKsr(name), policy: POLICY, nowEpochSeconds: now })
      .results.filter((r) => r.status === "fail")
      .map((r) => r.code);

  it("ksr-root-2016-q3-0.xml", () => {
    expect(() => checkProofOfPossession(loadKsr("ksr-root-2016-q3-0.xml"))).not.toThrow();
    expect(failing("ksr-root-2016-q3-0.xml", utc(2016, 6, 1))).toEqual([
      // It declares RSA-1024 next to RSA-2048 (the ZSK size change); today only RSA-2048 is approved.
      "KSR-POLICY-ALG",
      // Bundles end at 23:59:59, so each is valid 14 days 23:59:59: one second short of its own MinSignatureValidity P15D.
      "KSR-POLICY-SIG-VALIDITY",
      // For the same reason consecutive bundles overlap 4 days 23:59:59, one second short of its own MinValidityOverlap P5D.
      "KSR-POLICY-SIG-OVERLAP",
    ]);
  });

  it("ksr-root-2010-q1-0.xml", () => {
    expect(() => checkProofOfPossession(loadKsr("ksr-root-2010-q1-0.xml"))).not.toThrow();
    expect(failing("ksr-root-2010-q1-0.xml", utc(2009, 12, 25))).toEqual([
      // Its RequestPolicy declares RSA exponent 3, but every key has exponent 65537 (IANA's tool tolerates
      // this only with rsa_exponent_match_zsk_policy: false).
      "KSR-BUNDLE-KEYS",
      // RSA-1024 with exponent 3: neither is approved today.
      "KSR-POLICY-ALG",
      // 23:59:59 ends, as in 2016: validity and overlap one second short of the declared P15D and P5D.
      "KSR-POLICY-SIG-VALIDITY",
      "KSR-POLICY-SIG-OVERLAP",
    ]);
    const relaxed = { ...POLICY, rsa_exponent_match_zsk_policy: false };
    const warnings: string[] = [];
    expect(() => checkBundleKeys(loadKsr("ksr-root-2010-q1-0.xml"), relaxed, (w) => warnings.push(w))).not.toThrow();
    expect(warnings[0]).toMatch(/rsa_exponent_match_zsk_policy is false/);
  });
});

describe("KSR-DOMAIN", () => {
  it("good", () => expect(checkKsrDomain(KSR, POLICY)).toMatch(/domain \. is accepted/));
  it("bad: a KSR for another domain", () => {
    const e = failure(() => checkKsrDomain({ ...KSR, domain: "example." }, POLICY));
    expect([e.code, e.where]).toEqual(["KSR-DOMAIN", "KSR/@domain"]);
  });
});

describe("KSR-ID", () => {
  it("good", () => expect(() => checkKsrId(KSR, SKR_Q1)).not.toThrow());
  it("bad: the KSR id is the previous SKR's", () => expect(failure(() => checkKsrId({ ...KSR, id: SKR_Q1.id }, SKR_Q1)).code).toBe("KSR-ID"));
});

describe("KSR-BUNDLE-UNIQUE", () => {
  it("good", () =>
    expect(() =>
      checkBundleUnique(
        KSR,
        SKR_Q1.bundles.map((b) => b.id),
      ),
    ).not.toThrow());
  it("bad: a duplicated bundle id", () => {
    const ksr = withBundles(KSR, (b) => {
      b[4] = { ...b[4]!, id: b[1]!.id };
    });
    const e = failure(() => checkBundleUnique(ksr));
    expect(e.code).toBe("KSR-BUNDLE-UNIQUE");
    expect(e.where).toMatch(/^bundle 5 /);
  });
  it("bad: a bundle id reused from the previous SKR", () => {
    const ksr = withBundles(KSR, (b) => {
      b[0] = { ...b[0]!, id: SKR_Q1.bundles[8]!.id };
    });
    expect(
      failure(() =>
        checkBundleUnique(
          ksr,
          SKR_Q1.bundles.map((x) => x.id),
        ),
      ).detail,
    ).toMatch(/already used in the previous SKR/);
  });
});

describe("KSR-BUNDLE-KEYS", () => {
  it("good", () => expect(checkBundleKeys(KSR, POLICY)).toMatch(/3 distinct ZSKs/));
  it("bad: a key TTL other than the policy's is refused, not rewritten", () => {
    const ksr = withBundles(KSR, (b) => {
      b[3]!.keys[0] = { ...b[3]!.keys[0]!, ttlSeconds: 86400 };
    });
    const e = failure(() => checkBundleKeys(ksr, POLICY));
    expect(e.detail).toMatch(/TTL 86400 is not the policy TTL 172800/);
    expect(e.where).toMatch(/^bundle 4 /);
    expect(ksr.bundles[3]!.keys[0]!.ttlSeconds).toBe(86400);
  });
  it("bad: a KSK (flags 257) in a KSR", () => {
    const ksr = withBundles(KSR, (b) => {
      b[2]!.keys[0] = { ...b[2]!.keys[0]!, dnskey: { ...b[2]!.keys[0]!.dnskey, flags: 257 } };
    });
    expect(failure(() => checkBundleKeys(ksr, POLICY)).detail).toMatch(/flags 257/);
  });
  it("bad: one keyIdentifier naming two different keys", () => {
    const other = KSR.bundles[0]!.keys.find((k) => keyTag(k.dnskey) === 61045)!;
    const ksr = withBundles(KSR, (b) => {
      b[5]!.keys[0] = { ...other, keyIdentifier: b[5]!.keys[0]!.keyIdentifier! };
    });
    expect(failure(() => checkBundleKeys(ksr, POLICY)).detail).toMatch(/names a different key/);
  });
  it("bad: a key size the KSR does not declare", () => {
    const ksr = { ...KSR, policy: { zsk: { ...KSR.policy.zsk, algorithms: [{ family: "RSA" as const, algorithm: 8, sizeBits: 4096, exponent: 65537 }] } } };
    expect(failure(() => checkBundleKeys(ksr, POLICY)).detail).toMatch(/2048-bit key is not declared/);
  });
});

describe("KSR-BUNDLE-POP", () => {
  it("good", () => expect(checkProofOfPossession(KSR)).toMatch(/11 proof-of-possession signatures verify/));
  it("bad: a signature swapped in from another bundle", () => {
    const ksr = withBundles(KSR, (b) => {
      b[1]!.signatures[0] = b[0]!.signatures.find((s) => s.rrsig.keyTag === 14796)!;
    });
    const e = failure(() => checkProofOfPossession(ksr));
    expect([e.code, e.where?.slice(0, 8)]).toEqual(["KSR-BUNDLE-POP", "bundle 2"]);
    expect(e.detail).toMatch(/does not verify/);
  });
  it("bad: a key that did not sign (its signature dropped)", () => {
    const ksr = withBundles(KSR, (b) => {
      b[8]!.signatures = b[8]!.signatures.slice(1);
    });
    expect(failure(() => checkProofOfPossession(ksr)).detail).toMatch(/did not sign the bundle's DNSKEY RRset/);
  });
  it("bad: a signature whose key tag was changed", () => {
    const ksr = withBundles(KSR, (b) => {
      const s = b[4]!.signatures[0]!;
      b[4]!.signatures[0] = { ...s, rrsig: { ...s.rrsig, keyTag: 61045 } };
    });
    expect(failure(() => checkProofOfPossession(ksr)).detail).toMatch(/no zone DNSKEY|does not verify/);
  });
  it("good: a bundle with two keys has one signature by each", () => {
    const two = KSR.bundles.findIndex((b) => b.keys.length === 2);
    expect(two).toBeGreaterThanOrEqual(0);
    expect(checkProofOfPossession(KSR)).toMatch(/every key in every bundle signed/);
  });
  it("bad: one key signs twice (no keyIdentifier) and the other key not at all", () => {
    const two = KSR.bundles.findIndex((b) => b.keys.length === 2 && b.signatures.length === 2);
    const ksr = withBundles(KSR, (b) => {
      const bundle = b[two]!;
      const first = bundle.signatures[0]!;
      const { keyIdentifier: _dropped, ...bare } = first;
      bundle.signatures = [bare, { ...bare }];
    });
    const e = failure(() => checkProofOfPossession(ksr));
    const tag = KSR.bundles[two]!.signatures[0]!.rrsig.keyTag;
    expect([e.code, e.where?.startsWith(`bundle ${two + 1} `)]).toEqual(["KSR-BUNDLE-POP", true]);
    expect(e.detail).toMatch(new RegExp(`key ${tag}\\b.*signed the bundle's DNSKEY RRset more than once`));
  });
  it("bad: one signature byte changed", () => {
    const ksr = withBundles(KSR, (b) => {
      const s = b[6]!.signatures[0]!;
      const bytes = s.rrsig.signatureBytes.slice();
      bytes[10] = (bytes[10] as number) ^ 1;
      b[6]!.signatures[0] = { ...s, rrsig: { ...s.rrsig, signatureBytes: bytes } };
    });
    expect(failure(() => checkProofOfPossession(ksr)).where).toMatch(/^bundle 7 /);
  });
});

describe("KSR-BUNDLE-COUNT", () => {
  it("good", () => expect(checkBundleCount(KSR, POLICY)).toBe("9 bundles"));
  it("bad: a bundle dropped", () =>
    expect(
      failure(() =>
        checkBundleCount(
          withBundles(KSR, (b) => b.pop()),
          POLICY,
        ),
      ).detail,
    ).toMatch(/8 bundles; the policy asks for 9/));
});

describe("KSR-BUNDLE-CYCLE-DURATION", () => {
  it("good: 80 days", () => expect(checkCycleDuration(KSR, POLICY)).toMatch(/P80D/));
  it("bad: last inception 2 days later (82 days)", () => {
    const ksr = withBundles(KSR, (b) => {
      b[8] = shift(b[8]!, 2);
    });
    expect(failure(() => checkCycleDuration(ksr, POLICY)).detail).toMatch(/P82D; the policy allows P79D to P81D/);
  });
});

describe("KSR-POLICY-KEYS", () => {
  it("good", () => expect(() => checkPolicyKeys(KSR, POLICY)).not.toThrow());
  it("bad: a key dropped from the first bundle", () => {
    const ksr = withBundles(KSR, (b) => {
      b[0]!.keys = b[0]!.keys.slice(1);
    });
    expect(failure(() => checkPolicyKeys(ksr, POLICY)).detail).toMatch(/1 keys; the policy asks for 2 in bundle 1/);
  });
  it("bad: only two distinct ZSKs", () => {
    const ksr = withBundles(KSR, (b) => {
      b[8]!.keys = [b[8]!.keys[0]!, KSR.bundles[0]!.keys.find((k) => keyTag(k.dnskey) === 61045)!];
    });
    expect(failure(() => checkPolicyKeys(ksr, POLICY)).detail).toMatch(/2 distinct ZSKs/);
  });
});

describe("KSR-POLICY-ALG", () => {
  it("good", () => expect(checkPolicyAlgorithms(KSR, POLICY)).toMatch(/RSASHA256\/2048\/e=65537/));
  it("bad: RSASHA256 not approved", () => {
    expect(failure(() => checkPolicyAlgorithms(KSR, { ...POLICY, approved_algorithms: ["RSASHA512"] })).detail).toMatch(/not in approved_algorithms/);
  });
  it("bad: a deprecated algorithm is refused even with the switch off (RFC 8624)", () => {
    const ksr = { ...KSR, policy: { zsk: { ...KSR.policy.zsk, algorithms: [{ family: "RSA" as const, algorithm: 5, sizeBits: 2048, exponent: 65537 }] } } };
    const warnings: string[] = [];
    const e = failure(() => checkPolicyAlgorithms(ksr, { ...POLICY, signature_algorithms_match_zsk_policy: false }, (w) => warnings.push(w)));
    expect(e.detail).toMatch(/RSASHA1\) is deprecated \(RFC 8624/);
  });
  it("switched off: passes with a warning naming the policy field", () => {
    const warnings: string[] = [];
    expect(() =>
      checkPolicyAlgorithms(KSR, { ...POLICY, approved_algorithms: ["ED25519"], signature_algorithms_match_zsk_policy: false }, (w) => warnings.push(w)),
    ).not.toThrow();
    expect(warnings[0]).toMatch(/DISABLED by policy \(signature_algorithms_match_zsk_policy: false\)/);
  });
});

describe("KSR-POLICY-SIG-VALIDITY", () => {
  it("good", () => expect(checkSignatureValidity(KSR)).toBe("every bundle is valid P21D"));
  it("bad: an expiration one day early", () => {
    const ksr = withBundles(KSR, (b) => {
      b[2] = shift(b[2]!, 0, -1);
    });
    const e = failure(() => checkSignatureValidity(ksr));
    expect(e.detail).toMatch(/validity P20D is shorter than the declared MinSignatureValidity P21D/);
    expect(e.where).toMatch(/^bundle 3 /);
  });
  it("compares with the minimum, not the maximum (IANA's fault)", () => {
    const wide = { ...KSR, policy: { zsk: { ...KSR.policy.zsk, minSignatureValiditySeconds: 20 * DAY, maxSignatureValiditySeconds: 22 * DAY } } };
    expect(() => checkSignatureValidity(wide)).not.toThrow();
    const shorter = withBundles(wide, (b) => {
      b[0] = shift(b[0]!, 0, -2);
    });
    expect(failure(() => checkSignatureValidity(shorter)).detail).toMatch(/P19D is shorter than the declared MinSignatureValidity P20D/);
  });
});

describe("KSR-POLICY-SIG-OVERLAP", () => {
  it("good", () => expect(() => checkSignatureOverlap(KSR)).not.toThrow());
  it("bad: a bundle moved 2 days later overlaps its predecessor only 8 days", () => {
    const ksr = withBundles(KSR, (b) => {
      b[4] = shift(b[4]!, 3);
    });
    const e = failure(() => checkSignatureOverlap(ksr));
    expect(e.detail).toMatch(/overlap with bundle 4 is P8D, shorter than the declared MinValidityOverlap P9D/);
  });
  it("bad: bundles out of order", () => {
    const ksr = withBundles(KSR, (b) => {
      [b[2], b[3]] = [b[3]!, b[2]!];
    });
    expect(failure(() => checkSignatureOverlap(ksr)).detail).toMatch(/is not after/);
  });
});

describe("KSR-POLICY-SIG-HORIZON", () => {
  it("good", () => expect(() => checkSignatureHorizon(KSR, POLICY, Q2_2017_NOW)).not.toThrow());
  it("bad: now too early, the last bundle expires beyond 180 days", () => {
    expect(failure(() => checkSignatureHorizon(KSR, POLICY, utc(2017, 1, 11))).where).toMatch(/^bundle 9 /);
  });
  it("bad: now after the first bundle expired", () => {
    expect(failure(() => checkSignatureHorizon(KSR, POLICY, utc(2017, 4, 23))).detail).toMatch(/already expired/);
  });
});

describe("KSR-POLICY-BUNDLE-INTERVALS", () => {
  it("good", () => expect(() => checkBundleIntervals(KSR, POLICY)).not.toThrow());
  it("bad: an inception shifted by two days gives a 12-day interval", () => {
    const ksr = withBundles(KSR, (b) => {
      b[6] = shift(b[6]!, 2);
    });
    expect(failure(() => checkBundleIntervals(ksr, POLICY)).detail).toMatch(/P12D after bundle 6's/);
  });
});

describe("KSR-KEYTAG-CLASH", () => {
  const ksk2010 = skrKsks(SKR_Q1)[0]!;
  it("good: KSK-2010 (19036, revoked 19164)", () => expect(checkKeyTagClash(KSR, [ksk2010])).toMatch(/19036, 19164/));
  it("bad: a KSK whose tag is a ZSK's", () => {
    expect(failure(() => checkKeyTagClash(KSR, [ksk2010, keyWithTag(ksk2010, 257, 61045)])).detail).toMatch(/ZSK key tag 61045 equals the tag of KSK 61045/);
  });
  it("bad: a KSK whose revoked tag is a ZSK's", () => {
    const e = failure(() => checkKeyTagClash(KSR, [keyWithTag(ksk2010, 257, 14796, true)]));
    expect(e.detail).toMatch(/ZSK key tag 14796 equals the tag of KSK \d+ with the REVOKE bit/);
  });
});

describe("SKR-VERIFY of the previous SKR", () => {
  it("good", () => expect(checkSkrSignatures(SKR_Q1)).toMatch(/9 KSK signatures/));
  it("bad: one byte of a KSK signature changed", () => {
    const bundles = SKR_Q1.bundles.map((b, i) => {
      if (i !== 3) return b;
      const s = b.signatures[0]!;
      const bytes = s.rrsig.signatureBytes.slice();
      bytes[0] = (bytes[0] as number) ^ 0x80;
      return { ...b, signatures: [{ ...s, rrsig: { ...s.rrsig, signatureBytes: bytes } }] };
    });
    expect(failure(() => checkSkrSignatures({ ...SKR_Q1, bundles })).where).toMatch(/^previous SKR bundle 4 /);
  });
});

describe("KSR-CHAIN-KEYS", () => {
  it("good", () => expect(checkChainKeys(KSR, SKR_Q1)).toMatch(/14796, 61045/));
  it("bad: chained to the wrong SKR (2017 Q2 instead of Q1), named as a KSR from the wrong quarter", () => {
    const e = failure(() => checkChainKeys(KSR, loadSkr("skr-root-2017-q2-0.xml")));
    expect(e.code).toBe("KSR-CHAIN-KEYS");
    expect(e.detail).toMatch(
      /^a KSR from the wrong quarter: it covers 2017Q2; the previous SKR covers 2017Q2, so the next KSR is for 2017Q3; hence ZSK \d+ of the KSR's first bundle is not in/,
    );
  });
  it("bad: the retiring ZSK missing from the first bundle (post-publication dropped), the right quarter", () => {
    const ksr = withBundles(KSR, (b) => {
      b[0]!.keys = b[0]!.keys.filter((k) => keyTag(k.dnskey) !== 61045);
    });
    expect(failure(() => checkChainKeys(ksr, SKR_Q1)).detail).toMatch(/^ZSK 61045 of the previous SKR's last bundle is missing/);
  });
});

describe("KSR-CHAIN-OVERLAP", () => {
  it("good: 10 days", () => expect(checkChainOverlap(KSR, SKR_Q1)).toMatch(/P10D/));
  it("bad: the previous SKR's last bundle ends 2 days earlier", () => {
    const skr: KsrResponseDocument = { ...SKR_Q1, bundles: SKR_Q1.bundles.map((b, i) => (i === 8 ? shift(b, 0, -2) : b)) };
    expect(failure(() => checkChainOverlap(KSR, skr)).detail).toMatch(/^overlap with the previous SKR's last bundle is P8D; the KSR declares P9D..P12D/);
  });
  it("bad: a KSR from an earlier quarter (2016 Q3) after the 2017 Q1 SKR, named as such", () => {
    const e = failure(() => checkChainOverlap(loadKsr("ksr-root-2016-q3-0.xml"), SKR_Q1));
    expect(e.detail).toMatch(
      /^a KSR from the wrong quarter: it covers 2016Q3; the previous SKR covers 2017Q1, so the next KSR is for 2017Q2; hence overlap with the previous SKR.s last bundle is P\d+D/,
    );
  });
});

describe("the quarter a KSR and the previous SKR cover", () => {
  it("good: the 2017 Q2 KSR follows the 2017 Q1 SKR", () => expect(chainQuarterMismatch(KSR, SKR_Q1)).toBeUndefined());
  it("bad: the 2016 Q3 KSR does not follow the 2017 Q2 SKR", () => {
    expect(chainQuarterMismatch(loadKsr("ksr-root-2016-q3-0.xml"), loadSkr("skr-root-2017-q2-0.xml"))).toBe(
      "a KSR from the wrong quarter: it covers 2016Q3; the previous SKR covers 2017Q2, so the next KSR is for 2017Q3",
    );
  });
});

describe("switching checks off", () => {
  it("reports the check as disabled with a warning naming the policy field", () => {
    const broken = withBundles(KSR, (b) => {
      b[3]!.keys[0] = { ...b[3]!.keys[0]!, ttlSeconds: 86400 };
    });
    const report = runKsrChecks({ ksr: broken, policy: { ...POLICY, keys_match_zsk_policy: false, validate_signatures: false }, nowEpochSeconds: Q2_2017_NOW });
    const keys = report.results.find((r) => r.code === "KSR-BUNDLE-KEYS")!;
    expect(keys.status).toBe("disabled");
    expect(report.warnings).toContain("KSR-BUNDLE-KEYS DISABLED by policy (keys_match_zsk_policy: false): this check was NOT run");
    expect(report.warnings).toContain("KSR-BUNDLE-POP DISABLED by policy (validate_signatures: false): this check was NOT run");
  });
});
