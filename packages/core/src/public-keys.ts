/**
 * The one converter between a DNSKEY's public key field and the key objects the crypto libraries
 * take, both ways: RSA (RFC 3110 §2: exponent length, exponent, modulus), ECDSA (RFC 6605 §4: x||y,
 * no point-format octet) and EdDSA (RFC 8080 §3: the raw public key). Through a JSON Web Key
 * (RFC 7517/7518, RFC 8037 for OKP), which node:crypto reads and writes for every algorithm here.
 *
 * - `dnskeyKeyObject`: DNSKEY → node:crypto KeyObject (verification with OpenSSL, X.509, CMS);
 * - `noblePublicKey`: DNSKEY → the bytes @noble/curves takes (0x04||x||y for ECDSA, raw for EdDSA);
 * - `dnskeyPublicKeyFromJwk` / `dnskeyPublicKeyFromKeyObject`: a public key (from a software key,
 *   a certificate, a CSR) → the DNSKEY public key field, refusing a key of another algorithm.
 *
 * Left out: DSA and other algorithms RFC 8624 forbids for signing; compressed EC points.
 */
import { type JsonWebKey, type KeyObject, createPublicKey } from "node:crypto";
import { concatBytes } from "./bytes.js";
import { inputError } from "./errors.js";

// --- RSA (RFC 3110 §2: exponent length, exponent, modulus) ---------------------------------------

export interface RsaPublicKey {
  readonly modulusBytes: Uint8Array;
  readonly exponentBytes: Uint8Array;
}

export function decodeRsaPublicKey(publicKeyBytes: Uint8Array): RsaPublicKey {
  const bad = (why: string) => inputError("DNSKEY-RSA-KEY", `RSA public key: ${why}`);
  if (publicKeyBytes.length < 3) throw bad("too short");
  let at = 1;
  let exponentLength = publicKeyBytes[0] as number;
  if (exponentLength === 0) {
    exponentLength = ((publicKeyBytes[1] as number) << 8) | (publicKeyBytes[2] as number);
    at = 3;
  }
  if (exponentLength === 0 || at + exponentLength >= publicKeyBytes.length) throw bad(`exponent length ${exponentLength} leaves no modulus`);
  const exponentBytes = publicKeyBytes.slice(at, at + exponentLength);
  const modulusBytes = publicKeyBytes.slice(at + exponentLength);
  if (exponentBytes[0] === 0) throw bad("exponent has a leading zero octet");
  if (modulusBytes[0] === 0) throw bad("modulus has a leading zero octet");
  return { modulusBytes, exponentBytes };
}

/** RFC 3110 key field from modulus and exponent (leading zero octets stripped). */
export function encodeRsaPublicKey(key: RsaPublicKey): Uint8Array {
  const strip = (b: Uint8Array) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    return b.slice(i);
  };
  const e = strip(key.exponentBytes);
  const n = strip(key.modulusBytes);
  const lengthField = e.length <= 255 ? new Uint8Array([e.length]) : new Uint8Array([0, e.length >> 8, e.length & 0xff]);
  return concatBytes(lengthField, e, n);
}

// --- DNSKEY ↔ JWK, KeyObject, noble ----------------------------------------------------------------

/** Which DNSSEC algorithm numbers a JWK of each kind and curve serves (key form only). */
const CURVE_OF: Readonly<Record<number, { kty: "RSA" } | { kty: "EC" | "OKP"; crv: string; octets: number }>> = {
  8: { kty: "RSA" },
  10: { kty: "RSA" },
  13: { kty: "EC", crv: "P-256", octets: 32 },
  14: { kty: "EC", crv: "P-384", octets: 48 },
  15: { kty: "OKP", crv: "Ed25519", octets: 32 },
  16: { kty: "OKP", crv: "Ed448", octets: 57 },
};

