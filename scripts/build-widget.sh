#!/usr/bin/env bash
# Assembles the npm package smart-tags-uploader from www/widget (the element), www/worker.js,
# www/preprocess-client.js (and the www/ modules they import) and www/pkg (the wasm module built
# by scripts/build.sh) into target/widget/package, packs it into
# target/widget/smart-tags-uploader-<version>.tgz, copies it to www/demo/vendor/ for the demo DAM
# page, and prints the gzipped bytes a browser downloads. No dependencies, no bundling: the
# sources are plain ES modules. docs/widget.md.
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/widget
vendor=www/demo/vendor/smart-tags-uploader
mkdir -p "$out"
# One run at a time (scripts/build.sh and the browser tests both call this), and each result
# appears whole: everything is built in a scratch folder and moved into place at the end.
exec 9>"$out/.lock"
flock 9
# Built again only when an input changed (the module, the widget's and the page's modules, this
# script, the licence): the stamp of the last build sits beside its tarball.
stamp=$( { find www -type f \( -name '*.js' -o -name '*.wasm' -o -name '*.ts' -o -name 'package.json' -o -name 'README.md' \) \
  -not -path "$vendor/*" -print0 | sort -z | xargs -0 sha256sum; sha256sum scripts/build-widget.sh; if [ -f LICENSE ]; then sha256sum LICENSE; fi; } | sha256sum | cut -c1-64)
if [ -f "$out/.inputs" ] && [ "$(cat "$out/.inputs")" = "$stamp" ] && [ -d "$vendor" ] && compgen -G "$out/smart-tags-uploader-*.tgz" >/dev/null; then
  echo "==> the widget package is up to date ($out)"
  exit 0
