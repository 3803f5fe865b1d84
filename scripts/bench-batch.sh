#!/usr/bin/env bash
# A batch job of ~60 fixture photos through the back-end API (tests/examples/bench_batch.rs):
# images/s end to end and the split preprocess / inference / rest. Needs the model and the
# fixtures (scripts/setup.sh --test).  Usage: scripts/bench-batch.sh [--images N]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
cargo build --release --locked -p smart_tags_service -p smart_tags_proxy
cargo run --release --locked -p smart_tags_tests --example bench_batch -- "$@"
