#!/usr/bin/env bash
# Quality of the taxonomy tags on tests/eval/labels.csv (tests/examples/eval_taxonomy.rs; see BENCHMARKS.md). VERBOSE=0: summary tables only.
set -euo pipefail; cd "$(dirname "${BASH_SOURCE[0]}")/.." && source scripts/env.sh && exec cargo run --release --quiet -p smart_tags_tests --example eval_taxonomy
