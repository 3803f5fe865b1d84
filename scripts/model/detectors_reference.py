#!/usr/bin/env python3
"""numpy + onnxruntime reference of the detector post-processing (spec: DETECTORS.md).

  faces:   BlazeFace full range, MediaPipe face_detection_full_range graph
  objects: SSD-MobileNetV2 OIDv4, MediaPipe objectron object_detection_oid_v4 graph
  ocr:     PP-OCRv4 det -> DB boxes (axis-aligned simplification) -> rec -> CTC greedy,
           rapidocr-onnxruntime 1.4.4 defaults

Usage: detectors_reference.py [--models DIR] [--time N] IMAGE... > out.json
Needs numpy, onnxruntime, pillow (scripts/setup-model.sh + setup-detectors.sh venv).
"""
import argparse
import json
import math
import os
import sys
import time
from collections import deque

import numpy as np
import onnxruntime as ort
from PIL import Image, ImageOps

CACHE = os.environ.get("SMART_TAGS_CACHE", os.path.expanduser("~/.cache/smart-tags"))

# ---------------------------------------------------------------- MediaPipe pieces


def ssd_anchors(input_w, input_h, min_scale, max_scale, num_layers, strides, aspect_ratios,
                offset_x=0.5, offset_y=0.5, reduce_boxes_in_lowest_layer=False,
                interpolated_scale_aspect_ratio=1.0, fixed_anchor_size=False):
    """mediapipe/calculators/tflite/ssd_anchors_calculator.cc; rows (x_center, y_center, w, h)."""

    def scale_of(i, n):
        return (min_scale + max_scale) * 0.5 if n == 1 else min_scale + (max_scale - min_scale) * i / (n - 1.0)

    anchors = []
    layer = 0
    n = len(strides)
    while layer < num_layers:
        heights, widths, ars, scales = [], [], [], []
        last = layer
        while last < n and strides[last] == strides[layer]:
            scale = scale_of(last, n)
            if last == 0 and reduce_boxes_in_lowest_layer:
                ars += [1.0, 2.0, 0.5]
                scales += [0.1, scale, scale]
            else:
                for ar in aspect_ratios:
                    ars.append(ar)
                    scales.append(scale)
                if interpolated_scale_aspect_ratio > 0.0:
                    nxt = 1.0 if last == n - 1 else scale_of(last + 1, n)
                    scales.append(math.sqrt(scale * nxt))
                    ars.append(interpolated_scale_aspect_ratio)
            last += 1
        for ar, sc in zip(ars, scales):
            r = math.sqrt(ar)
            heights.append(sc / r)
            widths.append(sc * r)
        stride = strides[layer]
        fh = math.ceil(input_h / stride)
        fw = math.ceil(input_w / stride)
        for y in range(fh):
            for x in range(fw):
                for k in range(len(heights)):
                    cx = (x + offset_x) / fw
                    cy = (y + offset_y) / fh
                    if fixed_anchor_size:
                        anchors.append((cx, cy, 1.0, 1.0))
                    else:
                        anchors.append((cx, cy, widths[k], heights[k]))
        layer = last
    return np.array(anchors, dtype=np.float32)


FACE_ANCHORS = dict(input_w=192, input_h=192, min_scale=0.1484375, max_scale=0.75, num_layers=1,
                    strides=[4], aspect_ratios=[1.0], interpolated_scale_aspect_ratio=0.0,
                    fixed_anchor_size=True)
SSD_ANCHORS = dict(input_w=300, input_h=300, min_scale=0.2, max_scale=0.95, num_layers=6,
                   strides=[16, 32, 64, 128, 256, 512], aspect_ratios=[1.0, 2.0, 0.5, 3.0, 0.3333],
                   reduce_boxes_in_lowest_layer=True)


def decode_boxes(raw, anchors, xs, ys, ws, hs, reverse_output_order, exp_size):
    """TensorsToDetectionsCalculator::DecodeBoxes -> (xmin, ymin, xmax, ymax) normalised to the tensor."""
    if reverse_output_order:
        x, y, w, h = raw[:, 0], raw[:, 1], raw[:, 2], raw[:, 3]
    else:
        y, x, h, w = raw[:, 0], raw[:, 1], raw[:, 2], raw[:, 3]
    ax, ay, aw, ah = anchors.T
    xc = x / xs * aw + ax
    yc = y / ys * ah + ay
    if exp_size:
        h = np.exp(h / hs) * ah
        w = np.exp(w / ws) * aw
    else:
        h = h / hs * ah
        w = w / ws * aw
    return np.stack([xc - w / 2, yc - h / 2, xc + w / 2, yc + h / 2], axis=1)


