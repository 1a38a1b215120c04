/**
 * @ksk/keygen — generating KSKs and ZSKs in a keystore (IANA-style labels, key-tag collision checks
 * including revoked tags and both roles), the key report (DNSKEY, DS, PGP words), inventory and
 * confirmed deletion. Keys themselves are made and held by @ksk/keystore.
 */
export { type KnownKey, checkKeyTagCollision, keyTags } from "./collision.js";
export { type DeleteOptions, deleteKey, isExactYes } from "./delete.js";
export { type DiscardedCandidate, GENERATION_ATTEMPTS, type GenerateRequest, type GeneratedKey, generateKey } from "./generate.js";
export { type Inventory, type InventoryEntry, formatInventory, formatInventoryDns, inventory } from "./inventory.js";
export { type KeyRole, ROLE_FLAGS, ROLE_LETTER, ianaLabel, ianaLabelTime } from "./label.js";
export {
  type DsReport,
  type KeyReport,
  REPORT_DIGEST_TYPES,
  ROOT_DNSKEY_TTL_SECONDS,
  formatDiscardedCandidate,
  formatKeyReport,
  keyReport,
  presentationLine,
} from "./report.js";
