#!/usr/bin/env bash
# The whole test suite, as README.md gives it: installs dependencies, starts the real servers,
# builds, and runs every test target. Exit status is the test run's.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/services.sh start
# shellcheck disable=SC1091
source "${FLOW_SERVICES_DIR:-/tmp/flow-services}/services.env"
swift build --build-tests
# Serially: several suites check promptness (timeouts, cancellation, fail-fast connects) and the
# CLI suites run the binary as a subprocess; on a 2-core machine parallel suites starve each other's
# timers and turn those checks into noise. The whole suite takes about two minutes this way.
swift test --skip-build --no-parallel
