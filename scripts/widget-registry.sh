#!/usr/bin/env bash
# A local npm registry holding the widget: Verdaccio (a dev dependency in package.json) with its
# packages kept in a folder, the current smart-tags-uploader tarball (scripts/build-widget.sh)
# published to it, serving until stopped. Any app on the machine then installs the widget by name:
#
#   npm install smart-tags-uploader --registry http://127.0.0.1:4873/
#
# (only for this install: the registry has no uplink, so an app's other dependencies still come
# from its usual registry). The folder keeps every version published, so it can be copied to
# another machine and served there the same way. A re-packed same version replaces the published
# one: an app whose lock file has the old one then fails its integrity check (EINTEGRITY) until
# it installs again; bump the version in www/widget/package.json for anything shared.
#
# Usage: scripts/widget-registry.sh [--folder DIR] [--port N]   (defaults: target/npm-registry, 4873)
# It prints "==> ready: <registry URL>" once the package can be installed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
folder=$root/target/npm-registry
port=4873
while [ $# -gt 0 ]; do
  case "$1" in
    --folder) folder=$(realpath -m "$2"); shift 2 ;;
    --port) port=$2; shift 2 ;;
    *) echo "widget-registry: unknown argument $1 (usage: --folder DIR --port N)" >&2; exit 2 ;;
  esac
done
cd "$root"
verdaccio=$root/node_modules/.bin/verdaccio
[ -x "$verdaccio" ] || { echo "widget-registry: $verdaccio is missing: run scripts/setup.sh" >&2; exit 1; }

bash scripts/build-widget.sh >/dev/null
version=$(node -p "require('./www/widget/package.json').version")
tgz=$root/target/widget/smart-tags-uploader-$version.tgz
[ -f "$tgz" ] || { echo "widget-registry: build-widget.sh made no $tgz" >&2; exit 1; }

# Served to anyone on loopback, published to without an account: the registry only ever listens
# on 127.0.0.1, and holds nothing but what this script publishes. No uplink: nothing is fetched
# from elsewhere.
mkdir -p "$folder"
cat > "$folder/config.yaml" <<'YAML'
storage: ./storage
auth:
  htpasswd:
    file: ./htpasswd
    max_users: -1
uplinks: {}
packages:
  '**':
    access: $all
    publish: $anonymous
    unpublish: $anonymous
log: { type: stdout, format: pretty, level: warn }
YAML

registry=http://127.0.0.1:$port/
"$verdaccio" --config "$folder/config.yaml" --listen "127.0.0.1:$port" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; exit 143' INT TERM
for _ in $(seq 1 150); do
  curl -fsS -o /dev/null "${registry}-/ping" 2>/dev/null && break
  kill -0 $server 2>/dev/null || { echo "widget-registry: verdaccio exited (is port $port taken?)" >&2; exit 1; }
  sleep 0.2
done
curl -fsS -o /dev/null "${registry}-/ping" || { echo "widget-registry: verdaccio did not answer on $registry" >&2; exit 1; }

# The registry takes no token, but npm sends one to publish.
npm_args=(--registry "$registry" "--//127.0.0.1:$port/:_authToken=local" --no-audit --no-fund --cache "$folder/npm-cache")
integrity=sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)
published=$(npm view "smart-tags-uploader@$version" dist.integrity "${npm_args[@]}" 2>/dev/null || true)
if [ "$published" = "$integrity" ]; then
  echo "==> smart-tags-uploader@$version is already published"
else
  if [ -n "$published" ]; then
    # The same version packed again from changed sources (development): replace it.
    npm unpublish "smart-tags-uploader@$version" --force "${npm_args[@]}" >/dev/null
  fi
  npm publish "$tgz" "${npm_args[@]}" >/dev/null 2>&1 || { echo "widget-registry: npm publish failed" >&2; exit 1; }
  echo "==> published smart-tags-uploader@$version"
fi
echo "==> ready: $registry (npm install smart-tags-uploader --registry $registry)"
wait $server
