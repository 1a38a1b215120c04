/**
 * Keystore URIs: where a keystore is, as the operator writes it on the command line.
 *
 * - `pkcs11:…` — an RFC 7512 PKCS#11 URI. Path attributes (§2.3) select the token and object:
 *   `token` (label), `serial`, `manufacturer`, `model`, `object` (key label), `id`, `type`; query
 *   attributes select the module and PIN: `module-path`, `module-name`, `pin-source`. Values are
 *   percent-decoded (§2.3: "pk11-pchar"); an attribute given twice is refused (§2.3 says each may
 *   appear once).
 * - `file:DIR`, `file:/abs/dir` or `file:///abs/dir` — the encrypted software keystore directory.
 *
 * Left out on purpose: `slot-id`, `slot-description` and `slot-manufacturer` (a slot number is
 * assigned by the module at run time — SoftHSM renumbers them on every initialisation — so a key
 * is found by token label or serial, never by slot); `pin-value` (a PIN in a URI ends up in argv,
 * shell history and process listings: use `pin-source=file:…`); `library-*` attributes (one module
 * is loaded per keystore, by path). Pure: no I/O.
 */
import { KskError } from "@ksk/core";

export interface Pkcs11Uri {
  readonly scheme: "pkcs11";
  /** The URI as given, for messages. */
  readonly text: string;
  /** CKA_LABEL of the token (RFC 7512 `token`). */
  readonly tokenLabel?: string;
  /** Token serial number (RFC 7512 `serial`). */
  readonly tokenSerial?: string;
  readonly tokenManufacturer?: string;
  readonly tokenModel?: string;
  /** CKA_LABEL of the key (RFC 7512 `object`). */
  readonly objectLabel?: string;
  /** CKA_ID of the key (RFC 7512 `id`), raw octets. */
  readonly objectIdBytes?: Uint8Array;
  /** RFC 7512 `type`; only key types make sense for a keystore. */
  readonly objectType?: "public" | "private";
  /** Path of the PKCS#11 module (RFC 7512 `module-path`). */
  readonly modulePath?: string;
  /** Module name without path or suffix (RFC 7512 `module-name`), e.g. `softhsm2`. */
  readonly moduleName?: string;
  /** Where the PIN is read from (RFC 7512 `pin-source`): a `file:` source… */
  readonly pinSourceFile?: string;
  /** …or `shares:DIR`, crypto officers' shares recombined in memory (our own scheme, see ../README.md). */
  readonly pinSourceShares?: string;
}

export interface FileKeystoreUri {
  readonly scheme: "file";
  readonly text: string;
  /** The keystore directory (relative paths are relative to the working directory). */
  readonly directory: string;
}

export type KeystoreUri = Pkcs11Uri | FileKeystoreUri;

const PATH_ATTRIBUTES = new Set(["token", "serial", "manufacturer", "model", "object", "id", "type"]);
const QUERY_ATTRIBUTES = new Set(["module-path", "module-name", "pin-source"]);
const REFUSED: Record<string, string> = {
  "slot-id": "slot numbers change between runs; select the token with token=LABEL or serial=SERIAL",
  "slot-description": "select the token with token=LABEL or serial=SERIAL, not by slot",
  "slot-manufacturer": "select the token with token=LABEL or serial=SERIAL, not by slot",
  "pin-value": "a PIN in the URI ends up in argv and shell history; use pin-source=file:PATH",
  "library-manufacturer": "give the module with module-path=PATH",
  "library-description": "give the module with module-path=PATH",
  "library-version": "give the module with module-path=PATH",
};

function bad(text: string, detail: string): KskError {
  return new KskError("usage", "KEYSTORE-URI", detail, { where: `keystore URI ${JSON.stringify(redactPinValue(text))}` });
}

/**
 * The URI with every `pin-value` value replaced by "(redacted)", for messages: the attribute is
 * refused, and the refusal must not print the PIN it refuses (RFC 7512's security considerations:
 * a PIN in a URI is seen wherever the URI is).
 */
export function redactPinValue(text: string): string {
  return text.replace(/(pin-value=)[^&;?#]*/gi, "$1(redacted)");
}

/** Percent-decode an RFC 7512 value to octets (RFC 3986 §2.1). */
function percentDecode(uriText: string, value: string, attribute: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (value[i] === "%") {
      const hex = value.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw bad(uriText, `${attribute}: bad percent-encoding "%${hex}"`);
      out.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (c > 0x7e || c < 0x21) {
      throw bad(uriText, `${attribute}: character ${JSON.stringify(value[i])} must be percent-encoded`);
    } else {
      out.push(c);
    }
  }
  return new Uint8Array(out);
}

function decodeText(uriText: string, value: string, attribute: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(percentDecode(uriText, value, attribute));
  } catch (e) {
    if (e instanceof KskError) throw e;
    throw bad(uriText, `${attribute}: not UTF-8 after percent-decoding`);
  }
}

function splitAttributes(uriText: string, part: string, separator: string, allowed: ReadonlySet<string>, where: string): Map<string, string> {
  const out = new Map<string, string>();
  if (part === "") return out;
  for (const pair of part.split(separator)) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw bad(uriText, `${where} attribute "${pair}" is not NAME=VALUE`);
    const name = pair.slice(0, eq).toLowerCase();
    const value = pair.slice(eq + 1);
    const refusal = REFUSED[name];
    if (refusal) throw bad(uriText, `${name} is not accepted: ${refusal}`);
    // RFC 7512 §2.3: vendor-specific attributes start with "x-"; we honour none, so refuse them
    // rather than ignore something the operator meant.
    if (!allowed.has(name)) throw bad(uriText, `unknown ${where} attribute "${name}" (known: ${[...allowed].join(", ")})`);
    if (out.has(name)) throw bad(uriText, `attribute "${name}" given twice`);
    out.set(name, value);
  }
  return out;
}

