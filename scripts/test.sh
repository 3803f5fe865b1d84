#!/usr/bin/env bash
# The second README command (and what CI runs): set up what is missing, then run every test:
# native unit and integration tests (real model, real photos), the wasm tests in headless
# Chromium, and the browser end-to-end tests against the real proxy and service.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
started=$(date +%s)

bash scripts/setup.sh --test || { echo "setup failed"; exit 1; }

log=$(mktemp)
failed_steps=()
run_step() {
  local name=$1; shift
  printf '\n==> %s\n' "$name"
  if ! "$@" 2>&1 | tee -a "$log"; then failed_steps+=("$name"); fi
}

scratch=$(mktemp -d)
export XDG_CONFIG_HOME=$scratch/config XDG_CACHE_HOME=$scratch/cache
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver} WASM_BINDGEN_TEST_TIMEOUT=120
export CARGO_TERM_COLOR=never

run_step "architecture: core has no I/O or web deps" bash scripts/check-core-deps.sh
run_step "format and lints (cargo fmt, clippy -D warnings)" bash scripts/lint.sh
# The browser module and the widget first, so the proxy the native tests build embeds them; those
# release servers (target/release/) are the ones the browser tests run: a second `cargo build`
# would compile them again for nothing (tests enable other features of tokio and serde).
run_step "build (browser module, widget)" timeout 1800 bash scripts/build.sh --no-servers
run_step "native tests" timeout 2400 cargo test --release --locked --no-fail-fast --workspace --exclude smart_tags_wasm
run_step "wasm tests (headless chromium)" timeout 1200 cargo test --release --locked -p smart_tags_wasm --target wasm32-unknown-unknown
run_step "browser end-to-end tests" timeout 900 node --test --test-reporter=spec --test-concurrency=1 tests/browser/

# One closing line over every runner: cargo's "test result:" lines and node's "ℹ pass/fail".
read -r passed failed < <(awk '
  /^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
  /^ℹ pass / { p += $3 } /^ℹ fail / { f += $3 }
  /^[0-9]+ passed, [0-9]+ failed$/ { p += $1; f += $3 }
  END { print p + 0, f + 0 }' "$log")
rm -f "$log"
printf '\nwall time: %ss\n' "$(( $(date +%s) - started ))"
if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "failed steps: ${failed_steps[*]}"
  [ "$failed" -gt 0 ] || failed=${#failed_steps[@]}
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#failed_steps[@]} -eq 0 ]
