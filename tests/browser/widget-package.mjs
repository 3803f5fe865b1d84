// The packed widget for the browser tests: runs scripts/build-widget.sh when the tarball (or the
// demo page's copy) is missing or older than any of its sources, so a test after scripts/build.sh
// does not pack it again, and a test after an edit never runs a stale package.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { root } from './harness.mjs';

const SOURCES = ['www/widget', 'www/worker.js', 'www/preprocess-client.js', 'www/pkg', 'scripts/build-widget.sh'];

function newest(file) {
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(file).map((name) => newest(path.join(file, name))));
}

/** Answers the tarball's path, packing it first when needed. */
export function ensureWidgetPackage() {
  const version = JSON.parse(readFileSync(path.join(root, 'www/widget/package.json'), 'utf8')).version;
  const tgz = path.join(root, `target/widget/smart-tags-uploader-${version}.tgz`);
  const vendor = path.join(root, 'www/demo/vendor/smart-tags-uploader/package.json');
  const sources = Math.max(...SOURCES.map((s) => newest(path.join(root, s))));
  if (!existsSync(tgz) || !existsSync(vendor) || statSync(tgz).mtimeMs < sources) {
    const built = spawnSync('bash', [path.join(root, 'scripts/build-widget.sh')], { cwd: root, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`build-widget.sh failed:\n${built.stdout}\n${built.stderr}`);
  }
  return tgz;
}
