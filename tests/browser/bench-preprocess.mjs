// Browser preprocessing benchmark: the wasm build of `smart_tags_core::preprocess` (www/pkg) in
// headless Chromium, served by the real proxy, timed like tests/examples/bench_preprocess.rs,
// against the browser-native baseline (createImageBitmap + canvas resizes + getImageData) in the
// same iterations, on the main thread and in a Worker.
// Not a *.test.mjs file: the test runner does not pick it up. Run by scripts/bench-preprocess.sh.
//
// Usage: node tests/browser/bench-preprocess.mjs FILE...
// Env: ITERS (10): timed runs per file after 2 warm-ups.
//      WORKER (1): also time inside a dedicated module Worker (0 to skip).
// Needs target/release/smart-tags-{service,proxy} and www/pkg (bash scripts/build.sh), and
// `source scripts/env.sh` for the service.
//
// Prints one JSON line per file and thread ("main": the page's main thread; "worker": a dedicated
// module Worker, which is where the upload page runs it, see www/worker.js).
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startStack, scratchDir } from './harness.mjs';

const ITERS = Math.max(1, Number.parseInt(process.env.ITERS ?? '10', 10) || 10);
const WARMUPS = 2;
const WITH_WORKER = (process.env.WORKER ?? '1') !== '0';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node tests/browser/bench-preprocess.mjs FILE... (env ITERS, default 10)');
  process.exit(2);
}

// Chromium wants writable config and cache folders.
const scratch = scratchDir();
process.env.XDG_CONFIG_HOME ??= path.join(scratch, 'config');
process.env.XDG_CACHE_HOME ??= path.join(scratch, 'cache');

// The timing loop, as source text: it runs in the page (main thread) and in the worker alike.
// `m` is the wasm module; `bytes` a Uint8Array. Each iteration runs, in turn: our wasm path as
// www/worker.js runs it (`preprocess`: reduced-scale JPEG decode where it applies, thumbnail,
// colours, model input, metadata; the SHA-256 by crypto.subtle on another thread meanwhile), the
// same with every pixel decoded and the module's own SHA-256, and the browser-native baseline done
// fully — createImageBitmap, drawImage to the thumbnail size and getImageData (the colours' input),
// drawImage to the model-input size (shorter side 256, centre 224) and getImageData, and the
// thumbnail JPEG (convertToBlob) and SHA-256 (crypto.subtle) that our path also makes.
const TIMING_LOOP = `
async function timeAll(m, bytes, warmups, iters) {
  const fit = (w, h, longest) => { const l = Math.max(w, h); return l <= longest ? [w, h] : [Math.max(1, Math.round(w * longest / l)), Math.max(1, Math.round(h * longest / l))]; };
  async function baseline(blob, complete) {
    const bitmap = await createImageBitmap(blob);
    const [tw, th] = fit(bitmap.width, bitmap.height, 512);
    const thumb = new OffscreenCanvas(tw, th);
    const tctx = thumb.getContext('2d', { willReadFrequently: true });
    tctx.imageSmoothingQuality = 'high';
    tctx.drawImage(bitmap, 0, 0, tw, th);
    const thumbPixels = tctx.getImageData(0, 0, tw, th).data;
    const short = Math.min(bitmap.width, bitmap.height);
    const scale = 256 / short;
    const rw = Math.round(bitmap.width * scale), rh = Math.round(bitmap.height * scale);
    const model = new OffscreenCanvas(224, 224);
    const mctx = model.getContext('2d', { willReadFrequently: true });
    mctx.imageSmoothingQuality = 'high';
    mctx.drawImage(bitmap, -Math.floor((rw - 224) / 2), -Math.floor((rh - 224) / 2), rw, rh);
    const modelPixels = mctx.getImageData(0, 0, 224, 224).data;
    bitmap.close();
    if (thumbPixels.length !== tw * th * 4 || modelPixels.length !== 224 * 224 * 4) throw new Error('short getImageData');
    if (complete) {
      const jpeg = await thumb.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
      await crypto.subtle.digest('SHA-256', bytes);
      if (!jpeg.size) throw new Error('empty thumbnail');
    }
  }
  const blob = new Blob([bytes]);
  // A fresh PreprocessLimits per call: preprocess takes ownership of it.
  const full = () => new m.PreprocessLimits().withFullDecode();
  const t = { ours: [], full: [], baseline: [], complete: [], decode: [] };
  let facts = null;
  for (let i = 0; i < warmups + iters; i++) {
    // As www/worker.js does it: crypto.subtle hashes on another thread while the module decodes.
    let started = performance.now();
    const digest = crypto.subtle.digest('SHA-256', bytes);
    const r = m.preprocess(bytes, new m.PreprocessLimits().withoutHash());
    await digest;
    const ours = performance.now() - started;
    // Reading the outputs copies them out of wasm memory: not part of preprocess, not timed.
    if (facts === null) {
      facts = {
        width: r.width, height: r.height, format: r.format, orientation: r.orientation ?? null,
        decoder: r.decoder, thumbnail_bytes: r.thumbnail.length, thumbnail_width: r.thumbnailWidth,
        thumbnail_height: r.thumbnailHeight, model_input_bytes: r.modelInput.length,
      };
    }
    const decodeMs = r.timings?.decodeMs;
    r.free();
    started = performance.now();
    const f = m.preprocess(bytes, full());
    if (f.contentHash.length !== 64) throw new Error('the full path hashes in the module');
    if (f.decoder.startsWith('core-dct')) throw new Error('withFullDecode did not decode every pixel');
    f.free();
    const fullMs = performance.now() - started;
    started = performance.now();
    await baseline(blob, false);
    const baselineMs = performance.now() - started;
    started = performance.now();
    await baseline(blob, true);
    const completeMs = performance.now() - started;
    if (i >= warmups) {
      t.ours.push(ours); t.full.push(fullMs); t.baseline.push(baselineMs); t.complete.push(completeMs);
      if (decodeMs !== undefined) t.decode.push(decodeMs);
    }
  }
  const median = (v) => { if (!v.length) return null; v.sort((a, b) => a - b); const n = v.length; return n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2; };
  return {
    ...facts, min_ms: Math.min(...t.ours), median_ms: median(t.ours), full_median_ms: median(t.full),
    decode_median_ms: median(t.decode), baseline_median_ms: median(t.baseline), baseline_complete_median_ms: median(t.complete),
  };
}
`;

