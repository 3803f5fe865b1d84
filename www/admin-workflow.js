// The admin page's Workflow section (docs/workflow.md): the upload workflow's steps as a form
// (enabled, Ignore Errors, Ignore Smart Tag Flag, timeout, retries, backoff, smart-tag sources)
// saved with PUT api/v1/admin/workflow, every problem the service finds listed; and the folder
// settings (enabled / disabled / inherit) with what each folder effectively gets, set with PUT
// api/v1/admin/folders. Every call goes through admin-api.js with the admin token.

import { api, ApiError } from './admin-api.js';
import { $, element, say } from './admin-dom.js';

const STEP_TITLES = { thumbnails: 'Thumbnails', smart_tags: 'Smart tags', scenes: 'Scenes (sky, sea, mountains, city…)', people: 'People (faces and persons)', text: 'Text (words in the picture)', color_tags: 'Colour tags' };
const SOURCES = [['generic', 'Generic'], ['taxonomy', 'Taxonomy'], ['trained', 'Trained']];
const SETTING_TEXT = { enabled: 'Enabled', disabled: 'Disabled', inherit: 'Inherit' };

let loaded = null; // { version, workflow } as the service answered it

function checkbox(id, label, checked) {
  const input = element('input', { type: 'checkbox', id, checked: Boolean(checked) });
  return element('label', { className: 'inline', htmlFor: id }, input, ` ${label}`);
}

function number(id, label, value, { min = 0, step = 1 } = {}) {
  return [
    element('label', { htmlFor: id, textContent: label }),
    element('input', { type: 'number', id, min: String(min), step: String(step), value: String(value), required: true }),
  ];
}

function stepFieldset(step, index) {
  const id = (option) => `wf-${step.kind}-${option}`;
  const smart = step.kind === 'smart_tags';
  const flags = element('div', { className: 'row' },
    checkbox(id('enabled'), 'Enabled', step.enabled),
    checkbox(id('ignore-errors'), 'Ignore Errors', step.ignore_errors),
    smart ? checkbox(id('ignore-flag'), 'Ignore Smart Tag Flag', step.ignore_smart_tag_flag) : '');
  const options = element('div', { className: 'options' },
    ...number(id('timeout'), 'Timeout (ms)', step.timeout_ms, { min: 100 }),
    ...number(id('retries'), 'Retries', step.retries),
    ...number(id('backoff'), 'Backoff (ms)', step.backoff_ms));
  const sources = smart
    ? element('fieldset', {}, element('legend', { textContent: 'Sources' }),
      element('div', { className: 'row' }, ...SOURCES.map(([source, label]) => checkbox(id(`source-${source}`), label, step.sources.includes(source)))))
    : '';
  const fieldset = element('fieldset', { className: 'workflow-step' },
    element('legend', { textContent: `${index + 1}. ${STEP_TITLES[step.kind] ?? step.kind}` }), flags, options, sources);
  fieldset.dataset.kind = step.kind;
  return fieldset;
}

function renderWorkflow(answer) {
  loaded = answer;
  const { workflow } = answer;
  $('workflow-steps').replaceChildren(...workflow.steps.map(stepFieldset));
  $('retag-hours').value = String(workflow.retag?.unchanged_after_hours ?? 24);
  $('workflow-version').textContent = `Version ${answer.version}`;
  $('workflow-form').dataset.version = String(answer.version);
}

// The form as a workflow definition (the steps in their order; options the form does not show
// keep their loaded values).
function readWorkflow() {
  const steps = loaded.workflow.steps.map((step) => {
    const value = (option) => $(`wf-${step.kind}-${option}`);
    const int = (option) => {
      const text = value(option).value.trim();
      return /^\d+$/.test(text) ? Number(text) : text; // the service names what is wrong
    };
    const next = {
      ...step,
      enabled: value('enabled').checked,
      ignore_errors: value('ignore-errors').checked,
      timeout_ms: int('timeout'),
      retries: int('retries'),
      backoff_ms: int('backoff'),
    };
    if (step.kind === 'smart_tags') {
      next.ignore_smart_tag_flag = value('ignore-flag').checked;
      next.sources = SOURCES.map(([source]) => source).filter((source) => value(`source-${source}`).checked);
    }
    return next;
  });
  const hours = $('retag-hours').value.trim();
  return { steps, retag: { ...loaded.workflow.retag, unchanged_after_hours: /^\d+$/.test(hours) ? Number(hours) : hours } };
}

// Every problem of a refused definition: the service's list, or its message split at "; ".
function problemsOf(error) {
  const body = error instanceof ApiError ? error.body : null;
  const list = body?.problems ?? body?.errors ?? body?.details;
  if (Array.isArray(list) && list.length) return list.map((p) => (typeof p === 'string' ? p : p.message ?? JSON.stringify(p)));
  const message = error.message.replace(/^the workflow is not valid: /, '');
  return message.split('; ');
}

function showProblems(problems) {
  const list = $('workflow-problems');
  list.replaceChildren(...problems.map((p) => element('li', { className: 'finding', textContent: p })));
  list.hidden = problems.length === 0;
}

