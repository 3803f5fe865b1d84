// Drop-to-tags benchmark: the time from dropping a photo on the upload page to its tags on screen,
// in headless Chromium against the real proxy and service. Not a *.test.mjs file: the test
// runner does not pick it up. Run by scripts/bench-drop-to-tags.sh.
//
// Usage: node tests/browser/bench-drop-to-tags.mjs [FILE]   (default: the 14.7 MP wallpaper)
// Env: RUNS (7): timed drops after WARMUPS (2) untimed ones.
//
// Each drop carries the photo with a different JPEG comment segment (COM) after the start-of-image
// marker, so its SHA-256 is new and the service runs the model every time (no stored answer is
// reused) while the pixels stay the same. The clock starts in the page right before the drop
// event is dispatched and stops when the page marks the card rendered (its tags in the DOM and a
// frame painted after them). The split comes from the page's own performance marks:
// intake (drop → file handed to the worker), preprocess (worker: decode, orientation, thumbnail,
// model input, colours, hash), upload + tag (the proxy call, model included), render.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startStack, fixture, scratchDir } from './harness.mjs';

const RUNS = Math.max(1, Number.parseInt(process.env.RUNS ?? '7', 10) || 7);
const WARMUPS = Math.max(0, Number.parseInt(process.env.WARMUPS ?? '2', 10));
const file = process.argv[2] ?? fixture('wallpapers/large-5120x2880.jpg');
const original = readFileSync(file);
if (original[0] !== 0xff || original[1] !== 0xd8) throw new Error(`${file} is not a JPEG`);

const scratch = scratchDir();
process.env.XDG_CONFIG_HOME ??= path.join(scratch, 'config');
process.env.XDG_CACHE_HOME ??= path.join(scratch, 'cache');

// SOI, then a COM segment naming the run, then the rest of the file.
function variant(run) {
  const text = Buffer.from(`smart-tags bench run ${run} ${Date.now()}`);
  const segment = Buffer.alloc(4 + text.length);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(text.length + 2, 2);
  text.copy(segment, 4);
  return Buffer.concat([original.subarray(0, 2), segment, original.subarray(2)]);
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

const stack = await startStack();
try {
  const page = await stack.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(stack.url);
  await page.locator('body[data-ready="true"]').waitFor();
  const name = path.basename(file);
  const rows = [];
  for (let run = 0; run < WARMUPS + RUNS; run++) {
    const bytes = variant(run);
    const fileName = `run-${run}-${name}`;
    await page.evaluate(({ base64, fileName }) => {
      const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      window.benchTransfer = new DataTransfer();
      window.benchTransfer.items.add(new File([data], fileName, { type: 'image/jpeg' }));
    }, { base64: bytes.toString('base64'), fileName });
    const row = await page.evaluate((fileName) => new Promise((resolve, reject) => {
      const marksBefore = new Set(performance.getEntriesByType('mark').map((m) => m.name));
      const started = performance.now();
      const timer = setTimeout(() => reject(new Error('no tags after 60 s')), 60_000);
      const poll = () => {
        const card = [...document.querySelectorAll('.card')].find((c) => c.querySelector('.name').textContent === fileName);
        if (card?.dataset.state === 'error') { clearTimeout(timer); reject(new Error(card.querySelector('.message').textContent)); return; }
        if (!card?.dataset.timings) { setTimeout(poll, 2); return; }
        clearTimeout(timer);
        const marks = Object.fromEntries(performance.getEntriesByType('mark')
          .filter((m) => !marksBefore.has(m.name) && m.name.startsWith('st:'))
          .map((m) => [m.name.split(':')[2], m.startTime]));
        resolve({
          total: marks.rendered - started,
          intake: marks.start - started,
          preprocess: marks.prepared - marks.start,
          upload_tag: marks.tagged - marks.prepared,
          render: marks.rendered - marks.tagged,
          tags: card.querySelectorAll('.tag').length,
          sent_bytes: Number(card.dataset.sentBytes),
        });
      };
      document.getElementById('drop').dispatchEvent(new DragEvent('drop', { dataTransfer: window.benchTransfer, bubbles: true, cancelable: true }));
      poll();
    }), fileName);
    const timed = run >= WARMUPS;
    console.log(JSON.stringify({ run, warmup: !timed, file: name, bytes: bytes.length, ...row }));
    if (timed) rows.push(row);
  }
  const browser = stack.browser.version();
  const f = (x) => x.toFixed(1);
  console.log(`\n### Drop to tags on screen: ${name} (${(original.length / 1e6).toFixed(2)} MB), ${RUNS} runs after ${WARMUPS} warm-ups, Chromium ${browser}\n`);
  console.log('| | median ms | min ms | max ms |');
  console.log('|---|---:|---:|---:|');
  for (const [label, field] of [['drop → tags on screen', 'total'], ['intake (drop → worker)', 'intake'],
    ['preprocess (worker)', 'preprocess'], ['upload + tag (proxy, service, model)', 'upload_tag'], ['render', 'render']]) {
    const v = rows.map((r) => r[field]);
    console.log(`| ${label} | ${f(median(v))} | ${f(Math.min(...v))} | ${f(Math.max(...v))} |`);
  }
  console.log(`\nGoal: under 500 ms. Median ${f(median(rows.map((r) => r.total)))} ms; ${rows[0].sent_bytes.toLocaleString('en-US')} bytes sent per drop.`);
} finally {
  await stack.stop();
}
