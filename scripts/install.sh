#!/usr/bin/env bash
# Install everything the toolkit and its tests need on Debian 12 with Node 20 and npm, as root:
# the independent DNS/PKCS#11/X.509 tools (Debian packages), pnpm 12.4.2, and the dependencies.
# Safe to run again: each step is skipped or idempotent when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(
  softhsm2 opensc                      # the lab HSM and pkcs11-tool
  ldnsutils                            # ldns-key2ds, ldns-verify-zone, ldns-keygen, ldns-signzone
  bind9-utils bind9-dnsutils           # dnssec-dsfromkey, dnssec-verify, named-checkconf, delv
  knot-dnssecutils                     # kzonecheck
  knot                                 # knotd + knotc: the lab root server for resolver tests
  knot-module-dnstap                   # knotd's mod-dnstap: the lab root logs the queries it receives (RFC 8145 telemetry)
  faketime                             # libfaketime: knotd signing an offline-KSK zone at a later period
  unbound unbound-anchor               # the validating resolver and the trust-anchor fetcher
  openssl trang
  chromium                             # headless: renders the ceremony report in its test
  poppler-utils                        # pdftotext, pdftoppm: the printed ceremony script checked page by page
  bsdutils                             # script: prompts tested on a real pseudo-terminal
  time                                 # /usr/bin/time -f %M: the hostile-input tests' peak memory
)
missing=()
for p in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install.sh: apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$(pnpm --version 2>/dev/null)" != "12.4.2" ]; then
  echo "install.sh: npm install -g pnpm@12.4.2"
  npm install -g pnpm@12.4.2 >/dev/null
fi

# pkcs11js is a native addon: node-gyp must use the local Node headers, not download them.
export npm_config_nodedir=/usr
pnpm install --frozen-lockfile

# The `ksk` command runs a bundle of the TypeScript sources (scripts/build-cli.mjs).
pnpm build
