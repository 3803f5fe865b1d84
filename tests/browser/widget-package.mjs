// The packed widget for the browser tests: runs scripts/build-widget.sh when the tarball (or the
// demo page's copy) is missing or older than any of its sources, so a test after scripts/build.sh
// does not pack it again, and a test after an edit never runs a stale package.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { root, freePort } from './harness.mjs';

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

/**
 * Starts scripts/widget-registry.sh (Verdaccio keeping its packages in `folder`, the current
 * tarball published) and answers its URL and a stop function once the package can be installed.
 */
export async function startWidgetRegistry(folder) {
  ensureWidgetPackage();
  const port = await freePort();
  const child = spawn('bash', [path.join(root, 'scripts/widget-registry.sh'), '--folder', folder, '--port', String(port)],
    { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const stop = () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ } };
  // Never left running, even when the test run is killed.
  process.once('exit', stop);
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { stop(); reject(new Error(`widget-registry.sh was not ready in 120 s:\n${output}`)); }, 120_000);
    const read = (chunk) => {
      output += chunk;
      const ready = /==> ready: (\S+)/.exec(output);
      if (ready) { clearTimeout(timer); resolve(ready[1]); }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`widget-registry.sh exited (${code}):\n${output}`)); });
  });
  return { url, stop, output: () => output };
}
