/**
 * parseKeystoreUri on the examples of RFC 7512 §3 (those a keystore can use, and those it must
 * refuse), plus file: keystore URIs.
 */
import { KskError } from "@ksk/core";
import { describe, expect, it } from "vitest";
import { parseKeystoreUri } from "../src/index.js";

function usageError(text: string): KskError {
  try {
    parseKeystoreUri(text);
  } catch (e) {
    expect(e).toBeInstanceOf(KskError);
    expect((e as KskError).kind).toBe("usage");
    return e as KskError;
  }
  throw new Error(`accepted: ${text}`);
}

describe("parseKeystoreUri: RFC 7512 §3 examples", () => {
  it("pkcs11:object=my-key;type=private?pin-source=file:/etc/token", () => {
    expect(parseKeystoreUri("pkcs11:object=my-key;type=private?pin-source=file:/etc/token")).toEqual({
      scheme: "pkcs11",
      text: "pkcs11:object=my-key;type=private?pin-source=file:/etc/token",
      objectLabel: "my-key",
      objectType: "private",
      pinSourceFile: "/etc/token",
    });
  });

  it("percent-decodes token labels (token=A%20name%20with%20a%20substring%20%25%3B)", () => {
    const uri = parseKeystoreUri("pkcs11:token=A%20name%20with%20a%20substring%20%25%3B;object=my-key");
    expect(uri).toMatchObject({ tokenLabel: "A name with a substring %;", objectLabel: "my-key" });
  });

  it("reads manufacturer, model, serial and a binary id", () => {
    const uri = parseKeystoreUri(
      "pkcs11:token=Software%20PKCS%2311%20softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;serial=0123;id=%69%95%3E%5C%F4%BD%EC%91",
    );
    expect(uri).toMatchObject({ tokenLabel: "Software PKCS#11 softtoken", tokenManufacturer: "Snake Oil, Inc.", tokenModel: "1.0", tokenSerial: "0123" });
    expect(uri.scheme === "pkcs11" && Buffer.from(uri.objectIdBytes ?? []).toString("hex")).toBe("69953e5cf4bdec91");
  });

  it("reads module-path and the lab URI of the issue", () => {
    expect(parseKeystoreUri("pkcs11:token=ksk-lab;object=Kabcdef?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:pin.txt")).toMatchObject({
      tokenLabel: "ksk-lab",
      objectLabel: "Kabcdef",
      modulePath: "/usr/lib/softhsm/libsofthsm2.so",
      pinSourceFile: "pin.txt",
    });
  });

  it("reads pin-source=shares:DIR (officers' shares of the PIN), percent-decoded, and refuses an empty one", () => {
    expect(parseKeystoreUri("pkcs11:token=ksk-lab?pin-source=shares:/media/officers/pin%20shares")).toMatchObject({
      tokenLabel: "ksk-lab",
      pinSourceShares: "/media/officers/pin shares",
    });
    expect(parseKeystoreUri("pkcs11:token=ksk-lab?pin-source=shares:custody")).not.toHaveProperty("pinSourceFile");
    usageError("pkcs11:token=ksk-lab?pin-source=shares:");
  });

  it("refuses pin-value (the RFC's ?pin-value=the-pin example): a PIN does not belong in argv", () => {
    expect(usageError("pkcs11:token=Software%20PKCS%2311%20softtoken;manufacturer=Snake%20Oil,%20Inc.?pin-value=the-pin").message).toContain(
      "pin-source=file:",
    );
  });

  it("never repeats the PIN of a refused pin-value in its message, wherever it stands in the URI", () => {
    for (const uri of ["pkcs11:token=t?pin-value=4711-secret", "pkcs11:token=t?module-path=/m.so&pin-value=4711-secret&pin-source=file:p"]) {
      const e = usageError(uri);
      expect(e.message).toContain("pin-value=(redacted)");
      expect(e.message).not.toContain("4711-secret");
    }
  });

  it("refuses vendor attributes (the RFC's vendor-aaa=value-a example) rather than ignoring them", () => {
    expect(usageError("pkcs11:token=my-token;object=my-certificate;type=private;vendor-aaa=value-a?pin-source=file:/etc/token_pin").message).toContain(
      'unknown path attribute "vendor-aaa"',
    );
  });

  it("refuses slot-id: tokens are found by label or serial", () => {
    expect(usageError("pkcs11:slot-id=0;object=K1").message).toContain("token=LABEL or serial=SERIAL");
  });

  it("refuses type=cert, a repeated attribute, bad percent-encoding and a non-file pin-source", () => {
    usageError("pkcs11:object=my-certificate;type=cert");
    usageError("pkcs11:token=a;token=b");
    usageError("pkcs11:token=a%2");
    usageError("pkcs11:token=a b");
    usageError("pkcs11:token=a?pin-source=https://example.com/pin");
  });
});

describe("parseKeystoreUri: file: software keystores", () => {
  it("accepts file:DIR, file:/abs and file:///abs", () => {
    expect(parseKeystoreUri("file:keys")).toEqual({ scheme: "file", text: "file:keys", directory: "keys" });
    expect(parseKeystoreUri("file:/var/ksk/keys")).toMatchObject({ directory: "/var/ksk/keys" });
    expect(parseKeystoreUri("file:///var/ksk/my%20keys")).toMatchObject({ directory: "/var/ksk/my keys" });
  });

  it("refuses remote hosts, an empty path and other schemes", () => {
    usageError("file://example.com/keys");
    usageError("file:");
    usageError("/var/ksk/keys");
    usageError("https://example.com/");
  });
});
