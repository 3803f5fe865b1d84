#!/usr/bin/env bash
# A burst of 50-megapixel photos on one back-end key, per image memory budget
# (tests/examples/bench_image_memory.rs): the proxy's peak RSS and the answers by status.
# Needs the model (scripts/setup.sh). Usage: scripts/bench-image-memory.sh [--burst 50]
#   [--budgets 1000000,2048,1024] [--wait-ms 30000]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
cargo build --release --locked -p smart_tags_service -p smart_tags_proxy
cargo run --release --locked -p smart_tags_tests --example bench_image_memory -- "$@"
