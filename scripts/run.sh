#!/usr/bin/env bash
# The first README command: set up what is missing, build, start the tagging service and the
# proxy on embedded defaults, print the upload page's URL. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

bash scripts/setup.sh
bash scripts/build.sh

port=${SMART_TAGS_PORT:-8080}
service_port=${SMART_TAGS_SERVICE_PORT:-7701}
mkdir -p target/run

# Embedded defaults: the SQLite store in ./data, seeded with the demo taxonomy on first start.
target/release/smart-tags-service --open --listen "127.0.0.1:$service_port" \
  --data-dir "${SMART_TAGS_DATA_DIR:-data}" --seed-taxonomy taxonomies/demo.ttl > target/run/service.log 2>&1 &
service_pid=$!
trap 'kill "$service_pid" 2>/dev/null || true' EXIT INT TERM

# Start-up loads the models and, on first start, links the taxonomy to concepts (~10 s).
for _ in $(seq 1 1800); do
  curl -fsS "http://127.0.0.1:$service_port/healthz" >/dev/null 2>&1 && break
  kill -0 "$service_pid" 2>/dev/null || { cat target/run/service.log; echo "the tagging service did not start" >&2; exit 1; }
  sleep 0.1
done

printf '\n  Smart Tags is running: open http://127.0.0.1:%s/ and drop some photos.\n  (service log: target/run/service.log; Ctrl-C stops everything)\n\n' "$port"
if [ -n "${SMART_TAGS_ADMIN_TOKEN_FILE:-}" ]; then
  printf '  Admin page: http://127.0.0.1:%s/admin.html (token: the content of %s)\n\n' "$port" "$SMART_TAGS_ADMIN_TOKEN_FILE"
fi
target/release/smart-tags-proxy --listen "127.0.0.1:$port" --service-url "http://127.0.0.1:$service_port" --www-dir www
