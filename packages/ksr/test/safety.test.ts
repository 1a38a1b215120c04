/**
 * KSR-POLICY-SAFETY over a slot timeline: a good and a bad case for publish safety and for retire
 * safety, the revoked-signature exemption, and the cases the timeline cannot judge.
 */
import { withRevokeBit } from "@ksk/core";
import { describe, expect, it } from "vitest";
import { type TimelineSlot, checkKskSafety } from "../src/index.js";
import { testSigner } from "../../../test/support/soft-signer.js";

const DAY = 86400;
const current = testSigner({ algorithm: 8, flags: 257, label: "Kcurrnt" });
const next = testSigner({ algorithm: 8, flags: 257, label: "Knextkk" });
const A = current.dnskey;
const B = next.dnskey;
const slots = (spec: [published: (typeof A)[], signers: (typeof A)[]][]): TimelineSlot[] =>
  spec.map(([published, signers], i) => ({ label: `slot ${i + 1}`, inceptionEpochSeconds: i * 10 * DAY, published, signers }));
const root = { publishSafetySeconds: 0, retireSafetySeconds: 28 * DAY };

describe("KSR-POLICY-SAFETY", () => {
  it("passes a rollover: A signs, B pre-published, B signs, A stays 30 days then is revoked", () => {
    expect(() =>
      checkKskSafety(
        slots([
          [[A], [A]],
          [[A, B], [A]],
          [[A, B], [B]],
          [[A, B], [B]],
          [[A, B], [B]],
          [
            [B, withRevokeBit(A)],
            [B, withRevokeBit(A)],
          ],
          [[B], [B]],
        ]),
        root,
      ),
    ).not.toThrow();
  });

  it("fails retire safety when the old KSK is removed as soon as it stops signing", () => {
    expect(() =>
      checkKskSafety(
        slots([
          [[A], [A]],
          [[A, B], [A]],
          [[B], [B]],
        ]),
        root,
      ),
    ).toThrow(/stops signing at slot 3 .* retire safety is P28D/);
  });

  it("fails retire safety when revocation comes too soon: revoked publication does not count", () => {
    expect(() =>
      checkKskSafety(
        slots([
          [[A, B], [A]],
          [[A, B], [B]],
          [
            [B, withRevokeBit(A)],
            [B, withRevokeBit(A)],
          ],
        ]),
        root,
      ),
    ).toThrow(/stops signing at slot 2 .* no longer published unrevoked from slot 3, P10D later; retire safety is P28D/);
  });

  it("exempts signatures made by the revoked key itself", () => {
    expect(() =>
      checkKskSafety(
        slots([
          [[A, B], [B]],
          [[A, B], [B]],
          [[A, B], [B]],
          [[A, B], [B]],
          [
            [B, withRevokeBit(A)],
            [B, withRevokeBit(A)],
          ],
          [[B], [B]],
        ]),
        root,
      ),
    ).not.toThrow();
  });

  it("fails publish safety when a key signs before it was published long enough", () => {
    const policy = { publishSafetySeconds: 10 * DAY, retireSafetySeconds: 0 };
    expect(() =>
      checkKskSafety(
        slots([
          [[A], [A]],
          [[A, B], [B]],
        ]),
        policy,
      ),
    ).toThrow(/first signs in slot 2 .* only PT0S after it was first published in slot 2; publish safety is P10D/);
    expect(() =>
      checkKskSafety(
        slots([
          [[A], [A]],
          [[A, B], [A]],
          [[A, B], [B]],
        ]),
        policy,
      ),
    ).not.toThrow();
  });

  it("has nothing to judge for a key published from the first slot or signing in the last", () => {
    expect(() => checkKskSafety(slots([[[A, B], [B]]]), { publishSafetySeconds: 99 * DAY, retireSafetySeconds: 99 * DAY })).not.toThrow();
  });
});
