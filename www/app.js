// The upload page. Files come from the picker, a folder, a drop (files and folders) or a paste;
// each one is prepared in the preprocessing worker (www/preprocess-client.js: thumbnail, model
// input, colours, content hash), its small model input is uploaded to the proxy with a progress
// bar, and the answer goes into the review session (wasm, docs/review-session.md), which the
// keyboard drives (www/upload/review.js). Each file runs the workflow of the page's folder
// (www/widget/workflow.js, shared with the widget: thumbnails, smart tags with the step's timeout,
// retries and backoff, colour tags); a step that failed or was skipped gets a badge, a file whose
// smart tags failed under Ignore Errors is done and can be re-tagged later. Failed and cancelled
// files can be retried; one bad file never stops the others. Timings go to performance marks (`st:<n>:…`) and to each card's
// data-timings, for the drop-to-tags benchmark.

import init, { ReviewSession, keyMap, keyAction, xmpSidecarName } from './pkg/smart_tags_wasm.js';
import { createPreprocessor } from './preprocess-client.js';
import { createApi } from './upload/api.js';
import { wireIntake, displayName } from './upload/intake.js';
import { createCard, setProgress, finishProgress, showFailure, showPrepared, showSteps, renderSimilar } from './upload/cards.js';
import { createWorkflowSource, runAsset, retagAsset, describeStep, describePeople, describeText, describeDuplicates } from './widget/workflow.js';
import { createReview } from './upload/review.js';
import { exportJson, exportCsv, exportXmp } from './upload/export.js';

const locale = (navigator.language || 'en').split(',')[0];
const $ = (id) => document.getElementById(id);
const results = $('results');
const statusLine = $('status');
const announcer = $('announcer');
const template = $('card');
const retryAll = $('retry-failed');
const folderField = $('dam-folder');
const workflowStatus = $('workflow-status');
const IMAGE_EXTENSIONS = /\.(jpe?g|png|webp|gif|bmp|heic|heif|avif|tiff?)$/i;
const MAX_PARALLEL_TAGGING = 3;

const api = createApi({ locale, signInPlace: $('drop'), statusLine });
const preprocessor = createPreprocessor();
const workflows = createWorkflowSource((path, options) => api.getJson(path, options));
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
  const untagged = cards.filter((c) => c.dataset.state === 'done' && c.dataset.tagging).length;
  retryAll.hidden = failed + cancelled === 0;
  const parts = [`${done - untagged} tagged`];
  if (untagged) parts.push(`${untagged} uploaded without smart tags`);
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

// The folder's workflow, read once per batch (the last answer stands in when the proxy cannot be
// asked); the status line under the folder field says what applies. `quiet` (reading ahead, when
// the page opens or the folder changes) never asks for a sign-in.
let workflowReads = 0;
function loadWorkflow({ quiet = false } = {}) {
  const folder = folderField.value.trim() || '/';
  const loading = workflows.load(folder, { quiet });
  const read = ++workflowReads;
  loading.then((loaded) => {
    if (read !== workflowReads) return; // a later read says what applies now
    const smart = loaded.workflow.steps.find((s) => s.kind === 'smart_tags');
    const where = loaded.folder?.set_on ? ` (set on ${loaded.folder.set_on})` : '';
    const tagging = !smart?.enabled ? 'smart tags switched off in the workflow'
      : loaded.folder?.enabled === false ? `smart tagging is off for ${loaded.folder.path}${where}`
        : `smart tagging is on for ${loaded.folder?.path ?? folder}${where}`;
    const version = loaded.version ? `Workflow v${loaded.version}` : 'Default workflow';
    workflowStatus.textContent = `${version}${loaded.stale ? ' (last known)' : ''} · ${tagging}`;
    workflowStatus.dataset.version = String(loaded.version ?? '');
    workflowStatus.dataset.folder = loaded.folder?.path ?? folder;
  }, (e) => { if (read === workflowReads) workflowStatus.textContent = e.message; });
  return loading;
}

