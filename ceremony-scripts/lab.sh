#!/usr/bin/env bash
# The lab job (README line 1): a test-lab KSK roll run end to end with the `ksk` command, on lab
# keys only, outputs in lab-out/. It plays both sides, as DESIGN.md §1 describes:
#
#   1. the KSK operator's HSM: a fresh SoftHSM2 token with two lab KSKs (current and next);
#   2. the ZSK operator: five lab ZSKs in an encrypted software keystore;
#   3. trust-anchor publication: root-anchors.xml listing both KSKs, signed (CMS) by a lab CA's
#      signer certificate, verified, and DS records for BIND and unbound;
#   4. three quarters of the roll, as the real root's 2026-2027 timeline: 2026Q3 "publish+" (both
#      KSKs published, the current signs), 2026Q4 "rollover" (the next KSK signs from slot 2),
#      2027Q1 "revoke" (the old KSK published revoked, signing its own revocation) — each quarter a
#      KSR built and validated against the previous SKR, signed in the HSM after every check, and the
#      SKR verified against the published trust anchor;
#   5. the new KSK's CSR, and the SHA-256 and PGP words of every output for the witnesses.
#
# The script composes `ksk` commands only and holds no crypto or DNS logic. Everything it makes is
# TEST ONLY: the PINs and passphrase below are lab secrets written next to the keys they open.
set -euo pipefail
cd "$(dirname "$0")/.."
# KSK_LAB_OUT: where to write (default lab-out/, emptied first); the end-to-end test uses a temp dir.
out=${KSK_LAB_OUT:-lab-out}
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
# Only a directory an earlier lab run made (it holds the marker) or an empty one is ever emptied.
if [ -e "$out" ] && [ ! -e "$out/.ksk-lab-out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
  echo "lab.sh: $out exists and was not made by the lab job; not deleting it (choose another KSK_LAB_OUT)" >&2
  exit 5
fi
rm -rf "$out"
mkdir -p "$out/softhsm/tokens" "$out/ca"
touch "$out/.ksk-lab-out"
chmod 700 "$out/softhsm" "$out/softhsm/tokens"
# The console of this run is kept beside its outputs (console.log), stdout and stderr as shown.
exec > >(tee -a "$out/console.log") 2> >(tee -a "$out/console.log" >&2)

ksk() { packages/cli/bin/ksk "$@"; }
step() { printf '\n== %s\n' "$*"; }

module=/usr/lib/softhsm/libsofthsm2.so
export SOFTHSM2_CONF="$out/softhsm/softhsm2.conf"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$out/softhsm/tokens" >"$SOFTHSM2_CONF"
umask 077
echo 123456 >"$out/softhsm/user.pin"     # TEST ONLY lab PIN
echo 87654321 >"$out/softhsm/so.pin"     # TEST ONLY lab SO PIN
echo "lab zsk operator passphrase" >"$out/zsk.passphrase" # TEST ONLY
umask 022
hsm="pkcs11:token=ksk-lab?module-path=$module&pin-source=file:$out/softhsm/user.pin"
zsks="file:$out/zsk-keystore"

step "1. KSK operator: a lab token in SoftHSM2 and two KSKs generated inside it"
ksk hsm init --token ksk-lab --so-pin-file "$out/softhsm/so.pin" --pin-file "$out/softhsm/user.pin" --module "$module"
# --known-keys: the lab keys must not share a key tag (or revoked tag) with the real root KSKs.
ksk key generate --keystore "$hsm" --role ksk --algorithm RSASHA256 --bits 2048 --label Klabcur --known-keys keys-example/root-ksks.zone
ksk key generate --keystore "$hsm" --role ksk --algorithm RSASHA256 --bits 2048 --label Klabnxt --known-keys keys-example/root-ksks.zone
ksk key list --keystore "$hsm" --dns | tee "$out/ksks.zone"

step "2. ZSK operator: five ZSKs in an encrypted software keystore"
mkdir -p "$out/zsk-keystore"
for n in 1 2 3 4 5; do
  ksk key generate --keystore "$zsks" --passphrase-file "$out/zsk.passphrase" --role zsk --algorithm RSASHA256 --label "Zlab$n" \
    --known-keys "$out/ksks.zone" keys-example/root-ksks.zone >/dev/null
done
ksk key list --keystore "$zsks" --passphrase-file "$out/zsk.passphrase"

cat >"$out/ksrsigner.yaml" <<EOF
# The lab KSK operator's configuration, in IANA's ksrsigner.yaml layout (TEST ONLY keys).
keystore: "$hsm"
keys:
  ksk_current:
    description: Lab KSK playing KSK-2017
    label: Klabcur
    algorithm: RSASHA256
    rsa_size: 2048
    rsa_exponent: 65537
    valid_from: 2026-01-01T00:00:00+00:00
  ksk_next:
    description: Lab KSK playing KSK-2024
    label: Klabnxt
    algorithm: RSASHA256
    rsa_size: 2048
    rsa_exponent: 65537
    valid_from: 2026-06-01T00:00:00+00:00
EOF

step "3. Trust anchors: root-anchors.xml with both KSKs, its CMS signature, DS for resolvers"
ksk anchors build --config "$out/ksrsigner.yaml" --at 2026-06-01T00:00:00Z -o "$out/root-anchors.xml"
ksk ca init --dir "$out/ca"
ksk ca issue-signer --dir "$out/ca" --email dnssec@iana.org
ksk anchors sign "$out/root-anchors.xml" --cert "$out/ca/signer.pem" --key "$out/ca/signer.key" --signer-email dnssec@iana.org -o "$out/root-anchors.p7s"
ksk anchors verify "$out/root-anchors.xml" --p7s "$out/root-anchors.p7s" --ca "$out/ca/ca.pem" --dnskey "$out/ksks.zone"
ksk anchors ds "$out/root-anchors.xml" --format zone | tee "$out/root-anchors.ds"
ksk anchors ds "$out/root-anchors.xml" --format bind >"$out/bind-trust-anchors.conf"
ksk anchors ds "$out/root-anchors.xml" --format unbound >"$out/unbound-root.key"

step "4. Three quarters of the KSK roll"
previous=()
quarter() { # quarter CEREMONY-TIME QUARTER SCHEMA ZSK-LABELS…
  local at=$1 q=$2 schema=$3
  shift 3
  printf '\n-- %s: KSR built by the ZSK operator, signed with schema %s at a ceremony on %s\n' "$q" "$schema" "$at"
  ksk ksr build --keystore "$zsks" --passphrase-file "$out/zsk.passphrase" --quarter "$q" --zsk "$@" "${previous[@]}" --now "$at" -o "$out/ksr-$q.xml" >/dev/null
  ksk ksr validate "$out/ksr-$q.xml" "${previous[@]}" --now "$at" >"$out/ksr-$q.validation.txt"
  local chain=("${previous[@]}")
  ((${#chain[@]})) || chain=(--no-previous-skr) # the lab's first quarter has no SKR(n-1)
  ksk skr sign "$out/ksr-$q.xml" --config "$out/ksrsigner.yaml" --schema "$schema" "${chain[@]}" --now "$at" --yes -o "$out/skr-$q.xml" >"$out/skr-$q.ceremony.txt"
  grep -A11 '== Planned SKR' "$out/skr-$q.ceremony.txt"
  ksk skr verify "$out/skr-$q.xml" --ksr "$out/ksr-$q.xml" --anchor "$out/root-anchors.xml" | tail -n 3
  previous=(--previous-skr "$out/skr-$q.xml")
}
quarter 2026-05-15T00:00:00Z 2026Q3 publish+ Zlab1 Zlab2 Zlab3
quarter 2026-08-15T00:00:00Z 2026Q4 rollover Zlab2 Zlab3 Zlab4
quarter 2026-11-28T00:00:00Z 2027Q1 revoke Zlab3 Zlab4 Zlab5

step "5. The new KSK's certificate signing request, signed inside the HSM"
ksk csr create --keystore "$hsm" --label Klabnxt --generated 2026-06-01T00:00:00Z -o "$out/Klabnxt.csr"
ksk csr show "$out/Klabnxt.csr"

step "6. What the witnesses read aloud: SHA-256 and PGP words of the published files"
ksk words "$out/root-anchors.xml" "$out/root-anchors.p7s" "$out"/skr-*.xml

cat >"$out/README.txt" <<EOF
Lab ceremony outputs (TEST ONLY: lab keys, lab PINs and passphrase are stored here in the clear)

console.log                 everything this run printed (stdout and stderr)
softhsm/                    the SoftHSM2 token holding the two lab KSKs (softhsm2.conf, tokens/, user.pin, so.pin)
ksks.zone                   the KSKs' DNSKEY and DS records
zsk-keystore/, zsk.passphrase  the ZSK operator's encrypted software keystore and its passphrase
ksrsigner.yaml              the KSK operator's signing configuration
root-anchors.xml, .p7s      the trust anchor and its CMS signature (lab CA in ca/)
root-anchors.ds, bind-trust-anchors.conf, unbound-root.key  the anchor as DS lines, for BIND, for unbound
ksr-Q.xml, ksr-Q.validation.txt  each quarter's KSR and its check report
skr-Q.xml, skr-Q.ceremony.txt    each quarter's SKR and the signing ceremony's record
Klabnxt.csr                 the next KSK's certificate signing request

Next: reuse the token with the key commands, e.g.
  SOFTHSM2_CONF=$out/softhsm/softhsm2.conf packages/cli/bin/ksk key list --keystore '$hsm'
  packages/cli/bin/ksk skr verify $out/skr-2027Q1.xml --anchor $out/root-anchors.xml
EOF

printf '\nLab ceremony complete: outputs in %s/ (README.txt lists them)\n' "$out"
