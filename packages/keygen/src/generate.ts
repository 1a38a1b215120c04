/**
 * Generating a KSK or ZSK in a keystore: the label (IANA style by default), the key pair (made by
 * the keystore, inside the HSM for PKCS#11), the key-tag collision check against every key already
 * in the keystore and every known key, and the report.
 *
 * A colliding key cannot be known before it exists (its tag depends on the public key), so the
 * pair is generated first and then compared with every other key the keystore lists at that
 * moment (listed again, so a key added meanwhile by another session counts) and every known key;
 * on a collision it is deleted again and the generation refused; the operator runs it again. Keys
 * whose public half is missing cannot be compared, so generation is refused while such leftovers
 * exist.
 *
 * Left out: retries on collision (a ceremony script must show each generation it makes), CSR output.
 */
import { KskError } from "@ksk/core";
import { type KeyPairInfo, type Keystore, keyFamilyFor } from "@ksk/keystore";
import { type KnownKey, checkKeyTagCollision } from "./collision.js";
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

export interface GeneratedKey {
  readonly info: KeyPairInfo;
  readonly report: KeyReport;
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
  const info = await keystore.generate({
    label,
    algorithm: request.algorithm,
    flags: ROLE_FLAGS[request.role],
    ...(request.rsaModulusBits === undefined ? {} : { rsaModulusBits: request.rsaModulusBits }),
    ...(request.extractable ? { extractable: true } : {}),
  });
  try {
    if (!info.dnskey) throw new KskError("keystore", "KEY-NO-PUBLIC", `the new key ${label} has no readable public key`, { where: keystore.uri });
    const others = (await keystore.list()).filter((k) => k.label !== label);
    refuseIncomplete(keystore, others);
    const known: KnownKey[] = [
      ...others.map((k) => ({ name: `${k.label} in the keystore`, dnskey: k.dnskey as NonNullable<KeyPairInfo["dnskey"]> })),
      ...(request.knownKeys ?? []),
    ];
    checkKeyTagCollision({ name: label, dnskey: info.dnskey }, known);
    return { info, report: keyReport(label, info.dnskey) };
  } catch (e) {
    await keystore.delete(label);
    throw e;
  }
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
