# shellcheck shell=bash
# Helpers shared by the scripts that fetch one photo set into the fixtures cache
# (scripts/setup-eval-photos.sh, scripts/setup-scene-photos.sh). Sourced, not run; it sources
# scripts/fetch-lib.sh (log, die, warn, need, apt_download) itself.
#
# The caller sets these, defines one array per source, then runs `photo_set_main VERIFY`:
#   FETCH_NAME  its name in messages           DL_TIMEOUT  seconds per download
#   SET         the set's folder under fixtures/ (eval2, scenes), also shown in messages
#   SET_DIR     that folder's path             SET_CSV     the photo list named in SOURCE.txt
#   STRICT      1: a photo whose sha256 changed is an error, not a warning
#   SOURCES     "source folder|kind|package|archive sha256|array name" lines. Kinds deb and rcc
#               are here; for any other KIND the caller defines
#               fetch_KIND FOLDER PACKAGE ARCHIVE-SHA256 ARRAY.
# Array entries: deb "file name|path in the .deb|sha256"; rcc (gcompris-qt-data) "file
# name|activity (= rcc file)|path inside the rcc|sha256". Each fetch_KIND writes the listed
# files into $OUT (the staging copy of the folder), using $DL as scratch space.
#
# Each <source>/ folder is built in a temp dir inside SET_DIR and renamed into place only
# when complete; a folder that already holds every listed file is skipped.

# log, die, warn, need, apt_download
# shellcheck source=scripts/fetch-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/fetch-lib.sh"

# entries ARRAY: print the array's entries, one a line.
entries() { local -n arr="$1"; printf '%s\n' "${arr[@]}"; }
sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# --- python helpers (stdlib only) -------------------------------------------------------
PYHELP='
import os, struct, sys, zipfile, zlib

def rcc_entries(path):
    """Yield (path, flags, bytes) for every file in a Qt resource (.rcc) file."""
    d = open(path, "rb").read()
    if d[:4] != b"qres": sys.exit("%s: not a Qt resource file" % path)
    ver, tree, data, names = struct.unpack(">IIII", d[4:20])
    size = 14 if ver == 1 else 22
    def name(off):
        n = struct.unpack(">H", d[names + off:names + off + 2])[0]
        return d[names + off + 6:names + off + 6 + 2 * n].decode("utf-16-be")
    def walk(i, prefix):
        base = tree + i * size
        noff, flags = struct.unpack(">IH", d[base:base + 6])
        nm = name(noff) if i else ""
        if flags & 2:
            count, first = struct.unpack(">II", d[base + 6:base + 14])
            for k in range(count):
                yield from walk(first + k, prefix + nm + "/" if i else "/")
        else:
            off = struct.unpack(">I", d[base + 10:base + 14])[0]
            ln = struct.unpack(">I", d[data + off:data + off + 4])[0]
            yield prefix + nm, flags, d[data + off + 4:data + off + 4 + ln]
    yield from walk(0, "")

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "rcc":        # rcc OUTDIR < lines "RCCFILE<TAB>PATH<TAB>NAME"
    want = {}
    for line in sys.stdin:
        rcc, p, n = line.rstrip("\n").split("\t")
        want.setdefault(rcc, {})[p] = n
    for rcc, files in want.items():
        for p, flags, b in rcc_entries(rcc):
            if p.lstrip("/") in files:
                if flags & 1: b = zlib.decompress(b[4:])      # zlib-compressed entry
                elif flags & 4: sys.exit("%s: zstd-compressed entry %s" % (rcc, p))
                open(os.path.join(args[0], files.pop(p.lstrip("/"))), "wb").write(b)
        if files: sys.exit("missing from %s: %s" % (os.path.basename(rcc), " ".join(sorted(files))))
elif cmd == "zip":      # zip ARCHIVE OUTDIR < lines "PATH<TAB>NAME"
    z = zipfile.ZipFile(args[0]); names = set(z.namelist()); missing = []
    for line in sys.stdin:
        p, n = line.rstrip("\n").split("\t")
        if p not in names: missing.append(p); continue
        open(os.path.join(args[1], n), "wb").write(z.read(p))
    if missing: sys.exit("missing from %s: %s" % (os.path.basename(args[0]), " ".join(missing)))
elif cmd == "kind":     # kind FILE -> JPEG/PNG/WEBP/-
    h = open(args[0], "rb").read(16)
    print("JPEG" if h[:3] == b"\xff\xd8\xff" else "PNG" if h[:8] == b"\x89PNG\r\n\x1a\n"
          else "WEBP" if h[:4] == b"RIFF" and h[8:12] == b"WEBP" else "-")
