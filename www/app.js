// The upload page. Files come from the picker, a folder, a drop (files and folders) or a paste;
// each one is prepared in the preprocessing worker (www/preprocess-client.js: thumbnail, model
// input, colours, content hash), its small model input is uploaded to the proxy with a progress
// bar, and the answer goes into the review session (wasm, docs/review-session.md), which the
// keyboard drives (www/upload/review.js). Failed and cancelled files can be retried; one bad file
// never stops the others. Timings go to performance marks (`st:<n>:…`) and to each card's
// data-timings, for the drop-to-tags benchmark.

import init, { ReviewSession, keyMap, keyAction, xmpSidecarName } from './pkg/smart_tags_wasm.js';
import { createPreprocessor } from './preprocess-client.js';
import { createApi } from './upload/api.js';
import { wireIntake, displayName } from './upload/intake.js';
import { createCard, setProgress, finishProgress, showFailure, showPrepared } from './upload/cards.js';
import { createReview } from './upload/review.js';
import { exportJson, exportCsv, exportXmp } from './upload/export.js';

const locale = (navigator.language || 'en').split(',')[0];
const $ = (id) => document.getElementById(id);
const results = $('results');
const statusLine = $('status');
const announcer = $('announcer');
const template = $('card');
const retryAll = $('retry-failed');
const IMAGE_EXTENSIONS = /\.(jpe?g|png|webp|gif|bmp|heic|heif|avif|tiff?)$/i;
const MAX_PARALLEL_TAGGING = 3;

const api = createApi({ locale, signInPlace: $('drop'), statusLine });
const preprocessor = createPreprocessor();
const ready = init();
let review;
let nextFile = 0;
let tagging = 0;
const waitingToTag = [];

function announce(text) {
  // Same text twice is still announced.
  announcer.textContent = announcer.textContent === text ? `${text}\u00a0` : text;
}

// One line for the whole batch; never written over the sign-in prompt.
function summarize() {
  if (document.querySelector('.sign-in')) return;
  const cards = [...results.querySelectorAll('.card')];
  const count = (state) => cards.filter((c) => c.dataset.state === state).length;
  const done = count('done');
  const failed = count('error');
  const cancelled = count('cancelled');
  const running = cards.length - done - failed - cancelled;
  retryAll.hidden = failed + cancelled === 0;
  const parts = [`${done} tagged`];
  if (failed) parts.push(`${failed} failed`);
  if (cancelled) parts.push(`${cancelled} cancelled`);
  statusLine.textContent = running
    ? `Working on ${running} image${running === 1 ? '' : 's'}… ${parts.join(', ')}.`
    : `Done. ${parts.join(', ')}.`;
}

// At most a few tagging calls at a time; the worker prepares the next files meanwhile.
async function tagSlot() {
  if (tagging < MAX_PARALLEL_TAGGING) { tagging++; return; }
  await new Promise((resolve) => waitingToTag.push(resolve));
}
function releaseSlot() {
  const next = waitingToTag.shift();
  if (next) next(); else tagging--;
}

function notAnImage(file) {
  if (file.type && !file.type.startsWith('image/')) return `not an image (${file.type})`;
  if (!file.type && !IMAGE_EXTENSIONS.test(file.name)) return 'not an image file';
  return null;
}

async function runFile(card, file, job) {
  const name = displayName(file);
  const controller = new AbortController();
  const { signal } = controller;
  card.querySelector('.cancel').onclick = () => controller.abort();
  card.dataset.state = 'tagging';
  const mark = (what) => performance.mark(`st:${job}:${what}`);
  const timings = {};
  mark('start');
  try {
    const refusal = notAnImage(file);
    if (refusal) return showFailure(card, 'error', `${name}: ${refusal}`);
    setProgress(card, 'preparing');
    const t0 = performance.now();
    const prepared = await preprocessor.preprocess(file, { signal });
    timings.preprocess = performance.now() - t0;
    mark('prepared');
    if (!prepared.ok) {
      return showFailure(card, prepared.code === 'cancelled' ? 'cancelled' : 'error', `${name}: ${prepared.error}`);
    }
    showPrepared(card, file, prepared);
    card.dataset.hash = prepared.contentHash;
    const asset = { hash: prepared.contentHash, modelInput: prepared.modelInput, colors: prepared.colors };
    card.asset = asset;
    setProgress(card, 'uploading', 0);
    await tagSlot();
    let answer;
    const t1 = performance.now();
    try {
      if (signal.aborted) throw new DOMException('cancelled', 'AbortError');
      answer = await api.tag(asset, {
        signal,
        onProgress: (loaded, total) => setProgress(card, 'uploading', total ? loaded / total : 0),
        onUploaded: () => setProgress(card, 'tagging'),
      });
    } finally {
      releaseSlot();
    }
    timings.uploadTag = performance.now() - t1;
    mark('tagged');
    card.dataset.sentBytes = String(answer.sentBytes);
    await ready;
    const t2 = performance.now();
    review.upsert(card, name, answer);
    finishProgress(card, 'Done');
    // On screen: after the next frame is painted.
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    timings.render = performance.now() - t2;
    mark('rendered');
    timings.total = performance.now() - t0;
    card.dataset.timings = JSON.stringify(timings);
    announce(`Tagged ${name}`);
  } catch (e) {
    const cancelled = e?.name === 'AbortError';
    showFailure(card, cancelled ? 'cancelled' : 'error', cancelled ? `${name}: cancelled` : `${name}: ${e.message}`);
    if (!cancelled) announce(`${name} could not be tagged: ${e.message}`);
  } finally {
    card.querySelector('.cancel').onclick = null;
    summarize();
  }
}