// A stored asset's name on this page: its DAM id, else the file of this session with its bytes,
// else the start of its hash.
function nameOfAsset(asset) {
  if (asset.asset_id) return asset.asset_id;
  const card = [...results.querySelectorAll('.card')].find((c) => c.dataset.hash && c.dataset.hash === asset.content_hash);
  return card ? card.querySelector('.name').textContent : `a stored image (${(asset.content_hash ?? '').slice(0, 8)}…)`;
}

// "Similar": the stored images that look most like this card's, or closes the list.
async function toggleSimilar(card) {
  if (card.querySelector('.similar')) return renderSimilar(card, null, nameOfAsset);
  if (!card.asset || card.dataset.state !== 'done') return undefined;
  try {
    const answer = await api.similar(card.asset.hash);
    renderSimilar(card, answer.similar, nameOfAsset);
    announce(answer.similar.length ? `${answer.similar.length} similar images` : 'No similar image stored yet');
  } catch (e) {
    announce(e.message);
    card.querySelector('.message').textContent = e.message;
  }
  return undefined;
}

// What the card shows of a workflow result: the badges, and whether its smart tags are missing.
function showResult(card, result) {
  card.result = result;
  card.dataset.outcome = result.outcome;
  const smart = result.steps.find((s) => s.step === 'smart_tags');
  if (smart && smart.status !== 'succeeded' && result.outcome !== 'failed') card.dataset.tagging = smart.status;
  else delete card.dataset.tagging;
  showSteps(card, result.steps.filter((s) => s.status !== 'succeeded' && s.code !== 'disabled').map((s) => ({ status: s.status, text: describeStep(s) })));
  card.querySelector('.people').textContent = describePeople(result.people);
  card.querySelector('.words').textContent = describeText(result.text);
  card.querySelector('.duplicates').textContent = describeDuplicates(result.duplicates, nameOfAsset);
  // Without smart tags, the colour step's colours are the browser's own.
  card.querySelector('.summary').textContent = result.colors?.length
    ? `Colours measured in the browser: ${result.colors.map((c) => `${c.name} ${Math.round(c.coverage * 100)}%`).join(', ')}`
    : '';
}

async function showAnswer(card, name, answer, result) {
  await ready;
  review.upsert(card, name, { ...answer, tags: result.tags });
}

async function runFile(card, file, job, flow = loadWorkflow()) {
  const name = displayName(file);
  const controller = new AbortController();
  const { signal } = controller;
  card.querySelector('.cancel').onclick = () => controller.abort();
  card.dataset.state = 'tagging';
  delete card.dataset.tagging;
  showSteps(card, []);
  const mark = (what) => performance.mark(`st:${job}:${what}`);
  const timings = {};
  let holdsSlot = false;
  mark('start');
  try {
    const refusal = notAnImage(file);
    if (refusal) return showFailure(card, 'error', `${name}: ${refusal}`);
    setProgress(card, 'preparing');
    const { workflow, folder } = await flow;
    card.workflow = workflow;
    card.folder = folder?.path ?? '/';
    const t0 = performance.now();
    const { result, answer } = await runAsset({
      workflow,
      folder: card.folder,
      signal,
      prepare: async () => {
        const prepared = await preprocessor.preprocess(file, { signal });
        timings.preprocess = performance.now() - t0;
        mark('prepared');
        if (!prepared.ok) throw Object.assign(new Error(prepared.error), { code: prepared.code });
        showPrepared(card, file, prepared);
        card.dataset.hash = prepared.contentHash;
        card.asset = { hash: prepared.contentHash, modelInput: prepared.modelInput, thumbnail: prepared.thumbnail, colors: prepared.colors };
        setProgress(card, 'uploading', 0);
        await tagSlot();
        holdsSlot = true;
        return { contentHash: prepared.contentHash, colors: prepared.colors };
      },
      tag: (options, { signal: attempt }) => tagOnce(card, options, attempt),
    });
    if (holdsSlot) { holdsSlot = false; releaseSlot(); }
    timings.uploadTag = performance.now() - t0 - (timings.preprocess ?? 0);
    mark('tagged');
    showResult(card, result);
    if (result.outcome === 'failed') {
      const failed = result.steps.find((s) => s.status === 'failed');
      showFailure(card, 'error', `${name}: ${failed.reason ?? describeStep(failed)}`);
      announce(`${name} could not be tagged: ${failed.reason ?? describeStep(failed)}`);
      return undefined;
    }
    const t2 = performance.now();
    if (answer) await showAnswer(card, name, answer, result);
    else card.dataset.state = 'done';
    finishProgress(card, 'Done');
    // On screen: after the next frame is painted.
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    timings.render = performance.now() - t2;
    mark('rendered');
    timings.total = performance.now() - t0;
    card.dataset.timings = JSON.stringify(timings);
    const smart = result.steps.find((s) => s.step === 'smart_tags');
    announce(answer ? `Tagged ${name}` : `Uploaded ${name}: ${describeStep(smart)}`);
  } catch (e) {
    const cancelled = e?.name === 'AbortError' || e?.code === 'cancelled';
    showFailure(card, cancelled ? 'cancelled' : 'error', cancelled ? `${name}: cancelled` : `${name}: ${e.message}`);
    if (!cancelled) announce(`${name} could not be tagged: ${e.message}`);
  } finally {
    if (holdsSlot) releaseSlot();
    card.querySelector('.cancel').onclick = null;
    summarize();
  }
  return undefined;
}

