#!/usr/bin/env bash
# The latency the proxy adds in front of the tagging service (tests/examples/load_proxy.rs): an
# open-loop load at fixed rates against the service directly (with an access token) and through
# the proxy (which signs a JWT, exchanges it and caches the token), alternating round by round.
# Both servers run on a fresh integration (scripts/integration-setup.sh) in a scratch folder.
# The per-caller rate limit is off for the load (it would answer most of it with 429).
# At the end, the number of token exchanges the proxy made for all the requests it forwarded.
#
# Env: RATES ("200 1000"), DURATION (10 seconds), ROUNDS (3), SMART_TAGS_CACHE.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
source scripts/env.sh
log() { echo "[bench-proxy] $*" >&2; }

cargo build --release --locked -p smart_tags_service -p smart_tags_proxy
cargo build --release --locked -p smart_tags_tests --example load_proxy

scratch=$(mktemp -d)
service_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
proxy_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
issuer="http://127.0.0.1:$service_port"
head -c 24 /dev/urandom | base64 > "$scratch/admin-token"
eval "$(bash scripts/integration-setup.sh "$scratch/service-data" "$scratch/proxy-data" "$issuer")"

target/release/smart-tags-service --listen "127.0.0.1:$service_port" --data-dir "$scratch/service-data" \
  --seed-taxonomy taxonomies/demo.ttl --admin-token-file "$scratch/admin-token" > "$scratch/service.log" 2>&1 &
service_pid=$!
trap 'kill $service_pid ${proxy_pid:-} 2>/dev/null || true; rm -rf "$scratch"' EXIT
for _ in $(seq 1 1800); do curl -fsS "$issuer/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
SMART_TAGS_RATE_LIMIT=0 RUST_LOG=warn target/release/smart-tags-proxy --listen "127.0.0.1:$proxy_port" --service-url "$issuer" --www-dir www > "$scratch/proxy.log" 2>&1 &
proxy_pid=$!
for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$proxy_port/api/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done

# The direct calls get their token from an OAuth server-to-server integration of their own (the
# proxy's JWT integration does not take the client-credentials grant).
read -r direct_id direct_secret < <(target/release/smart-tags-service --data-dir "$scratch/service-data" --public-url "$issuer" \
  integration create --name bench-direct --oauth | python3 -c 'import json,sys; a=json.load(sys.stdin); print(a["client_id"], a["client_secret"])')
token=$(curl -fsS "$issuer/ims/token/v3" -d grant_type=client_credentials -d "client_id=$direct_id" \
  --data-urlencode "client_secret=$direct_secret" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
before=$(curl -fsS -H "Authorization: Bearer $(cat "$scratch/admin-token")" "$issuer/console/integrations/$SMART_TAGS_API_KEY" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens_issued"])')
log "load: rates ${RATES:-200 1000}/s, ${DURATION:-10} s each, ${ROUNDS:-3} rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)"
DIRECT=$issuer PROXY="http://127.0.0.1:$proxy_port" TOKEN=$token target/release/examples/load_proxy | tee "$scratch/out.md"
after=$(curl -fsS -H "Authorization: Bearer $(cat "$scratch/admin-token")" "$issuer/console/integrations/$SMART_TAGS_API_KEY" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens_issued"])')
proxied=$(awk -F'|' '/through the proxy/ && $3 ~ /^ *[0-9]+ *$/ { n += $5 } END { print n + 0 }' "$scratch/out.md")
echo
echo "token exchanges by the proxy during the load: $((after - before)) for $proxied requests (one client-credentials token for the direct calls, not counted)"
