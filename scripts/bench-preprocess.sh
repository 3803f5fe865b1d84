#!/usr/bin/env bash
# Preprocessing benchmark: `smart_tags_core::preprocess` (decode + EXIF orientation + JPEG
# thumbnail + colours + 224x224 model input + SHA-256 + metadata) natively
# (tests/examples/bench_preprocess.rs) against the wasm build that the upload page runs, in
# headless Chromium (tests/browser/bench-preprocess.mjs), and against the browser-native baseline
# (createImageBitmap + drawImage to the thumbnail and model-input sizes + getImageData, with and
# without the thumbnail JPEG and SHA-256), timed in the same iterations as the wasm path.
#
# The two engines run ALTERNATELY, round after round (the one that runs first flips every round),
# so that machine noise (other builds, a shared CPU) hits both. Prints markdown tables: every
# round, the median across rounds with the wasm/native ratio and the native stage breakdown, and
# the bytes that leave the browser per image.
#
# Env: ROUNDS (3), ITERS (10, timed runs per file per round, after 2 warm-ups),
#      FILES (paths relative to the fixtures folder, or absolute; default: the three below),
#      WORKER (1: also time inside a dedicated Worker), BUILD (auto: run scripts/build.sh when www/pkg or the servers
#      are missing or older than the sources; 1: always; 0: never), SMART_TAGS_CACHE.
# Needs `bash scripts/setup.sh` (fixtures, model, runtime, node_modules) first.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"
ROUNDS=${ROUNDS:-3}
export ITERS=${ITERS:-10}
export WORKER=${WORKER:-1}
BUILD=${BUILD:-auto}
FILES=${FILES:-"wallpapers/large-5120x2880.jpg autorotate/image_exif.jpg skimage/coffee.png"}

log() { echo "[bench-preprocess] $*" >&2; }

