#!/usr/bin/env bash
# Batch tagging on the server: a back-end batch job over every fixture JPEG and, side by side in
# each round, the same photos one by one through the single-image route (tests/examples/bench_batch.rs):
# images/s end to end and where the time goes (decode, preprocess, inference, storage + the rest).
# Needs the model and the fixtures (scripts/setup.sh --test).
# Usage: ROUNDS=3 scripts/bench-batch.sh [--images N]   (N: the first N distinct JPEGs, default all)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
cargo build --release --locked -p smart_tags_service -p smart_tags_proxy
cargo run --release --locked -p smart_tags_tests --example bench_batch -- --rounds "${ROUNDS:-3}" "$@"