async function saveWorkflow(event) {
  event.preventDefault();
  if (!loaded) return;
  const form = event.target;
  const controls = [...form.elements];
  for (const c of controls) c.disabled = true;
  showProblems([]);
  try {
    const answer = await api('workflow', { method: 'PUT', body: readWorkflow() });
    renderWorkflow(answer?.workflow ? answer : await api('workflow'));
    say('workflow-message', `Saved: version ${loaded.version}.`, 'ok');
    $('announcer').textContent = `Workflow saved, version ${loaded.version}`;
  } catch (error) {
    const problems = problemsOf(error);
    showProblems(problems);
    say('workflow-message', `Not saved: ${problems.length} problem${problems.length === 1 ? '' : 's'}.`, 'error');
    $('announcer').textContent = `Workflow not saved: ${problems.join('; ')}`;
  } finally {
    for (const c of controls) c.disabled = false;
  }
}

// ── Folders ─────────────────────────────────────────────────────────────────────────────────────

const where = (setOn) => (setOn ? ` (set on ${setOn})` : ' (default)');

async function effective(path) {
  try {
    const resolved = await api(`folders/resolve?path=${encodeURIComponent(path)}`);
    const smart = `${resolved.enabled ? 'Smart tagging on' : 'Smart tagging off'}${where(resolved.set_on)}`;
    const people = resolved.people;
    return people ? `${smart}; ${people.enabled ? 'face detection on' : 'face detection off'}${where(people.set_on)}` : smart;
  } catch (error) {
    return error.message;
  }
}

// Each folder's own settings as last listed, by path: the form sends only the switches it changes.
const ownSettings = new Map();

/** Fills the switches from the folder's own settings when its path is typed (Inherit for a new one). */
function fillFromRow() {
  const own = ownSettings.get(normalizedPath($('folder-path').value));
  $('folder-setting').value = own?.smart_tags ?? 'inherit';
  $('folder-people').value = own?.people ?? 'inherit';
}

/** The folder path as the service stores it (`a/b/` is `/a/b`), for looking up its row. */
function normalizedPath(text) {
  return `/${text.split('/').filter((s) => s.trim()).join('/')}`;
}

async function renderFolders() {
  const { folders } = await api('folders');
  ownSettings.clear();
  for (const folder of folders) ownSettings.set(folder.path, folder);
  const rows = await Promise.all(folders.map(async (folder) => {
    const edit = element('button', { type: 'button', textContent: 'Edit', ariaLabel: `Edit ${folder.path}` });
    edit.addEventListener('click', () => {
      $('folder-path').value = folder.path;
      $('folder-setting').value = folder.smart_tags ?? 'inherit';
      $('folder-people').value = folder.people ?? 'inherit';
      $('folder-setting').focus();
    });
    const row = element('tr', {},
      element('th', { scope: 'row', textContent: folder.path }),
      element('td', { textContent: SETTING_TEXT[folder.smart_tags ?? 'inherit'] ?? folder.smart_tags }),
      element('td', { textContent: SETTING_TEXT[folder.people ?? 'inherit'] ?? folder.people }),
      element('td', { textContent: await effective(folder.path) }),
      element('td', { textContent: [folder.actor, folder.at ? new Date(Number(folder.at) * 1000 || folder.at).toLocaleString() : ''].filter(Boolean).join(', ') }),
      element('td', {}, edit));
    row.dataset.path = folder.path;
    return row;
  }));
  $('folder-list').querySelector('tbody').replaceChildren(...rows);
  $('no-folders').hidden = rows.length > 0;
}

async function setFolder(event) {
  event.preventDefault();
  const path = $('folder-path').value.trim();
  const setting = $('folder-setting').value;
  const people = $('folder-people').value;
  if (!path) {
    say('folder-message', 'Type a folder path, like /campaigns/2026.', 'error');
    return;
  }
  // Only the switches that change: a switch left as the folder has it is not sent, so setting one
  // never clears the other (face detection switched off stays off).
  const own = ownSettings.get(normalizedPath(path));
  const body = { path };
  if (setting !== (own?.smart_tags ?? 'inherit')) body.smart_tags = setting;
  if (people !== (own?.people ?? 'inherit')) body.people = people;
  if (!('smart_tags' in body) && !('people' in body)) {
    say('folder-message', `${path} already has these settings.`, 'ok');
    return;
  }
  try {
    const answer = await api('folders', { method: 'PUT', body });
    await renderFolders();
    const switches = [['Smart tagging', body.smart_tags], ['face detection', body.people]].filter(([, value]) => value);
    const set = switches.map(([name, value]) => (value === 'inherit' ? `${name} inherited` : `${name} ${value}`));
    const first = `${set.join(', ')} for ${path}`;
    const stale = answer?.stale ? `; ${answer.stale} stored asset${answer.stale === 1 ? ' is' : 's are'} being tagged again` : '';
    const text = `${first[0].toUpperCase()}${first.slice(1)}${stale}.`;
    say('folder-message', text, 'ok');
    $('announcer').textContent = text;
  } catch (error) {
    say('folder-message', error.message, 'error');
  }
}

/** Loads the section; its own failures are shown in it (the rest of the page still opens). */
export async function openWorkflow() {
  try {
    renderWorkflow(await api('workflow'));
    say('workflow-message', '');
  } catch (error) {
    say('workflow-message', `The workflow cannot be read: ${error.message}`, 'error');
  }
  try {
    await renderFolders();
    say('folder-message', '');
  } catch (error) {
    say('folder-message', `The folder settings cannot be read: ${error.message}`, 'error');
  }
}

export function wireWorkflow() {
  $('workflow-form').addEventListener('submit', saveWorkflow);
  $('folder-form').addEventListener('submit', setFolder);
  $('folder-path').addEventListener('input', fillFromRow);
}
