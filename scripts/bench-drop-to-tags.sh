#!/usr/bin/env bash
# Drop-to-tags benchmark: time from dropping a photo (default: the 14.7 MP wallpaper) on the
# upload page to its tags on screen, in headless Chromium against the real proxy and service
# (tests/browser/bench-drop-to-tags.mjs), with the split intake / preprocess / upload + tag /
# render. Prints one JSON line per drop and a markdown table of medians.
#
# Env: RUNS (7), WARMUPS (2), FILE (path relative to the fixtures folder, or absolute).
# Needs `bash scripts/setup.sh --test` (fixtures, model, Chromium, node_modules) and
# `bash scripts/build.sh` (servers and www/pkg).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"
FILE=${FILE:-wallpapers/large-5120x2880.jpg}
[[ $FILE == /* ]] || FILE="$SMART_TAGS_CACHE/fixtures/$FILE"
[[ -f $FILE ]] || { echo "[bench-drop-to-tags] $FILE is missing: run bash scripts/setup-fixtures.sh first" >&2; exit 1; }
for f in www/pkg/smart_tags_wasm.js target/release/smart-tags-service target/release/smart-tags-proxy; do
  [[ -e $f ]] || { echo "[bench-drop-to-tags] $f is missing: run bash scripts/build.sh first" >&2; exit 1; }
done
exec node tests/browser/bench-drop-to-tags.mjs "$FILE"
