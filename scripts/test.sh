#!/usr/bin/env bash
# The whole test suite, as README.md gives it: installs dependencies, starts the real servers,
# builds, and runs every test target. Exit status is the test run's.
#
# A failing run is repeated once. If the repeat passes, the script still exits 0 but ends with the
# first run's failures under "FLAKY": a test that fails only sometimes is a bug (in the test or in
# flow: the engine's upstream_failed race was found this way) and must be fixed, but one timing
# hiccup on a busy CI machine should not throw away every other result. A test that fails twice
# fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/services.sh start
# shellcheck disable=SC1091
source "${FLOW_SERVICES_DIR:-/tmp/flow-services}/services.env"
swift build --build-tests

log="$(mktemp "${TMPDIR:-/tmp}/flow-test.XXXXXX")"
trap 'rm -f "$log" "$log.first"' EXIT

# What failed in the run logged in $1: the test output runs to thousands of lines, so this is
# repeated at the very end, where a CI log's tail shows it.
failures() {
    grep -E "✘|error:|fatal|Fatal|crash" "$1" | head -n 80 || true
}

# Serially: several suites check promptness (timeouts, cancellation, fail-fast connects) and the
# CLI suites run the binary as a subprocess; on a 2-core machine parallel suites starve each other's
# timers and turn those checks into noise. The whole suite takes about four minutes this way.
status=0
swift test --skip-build --no-parallel 2>&1 | tee "$log" || status=$?
if [ "$status" -eq 0 ]; then
    exit 0
fi
cp "$log" "$log.first"
echo
echo "=== swift test exited with $status; the failures: ==="
failures "$log.first"
echo "=== running the whole suite once more ==="
status=0
swift test --skip-build --no-parallel 2>&1 | tee "$log" || status=$?
if [ "$status" -eq 0 ]; then
    echo
    echo "=== FLAKY: the suite failed once and then passed; these failures must be fixed: ==="
    failures "$log.first"
    exit 0
fi
echo
echo "=== swift test failed twice (exit $status); the first run's failures: ==="
failures "$log.first"
echo "=== and the second run's: ==="
failures "$log"
exit "$status"
