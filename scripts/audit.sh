#!/usr/bin/env bash
# npm run audit [-- --stack NAME ...]: the policy pack over every stack, without cluster access (scripts/audit.ts).
source "$(dirname "$0")/usage.sh" "$@"
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
require_node22
ensure_node_modules
bash "$ROOT/scripts/tools.sh"
exec node --import tsx "$ROOT/scripts/audit.ts" "$@"
