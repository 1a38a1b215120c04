/**
 * ksrsigner.yaml: IANA's section and key names load; anything unknown, mistyped or inconsistent is
 * refused with the file and key path.
 */
import { parseName } from "@ksk/core";
import { describe, expect, it } from "vitest";
import { BUILT_IN_SCHEMAS, parseSignerConfig } from "../src/index.js";
import { labConfigText, labKsks } from "./helpers.js";

const ksks = labKsks();
const good = labConfigText(ksks);

function refusal(text: string): string {
  try {
    parseSignerConfig(text, "conf.yaml");
  } catch (e) {
    const err = e as { kind: string; message: string };
    expect(err.kind).toBe("input");
    return err.message;
  }
  throw new Error("the config was accepted");
}

describe("ksrsigner.yaml", () => {
  it("loads IANA's layout: hsm with env, keys, ksk_policy, request_policy, schemas, filenames", () => {
    const config = parseSignerConfig(
      `${good.replace(
        "keystore: file:/lab/keystore",
        `hsm:
  softhsm:
    module: /usr/lib/softhsm/libsofthsm2.so
    pin: 123456
    env:
      SOFTHSM2_CONF: softhsm.conf`,
      )}
filenames:
  previous_skr: prev-skr.xml
  input_ksr: ksr.xml
  output_skr: skr.xml
schemas:
  custom:
    1:
      publish: [ksk_current, ksk_next]
      sign: ksk_next
`,
      "conf.yaml",
    );
    expect(config.hsms).toEqual([{ name: "softhsm", modulePath: "/usr/lib/softhsm/libsofthsm2.so", pin: "123456", env: { SOFTHSM2_CONF: "softhsm.conf" } }]);
    expect(config.keys.get("ksk_current")).toMatchObject({
      label: "Kcurrnt",
      algorithm: 8,
      rsaSizeBits: 2048,
      rsaExponent: 65537,
      keyTag: ksks.current.keyTag,
      validFromEpochSeconds: Date.UTC(2010, 0, 1) / 1000,
    });
    expect(config.kskPolicy).toMatchObject({
      publishSafetySeconds: 0,
      retireSafetySeconds: 28 * 86400,
      minSignatureValiditySeconds: 21 * 86400,
      ttlSeconds: 172800,
    });
    expect(config.kskPolicy.signersName).toEqual(parseName("."));
    expect(config.filenames).toEqual({ previousSkr: "prev-skr.xml", inputKsr: "ksr.xml", outputSkr: "skr.xml" });
    expect(config.schemas.get("custom")?.slots).toEqual([{ publish: ["ksk_current", "ksk_next"], sign: ["ksk_next"], revoke: [] }]);
    for (const name of BUILT_IN_SCHEMAS.keys()) expect(config.schemas.has(name)).toBe(true);
    expect(config.requestPolicy.num_bundles).toBe(9);
  });

  it.each([
    ["an unknown top-level section", `${good}\nextra_section: 1\n`, /conf\.yaml: top level: .*extra_section/],
    [
      "IANA's pre-release request_policy name",
      good.replace("request_policy:\n", "request_policy:\n  acceptable_dnssec_algorithms: [RSASHA256]\n"),
      /request_policy.*acceptable_dnssec_algorithms/,
    ],
    [
      "a schema indented under another (IANA's example revoke+)",
      `${good}\nschemas:\n  rollover+:\n    1:\n      publish: ksk_next\n      sign: ksk_next\n    revoke+:\n      1:\n        publish: ksk_next\n        sign: ksk_next\n`,
      /schemas\.rollover\+.*/,
    ],
    [
      "slots with a gap",
      `${good}\nschemas:\n  x:\n    1:\n      publish: ksk_next\n      sign: ksk_next\n    3:\n      publish: ksk_next\n      sign: ksk_next\n`,
      /slot 2 is missing/,
    ],
    [
      "an unknown algorithm",
      good.replace("algorithm: RSASHA256", "algorithm: RSASHA999"),
      /keys\.ksk_current\.algorithm: unknown DNSSEC algorithm "RSASHA999"/,
    ],
    ["a deprecated algorithm", good.replace("algorithm: RSASHA256", "algorithm: RSASHA1"), /deprecated \(RFC 8624/],
    ["a duration in months", good.replace("retire_safety: P28D", "retire_safety: P1M"), /ksk_policy\.retire_safety: .*months/],
    ["a label with control characters", good.replace(/label: (\S+)/, 'label: "K\\e[31m"'), /label.*printable/],
    [
      "an unbounded duration",
      good.replace("retire_safety: P28D", "retire_safety: P99999999999999999999D"),
      /conf\.yaml: ksk_policy\.retire_safety: .*longer than 3660 days/,
    ],
    [
      "a time with an offset",
      good.replace("valid_from: 2010-01-01T00:00:00+00:00", "valid_from: 2010-01-01T00:00:00+02:00"),
      /keys\.ksk_current\.valid_from: .*offset \+02:00/,
    ],
    [
      "valid_until before valid_from",
      good.replace("valid_from: 2010-01-01T00:00:00+00:00\n", "valid_from: 2010-01-01T00:00:00+00:00\n    valid_until: 2009-01-01T00:00:00+00:00\n"),
      /valid_until is not after valid_from/,
    ],
    ["a DS that is not SHA-256 hex", good.replace("rsa_size: 2048\n", "rsa_size: 2048\n    ds_sha256: XYZ\n"), /keys\.ksk_current\.ds_sha256/],
    [
      "min validity above max",
      good.replace("min_signature_validity: P21D", "min_signature_validity: P22D"),
      /min_signature_validity exceeds max_signature_validity/,
    ],
    ["no hsm and no keystore", good.replace("keystore: file:/lab/keystore\n", ""), /neither an hsm section nor a keystore URI/],
    ["two keys with one label", good.replace("label: Knextkk", "label: Kcurrnt"), /label Kcurrnt is used by two keys/],
    ["YAML aliases (billion laughs)", `a: &a [x, x]\nb: &b [*a, *a]\n${good}`, /not valid YAML/],
  ])("refuses %s", (_why, text, message) => {
    expect(refusal(text)).toMatch(message);
  });
});

describe("PINs in ksrsigner.yaml: used exactly as written, or refused", () => {
  const withPin = (pin: string) =>
    good.replace("keystore: file:/lab/keystore", `hsm:\n  softhsm:\n    module: /usr/lib/softhsm/libsofthsm2.so\n    pin: ${pin}\n    so_pin: ${pin}`);

  it.each([
    ["a leading zero", "0123456", "0123456"],
    ["20 digits (over 2^53)", "12345678901234567890", "12345678901234567890"],
    ["a quoted hex-looking PIN", '"0x1E240"', "0x1E240"],
    ["plain digits", "123456", "123456"],
    ["digits with an underscore (a string in YAML 1.2)", "12_345", "12_345"],
  ])("%s: %s is the PIN %s", (_, written, pin) => {
    const config = parseSignerConfig(withPin(written), "conf.yaml");
    expect(config.hsms[0]?.pin).toBe(pin);
    expect(config.hsms[0]?.soPin).toBe(pin);
  });

  it.each([["0x1E240"], ["1.23456e5"], ["0o17"], ["1.0"]])("a YAML number that is not plain digits (%s) is refused, naming the line", (written) => {
    expect(refusal(withPin(written))).toMatch(/^conf\.yaml: pin at line \d+ is a YAML number that is not plain digits: quote it/);
  });

  it("an unknown tag is refused, and the message never quotes the line holding the PIN", () => {
    const message = refusal(withPin("!secret 987654"));
    expect(message).toMatch(/^conf\.yaml: is not valid YAML: .*!secret.* at line \d+, column \d+$/);
    expect(message).not.toContain("987654");
  });
});
