/**
 * Generating a KSK or ZSK in a keystore: the label (IANA style by default), the key pair (made by
 * the keystore, inside the HSM for PKCS#11), the key-tag collision check against every key already
 * in the keystore and every known key, and the report.
 *
 * A colliding key cannot be known before it exists (its tag depends on the public key), so the
 * pair is generated first and then compared with every other key the keystore lists at that
 * moment (listed again, so a key added meanwhile by another session counts) and every known key.
 * A colliding candidate is deleted again and another generated, as dnssec-keygen does, up to
 * GENERATION_ATTEMPTS in all; each discarded candidate is returned (its tags and the clash) for
 * the operator and the witnesses to see. A random 16-bit tag meets one of k known keys' tags about
 * 3k times in 65,536 (its tag or its revoked tag against theirs), so a discarded candidate is rare
 * and three in a row mean something other than chance: the generation is then refused. Keys whose
 * public half is missing cannot be compared, so generation is refused while such leftovers exist.
 *
 * Left out: CSR output.
 */
import { type DnskeyRdata, KskError } from "@ksk/core";
import { type KeyPairInfo, type Keystore, keyFamilyFor } from "@ksk/keystore";
import { type KnownKey, keyTagCollision, keyTags } from "./collision.js";
import { type KeyRole, ROLE_FLAGS, ianaLabel } from "./label.js";
import { type KeyReport, keyReport } from "./report.js";

export interface GenerateRequest {
  readonly role: KeyRole;
  readonly algorithm: number;
  readonly rsaModulusBits?: number;
  /** A given label; otherwise the IANA-style label of `nowEpochSeconds`. */
  readonly label?: string;
  readonly nowEpochSeconds: number;
  /** Keys from elsewhere (other keystores, the published DNSKEY RRsets) the new key must not collide with. */
  readonly knownKeys?: readonly KnownKey[];
  /** Create the private key extractable for a backup (see GenerateSpec.extractable). */
  readonly extractable?: boolean;
}

/** How many candidates one generation may make before a run of collisions refuses it. */
export const GENERATION_ATTEMPTS = 3;

/** A candidate that collided with a known key and was deleted from the keystore again. */
export interface DiscardedCandidate {
  /** 1 for the first candidate generated. */
  readonly attempt: number;
  readonly keyTag: number;
  readonly revokedKeyTag: number;
  /** The collision, as keyTagCollision words it. */
  readonly clash: string;
}

export interface GeneratedKey {
  readonly info: KeyPairInfo;
  readonly report: KeyReport;
  /** Candidates made before this key and deleted for a key-tag collision, in order. */
  readonly discarded: readonly DiscardedCandidate[];
}

export async function generateKey(keystore: Keystore, request: GenerateRequest): Promise<GeneratedKey> {
  // Refuse an algorithm/size combination before looking at the keystore.
  keyFamilyFor(request.algorithm, request.rsaModulusBits);
  const label = request.label ?? ianaLabel(request.role, request.nowEpochSeconds);
  const existing = await keystore.list();
  refuseIncomplete(keystore, existing);
  if (existing.some((k) => k.label === label)) {
    throw new KskError("refused", "KEY-LABEL-EXISTS", `a key labelled "${label}" exists; not replaced`, { where: keystore.uri });
  }
  const discarded: DiscardedCandidate[] = [];
  for (let attempt = 1; attempt <= GENERATION_ATTEMPTS; attempt++) {
    const info = await generateCandidate(keystore, request, label);
    let checked: CheckedCandidate;
    try {
      checked = await collisionOf(keystore, label, info, request.knownKeys ?? []);
    } catch (e) {
      await keystore.delete(label);
      throw e;
    }
    if (checked.clash === undefined) return { info, report: keyReport(label, checked.dnskey), discarded };
    await keystore.delete(label);
    discarded.push({ attempt, ...keyTags(checked.dnskey), clash: checked.clash });
  }
  const each = discarded.map((d) => `candidate ${d.attempt}: ${d.clash}`).join("; ");
  throw new KskError("refused", "KEY-TAG-COLLISION", `new key: ${GENERATION_ATTEMPTS} candidates collided, each deleted: ${each}`, { where: label });
}

function generateCandidate(keystore: Keystore, request: GenerateRequest, label: string): Promise<KeyPairInfo> {
  return keystore.generate({
    label,
    algorithm: request.algorithm,
    flags: ROLE_FLAGS[request.role],
    ...(request.rsaModulusBits === undefined ? {} : { rsaModulusBits: request.rsaModulusBits }),
    ...(request.extractable ? { extractable: true } : {}),
  });
}

/** A freshly generated candidate's public key, and its key-tag collision in words (undefined: none). */
interface CheckedCandidate {
  readonly dnskey: DnskeyRdata;
  readonly clash: string | undefined;
}

/** The candidate checked against the keystore's other keys (listed now) and the known keys. */
async function collisionOf(keystore: Keystore, label: string, info: KeyPairInfo, knownKeys: readonly KnownKey[]): Promise<CheckedCandidate> {
  const dnskey = info.dnskey;
  if (!dnskey) throw new KskError("keystore", "KEY-NO-PUBLIC", `the new key ${label} has no readable public key`, { where: keystore.uri });
  const others = (await keystore.list()).filter((k) => k.label !== label);
  refuseIncomplete(keystore, others);
  const known: KnownKey[] = [...others.map((k) => ({ name: `${k.label} in the keystore`, dnskey: k.dnskey as DnskeyRdata })), ...knownKeys];
  return { dnskey, clash: keyTagCollision({ name: label, dnskey }, known) };
}

function refuseIncomplete(keystore: Keystore, keys: readonly KeyPairInfo[]): void {
  const incomplete = keys.filter((k) => !k.dnskey);
  if (incomplete.length > 0) {
    throw new KskError(
      "refused",
      "KEYSTORE-LEFTOVERS",
      `keys without a public half cannot be checked for key-tag collisions: ${incomplete.map((k) => k.label).join(", ")}; delete or repair them first`,
      { where: keystore.uri },
    );
  }
}
