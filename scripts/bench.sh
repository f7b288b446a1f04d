#!/usr/bin/env bash
# npm run bench [-- --clusters 1,4,8,16 --rings 3 --reps 3]: construction of 10, 50 and 100 clusters under mocks and
# config validation of a 300-cluster stack (bench/construct.ts), then preview / no-op up timings of 1, 4, 8 and 16 real
# clusters on the local control plane, each paired with the ConfigMap floor (bench/baseline) and the objects floor
# (bench/objects-floor: the program's own objects without the program) in the same run (bench/preview.ts; heavy:
# run it under flock /tmp/pipeline-service-build.lock). Asserts nothing; results and the method: bench/README.md.
source "$(dirname "$0")/usage.sh" "$@"
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
require_node22
ensure_node_modules
bash "$ROOT/scripts/tools.sh"
if [ -f "$ROOT/bench/construct.ts" ]; then node --import tsx "$ROOT/bench/construct.ts"; fi
node --import tsx "$ROOT/bench/preview.ts" "$@"
