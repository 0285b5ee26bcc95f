#!/usr/bin/env bash
# jdbc_output upsert throughput against the database's own limit: `psql \copy` of the same rows into a
# staging table plus one INSERT ... SELECT ... ON CONFLICT (id) DO UPDATE.
#
#   scripts/bench/jdbc_output.sh                 # 700,000 products, 3 runs each
#   N=100000 RUNS=5 scripts/bench/jdbc_output.sh
#   SKIP_BUILD=1 scripts/bench/jdbc_output.sh    # reuse .build/release/flow
#   RERUN=1 scripts/bench/jdbc_output.sh         # upsert into a table that already holds the rows
#
# Needs the test server: bash scripts/services.sh start postgres (or FLOW_BENCH_POSTGRES_URL).
# The input is the 9 columns products.sh loads (id, title, category, brand, price, discount, stock,
# status, final_price) as a CSV file, made once with python, so that upstream work stays small:
# flow: file_input (csv, infer_types) -> jdbc_output (upsert on id).
# psql: in one transaction CREATE TEMP TABLE stage; \copy stage FROM csv; INSERT ... ON CONFLICT ...
# Also prints flow's peak RSS (GNU time's maximum resident set size) and, as the floor of flow's own
# work, the time of the same workflow writing to /dev/null instead of the database.
set -euo pipefail

N=${N:-700000}
RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${FLOW_BENCH_CACHE:-${TMPDIR:-/tmp}/flow-bench}
# Table names: set PREFIX when several people share the server.
PREFIX=${PREFIX:-bench}
mkdir -p "$CACHE"
if [[ -z "${FLOW_BENCH_POSTGRES_URL:-}" ]]; then
    # shellcheck disable=SC1091
    source "${FLOW_SERVICES_DIR:-/tmp/flow-services}/services.env"
    FLOW_BENCH_POSTGRES_URL=$FLOW_TEST_POSTGRES_URL
fi
URL=$FLOW_BENCH_POSTGRES_URL

DATA="$CACHE/products-$N-seed1.ndjson"
CSV="$CACHE/products-$N-seed1.final.csv"
if [[ ! -s "$CSV" ]]; then
    if [[ ! -s "$DATA" ]]; then
        echo "generating $N products into $DATA ..." >&2
        python3 "$ROOT/scripts/bench/gen_products.py" --count "$N" --ndjson --seed 1 --out "$DATA.tmp"
        mv "$DATA.tmp" "$DATA"
    fi
    python3 - "$DATA" "$CSV.tmp" <<'PY'
import csv, json, sys
with open(sys.argv[1]) as src, open(sys.argv[2], "w", newline="") as out:
    w = csv.writer(out)
    w.writerow(["id", "title", "category", "brand", "price", "discount", "stock", "status", "final_price"])
    for line in src:
        p = json.loads(line)
        final = round(p["price"] * (1 - p["discountPercentage"] / 100), 2)
        w.writerow([p["id"], p["title"], p["category"], p.get("brand") or "", p["price"],
                    p["discountPercentage"], p["stock"], p["availabilityStatus"], final])
PY
    mv "$CSV.tmp" "$CSV"
fi

if [[ -z "${SKIP_BUILD:-}" ]]; then
    echo "building flow (release) ..." >&2
    (cd "$ROOT" && swift build -c release --static-swift-stdlib --product flow >&2)
fi
FLOW=${FLOW:-$ROOT/.build/release/flow}

FLOW_TABLE=${PREFIX}_flow
PSQL_TABLE=${PREFIX}_psql
COLUMNS="id BIGINT PRIMARY KEY, title TEXT, category TEXT, brand TEXT, price DOUBLE PRECISION, discount DOUBLE PRECISION, stock BIGINT, status TEXT, final_price DOUBLE PRECISION"
NAMES="id, title, category, brand, price, discount, stock, status, final_price"
SETS="title = EXCLUDED.title, category = EXCLUDED.category, brand = EXCLUDED.brand, price = EXCLUDED.price, discount = EXCLUDED.discount, stock = EXCLUDED.stock, status = EXCLUDED.status, final_price = EXCLUDED.final_price"
psql -q "$URL" -c "DROP TABLE IF EXISTS $FLOW_TABLE, $PSQL_TABLE; CREATE TABLE $FLOW_TABLE ($COLUMNS); CREATE TABLE $PSQL_TABLE ($COLUMNS)"

