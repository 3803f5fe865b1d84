# Sourced by the scripts: where the cached model and runtime live.
SMART_TAGS_CACHE=${SMART_TAGS_CACHE:-$HOME/.cache/smart-tags}
export SMART_TAGS_CACHE
export SMART_TAGS_MODEL_DIR=${SMART_TAGS_MODEL_DIR:-$SMART_TAGS_CACHE/models/efficientnet-lite0}
export ORT_DYLIB_PATH=${ORT_DYLIB_PATH:-$SMART_TAGS_CACHE/onnxruntime/libonnxruntime.so}
