// www/preprocess-client.js and www/worker.js in headless Chromium, served by the real proxy: real
// photos through the wasm core (the 14.7 MP wallpaper decoded at a reduced scale, the iPhone
// photo with its EXIF), an ICO that only the browser decodes (decoder 'browser'), errors with
// their codes, the queue (one bad file never stops the others), cancelling a queued and a running
// file (AbortSignal and cancel), the time limit, and a worker URL that does not load.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startStack, fixture } from './harness.mjs';

const MODEL_INPUT_BYTES = 224 * 224 * 3;
let stack;
let page;
const problems = [];

before(async () => {
  stack = await startStack();
  page = await stack.browser.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(stack.url);
  await page.evaluate(async () => {
    window.client = await import('/preprocess-client.js');
  });
});

after(async () => {
  await stack?.stop();
});

const sha256 = (buffer) => createHash('sha256').update(buffer).digest('hex');

/// A 32-bit BMP-in-ICO of `width` x `height`, every pixel `[r, g, b]`, opaque: a format Chromium
/// decodes and core does not.
function ico(width, height, [r, g, b]) {
  const pixels = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) pixels.set([b, g, r, 255], i * 4); // BGRA, bottom-up
  const maskRow = Math.ceil(width / 32) * 4;
  const mask = Buffer.alloc(maskRow * height); // all 0: opaque
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(width, 4);
  header.writeInt32LE(height * 2, 8); // colour + mask
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  header.writeUInt32LE(pixels.length + mask.length, 20);
  const image = Buffer.concat([header, pixels, mask]);
  const dir = Buffer.alloc(6 + 16);
  dir.writeUInt16LE(0, 0);
  dir.writeUInt16LE(1, 2); // icon
  dir.writeUInt16LE(1, 4); // one image
  dir.writeUInt8(width % 256, 6);
  dir.writeUInt8(height % 256, 7);
  dir.writeUInt16LE(1, 10); // planes
  dir.writeUInt16LE(32, 12); // bits per pixel
  dir.writeUInt32LE(image.length, 14);
  dir.writeUInt32LE(22, 18);
  return Buffer.concat([dir, image]);
}

// The files' bytes reach the page through an intercepted URL (not through evaluate's JSON).
let served = 0;
async function serve(bytes) {
  const url = `${stack.url}test-files/${++served}`;
  await page.route(url, (route) => route.fulfill({ status: 200, body: bytes, contentType: 'application/octet-stream' }));
  return url;
}

// Runs files through one preprocessor in the page and returns plain results (bytes as lengths
// and a few samples, so they cross back to node cheaply).
async function run(files, options = {}, script = 'all') {
  const listed = [];
  for (const f of files) listed.push({ name: f.name, type: f.type, url: await serve(f.bytes) });
  return page.evaluate(async ({ files, options, script }) => {
    const pre = window.client.createPreprocessor(options);
    const summary = (r) => (r.ok ? {
      ...r,
      thumbnail: { length: r.thumbnail.length, head: [...r.thumbnail.slice(0, 3)] },
      modelInput: { length: r.modelInput.length, distinct: [...new Set(Array.from({ length: r.modelInput.length / 3 }, (_, i) => r.modelInput.slice(i * 3, i * 3 + 3).join(',')))].slice(0, 4) },
    } : r);
    const blobs = [];
    for (const f of files) blobs.push(new File([await (await fetch(f.url)).arrayBuffer()], f.name, { type: f.type ?? '' }));
    let results;
    if (script === 'all') {
      results = await Promise.all(blobs.map((b) => pre.preprocess(b)));
    } else if (script === 'cancel') {
      // [0] runs; [1] is aborted while queued; [2] is cancelled while running; [3] still works.
      const abort = new AbortController();
      const jobs = blobs.map((b, i) => pre.preprocess(b, i === 1 ? { signal: abort.signal } : {}));
      const started = performance.now();
      abort.abort();
      const second = await jobs[1];
      const abortMs = performance.now() - started;
      await jobs[0];
      await new Promise((r) => setTimeout(r, 30)); // [2] is running now
      const cancelled = pre.cancel(jobs[2].id);
      results = await Promise.all(jobs);
      results.push({ abortMs, cancelled, second });
    }
    pre.terminate();
    return results.map((r) => (r.ok === undefined ? r : summary(r)));
  }, { files: listed, options, script });
}

