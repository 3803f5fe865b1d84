#!/usr/bin/env bash
# Builds the browser module into www/pkg, the widget package, then the servers (release). The
# proxy embeds www/ (proxy/src/site.rs), so it is built last, with the module in place.
# --no-servers stops before the servers: scripts/test.sh has the native tests build them (with
# the tests' features), so the release servers are not compiled twice.
set -euo pipefail
cd "$(dirname "$0")/.."
servers=true
[ "${1:-}" = "--no-servers" ] && servers=false

echo "==> cargo build (wasm)"
# wasm-release: LTO, size-optimised off the hot path (Cargo.toml)
cargo build --profile wasm-release --locked --target wasm32-unknown-unknown -p smart_tags_wasm

# www/pkg is made again only when its inputs changed (the module, the tools, this script): a warm
# run.sh then starts in seconds. The stamp is written last, so an interrupted build redoes it.
wasm=target/wasm32-unknown-unknown/wasm-release/smart_tags_wasm.wasm
stamp=$( { sha256sum "$wasm" scripts/build.sh; wasm-bindgen --version; if [ -x node_modules/.bin/wasm-opt ]; then node_modules/.bin/wasm-opt --version; fi; } | sha256sum | cut -c1-64)
if [ -f www/pkg/.inputs ] && [ "$(cat www/pkg/.inputs)" = "$stamp" ] && [ -f www/pkg/smart_tags_wasm_bg.wasm ]; then
  echo "==> www/pkg is up to date"
else
echo "==> wasm-bindgen"
rm -rf www/pkg.tmp
wasm-bindgen --target web --out-dir www/pkg.tmp target/wasm32-unknown-unknown/wasm-release/smart_tags_wasm.wasm
if [ -x node_modules/.bin/wasm-opt ]; then
  echo "==> wasm-opt -O3"
  node_modules/.bin/wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    www/pkg.tmp/smart_tags_wasm_bg.wasm -o www/pkg.tmp/smart_tags_wasm_bg.opt.wasm
  mv www/pkg.tmp/smart_tags_wasm_bg.opt.wasm www/pkg.tmp/smart_tags_wasm_bg.wasm
fi
echo "$stamp" > www/pkg.tmp/.inputs
rm -rf www/pkg && mv www/pkg.tmp www/pkg
fi
ls -l www/pkg/smart_tags_wasm_bg.wasm
bash scripts/build-widget.sh

$servers || exit 0
echo "==> cargo build (service, proxy)"
cargo build --release --locked -p smart_tags_service -p smart_tags_proxy
