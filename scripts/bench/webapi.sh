#!/usr/bin/env bash
# webapi throughput against curl: PAGES pages of about 100 KB of JSON from a local server.
#
#   scripts/bench/webapi.sh                    # 1000 pages, 3 runs each
#   PAGES=200 RUNS=5 scripts/bench/webapi.sh
#   SKIP_BUILD=1 scripts/bench/webapi.sh       # reuse .build/release/flow
#
# Server: Tests/Fixtures/http_fixture.py, endpoint /bench/{pages}?page=p (HTTP/1.1 keep-alive).
# flow:   `flow run` of webapi (page_number pagination, total_pages from the body) -> file_output
#         /dev/null as NDJSON, once sequentially and once with `parallel: 4`.
# curl:   one `curl -K` config fetching the same URLs in order over one reused connection, to /dev/null.
# flow parses every page into records and serializes them again; curl only copies bytes. A fourth
# run, `format: text`, keeps each body as one string record: the HTTP transport without JSON parsing.
set -euo pipefail

PAGES=${PAGES:-1000}
RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/flow-webapi-bench.XXXXXX")

if [[ -z "${SKIP_BUILD:-}" ]]; then
    echo "building flow (release) ..." >&2
    (cd "$ROOT" && swift build -c release --static-swift-stdlib --product flow >&2)
fi
FLOW="$ROOT/.build/release/flow"

# The fixture exits when its stdin closes: keep a FIFO open on fd 3 for as long as this script runs.
mkfifo "$WORK/stdin"
python3 "$ROOT/Tests/Fixtures/http_fixture.py" < "$WORK/stdin" > "$WORK/port" 2>"$WORK/fixture.log" &
SERVER=$!
exec 3>"$WORK/stdin"
cleanup() { exec 3>&-; kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 100); do grep -q '^PORT=' "$WORK/port" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's/^PORT=//p' "$WORK/port")
BASE="http://127.0.0.1:$PORT/bench/$PAGES"

workflow() { # $1: parallel, $2: output path, $3: extra webapi field
    cat <<YAML
name: webapi-bench
nodes:
  pages:
    type: webapi
    url: $BASE
    paginate: { style: page_number, total_pages: \$.total_pages, max_pages: $PAGES }
    parallel: $1
    ${3:-}
  out:
    type: file_output
    input: pages
    path: $2
    format: ndjson
YAML
}
workflow 1 /dev/null > "$WORK/seq.yaml"
workflow 4 /dev/null > "$WORK/par.yaml"
# Transport only: page_number with total_pages needs the body parsed, so the text variant fetches
# the same URLs as one request per input record (an inline list of page numbers).
{
    printf 'name: webapi-bench-text\nnodes:\n  numbers:\n    type: inline\n    records: ['
    seq -s, 1 "$PAGES" | sed 's/,/, /g'
    printf ']\n  pages:\n    type: webapi\n    input: numbers\n    url: "%s?page=${record}"\n    format: text\n' "$BASE"
    printf '  out:\n    type: file_output\n    input: pages\n    path: /dev/null\n    format: ndjson\n'
} > "$WORK/text.yaml"
for ((p = 1; p <= PAGES; p++)); do printf 'url = "%s?page=%d"\noutput = "/dev/null"\n' "$BASE" "$p"; done > "$WORK/curl.cfg"

# Both must fetch every page: flow's records are counted, and their order checked, before timing.
workflow 4 "$WORK/check.ndjson" > "$WORK/check.yaml"
"$FLOW" run "$WORK/check.yaml" --state "$WORK/state.db" --no-progress >/dev/null 2>"$WORK/flow.log" \
    || { cat "$WORK/flow.log" >&2; exit 1; }
got=$(wc -l < "$WORK/check.ndjson")
order=$(python3 -c 'import json,sys; print(all(json.loads(l)["page"] == i + 1 for i, l in enumerate(open(sys.argv[1]))))' "$WORK/check.ndjson")
[[ "$got" == "$PAGES" && "$order" == "True" ]] || { echo "flow fetched $got pages (in order: $order), expected $PAGES" >&2; exit 1; }
bytes=$(curl -s "$BASE?page=1" | wc -c)

now() { date +%s.%N; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

seq_times=(); par_times=(); curl_times=(); text_times=()
for ((i = 1; i <= RUNS; i++)); do
    start=$(now)
    curl -s -K "$WORK/curl.cfg"
    curl_times+=("$(echo "$(now) - $start" | bc -l)")
    start=$(now)
    "$FLOW" run "$WORK/seq.yaml" --state "$WORK/state.db" --no-progress >/dev/null 2>"$WORK/flow.log" \
        || { cat "$WORK/flow.log" >&2; exit 1; }
    seq_times+=("$(echo "$(now) - $start" | bc -l)")
    start=$(now)
    "$FLOW" run "$WORK/par.yaml" --state "$WORK/state.db" --no-progress >/dev/null 2>"$WORK/flow.log" \
        || { cat "$WORK/flow.log" >&2; exit 1; }
    par_times+=("$(echo "$(now) - $start" | bc -l)")
    start=$(now)
    "$FLOW" run "$WORK/text.yaml" --state "$WORK/state.db" --no-progress >/dev/null 2>"$WORK/flow.log" \
        || { cat "$WORK/flow.log" >&2; exit 1; }
    text_times+=("$(echo "$(now) - $start" | bc -l)")
    printf 'run %d: curl %.2fs  flow %.2fs  flow parallel 4 %.2fs  flow text %.2fs\n' "$i" "${curl_times[-1]}" "${seq_times[-1]}" "${par_times[-1]}" "${text_times[-1]}" >&2
done

curl_median=$(median "${curl_times[@]}")
seq_median=$(median "${seq_times[@]}")
par_median=$(median "${par_times[@]}")
text_median=$(median "${text_times[@]}")
printf '\nwebapi, %d pages of %d bytes from a local HTTP/1.1 server, median of %d runs\n' "$PAGES" "$bytes" "$RUNS"
printf '  curl (one connection)    %6.2fs  %7.0f pages/s\n' "$curl_median" "$(echo "$PAGES / $curl_median" | bc -l)"
printf '  flow (sequential)        %6.2fs  %7.0f pages/s  %.2fx curl time\n' "$seq_median" "$(echo "$PAGES / $seq_median" | bc -l)" "$(echo "$seq_median / $curl_median" | bc -l)"
printf '  flow (parallel: 4)       %6.2fs  %7.0f pages/s  %.2fx curl time\n' "$par_median" "$(echo "$PAGES / $par_median" | bc -l)" "$(echo "$par_median / $curl_median" | bc -l)"
printf '  flow (format: text)      %6.2fs  %7.0f pages/s  %.2fx curl time  (no JSON parsing: the transport alone)\n' "$text_median" "$(echo "$PAGES / $text_median" | bc -l)" "$(echo "$text_median / $curl_median" | bc -l)"
