#!/usr/bin/env bash
# npm run up: the main job on a fresh machine.
#   1. Node 22+ and npm dependencies;  2. the toolchain (npm run tools);  3. the local control plane
#   (npm run cluster -- up) and External Secrets (scripts/eso.ts start);  4. pulumi up --stack local --yes;
#   5. the kcp syncers the stack deployed, run as local processes until each SyncTarget is Ready (npm run cluster --
#   syncers start; there is no kubelet);  6. a per-cluster summary (SyncTarget Ready included) and the next commands.
# Extra arguments go to `pulumi up` (e.g. npm run up -- --diff).
# `npm run up -- --ring <n>` applies one rollout ring only: pulumi up --target each ComputeCluster of ring <n> and
# everything under it (scripts/ring-targets.ts; the gateway, tenants and later rings are left as they are).
source "$(dirname "$0")/usage.sh" "$@"
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
RING=""; ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --ring) [ $# -ge 2 ] || die "--ring needs a ring number (clusters[].ring)"; RING="$2"; shift 2 ;;
    --ring=*) RING="${1#--ring=}"; shift ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
[[ -z "$RING" || "$RING" =~ ^(0|[1-9][0-9]*)$ ]] || die "--ring '$RING' is not a ring number (a whole number from 0)"
require_node22
ensure_node_modules
if [ -n "$RING" ]; then
  # Before anything starts: a ring with no cluster fails here (scripts/ring-targets.ts names the stack's rings).
  TARGETS="$(node --import tsx "$ROOT/scripts/ring-targets.ts" --stack local --ring "$RING")" || exit 1
  mapfile -t TARGET_ARGS <<<"$TARGETS"
  log "ring $RING only: ${TARGET_ARGS[*]}"
  ARGS=("${TARGET_ARGS[@]}" "${ARGS[@]}")
fi
bash "$ROOT/scripts/tools.sh"
bash "$ROOT/scripts/cluster.sh" up
# The real External Secrets controller per compute cluster, with the secret backend the local stores read
# (scripts/eso.ts: a seeded namespace of fake, non-secret values); ExternalSecrets become real Secrets.
node --import tsx "$ROOT/scripts/eso.ts" start
# The local stack's passphrase: generated once by .tools/bin/pulumi and kept 0600 beside its state
# (.pulumi-state/.pipeline-service/passphrase, see scripts/pulumi-wrapper.sh), unless PULUMI_CONFIG_PASSPHRASE[_FILE] is set.
pulumi stack select local 2>/dev/null || pulumi stack init local --secrets-provider passphrase
pulumi up --stack local --yes "${ARGS[@]}"
# Phase 1: each syncer Deployment as a local process (its args, env, ServiceAccount token and kubeconfig Secret as
# deployed); fails naming the object when one cannot start, and waits until each SyncTarget is Ready. Idempotent:
# running syncers whose Deployment did not change are kept.
bash "$ROOT/scripts/cluster.sh" syncers start
exec node --import tsx "$ROOT/scripts/summary.ts" local
