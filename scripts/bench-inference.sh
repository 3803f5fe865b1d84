#!/usr/bin/env bash
# Inference benchmark: our Rust engine (service/examples/bench_inference.rs) against the
# Python onnxruntime baseline (scripts/model/bench_onnxruntime.py), same model, same
# runtime library, same input, same session options.
#
# The two engines run ALTERNATELY, round after round and for each thread count, so that
# machine noise (other builds, a shared CPU) hits both; the engine that runs first flips
# every round. Prints a markdown table with every round, the median across rounds per
# engine, and the rust/python ratios.
#
# Env: ROUNDS (3), ITERS (100), THREADS ("1 2"), SMART_TAGS_CACHE (~/.cache/smart-tags),
#      SMART_TAGS_MODEL_DIR, ORT_DYLIB_PATH, PYTHON (the setup venv's python).
# Needs `bash scripts/setup-model.sh` first.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${SMART_TAGS_CACHE:-$HOME/.cache/smart-tags}
export SMART_TAGS_MODEL_DIR=${SMART_TAGS_MODEL_DIR:-$CACHE/models/efficientnet-lite0}
export ORT_DYLIB_PATH=${ORT_DYLIB_PATH:-$CACHE/onnxruntime/libonnxruntime.so}
PYTHON=${PYTHON:-$CACHE/venv/bin/python}
ROUNDS=${ROUNDS:-3}
ITERS=${ITERS:-100}
THREADS=${THREADS:-"1 2"}

log() { echo "[bench-inference] $*" >&2; }

for f in "$SMART_TAGS_MODEL_DIR/model.onnx" "$ORT_DYLIB_PATH" "$PYTHON"; do
  [[ -e $f ]] || { log "$f is missing: run bash scripts/setup-model.sh first"; exit 1; }
done

log "building the Rust benchmark (release)"
(cd "$ROOT" && cargo build --release --quiet -p smart_tags_service --example bench_inference)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
RUST_BENCH="$TARGET_DIR/release/examples/bench_inference"

# The Python process loads the wheel's own copy of the library; report both so that a
# mismatch (different onnxruntime builds) is visible.
log "runtime library (rust): $(readlink -f "$ORT_DYLIB_PATH")"
log "onnxruntime (python): $("$PYTHON" -c 'import onnxruntime as o; print(o.__version__, o.__file__)')"

RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT

run_rust() {
  "$RUST_BENCH" --threads "$1" --iters "$ITERS"
}
run_python() {
  "$PYTHON" "$ROOT/scripts/model/bench_onnxruntime.py" \
    --model "$SMART_TAGS_MODEL_DIR/model.onnx" --threads "$1" --iters "$ITERS"
}

for round in $(seq 1 "$ROUNDS"); do
  for t in $THREADS; do
    if (( round % 2 )); then order="rust python"; else order="python rust"; fi
    for engine in $order; do
      log "round $round/$ROUNDS, threads $t: $engine"
      line=$("run_$engine" "$t" | tail -n 1)
      echo "{\"round\":$round,\"result\":$line}" >>"$RESULTS"
    done
  done
done

"$PYTHON" - "$RESULTS" "$ITERS" <<'EOF'
import json, statistics, sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
iters = sys.argv[2]
name = {"rust-ort": "rust", "python-onnxruntime": "python"}

print(f"### Per round ({iters} single-image iterations, batch 16 over max(3, iters/16) runs)\n")
print("| round | threads | engine | per-image median ms | per-image p90 ms | batch-16 img/s |")
print("|---:|---:|---|---:|---:|---:|")
for r in rows:
    x = r["result"]
    b = f'{x["batch16_images_per_s"]:.2f}'
    if "batch16_images_per_s_mean" in x:
        b += f' (mean {x["batch16_images_per_s_mean"]:.2f})'
    print(f'| {r["round"]} | {x["threads"]} | {name[x["engine"]]} | {x["per_image_ms_median"]:.3f} '
          f'| {x["per_image_ms_p90"]:.3f} | {b} |')

def med(engine, threads, key):
    v = [r["result"][key] for r in rows
         if r["result"]["engine"] == engine and r["result"]["threads"] == threads and key in r["result"]]
    return statistics.median(v) if v else float("nan")

print("\n### Median across rounds\n")
print("| threads | engine | per-image median ms | per-image p90 ms | batch-16 img/s |")
print("|---:|---|---:|---:|---:|")
threads = sorted({r["result"]["threads"] for r in rows})
for t in threads:
    for e in ("rust-ort", "python-onnxruntime"):
        b = f'{med(e, t, "batch16_images_per_s"):.2f}'
        if e == "rust-ort":
            b += f' (mean {med(e, t, "batch16_images_per_s_mean"):.2f})'
        print(f'| {t} | {name[e]} | {med(e, t, "per_image_ms_median"):.3f} '
              f'| {med(e, t, "per_image_ms_p90"):.3f} | {b} |')

print("\n### Ratio rust / python (medians across rounds)\n")
print("| threads | per-image median time (<1: rust faster) | batch-16 throughput (>1: rust faster) | batch-16, like-for-like mean |")
print("|---:|---:|---:|---:|")
for t in threads:
    p = med("python-onnxruntime", t, "per_image_ms_median")
    q = med("python-onnxruntime", t, "batch16_images_per_s")
    print(f'| {t} | {med("rust-ort", t, "per_image_ms_median") / p:.3f} '
          f'| {med("rust-ort", t, "batch16_images_per_s") / q:.3f} '
          f'| {med("rust-ort", t, "batch16_images_per_s_mean") / q:.3f} |')
print("\nPython's batch-16 figure is total images / total time; rust's main figure is the median "
      "over batch runs, with the Python-style mean in parentheses.")
EOF
exit 0
