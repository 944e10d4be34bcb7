#!/usr/bin/env bash
# `npm test`: brings up the real testbed (Docker engine, sshd, test user, local base image), runs
# typecheck, lint, Playwright (if there are specs) and the node:test suites, then stops what it
# started. Works on a new machine as root with no input; exits non-zero if any step failed.
set -uo pipefail
# shellcheck source=testbed/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/testbed/lib.sh"
cd "$REPO" || exit 1
exec </dev/null
mkdir -p "$TB/holders"

# Several runs may share one testbed (a developer's `up.sh`, or two runs at once): each run
# registers itself, and the last one out takes the testbed down unless up.sh was run by hand.
register_and_up() {
  (
    flock 8
    touch "$TB/holders/$$"
    FLEET_TESTBED_FROM_TEST=1 bash "$REPO/scripts/testbed/up.sh"
  ) 8>"$TB/holders.lock"
}
unregister_and_maybe_down() {
  (
    flock 8
    rm -f "$TB/holders/$$"
    local holder
    for holder in "$TB"/holders/*; do
      [[ -e "$holder" ]] || continue
      kill -0 "$(basename "$holder")" 2>/dev/null || rm -f "$holder"
    done
    if [[ -z "$(ls -A "$TB/holders")" && ! -e "$TB/keep" ]]; then
      bash "$REPO/scripts/testbed/down.sh"
    fi
  ) 8>"$TB/holders.lock"
}
trap unregister_and_maybe_down EXIT
trap 'exit 130' INT TERM

if ! register_and_up; then
  echo "test: the testbed did not come up; see the messages above" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
set -a
# shellcheck source=/dev/null
source "$TB/env"
set +a

passed=0
failed=0
failed_steps=()

# Gate steps (typecheck, lint) count as one test each in the closing tally, so a red gate cannot
# hide behind a green "0 failed".
run_gate() {
  local name="$1"
  shift
  echo "== $name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failed_steps+=("$name")
  fi
}

# Reads "P F" (passed, failed) from a runner's closing summary in file $2 (format $1).
count_from() {
  if [[ $1 == playwright ]]; then
    # Flaky tests passed on a retry: Playwright itself exits 0 for them.
    awk '/^ *[0-9]+ (passed|flaky)/ { p += $1 } /^ *[0-9]+ (failed|interrupted)/ { f += $1 }
      END { print p + 0, f + 0 }' "$2"
  else
    awk '/^(# |ℹ )pass [0-9]+$/ { p = $3 } /^(# |ℹ )(fail|cancelled) [0-9]+$/ { f[$2] = $3 }
      END { print p + 0, f["fail"] + f["cancelled"] }' "$2"
  fi
}

run_suite() {
  local name="$1" format="$2" budget="$3"
  shift 3
  local out="$TB/$name.out" rc p f
  echo "== $name"
  # A hung suite must not eat CI's whole budget: stop it, report it, and still clean up.
  timeout --kill-after=30 "$budget" "$@" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  read -r p f < <(count_from "$format" "$out")
  passed=$((passed + p))
  failed=$((failed + f))
  if [[ $rc -ne 0 ]]; then
    [[ $rc -eq 124 ]] && echo "test: $name stopped after ${budget}s"
    # A runner that failed without counting a failure (crash, timeout) still counts as one.
    [[ $f -eq 0 ]] && failed=$((failed + 1))
    failed_steps+=("$name")
  fi
}

run_gate typecheck npm run --silent typecheck
run_gate lint npm run --silent lint
# npm ci on the other platforms (dry runs with process.platform/arch overridden) and the package
# as electron-builder makes it (see scripts/package/).
run_gate install-check npm run --silent install:check
run_gate package-check npm run --silent package:check

if [[ -f playwright.config.ts ]] &&
  [[ -n "$(find e2e/specs -name '*.spec.ts' -o -name '*.test.ts' 2>/dev/null | head -n1)" ]]; then
  run_suite playwright playwright 1500 npx --no-install playwright test
else
  echo "== playwright: no playwright.config.ts or no specs in e2e/specs; skipped"
fi

# The same run as `npm run test:unit`, from a file list built here: globs that match nothing
# (src-bridge before its first test) must not fail the run, and the testbed smoke test in
# e2e/fixtures is included.
mapfile -t unit_files < <(find src-main src-bridge e2e/fixtures -name '*.test.ts' -not -path '*/node_modules/*' 2>/dev/null | sort)
if [[ ${#unit_files[@]} -eq 0 ]]; then
  echo "test: no node:test files found"
  failed=$((failed + 1))
  failed_steps+=("node:test")
else
  # Output goes through tee, so node would pick TAP; a person at a terminal gets the spec reporter.
  reporter=()
  [[ -t 1 ]] && reporter=(--test-reporter=spec)
  run_suite node-test node 2700 \
    npx --no-install node --import tsx --test --test-concurrency=1 "${reporter[@]}" "${unit_files[@]}"
fi

# Clean up before the tally so that the tally is the run's closing line, which CI reads.
trap - EXIT
unregister_and_maybe_down
if [[ ${#failed_steps[@]} -gt 0 ]]; then
  echo "test: failed steps: ${failed_steps[*]}"
fi
echo "$passed passed, $failed failed"
[[ ${#failed_steps[@]} -eq 0 && $failed -eq 0 ]]
