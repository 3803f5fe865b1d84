#!/usr/bin/env bash
# Formatting and lints, as scripts/test.sh runs them: `cargo fmt --check` (rustfmt.toml) and clippy
# on every target of every crate with warnings as errors, so the lints the workspace declares
# (Cargo.toml [workspace.lints]: unwrap_used, dbg_macro, todo, unreachable_pub, …) fail the run.
# The wasm crate is linted for its own target. `--fix` formats instead of checking.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

if [ "${1:-}" = "--fix" ]; then cargo fmt; else cargo fmt --check; fi
echo "cargo fmt: clean"
cargo clippy --release --locked --all-targets --workspace --exclude smart_tags_wasm -- -D warnings
cargo clippy --release --locked --all-targets -p smart_tags_wasm --target wasm32-unknown-unknown -- -D warnings
echo "clippy: no warnings"