function startFile(file) {
  const card = createCard(template, displayName(file));
  card.querySelector('.message').textContent = 'Waiting…';
  card.file = file;
  results.append(card);
  wireCard(card);
  return runFile(card, file, nextFile++);
}

function retry(card) {
  if (card.dataset.state !== 'error' && card.dataset.state !== 'cancelled') return undefined;
  review?.forget(card);
  return runFile(card, card.file, nextFile++);
}

// The add-a-tag box: suggestions from the taxonomy in the page's locale; the tag goes to the
// selected images (or this one).
function wireCard(card) {
  card.querySelector('.retry').addEventListener('click', () => retry(card));
  card.querySelector('.retag').addEventListener('click', async () => {
    if (!card.asset) return;
    card.dataset.state = 'tagging';
    setProgress(card, 'uploading', 0);
    try {
      const answer = await api.tag(card.asset, {
        force: true,
        onProgress: (loaded, total) => setProgress(card, 'uploading', total ? loaded / total : 0),
        onUploaded: () => setProgress(card, 'tagging'),
      });
      review.upsert(card, card.querySelector('.name').textContent, answer);
      finishProgress(card, 'Done');
      announce(`Tagged ${card.querySelector('.name').textContent} again`);
    } catch (e) {
      card.dataset.state = 'done';
      finishProgress(card, 'Done');
      card.querySelector('.message').textContent = e.message;
      announce(e.message);
    }
  });
  const form = card.querySelector('.add');
  const input = form.querySelector('input');
  const options = card.querySelector('datalist');
  options.id = `suggest-${nextFile}-${Math.random().toString(36).slice(2, 8)}`;
  input.setAttribute('list', options.id);
  let found = [];
  const lookup = async (q) => {
    try {
      found = (await api.suggest(q)).tags;
    } catch {
      found = []; // suggestions are a convenience
    }
    return found;
  };
  input.addEventListener('input', async () => {
    const q = input.value.trim();
    if (!q) return;
    const tags = await lookup(q);
    if (input.value.trim() !== q) return;
    options.replaceChildren(...tags.map((t) => Object.assign(document.createElement('option'), { value: t.title, label: t.path.join(' › ') })));
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') { input.value = ''; review?.focusCard(card.dataset.hash); }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (!value || !review) return;
    const lower = value.toLowerCase();
    const match = (list) => list.find((t) => t.id === value) ?? list.find((t) => t.title.toLowerCase() === lower);
    const tag = match(found) ?? match(await lookup(value));
    if (!tag) {
      card.querySelector('.message').textContent = `No taxonomy tag is called “${value}”.`;
      announce(`No taxonomy tag is called ${value}`);
      return;
    }
    card.querySelector('.message').textContent = '';
    const keys = review.targets().includes(card.dataset.hash) ? review.targets() : [card.dataset.hash];
    input.value = '';
    await review.add(keys, tag);
    review.focusCard(card.dataset.hash);
  });
}

async function handleFiles(files) {
  if (files.length === 0) return;
  statusLine.textContent = `Preparing ${files.length} image${files.length === 1 ? '' : 's'}…`;
  await Promise.all(files.map(startFile));
}

async function retryFailed() {
  const failed = [...results.querySelectorAll('.card[data-state="error"], .card[data-state="cancelled"]')];
  announce(`Retrying ${failed.length} file${failed.length === 1 ? '' : 's'}`);
  await Promise.all(failed.map(retry));
}
retryAll.addEventListener('click', retryFailed);

wireIntake({ drop: $('drop'), fileInput: $('file'), folderInput: $('folder'), onFiles: handleFiles });

const help = $('help');
$('help-button').addEventListener('click', () => review?.help());

ready.then(() => {
  const session = new ReviewSession({ minConfidence: 0.5 });
  const exportsBar = document.querySelector('.exports');
  review = createReview({
    session, keyAction, keyMap, api, results, announce,
    slider: $('threshold'), sliderOutput: $('threshold-output'), help,
    onExport: () => exportsBar.querySelector('button').focus(),
  });
  $('export-json').addEventListener('click', () => { exportJson(session); announce('Exported JSON'); });
  $('export-csv').addEventListener('click', () => { exportCsv(session); announce('Exported CSV'); });
  $('export-xmp').addEventListener('click', async () => {
    const count = await exportXmp(session, review.name, xmpSidecarName);
    announce(`Exported ${count} XMP sidecar${count === 1 ? '' : 's'}`);
  });
  document.body.dataset.ready = 'true';
}).catch(() => {
  statusLine.textContent = 'The review module could not be loaded; reload the page.';
});

// For the tests and the benchmark: the page's own state, read-only.
window.smartTags = { get review() { return review; }, retryFailed };
