#!/usr/bin/env bash
# npm run render [-- --stack NAME ...]: every stack's manifests per cluster into rendered/ (scripts/render.ts),
# without cluster access. `-h`/`--help` prints the usage and changes nothing.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
for a in "$@"; do
  case "$a" in -h|--help) require_node22; exec node --import tsx "$ROOT/scripts/render.ts" --help ;; esac
done
require_node22
ensure_node_modules
bash "$ROOT/scripts/tools.sh"
exec node --import tsx "$ROOT/scripts/render.ts" "$@"
