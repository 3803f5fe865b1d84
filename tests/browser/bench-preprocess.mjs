// Browser preprocessing benchmark: the wasm build of `smart_tags_core::preprocess` (www/pkg) in
// headless Chromium, served by the real proxy, timed like tests/examples/bench_preprocess.rs.
// Not a *.test.mjs file: the test runner does not pick it up. Run by scripts/bench-preprocess.sh.
//
// Usage: node tests/browser/bench-preprocess.mjs FILE...
// Env: ITERS (10): timed runs per file after 2 warm-ups.
//      WORKER (1): also time inside a dedicated module Worker (0 to skip).
//      BROWSER_DECODE (1): also time Chromium's own decoder, createImageBitmap (0 to skip).
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
const WITH_BROWSER_DECODE = (process.env.BROWSER_DECODE ?? '1') !== '0';

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
// `preprocess` is the wasm export; `bytes` a Uint8Array. Returns the same fields as the native bench.
const TIMING_LOOP = `
async function timePreprocess(preprocess, bytes, warmups, iters) {
  const times = [];
  let facts = null;
  for (let i = 0; i < warmups + iters; i++) {
    const started = performance.now();
    const r = preprocess(bytes);
    const elapsed = performance.now() - started;
    // Reading the outputs copies them out of wasm memory: not part of preprocess, not timed.
    if (facts === null) {
      facts = {
        width: r.width, height: r.height, format: r.format, orientation: r.orientation ?? null,
        thumbnail_bytes: r.thumbnail.length, thumbnail_width: r.thumbnailWidth,
        thumbnail_height: r.thumbnailHeight, model_input_bytes: r.modelInput.length,
      };
    }
    r.free();
    if (i >= warmups) times.push(elapsed);
  }
  times.sort((a, b) => a - b);
  const n = times.length;
  const median = n % 2 ? times[(n - 1) / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
  return { ...facts, median_ms: median, min_ms: times[0] };
}
`;

// The worker: imports the same pkg (absolute URL: a blob: module has no base to resolve against),
// then answers { bytes } with the timing of preprocess on them.
const WORKER_SOURCE = (pkgUrl) => `
import init, { preprocess } from ${JSON.stringify(pkgUrl)};
${TIMING_LOOP}
const ready = init();
self.onmessage = async (event) => {
  try {
    await ready;
    const { bytes, warmups, iters } = event.data;
    self.postMessage({ ok: true, result: await timePreprocess(preprocess, bytes, warmups, iters) });
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
    const results = await page.evaluate(async ({ pkgUrl, fileUrl, warmups, iters, withWorker, withBrowserDecode, timingLoop, workerSource }) => {
      // eslint-disable-next-line no-new-func
      const timePreprocess = new Function(`${timingLoop}; return timePreprocess;`)();
      const m = await import(pkgUrl);
      await m.default();
      const response = await fetch(fileUrl);
      if (!response.ok) throw new Error(`fetch ${fileUrl}: ${response.status}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const out = { main: await timePreprocess(m.preprocess, bytes, warmups, iters) };

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

      if (withBrowserDecode) {
        // Chromium's own decoder (libjpeg-turbo / libpng, EXIF applied), for comparison: a full
        // decode to an ImageBitmap, and the same plus reading the RGBA pixels back.
        const blob = new Blob([bytes]);
        const median = (t) => { t.sort((a, b) => a - b); const n = t.length; return n % 2 ? t[(n - 1) / 2] : (t[n / 2 - 1] + t[n / 2]) / 2; };
        const bitmapTimes = [];
        const pixelTimes = [];
        for (let i = 0; i < warmups + iters; i++) {
          let t0 = performance.now();
          let bitmap = await createImageBitmap(blob);
          const tBitmap = performance.now() - t0;
          bitmap.close();
          t0 = performance.now();
          bitmap = await createImageBitmap(blob);
          const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
          const ctx = canvas.getContext('2d', { willReadFrequently: true });
          ctx.drawImage(bitmap, 0, 0);
          const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
          const tPixels = performance.now() - t0;
          if (data.length !== bitmap.width * bitmap.height * 4) throw new Error('short getImageData');
          bitmap.close();
          if (i >= warmups) { bitmapTimes.push(tBitmap); pixelTimes.push(tPixels); }
        }
        out.browserDecode = { bitmap_median_ms: median(bitmapTimes), pixels_median_ms: median(pixelTimes) };
      }
      return out;
    }, {
      pkgUrl, fileUrl, warmups: WARMUPS, iters: ITERS,
      withWorker: WITH_WORKER, withBrowserDecode: WITH_BROWSER_DECODE,
      timingLoop: TIMING_LOOP, workerSource: WORKER_SOURCE(pkgUrl),
    });

    const file = path.basename(files[Number.parseInt(name, 10)]);
    for (const thread of ['main', 'worker']) {
      const r = results[thread];
      if (!r) continue;
      const line = {
        engine: 'wasm-chromium', thread, browser: browserVersion, file, bytes: served.get(name).length,
        format: r.format, orientation: r.orientation, width: r.width, height: r.height, iters: ITERS,
        median_ms: round3(r.median_ms), min_ms: round3(r.min_ms),
        thumbnail_bytes: r.thumbnail_bytes, thumbnail_width: r.thumbnail_width, thumbnail_height: r.thumbnail_height,
        model_input_bytes: r.model_input_bytes,
      };
      if (thread === 'main' && results.browserDecode) {
        line.chromium_bitmap_decode_median_ms = round3(results.browserDecode.bitmap_median_ms);
        line.chromium_decode_to_pixels_median_ms = round3(results.browserDecode.pixels_median_ms);
      }
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
