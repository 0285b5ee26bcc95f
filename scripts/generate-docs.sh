#!/usr/bin/env bash
# Regenerates the files derived from the node specs: docs/nodes.md and docs/workflow.schema.json.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product flow >/dev/null
.build/debug/flow nodes --markdown > docs/nodes.md
.build/debug/flow schema > docs/workflow.schema.json
echo "generated docs/nodes.md and docs/workflow.schema.json"
