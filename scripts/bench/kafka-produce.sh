#!/usr/bin/env bash
# Producer throughput: kcat -P versus FlowKafka (release build), same broker, record count and size.
#
#   scripts/bench/kafka-produce.sh [COUNT] [SIZE]     (defaults: 1000000 records of 200 bytes)
#
# Both use the librdkafka that kafka.env puts on LD_LIBRARY_PATH, with enable.idempotence=true and
# acks=all (FlowKafka's defaults). Each run writes to a fresh topic.
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT="${1:-1000000}"
SIZE="${2:-200}"
DIR="${FLOW_SERVICES_DIR:-/tmp/flow-services}"
scripts/services/kafka.sh start >/dev/null
# shellcheck disable=SC1091
source "$DIR/kafka.env"
swift build -c release --product KafkaProduceBench >/dev/null
BENCH="$(swift build -c release --show-bin-path)/KafkaProduceBench"

INPUT="$(mktemp)"
trap 'rm -f "$INPUT"' EXIT
python3 -c "import sys; line=b'x'*$SIZE+b'\n'; sys.stdout.buffer.write(line*$COUNT)" >"$INPUT"

run_kcat() {
    local topic="bench-kcat-$RANDOM$RANDOM" start end
    start=$(date +%s.%N)
    kcat -P -b "$FLOW_TEST_KAFKA_BROKERS" -t "$topic" -X enable.idempotence=true -X acks=all -l "$INPUT"
    end=$(date +%s.%N)
    python3 -c "print(f'kcat:      $COUNT records in {$end-$start:.3f} s: {int($COUNT/($end-$start))} records/s')"
}

run_flow() {
    "$BENCH" "$FLOW_TEST_KAFKA_BROKERS" "bench-flow-$RANDOM$RANDOM" "$COUNT" "$SIZE"
}

for round in 1 2 3; do
    echo "round $round"
    run_kcat
    run_flow
done
