// The admin page for tag models ("Enhanced Smart Tags"): define a model (a name and taxonomy tags to
// train, with options), import example photos for its tags, read the linter's findings, train it
// while watching the job, compare versions by per-tag precision and recall, and activate, roll
// back, export, import or delete versions; run the proxy's Check Health; list, create, download,
// activate and retire the proxy's certificates; edit the upload workflow and the folder settings
// (admin-workflow.js); edit the taxonomy and its concept links (admin-taxonomy.js); bulk re-tag with a dry run (admin-retag.js). Every call goes through admin-api.js with the token.

import { api, upload, download, storedToken, storeToken, forgetToken, ApiError } from './admin-api.js';
import { $, element, button, plural, announce, say, saveBlob } from './admin-dom.js';
import { versionChart, formatScore } from './admin-chart.js';
import { openWorkflow, wireWorkflow } from './admin-workflow.js';
import { wireRetag } from './admin-retag.js';
import { openTaxonomy, wireTaxonomy } from './admin-taxonomy.js';

const POLL_MS = 300;
const RUNNING = new Set(['pending', 'training']);
const STATUS_TEXT = {
  pending: 'Waiting to train', training: 'Training', trained: 'Trained', failed: 'Failed', cancelled: 'Cancelled',
};

const page = {
  taxonomy: new Map(), // tag id → {title, path}
  model: null, // the open ModelSummary; null while a new model is being defined
  tags: [], // tag ids in the editor
  examples: {}, // tag id → number of examples (from the linter)
  canTrain: false, // the linter's verdict
  names: new Map(), // content hash → file name, for the files imported from this tab
  job: null,
  pollTimer: null,
};

const hidden = (text) => element('span', { className: 'visually-hidden', textContent: text });

function formatDate(value) {
  if (value === null || value === undefined) return '';
  const date = typeof value === 'number' ? new Date(value < 1e12 ? value * 1000 : value) : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
}

// Runs `work` with the form's or button's controls disabled, and shows its error in `messageId`.
async function busy(control, messageId, work) {
  const controls = control instanceof HTMLFormElement ? [...control.elements] : [control];
  for (const c of controls) c.disabled = true;
  try {
    return await work();
  } catch (error) {
    say(messageId, error.message, 'error');
    return undefined;
  } finally {
    for (const c of controls) c.disabled = false;
  }
}

// ── Signing in ──────────────────────────────────────────────────────────────────────────────────

function showWorkspace(visible) {
  $('sign-in').hidden = visible;
  $('workspace').hidden = !visible;
}

async function openWorkspace() {
  // openWorkflow and openTaxonomy show their own failures in their sections, so they never stop
  // the sign-in.
  await Promise.all([loadTaxonomy(), loadModels(), loadScenes(), openWorkflow(), openTaxonomy()]);
  showWorkspace(true);
  announce('Signed in'); // with the workspace, not after the certificates arrive
  await openCertificates();
}

function signInMessage(error) {
  if (error instanceof ApiError && error.status === 401) return 'That is not the admin token.';
  return error.message;
}

async function signIn(event) {
  event.preventDefault();
  storeToken($('token').value.trim());
  await busy(event.target, 'sign-in-message', async () => {
    try {
      await openWorkspace();
      say('sign-in-message', '');
    } catch (error) {
      forgetToken();
      throw new Error(signInMessage(error));
    }
  });
}

function signOut() {
  forgetToken();
  stopPolling();
  $('token').value = '';
  $('model').hidden = true;
  clearHealth();
  renderCertificates([]);
  say('certificate-message', '');
  showWorkspace(false);
  announce('Signed out');
}

// ── Taxonomy (tag titles and autocomplete) ──────────────────────────────────────────────────────

function titlePath(id, titles) {
  const [namespace, path = ''] = id.split(':');
  const parts = path.split('/');
  return parts.map((_, i) => titles.get(`${namespace}:${parts.slice(0, i + 1).join('/')}`) ?? parts[i]);
}

async function loadTaxonomy() {
  const exported = await api('taxonomy?format=json');
  const tags = exported.tags.filter((t) => !t.id.endsWith(':'));
  const titles = new Map(tags.map((t) => [t.id, t.titles?.en ?? t.id]));
  page.taxonomy = new Map(tags.map((t) => [t.id, { title: titles.get(t.id), path: titlePath(t.id, titles) }]));
  $('taxonomy-tags').replaceChildren(
    ...tags.map((t) => element('option', { value: t.id, label: page.taxonomy.get(t.id).path.join(' › ') })),
  );
}

const tagTitle = (id) => page.taxonomy.get(id)?.title ?? id;

// A tag id from what was typed: an id, or a title or path that names exactly one tag.
function resolveTag(text) {
  const wanted = text.trim().toLowerCase();
  if (page.taxonomy.has(text.trim())) return text.trim();
  const matches = [...page.taxonomy].filter(
    ([, tag]) => tag.title.toLowerCase() === wanted || tag.path.join(' › ').toLowerCase() === wanted,
  );
  return matches.length === 1 ? matches[0][0] : null;
}

