# Sourced by the products benchmarks: start_products_server PAGES_DIR RUN_DIR starts
# products_server.py on PAGES_DIR and sets $port. The server exits when its stdin closes: a FIFO
# in RUN_DIR stays open on fd 3 until the script exits, and the EXIT trap closes it.
start_products_server() {
  local pages=$1 dir=$2
  rm -f "$dir/server.in" && mkfifo "$dir/server.in"
  python3 scripts/bench/products_server.py --dir "$pages" < "$dir/server.in" > "$dir/server.port" &
  products_server_pid=$!
  exec 3>"$dir/server.in"
  trap 'exec 3>&-; kill $products_server_pid 2>/dev/null || true' EXIT
  for _ in $(seq 100); do grep -q '^PORT=' "$dir/server.port" 2>/dev/null && break; sleep 0.1; done
  port=$(sed -n 's/^PORT=//p' "$dir/server.port")
}
