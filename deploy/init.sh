#!/usr/bin/env bash
# compose.yaml's one-shot `init`: what run.sh does once on a developer machine, for containers.
#   /data/service  the service's data (SQLite store)       /data/proxy  the proxy's key store
#   /secrets       tokens shared by the containers (0600, owned by the image's user)
# Makes the service console's admin token (in the service's volume: the proxy never sees it, it
# gets the integration's certificate token instead) and the admin page's token, registers the integration
# (scripts/integration-setup.sh: the proxy's key pair and certificate, then the console) and writes
# the proxy's environment to /secrets/proxy.env; adds the upload page's first user from
# SMART_TAGS_PAGE_USER / SMART_TAGS_PAGE_PASSWORD. Every step is skipped when already done.
set -euo pipefail
umask 077

token() { [ -s "$1" ] || head -c 32 /dev/urandom | base64 | tr -d '/+=\n' > "$1"; }
token /data/service/console-token
# Earlier versions kept it in the shared secrets volume, which the proxy mounts: not any more.
rm -f /secrets/console-token
token /secrets/admin-token

# integration-setup.sh registers through the service's CLI on its data directory, before the
# service starts; the issuer is the URL the proxy reaches the service at.
/opt/smart-tags/scripts/integration-setup.sh /data/service /data/proxy "${SMART_TAGS_ISSUER:-http://service:7701}" \
  > /secrets/proxy.env.tmp
mv /secrets/proxy.env.tmp /secrets/proxy.env

# The proxy listens beyond loopback, so the upload page needs a sign-in (or widget tokens).
users=/secrets/page-users
if [ ! -s "$users" ]; then
  : "${SMART_TAGS_PAGE_PASSWORD:?set SMART_TAGS_PAGE_PASSWORD (at least 12 characters) for the first upload page user}"
  printf '%s\n' "$SMART_TAGS_PAGE_PASSWORD" \
    | smart-tags-proxy user add "${SMART_TAGS_PAGE_USER:-admin}" --page-users-file "$users"
fi
echo "[init] ready: admin token in the secrets volume (admin-token), page user ${SMART_TAGS_PAGE_USER:-admin}"
