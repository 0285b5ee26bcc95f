#!/usr/bin/env bash
# Engine benchmarks (issue: engine core): chain40, fan1000, validate1000 and the 5M-record copy.
# Release build; wall times are medians of hyperfine runs, process start included.
#   bash scripts/bench/engine.sh            # all
#   RECORDS=1000000 bash scripts/bench/engine.sh copy
set -euo pipefail
cd "$(dirname "$0")/../.."
what="${1:-all}"
work="${BENCH_DIR:-/tmp/flow-bench}/engine"
mkdir -p "$work"
swift build -c release --static-swift-stdlib --product flow >/dev/null
flow="$PWD/.build/release/flow"
python3 scripts/bench/gen_engine_workflows.py "$work"
export FLOW_HOME="$work/home"

median() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["results"][0]; print("%.3f s median (min %.3f, max %.3f, %d runs)" % (r["median"], r["min"], r["max"], len(r["times"])))' "$1"; }

if [ "$what" = all ] || [ "$what" = chain40 ]; then
  hyperfine -N --warmup 2 --runs 15 --export-json "$work/chain40.json" "$flow run $work/chain40.yaml --no-progress" >/dev/null 2>&1
  echo "chain40  (40 x 10 ms in sequence; target < 0.45 s): $(median "$work/chain40.json")"
fi
if [ "$what" = all ] || [ "$what" = fan1000 ]; then
  hyperfine -N --warmup 2 --runs 15 --export-json "$work/fan1000.json" "$flow run $work/fan1000.yaml --no-progress" >/dev/null 2>&1
  echo "fan1000  (root, 998 parallel, sink; target < 0.2 s): $(median "$work/fan1000.json")"
fi
if [ "$what" = all ] || [ "$what" = validate1000 ]; then
  hyperfine -N --warmup 3 --runs 30 --export-json "$work/validate1000.json" "$flow validate $work/validate1000.yaml" >/dev/null 2>&1
  echo "validate1000 (1000 nodes; target < 50 ms): $(median "$work/validate1000.json")"
fi
if [ "$what" = all ] || [ "$what" = copy ]; then
  records="${RECORDS:-5000000}"
  data="$work/records-$records.ndjson"
  if [ ! -f "$data" ]; then
    python3 - "$data" "$records" <<'PY'
import json, sys, random
path, n = sys.argv[1], int(sys.argv[2])
random.seed(7)
statuses = ["In Stock", "Low Stock", "Out of Stock"]
with open(path, "w") as f:
    for i in range(n):
        f.write(json.dumps({"id": i, "sku": f"SKU-{i:08d}", "title": f"Product {i}", "price": round(random.uniform(1, 500), 2),
                            "stock": random.randint(0, 200), "status": statuses[i % 3], "tags": ["a", "b"]}, separators=(",", ":")) + "\n")
PY
  fi
  size=$(stat -c %s "$data")
  cat "$data" > /dev/null  # warm the page cache
  hyperfine -N --warmup 1 --runs 5 --export-json "$work/cat.json" "cat $data" >/dev/null 2>&1
  hyperfine -N --runs 3 --export-json "$work/copy.json" "$flow run $work/copy.yaml --no-progress --param input=$data" >/dev/null 2>&1
  /usr/bin/time -f "%M" -o "$work/copy.rss" "$flow" run "$work/copy.yaml" --no-progress --param "input=$data" >/dev/null 2>&1
  rss=$(tail -1 "$work/copy.rss")
  python3 - "$work/cat.json" "$work/copy.json" "$size" "$records" "$rss" <<'PY'
import json, sys
cat = json.load(open(sys.argv[1]))["results"][0]["median"]
flow = json.load(open(sys.argv[2]))["results"][0]["median"]
size, n, rss = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
mb = size / 1e6
print(f"copy {n} records ({mb:.0f} MB NDJSON, file_input -> file_output): flow {flow:.2f} s = {mb/flow:.0f} MB/s, {n/flow:,.0f} records/s; "
      f"cat {cat:.2f} s = {mb/cat:.0f} MB/s; peak RSS {rss/1024:.1f} MB (target < 100 MB)")
PY
fi
