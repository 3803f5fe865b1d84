#!/usr/bin/env bash
# The integration flow of docs/credentials.md, done once and idempotently for a local install:
#   1. the proxy creates a key pair and a self-signed certificate (when it has none),
#   2. the service's console registers an integration from that certificate (when the proxy has
#      no integration yet), on the service's data directory (no model is loaded),
#   3. the answer is written where the proxy's configuration reads it:
#      <proxy-data>/integration/api-key, client-secret (0600) and jwt-payload.json,
#   4. the integration's certificate token (0600, <proxy-data>/integration/certificate-token):
#      the proxy's admin page registers its next certificates with it, and it opens nothing else
#      of the console (the console's admin token stays with the service).
# Usage: integration-setup.sh SERVICE_DATA_DIR PROXY_DATA_DIR ISSUER_URL
# Prints the environment the proxy needs (eval it): SMART_TAGS_API_KEY=…, …_FILE=….
set -euo pipefail
cd "$(dirname "$0")/.."
service_data=$1 proxy_data=$2 issuer=$3
bin=${SMART_TAGS_BIN_DIR:-target/release}
integration="$proxy_data/integration"
log() { echo "[integration-setup] $*" >&2; }

if ! "$bin/smart-tags-proxy" --data-dir "$proxy_data" cert list --json 2>/dev/null | python3 -c 'import json,sys; sys.exit(0 if any(c.get("status") == "active" for c in json.load(sys.stdin)) else 1)'; then
  log "creating the proxy's key pair and certificate in $proxy_data/keys"
  "$bin/smart-tags-proxy" --data-dir "$proxy_data" cert create --algorithm rsa-2048 --validity-days 365 >&2
fi

if [ ! -s "$integration/client-secret" ]; then
  mkdir -p "$integration"
  chmod 700 "$integration"
  "$bin/smart-tags-proxy" --data-dir "$proxy_data" cert download --out "$integration/certificate.pem" >&2
  log "registering an integration with the service's console ($service_data)"
  answer=$("$bin/smart-tags-service" --data-dir "$service_data" integration create --name "local proxy" \
    --certificate "$integration/certificate.pem" --public-url "$issuer")
  (
    umask 077
    python3 -c 'import json,sys; a=json.load(sys.stdin); open(sys.argv[1],"w").write(a["client_id"]); open(sys.argv[2],"w").write(a["client_secret"]); open(sys.argv[3],"w").write(json.dumps(a["jwt_payload"], indent=2))' \
      "$integration/api-key" "$integration/client-secret" "$integration/jwt-payload.json" <<<"$answer"
  )
  log "registered: API key $(cat "$integration/api-key")"
fi

if [ ! -s "$integration/certificate-token" ]; then
  log "making the integration's certificate token"
  answer=$("$bin/smart-tags-service" --data-dir "$service_data" integration certificate-token "$(cat "$integration/api-key")" \
    --public-url "$issuer")
  (
    umask 077
    python3 -c 'import json,sys; open(sys.argv[1] + ".tmp","w").write(json.load(sys.stdin)["certificate_token"])' \
      "$integration/certificate-token" <<<"$answer"
    mv "$integration/certificate-token.tmp" "$integration/certificate-token"
  )
fi

printf 'export SMART_TAGS_PROXY_DATA_DIR=%q\n' "$proxy_data"
printf 'export SMART_TAGS_AUTH_URL=%q\n' "$issuer"
printf 'export SMART_TAGS_API_KEY=%q\n' "$(cat "$integration/api-key")"
printf 'export SMART_TAGS_CLIENT_SECRET_FILE=%q\n' "$integration/client-secret"
printf 'export SMART_TAGS_JWT_PAYLOAD_FILE=%q\n' "$integration/jwt-payload.json"
printf 'export SMART_TAGS_CONSOLE_TOKEN_FILE=%q\n' "$integration/certificate-token"
