#!/usr/bin/env bash
# Enhanced Smart Tags: trained tags vs the taxonomy mapping on held-out real photos (tests/examples/eval_training.rs; see BENCHMARKS.md). VERBOSE=0: summary tables only.
set -euo pipefail; cd "$(dirname "${BASH_SOURCE[0]}")/.." && source scripts/env.sh && exec cargo run --release --quiet -p smart_tags_tests --example eval_training
