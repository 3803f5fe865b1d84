#!/usr/bin/env python3
"""Python onnxruntime baseline for the inference benchmark.

Times single-image inference (1x3x224x224, the reference coffee input) over
--iters iterations after a warm-up, then batch-16 inference, and prints one
JSON line:

  {"engine":"python-onnxruntime","threads":N,"per_image_ms_median":..,
   "per_image_ms_p90":..,"batch16_images_per_s":..}

Usage: bench_onnxruntime.py --model PATH [--threads N] [--iters K]
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COFFEE = os.path.join(ROOT, "tests", "fixtures", "reference", "coffee.png.input.f32")
WARMUP = 5
BATCH = 16


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--iters", type=int, default=50)
    ap.add_argument("--input", default=COFFEE, help="1x3x224x224 little-endian float32 file")
    args = ap.parse_args()
    if args.threads < 1 or args.iters < 1:
        ap.error("--threads and --iters must be >= 1")

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = args.threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(args.model, opts, providers=["CPUExecutionProvider"])

    x = np.fromfile(args.input, dtype="<f4").reshape(1, 3, 224, 224)
    feeds = {"input": x}
    outputs = ["logits", "embedding"]

    for _ in range(WARMUP):
        sess.run(outputs, feeds)
    times = []
    for _ in range(args.iters):
        t0 = time.perf_counter()
        sess.run(outputs, feeds)
        times.append((time.perf_counter() - t0) * 1e3)

    xb = {"input": np.ascontiguousarray(np.repeat(x, BATCH, axis=0))}
    sess.run(outputs, xb)  # warm-up at this shape
    batch_iters = max(3, args.iters // BATCH)
    t0 = time.perf_counter()
    for _ in range(batch_iters):
        sess.run(outputs, xb)
    batch_s = time.perf_counter() - t0

    print(json.dumps({
        "engine": "python-onnxruntime",
        "threads": args.threads,
        "per_image_ms_median": round(float(np.median(times)), 3),
        "per_image_ms_p90": round(float(np.percentile(times, 90)), 3),
        "batch16_images_per_s": round(BATCH * batch_iters / batch_s, 2),
    }, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
