#!/usr/bin/env python3
"""Check the converted ONNX model against the reference outputs.

For each case NAME in tests/fixtures/reference/ (NAME.input.f32 = 1x3x224x224,
NAME.logits.f32 = 1000, NAME.emb.f32 = 1280, little-endian float32) prints the
cosine similarity of the embeddings, the max abs difference of the logits and
the top-1 label against the reference top-1.  Exits non-zero unless every case
has cosine >= 0.9999 and the same top-1, and the labels file written by
convert.py (when present) equals the reference labels.

Usage: verify.py [--model PATH] [--reference DIR]
"""

import argparse
import os
import sys

import numpy as np
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.environ.get("SMART_TAGS_CACHE") or os.path.expanduser("~/.cache/smart-tags")
DEFAULT_MODEL = os.path.join(CACHE, "models", "efficientnet-lite0", "model.onnx")
DEFAULT_REF = os.path.join(ROOT, "tests", "fixtures", "reference")

CASES = {  # name -> expected top-1 label
    "astronaut.png": "bobsled",
    "chelsea.png": "tiger cat",
    "coffee.png": "espresso",
    "rocket.jpg": "missile",
    "motorcycle_left.png": "moped",
}
MIN_COSINE = 0.9999


def read_f32(path, count):
    a = np.fromfile(path, dtype="<f4")
    if a.size != count:
        raise SystemExit(f"{path}: {a.size} floats, expected {count}")
    return a


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--reference", default=DEFAULT_REF)
    args = ap.parse_args()

    with open(os.path.join(args.reference, "imagenet_labels.txt"), encoding="utf-8") as f:
        labels = f.read().splitlines()
    ok = True
    if len(labels) != 1000:
        print(f"FAIL reference labels: {len(labels)} lines, expected 1000")
        ok = False

    generated = os.path.join(os.path.dirname(args.model), "imagenet_labels.txt")
    if os.path.exists(generated):
        with open(generated, encoding="utf-8") as f:
            gen = f.read().splitlines()
        diff = [i for i, (a, b) in enumerate(zip(gen, labels)) if a != b]
        if len(gen) != len(labels) or diff:
            print(f"FAIL {generated} differs from the reference labels (first at {diff[:3]})")
            ok = False
        else:
            print(f"labels: {generated} matches the reference")

    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(args.model, opts, providers=["CPUExecutionProvider"])
    print("model:", args.model)
    for io_ in sess.get_inputs():
        print(f"  input  {io_.name} {io_.shape} {io_.type}")
    for io_ in sess.get_outputs():
        print(f"  output {io_.name} {io_.shape} {io_.type}")

    print(f"{'case':<22}{'cosine(emb)':>14}{'max|dlogit|':>14}  top-1 (ref)")
    for name, expected in CASES.items():
        base = os.path.join(args.reference, name)
        x = read_f32(base + ".input.f32", 3 * 224 * 224).reshape(1, 3, 224, 224)
        ref_logits = read_f32(base + ".logits.f32", 1000)
        ref_emb = read_f32(base + ".emb.f32", 1280)
        logits, emb = sess.run(["logits", "embedding"], {"input": x})
        logits, emb = logits[0].astype(np.float64), emb[0].astype(np.float64)
        cos = float(emb @ ref_emb / (np.linalg.norm(emb) * np.linalg.norm(ref_emb)))
        dmax = float(np.max(np.abs(logits - ref_logits)))
        top, ref_top = int(np.argmax(logits)), int(np.argmax(ref_logits))
        good = cos >= MIN_COSINE and top == ref_top and labels[ref_top] == expected
        ok &= good
        print(f"{name:<22}{cos:>14.8f}{dmax:>14.6f}  {labels[top]} ({labels[ref_top]})"
              f"{'' if good else '  <-- FAIL'}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
