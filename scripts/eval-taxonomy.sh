#!/usr/bin/env bash
# Quality of the taxonomy tags on a labelled set (tests/examples/eval_taxonomy.rs; see BENCHMARKS.md).
#   bash scripts/eval-taxonomy.sh [demo|set2] [all|calibration|held-out] [fit]
# demo: tests/eval/labels.csv (photos from scripts/setup-fixtures.sh); set2: tests/eval/set2/
# (photos fetched here by scripts/setup-eval-photos.sh). VERBOSE=0: summary tables only.
set -euo pipefail; cd "$(dirname "${BASH_SOURCE[0]}")/.." && source scripts/env.sh
if [ "${1:-demo}" = set2 ]; then bash scripts/setup-eval-photos.sh >&2; fi
exec cargo run --release --quiet -p smart_tags_tests --example eval_taxonomy -- "$@"
