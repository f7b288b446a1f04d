#!/usr/bin/env bash
# npm run cluster -- up|down|status [options], or -- syncers start|stop|status: the local control plane (real kcp and
# compute clusters on loopback) and the syncers the stack deployed, run as local processes (see scripts/cluster.ts).
source "$(dirname "$0")/usage.sh" "$@"
source "$(dirname "$0")/lib.sh"
require_node22
ensure_node_modules
exec node --import tsx "$ROOT/scripts/cluster.ts" "$@"