// The worker: imports the same pkg (absolute URL: a blob: module has no base to resolve against),
// then answers { bytes } with the timings.
const WORKER_SOURCE = (pkgUrl) => `
import init, * as m from ${JSON.stringify(pkgUrl)};
${TIMING_LOOP}
const ready = init();
self.onmessage = async (event) => {
  try {
    await ready;
    const { bytes, warmups, iters } = event.data;
    self.postMessage({ ok: true, result: await timeAll(m, bytes, warmups, iters) });
  } catch (e) {
    self.postMessage({ ok: false, error: String(e?.stack ?? e) });
  }
};
`;

const round3 = (x) => (typeof x === 'number' ? Math.round(x * 1000) / 1000 : x);

let stack;
try {
  stack = await startStack();
  // bypassCSP: the timing loop is shared with the worker as source text (new Function, blob: worker).
  const page = await stack.browser.newPage({ bypassCSP: true });
  page.on('pageerror', (e) => console.error(`[page error] ${e}`));
  page.on('console', (m) => { if (m.type() === 'error') console.error(`[page console] ${m.text()}`); });

  // Each file is served same-origin under a made-up path, straight from this process.
  const served = new Map();
  files.forEach((file, i) => served.set(`${i}-${path.basename(file)}`, readFileSync(file)));
  await page.route('**/bench-file/**', (route) => {
    const name = decodeURIComponent(new URL(route.request().url()).pathname.split('/bench-file/')[1] ?? '');
    const body = served.get(name);
    if (!body) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ status: 200, contentType: 'application/octet-stream', body });
  });

  await page.goto(stack.url);
  const browserVersion = stack.browser.version();
  const pkgUrl = `${stack.url}pkg/smart_tags_wasm.js`;

  for (const [name, body] of served) {
    const fileUrl = `${stack.url}bench-file/${encodeURIComponent(name)}`;
    const results = await page.evaluate(async ({ pkgUrl, fileUrl, warmups, iters, withWorker, timingLoop, workerSource }) => {
      // eslint-disable-next-line no-new-func
      const timeAll = new Function(`${timingLoop}; return timeAll;`)();
      const m = await import(pkgUrl);
      await m.default();
      const response = await fetch(fileUrl);
      if (!response.ok) throw new Error(`fetch ${fileUrl}: ${response.status}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const out = { main: await timeAll(m, bytes, warmups, iters) };
      if (withWorker) {
        const src = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
        const worker = new Worker(src, { type: 'module' });
        try {
          out.worker = await new Promise((resolve, reject) => {
            worker.onmessage = (e) => (e.data.ok ? resolve(e.data.result) : reject(new Error(e.data.error)));
            worker.onerror = (e) => reject(new Error(`worker: ${e.message}`));
            // A copy: the page keeps its bytes.
            worker.postMessage({ bytes: bytes.slice(), warmups, iters });
          });
        } finally {
          worker.terminate();
          URL.revokeObjectURL(src);
        }
      }
      return out;
    }, {
      pkgUrl, fileUrl, warmups: WARMUPS, iters: ITERS, withWorker: WITH_WORKER,
      timingLoop: TIMING_LOOP, workerSource: WORKER_SOURCE(pkgUrl),
    });

    const file = path.basename(files[Number.parseInt(name, 10)]);
    for (const thread of ['main', 'worker']) {
      const r = results[thread];
      if (!r) continue;
      const line = {
        engine: 'wasm-chromium', thread, browser: browserVersion, file, bytes: served.get(name).length,
        format: r.format, orientation: r.orientation, width: r.width, height: r.height, iters: ITERS,
        decoder: r.decoder, median_ms: round3(r.median_ms), min_ms: round3(r.min_ms),
        full_median_ms: round3(r.full_median_ms), decode_median_ms: round3(r.decode_median_ms),
        baseline_median_ms: round3(r.baseline_median_ms), baseline_complete_median_ms: round3(r.baseline_complete_median_ms),
        thumbnail_bytes: r.thumbnail_bytes, thumbnail_width: r.thumbnail_width, thumbnail_height: r.thumbnail_height,
        model_input_bytes: r.model_input_bytes,
      };
      console.log(JSON.stringify(line));
    }
  }
  await page.close();
} catch (e) {
  console.error(`bench-preprocess: ${e?.stack ?? e}`);
  if (stack) {
    console.error(`service output:\n${stack.service?.output ?? ''}\nproxy output:\n${stack.proxy?.output ?? ''}`);
  }
  process.exitCode = 1;
} finally {
  await stack?.stop();
  rmSync(scratch, { recursive: true, force: true });
}
