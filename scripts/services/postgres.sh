#!/usr/bin/env bash
# PostgreSQL 15 for flow's integration tests: start | stop | status.
#
# Runs a private cluster as the `postgres` OS user on 127.0.0.1:${FLOW_PG_PORT:-55432} with trust auth,
# data under ${FLOW_SERVICES_DIR:-/tmp/flow-services}/postgres, default durability (fsync on).
# `start` is idempotent and writes ${FLOW_SERVICES_DIR}/postgres.env for the tests to source.
# Assumes the Debian `postgresql-15` package is installed (another script installs packages).
set -euo pipefail

SERVICES_DIR="${FLOW_SERVICES_DIR:-/tmp/flow-services}"
PORT="${FLOW_PG_PORT:-55432}"
DATA_DIR="$SERVICES_DIR/postgres"
LOG_FILE="$SERVICES_DIR/postgres.log"
ENV_FILE="$SERVICES_DIR/postgres.env"
DATABASE="flow_test"
PG_USER="postgres"
# A role that must give a password (every other role is trusted), for tests of failed authentication.
PASSWORD_ROLE="flow_password_check"
PASSWORD_ROLE_SECRET="fl0w-p@ss:w/rd"
HBA_RULE="host all $PASSWORD_ROLE 127.0.0.1/32 scram-sha-256"

find_bindir() {
    if [[ -n "${FLOW_PG_BINDIR:-}" ]]; then echo "$FLOW_PG_BINDIR"; return; fi
    local candidate
    for candidate in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
        if [[ -x "$candidate/pg_ctl" ]]; then echo "$candidate"; return; fi
    done
    if command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v pg_ctl)"; return; fi
    echo "postgres.sh: no PostgreSQL server binaries found (install the postgresql-15 package)" >&2
    exit 1
}

BINDIR="$(find_bindir)"

# The server refuses to run as root: as root, run it as the `postgres` OS user; as any other user,
# run it as that user (the database superuser is still named postgres, from `initdb -U`).
if [[ "$(id -u)" == 0 ]]; then
    RUN_AS="$PG_USER"
    id "$RUN_AS" >/dev/null 2>&1 || { echo "postgres.sh: no '$RUN_AS' OS user (install postgresql-15)" >&2; exit 1; }
else
    RUN_AS="$(id -un)"
fi

as_pg() {
    if [[ "$(id -un)" == "$RUN_AS" ]]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u "$RUN_AS" -- "$@"
    else
        su "$RUN_AS" -s /bin/sh -c "$(printf '%q ' "$@")"
    fi
}

is_running() {
    [[ -f "$DATA_DIR/PG_VERSION" ]] && as_pg "$BINDIR/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1
}

write_env() {
    local url="postgresql://${PG_USER}@127.0.0.1:${PORT}/${DATABASE}"
    printf 'export FLOW_TEST_POSTGRES_URL=%s\n' "$url" >"$ENV_FILE"
    chmod 644 "$ENV_FILE"
}

cmd_start() {
    mkdir -p "$SERVICES_DIR"
    # The services dir may be shared by other scripts; only the data dir and log belong to postgres.
    chmod 755 "$SERVICES_DIR"
    if [[ ! -f "$DATA_DIR/PG_VERSION" ]]; then
        rm -rf "$DATA_DIR"
        mkdir -p "$DATA_DIR"
        chown "$RUN_AS": "$DATA_DIR"
        chmod 700 "$DATA_DIR"
        if ! as_pg test -w "$DATA_DIR"; then
            echo "postgres.sh: user $RUN_AS cannot write $DATA_DIR; set FLOW_SERVICES_DIR to a directory" \
                "every user can traverse (default /tmp/flow-services)" >&2
            exit 1
        fi
        as_pg "$BINDIR/initdb" -D "$DATA_DIR" -U "$PG_USER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    touch "$LOG_FILE"
    chown "$RUN_AS": "$LOG_FILE"
    local hba_changed=0
    if ! grep -qF "$HBA_RULE" "$DATA_DIR/pg_hba.conf"; then
        # pg_hba.conf is read top-down: the rule must come before initdb's trust lines.
        as_pg sh -c "{ echo '$HBA_RULE'; cat '$DATA_DIR/pg_hba.conf'; } > '$DATA_DIR/pg_hba.conf.new' \
            && mv '$DATA_DIR/pg_hba.conf.new' '$DATA_DIR/pg_hba.conf'"
        hba_changed=1
    fi
    if is_running; then
        if [[ $hba_changed == 1 ]]; then as_pg "$BINDIR/pg_ctl" -D "$DATA_DIR" reload >/dev/null; fi
        # Already running, perhaps started with another FLOW_PG_PORT: use the port it listens on.
        local running_port
        running_port="$(sed -n 4p "$DATA_DIR/postmaster.pid" 2>/dev/null || true)"
        if [[ -n "$running_port" && "$running_port" != "$PORT" ]]; then
            echo "postgres.sh: already running on port $running_port (not $PORT); using $running_port" >&2
            PORT="$running_port"
        fi
    else
        # Socket dir inside the data dir: /var/run/postgresql may not exist or be writable.
        as_pg "$BINDIR/pg_ctl" -D "$DATA_DIR" -l "$LOG_FILE" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA_DIR" start >/dev/null
    fi
    local exists
    exists="$(as_pg "$BINDIR/psql" -h 127.0.0.1 -p "$PORT" -U "$PG_USER" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")"
    if [[ "$exists" != "1" ]]; then
        as_pg "$BINDIR/createdb" -h 127.0.0.1 -p "$PORT" -U "$PG_USER" "$DATABASE"
    fi
    as_pg "$BINDIR/psql" -q -h 127.0.0.1 -p "$PORT" -U "$PG_USER" -d postgres -v ON_ERROR_STOP=1 -c "
        DO \$\$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PASSWORD_ROLE') THEN
                CREATE ROLE $PASSWORD_ROLE LOGIN PASSWORD '$PASSWORD_ROLE_SECRET';
            END IF;
        END \$\$;" >/dev/null
    write_env
    echo "postgres: running on 127.0.0.1:$PORT (data $DATA_DIR); source $ENV_FILE"
}

cmd_stop() {
    if is_running; then
        as_pg "$BINDIR/pg_ctl" -D "$DATA_DIR" -w -t 60 -m fast stop >/dev/null
        echo "postgres: stopped"
    else
        echo "postgres: not running"
    fi
}

cmd_status() {
    if is_running; then
        local running_port
        running_port="$(sed -n 4p "$DATA_DIR/postmaster.pid" 2>/dev/null || true)"
        echo "postgres: running on 127.0.0.1:${running_port:-$PORT} (data $DATA_DIR)"
    else
        echo "postgres: not running"
        return 3
    fi
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
