#!/usr/bin/env bash
# kafka_produce and kafka_consume throughput, with kcat -P on the same file and broker for reference.
#
#   scripts/bench/kafka.sh                  # 1,000,000 NDJSON records of about 200 bytes, 3 rounds
#   N=200000 RUNS=1 scripts/bench/kafka.sh
#   SKIP_BUILD=1 scripts/bench/kafka.sh     # reuse .build/release/flow
#
# Per round, each on a fresh topic of the local tansu broker (scripts/services/kafka.sh):
#   kcat:    kcat -P -l FILE, enable.idempotence=true, acks=all (kafka_produce's defaults), no key
#   produce: flow run: file_input (ndjson) -> kafka_produce, no key (the same messages as kcat)
#   keyed:   the same with `key: customer` (10,007 keys over the 4 partitions), against
#            kcat -P -K '\t' on the same lines prefixed with their customer and a tab
#   consume: flow run: kafka_consume until: end -> file_output /dev/null (the unkeyed topic)
# flow validates every line and, as kafka_produce needs only the record's text (and the `customer` field
# for the keyed run), sends it without parsing it (docs/architecture.md, "Records kept as bytes");
# kcat sends the lines as they are.
# kcat and flow use the same librdkafka (2.16, from kafka.env; Debian's 2.0.2 cannot talk to tansu).
set -euo pipefail

N=${N:-1000000}
RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${FLOW_BENCH_CACHE:-${TMPDIR:-/tmp}/flow-bench}
DIR="${FLOW_SERVICES_DIR:-/tmp/flow-services}"
mkdir -p "$CACHE"

"$ROOT/scripts/services/kafka.sh" start >/dev/null
# shellcheck disable=SC1091
source "$DIR/kafka.env"
BROKERS="$FLOW_TEST_KAFKA_BROKERS"

DATA="$CACHE/kafka-records-$N.ndjson"
if [[ ! -s "$DATA" ]]; then
    echo "generating $N records into $DATA ..." >&2
    python3 - "$N" >"$DATA.tmp" <<'EOF'
import json, sys
n = int(sys.argv[1])
out = sys.stdout
for i in range(n):
    record = {"id": i, "customer": "cust-%05d" % (i % 10007), "sku": "SKU-%06d" % (i * 7 % 999983),
              "qty": i % 13 + 1, "price": round((i % 997) * 1.37, 2), "status": "confirmed",
              "ts": "2026-11-21T07:%02d:%02d.%03dZ" % (i // 60000 % 60, i // 1000 % 60, i % 1000)}
    line = json.dumps(record, separators=(",", ":"))
    record["note"] = "x" * max(0, 200 - len(line) - 11)
    out.write(json.dumps(record, separators=(",", ":")) + "\n")
EOF
    mv "$DATA.tmp" "$DATA"
fi
KEYED="$DATA.keyed"
if [[ ! -s "$KEYED" ]]; then
    python3 -c '
import json, sys
with open(sys.argv[1], "rb") as lines, open(sys.argv[2], "wb") as out:
    for line in lines:
        out.write(json.loads(line)["customer"].encode() + b"\t" + line)
' "$DATA" "$KEYED.tmp"
    mv "$KEYED.tmp" "$KEYED"
fi
BYTES=$(wc -c <"$DATA")
echo "input: $N records, $((BYTES / N)) bytes each on average"

if [[ -z "${SKIP_BUILD:-}" ]]; then
    echo "building flow (release) ..." >&2
    (cd "$ROOT" && swift build -c release --product flow >&2)
fi
FLOW="$ROOT/.build/release/flow"

now() { date +%s.%N; }
rate() { python3 -c "import sys; n,s,e=int(sys.argv[1]),float(sys.argv[2]),float(sys.argv[3]); print(f'{n/(e-s):.0f}')" "$@"; }
secs() { python3 -c "import sys; print(f'{float(sys.argv[2])-float(sys.argv[1]):.2f}')" "$@"; }

for round in $(seq 1 "$RUNS"); do
    suffix="$(date +%s)-$RANDOM"
    KCAT_TOPIC="bench-kcat-$suffix"
    FLOW_TOPIC="bench-flow-$suffix"
    WF="$CACHE/kafka-bench-$suffix"
    cat >"$WF-produce.yaml" <<EOF
name: kafka-produce-bench
nodes:
  records: { type: file_input, path: $DATA, format: ndjson }
  publish:
    type: kafka_produce
    input: records
    brokers: $BROKERS
    topic: $FLOW_TOPIC
EOF
    cat >"$WF-keyed.yaml" <<EOF
name: kafka-produce-keyed-bench
nodes:
  records: { type: file_input, path: $DATA, format: ndjson }
  publish: { type: kafka_produce, input: records, brokers: $BROKERS, topic: $FLOW_TOPIC-keyed, key: customer }
EOF
    cat >"$WF-consume.yaml" <<EOF
name: kafka-consume-bench
nodes:
  events:
    type: kafka_consume
    brokers: $BROKERS
    topics: $FLOW_TOPIC
    group: bench-$suffix
    until: end
    config: { session.timeout.ms: 6000, heartbeat.interval.ms: 500 }
  sink: { type: file_output, input: events, path: /dev/null, format: ndjson }
EOF

    start=$(now)
    kcat -P -b "$BROKERS" -t "$KCAT_TOPIC" -X enable.idempotence=true -X acks=all -l "$DATA"
    end=$(now)
    kcat_rate=$(rate "$N" "$start" "$end")
    echo "round $round kcat -P:       $N records in $(secs "$start" "$end") s: $kcat_rate msg/s"

    start=$(now)
    "$FLOW" run "$WF-produce.yaml" --no-progress >"$WF-produce.log" 2>&1 || { cat "$WF-produce.log"; exit 1; }
    end=$(now)
    produce_rate=$(rate "$N" "$start" "$end")
    echo "round $round kafka_produce: $N records in $(secs "$start" "$end") s: $produce_rate msg/s" \
        "($(python3 -c "print(f'{$produce_rate/$kcat_rate:.2f}')")x kcat)"

    start=$(now)
    kcat -P -b "$BROKERS" -t "$KCAT_TOPIC-keyed" -K $'\t' -X enable.idempotence=true -X acks=all -l "$KEYED"
    end=$(now)
    kcat_keyed_rate=$(rate "$N" "$start" "$end")
    echo "round $round kcat -P -K:    $N records in $(secs "$start" "$end") s: $kcat_keyed_rate msg/s"

    start=$(now)
    "$FLOW" run "$WF-keyed.yaml" --no-progress >"$WF-keyed.log" 2>&1 || { cat "$WF-keyed.log"; exit 1; }
    end=$(now)
    keyed_rate=$(rate "$N" "$start" "$end")
    echo "round $round keyed produce: $N records in $(secs "$start" "$end") s: $keyed_rate msg/s" \
        "($(python3 -c "print(f'{$keyed_rate/$kcat_keyed_rate:.2f}')")x keyed kcat)"

    start=$(now)
    "$FLOW" run "$WF-consume.yaml" --no-progress >"$WF-consume.log" 2>&1 || { cat "$WF-consume.log"; exit 1; }
    end=$(now)
    echo "round $round kafka_consume: $N records in $(secs "$start" "$end") s: $(rate "$N" "$start" "$end") msg/s" \
        "(until: end, including the group join of about 3 s)"
    grep -E "^(publish|events) " "$WF-produce.log" "$WF-keyed.log" "$WF-consume.log" | sed 's/^[^:]*:/    /'
    rm -f "$WF"-*.yaml "$WF"-*.log
done
