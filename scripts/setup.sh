#!/usr/bin/env bash
# One command from a fresh Debian machine to a built add-on and CLI:
# installs the Debian tools the tests and the CLI use, the npm packages, then builds
# dist/sealbird-<version>.xpi and dist/cli/sealbird.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: real openssl/gpg/gpgsm for interop tests, Thunderbird + Xvfb + dovecot for
# the end-to-end suite, zip/imagemagick for packing and screenshots, gpg-wks-client for the key
# discovery tests, and nginx, slapd, ldap-utils for the web, directory and revocation servers the
# tests start themselves on 127.0.0.1 as their own processes (test/servers/; the system
# services are never used).
debs=(openssl gnupg gpgsm gpg-agent dirmngr gpg-wks-client nginx slapd ldap-utils thunderbird thunderbird-l10n-de xvfb xauth dbus-x11 dovecot-imapd imagemagick zip ca-certificates
  # src/core/crypto/aes-cfb.ts: RustCrypto AES built to WebAssembly (scripts/build-wasm.mjs)
  rustc cargo libstd-rust-dev-wasm32 lld-14 librust-aes-dev
  # npm run bench: peak memory of whole processes
  time)
missing=()
for p in "${debs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  # The tests run their own slapd on a temp dir; the package must not build a system directory.
  echo "slapd slapd/no_configuration boolean true" | $SUDO debconf-set-selections
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
npm run build
echo "setup: done — dist/sealbird-$(node -p 'require("./manifest.json").version').xpi and the sealbird CLI (npx sealbird --help)"