function formOf(algorithm: number) {
  const form = CURVE_OF[algorithm];
  if (!form) throw inputError("ALGORITHM-UNKNOWN", `DNSSEC algorithm ${algorithm} has no public key form here (8, 10, 13, 14, 15, 16 do)`);
  return form;
}

const b64u = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
const fromB64u = (text: string | undefined) => new Uint8Array(Buffer.from(text ?? "", "base64url"));

/** The JWK of a DNSKEY public key field; a malformed field is an input error. */
export function dnskeyJwk(algorithm: number, publicKeyBytes: Uint8Array): JsonWebKey {
  const form = formOf(algorithm);
  if (form.kty === "RSA") {
    const { modulusBytes, exponentBytes } = decodeRsaPublicKey(publicKeyBytes);
    return { kty: "RSA", n: b64u(modulusBytes), e: b64u(exponentBytes) };
  }
  const expected = form.kty === "EC" ? 2 * form.octets : form.octets;
  if (publicKeyBytes.length !== expected) {
    throw inputError("DNSKEY-KEY-LENGTH", `algorithm ${algorithm} public key is ${publicKeyBytes.length} octets; must be ${expected}`);
  }
  if (form.kty === "OKP") return { kty: "OKP", crv: form.crv, x: b64u(publicKeyBytes) };
  return { kty: "EC", crv: form.crv, x: b64u(publicKeyBytes.subarray(0, form.octets)), y: b64u(publicKeyBytes.subarray(form.octets)) };
}

/** A DNSKEY's public key as a node:crypto KeyObject; a field OpenSSL cannot load (not on the curve) is an input error. */
export function dnskeyKeyObject(dnskey: { readonly algorithm: number; readonly publicKeyBytes: Uint8Array }): KeyObject {
  const jwk = dnskeyJwk(dnskey.algorithm, dnskey.publicKeyBytes);
  try {
    return createPublicKey({ format: "jwk", key: jwk });
  } catch (e) {
    throw inputError("DNSKEY-KEY", `algorithm ${dnskey.algorithm} public key is not a valid key: ${(e as Error).message}`);
  }
}

/** A DNSKEY's EC or EdDSA public key in @noble/curves' form: 0x04||x||y (uncompressed SEC 1) or the raw key. */
export function noblePublicKey(algorithm: number, publicKeyBytes: Uint8Array): Uint8Array {
  const form = formOf(algorithm);
  if (form.kty === "RSA") throw inputError("ALGORITHM-FAMILY", `algorithm ${algorithm} is RSA; @noble/curves has no RSA`);
  return form.kty === "EC" ? concatBytes(new Uint8Array([4]), publicKeyBytes) : publicKeyBytes;
}

/**
 * The DNSKEY public key field of a JWK for `algorithm`, or undefined when the JWK is a key of
 * another kind or curve (so no DNSKEY of that algorithm can hold it).
 */
export function dnskeyPublicKeyFromJwk(algorithm: number, jwk: JsonWebKey): Uint8Array | undefined {
  const form = CURVE_OF[algorithm];
  if (!form || jwk.kty !== form.kty) return undefined;
  if (form.kty === "RSA") return encodeRsaPublicKey({ modulusBytes: fromB64u(jwk.n), exponentBytes: fromB64u(jwk.e) });
  if (jwk.crv !== form.crv) return undefined;
  return form.kty === "EC" ? concatBytes(fromB64u(jwk.x), fromB64u(jwk.y)) : fromB64u(jwk.x);
}

/** The DNSKEY public key field of a node:crypto public (or private) key for `algorithm`, or undefined (see above). */
export function dnskeyPublicKeyFromKeyObject(algorithm: number, key: KeyObject): Uint8Array | undefined {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  let jwk: JsonWebKey;
  try {
    jwk = publicKey.export({ format: "jwk" });
  } catch {
    // node cannot export some keys as JWK (an EC key on a curve no DNSSEC algorithm uses).
    return undefined;
  }
  return dnskeyPublicKeyFromJwk(algorithm, jwk);
}