// ── The list of models ──────────────────────────────────────────────────────────────────────────

function jobSummary(job) {
  if (!job) return 'none';
  if (RUNNING.has(job.status)) return `${STATUS_TEXT[job.status]} (${Math.round((job.progress ?? 0) * 100)}%)`;
  return job.version ? `${STATUS_TEXT[job.status]}, version ${job.version}` : STATUS_TEXT[job.status] ?? job.status;
}

function modelRow(model) {
  const open = button(['Open ', hidden(`model ${model.name}`)], () => showModel(model));
  return element('tr', { dataset: { model: model.name } },
    element('th', { scope: 'row', textContent: model.name }),
    element('td', { textContent: model.tags.map((t) => t.title ?? tagTitle(t.id)).join(', ') }),
    element('td', { textContent: model.kind === 'independent' ? 'any number per picture' : 'one per picture' }),
    element('td', { textContent: model.active_version ? `version ${model.active_version}` : 'none' }),
    element('td', { textContent: jobSummary(model.job) }),
    element('td', {}, open));
}

/** What the service says of bringing stored assets to the active versions (`applying`). */
function applyingText(applying) {
  if (!applying) return '';
  const count = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  if (applying.state === 'running') return `Applying the active versions to stored assets: ${count(applying.left, 'asset', 'assets')} left.`;
  if (!applying.updated && !applying.needs_image && !applying.smart_tags_off && !applying.failed) return '';
  const left = [
    applying.needs_image ? `${count(applying.needs_image, 'asset needs its', 'assets need their')} image again` : '',
    applying.smart_tags_off ? `${count(applying.smart_tags_off, 'asset is', 'assets are')} in folders with smart tagging off` : '',
    applying.failed ? `${count(applying.failed, 'asset', 'assets')} failed (see the service log; the next change tries again)` : '',
  ].filter(Boolean);
  return `Stored assets follow the active versions: ${count(applying.updated, 'asset', 'assets')} updated${left.length ? `; left as they were: ${left.join(', ')}` : ''}.`;
}

let applyingPoll = null;

// Shows `applying`; while a pass runs, asks again every second (the status line only: the table
// and the keyboard focus stay).
function showApplying(applying) {
  const text = applyingText(applying);
  $('applying').textContent = text;
  $('applying').hidden = text === '';
  clearTimeout(applyingPoll);
  if (applying?.state === 'running') {
    applyingPoll = setTimeout(() => api('training/models').then(({ applying: now }) => showApplying(now)).catch(() => {}), 1000);
  }
}

async function loadModels() {
  const { models, applying } = await api('training/models');
  // The scene model is one of them: a version trained, rolled back to or deactivated shows there.
  if (models.some((m) => m.name === 'scenes')) loadScenes();
  $('models').querySelector('tbody').replaceChildren(...models.map(modelRow));
  $('models').hidden = models.length === 0;
  $('no-models').hidden = models.length > 0;
  showApplying(applying);
  return models;
}

// ── Built-in scene tags ─────────────────────────────────────────────────────────────────────────

const percent = (value) => `${Math.round(value * 100)}%`;

function sceneRow(scene) {
  return element('tr', { dataset: { scene: scene.title } },
    element('th', { scope: 'row', textContent: scene.title }),
    element('td', { textContent: String(scene.pictures) }),
    element('td', { textContent: scene.threshold.toFixed(2) }),
    element('td', { textContent: `${percent(scene.precision)} (${percent(scene.precision_low)}–${percent(scene.precision_high)})` }),
    element('td', { textContent: percent(scene.recall) }),
    element('td', { textContent: scene.reliable ? 'yes' : 'only as a suggestion' }));
}

async function loadScenes() {
  const table = $('scenes-table');
  let answer;
  try {
    answer = await api('scenes');
  } catch (error) {
    table.hidden = true;
    return say('scenes-summary', `The scene model cannot be read: ${error.message}`, 'error');
  }
  if (!answer.version) {
    table.hidden = true;
    return say('scenes-summary', 'No scene model is active: activate a version of the tag model "scenes" (Tag models), or install one with scripts/setup-scenes.sh on the tagging service.', 'error');
  }
  table.querySelector('tbody').replaceChildren(...answer.scenes.map(sceneRow));
  table.hidden = false;
  const left = answer.left_out.length ? ` Too few photos to train: ${answer.left_out.join(', ')}.` : '';
  const model = answer.model_version ? ` It is version ${answer.model_version} of the tag model "scenes": add photos of your own (tags scene:sky, scene:beach…), train it, roll it back or deactivate it there.` : '';
  say('scenes-summary', `Version ${answer.version}: ${answer.scenes.length} scenes, trained on ${answer.examples} examples.${left}${model}`);
}

// ── One model: definition ───────────────────────────────────────────────────────────────────────

function fillOptions(options = {}) {
  $('min-examples').value = options.min_examples_per_tag ?? '';
  $('max-examples').value = options.max_examples_per_tag ?? '';
  $('target-precision').value = options.target_precision ?? '';
}

