/**
 * The rollover rules' parameters (`rollover_policy` in ksrsigner.yaml): the RFC 5011 hold-downs,
 * the DNSKEY answer size limits, and the switches that turn a rule's failures into warnings, named
 * as the check-code registry names them. Its own module so the config, the plan and the rules can
 * each import it without importing one another.
 */
import { type PolicySwitches, SECONDS_PER_DAY } from "@ksk/core";
import { DNSKEY_RESPONSE_MAX_BYTES, DNSKEY_RESPONSE_WARN_BYTES } from "./response-size.js";

/** RFC 5011 §2.4.1 and §2.4.2: both hold-down times are 30 days. */
export const RFC5011_HOLD_DOWN_SECONDS = 30 * SECONDS_PER_DAY;

/** The rollover rules' parameters; `rollover_policy` in ksrsigner.yaml. */
export interface RolloverPolicy {
  readonly addHoldDownSeconds: number;
  readonly removeHoldDownSeconds: number;
  /** Above this the answer is reported (a warning). */
  readonly warnResponseBytes: number;
  /** Above this the slot fails ROLLOVER-DNSKEY-SIZE. */
  readonly maxResponseBytes: number;
  /** `false` turns the rule's failures into warnings naming the switch. */
  readonly checkAddHoldDown: boolean;
  readonly checkRemoveHoldDown: boolean;
  readonly checkDnskeyResponseSize: boolean;
}

export const DEFAULT_ROLLOVER_POLICY: RolloverPolicy = {
  addHoldDownSeconds: RFC5011_HOLD_DOWN_SECONDS,
  removeHoldDownSeconds: RFC5011_HOLD_DOWN_SECONDS,
  warnResponseBytes: DNSKEY_RESPONSE_WARN_BYTES,
  maxResponseBytes: DNSKEY_RESPONSE_MAX_BYTES,
  checkAddHoldDown: true,
  checkRemoveHoldDown: true,
  checkDnskeyResponseSize: true,
};

/** The rollover switches by the policy field their check codes are registered with (check-codes.ts). */
export function rolloverPolicySwitches(policy: RolloverPolicy): PolicySwitches {
  const fields: Readonly<Record<string, boolean>> = {
    "rollover_policy.check_add_hold_down": policy.checkAddHoldDown,
    "rollover_policy.check_remove_hold_down": policy.checkRemoveHoldDown,
    "rollover_policy.check_dnskey_response_size": policy.checkDnskeyResponseSize,
  };
  return (field) => fields[field];
}