// One attempt of the smart tags step for a prepared card (the workflow retries it).
async function tagOnce(card, { folder, ignoreSmartTagFlag, force, withThumbnail }, signal) {
  setProgress(card, 'uploading', 0);
  const answer = await api.tag(card.asset, {
    folder, ignoreSmartTagFlag, force, withThumbnail, signal,
    onProgress: (loaded, total) => setProgress(card, 'uploading', total ? loaded / total : 0),
    onUploaded: () => setProgress(card, 'tagging'),
  });
  card.dataset.sentBytes = String(answer.sentBytes);
  return answer;
}

function startFile(file, flow) {
  const card = createCard(template, displayName(file));
  card.querySelector('.message').textContent = 'Waiting…';
  card.file = file;
  results.append(card);
  wireCard(card);
  return runFile(card, file, nextFile++, flow);
}

function retry(card) {
  if (card.dataset.state !== 'error' && card.dataset.state !== 'cancelled') return undefined;
  review?.forget(card);
  return runFile(card, card.file, nextFile++);
}

// Re-tag: the smart tags step again, with the folder's workflow as it is now. A card that has tags
// is tagged again by force (the model runs again; decisions stay); one whose smart tags failed is
// tagged for the first time.
async function retag(card) {
  if (!card.asset || !card.result) return;
  const name = card.querySelector('.name').textContent;
  const hadTags = !card.dataset.tagging;
  card.dataset.state = 'tagging';
  setProgress(card, 'uploading', 0);
  try {
    const { workflow, folder } = await workflows.load(card.folder ?? folderField.value);
    card.workflow = workflow;
    const previous = { ...card.result, folder: folder?.path ?? card.result.folder };
    const prepared = { contentHash: card.asset.hash, colors: card.asset.colors };
    const { result, answer } = await retagAsset({
      workflow, previous, prepared, force: hadTags, tag: (options, { signal }) => tagOnce(card, options, signal),
    });
    showResult(card, result);
    if (answer) await showAnswer(card, name, answer, result);
    card.dataset.state = 'done';
    finishProgress(card, 'Done');
    const smart = result.steps.find((s) => s.step === 'smart_tags');
    if (answer) announce(hadTags ? `Tagged ${name} again` : `Tagged ${name}`);
    else {
      card.querySelector('.message').textContent = describeStep(smart);
      announce(`${name}: ${describeStep(smart)}`);
    }
  } catch (e) {
    card.dataset.state = 'done';
    finishProgress(card, 'Done');
    card.querySelector('.message').textContent = e.message;
    announce(e.message);
  } finally {
    summarize();
  }
}