function readOptions() {
  const options = {};
  const fields = [['min_examples_per_tag', 'min-examples'], ['max_examples_per_tag', 'max-examples'], ['target_precision', 'target-precision']];
  for (const [key, id] of fields) {
    if ($(id).value !== '') options[key] = Number($(id).value);
  }
  return options;
}

function showModel(summary) {
  stopPolling();
  page.model = summary;
  page.tags = summary ? summary.tags.map((t) => t.id) : [];
  page.examples = Object.fromEntries((summary?.tags ?? []).map((t) => [t.id, t.examples]));
  $('model').hidden = false;
  $('model-heading').textContent = summary ? `Model ${summary.name}` : 'New model';
  $('model-name').value = summary?.name ?? '';
  $('model-name').readOnly = Boolean(summary);
  $('delete-model').hidden = !summary;
  $('trainable').hidden = !summary;
  fillOptions(summary?.options);
  $(summary?.kind === 'independent' ? 'kind-independent' : 'kind-exclusive').checked = true;
  say('model-message', '');
  renderTagChips();
  if (summary) openModelDetails(summary);
  $(summary ? 'model-heading' : 'model-name').scrollIntoView({ block: 'start' });
}

function openModelDetails(summary) {
  $('import-report').hidden = true;
  say('training-message', '');
  page.job = summary.job;
  page.canTrain = false;
  renderJob(summary.job);
  if (summary.job && RUNNING.has(summary.job.status)) followJob(summary.job);
  Promise.all([loadLint(), loadVersions()]).catch((error) => say('model-message', error.message, 'error'));
}

function tagChip(id) {
  const count = page.examples[id];
  const remove = button(['Remove ', hidden(`tag ${tagTitle(id)}`)], () => removeTag(id), { className: 'small' });
  return element('li', { className: 'chip', dataset: { tagId: id } },
    element('span', { className: 'chip-title', textContent: tagTitle(id) }),
    element('code', { textContent: id }),
    element('span', { className: 'chip-count', textContent: count === undefined ? '' : plural(count, 'example') }),
    remove);
}

function renderTagChips() {
  $('model-tags').replaceChildren(...page.tags.map(tagChip));
}

function addTag() {
  const input = $('tag-input');
  const id = resolveTag(input.value);
  if (!id) return say('model-message', `"${input.value}" is not a tag of the taxonomy.`, 'error');
  if (!page.tags.includes(id)) page.tags.push(id);
  input.value = '';
  say('model-message', '');
  renderTagChips();
  announce(`Added tag ${tagTitle(id)}`);
}

function removeTag(id) {
  page.tags = page.tags.filter((t) => t !== id);
  renderTagChips();
  announce(`Removed tag ${tagTitle(id)}`);
}

async function saveModel(event) {
  event.preventDefault();
  const name = $('model-name').value.trim();
  const kind = $('kind-independent').checked ? 'independent' : 'exclusive';
  const definition = { tags: page.tags, kind, options: readOptions() };
  await busy(event.target, 'model-message', async () => {
    const summary = await api(`training/models/${encodeURIComponent(name)}`, { method: 'PUT', body: definition });
    showModel(summary);
    say('model-message', `Saved model ${summary.name}.`);
    announce(`Saved model ${summary.name}`);
    await loadModels();
  });
}

async function deleteModel() {
  const { name } = page.model;
  if (!confirm(`Delete model ${name} and all its versions? Its example photos stay.`)) return;
  await busy($('delete-model'), 'model-message', async () => {
    await api(`training/models/${encodeURIComponent(name)}`, { method: 'DELETE' });
    stopPolling();
    page.model = null;
    $('model').hidden = true;
    announce(`Deleted model ${name}`);
    await loadModels();
  });
}

const modelPath = (rest = '') => `training/models/${encodeURIComponent(page.model.name)}${rest}`;

// ── Example photos ──────────────────────────────────────────────────────────────────────────────

async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

// Notes each file's content hash, so findings can name the files instead of their hashes.
async function rememberNames(entries) {
  if (!globalThis.crypto?.subtle) return;
  for (const [path, file] of entries) page.names.set(await sha256Hex(file), path);
}

function renderImportReport(report) {
  const refused = report.refused ?? [];
  const line = `Imported ${plural(report.imported, 'photo')}, ${report.already_known} already known, ${refused.length} refused.`;
  const list = element('ul', { className: 'refused', ariaLabel: 'Refused files' },
    ...refused.map((r) => element('li', {}, element('code', { textContent: r.file }), `: ${r.reason}`)));
  const box = $('import-report');
  box.replaceChildren(element('p', { textContent: line }), ...(refused.length ? [list] : []));
  box.hidden = false;
  announce(line);
}

