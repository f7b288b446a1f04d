#!/usr/bin/env bash
# npm run up: the main job on a fresh machine.
#   1. Node 22+ and npm dependencies;  2. the toolchain (npm run tools);  3. the local control plane
#   (npm run cluster -- up);  4. pulumi up --stack local --yes;  5. a per-cluster summary and the next commands.
# Extra arguments go to `pulumi up` (e.g. npm run up -- --diff).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
require_node22
ensure_node_modules
bash "$ROOT/scripts/tools.sh"
bash "$ROOT/scripts/cluster.sh" up
# The local stack holds no credentials (its kubeconfig is read by path), so its passphrase is empty unless set.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
pulumi stack select local 2>/dev/null || pulumi stack init local --secrets-provider passphrase
pulumi up --stack local --yes "$@"
exec node --import tsx "$ROOT/scripts/summary.ts" local
