# shellcheck shell=bash
# Shared environment for every project script. Source it; do not run it.
#
# It sets, without downloading anything:
#   ROOT            the repository root
#   TOOLS_CACHE     ${XDG_CACHE_HOME:-$HOME/.cache}/pipeline-service/tools (outside the repo, keyed by version);
#                   override: PIPELINE_SERVICE_TOOLS_CACHE
#   TOOLS_BIN       $ROOT/.tools/bin, the links `npm run tools` makes into the cache; override: PIPELINE_SERVICE_TOOLS_BIN
#   VERSIONS        $ROOT/tools/versions.json, the one pinned versions file; override: PIPELINE_SERVICE_VERSIONS
# and the hermetic Pulumi environment (no update checks, no plugin downloads, a project-local PULUMI_HOME).
# The state backend is not set here: .tools/bin/pulumi (scripts/pulumi-wrapper.sh) picks it per stack, the file
# backend `.pulumi-state` only for the `local` stack (README "Runbook: dev and prod").

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_CACHE="${PIPELINE_SERVICE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pipeline-service/tools}"
TOOLS_BIN="${PIPELINE_SERVICE_TOOLS_BIN:-$ROOT/.tools/bin}"
VERSIONS="${PIPELINE_SERVICE_VERSIONS:-$ROOT/tools/versions.json}"
export ROOT TOOLS_CACHE TOOLS_BIN VERSIONS

# Read a value from tools/versions.json, e.g. `ver .pulumi.version`.
ver() { jq -er "$1" "$VERSIONS"; }

die() { echo "error: $*" >&2; exit 1; }
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# The hermetic Pulumi environment. Every variable can be overridden by the caller.
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_HOME="${PULUMI_HOME:-$ROOT/.pulumi-home}"
# The local stack's file backend (what the wrapper uses for `--stack local`).
LOCAL_BACKEND_URL="file://$ROOT/.pulumi-state"
export LOCAL_BACKEND_URL

export PULUMI_K8S_SUPPRESS_DEPRECATION_WARNINGS=true

# The project's tools first, so `node` is Node 22+ and `pulumi` is the pinned build.
case ":$PATH:" in *":$TOOLS_BIN:"*) ;; *) export PATH="$TOOLS_BIN:$PATH" ;; esac

# Install the npm dependencies when node_modules is missing or older than package-lock.json. Offline-safe:
# --ignore-scripts, because the SDK packages' install hooks would try to download plugins.
ensure_node_modules() {
  local dir="${1:-$ROOT}"
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    log "npm ci in $dir"
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) || die "npm ci failed in $dir"
  fi
}

# Node 22+ is required (package.json engines); `npm run tools -- --only node` provides it when the machine's is older.
require_node22() {
  if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 22 ? 0 : 1)' 2>/dev/null; then
    bash "$ROOT/scripts/tools.sh" --only node
  fi
}
