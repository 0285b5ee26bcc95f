#!/usr/bin/env bash
# json_extract throughput against jq: N dummyjson-shaped products as NDJSON, 8 fields extracted.
#
#   scripts/bench/json_extract.sh            # 1,000,000 products, 3 runs each
#   N=100000 RUNS=5 scripts/bench/json_extract.sh
#   SKIP_BUILD=1 scripts/bench/json_extract.sh   # reuse .build/release/flow
#
# flow: file_input (ndjson) -> json_extract (8 fields) -> file_output /dev/null, with `flow run`.
# jq:   jq -c '{id, title, ...}' on the same file > /dev/null.
# The data is generated once and cached in $FLOW_BENCH_CACHE (default ${TMPDIR:-/tmp}/flow-bench).
set -euo pipefail

N=${N:-1000000}
RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${FLOW_BENCH_CACHE:-${TMPDIR:-/tmp}/flow-bench}
mkdir -p "$CACHE"

DATA="$CACHE/products-$N-seed1.ndjson"
if [[ ! -s "$DATA" ]]; then
    echo "generating $N products into $DATA ..." >&2
    python3 "$ROOT/scripts/bench/gen_products.py" --count "$N" --ndjson --seed 1 --out "$DATA.tmp"
    mv "$DATA.tmp" "$DATA"
fi

if [[ -z "${SKIP_BUILD:-}" ]]; then
    echo "building flow (release) ..." >&2
    (cd "$ROOT" && swift build -c release --static-swift-stdlib --product flow >&2)
fi
FLOW="$ROOT/.build/release/flow"

WORKFLOW="$CACHE/json_extract-bench.yaml"
cat > "$WORKFLOW" <<EOF
name: json_extract-bench
nodes:
  products:
    type: file_input
    path: $DATA
    format: ndjson
  extract:
    type: json_extract
    input: products
    fields:
      id: \$.id
      title: \$.title
      price: \$.price
      discount: \$.discountPercentage
      rating: \$.rating
      stock: \$.stock
      status: \$.availabilityStatus
      width: \$.dimensions.width
  out:
    type: file_output
    input: extract
    path: /dev/null
    format: ndjson
EOF
JQ_FILTER='{id, title, price, discount: .discountPercentage, rating, stock, status: .availabilityStatus, width: .dimensions.width}'

# Both tools must agree on the first records before anything is timed.
head -n 1000 "$DATA" > "$CACHE/sample.ndjson"
sed "s#path: $DATA#path: $CACHE/sample.ndjson#; s#path: /dev/null#path: $CACHE/sample.flow.ndjson#" "$WORKFLOW" > "$CACHE/sample.yaml"
"$FLOW" run "$CACHE/sample.yaml" --state "$CACHE/state.db" --no-progress >/dev/null 2>&1
jq -c "$JQ_FILTER" "$CACHE/sample.ndjson" > "$CACHE/sample.jq.ndjson"
# Through jq again so that both sides format numbers the same way.
if ! cmp -s <(jq -c . "$CACHE/sample.flow.ndjson") "$CACHE/sample.jq.ndjson"; then
    echo "flow and jq disagree on the first 1000 records:" >&2
    diff <(jq -c . "$CACHE/sample.flow.ndjson" | head -n 3) <(head -n 3 "$CACHE/sample.jq.ndjson") >&2 || true
    exit 1
fi

now() { date +%s.%N; }
# Prints the median of its arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

flow_times=()
jq_times=()
for ((i = 1; i <= RUNS; i++)); do
    start=$(now)
    "$FLOW" run "$WORKFLOW" --state "$CACHE/state.db" --no-progress >/dev/null 2>"$CACHE/flow.log" \
        || { cat "$CACHE/flow.log" >&2; exit 1; }
    flow_times+=("$(echo "$(now) - $start" | bc -l)")
    start=$(now)
    jq -c "$JQ_FILTER" "$DATA" > /dev/null
    jq_times+=("$(echo "$(now) - $start" | bc -l)")
    printf 'run %d: flow %.2fs  jq %.2fs\n' "$i" "${flow_times[-1]}" "${jq_times[-1]}" >&2
done

flow_median=$(median "${flow_times[@]}")
jq_median=$(median "${jq_times[@]}")
size=$(du -m "$DATA" | cut -f1)
printf '\njson_extract, %d products (%d MB NDJSON), 8 fields, median of %d runs\n' "$N" "$size" "$RUNS"
printf '  flow  %7.2fs  %10.0f records/s\n' "$flow_median" "$(echo "$N / $flow_median" | bc -l)"
printf '  jq    %7.2fs  %10.0f records/s\n' "$jq_median" "$(echo "$N / $jq_median" | bc -l)"
printf '  flow is %.2fx jq\n' "$(echo "$jq_median / $flow_median" | bc -l)"
