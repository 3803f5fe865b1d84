#!/usr/bin/env bash
# Cached, idempotent WordNet setup: the noun database the concept hierarchy is built from.
#
#   a. apt-get download wordnet-base (Debian's WordNet 3.0) into $CACHE/downloads
#   b. dpkg-deb -x into a temporary folder
#   c. copy data.noun, index.noun (the sense order), noun.exc and the copyright file (as LICENSE) into
#      $CACHE/models/wordnet/
#
# Skipped when the four files are already there, so a second run is a fast no-op.
# Debian's data.noun is a patched 3.0: its byte offsets are not guaranteed to equal
# the synset ids, so the Rust side parses every line instead of seeking.
# Cache root: $SMART_TAGS_CACHE (default ~/.cache/smart-tags).
set -euo pipefail

CACHE=${SMART_TAGS_CACHE:-$HOME/.cache/smart-tags}
DL="$CACHE/downloads"
OUT="$CACHE/models/wordnet"
PKG="wordnet-base"

log() { echo "[setup-wordnet] $*" >&2; }

if [ -s "$OUT/data.noun" ] && [ -s "$OUT/index.noun" ] && [ -s "$OUT/noun.exc" ] && [ -s "$OUT/LICENSE" ]; then
  log "cached ($OUT)"
  exit 0
fi

# --- a. download -----------------------------------------------------------------
mkdir -p "$DL"
deb=""
for f in "$DL/${PKG}"_*.deb; do
  if [ -f "$f" ]; then deb=$f; break; fi
done
if [ -n "$deb" ]; then
  log "download: $PKG cached ($deb)"
else
  command -v apt-get >/dev/null || { log "error: apt-get not found (a Debian-based system is needed)"; exit 1; }
  log "download: $PKG"
  tmp=$(mktemp -d "$DL/.tmp.XXXXXX")
  # As root, apt warns that the download is unsandboxed ("_apt" cannot write here): harmless.
  if ! (cd "$tmp" && apt-get download "$PKG" >&2); then
    rm -rf "$tmp"
    log "error: apt-get download $PKG failed (try: apt-get update)"
    exit 1
  fi
  for f in "$tmp/${PKG}"_*.deb; do
    if [ -f "$f" ]; then deb="$DL/$(basename "$f")"; mv "$f" "$deb"; break; fi
  done
  rm -rf "$tmp"
  if [ -z "$deb" ]; then
    log "error: apt-get download $PKG produced no .deb"
    exit 1
  fi
fi

# --- b. extract --------------------------------------------------------------------
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log "extract: $deb"
dpkg-deb -x "$deb" "$tmp"
for f in usr/share/wordnet/data.noun usr/share/wordnet/index.noun usr/share/wordnet/noun.exc usr/share/doc/$PKG/copyright; do
  if [ ! -s "$tmp/$f" ]; then
    log "error: $deb has no $f"
    exit 1
  fi
done

# --- c. install (each file written under a temporary name, then renamed) -----------
mkdir -p "$OUT"
install_file() {
  cp "$1" "$OUT/.$2.tmp"
  mv -f "$OUT/.$2.tmp" "$OUT/$2"
}
install_file "$tmp/usr/share/wordnet/noun.exc" noun.exc
install_file "$tmp/usr/share/doc/$PKG/copyright" LICENSE
install_file "$tmp/usr/share/wordnet/index.noun" index.noun
install_file "$tmp/usr/share/wordnet/data.noun" data.noun
log "installed data.noun, index.noun, noun.exc, LICENSE into $OUT"
