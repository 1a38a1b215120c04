/**
 * The PKCS#11 keystore: keys generated and used inside an HSM through a PKCS#11 module (SoftHSM2
 * in the lab, a vendor module in production). Its parts:
 * - ./pkcs11-module.ts: loading the pkcs11js addon, one C_Initialize per module, CKR_* errors;
 * - ./pkcs11-token.ts: token selection (RFC 7512 attributes, never slot numbers) and login;
 * - ./pkcs11-attributes.ts: attribute decoding and the DNSKEY a key pair stands for;
 * - ./pkcs11-mechanism.ts: which mechanism generates and signs for each DNSSEC algorithm;
 * - ./pkcs11-init.ts: lab-only token set-up (`ksk hsm init`);
 * - ./pkcs11-wrap.ts: wrapping a key under a fresh KEK for a backup, and unwrapping it elsewhere;
 * - this file: the Keystore itself (list, find, signer, generate, delete, close).
 *
 * Without `token=`/`serial=` every initialised token of the module is opened with the same PIN and
 * keys are looked up in all of them, as IANA's signer does with its configured HSM. One R/W
 * session and one login per token; a `Signer` finds its key handle once and then does
 * C_SignInit + C_Sign per signature — never a session or a login per signature. pkcs11js calls
 * are synchronous, so one session is never used by two operations at once. Every signature is
 * verified in software before it is returned (./verified-signer.ts).
 *
 * Generation makes private keys CKA_SENSITIVE and non-extractable unless a backup asks otherwise,
 * reads this back, and stores the DNSKEY RDATA in a CKO_DATA record beside the pair, CKA_PRIVATE
 * (seen only after login; every token is logged in when the keystore opens) and not
 * CKA_MODIFIABLE, so a session without the PIN cannot change it (see ./pkcs11-attributes.ts).
 *
 * A Signer asked for more than one thread (`signer(label, { threads })`, bulk ZSK signing of a
 * zone) signs on that many worker threads, each on a session of its own, verifying each signature
 * there (./pkcs11-signing-pool.ts); the threads end before the keystore closes its sessions. With
 * one thread, or a module initialised without OS locking, it signs on the keystore's session.
 *
 * Left out: CKA_ALWAYS_AUTHENTICATE keys (context-specific login).
 */
import { type DnskeyRdata, KskError, type Signer, encodeRdata, verifierKey } from "@ksk/core";
import { RSA_PUBLIC_EXPONENT, keyFamilyFor } from "./key-algorithms.js";
import { DNSKEY_RECORD_APPLICATION, EC_PARAMS, attribute, bool, dnskeyOfKeyObject, findObjects } from "./pkcs11-attributes.js";
import { CKM_EC_EDWARDS_KEY_PAIR_GEN, familyOfDnskey, signingMethod } from "./pkcs11-mechanism.js";
import {
  type Handle,
  type KeyPair,
  type LoadedModule,
  type PKCS11,
  type Template,
  acquireModule,
  keystoreError,
  pkcs11Failure,
  pkcs11js,
  releaseModule,
} from "./pkcs11-module.js";
import { type TokenDescription, type TokenSelector, listTokens, login, selectTokens } from "./pkcs11-token.js";
import {
  type GenerateSpec,
  type HsmToken,
  type KeyPairInfo,
  type Keystore,
  LABEL_PATTERN,
  type SignerOptions,
  type WrappedKeyExport,
  type WrappingKeystore,
} from "./types.js";
import { pkcs11SigningPool } from "./pkcs11-signing-pool.js";
import { type UnwrapRequest, unwrapPrivateKey, wrapPrivateKey } from "./pkcs11-wrap.js";
import type { SigningPool } from "./thread-pool.js";
import { describePkcs11Token } from "./uri.js";
import { verifiedSigner } from "./verified-signer.js";

// The entry points ./pkcs11-lazy.ts loads with this module.
export { type InitTokenParameters, type InitTokenResult, initToken } from "./pkcs11-init.js";
export { type TokenDescription, tokensHoldingLabel } from "./pkcs11-token.js";

interface OpenToken {
  readonly description: TokenDescription;
  readonly session: Handle;
  readonly mechanisms: ReadonlySet<number>;
  /** `pkcs11:token=LABEL`, for messages. */
  readonly where: string;
}

interface LabelledObjects {
  privateKey?: Handle;
  publicKey?: Handle;
  /** CKO_DATA DNSKEY records with this label (one expected). */
  records: Handle[];
  /** Private or public keys beyond the first of each class under this label. */
  duplicateKeys: number;
  all: Handle[];
}

