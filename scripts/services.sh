#!/usr/bin/env bash
# Starts or stops the real servers the integration tests use, and writes the environment they
# read to $FLOW_SERVICES_DIR/services.env (default /tmp/flow-services).
#   scripts/services.sh start [NAME...]   # default: every service under scripts/services/
#   scripts/services.sh stop  [NAME...]
#   scripts/services.sh status
#   source /tmp/flow-services/services.env
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export FLOW_SERVICES_DIR="${FLOW_SERVICES_DIR:-/tmp/flow-services}"
mkdir -p "$FLOW_SERVICES_DIR"

action="${1:-status}"
shift || true
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in "$here"/services/*.sh; do names+=("$(basename "$f" .sh)"); done
fi

case "$action" in
  start|stop|status|restart)
    for name in "${names[@]}"; do
      bash "$here/services/$name.sh" "$action"
    done
    if [ "$action" = start ] || [ "$action" = restart ]; then
      : > "$FLOW_SERVICES_DIR/services.env"
      for f in "$FLOW_SERVICES_DIR"/*.env; do
        [ "$(basename "$f")" = services.env ] || cat "$f" >> "$FLOW_SERVICES_DIR/services.env"
      done
      echo "services: environment in $FLOW_SERVICES_DIR/services.env"
    fi
    ;;
  *)
    echo "usage: scripts/services.sh start|stop|status|restart [NAME...]" >&2
    exit 2
    ;;
esac
