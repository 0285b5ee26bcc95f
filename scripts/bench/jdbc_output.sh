#!/usr/bin/env bash
# jdbc_output upsert throughput against `psql \copy` into a staging table plus the same upsert.
#
#   scripts/bench/jdbc_output.sh                 # 700,000 products, 3 runs each
#   N=100000 RUNS=5 scripts/bench/jdbc_output.sh
#   SKIP_BUILD=1 scripts/bench/jdbc_output.sh    # reuse .build/release/flow
#
# Needs the test server: bash scripts/services.sh start postgres (or FLOW_BENCH_POSTGRES_URL).
# flow: file_input (ndjson) -> json_extract (8 fields) -> jdbc_output (upsert on id) into an empty table.
# psql: the same 8 fields as CSV (made once with python), then in one transaction
#       CREATE TEMP TABLE stage; \copy stage FROM csv; INSERT ... ON CONFLICT (id) DO UPDATE ...
# Also prints flow's peak RSS (GNU time's maximum resident set size).
set -euo pipefail

N=${N:-700000}
RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${FLOW_BENCH_CACHE:-${TMPDIR:-/tmp}/flow-bench}
mkdir -p "$CACHE"
if [[ -z "${FLOW_BENCH_POSTGRES_URL:-}" ]]; then
    # shellcheck disable=SC1091
    source "${FLOW_SERVICES_DIR:-/tmp/flow-services}/services.env"
    FLOW_BENCH_POSTGRES_URL=$FLOW_TEST_POSTGRES_URL
fi
URL=$FLOW_BENCH_POSTGRES_URL

DATA="$CACHE/products-$N-seed1.ndjson"
if [[ ! -s "$DATA" ]]; then
    echo "generating $N products into $DATA ..." >&2
    python3 "$ROOT/scripts/bench/gen_products.py" --count "$N" --ndjson --seed 1 --out "$DATA.tmp"
    mv "$DATA.tmp" "$DATA"
fi
CSV="$CACHE/products-$N-seed1.fields.csv"
if [[ ! -s "$CSV" ]]; then
    python3 - "$DATA" "$CSV.tmp" <<'PY'
import csv, json, sys
with open(sys.argv[1]) as src, open(sys.argv[2], "w", newline="") as out:
    w = csv.writer(out)
    for line in src:
        p = json.loads(line)
        w.writerow([p["id"], p["title"], p["price"], p["discountPercentage"], p["rating"], p["stock"],
                    p["availabilityStatus"], p.get("dimensions", {}).get("width")])
PY
    mv "$CSV.tmp" "$CSV"
fi

if [[ -z "${SKIP_BUILD:-}" ]]; then
    echo "building flow (release) ..." >&2
    (cd "$ROOT" && swift build -c release --static-swift-stdlib --product flow >&2)
fi
FLOW="$ROOT/.build/release/flow"

COLUMNS="id BIGINT PRIMARY KEY, title TEXT, price DOUBLE PRECISION, discount DOUBLE PRECISION, rating DOUBLE PRECISION, stock BIGINT, status TEXT, width DOUBLE PRECISION"
NAMES="id, title, price, discount, rating, stock, status, width"
SETS="title = EXCLUDED.title, price = EXCLUDED.price, discount = EXCLUDED.discount, rating = EXCLUDED.rating, stock = EXCLUDED.stock, status = EXCLUDED.status, width = EXCLUDED.width"
psql -q "$URL" -c "DROP TABLE IF EXISTS bench_flow, bench_psql; CREATE TABLE bench_flow ($COLUMNS); CREATE TABLE bench_psql ($COLUMNS)"

WORKFLOW="$CACHE/jdbc_output-bench.yaml"
cat > "$WORKFLOW" <<EOF
name: jdbc_output-bench
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
  store:
    type: jdbc_output
    input: extract
    url: $URL
    table: bench_flow
    mode: upsert
    key: [id]
EOF

now() { date +%s.%N; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

flow_times=()
psql_times=()
rss=()
for ((i = 1; i <= RUNS; i++)); do
    psql -q "$URL" -c "TRUNCATE bench_flow, bench_psql; CHECKPOINT"
    start=$(now)
    /usr/bin/time -f '%M' -o "$CACHE/flow.rss" "$FLOW" run "$WORKFLOW" --state "$CACHE/state.db" --no-progress \
        >/dev/null 2>"$CACHE/flow.log" || { cat "$CACHE/flow.log" >&2; exit 1; }
    flow_times+=("$(echo "$(now) - $start" | bc -l)")
    rss+=("$(tail -n 1 "$CACHE/flow.rss")")
    start=$(now)
    psql -q -v ON_ERROR_STOP=1 "$URL" <<SQL
BEGIN;
CREATE TEMP TABLE stage ON COMMIT DROP AS SELECT $NAMES FROM bench_psql WITH NO DATA;
\copy stage FROM '$CSV' WITH (FORMAT csv)
INSERT INTO bench_psql ($NAMES) SELECT $NAMES FROM stage ON CONFLICT (id) DO UPDATE SET $SETS;
COMMIT;
SQL
    psql_times+=("$(echo "$(now) - $start" | bc -l)")
    printf 'run %d: flow %.2fs (peak RSS %d MB)  psql %.2fs\n' "$i" "${flow_times[-1]}" "$((rss[-1] / 1024))" "${psql_times[-1]}" >&2
done

counts=$(psql -qAt "$URL" -c "SELECT (SELECT count(*) FROM bench_flow) || ' ' || (SELECT count(*) FROM bench_psql)")
flow_median=$(median "${flow_times[@]}")
psql_median=$(median "${psql_times[@]}")
printf '\njdbc_output upsert, %d products, 8 columns, median of %d runs (rows: flow/psql %s)\n' "$N" "$RUNS" "$counts"
printf '  flow  %7.2fs  peak RSS %d MB (max)\n' "$flow_median" "$(( $(printf '%s\n' "${rss[@]}" | sort -n | tail -n 1) / 1024 ))"
printf '  psql  %7.2fs\n' "$psql_median"
printf '  flow takes %.2fx the time of psql\n' "$(echo "$flow_median / $psql_median" | bc -l)"
