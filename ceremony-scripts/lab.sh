#!/usr/bin/env bash
# The lab job (README line 1): everything the toolkit can do, run end to end on lab material,
# outputs in lab-out/. Composes `ksk` commands only; holds no crypto or DNS logic of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
out=lab-out
rm -rf "$out"
mkdir -p "$out"

ksk() { packages/cli/bin/ksk "$@"; }
step() { printf '\n== %s\n' "$*"; }

step "1. The root KSKs: key tags, and the tags they take with the REVOKE bit"
ksk keytag keys-example/root-ksks.zone

step "2. DS records of the root KSKs for resolver operators (SHA-256 and SHA-384)"
ksk ds keys-example/root-ksks.zone --digest 2,4 | tee "$out/root-ksks.ds"
ksk ds keys-example/root-ksks.zone --format bind --bind-mode initial-ds >"$out/bind-trust-anchors.conf"
ksk ds keys-example/root-ksks.zone --format unbound >"$out/unbound-root.ds"
echo "wrote $out/bind-trust-anchors.conf and $out/unbound-root.ds"

step "3. What the witnesses read aloud: SHA-256 and PGP words of every output"
ksk words "$out"/*

printf '\nLab job complete: outputs in %s/\n' "$out"