def iou(a, b):
    """mediapipe OverlapSimilarity(INTERSECTION_OVER_UNION) on (xmin, ymin, xmax, ymax)."""
    ix = min(a[2], b[2]) - max(a[0], b[0])
    iy = min(a[3], b[3]) - max(a[1], b[1])
    if ix <= 0 or iy <= 0:  # Rect::Intersects false -> 0
        return 0.0
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def nms(boxes, scores, thresh, weighted, max_det=-1):
    """NonMaxSuppressionCalculator (class-agnostic); returns [(score, box, index)], box xyxy.
    Sort is stable by descending score (std::sort on (index, score) pairs in MediaPipe is not
    stable; ties are practically absent with float scores)."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    out = []
    if not weighted:
        for i in order:
            if all(iou(boxes[j], boxes[i]) <= thresh for _, _, j in out):
                out.append((scores[i], boxes[i], i))
            if max_det > 0 and len(out) >= max_det:
                break
        return out
    remaining = order
    while remaining:
        top = remaining[0]
        cand = [i for i in remaining if iou(boxes[top], boxes[i]) > thresh]
        rest = [i for i in remaining if iou(boxes[top], boxes[i]) <= thresh]
        # cand always holds top itself (IoU 1): score-weighted mean of the corners
        w = np.array([scores[i] for i in cand], dtype=np.float64)
        box = (np.array([boxes[i] for i in cand], dtype=np.float64) * w[:, None]).sum(0) / w.sum()
        out.append((scores[top], box, top))
        if max_det > 0 and len(out) >= max_det:
            break
        if len(rest) == len(remaining):
            break
        remaining = rest
    return out


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def to_tensor_m1p1(img):
    """uint8 HxWx3 RGB -> float32 [1,3,H,W] in [-1, 1] (x / 127.5 - 1)."""
    a = np.asarray(img, dtype=np.float32) / 127.5 - 1.0
    return a.transpose(2, 0, 1)[None].copy()


class Faces:
    SIZE = 192
    # The graph's own min_score_thresh is 0.6; the MediaPipe solution APIs override it with
    # min_detection_confidence = 0.5. 0.5 is used here: same counts on the test photos, and a
    # real face at 0.60 (sample2) is not lost to small resize differences.
    MIN_SCORE = 0.5
    NMS_IOU = 0.3

    def __init__(self, path, so):
        self.sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
        self.anchors = ssd_anchors(**FACE_ANCHORS)
        assert len(self.anchors) == 2304

    def prep(self, img):
        w, h = img.size
        s = self.SIZE / max(w, h)
        nw, nh = max(1, round(w * s)), max(1, round(h * s))
        ox, oy = (self.SIZE - nw) // 2, (self.SIZE - nh) // 2
        canvas = Image.new("RGB", (self.SIZE, self.SIZE), (0, 0, 0))  # black border = -1.0
        canvas.paste(img.resize((nw, nh), Image.BILINEAR), (ox, oy))
        return to_tensor_m1p1(canvas), (ox, oy, nw, nh)

    def run(self, x):
        return self.sess.run(None, {"input": x})

    def post(self, outs, lb, min_score=None):
        min_score = self.MIN_SCORE if min_score is None else min_score
        reg, cls = outs[0][0], outs[1][0, :, 0]
        scores = sigmoid(np.clip(cls, -100.0, 100.0))
        boxes = decode_boxes(reg[:, :4], self.anchors, 192.0, 192.0, 192.0, 192.0, True, False)
        keep = np.nonzero(scores >= min_score)[0]
        dets = nms([boxes[i] for i in keep], [float(scores[i]) for i in keep], self.NMS_IOU, weighted=True)
        ox, oy, nw, nh = lb
        res = []
        for score, b, _ in dets:
            # tensor-normalised -> original-image-normalised (undo the letterbox)
            x0 = (b[0] * self.SIZE - ox) / nw
            y0 = (b[1] * self.SIZE - oy) / nh
            x1 = (b[2] * self.SIZE - ox) / nw
            y1 = (b[3] * self.SIZE - oy) / nh
            res.append([round(float(score), 4), [round(float(v), 4) for v in (x0, y0, x1 - x0, y1 - y0)]])
        return res, float(scores.max())


class Objects:
    SIZE = 300
    MIN_SCORE = 0.5
    NMS_IOU = 0.5
    MAX_DET = 100

    def __init__(self, path, labels, so):
        self.sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
        self.anchors = ssd_anchors(**SSD_ANCHORS)
        assert len(self.anchors) == 1917
        with open(labels, encoding="utf-8") as f:
            self.labels = f.read().splitlines()
        self.person = self.labels.index("Person")

    def prep(self, img):
        return to_tensor_m1p1(img.resize((self.SIZE, self.SIZE), Image.BILINEAR)), None  # stretch

    def run(self, x):
        return self.sess.run(None, {"normalized_input_image_tensor": x})

    def post(self, outs, _lb):
        raw_boxes, raw_cls = outs[0][0], outs[1][0]
        probs = sigmoid(raw_cls)
        probs[:, 0] = -1.0  # ignore_classes: 0 (background "???")
        cls = probs.argmax(1)
        scores = probs[np.arange(len(cls)), cls]
        boxes = decode_boxes(raw_boxes, self.anchors, 10.0, 10.0, 5.0, 5.0, False, True)
        keep = np.nonzero(scores >= self.MIN_SCORE)[0]
        dets = nms([boxes[i] for i in keep], [float(scores[i]) for i in keep], self.NMS_IOU,
                   weighted=False, max_det=self.MAX_DET)
        persons, objects = [], []
        for score, b, k in dets:
            label = self.labels[cls[keep[k]]]
            box = [round(float(v), 4) for v in (b[0], b[1], b[2] - b[0], b[3] - b[1])]
            if label == "Person":
                persons.append([round(score, 4), box])
            else:
                objects.append([label, round(score, 4)])
        return persons, objects, float(sigmoid(raw_cls[:, self.person]).max())


# ---------------------------------------------------------------- OCR (rapidocr 1.4.4)


def min_area_rect(xs, ys):
    """cv2.minAreaRect of pixel centres: convex hull (of the per-row extremes) + rotating
    calipers. Returns ((u, v) unit axes, (u0, u1, v0, v1) extents along them)."""
    rows = {}
    for x, y in zip(xs.tolist(), ys.tolist()):
        lo, hi = rows.get(y, (x, x))
        rows[y] = (min(lo, x), max(hi, x))
    pts = sorted({(lo, y) for y, (lo, hi) in rows.items()} | {(hi, y) for y, (lo, hi) in rows.items()})

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    hull = []
    for seq in (pts, pts[::-1]):  # monotone chain
        part = []
        for p in seq:
            while len(part) >= 2 and cross(part[-2], part[-1], p) <= 0:
                part.pop()
            part.append(p)
        hull += part[:-1]
    h = np.array(hull or pts, dtype=np.float64)
    best = None
    dirs = [(1.0, 0.0)]
    for i in range(len(h)):
        e = h[(i + 1) % len(h)] - h[i]
        n = math.hypot(*e)
        if n > 0:
            dirs.append((e[0] / n, e[1] / n))
    for ux, uy in dirs:
        u, v = np.array([ux, uy]), np.array([-uy, ux])
        pu, pv = h @ u, h @ v
        ext = (pu.min(), pu.max(), pv.min(), pv.max())
        area = (ext[1] - ext[0]) * (ext[3] - ext[2])
        if best is None or area < best[0] - 1e-9:
            best = (area, (u, v), ext)
    return best[1], best[2]


def rect_mean(prob, u, v, u0, u1, v0, v1):
    """Mean of prob over the pixels inside the rotated rectangle (cv2.fillPoly + cv2.mean)."""
    hgt, wid = prob.shape
    corners = np.array([a * u + b * v for a in (u0, u1) for b in (v0, v1)])
    xa = int(np.clip(np.floor(corners[:, 0].min()), 0, wid - 1))
    xb = int(np.clip(np.ceil(corners[:, 0].max()), 0, wid - 1))
    ya = int(np.clip(np.floor(corners[:, 1].min()), 0, hgt - 1))
    yb = int(np.clip(np.ceil(corners[:, 1].max()), 0, hgt - 1))
    gy, gx = np.mgrid[ya:yb + 1, xa:xb + 1]
    pu = gx * u[0] + gy * u[1]
    pv = gx * v[0] + gy * v[1]
    eps = 1e-6
    inside = (pu >= u0 - eps) & (pu <= u1 + eps) & (pv >= v0 - eps) & (pv <= v1 + eps)
    return float(prob[ya:yb + 1, xa:xb + 1][inside].mean()) if inside.any() else 0.0


def resize_bilinear(img, w, h):
    """cv2.resize(INTER_LINEAR) semantics: plain 2x2 bilinear sampling at half-pixel centres,
    no antialiasing on downscale, edge pixels clamped, result rounded to uint8."""
    a = np.asarray(img, dtype=np.float32)
    sh, sw = a.shape[:2]

    def coords(n_out, n_in):
        c = (np.arange(n_out, dtype=np.float64) + 0.5) * (n_in / n_out) - 0.5
        c = np.clip(c, 0, n_in - 1)
        i0 = np.floor(c).astype(np.int64)
        i1 = np.minimum(i0 + 1, n_in - 1)
        return i0, i1, (c - i0).astype(np.float32)

    y0, y1, fy = coords(h, sh)
    x0, x1, fx = coords(w, sw)
    top = a[y0] * (1 - fy)[:, None, None] + a[y1] * fy[:, None, None]
    out = top[:, x0] * (1 - fx)[None, :, None] + top[:, x1] * fx[None, :, None]
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def round32(v):
    return int(round(v / 32) * 32)


class Ocr:
    LIMIT_MIN_SIDE = 736   # Det.limit_side_len, limit_type: min
    MAX_SIDE = 2000        # Global.max_side_len
    THRESH, BOX_THRESH, UNCLIP, MAX_CAND, MIN_SIZE = 0.3, 0.5, 1.6, 1000, 3
    REC_H, REC_W = 48, 320
    TEXT_SCORE = 0.5

    def __init__(self, det, rec, dict_path, so):
        self.det = ort.InferenceSession(det, so, providers=["CPUExecutionProvider"])
        self.rec = ort.InferenceSession(rec, so, providers=["CPUExecutionProvider"])
        with open(dict_path, encoding="utf-8") as f:
            chars = f.read().split("\n")[:-1]
        self.chars = ["<blank>"] + chars + [" "]  # CTC index -> text

    def det_prep(self, img):
        w, h = img.size
        # Global preprocess: shrink so that the longer side <= 2000 (rounded to /32)
        if max(w, h) > self.MAX_SIDE:
            r = self.MAX_SIDE / max(w, h)
            w, h = round32(int(w * r)), round32(int(h * r))
        # det preprocess, limit_type min: enlarge so that the shorter side >= 736, then /32
        r = self.LIMIT_MIN_SIDE / min(w, h) if min(w, h) < self.LIMIT_MIN_SIDE else 1.0
        rw, rh = round32(int(w * r)), round32(int(h * r))
        a = resize_bilinear(img, rw, rh).astype(np.float32)[:, :, ::-1]  # RGB->BGR
        a = (a / 255.0 - 0.5) / 0.5
        return a.transpose(2, 0, 1)[None].astype(np.float32)

    def boxes(self, prob, src_w, src_h):
        """DB post-processing -> axis-aligned boxes (x0, y0, x1, y1, score) in source pixels.
        Scoring, size checks and unclip use the minimum-area (rotated) rectangle like rapidocr;
        only the final box is the axis-aligned bounding box of the unclipped rectangle."""
        hgt, wid = prob.shape
        m = prob > self.THRESH
        d = m.copy()  # cv2.dilate with a 2x2 kernel (anchor at its centre = (1,1)): OR with up/left neighbours
        d[1:, :] |= m[:-1, :]
        d[:, 1:] |= m[:, :-1]
        d[1:, 1:] |= m[:-1, :-1]
        seen = np.zeros_like(d)
        out = []
        ncomp = 0
        for y0, x0 in zip(*np.nonzero(d)):
            if seen[y0, x0]:
                continue
            seen[y0, x0] = True
            q = deque([(y0, x0)])
            xs, ys = [x0], [y0]
            while q:  # 8-connected component (cv2.findContours outer contour)
                y, x = q.popleft()
                for dy in (-1, 0, 1):
                    for dx in (-1, 0, 1):
                        yy, xx = y + dy, x + dx
                        if 0 <= yy < hgt and 0 <= xx < wid and d[yy, xx] and not seen[yy, xx]:
                            seen[yy, xx] = True
                            q.append((yy, xx))
                            xs.append(xx)
                            ys.append(yy)
            ncomp += 1
            if ncomp > self.MAX_CAND:
                break
            rect = min_area_rect(np.array(xs), np.array(ys))
            (u, v), (u0, u1, v0, v1) = rect
            if min(u1 - u0, v1 - v0) < self.MIN_SIZE:
                continue
            score = rect_mean(prob, u, v, u0, u1, v0, v1)  # box_score_fast
            if score < self.BOX_THRESH:
                continue
            rw, rh = u1 - u0, v1 - v0
            dist = rw * rh * self.UNCLIP / (2.0 * (rw + rh))  # Polygon area * ratio / perimeter
            u0, u1, v0, v1 = u0 - dist, u1 + dist, v0 - dist, v1 + dist
            if min(u1 - u0, v1 - v0) < self.MIN_SIZE + 2:
                continue
            corners = np.array([a * u + b * v for a in (u0, u1) for b in (v0, v1)])
            sx, sy = src_w / wid, src_h / hgt
            cx = np.clip(np.round(corners[:, 0] * sx), 0, src_w)
            cy = np.clip(np.round(corners[:, 1] * sy), 0, src_h)
            bx0, bx1, by0, by1 = int(cx.min()), int(cx.max()), int(cy.min()), int(cy.max())
            if bx1 - bx0 <= 3 or by1 - by0 <= 3:  # filter_tag_det_res
                continue
            out.append((bx0, by0, bx1, by1, score))
        # sorted_boxes: top-to-bottom, then left-to-right within 10 px
        out.sort(key=lambda b: (b[1], b[0]))
        for i in range(len(out) - 1):
            for j in range(i, -1, -1):
                if abs(out[j + 1][1] - out[j][1]) < 10 and out[j + 1][0] < out[j][0]:
                    out[j], out[j + 1] = out[j + 1], out[j]
                else:
                    break
        return out

    def rec_prep(self, crop):
        if crop.size[1] / crop.size[0] >= 1.5:
            crop = crop.transpose(Image.ROTATE_90)  # np.rot90: counter-clockwise
        w, h = crop.size
        ratio = w / h
        img_w = int(self.REC_H * max(self.REC_W / self.REC_H, ratio))
        rw = min(img_w, int(math.ceil(self.REC_H * ratio)))
        a = resize_bilinear(crop, rw, self.REC_H).astype(np.float32)[:, :, ::-1]
        a = (a / 255.0 - 0.5) / 0.5
        x = np.zeros((1, 3, self.REC_H, img_w), dtype=np.float32)  # pad with 0 (= grey 127.5)
        x[0, :, :, :rw] = a.transpose(2, 0, 1)
        return x

    def ctc(self, probs):
        idx = probs.argmax(1)
        p = probs.max(1)
        keep = np.ones(len(idx), dtype=bool)
        keep[1:] = idx[1:] != idx[:-1]
        keep &= idx != 0
        text = "".join(self.chars[i] for i in idx[keep])
        score = float(p[keep].mean()) if keep.any() else 0.0
        return text, score

    def run(self, img, timings=None):
        t0 = time.perf_counter()
        x = self.det_prep(img)
        prob = self.det.run(None, {"x": x})[0][0, 0]
        t1 = time.perf_counter()
        words = []
        for bx0, by0, bx1, by1, _ in self.boxes(prob, *img.size):
            xr = self.rec_prep(img.crop((bx0, by0, bx1, by1)))
            text, score = self.ctc(self.rec.run(None, {"x": xr})[0][0])
            if score >= self.TEXT_SCORE and text:
                words.append([text, round(score, 4)])
        if timings is not None:
            timings.append((t1 - t0, time.perf_counter() - t1))
        return words


def load(path):
    img = Image.open(path)
    img = ImageOps.exif_transpose(img)
    return img.convert("RGB")


def median_ms(fn, n):
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t) * 1000)
    return round(float(np.median(ts)), 1)


def source_name(p):
    fx = os.path.join(CACHE, "fixtures") + os.sep
    if p.startswith(fx):
        return "fixtures/" + p[len(fx):]
    if "/package/demo/" in p:
        return "npm:@vladmandic/face-api@1.7.15/demo/" + os.path.basename(p)
    return os.path.basename(p)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("images", nargs="+")
    ap.add_argument("--models", default=os.path.join(CACHE, "models"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--time", type=int, default=0,
                    help="median of N runs of each model (session.run only), 1 and 2 threads")
    ap.add_argument("--timing-out", help="write the timings as JSON here (default: stderr)")
    ap.add_argument("--face-min-score", type=float, default=Faces.MIN_SCORE)
    a = ap.parse_args()
    M = a.models

    def build(threads):
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        return (Faces(f"{M}/blazeface-full-range/model.onnx", so),
                Objects(f"{M}/ssd-mobilenetv2-oidv4/model.onnx", f"{M}/ssd-mobilenetv2-oidv4/labels.txt", so),
                Ocr(f"{M}/ppocr-v4/det.onnx", f"{M}/ppocr-v4/rec.onnx", f"{M}/ppocr-v4/dict.txt", so))

    faces, objs, ocr = build(a.threads)
    timed = {t: build(t) for t in (1, 2)} if a.time else {}
    out, timings = [], []
    for p in a.images:
        img = load(p)
        fx, lb = faces.prep(img)
        f, fmax = faces.post(faces.run(fx), lb, a.face_min_score)
        ox, _ = objs.prep(img)
        persons, objects, pmax = objs.post(objs.run(ox), None)
        words = ocr.run(img)
        r = {"image": source_name(p), "size": list(img.size),
             "faces": f, "max_face_score": round(fmax, 4),
             "persons": persons, "max_person_score": round(pmax, 4),
             "objects": objects, "ocr": words}
        out.append(r)
        print(f"{r['image']}: faces={len(f)} persons={len(persons)} max_person={pmax:.3f} "
              f"objects={[o[0] for o in objects]} ocr={words}", file=sys.stderr)
        if a.time:
            det_x = ocr.det_prep(img)
            prob = ocr.det.run(None, {"x": det_x})[0][0, 0]
            rec_xs = [ocr.rec_prep(img.crop(b[:4])) for b in ocr.boxes(prob, *img.size)]
            tm = {"image": r["image"], "ocr_det_input": list(det_x.shape[2:]), "ocr_crops": len(rec_xs)}
            for t, (F, O, R) in timed.items():
                tm[f"{t}t"] = {
                    "face_ms": median_ms(lambda: F.run(fx), a.time),
                    "ssd_ms": median_ms(lambda: O.run(ox), a.time),
                    "ocr_det_ms": median_ms(lambda: R.det.run(None, {"x": det_x}), a.time),
                    "ocr_rec_ms": median_ms(lambda: [R.rec.run(None, {"x": x}) for x in rec_xs], a.time),
                }
            timings.append(tm)
            print(f"  timing {tm}", file=sys.stderr)
    header = {
        "generator": "scripts/model/detectors_reference.py (spec: scripts/model/DETECTORS.md)",
        "boxes": "[x, y, w, h] normalised to the EXIF-oriented original image",
        "faces": f"[score, box]; BlazeFace full range, min score {a.face_min_score}, weighted NMS IoU 0.3",
        "persons": "[score, box]; SSD OIDv4 class Person, min score 0.5, class-agnostic NMS IoU 0.5",
        "max_person_score": "max sigmoid(Person logit) over all 1917 anchors, before thresholds",
        "objects": "[label, score] of the other kept SSD detections",
        "ocr": "[text, score]; PP-OCRv4 det+rec, rapidocr 1.4.4 defaults, axis-aligned crops, no cls",
    }
    lines = [json.dumps(r, ensure_ascii=False) for r in out]
    sys.stdout.write('{"about": ' + json.dumps(header, ensure_ascii=False, indent=1)
                     + ',\n "images": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n")
    if timings and a.timing_out:
        with open(a.timing_out, "w") as fh:
            json.dump(timings, fh, indent=1)


if __name__ == "__main__":
    main()