fi
rm -f "$out/.inputs"
work=$(mktemp -d "$out/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
pkg=$work/package

for f in www/pkg/smart_tags_wasm.js www/pkg/smart_tags_wasm_bg.wasm www/worker.js www/preprocess-client.js; do
  [ -f "$f" ] || { echo "build-widget: $f is missing (run scripts/build.sh)" >&2; exit 1; }
done

version=$(node -p "require('./www/widget/package.json').version")
code_version=$(sed -n "s/^export const VERSION = '\(.*\)';$/\1/p" www/widget/uploader.js)
if [ "$version" != "$code_version" ]; then
  echo "build-widget: package.json says $version but uploader.js VERSION says $code_version" >&2
  exit 1
fi

echo "==> assembling smart-tags-uploader $version"
mkdir -p "$pkg/widget" "$pkg/pkg"
cp www/widget/package.json www/widget/README.md "$pkg/"
for f in www/widget/*.js www/widget/*.d.ts; do cp "$f" "$pkg/widget/"; done
cp www/pkg/smart_tags_wasm.js www/pkg/smart_tags_wasm_bg.wasm www/pkg/*.d.ts "$pkg/pkg/"
[ -f LICENSE ] && cp LICENSE "$pkg/"

# The module also carries the upload page's review session and exports (ReviewSession, exportXmp,
# keyMap, ...), which the widget's worker never calls: wasm-metadce drops those exports and the
# code only they reach (the glue only touches an export when its function is called).
if [ -x node_modules/.bin/wasm-metadce ]; then
  echo "==> wasm-metadce: dropping the review and export bindings from the widget's module"
  features=(--enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
    --enable-mutable-globals --enable-reference-types --enable-multivalue)
  wasm=$pkg/pkg/smart_tags_wasm_bg.wasm
  node --input-type=module - "$wasm" "$work/metadce-graph.json" <<'JS'
import { readFileSync, writeFileSync } from 'node:fs';
const [wasmPath, graphPath] = process.argv.slice(2);
const module = new WebAssembly.Module(readFileSync(wasmPath));
const unused = /^(reviewsession_|__wbg_reviewsession_free$|export(Csv|Json|Xmp)$|key(Action|Map)$|xmpSidecarName$)/;
const exports = WebAssembly.Module.exports(module);
const graph = [
  { name: 'root', root: true, reaches: exports.filter((e) => !unused.test(e.name)).map((e) => `export:${e.name}`) },
  ...exports.map((e) => ({ name: `export:${e.name}`, export: e.name })),
  ...WebAssembly.Module.imports(module).map((i) => ({ name: `import:${i.module}:${i.name}`, import: [i.module, i.name] })),
];
writeFileSync(graphPath, JSON.stringify(graph));
JS
  node_modules/.bin/wasm-metadce "${features[@]}" "$wasm" -f "$work/metadce-graph.json" -o "$wasm.dce" >/dev/null
  node_modules/.bin/wasm-opt -O3 "${features[@]}" "$wasm.dce" -o "$wasm"
  rm -f "$wasm.dce"
fi

# worker.js, preprocess-client.js and every www/ module they import by a relative path.
queue=(worker.js preprocess-client.js)
declare -A seen=()
while [ ${#queue[@]} -gt 0 ]; do
  file=${queue[0]}
  queue=("${queue[@]:1}")
  [ -n "${seen[$file]:-}" ] && continue
  seen[$file]=1
  mkdir -p "$pkg/$(dirname "$file")"
  cp "www/$file" "$pkg/$file"
  for dep in $(grep -oE "(from|import)\s*\(?\s*['\"]\./[^'\"]+['\"]" "www/$file" | sed -E "s/.*['\"]\.\/([^'\"]+)['\"]/\1/"); do
    dir=$(dirname "$file")
    path=$(realpath -m --relative-to=www "www/$dir/$dep")
    case "$path" in
      pkg/*) ;; # already there
      *) [ -f "www/$path" ] || { echo "build-widget: www/$file imports ./$dep, which is missing" >&2; exit 1; }
         queue+=("$path") ;;
    esac
  done
done

# The module must still compile and keep what the worker calls.
node --input-type=module - "$pkg/pkg/smart_tags_wasm_bg.wasm" <<'JS'
import { readFileSync } from 'node:fs';
const names = WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(process.argv[2]))).map((e) => e.name);
const missing = ['preprocess', 'preprocesslimits_new', 'preprocessresult_thumbnail', '__wbindgen_start'].filter((n) => !names.includes(n));
if (missing.length) throw new Error(`the widget's wasm module lacks ${missing.join(', ')}`);
JS

echo "==> npm pack"
(cd "$pkg" && npm pack --silent --pack-destination .. >/dev/null)
tgz_name=smart-tags-uploader-$version.tgz
[ -f "$work/$tgz_name" ] || { echo "build-widget: npm pack made no $tgz_name" >&2; exit 1; }

echo "==> copying the package to $vendor (the demo DAM page)"
mkdir -p "$(dirname "$vendor")"
rm -rf "$vendor.tmp"
cp -r "$pkg" "$vendor.tmp"
rm -rf "$vendor" && mv "$vendor.tmp" "$vendor"

rm -rf "$out/package" && mv "$pkg" "$out/package"
pkg=$out/package
for old in "$out"/smart-tags-uploader-*.tgz; do
  [ "$old" = "$out/$tgz_name" ] || rm -f "$old"
done
mv -f "$work/$tgz_name" "$out/$tgz_name" # a rename: readers see the old tarball or the new one
ls -l "$out/$tgz_name"

echo "$stamp" > "$out/.inputs"

echo "==> what a browser downloads (gzip -9)"
total_raw=0
total_gz=0
while IFS= read -r f; do
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw))
  total_gz=$((total_gz + gz))
  printf '  %-40s %9d bytes  %8d gzipped\n' "${f#"$pkg"/}" "$raw" "$gz"
done < <(find "$pkg" -type f \( -name '*.js' -o -name '*.wasm' \) | sort)
printf '  %-40s %9d bytes  %8d gzipped (%d KB; goal <= 300 KB)\n' total "$total_raw" "$total_gz" $((total_gz / 1024))