// Posts an import (multipart or zip) and shows its report; `entries` are [path, file] pairs.
async function importExamples(form, body, contentType, entries) {
  $('import-report').hidden = true;
  await busy(form, 'model-message', async () => {
    say('model-message', `Importing ${plural(entries.length, 'file')}…`);
    await rememberNames(entries);
    const report = await upload('training/examples/import', body, contentType);
    say('model-message', '');
    renderImportReport(report);
    form.reset();
    await loadLint();
  });
}

function multipart(entries, manifest) {
  const body = new FormData();
  for (const [path, file] of entries) body.append('file', file, path);
  if (manifest) body.append('manifest', manifest, manifest.name.toLowerCase().endsWith('.json') ? 'manifest.json' : 'manifest.csv');
  return body;
}

// A picked folder's files, by their path below the folder; its manifest.csv, if any, apart.
function folderEntries(files) {
  const entries = [...files].map((file) => [file.webkitRelativePath.split('/').slice(1).join('/') || file.name, file]);
  const manifest = entries.find(([path]) => ['manifest.csv', 'manifest.json'].includes(path.toLowerCase()))?.[1];
  return { entries: entries.filter(([, file]) => file !== manifest), manifest };
}

function importFolder(event) {
  event.preventDefault();
  const { entries, manifest } = folderEntries($('example-folder').files);
  importExamples(event.target, multipart(entries, manifest), undefined, entries);
}

function importFiles(event) {
  event.preventDefault();
  const entries = [...$('example-files').files].map((file) => [file.name, file]);
  const manifest = $('example-manifest').files[0];
  importExamples(event.target, multipart(entries, manifest), undefined, entries);
}

function importZip(event) {
  event.preventDefault();
  const zip = $('example-zip').files[0];
  importExamples(event.target, zip, 'application/zip', [[zip.name, zip]]);
}

// ── Linter ──────────────────────────────────────────────────────────────────────────────────────

const assetName = (hash) => page.names.get(hash) ?? `${hash.slice(0, 12)}…`;

function findingItem(finding) {
  const severity = finding.severity === 'error' ? 'Error' : 'Warning';
  const item = element('li', { className: 'finding', dataset: { severity: finding.severity, kind: finding.kind } },
    element('strong', { className: 'severity', textContent: severity }),
    element('span', { className: 'finding-message', textContent: finding.message }));
  if (finding.tags?.length) {
    item.append(element('span', { className: 'finding-tags', textContent: `Tags: ${finding.tags.map(tagTitle).join(', ')}` }));
  }
  if (finding.assets?.length) {
    const assets = finding.assets.map((hash) => element('li', {}, element('code', { textContent: assetName(hash), title: hash })));
    item.append(element('ul', { className: 'finding-assets', ariaLabel: 'Photos concerned' }, ...assets));
  }
  return item;
}

function renderFindings(findings = []) {
  const order = { error: 0, warning: 1 };
  const sorted = [...findings].sort((a, b) => (order[a.severity] ?? 2) - (order[b.severity] ?? 2));
  $('findings').replaceChildren(...sorted.map(findingItem));
}

function renderExampleCounts(examples) {
  const rows = page.tags.map((id) => element('tr', { dataset: { tagId: id } },
    element('th', { scope: 'row', textContent: tagTitle(id) }),
    element('td', { textContent: String(examples[id] ?? 0) })));
  $('example-counts').querySelector('tbody').replaceChildren(...rows);
}

function lintSummary(lint) {
  const errors = lint.findings.filter((f) => f.severity === 'error').length;
  const warnings = lint.findings.length - errors;
  if (!lint.can_train) return `${plural(errors, 'error')} to fix before training.`;
  return warnings ? `Ready to train, with ${plural(warnings, 'warning')}.` : 'Ready to train.';
}

function renderLint(lint) {
  page.examples = lint.examples ?? {};
  renderExampleCounts(page.examples);
  renderFindings(lint.findings);
  renderTagChips();
  say('lint-summary', lintSummary(lint), lint.can_train ? 'info' : 'error');
  page.canTrain = lint.can_train;
  updateTrainButton();
  $('lint-summary').closest('section').dataset.canTrain = String(lint.can_train);
}

async function loadLint() {
  renderLint(await api(modelPath('/lint')));
}

// ── Training ────────────────────────────────────────────────────────────────────────────────────

function jobLabel(job) {
  if (!job) return 'No training yet';
  const percent = Math.round((job.progress ?? 0) * 100);
  if (RUNNING.has(job.status)) return `${STATUS_TEXT[job.status]}: ${percent}%`;
  if (job.status === 'trained') return `Trained version ${job.version}${job.finished_at ? ` on ${formatDate(job.finished_at)}` : ''}`;
  return STATUS_TEXT[job.status] ?? job.status;
}

function updateTrainButton() {
  $('train').disabled = !page.canTrain || RUNNING.has(page.job?.status);
}

