#!/usr/bin/env bash
# Architecture invariant: core depends on no web, async, network or server crate.
set -euo pipefail
cd "$(dirname "$0")/.."
forbidden='^(wasm-bindgen|js-sys|web-sys|gloo.*|tokio|axum|hyper|reqwest|ort|tower.*|mio|socket2)$'
found=$(cargo tree --locked -p smart_tags_core -e normal --prefix none | awk '{print $1}' | sort -u | grep -E "$forbidden" || true)
if [ -n "$found" ]; then
  echo "core must stay free of I/O and web dependencies, but depends on: $found"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "core dependencies are free of I/O and web crates"
echo "1 passed, 0 failed"