test('real photos: reduced-scale decode, hash and EXIF from the one wasm pass', async () => {
  const wallpaper = readFileSync(fixture('wallpapers/large-5120x2880.jpg'));
  const iphone = readFileSync(fixture('autorotate/image_exif.jpg'));
  const [w, p] = await run([
    { name: 'large.jpg', bytes: wallpaper, type: 'image/jpeg' },
    { name: 'iphone.jpg', bytes: iphone, type: 'image/jpeg' },
  ]);
  assert.equal(w.ok, true, JSON.stringify(w));
  assert.equal(w.decoder, 'core-dct-1/4');
  assert.deepEqual([w.width, w.height, w.thumbnailWidth, w.thumbnailHeight], [5120, 2880, 512, 288]);
  assert.equal(w.contentHash, sha256(wallpaper));
  assert.equal(w.modelInput.length, MODEL_INPUT_BYTES);
  assert.deepEqual(w.thumbnail.head, [0xff, 0xd8, 0xff]);
  assert.deepEqual(w.metadata, { width: 5120, height: 2880, format: 'jpeg' });
  assert.ok(w.colors.length >= 1 && w.colors.every((c) => c.name && c.hex.startsWith('#')));
  assert.ok(w.preprocessMs > 0 && w.timings.decodeMs > 0);

  assert.equal(p.ok, true, JSON.stringify(p));
  assert.equal(p.decoder, 'core-dct-1/4');
  assert.equal(p.contentHash, sha256(iphone));
  assert.deepEqual([p.width, p.height, p.orientation], [2448, 3264, 6]);
  assert.equal(p.metadata.make, 'Apple');
  assert.equal(p.metadata.model, 'iPhone 6');
  assert.equal(p.metadata.dateTimeOriginalIso, '2016-04-23T00:34:28');
  assert.equal(p.metadata.iso, 160);
  assert.equal(p.metadata.fNumber, 2.2);
  assert.equal(p.metadata.orientation, 6);
  console.log(`wallpaper ${w.preprocessMs.toFixed(0)} ms (${JSON.stringify(w.timings)}), iphone ${p.preprocessMs.toFixed(0)} ms`);
});

test('an ICO goes through the browser decoder and core makes the same outputs', async () => {
  const icon = ico(48, 32, [200, 30, 30]);
  const [r] = await run([{ name: 'favicon.ico', bytes: icon, type: 'image/x-icon' }]);
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.decoder, 'browser');
  assert.equal(r.format, 'ico');
  assert.deepEqual([r.width, r.height, r.thumbnailWidth, r.thumbnailHeight], [48, 32, 48, 32]);
  assert.equal(r.contentHash, sha256(icon));
  assert.equal(r.modelInput.length, MODEL_INPUT_BYTES);
  // A uniform icon gives a uniform model input of exactly its colour.
  assert.deepEqual(r.modelInput.distinct, ['200,30,30']);
  assert.equal(r.colors[0].name, 'red');
  assert.deepEqual(r.metadata, { width: 48, height: 32, format: 'ico' });
});

test('errors come back with codes and never stop the next file', async () => {
  const png = readFileSync(fixture('skimage/coffee.png'));
  const jpeg = readFileSync(fixture('autorotate/image_3.jpg'));
  const results = await run([
    { name: 'text.jpg', bytes: Buffer.from('this is not an image at all'), type: 'image/jpeg' },
    { name: 'cut.jpg', bytes: jpeg.subarray(0, jpeg.length / 2), type: 'image/jpeg' },
    { name: 'coffee.png', bytes: png, type: 'image/png' },
    { name: 'empty.png', bytes: Buffer.alloc(0), type: 'image/png' },
  ]);
  assert.deepEqual(results.map((r) => r.code ?? 'ok'), ['unsupported', 'corrupt', 'ok', 'corrupt']);
  assert.match(results[1].error, /^the image could not be decoded: the file is truncated$/);
  assert.equal(results[2].decoder, 'core');
  assert.equal(results[2].contentHash, sha256(png));
  for (const r of results.filter((r) => !r.ok)) assert.equal(r.error, r.error.toLowerCase());

  const [big] = await run([{ name: 'coffee.png', bytes: png }], { maxBytes: 1000 });
  assert.equal(big.code, 'too_large');
  const [many] = await run([{ name: 'coffee.png', bytes: png }], { maxPixels: 1000 });
  assert.equal(many.code, 'too_large');
  assert.match(many.error, /more than the limit of 1000 pixels/);
});

test('a queued file is cancelled at once, a running one by restarting the worker', async () => {
  const wallpaper = readFileSync(fixture('wallpapers/large-5120x2880.jpg'));
  const png = readFileSync(fixture('skimage/coffee.png'));
  const results = await run([
    { name: 'a.png', bytes: png },
    { name: 'b.jpg', bytes: wallpaper },
    { name: 'c.jpg', bytes: wallpaper },
    { name: 'd.png', bytes: png },
  ], {}, 'cancel');
  const [a, b, c, d, info] = results;
  assert.equal(a.ok, true);
  assert.equal(b.code, 'cancelled');
  assert.equal(info.second.code, 'cancelled');
  assert.ok(info.abortMs < 50, `a queued file is cancelled at once, took ${info.abortMs} ms`);
  assert.equal(info.cancelled, true);
  assert.equal(c.code, 'cancelled');
  assert.equal(d.ok, true, 'the file after a cancelled one runs in a fresh worker');
  assert.equal(d.contentHash, sha256(png));
});

test('the time limit stops a file and a worker that does not load is module_failed', async () => {
  const wallpaper = readFileSync(fixture('wallpapers/large-5120x2880.jpg'));
  const png = readFileSync(fixture('skimage/coffee.png'));
  const [slow] = await run([{ name: 'large.jpg', bytes: wallpaper }], { timeoutMs: 5 });
  assert.equal(slow.code, 'timeout');
  const [broken, again] = await run([{ name: 'a.png', bytes: png }, { name: 'b.png', bytes: png }], { workerUrl: '/no-such-worker.js' });
  assert.equal(broken.code, 'module_failed');
  assert.equal(again.code, 'module_failed');
  // An explicit worker URL (how the npm widget points at its own copy) works.
  const [ok] = await run([{ name: 'a.png', bytes: png }], { workerUrl: new URL('/worker.js', stack.url).href });
  assert.equal(ok.ok, true);
  assert.deepEqual(problems, []);
});