function renderJob(job) {
  const running = RUNNING.has(job?.status);
  const progress = $('job-progress');
  progress.value = job?.status === 'trained' ? 1 : job?.progress ?? 0;
  progress.setAttribute('aria-valuetext', jobLabel(job));
  $('job-label').textContent = jobLabel(job);
  $('training').dataset.status = job?.status ?? 'none';
  $('training').setAttribute('aria-busy', String(running));
  updateTrainButton();
  $('cancel-job').hidden = !running;
  if (job?.status === 'failed') say('training-message', `Training failed: ${job.error ?? 'no reason given'}`, 'error');
  // Trained on too few pictures a tag: saved, not activated (the service's rule), and why.
  if (job?.status === 'trained' && job.held_back) say('training-message', `Version ${job.version} is saved but ${job.held_back}.`, 'warning');
}

function stopPolling() {
  clearTimeout(page.pollTimer);
  page.pollTimer = null;
}

function followJob(job) {
  stopPolling();
  page.job = job;
  renderJob(job);
  if (RUNNING.has(job.status)) page.pollTimer = setTimeout(pollJob, POLL_MS);
  else finishJob(job);
}

function jobAnnouncement(job) {
  const model = job.model ?? page.model?.name ?? '';
  if (job.status === 'trained') return `Training of ${model} finished: version ${job.version}${job.held_back ? ', not activated' : ''}`;
  if (job.status === 'failed') return `Training of ${model} failed: ${job.error ?? ''}`;
  return `${STATUS_TEXT[job.status] ?? job.status} ${model}`;
}

async function pollJob() {
  const previous = page.job;
  try {
    const job = await api(`training/jobs/${encodeURIComponent(previous.id)}`);
    if (job.status !== previous.status) announce(jobAnnouncement(job));
    followJob(job);
  } catch (error) {
    say('training-message', `Lost track of the training job: ${error.message}`, 'error');
  }
}

async function finishJob(job) {
  await Promise.all([loadVersions(), loadModels(), loadLint()]).catch((error) => say('training-message', error.message, 'error'));
  $('training').dataset.finished = String(job.id);
}

function refusedTraining(error) {
  if (error instanceof ApiError && error.status === 422 && error.body?.findings) {
    renderFindings(error.body.findings);
    return 'The checks found errors: fix them, then train again.';
  }
  if (error instanceof ApiError && error.status === 409) return 'A training of this model is already running.';
  return error.message;
}

async function train() {
  say('training-message', '');
  await busy($('train'), 'training-message', async () => {
    try {
      const job = await api(modelPath('/train'), { method: 'POST', body: { activate: $('activate').checked } });
      announce(`Training of ${page.model.name} started`);
      followJob(job);
    } catch (error) {
      throw new Error(refusedTraining(error));
    }
  });
  updateTrainButton();
}

async function cancelJob() {
  await busy($('cancel-job'), 'training-message', () => api(`training/jobs/${encodeURIComponent(page.job.id)}/cancel`, { method: 'POST' }));
}

// ── Versions ────────────────────────────────────────────────────────────────────────────────────

const formatDuration = (ms) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

function overallLine(version) {
  const m = version.metrics ?? {};
  const parts = [
    `accuracy ${formatScore(m.accuracy)}`, `macro precision ${formatScore(m.macro_precision)}`,
    `macro recall ${formatScore(m.macro_recall)}`,
  ];
  if (m.examples !== undefined) parts.push(plural(m.examples, 'example'));
  if (m.folds !== undefined) parts.push(`${m.folds}-fold cross-validation`);
  if (m.train_ms !== undefined) parts.push(`trained in ${formatDuration(m.train_ms)}`);
  if (version.image_model) parts.push(`image model ${version.image_model}`);
  if (version.taxonomy_version !== undefined) parts.push(`taxonomy version ${version.taxonomy_version}`);
  return parts.join(' · ');
}

function metricsRow(tag) {
  const m = tag.metrics ?? {};
  const reached = m.target_reached === undefined ? '' : m.target_reached ? 'yes' : 'no';
  const cells = [tag.threshold ?? m.threshold, m.precision, m.recall, m.f1].map((v) => element('td', { textContent: formatScore(v) }));
  // The precision rests on few cross-validated predictions: its 95% interval beside it.
  if (m.precision_low !== undefined && m.precision_high !== undefined) {
    cells[1].textContent = `${formatScore(m.precision)} (${formatScore(m.precision_low)}–${formatScore(m.precision_high)})`;
  }
  return element('tr', { dataset: { tagId: tag.id } },
    element('th', { scope: 'row', textContent: tag.title ?? tagTitle(tag.id) }),
    ...cells,
    element('td', { textContent: String(m.support ?? '') }),
    element('td', { textContent: String(m.groups ?? '') }),
    element('td', { textContent: reached }));
}

function metricsTable(version) {
  // Distinct pictures: near copies (crops, edits, bursts) count once; cross-validation keeps them together.
  // Target reached: the target precision at the threshold, with at least 10 distinct pictures.
  const headings = ['Tag', 'Threshold', 'Precision (95% interval)', 'Recall', 'F1', 'Examples', 'Distinct pictures', 'Target reached'];
  return element('table', { className: 'grid metrics' },
    element('caption', { textContent: `Per-tag precision and recall (cross-validated), version ${version.version}` }),
    element('thead', {}, element('tr', {}, ...headings.map((h) => element('th', { scope: 'col', textContent: h })))),
    element('tbody', {}, ...(version.tags ?? []).map(metricsRow)));
}