paths=()
for f in $FILES; do
  [[ $f == /* ]] || f="$SMART_TAGS_CACHE/fixtures/$f"
  [[ -f $f ]] || { log "$f is missing: run bash scripts/setup-fixtures.sh first"; exit 1; }
  paths+=("$f")
done

TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
needs_build() {
  local f
  for f in www/pkg/smart_tags_wasm.js www/pkg/smart_tags_wasm_bg.wasm \
    "$TARGET_DIR/release/smart-tags-service" "$TARGET_DIR/release/smart-tags-proxy"; do
    [[ -e $f ]] || { log "$f is missing"; return 0; }
  done
  # The wasm module must be built from the same core as the native benchmark.
  local newer
  newer=$(find core wasm Cargo.lock -newer www/pkg/smart_tags_wasm_bg.wasm -type f \( -name '*.rs' -o -name Cargo.toml -o -name Cargo.lock \) -print -quit)
  [[ -n $newer ]] && { log "$newer is newer than www/pkg"; return 0; }
  return 1
}
case $BUILD in
  1) log "building the servers and www/pkg (scripts/build.sh)"; bash scripts/build.sh >&2 ;;
  0) if needs_build; then log "WARNING: www/pkg or the servers look missing or stale (BUILD=0: not rebuilding)"; fi ;;
  *) if needs_build; then log "building the servers and www/pkg (scripts/build.sh)"; bash scripts/build.sh >&2; fi ;;
esac

log "building the native benchmark (release)"
cargo build --release --quiet -p smart_tags_tests --example bench_preprocess
NATIVE_BENCH="$TARGET_DIR/release/examples/bench_preprocess"

RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT

# shellcheck disable=SC2317 # called as "run_$engine"
run_native() { "$NATIVE_BENCH" "${paths[@]}"; }
# shellcheck disable=SC2317
run_wasm() { node tests/browser/bench-preprocess.mjs "${paths[@]}"; }

failures=0
for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 )); then order="native wasm"; else order="wasm native"; fi
  for engine in $order; do
    log "round $round/$ROUNDS: $engine (ITERS=$ITERS)"
    if out=$("run_$engine"); then
      while IFS= read -r line; do
        [[ $line == \{* ]] && echo "{\"round\":$round,\"result\":$line}" >>"$RESULTS"
      done <<<"$out"
    else
      log "round $round: $engine FAILED"
      failures=$((failures + 1))
    fi
  done
done

[[ -s $RESULTS ]] || { log "no results"; exit 1; }

node - "$RESULTS" "$ITERS" "$(uname -m)" "$(nproc)" <<'EOF'
const fs = require('node:fs');
const [, , resultsFile, iters, arch, cores] = process.argv;
const rows = fs.readFileSync(resultsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

const median = (v) => {
  const s = v.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const f1 = (x) => (Number.isFinite(x) ? (Math.abs(x) < 0.05 ? 0 : x).toFixed(1) : 'n/a');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const kb = (b) => (b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / 1e3).toFixed(1)} kB`);
const int = (b) => (Number.isFinite(b) ? b.toLocaleString('en-US') : 'n/a');
const key = (r) => `${r.engine}/${r.thread}`;
const files = [...new Set(rows.map((r) => r.result.file))];
const pick = (file, k, field) => median(rows.filter((r) => r.result.file === file && key(r.result) === k).map((r) => r.result[field]));
const any = (file, field) => rows.map((r) => r.result).find((r) => r.file === file && r[field] !== undefined)?.[field];
const browser = rows.map((r) => r.result.browser).find(Boolean) ?? 'n/a';
const hasWorker = rows.some((r) => r.result.thread === 'worker');

const row = (round, file, k) => rows.find((r) => r.round === round && r.result.file === file && key(r.result) === k)?.result;
const rounds = [...new Set(rows.map((r) => r.round))].sort((a, b) => a - b);
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);
const T = hasWorker ? 'wasm-chromium/worker' : 'wasm-chromium/main';

console.log(`### Per round (${iters} timed runs after 2 warm-ups each; medians, ms; ratios within the round)\n`);
console.log('| round | file | decoder | native | wasm Worker | wasm main | baseline Worker | baseline + JPEG + hash, Worker | baseline main | wasm Worker / baseline Worker | wasm Worker / baseline+JPEG+hash | wasm main / baseline main | wasm Worker / native |');
console.log('|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const perFile = new Map();
for (const round of rounds) {
  for (const file of files) {
    const n = row(round, file, 'native/main');
    const w = row(round, file, 'wasm-chromium/worker');
    const m = row(round, file, 'wasm-chromium/main');
    const t = row(round, file, T);
    const r = {
      vsBaseline: ratio(t?.median_ms, t?.baseline_median_ms),
      vsComplete: ratio(t?.median_ms, t?.baseline_complete_median_ms),
      mainVsBaseline: ratio(m?.median_ms, m?.baseline_median_ms),
      vsNative: ratio(t?.median_ms, n?.median_ms),
    };
    if (!perFile.has(file)) perFile.set(file, []);
    perFile.get(file).push(r);
    console.log(`| ${round} | ${file} | ${n?.decoder ?? t?.decoder ?? 'n/a'} | ${f1(n?.median_ms)} | ${f1(w?.median_ms)} | ${f1(m?.median_ms)} | ${f1(w?.baseline_median_ms)} | ${f1(w?.baseline_complete_median_ms)} | ${f1(m?.baseline_median_ms)} | ${f2(r.vsBaseline)} | ${f2(r.vsComplete)} | ${f2(r.mainVsBaseline)} | ${f2(r.vsNative)} |`);
  }
}

console.log(`\n### Median across rounds (${arch}, ${cores} cores; Chromium ${browser}); ratios are medians of the per-round ratios\n`);
console.log('| file | size | pixels | decoder | native ms | wasm Worker ms | wasm main ms | baseline Worker ms | baseline + JPEG + hash, Worker ms | wasm Worker / baseline | wasm Worker / baseline+JPEG+hash | wasm main / baseline main | wasm Worker / native |');
console.log('|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const file of files) {
  const rs = perFile.get(file) ?? [];
  const px = `${any(file, 'width')}x${any(file, 'height')}`;
  console.log(`| ${file} | ${kb(any(file, 'bytes'))} | ${px} | ${any(file, 'decoder') ?? 'n/a'} | ${f1(pick(file, 'native/main', 'median_ms'))} `
    + `| ${f1(pick(file, 'wasm-chromium/worker', 'median_ms'))} | ${f1(pick(file, 'wasm-chromium/main', 'median_ms'))} `
    + `| ${f1(pick(file, 'wasm-chromium/worker', 'baseline_median_ms'))} | ${f1(pick(file, 'wasm-chromium/worker', 'baseline_complete_median_ms'))} `
    + `| ${f2(median(rs.map((r) => r.vsBaseline)))} | ${f2(median(rs.map((r) => r.vsComplete)))} | ${f2(median(rs.map((r) => r.mainVsBaseline)))} | ${f2(median(rs.map((r) => r.vsNative)))} |`);
}

console.log('\n### Reduced-scale JPEG decode against the full decode (medians across rounds, ms)\n');
console.log('| file | decoder | native preprocess | native, full decode | native decode_for alone | native full decode alone | wasm Worker preprocess | wasm Worker, full decode | wasm Worker decode stage |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const file of files) {
  console.log(`| ${file} | ${any(file, 'decoder') ?? 'n/a'} | ${f1(pick(file, 'native/main', 'median_ms'))} | ${f1(pick(file, 'native/main', 'full_median_ms'))} `
    + `| ${f1(pick(file, 'native/main', 'reduced_decode_median_ms'))} | ${f1(pick(file, 'native/main', 'decode_median_ms'))} `
    + `| ${f1(pick(file, 'wasm-chromium/worker', 'median_ms'))} | ${f1(pick(file, 'wasm-chromium/worker', 'full_median_ms'))} | ${f1(pick(file, 'wasm-chromium/worker', 'decode_median_ms'))} |`);
}

console.log('\n### Where the native time goes (full decode path; medians across rounds, ms)\n');
console.log('| file | decode (core: decode + EXIF orientation + RGB) | raw `image` decode only | thumbnail (resize + JPEG encode) | model input (resize + crop) | colours |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const file of files) {
  console.log(`| ${file} | ${f1(pick(file, 'native/main', 'decode_median_ms'))} | ${f1(pick(file, 'native/main', 'raw_decode_median_ms'))} `
    + `| ${f1(pick(file, 'native/main', 'thumbnail_median_ms'))} | ${f1(pick(file, 'native/main', 'model_input_median_ms'))} | ${f1(pick(file, 'native/main', 'colors_median_ms'))} |`);
}

console.log('\n### Bytes per image\n');
console.log('| file | original file | sent to the proxy (model input) | sent / original | thumbnail JPEG (kept in the browser) | thumbnail size |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const file of files) {
  const orig = any(file, 'bytes');
  const sent = any(file, 'model_input_bytes');
  const thumbs = new Set(rows.map((r) => r.result).filter((r) => r.file === file).map((r) => r.thumbnail_bytes));
  const thumb = thumbs.size === 1 ? int([...thumbs][0]) : [...thumbs].map(int).join(' / ') + ' (native / wasm differ!)';
  console.log(`| ${file} | ${int(orig)} | ${int(sent)} | ${(100 * sent / orig).toFixed(1)}% | ${thumb} | ${any(file, 'thumbnail_width')}x${any(file, 'thumbnail_height')} |`);
}
console.log('\nTimes are per image, one thread. "wasm Worker" is what the upload page runs (www/worker.js); "baseline" is the '
  + 'browser doing the same with its own decoder and canvas (createImageBitmap, drawImage to 512 px and to the 224 crop of the '
  + '256-px resize, getImageData of both); "+ JPEG + hash" adds the thumbnail JPEG (convertToBlob, quality 0.85) and the SHA-256 '
  + '(crypto.subtle) that our path also makes. Ratios below 1: our path is faster.');
EOF
(( failures == 0 )) || log "$failures run(s) failed; the tables above leave them out"
exit 0
