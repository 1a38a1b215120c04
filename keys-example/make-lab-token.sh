#!/usr/bin/env bash
# Make a SoftHSM2 lab token in a project-local directory, the way a ceremony lab starts:
#
#   keys-example/make-lab-token.sh [DIR]        (default DIR: keys-example/lab-hsm, git-ignored)
#
# DIR gets softhsm2.conf (from softhsm2.conf.template), tokens/, and random PINs in user.pin and
# so.pin (0600). The token is initialised by `ksk hsm init`, through PKCS#11 like any HSM.
# Environment: KSK_LAB_TOKEN (token label, default ksk-lab), KSK_PKCS11_MODULE (default Debian's
# SoftHSM2 module). LAB ONLY: these PINs sit in files next to the token.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mkdir -p -m 0700 "${1:-$root/keys-example/lab-hsm}" && cd "${1:-$root/keys-example/lab-hsm}" && pwd)
label=${KSK_LAB_TOKEN:-ksk-lab}
module=${KSK_PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}

umask 077
mkdir -p "$dir/tokens"
sed "s|@TOKENDIR@|$dir/tokens|" "$root/keys-example/softhsm2.conf.template" >"$dir/softhsm2.conf"
[[ -s "$dir/user.pin" ]] || openssl rand -hex 8 >"$dir/user.pin"
[[ -s "$dir/so.pin" ]] || openssl rand -hex 8 >"$dir/so.pin"

SOFTHSM2_CONF="$dir/softhsm2.conf" "$root/node_modules/.bin/tsx" "$root/packages/cli/src/main.ts" \
  hsm init --token "$label" --so-pin-file "$dir/so.pin" --pin-file "$dir/user.pin" --module "$module"

cat <<INFO
Lab token ready. In your shell:
  export SOFTHSM2_CONF=$dir/softhsm2.conf
Keystore URI:
  pkcs11:token=$label?module-path=$module&pin-source=file:$dir/user.pin
For example:
  pnpm ksk key generate --keystore 'pkcs11:token=$label?module-path=$module&pin-source=file:$dir/user.pin' \\
    --role ksk --algorithm RSASHA256 --bits 2048 --known-keys keys-example/root-ksks.dnskey
INFO