else:
    sys.exit("unknown helper command " + cmd)
'
py() { python3 -c "$PYHELP" "$@"; }

# --- staging ------------------------------------------------------------------------------
WORK=""
cleanup() { if [[ -n "$WORK" ]]; then rm -rf "$WORK"; fi; }
ensure_work() { if [[ -z "$WORK" ]]; then WORK="$(mktemp -d "$SET_DIR/.tmp.XXXXXX")"; fi; }

# step FOLDER ARRAY: returns 1 (skip) if $SET_DIR/FOLDER holds every listed file, else
# prepares $OUT (staging copy of the folder) and $DL (scratch space for downloads).
step() {
  local folder="$1" arr="$2" e missing=0
  if [[ -d "$SET_DIR/$folder" ]]; then
    while IFS= read -r e; do [[ -f "$SET_DIR/$folder/${e%%|*}" ]] || missing=$((missing + 1)); done < <(entries "$arr")
    if [[ "$missing" == 0 ]]; then
      # drop files that an older version of the script fetched but the list no longer has
      local f keep
      keep="$(entries "$arr" | cut -d'|' -f1)"
      for f in "$SET_DIR/$folder"/*; do
        [[ -f "$f" && "${f##*/}" != SOURCE.txt ]] || continue
        grep -qxF -- "${f##*/}" <<<"$keep" || { log "$SET/$folder/: removing unlisted ${f##*/}"; rm -f -- "$f"; }
      done
      log "$SET/$folder/: cached, skipping"; return 1
    fi
    log "$SET/$folder/: cached copy lacks $missing listed file(s), fetching again"
  fi
  ensure_work
  OUT="$WORK/$folder.out"; DL="$WORK/$folder.dl"
  rm -rf "$OUT" "$DL"; mkdir -p "$OUT" "$DL/x"
  log "$SET/$folder/: fetching"
}
# check_photos FOLDER ARRAY: every listed file is in $OUT, is an image, and has its sha256.
CHANGED=0
check_photos() {
  local folder="$1" arr="$2" e name want got
  while IFS= read -r e; do
    name="${e%%|*}"; want="${e##*|}"
    [[ -f "$OUT/$name" ]] || die "$folder: $name was not extracted"
    [[ "$(py kind "$OUT/$name")" != "-" ]] || die "$folder: $name is not a JPEG, PNG or WebP file"
    got="$(sha_of "$OUT/$name")"
    if [[ "$got" != "$want" ]]; then
      if [[ "${STRICT:-0}" == 1 ]]; then die "$folder: $name has sha256 $got, expected $want"; fi
      warn "$folder: $name differs from the labelled photo (sha256 $got, expected $want)"
      CHANGED=$((CHANGED + 1))
    fi
  done < <(entries "$arr")
}
commit() { # FOLDER
  chmod 0644 "$OUT"/*
  rm -rf "$DL"
  if [[ -e "$SET_DIR/$1" ]]; then mv -T "$SET_DIR/$1" "$WORK/$1.old"; fi  # incomplete copy
  mv -T "$OUT" "$SET_DIR/$1"
  log "$SET/$1/: done ($(find "$SET_DIR/$1" -maxdepth 1 -type f ! -name SOURCE.txt | wc -l) files)"
}
check_sha256() { # FILE EXPECTED
  local got
  got="$(sha_of "$1")"
  [[ "$got" == "$2" ]] || die "sha256 mismatch for $(basename "$1"): got $got, expected $2"
}

# --- Debian packages ------------------------------------------------------------------------
# deb_extract DEB MEMBER...: unpack only the listed files (not the whole package) into $DL/x.
deb_extract() {
  local deb="$1"; shift
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$DL/x" "${@/#/./}" ||
    die "$(basename "$deb"): some listed files are missing (see tar's message above)"
}

fetch_deb() { # FOLDER PACKAGE (unused) ARRAY
  local folder="$1" pkg="$2" arr="$4" deb e name path paths
  need apt-get "$SET/$folder/"; need dpkg-deb "$SET/$folder/"
  deb="$(apt_download "$pkg" "$DL")"
  mapfile -t paths < <(entries "$arr" | cut -d'|' -f2)
  deb_extract "$deb" "${paths[@]}"
  while IFS= read -r e; do
    IFS='|' read -r name path _ <<<"$e"
    cp -L "$DL/x/$path" "$OUT/$name"
  done < <(entries "$arr")
  echo "Source: Debian package $(basename "$deb"); see $SET_CSV for each file's path and licence" >"$OUT/SOURCE.txt"
}
fetch_rcc() { # FOLDER PACKAGE (unused) ARRAY  (photos inside usr/share/gcompris-qt/rcc/<activity>.rcc)
  local folder="$1" pkg="$2" arr="$4" deb rccs
  need apt-get "$SET/$folder/"; need dpkg-deb "$SET/$folder/"
  deb="$(apt_download "$pkg" "$DL")"
  mapfile -t rccs < <(entries "$arr" | cut -d'|' -f2 | sort -u | sed 's|^\(.*\)$|usr/share/gcompris-qt/rcc/\1.rcc|')
  deb_extract "$deb" "${rccs[@]}"
  entries "$arr" | awk -F'|' -v d="$DL/x/usr/share/gcompris-qt/rcc/" '{print d $2 ".rcc\t" $3 "\t" $1}' | py rcc "$OUT"
  echo "Source: Debian package $(basename "$deb"), usr/share/gcompris-qt/rcc/*.rcc (Qt resource files; entries copied unchanged); see $SET_CSV" >"$OUT/SOURCE.txt"
}

# --- the run ----------------------------------------------------------------------------------
# photo_set_verify: re-check the sha256 of every cached photo; exits (non-zero on a mismatch
# or a missing file).
photo_set_verify() {
  local bad=0 n=0 src folder arr e name want f
  for src in "${SOURCES[@]}"; do
    IFS='|' read -r folder _ _ _ arr <<<"$src"
    while IFS= read -r e; do
      name="${e%%|*}"; want="${e##*|}"; f="$SET_DIR/$folder/$name"; n=$((n + 1))
      if [[ ! -f "$f" ]]; then echo "missing: $SET/$folder/$name"; bad=$((bad + 1))
      elif [[ "$(sha_of "$f")" != "$want" ]]; then echo "changed: $SET/$folder/$name"; bad=$((bad + 1)); fi
    done < <(entries "$arr")
  done
  echo "$n photos checked, $bad missing or changed"
  if [[ "$bad" == 0 ]]; then exit 0; else exit 1; fi
}

# photo_set_summary: photos and bytes per folder; an error if any listed photo is missing.
photo_set_summary() {
  local total=0 nfiles=0 want=0 src folder arr n b k
  for src in "${SOURCES[@]}"; do
    IFS='|' read -r folder _ _ _ arr <<<"$src"
    n="$(find "$SET_DIR/$folder" -maxdepth 1 -type f ! -name SOURCE.txt | wc -l)"
    b="$(find "$SET_DIR/$folder" -maxdepth 1 -type f ! -name SOURCE.txt -printf '%s\n' | awk '{s+=$1} END {print s+0}')"
    k="$(entries "$arr" | wc -l)"
    printf '  %-28s %3d photos %10d bytes\n' "$folder/" "$n" "$b"
    total=$((total + b)); nfiles=$((nfiles + n)); want=$((want + k))
  done
  printf '  %-28s %3d photos %10d bytes (in %s)\n' "total" "$nfiles" "$total" "$SET_DIR"
  [[ "$nfiles" == "$want" ]] || die "expected $want photos, found $nfiles"
  if [[ "$CHANGED" != 0 ]]; then warn "$CHANGED photo(s) differ from the labelled ones (see above)"; fi
}

# photo_set_main VERIFY: with VERIFY=1 only check the cache, else fetch what is missing.
photo_set_main() {
  local src folder kind pkg sha arr
  mkdir -p "$SET_DIR"
  need python3 "everything"; need sha256sum "everything"
  if [[ "$1" == 1 ]]; then photo_set_verify; fi

  # One run at a time (a second concurrent run waits, then finds everything done).
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$SET_DIR/.lock"
    flock 9
  fi
  # Leftovers of runs killed with SIGKILL (the EXIT trap cannot clean those up).
  find "$SET_DIR" -mindepth 1 -maxdepth 1 -name '.tmp.*' -mmin +60 -exec rm -rf {} + 2>/dev/null || true
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  for src in "${SOURCES[@]}"; do
    IFS='|' read -r folder kind pkg sha arr <<<"$src"
    declare -F "fetch_$kind" >/dev/null || die "$folder: unknown kind '$kind'"
    step "$folder" "$arr" || continue
    "fetch_$kind" "$folder" "$pkg" "$sha" "$arr"
    check_photos "$folder" "$arr"
    commit "$folder"
  done
  photo_set_summary
}