export interface Pkcs11OpenParameters {
  /** The URI as given, for `Keystore.uri`. */
  readonly uriText: string;
  readonly modulePath: string;
  readonly moduleEnvironment?: Readonly<Record<string, string>>;
  readonly selector: TokenSelector;
  /** Called once, after the tokens are found, to get the user PIN. */
  readonly pin: () => Promise<string>;
  /** Told what the token's PIN flags warn of, before the login. */
  readonly warn?: (text: string) => void;
}

export async function openPkcs11Keystore(parameters: Pkcs11OpenParameters): Promise<Keystore> {
  const module = acquireModule(parameters.modulePath, parameters.moduleEnvironment);
  const opened: OpenToken[] = [];
  try {
    const tokens = selectTokens(listTokens(module.p11, module.path), parameters.selector, module.path);
    const pin = await parameters.pin();
    for (const description of tokens) {
      const where = describePkcs11Token({ tokenLabel: description.label });
      let session: Handle;
      try {
        session = module.p11.C_OpenSession(description.slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
      } catch (e) {
        throw pkcs11Failure(e, where, "opening a session");
      }
      let mechanisms: Set<number>;
      try {
        mechanisms = new Set(module.p11.C_GetMechanismList(description.slot));
      } catch (e) {
        try {
          module.p11.C_CloseSession(session);
        } catch {
          // Already failing; the original error is the one to report.
        }
        throw pkcs11Failure(e, where, "listing mechanisms");
      }
      // Push before logging in so that a failed login still closes the session. Every token is
      // logged in before the keystore is returned, so every read below sees private objects
      // (the DNSKEY records are CKA_PRIVATE).
      opened.push({ description, session, mechanisms, where });
      login(module, description, session, pin, where, parameters.warn);
    }
    return new Pkcs11Keystore(parameters.uriText, module, opened);
  } catch (e) {
    for (const t of opened) {
      try {
        module.p11.C_CloseSession(t.session);
      } catch {
        // Already failing; the original error is the one to report.
      }
    }
    releaseModule(module);
    throw e;
  }
}

class Pkcs11Keystore implements WrappingKeystore {
  readonly wrapping = true as const;
  private open = true;
  private readonly pools: SigningPool[] = [];

  constructor(
    readonly uri: string,
    private readonly module: LoadedModule,
    private readonly tokens: readonly OpenToken[],
  ) {}

  private get p11(): PKCS11 {
    if (!this.open) throw keystoreError("KEYSTORE-CLOSED", "the keystore has been closed", this.uri);
    return this.module.p11;
  }

  /** The tokens logged in to, as C_GetTokenInfo described them when the keystore was opened. */
  hsmTokens(): HsmToken[] {
    return this.tokens.map((t) => ({
      modulePath: this.module.path,
      label: t.description.label,
      serial: t.description.serial,
      manufacturer: t.description.manufacturer,
      model: t.description.model,
    }));
  }

  /** Every key object and DNSKEY record of a token, grouped by label. */
  private objectsByLabel(token: OpenToken): Map<string, LabelledObjects> {
    const p11 = this.p11;
    const groups = new Map<string, LabelledObjects>();
    const group = (label: string) => {
      let g = groups.get(label);
      if (!g) {
        g = { records: [], duplicateKeys: 0, all: [] };
        groups.set(label, g);
      }
      return g;
    };
    try {
      for (const [cls, slot] of [
        [pkcs11js.CKO_PRIVATE_KEY, "privateKey"],
        [pkcs11js.CKO_PUBLIC_KEY, "publicKey"],
      ] as const) {
        for (const handle of findObjects(p11, token.session, [{ type: pkcs11js.CKA_CLASS, value: cls }])) {
          const label = attribute(p11, token.session, handle, pkcs11js.CKA_LABEL).toString("utf8");
          const g = group(label);
          g.all.push(handle);
          // Two private (or public) keys under one label are refused when the key is read.
          if (g[slot] === undefined) g[slot] = handle;
          else g.duplicateKeys++;
        }
      }
      for (const handle of findObjects(p11, token.session, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
        { type: pkcs11js.CKA_APPLICATION, value: DNSKEY_RECORD_APPLICATION },
      ])) {
        const label = attribute(p11, token.session, handle, pkcs11js.CKA_LABEL).toString("utf8");
        const g = group(label);
        g.all.push(handle);
        g.records.push(handle);
      }
    } catch (e) {
      throw pkcs11Failure(e, token.where, "listing objects");
    }
    return groups;
  }

  /** The DNSKEY of a public key object, checked against the stored record when there is one. */
  private dnskeyOf(token: OpenToken, label: string, objects: LabelledObjects): DnskeyRdata | undefined {
    if (objects.publicKey === undefined) return undefined;
    const where = `${token.where};object=${label}`;
    if (objects.duplicateKeys > 0) {
      throw keystoreError("PKCS11-DUPLICATE-LABEL", "more than one public or private key carries this label", where);
    }
    if (objects.records.length > 1) throw keystoreError("PKCS11-DUPLICATE-LABEL", "more than one DNSKEY record carries this label", where);
    return dnskeyOfKeyObject(this.p11, token.session, { publicKey: objects.publicKey, record: objects.records[0], label }, where);
  }

  private info(token: OpenToken, label: string, objects: LabelledObjects): KeyPairInfo {
    const p11 = this.p11;
    let protection: KeyPairInfo["protection"];
    if (objects.privateKey !== undefined) {
      try {
        protection = {
          sensitive: bool(attribute(p11, token.session, objects.privateKey, pkcs11js.CKA_SENSITIVE)),
          extractable: bool(attribute(p11, token.session, objects.privateKey, pkcs11js.CKA_EXTRACTABLE)),
        };
      } catch (e) {
        throw pkcs11Failure(e, `${token.where};object=${label}`, "reading key attributes");
      }
    }
    return {
      label,
      location: token.where,
      dnskey: this.dnskeyOf(token, label, objects),
      hasPublicKey: objects.publicKey !== undefined,
      hasPrivateKey: objects.privateKey !== undefined,
      ...(protection ? { protection } : {}),
    };
  }

  async list(): Promise<KeyPairInfo[]> {
    const out: KeyPairInfo[] = [];
    for (const token of this.tokens) {
      for (const [label, objects] of this.objectsByLabel(token)) {
        if (objects.privateKey === undefined && objects.publicKey === undefined) continue; // a lone record
        out.push(this.info(token, label, objects));
      }
    }
    return out.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : a.location.localeCompare(b.location)));
  }

  /** The one token holding objects with this label; refuses none and more than one. */
  private locate(label: string): { token: OpenToken; objects: LabelledObjects } {
    const found: { token: OpenToken; objects: LabelledObjects }[] = [];
    for (const token of this.tokens) {
      const objects = this.objectsByLabel(token).get(label);
      if (objects) found.push({ token, objects });
    }
    const one = found[0];
    if (!one) {
      const where = this.tokens.length === 1 ? (this.tokens[0] as OpenToken).where : `module ${this.module.path}`;
      throw keystoreError("KEY-NOT-FOUND", `no key labelled "${label}"`, where);
    }
    if (found.length > 1) {
      throw keystoreError(
        "KEY-AMBIGUOUS",
        `key label "${label}" exists in ${found.map((f) => f.token.where).join(" and ")}; add token= to the URI`,
        `module ${this.module.path}`,
      );
    }
    return one;
  }

  async find(label: string): Promise<KeyPairInfo> {
    const { token, objects } = this.locate(label);
    return this.info(token, label, objects);
  }

  async signer(label: string, options: SignerOptions = {}): Promise<Signer> {
    const { token, objects } = this.locate(label);
    const where = `${token.where};object=${label}`;
    if (objects.privateKey === undefined) throw keystoreError("KEY-NO-PRIVATE", "the token holds no private key with this label", where);
    const dnskey = this.dnskeyOf(token, label, objects);
    if (!dnskey) throw keystoreError("KEY-NO-PUBLIC", "the token holds no public key with this label, so signatures cannot be verified", where);
    const family = familyOfDnskey(dnskey);
    const method = signingMethod(family, dnskey, token.mechanisms, where);
    const { mechanism, parameter, prepare, outputOctets } = method;
    const privateKey = objects.privateKey;
    const threads = options.threads ?? 1;
    if (threads > 1 && this.module.osLocking) {
      const pool = pkcs11SigningPool({
        modulePath: this.module.path,
        slot: token.description.slot,
        privateKey,
        keyLabel: label,
        method,
        verification: verifierKey(dnskey),
        threads,
        where,
      });
      this.pools.push(pool);
      // A thread that cannot open its session fails here, before the first signature is asked for.
      try {
        await pool.ready;
      } catch (e) {
        this.pools.splice(this.pools.indexOf(pool), 1);
        await pool.close();
        throw e;
      }
      return verifiedSigner(label, where, dnskey, { signChecked: (data) => pool.sign(data) }, () => this.open);
    }
    const session = token.session;
    const p11 = this.module.p11;
    return verifiedSigner(
      label,
      where,
      dnskey,
      (data) => {
        try {
          p11.C_SignInit(session, parameter === undefined ? { mechanism } : { mechanism, parameter }, privateKey);
          return new Uint8Array(p11.C_Sign(session, Buffer.from(prepare(data)), Buffer.alloc(outputOctets)));
        } catch (e) {
          throw pkcs11Failure(e, where, "signing");
        }
      },
      () => this.open,
    );
  }

  async generate(spec: GenerateSpec): Promise<KeyPairInfo> {
    const p11 = this.p11;
    const token = this.onlyToken();
    const where = `${token.where};object=${spec.label}`;
    if (!LABEL_PATTERN.test(spec.label)) {
      throw new KskError("usage", "KEY-LABEL", `label "${spec.label}" must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
    }
    if (spec.flags !== 256 && spec.flags !== 257) throw new KskError("usage", "KEY-FLAGS", `flags ${spec.flags}: generate 257 (KSK) or 256 (ZSK)`);
    const family = keyFamilyFor(spec.algorithm, spec.rsaModulusBits);
    if (this.objectsByLabel(token).has(spec.label)) throw new KskError("refused", "KEY-LABEL-EXISTS", "a key with this label exists; not replaced", { where });

    const id = Buffer.from(spec.label, "utf8");
    const common = [
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_LABEL, value: spec.label },
      { type: pkcs11js.CKA_ID, value: id },
    ];
    const publicTemplate: Template = [...common, { type: pkcs11js.CKA_PRIVATE, value: false }, { type: pkcs11js.CKA_VERIFY, value: true }];
    const privateTemplate: Template = [
      ...common,
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_SIGN, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_EXTRACTABLE, value: spec.extractable === true },
    ];
    let mechanism: number;
    if (family.kind === "RSA") {
      mechanism = pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN;
      const e = Buffer.alloc(3);
      e.writeUIntBE(RSA_PUBLIC_EXPONENT, 0, 3);
      publicTemplate.push({ type: pkcs11js.CKA_MODULUS_BITS, value: family.modulusBits }, { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: e });
    } else {
      mechanism = family.kind === "EC" ? pkcs11js.CKM_EC_KEY_PAIR_GEN : CKM_EC_EDWARDS_KEY_PAIR_GEN;
      publicTemplate.push({ type: pkcs11js.CKA_EC_PARAMS, value: Buffer.from(EC_PARAMS[family.curve], "hex") });
      privateTemplate.push({ type: pkcs11js.CKA_DERIVE, value: false });
    }
    // A DNSSEC key signs and nothing else (SoftHSM otherwise defaults decrypt/unwrap to true).
    publicTemplate.push({ type: pkcs11js.CKA_ENCRYPT, value: false }, { type: pkcs11js.CKA_WRAP, value: false });
    privateTemplate.push({ type: pkcs11js.CKA_DECRYPT, value: false }, { type: pkcs11js.CKA_UNWRAP, value: false });
    if (!token.mechanisms.has(mechanism)) {
      throw keystoreError(
        "PKCS11-MECHANISM",
        `the token cannot generate ${family.kind === "RSA" ? "RSA" : family.curve} keys (mechanism 0x${mechanism.toString(16)})`,
        where,
      );
    }
    let pair: KeyPair;
    try {
      pair = p11.C_GenerateKeyPair(token.session, { mechanism }, publicTemplate, privateTemplate);
    } catch (e) {
      throw pkcs11Failure(e, where, "generating the key pair");
    }
    const created: Handle[] = [pair.publicKey, pair.privateKey];
    try {
      const objects: LabelledObjects = { publicKey: pair.publicKey, privateKey: pair.privateKey, records: [], duplicateKeys: 0, all: created };
      const read = this.dnskeyOf(token, spec.label, objects);
      if (!read) throw keystoreError("PKCS11-GENERATE", "the new public key could not be read back", where);
      const dnskey: DnskeyRdata = { ...read, flags: spec.flags, algorithm: spec.algorithm };
      const record = this.storeRecord(token, spec.label, dnskey);
      created.push(record);
      objects.records.push(record);
      const info = this.info(token, spec.label, objects);
      // Read the protection back rather than trust the template: a module may ignore attributes.
      if (!info.protection?.sensitive || info.protection.extractable !== (spec.extractable === true)) {
        throw keystoreError(
          "PKCS11-KEY-PROTECTION",
          `the token did not create the private key as asked (sensitive ${info.protection?.sensitive}, extractable ${info.protection?.extractable})`,
          where,
        );
      }
      return info;
    } catch (e) {
      for (const handle of created) {
        try {
          p11.C_DestroyObject(token.session, handle);
        } catch {
          // Best effort: the original failure is what the operator must see.
        }
      }
      throw pkcs11Failure(e, where, "storing the key pair");
    }
  }

  /**
   * The CKO_DATA record of the DNSKEY a key pair stands for: private (visible only after login)
   * and read-only, so that a session without the PIN cannot rewrite a key's recorded flags or RSA
   * algorithm.
   */
  private storeRecord(token: OpenToken, label: string, dnskey: DnskeyRdata): Handle {
    return this.p11.C_CreateObject(token.session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_DATA },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_MODIFIABLE, value: false },
      { type: pkcs11js.CKA_LABEL, value: label },
      { type: pkcs11js.CKA_APPLICATION, value: DNSKEY_RECORD_APPLICATION },
      { type: pkcs11js.CKA_VALUE, value: Buffer.from(encodeRdata(dnskey)) },
    ]);
  }

  /** The token a key is made or restored in: the only one the keystore opened. */
  private onlyToken(): OpenToken {
    if (this.tokens.length !== 1) {
      throw new KskError("usage", "KEYSTORE-TOKEN-REQUIRED", `the module has ${this.tokens.length} tokens; say which with token=LABEL in the URI`, {
        where: this.uri,
      });
    }
    return this.tokens[0] as OpenToken;
  }

  async wrapKey(label: string): Promise<WrappedKeyExport> {
    const { token, objects } = this.locate(label);
    const where = `${token.where};object=${label}`;
    if (objects.privateKey === undefined) throw keystoreError("KEY-NO-PRIVATE", "the token holds no private key with this label", where);
    const dnskey = this.dnskeyOf(token, label, objects);
    if (!dnskey || objects.publicKey === undefined) throw keystoreError("KEY-NO-PUBLIC", "the token holds no public key with this label", where);
    const wrapped = wrapPrivateKey(this.p11, token.session, { privateKey: objects.privateKey, publicKey: objects.publicKey }, token.mechanisms, where);
    return { ...wrapped, dnskey, location: token.where, tokenSerial: token.description.serial };
  }

  async unwrapKey(request: UnwrapRequest & { readonly dnskey: DnskeyRdata }): Promise<KeyPairInfo> {
    const token = this.onlyToken();
    const where = `${token.where};object=${request.label}`;
    if (!LABEL_PATTERN.test(request.label)) throw new KskError("input", "KEY-LABEL", `label "${request.label}" is not a key label`, { where });
    if (this.objectsByLabel(token).has(request.label))
      throw new KskError("refused", "KEY-LABEL-EXISTS", "a key with this label exists; not replaced", { where });
    const { privateKey, publicKey } = unwrapPrivateKey(this.p11, token.session, request, token.mechanisms, where);
    const created: Handle[] = [privateKey, publicKey];
    try {
      created.push(this.storeRecord(token, request.label, request.dnskey));
      const info = await this.find(request.label);
      if (!info.protection?.sensitive || info.protection.extractable) {
        throw keystoreError("PKCS11-KEY-PROTECTION", "the token did not restore the private key sensitive and non-extractable", where);
      }
      return info;
    } catch (e) {
      for (const handle of created) {
        try {
          this.p11.C_DestroyObject(token.session, handle);
        } catch {
          // Best effort: the original failure is what the operator must see.
        }
      }
      throw pkcs11Failure(e, where, "storing the restored key");
    }
  }

  async delete(label: string): Promise<void> {
    const { token, objects } = this.locate(label);
    for (const handle of objects.all) {
      try {
        this.p11.C_DestroyObject(token.session, handle);
      } catch (e) {
        throw pkcs11Failure(e, `${token.where};object=${label}`, "deleting");
      }
    }
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    try {
      // The signing threads close their sessions first: the module must outlive them.
      for (const pool of this.pools.splice(0)) await pool.close();
      // Closing the last session of a token ends its login (PKCS#11 §5.6); no C_Logout, which
      // would log out another keystore of this process on the same token.
      for (const t of this.tokens) {
        try {
          this.module.p11.C_CloseSession(t.session);
        } catch {
          // The session may already be gone with the token; nothing to release.
        }
      }
    } finally {
      releaseModule(this.module);
    }
  }
}