// The add-a-tag box: suggestions from the taxonomy in the page's locale; the tag goes to the
// selected images (or this one).
function wireCard(card) {
  card.querySelector('.retry').addEventListener('click', () => retry(card));
  card.querySelector('.retag').addEventListener('click', () => retag(card));
  card.querySelector('.similar-button').addEventListener('click', () => toggleSimilar(card));
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
      return []; // suggestions are a convenience: keep what the list shows
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
    if (event.key === 'Escape') {
      input.value = '';
      card.querySelector('.message').textContent = '';
      review?.focusCard(card.dataset.hash);
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (!value || !review) return;
    const lower = value.toLowerCase();
    const match = (list) => list.find((t) => t.id === value) ?? list.find((t) => t.title.toLowerCase() === lower);
    // A title the list already shows needs no round trip. Enter on a partial title takes the one
    // suggestion that completes it ("Dog" → Dogs); with several ("Cat" → Cats, Caterpillars)
    // none is guessed: they are named below.
    let tag = match(found);
    let suggested = found;
    if (!tag) {
      suggested = await lookup(value);
      const completions = suggested.filter((t) => t.title.toLowerCase().startsWith(lower));
      tag = match(suggested) ?? (completions.length === 1 ? completions[0] : undefined);
    }
    if (!tag) {
      const others = suggested.slice(0, 3).map((t) => t.title);
      const hint = others.length ? ` Did you mean ${others.join(', ')}?` : '';
      card.querySelector('.message').textContent = `No taxonomy tag is called “${value}”.${hint} Esc goes back to the review.`;
      announce(`No taxonomy tag is called ${value}.${hint} Escape goes back to the review.`);
      return;
    }
    card.querySelector('.message').textContent = '';
    const keys = review.targets().includes(card.dataset.hash) ? review.targets() : [card.dataset.hash];
    input.value = '';
    // Back to the review at once, so the next key (z, j, a…) acts there while the add is saved.
    const saved = review.add(keys, tag);
    review.focusCard(card.dataset.hash);
    await saved;
  });
}

async function handleFiles(files) {
  if (files.length === 0) return;
  statusLine.textContent = `Preparing ${files.length} image${files.length === 1 ? '' : 's'}…`;
  const flow = loadWorkflow();
  await Promise.all(files.map((file) => startFile(file, flow)));
}

async function retryFailed() {
  const failed = [...results.querySelectorAll('.card[data-state="error"], .card[data-state="cancelled"]')];
  announce(`Retrying ${failed.length} file${failed.length === 1 ? '' : 's'}`);
  await Promise.all(failed.map(retry));
}
retryAll.addEventListener('click', retryFailed);

wireIntake({ drop: $('drop'), fileInput: $('file'), folderInput: $('folder'), onFiles: handleFiles });
folderField.addEventListener('change', () => { loadWorkflow({ quiet: true }).catch(() => {}); });
loadWorkflow({ quiet: true }).catch(() => {});

const help = $('help');
$('help-button').addEventListener('click', () => review?.help());

ready.then(() => {
  const session = new ReviewSession({ minConfidence: 0.5 });
  review = createReview({
    session, keyAction, keyMap, api, results, announce,
    slider: $('threshold'), sliderOutput: $('threshold-output'), help,
    onExport: () => $('export-json').focus(),
  });
  const filter = () => ({ confirmedOnly: $('export-confirmed').checked, taxonomyOnly: $('export-taxonomy').checked });
  $('export-json').addEventListener('click', () => { exportJson(session, filter()); announce('Exported JSON'); });
  $('export-csv').addEventListener('click', () => { exportCsv(session, filter()); announce('Exported CSV'); });
  $('export-xmp').addEventListener('click', () => {
    const count = exportXmp(session, review.name, xmpSidecarName, filter());
    announce(count > 1 ? `Exported ${count} XMP sidecars as one zip` : `Exported ${count} XMP sidecar${count === 1 ? '' : 's'}`);
  });
  document.body.dataset.ready = 'true';
}).catch(() => {
  statusLine.textContent = 'The review module could not be loaded; reload the page.';
});

// For the tests and the benchmark: the page's own state, read-only.
window.smartTags = { get review() { return review; }, retryFailed, loadWorkflow };