function parsePkcs11Uri(text: string): Pkcs11Uri {
  const rest = text.slice("pkcs11:".length);
  const q = rest.indexOf("?");
  const pathPart = q < 0 ? rest : rest.slice(0, q);
  const queryPart = q < 0 ? "" : rest.slice(q + 1);
  if (pathPart.includes("?") || queryPart.includes("?")) throw bad(text, "more than one '?'");
  const path = splitAttributes(text, pathPart, ";", PATH_ATTRIBUTES, "path");
  const query = splitAttributes(text, queryPart, "&", QUERY_ATTRIBUTES, "query");
  const get = (m: Map<string, string>, name: string) => {
    const v = m.get(name);
    return v === undefined ? undefined : decodeText(text, v, name);
  };
  const result: { -readonly [K in keyof Pkcs11Uri]: Pkcs11Uri[K] } = { scheme: "pkcs11", text };
  const set = <K extends keyof Pkcs11Uri>(key: K, value: Pkcs11Uri[K] | undefined) => {
    if (value !== undefined) result[key] = value;
  };
  set("tokenLabel", get(path, "token"));
  set("tokenSerial", get(path, "serial"));
  set("tokenManufacturer", get(path, "manufacturer"));
  set("tokenModel", get(path, "model"));
  set("objectLabel", get(path, "object"));
  const id = path.get("id");
  if (id !== undefined) set("objectIdBytes", percentDecode(text, id, "id"));
  const type = get(path, "type");
  if (type !== undefined) {
    if (type !== "public" && type !== "private") throw bad(text, `type=${type}: a keystore URI names a key pair (type=private or type=public)`);
    result.objectType = type;
  }
  set("modulePath", get(query, "module-path"));
  set("moduleName", get(query, "module-name"));
  const pinSource = get(query, "pin-source");
  if (pinSource !== undefined) {
    // RFC 7512 §2.4: pin-source is itself a URI; only file: makes sense for a PIN kept in a
    // file on the ceremony laptop (a bare path is accepted as a file too, as p11-kit does).
    if (pinSource.startsWith("shares:")) {
      const directory = pinSource.slice("shares:".length);
      if (directory === "") throw bad(text, "pin-source=shares: needs a directory (shares:DIR)");
      result.pinSourceShares = directory;
      return result;
    }
    const file = pinSource.startsWith("file:") ? fileUriPath(text, pinSource) : pinSource;
    if (file === "" || /^[a-z][a-z0-9+.-]*:/i.test(file)) throw bad(text, `pin-source=${pinSource}: only file:PATH and shares:DIR sources are supported`);
    result.pinSourceFile = file;
  }
  return result;
}

/** The path of a `file:` URI: `file:rel/dir`, `file:/abs`, `file:///abs` or `file://localhost/abs`. */
function fileUriPath(uriText: string, fileUri: string): string {
  let rest = fileUri.slice("file:".length);
  if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    const host = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    if (host !== "" && host !== "localhost") throw bad(uriText, `file URI host "${host}": only local files are supported`);
    rest = slash < 0 ? "" : rest.slice(slash);
  }
  return decodeText(uriText, rest, "file path");
}

/** Parse a keystore URI; malformed or unsupported URIs are a usage error naming the problem. */
export function parseKeystoreUri(text: string): KeystoreUri {
  if (/^pkcs11:/i.test(text)) return parsePkcs11Uri(`pkcs11:${text.slice(7)}`);
  if (/^file:/i.test(text)) {
    const directory = fileUriPath(text, `file:${text.slice(5)}`);
    if (directory === "") throw bad(text, "no directory after file:");
    return { scheme: "file", text, directory };
  }
  throw bad(text, "must start with pkcs11: (an HSM token, RFC 7512) or file: (a software keystore directory)");
}

/** Where a PKCS#11 URI points, for messages: `pkcs11:token=ksk-lab` (no PIN source, no module). */
export function describePkcs11Token(uri: { tokenLabel?: string; tokenSerial?: string }): string {
  const parts: string[] = [];
  if (uri.tokenLabel !== undefined) parts.push(`token=${uri.tokenLabel}`);
  if (uri.tokenSerial !== undefined) parts.push(`serial=${uri.tokenSerial}`);
  return `pkcs11:${parts.join(";")}`;
}
