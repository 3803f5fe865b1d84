#!/usr/bin/env bash
# Architecture invariant: core depends on no web, async, network or server crate, and on no
# thread pool (rayon: jpeg-decoder is used with default-features = false; core must run in wasm).
set -euo pipefail
cd "$(dirname "$0")/.."
forbidden='^(wasm-bindgen|js-sys|web-sys|gloo.*|tokio|axum|hyper|reqwest|ort|tower.*|mio|socket2|rayon.*)$'
found=$(cargo tree --locked -p smart_tags_core -e normal --prefix none | awk '{print $1}' | sort -u | grep -E "$forbidden" || true)
if [ -n "$found" ]; then
  echo "core must stay free of I/O, web and thread-pool dependencies, but depends on: $found"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "core dependencies are free of I/O, web and thread-pool crates"
echo "1 passed, 0 failed"
