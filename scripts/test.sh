#!/usr/bin/env bash
# npm test [-- unit|policy|e2e|all]: the project's tests, each suite through ava's TAP reporter, then one line
# "N passed, N failed". Does its own setup: Node 22+, npm dependencies, and (for e2e) the toolchain.
source "$(dirname "$0")/usage.sh" "$@"
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
suite="${1:-all}"
require_node22
ensure_node_modules

PASS=0; FAIL=0; SKIP=0
run_suite() {
  local name="$1"; shift
  local out; out="$(mktemp)"
  echo "== $name =="
  set +e
  npx --no-install ava --tap "$@" 2>&1 | tee "$out"
  local rc=${PIPESTATUS[0]}
  set -e
  local p f s
  p=$(awk '/^# pass /{n+=$3} END {print n+0}' "$out")
  f=$(awk '/^# fail /{n+=$3} END {print n+0}' "$out")
  s=$(awk '/^# skip /{n+=$3} END {print n+0}' "$out")
  # A crashed runner (no TAP totals) or a non-zero exit without failures still counts as a failure.
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "$name: ava exited $rc without reporting a failed test"; fi
  if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; echo "$name: no test ran"; fi
  echo "$name: $p passed, $f failed"
  PASS=$((PASS + p)); FAIL=$((FAIL + f)); SKIP=$((SKIP + s))
  rm -f "$out"
}

format_check() {
  echo "== format (prettier --check, .prettierrc.json) =="
  if npx --no-install prettier --check . >/dev/null 2>&1; then PASS=$((PASS + 1)); echo "format: ok"
  else FAIL=$((FAIL + 1)); npx --no-install prettier --list-different . || true; echo "format: failed (run npx prettier --write .)"; fi
}

typecheck() {
  echo "== typecheck (tsc --noEmit, strict) =="
  if npx --no-install tsc --noEmit; then PASS=$((PASS + 1)); echo "typecheck: ok"; else FAIL=$((FAIL + 1)); echo "typecheck: failed"; fi
}

case "$suite" in
  unit) run_suite unit 'test/unit/**/*.test.ts' ;;
  policy)
    bash "$ROOT/scripts/tools.sh"
    run_suite policy 'test/policy/**/*.test.ts' ;;
  e2e)
    bash "$ROOT/scripts/tools.sh"
    run_suite e2e --serial --concurrency=1 --timeout=20m 'test/e2e/**/*.test.ts' ;;
  all)
    # The toolchain first: the policy suite's CLI tests and the e2e suite use it.
    bash "$ROOT/scripts/tools.sh"
    typecheck
    format_check
    run_suite unit 'test/unit/**/*.test.ts'
    run_suite policy 'test/policy/**/*.test.ts'
    run_suite e2e --serial --concurrency=1 --timeout=20m 'test/e2e/**/*.test.ts' ;;
  *) echo "error: unknown suite '$suite' (expected unit, policy, e2e or all)" >&2; sed -n '2,3s/^# //p' "$0" >&2; exit 2 ;;
esac

if [ "$SKIP" -gt 0 ]; then
  echo "$PASS passed, $FAIL failed, $SKIP skipped"
else
  echo "$PASS passed, $FAIL failed"
fi
[ "$FAIL" -eq 0 ]
