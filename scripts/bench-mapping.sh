#!/usr/bin/env bash
# Latency of the roll-up and taxonomy mapping vs inference (tests/examples/bench_mapping.rs; see BENCHMARKS.md). Env: ITERS, THREADS, RELINKS.
set -euo pipefail; cd "$(dirname "${BASH_SOURCE[0]}")/.." && source scripts/env.sh && exec cargo run --release --quiet -p smart_tags_tests --example bench_mapping
