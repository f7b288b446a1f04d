#!/usr/bin/env bash
# npm run bench [-- --clusters 1,2,4 --reps 3]: preview / no-op up timings against the ConfigMap baseline
# (bench/preview.ts), and construction of 50 clusters under mocks (bench/construct.ts).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
require_node22
ensure_node_modules
bash "$ROOT/scripts/tools.sh"
if [ -f "$ROOT/bench/construct.ts" ]; then node --import tsx "$ROOT/bench/construct.ts"; fi
node --import tsx "$ROOT/bench/preview.ts" "$@"
