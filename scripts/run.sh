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
# One log per instance: two checkouts' services on other ports never share a file.
service_log=target/run/service-$service_port.log

data_dir=${SMART_TAGS_DATA_DIR:-data}
proxy_data=${SMART_TAGS_PROXY_DATA_DIR:-proxy-data}
issuer="http://127.0.0.1:$service_port"

# The integration flow (docs/credentials.md), once: the proxy's key pair and certificate, an
# integration registered from it in the service's console, the proxy's API key, secret file and
# JWT payload file, and the integration's certificate token (the admin page registers the proxy's
# next certificates with it: a whole rotation). Later runs reuse them.
# (Assigned first: a failed set-up stops here instead of starting a proxy without credentials.)
integration_env=$(bash scripts/integration-setup.sh "$data_dir" "$proxy_data" "$issuer")
eval "$integration_env"

# The service console's admin token, made once (0600): the service opens its console with it (a
# certificate token works only while the console is on). The proxy never holds it.
console_token=$data_dir/console-token
if [ ! -s "$console_token" ]; then
  (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '/+=\n' > "$console_token.tmp")
  mv "$console_token.tmp" "$console_token"
fi

# Embedded defaults: the SQLite store in ./data, seeded with the demo taxonomy on first start.
# Every service route needs an access token, which the proxy gets by signing a JWT.
target/release/smart-tags-service --listen "127.0.0.1:$service_port" --public-url "$issuer" \
  --data-dir "$data_dir" --seed-taxonomy taxonomies/demo.ttl --admin-token-file "$console_token" > "$service_log" 2>&1 &
service_pid=$!
trap 'kill "$service_pid" 2>/dev/null || true' EXIT INT TERM

# Start-up loads the models and, on first start, links the taxonomy to concepts (~10 s).
for _ in $(seq 1 1800); do
  curl -fsS "http://127.0.0.1:$service_port/healthz" >/dev/null 2>&1 && break
  kill -0 "$service_pid" 2>/dev/null || { cat "$service_log"; echo "the tagging service did not start" >&2; exit 1; }
  sleep 0.1
done

# Check Health: every step of the credential chain, and a real prediction.
export SMART_TAGS_SERVICE_URL=$issuer
target/release/smart-tags-proxy health || echo "Check Health failed: see above" >&2

# The back-end API (docs/backend-api.md): one key for a local DAM back end, made once; the proxy
# keeps only its SHA-256 in backend-keys, the key itself stays in backend-key (0600) for curl.
backend_key_file="$proxy_data/backend-key"
if [ ! -s "$backend_key_file" ]; then
  if (umask 077 && target/release/smart-tags-proxy backend-key add local-dam > "$backend_key_file.tmp"); then
    mv "$backend_key_file.tmp" "$backend_key_file"
  else
    rm -f "$backend_key_file.tmp"
    echo "no back-end key made (a key named local-dam may already be in $proxy_data/backend-keys: remove its line)" >&2
  fi
fi

# The admin page's token, made once (0600) unless SMART_TAGS_ADMIN_TOKEN_FILE names another.
if [ -z "${SMART_TAGS_ADMIN_TOKEN_FILE:-}" ]; then
  export SMART_TAGS_ADMIN_TOKEN_FILE=$proxy_data/admin-token
  if [ ! -s "$SMART_TAGS_ADMIN_TOKEN_FILE" ]; then
    (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '/+=\n' > "$SMART_TAGS_ADMIN_TOKEN_FILE.tmp")
    mv "$SMART_TAGS_ADMIN_TOKEN_FILE.tmp" "$SMART_TAGS_ADMIN_TOKEN_FILE"
  fi
fi

printf '\n  Smart Tags is running: open http://127.0.0.1:%s/ and drop some photos.\n' "$port"
printf '  Admin page: http://127.0.0.1:%s/admin.html (token: cat %s)\n' "$port" "$SMART_TAGS_ADMIN_TOKEN_FILE"
printf '  A DAM embedding the widget: http://127.0.0.1:%s/demo/\n' "$port"
printf '  Metrics: http://127.0.0.1:%s/metrics (admin token) and http://127.0.0.1:%s/metrics (service)\n' "$port" "$service_port"
printf '  (service log: %s; Ctrl-C stops everything)\n\n' "$service_log"
printf '  Back-end API: Authorization: Bearer $(cat %s), e.g.\n    curl -sS -X POST -H "Authorization: Bearer $(cat %s)" --data-binary @photo.jpg "http://127.0.0.1:%s/api/v1/backend/assets/tag?asset_id=photo-1"\n\n' \
  "$backend_key_file" "$backend_key_file" "$port"
target/release/smart-tags-proxy --listen "127.0.0.1:$port" --backend-keys "$proxy_data/backend-keys"