function versionActions(version, active) {
  const v = version.version;
  const actions = element('div', { className: 'row version-actions' });
  if (v !== active) {
    const label = active && v < active ? `Roll back to version ${v}` : `Activate version ${v}`;
    actions.append(button(label, (e) => activateVersion(v, e.currentTarget), { className: 'activate' }));
  }
  actions.append(button(['Export ', hidden(`version ${v}`)], (e) => exportVersion(v, e.currentTarget), { className: 'export' }));
  const remove = button(['Delete ', hidden(`version ${v}`)], (e) => deleteVersion(v, e.currentTarget), { className: 'delete danger' });
  remove.disabled = v === active;
  if (v === active) remove.title = 'The active version cannot be deleted: activate another first.';
  actions.append(remove);
  return actions;
}

function versionHeading(version) {
  const heading = element('h4', { className: 'version-title' },
    `Version ${version.version}`,
    element('span', { className: 'version-origin', textContent: ` · ${version.origin === 'imported' ? 'imported' : 'trained'} ${formatDate(version.created_at)}` }));
  if (version.active) heading.append(' ', element('span', { className: 'active-marker', textContent: 'Active' }));
  return heading;
}

function versionDetails(version, open) {
  const target = page.model?.options?.target_precision;
  return element('details', { open },
    element('summary', { textContent: 'Precision and recall per tag' }),
    element('p', { className: 'overall', textContent: overallLine(version) }),
    metricsTable(version),
    element('figure', { className: 'chart-figure' }, versionChart(version, target),
      element('figcaption', { textContent: 'Cross-validated precision and recall per tag; the black tick is the tag\'s threshold.' })));
}

function versionItem(version, active, open) {
  return element('li', { className: 'version', dataset: { version: version.version, active: String(Boolean(version.active)) } },
    element('div', { className: 'version-head' }, versionHeading(version), versionActions(version, active)),
    versionDetails(version, open));
}

function renderVersions(versions) {
  const active = versions.find((v) => v.active)?.version ?? null;
  const items = versions.map((v, i) => versionItem(v, active, i === 0 || v.active));
  $('versions').replaceChildren(...items);
  $('no-versions').hidden = versions.length > 0;
  $('deactivate').hidden = active === null;
  // A held-back version activated by hand: the job's note no longer holds.
  if (page.job?.held_back && page.job.version === active) say('training-message', '');
}

async function loadVersions() {
  const { versions } = await api(modelPath('/versions'));
  renderVersions(versions);
}

async function activateVersion(v, control) {
  await busy(control, 'training-message', async () => {
    await api(modelPath(`/versions/${v}/activate`), { method: 'POST' });
    announce(`Version ${v} of ${page.model.name} is now active`);
    await Promise.all([loadVersions(), loadModels()]);
  });
}

async function deleteVersion(v, control) {
  if (!confirm(`Delete version ${v} of ${page.model.name}? Export it first to keep a copy.`)) return;
  await busy(control, 'training-message', async () => {
    await api(modelPath(`/versions/${v}`), { method: 'DELETE' });
    announce(`Deleted version ${v} of ${page.model.name}`);
    await Promise.all([loadVersions(), loadModels()]);
  });
}

/** What deactivating a model does, asked before it is done. */
function deactivateQuestion(name) {
  return `Deactivate the tag model ${name}? Its tags stop being predicted and leave the stored assets that carry them `
    + '(made again from what is stored, no image needed). Activating a version brings them back.';
}

async function deactivateModel() {
  if (!window.confirm(deactivateQuestion(page.model.name))) return;
  await busy($('deactivate'), 'training-message', async () => {
    await api(modelPath('/deactivate'), { method: 'POST' });
    announce(`The tags of ${page.model.name} are no longer predicted, and leave the stored assets`);
    await Promise.all([loadVersions(), loadModels()]);
  });
}


async function exportVersion(v, control) {
  const fallback = `${page.model.name}-v${v}.stmodel`;
  await busy(control, 'training-message', async () => {
    const { name, blob } = await download(modelPath(`/versions/${v}/export`), fallback);
    saveBlob(name, blob);
    announce(`Exported version ${v} as ${name}`);
  });
}

async function importModel(event) {
  event.preventDefault();
  const file = $('model-file').files[0];
  await busy(event.target, 'import-model-message', async () => {
    const query = $('import-activate').checked ? '?activate=true' : '';
    const imported = await upload(`training/models/import${query}`, file, 'application/octet-stream');
    const name = imported.model ?? imported.name;
    say('import-model-message', `Imported ${file.name} as version ${imported.version} of model ${name}.`);
    announce(`Imported model ${name}, version ${imported.version}`);
    event.target.reset();
    const models = await loadModels();
    if (page.model?.name === name) showModel(models.find((m) => m.name === name));
  });
}

