#!/usr/bin/env bash
# Instructions flow executes for the products pipeline (webapi -> json_extract -> transform ->
# file_output /dev/null) over PAGES pages of 1000 products, counted by valgrind's callgrind: unlike
# wall or CPU time on a shared two-core machine, the count barely moves from run to run, so it can
# tell a 1% change apart. It is a proxy (cache misses and page faults cost time, not instructions):
# confirm a gain with scripts/bench/products.sh.
#   bash scripts/bench/products-instructions.sh                      # .build/release/flow
#   FLOW=/tmp/flow-old BASE=.build/release/flow bash ...             # both, and the change
#   TOP=30 bash ...                                                  # more functions in the list
# Needs valgrind (apt install valgrind). Valgrind 3.19 cannot read Swift's DWARF 5 debug info,
# so the binary is measured through a copy without it (function names come from the symbol table).
set -euo pipefail
cd "$(dirname "$0")/../.."
pages="${PAGES:-20}"
work="${BENCH_DIR:-/tmp/flow-bench}/products-$((pages * 1000))"
flow="${FLOW:-$PWD/.build/release/flow}"
command -v valgrind >/dev/null || { echo "products-instructions.sh: needs valgrind (apt install valgrind)" >&2; exit 2; }
[ -x "$flow" ] || { echo "products-instructions.sh: no flow binary at $flow (swift build -c release --product flow)" >&2; exit 2; }
mkdir -p "$work"
[ -d "$work/pages" ] || python3 scripts/bench/gen_products.py --pages "$pages" --page-size 1000 --out-dir "$work/pages" >/dev/null

# shellcheck source=scripts/bench/products_server.sh
source scripts/bench/products_server.sh
start_products_server "$work/pages" "$work"
cat > "$work/instructions.yaml" <<YAML
name: products-instructions
nodes:
  fetch:
    type: webapi
    url: http://127.0.0.1:$port/products
    paginate: { style: offset, limit: 1000, offset_param: skip, total: \$.total, items: "\$.products[*]" }
  products:
    type: json_extract
    input: fetch
    records: \$.products[*]
    fields: { id: \$.id, title: \$.title, category: \$.category, brand: \$.brand, price: \$.price,
              discount: \$.discountPercentage, stock: \$.stock, status: \$.availabilityStatus }
  in_stock:
    type: transform
    input: products
    filter: status = "In Stock"
    set: { final_price: "\$round(price * (1 - discount / 100), 2)" }
  store: { type: file_output, input: in_stock, path: /dev/null, format: ndjson }
YAML

# Prints the total and sets $total.
measure() {
  local binary=$1 name=$2
  strip --strip-debug -o "$work/$name" "$binary"
  valgrind --tool=callgrind --callgrind-out-file="$work/$name.callgrind" "$work/$name" run "$work/instructions.yaml" \
    --no-progress >/dev/null 2>"$work/$name.log"
  total=$(sed -n 's/.*Collected : //p' "$work/$name.log")
  echo "$name ($binary): $(printf "%'d" "$total") instructions, $((total / (pages * 1000))) per product"
  callgrind_annotate "$work/$name.callgrind" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | sed -n "2,$((${TOP:-12} + 1))p" \
    | { swift demangle --simplified 2>/dev/null || cat; } | cut -c1-150
}

if [ -n "${BASE:-}" ]; then
  measure "$BASE" base
  base=$total
fi
measure "$flow" flow
if [ -n "${BASE:-}" ]; then
  echo "change: $(python3 -c "print(f'{($total - $base) / $base * 100:+.1f}%')")"
fi