WORKFLOW="$CACHE/$PREFIX-jdbc_output-bench.yaml"
FLOOR="$CACHE/$PREFIX-jdbc_output-floor.yaml"
cat > "$WORKFLOW" <<EOF
name: jdbc_output-bench
nodes:
  rows:
    type: file_input
    path: $CSV
    format: csv
    infer_types: true
  store:
    type: jdbc_output
    input: rows
    url: $URL
    table: $FLOW_TABLE
    mode: upsert
    key: [id]
EOF
cat > "$FLOOR" <<EOF
name: jdbc_output-floor
nodes:
  rows:
    type: file_input
    path: $CSV
    format: csv
    infer_types: true
  out:
    type: file_output
    input: rows
    path: /dev/null
    format: ndjson
EOF

now() { date +%s.%N; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

prepare() {
    if [[ -n "${RERUN:-}" ]]; then
        psql -q "$URL" -c "TRUNCATE $FLOW_TABLE, $PSQL_TABLE" -c "\\copy $FLOW_TABLE FROM '$CSV' WITH (FORMAT csv, HEADER true)" \
            -c "INSERT INTO $PSQL_TABLE SELECT * FROM $FLOW_TABLE" -c "VACUUM ANALYZE $FLOW_TABLE, $PSQL_TABLE" -c "CHECKPOINT"
    else
        psql -q "$URL" -c "TRUNCATE $FLOW_TABLE, $PSQL_TABLE" -c "CHECKPOINT"
    fi
}

flow_times=()
psql_times=()
floor_times=()
rss=()
for ((i = 1; i <= RUNS; i++)); do
    prepare
    start=$(now)
    /usr/bin/time -f '%M' -o "$CACHE/$PREFIX-flow.rss" "$FLOW" run "$WORKFLOW" --state "$CACHE/$PREFIX-state.db" --no-progress \
        >"$CACHE/$PREFIX-flow.out" 2>"$CACHE/$PREFIX-flow.log" || { cat "$CACHE/$PREFIX-flow.log" >&2; exit 1; }
    flow_times+=("$(echo "$(now) - $start" | bc -l)")
    rss+=("$(tail -n 1 "$CACHE/$PREFIX-flow.rss")")
    psql -q "$URL" -c "CHECKPOINT"
    start=$(now)
    psql -q -v ON_ERROR_STOP=1 "$URL" <<SQL
BEGIN;
CREATE TEMP TABLE stage ON COMMIT DROP AS SELECT $NAMES FROM $PSQL_TABLE WITH NO DATA;
\copy stage FROM '$CSV' WITH (FORMAT csv, HEADER true)
INSERT INTO $PSQL_TABLE ($NAMES) SELECT $NAMES FROM stage ON CONFLICT (id) DO UPDATE SET $SETS;
COMMIT;
SQL
    psql_times+=("$(echo "$(now) - $start" | bc -l)")
    start=$(now)
    "$FLOW" run "$FLOOR" --state "$CACHE/$PREFIX-state.db" --no-progress >/dev/null 2>&1
    floor_times+=("$(echo "$(now) - $start" | bc -l)")
    printf 'run %d: flow %.2fs (peak RSS %d MB)  psql %.2fs  flow without the database %.2fs\n' "$i" "${flow_times[-1]}" \
        "$((rss[-1] / 1024))" "${psql_times[-1]}" "${floor_times[-1]}" >&2
done

counts=$(psql -qAt "$URL" -c "SELECT (SELECT count(*) FROM $FLOW_TABLE) || ' ' || (SELECT count(*) FROM $PSQL_TABLE)")
flow_median=$(median "${flow_times[@]}")
psql_median=$(median "${psql_times[@]}")
printf '\njdbc_output upsert%s, %d products, 9 columns, median of %d runs (rows: flow/psql %s)\n' \
    "${RERUN:+ into a full table}" "$N" "$RUNS" "$counts"
printf '  flow  %7.2fs  peak RSS %d MB (max)\n' "$flow_median" "$(( $(printf '%s\n' "${rss[@]}" | sort -n | tail -n 1) / 1024 ))"
printf '  psql  %7.2fs\n' "$psql_median"
printf '  flow without the database (file_output /dev/null) %.2fs\n' "$(median "${floor_times[@]}")"
printf '  flow takes %.2fx the time of psql\n' "$(echo "$flow_median / $psql_median" | bc -l)"
grep -E 'rows_(inserted|updated|unchanged)' "$CACHE/$PREFIX-flow.out" "$CACHE/$PREFIX-flow.log" 2>/dev/null | head -n 3 || true
