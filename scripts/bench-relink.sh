#!/usr/bin/env bash
# Relinking a large taxonomy (issue 21, BENCHMARKS.md): a 20,021-tag merge import (WordNet noun
# lemmas: 20 top-level tags × 50 children × 19 grandchildren, plus the namespace) into the real
# service (open mode, the demo taxonomy seeded), then three one-tag writes. Prints how fast each
# was answered, its x-smart-tags-links header, and how long the service kept the CPU busy after
# the import. SERVICE=path runs another build of the service (default target/release).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
service=${SERVICE:-target/release/smart-tags-service}
d=$(mktemp -d); port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 - "$SMART_TAGS_MODEL_DIR/../wordnet/data.noun" "$d/big.json" <<'PY'
import json, random, re, sys
lemmas, seen = [], set()
for line in open(sys.argv[1], encoding='latin-1'):
    if line.startswith('  '):
        continue
    parts = line.split()
    for i in range(int(parts[3], 16)):
        w = re.sub(r'\(.*\)', '', parts[4 + 2 * i].lower())
        if w.isascii() and re.fullmatch(r'[a-z_]+', w) and w not in seen and len(w) > 2:
            seen.add(w)
            lemmas.append(w)
random.seed(7)
random.shuffle(lemmas)
slug, title = (lambda w: w.replace('_', '-')), (lambda w: w.replace('_', ' ').capitalize())
tags, k = [{"id": "big:", "titles": {"en": "Catalogue"}}], 20
for t in lemmas[:20]:
    tags.append({"id": f"big:{slug(t)}", "titles": {"en": title(t)}})
    for _ in range(50):
        c = lemmas[k]; k += 1
        tags.append({"id": f"big:{slug(t)}/{slug(c)}", "titles": {"en": title(c)}})
        for _ in range(19):
            g = lemmas[k]; k += 1
            tags.append({"id": f"big:{slug(t)}/{slug(c)}/{slug(g)}", "titles": {"en": title(g)}})
json.dump({"format": "smart-tags-taxonomy", "version": 1, "tags": tags}, open(sys.argv[2], 'w'))
PY
"$service" --open --listen "127.0.0.1:$port" --data-dir "$d" --seed-taxonomy taxonomies/demo.ttl --threads 2 > "$d/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$d"' EXIT
for _ in $(seq 1 600); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
idle() { while true; do a=$(ticks); sleep 2; b=$(ticks); [ $((b - a)) -lt 10 ] && return; done; }
idle # the start-up relink (the concepts' embeddings)
t0=$(date +%s.%N)
curl -sS -o "$d/answer.json" -D "$d/headers" -w 'import of 20,021 tags answered: %{http_code} in %{time_total} s\n' -X PUT \
  -H 'content-type: application/json' --data-binary @"$d/big.json" "http://127.0.0.1:$port/v1/taxonomy?format=json&mode=merge"
grep -i '^x-smart-tags-links' "$d/headers" | tr -d '\r' || true
idle
echo "CPU idle again $(python3 -c "import time; print(round(time.time() - $t0 - 2, 1))") s after the import"
for i in 1 2 3; do
  curl -sS -o /dev/null -D "$d/h2" -w "one-tag write answered: %{http_code} in %{time_total} s\n" -X POST -H 'content-type: application/json' \
    --data-binary "{\"id\":\"big:new-tag-$i\",\"titles\":{\"en\":\"Sailing boats $i\"}}" "http://127.0.0.1:$port/v1/taxonomy/tags"
  grep -i '^x-smart-tags-links' "$d/h2" | tr -d '\r' || true
done
