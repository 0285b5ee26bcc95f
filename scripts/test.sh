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
# timers and turn those checks into noise. The whole suite takes about four minutes this way.
log="$(mktemp "${TMPDIR:-/tmp}/flow-test.XXXXXX")"
status=0
swift test --skip-build --no-parallel 2>&1 | tee "$log" || status=$?
if [ "$status" -ne 0 ]; then
    # The test output runs to thousands of lines; repeat what failed at the very end, where a
    # CI log's tail shows it.
    echo
    echo "=== swift test exited with $status; the failures ==="
    grep -E "✘|error:|fatal|Fatal|crash" "$log" | head -n 80 || true
fi
rm -f "$log"
exit "$status"