// ── Check Health ────────────────────────────────────────────────────────────────────────────────

// Each status in words with a mark, so it never rests on colour alone.
const HEALTH_STATUS = {
  ok: { mark: '✓', text: 'ok' }, warning: { mark: '!', text: 'warning' },
  failed: { mark: '✕', text: 'failed' }, skipped: { mark: '–', text: 'skipped' },
};

function healthStatus(status) {
  const { mark, text } = HEALTH_STATUS[status] ?? { mark: '?', text: status };
  return element('span', { className: 'health-status' },
    element('span', { className: 'health-mark', ariaHidden: 'true', textContent: mark }), ` ${text}`);
}

function healthRow(step) {
  return element('tr', { dataset: { step: step.step, status: step.status } },
    element('td', {}, healthStatus(step.status)),
    element('th', { scope: 'row', textContent: step.title }),
    element('td', { className: 'health-reason', textContent: step.reason }));
}

function healthAnnouncement(report) {
  const counts = Object.keys(HEALTH_STATUS)
    .map((status) => [status, report.steps.filter((s) => s.status === status).length])
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`);
  return `Check Health: ${report.summary}. ${plural(report.steps.length, 'step')}: ${counts.join(', ')}.`;
}

function renderHealth(report) {
  const warnings = report.steps.some((s) => s.status === 'warning');
  say('health-summary', report.summary, report.healthy ? (warnings ? 'warning' : 'ok') : 'error');
  $('health-summary').hidden = false;
  $('health').dataset.healthy = String(report.healthy);
  $('health-steps').querySelector('tbody').replaceChildren(...report.steps.map(healthRow));
  $('health-steps').hidden = false;
  announce(healthAnnouncement(report));
}

function clearHealth() {
  $('health-summary').hidden = true;
  $('health-steps').hidden = true;
  $('health-steps').querySelector('tbody').replaceChildren();
  delete $('health').dataset.healthy;
  say('health-message', '');
}

function healthError(error) {
  if (error instanceof ApiError && error.status === 401) return 'The admin token was refused: sign out and sign in again.';
  return `Check Health could not run: ${error.message}`;
}

async function checkHealth() {
  clearHealth();
  say('health-summary', 'Checking…');
  $('health-summary').hidden = false;
  $('health').setAttribute('aria-busy', 'true');
  await busy($('check-health'), 'health-message', async () => {
    try {
      renderHealth(await api('health'));
    } catch (error) {
      $('health-summary').hidden = true;
      throw new Error(healthError(error));
    }
  });
  $('health').setAttribute('aria-busy', 'false');
}

// ── Certificates ────────────────────────────────────────────────────────────────────────────────

const CERTIFICATE_STATUS = { active: 'Active', next: 'Next', inactive: 'Inactive', retired: 'Retired' };
const REGISTERED = { true: 'Yes', false: 'No' };

// The registration column; a certificate that can still be activated says why it cannot yet (a
// disabled button's tooltip never reaches the keyboard).
function registeredText(c) {
  if (c.registered === false && (c.status === 'next' || c.status === 'inactive')) return 'No: register it before activating';
  return REGISTERED[String(c.registered)] ?? '—';
}

// After a step, the focus stays on the certificate acted on (its row was drawn again).
function focusCertificate(id) {
  $('certificate-list').querySelector(`tbody tr[data-id="${id}"] button`)?.focus();
}

function certificateActions(c) {
  const actions = element('div', { className: 'certificate-actions' });
  actions.append(button(['Download ', hidden(`certificate ${c.id}`)], (e) => downloadCertificate(c.id, e.currentTarget), { className: 'download' }));
  // Registered for the integration before it can sign (the proxy asks the console when it holds
  // its token; `registered` is absent otherwise and the activation check decides).
  if (c.registered === false && c.status !== 'retired') {
    actions.append(button(['Register ', hidden(`certificate ${c.id}`)], (e) => registerCertificate(c.id, e.currentTarget), { className: 'register' }));
  }
  // The active one signs and a retired one has no key left: only the others can change.
  if (c.status === 'next' || c.status === 'inactive') {
    actions.append(button(['Activate ', hidden(`certificate ${c.id}`)], (e) => activateCertificate(c.id, e.currentTarget), {
      className: 'activate',
      disabled: c.registered === false,
      title: c.registered === false ? 'Register it first: the authorization server would refuse every token it signs' : '',
    }));
    actions.append(button(['Retire ', hidden(`certificate ${c.id}`)], (e) => retireCertificate(c.id, e.currentTarget), { className: 'retire danger' }));
  }
  return actions;
}

function certificateRow(c) {
  return element('tr', { dataset: { id: c.id, status: c.status } },
    element('th', { scope: 'row' }, element('code', { textContent: c.id })),
    element('td', { className: 'certificate-status', textContent: CERTIFICATE_STATUS[c.status] ?? c.status }),
    element('td', { className: 'certificate-registered', textContent: registeredText(c) }),
    element('td', { textContent: c.algorithm }),
    element('td', { textContent: c.subject }),
    element('td', { textContent: c.not_after }),
    element('td', { textContent: String(c.days_left) }),
    element('td', {}, certificateActions(c)));
}

function renderCertificates(list) {
  $('certificate-list').querySelector('tbody').replaceChildren(...list.map(certificateRow));
  $('certificate-list').hidden = list.length === 0;
  $('no-certificates').hidden = list.length > 0;
}

async function loadCertificates() {
  renderCertificates(await api('certificates'));
}

// Certificates are not needed to sign in: a failure shows in the section, not on the sign-in form.
async function openCertificates() {
  say('certificate-message', '');
  try {
    await loadCertificates();
  } catch (error) {
    renderCertificates([]);
    say('certificate-message', `The certificates could not be listed: ${error.message}`, 'error');
  }
}

// Errors go to the section's message and the live region.
async function certificateWork(control, work) {
  say('certificate-message', '');
  await busy(control, 'certificate-message', async () => {
    try {
      await work();
    } catch (error) {
      announce(error.message);
      throw error;
    }
  });
}

async function createCertificate(event) {
  event.preventDefault();
  const body = { algorithm: $('certificate-algorithm').value, validity_days: Number($('certificate-validity').value) };
  await certificateWork(event.target, async () => {
    const created = await api('certificates', { method: 'POST', body });
    const text = `Created certificate ${created.id} (${created.status})`;
    const list = await api('certificates');
    renderCertificates(list);
    const canRegister = list.find((c) => c.id === created.id)?.registered === false;
    say('certificate-message', `${text}: ${canRegister ? 'register it' : 'download it and upload it to the integration'}, then activate it.`, 'info');
    announce(text);
  });
}

async function downloadCertificate(id, control) {
  await certificateWork(control, async () => {
    const { name, blob } = await download(`certificates/${id}`, `${id}.crt`);
    saveBlob(name, blob);
    announce(`Downloaded certificate ${id} as ${name}`);
  });
}

// Each step of a rotation is followed by Check Health, so a broken chain shows at once.
async function registerCertificate(id, control) {
  await certificateWork(control, async () => {
    renderCertificates(await api(`certificates/${id}/register`, { method: 'POST' }));
    const text = `Certificate ${id} is registered for the integration`;
    say('certificate-message', `${text}: activate it when you are ready.`, 'info');
    announce(text);
    focusCertificate(id);
  });
  await checkHealth();
}

async function activateCertificate(id, control) {
  await certificateWork(control, async () => {
    renderCertificates(await api(`certificates/${id}/activate`, { method: 'POST' }));
    const text = `Certificate ${id} is active; the proxy signs with it from its next token refresh`;
    say('certificate-message', `${text}.`, 'info');
    announce(text);
    focusCertificate(id);
  });
  await checkHealth();
}

async function retireCertificate(id, control) {
  if (!confirm(`Retire certificate ${id}? Its private key is deleted and it leaves the integration.`)) return;
  await certificateWork(control, async () => {
    const list = await api(`certificates/${id}/retire`, { method: 'POST' });
    renderCertificates(list);
    const text = `Certificate ${id} is retired`;
    const still = list.find((c) => c.id === id)?.registered !== false;
    say('certificate-message', still ? `${text}: remove it from the integration too.` : `${text} and removed from the integration.`, 'info');
    announce(text);
    focusCertificate(id);
  });
  await checkHealth();
}

// ── Wiring ──────────────────────────────────────────────────────────────────────────────────────

function wire() {
  $('sign-in').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', signOut);
  $('new-model').addEventListener('click', () => showModel(null));
  $('model-form').addEventListener('submit', saveModel);
  $('add-tag').addEventListener('click', addTag);
  $('tag-input').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); addTag(); }
  });
  $('delete-model').addEventListener('click', deleteModel);
  $('import-folder').addEventListener('submit', importFolder);
  $('import-files').addEventListener('submit', importFiles);
  $('import-zip').addEventListener('submit', importZip);
  $('run-lint').addEventListener('click', () => busy($('run-lint'), 'lint-summary', loadLint));
  $('train').addEventListener('click', train);
  $('cancel-job').addEventListener('click', cancelJob);
  $('import-model').addEventListener('submit', importModel);
  $('deactivate').addEventListener('click', deactivateModel);
  $('check-health').addEventListener('click', checkHealth);
  $('create-certificate').addEventListener('submit', createCertificate);
  wireWorkflow();
  wireRetag();
  wireTaxonomy();
  // An edit in the Taxonomy section: the model editor's tag list follows.
  document.addEventListener('taxonomy-changed', () => loadTaxonomy().catch(() => {}));
}

async function start() {
  wire();
  if (!storedToken()) return showWorkspace(false);
  try {
    await openWorkspace();
  } catch (error) {
    forgetToken();
    showWorkspace(false);
    say('sign-in-message', signInMessage(error), 'error');
  }
}

start();
