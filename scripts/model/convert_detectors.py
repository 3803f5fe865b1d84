#!/usr/bin/env python3
"""Detector model preparation for scripts/setup-detectors.sh.

  slice     copy bytes [start, end) of a file (MediaPipe packed assets) and check sha256
  tflite    convert a .tflite to ONNX with tflite2onnx (no TensorFlow), then run the
            ONNX once with onnxruntime; if a TFLite interpreter is importable
            (ai_edge_litert or tflite_runtime; NOT installed by setup, the `tflite`
            package is only a flatbuffer parser) the outputs are compared too
  ocr       copy det/rec ONNX out of the rapidocr-onnxruntime wheel and write the rec
            character dictionary (ONNX metadata key `character`) to dict.txt
"""
import argparse
import hashlib
import os
import sys
import zipfile

import numpy as np


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def check_sha(path, expected, what):
    got = sha256(path)
    if expected and got != expected:
        sys.exit(f"error: sha256 of {what} ({path}) is {got}, expected {expected}")
    return got


def cmd_slice(a):
    with open(a.src, "rb") as f:
        f.seek(a.start)
        data = f.read(a.end - a.start)
    if len(data) != a.end - a.start:
        sys.exit(f"error: {a.src} is shorter than {a.end} bytes")
    write_atomic(a.out, data)
    check_sha(a.out, a.sha256, "slice")


def _interpreter():
    for mod in ("ai_edge_litert.interpreter", "tflite_runtime.interpreter"):
        try:
            m = __import__(mod, fromlist=["Interpreter"])
            return m.Interpreter
        except ImportError:
            pass
    return None


def canonicalize(path):
    """tflite2onnx emits initializers and value_info in set order (differs per
    run); sort them by name so the file, and its pinned sha256, is reproducible."""
    import onnx

    m = onnx.load(path)
    g = m.graph
    for field in (g.initializer, g.value_info):
        items = sorted(field, key=lambda t: t.name)
        copies = [type(t)() for t in items]
        for c, t in zip(copies, items):
            c.CopyFrom(t)
        del field[:]
        field.extend(copies)
    onnx.checker.check_model(m)
    onnx.save(m, path)


def cmd_tflite(a):
    import onnxruntime as ort

    check_sha(a.tflite, a.tflite_sha256, "tflite")
    if not a.verify_only:
        import tflite2onnx

        tmp = a.onnx + ".tmp.onnx"
        tflite2onnx.convert(a.tflite, tmp)
        canonicalize(tmp)
        os.replace(tmp, a.onnx)
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(a.onnx, so, providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0]
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=inp.shape).astype(np.float32)
    outs = sess.run(None, {inp.name: x})
    for o, v in zip(sess.get_outputs(), outs):
        print(f"  onnx output {o.name} {list(v.shape)} finite={bool(np.isfinite(v).all())}")
    Interp = _interpreter()
    if Interp is None:
        print("  verify: skipped (no TFLite interpreter importable; the `tflite` package cannot run models)")
        return
    it = Interp(model_path=a.tflite)
    it.allocate_tensors()
    d = it.get_input_details()[0]
    # tflite2onnx turns the NHWC input into NCHW: feed the TFLite model the NHWC view
    xt = x if tuple(d["shape"]) == x.shape else x.transpose(0, 2, 3, 1)
    it.set_tensor(d["index"], np.ascontiguousarray(xt))
    it.invoke()
    ref = {d["name"]: it.get_tensor(d["index"]) for d in it.get_output_details()}
    worst = 0.0
    for o, v in zip(sess.get_outputs(), outs):
        r = ref.get(o.name)
        if r is None:  # names can differ: match by shape
            r = next(t for t in ref.values() if t.shape == v.shape)
        d = float(np.abs(r - v).max())
        worst = max(worst, d)
        print(f"  verify {o.name}: max abs diff vs TFLite interpreter {d:.3g}")
    if worst > a.tol:
        sys.exit(f"error: ONNX differs from TFLite by {worst} > {a.tol}")


def cmd_ocr(a):
    import onnx

    os.makedirs(a.out_dir, exist_ok=True)
    with zipfile.ZipFile(a.wheel) as z:
        for member, name, expected in (
            ("rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx", "det.onnx", a.det_sha256),
            ("rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx", "rec.onnx", a.rec_sha256),
        ):
            dest = os.path.join(a.out_dir, name)
            write_atomic(dest, z.read(member))
            check_sha(dest, expected, name)
    m = onnx.load(os.path.join(a.out_dir, "rec.onnx"), load_external_data=False)
    meta = {p.key: p.value for p in m.metadata_props}
    if "character" not in meta:
        sys.exit("error: rec.onnx has no `character` metadata")
    chars = meta["character"].splitlines()
    # Exactly as stored: one entry per line, no stripping (rapidocr uses
    # splitlines() too). CTC index 0 = blank, index i (1..N) = chars[i-1],
    # index N+1 = " " (appended by rapidocr).
    write_atomic(os.path.join(a.out_dir, "dict.txt"), ("\n".join(chars) + "\n").encode("utf-8"))
    print(f"  dict.txt: {len(chars)} characters (+ blank at 0, + space at {len(chars) + 1})")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("slice")
    s.add_argument("--src", required=True)
    s.add_argument("--start", type=int, required=True)
    s.add_argument("--end", type=int, required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--sha256")
    s.set_defaults(fn=cmd_slice)
    t = sub.add_parser("tflite")
    t.add_argument("--tflite", required=True)
    t.add_argument("--tflite-sha256")
    t.add_argument("--onnx", required=True)
    t.add_argument("--tol", type=float, default=1e-2)
    t.add_argument("--verify-only", action="store_true")
    t.set_defaults(fn=cmd_tflite)
    o = sub.add_parser("ocr")
    o.add_argument("--wheel", required=True)
    o.add_argument("--out-dir", required=True)
    o.add_argument("--det-sha256")
    o.add_argument("--rec-sha256")
    o.set_defaults(fn=cmd_ocr)
    a = p.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
