#!/usr/bin/env bash
# npm run cluster -- up|down|status [options]: the local control plane (see scripts/cluster.ts).
source "$(dirname "$0")/lib.sh"
require_node22
ensure_node_modules
exec node --import tsx "$ROOT/scripts/cluster.ts" "$@"
