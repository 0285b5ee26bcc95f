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
swift test --skip-build
