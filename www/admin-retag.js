// The admin page's Bulk re-tag section (issue 7; docs/backend-api.md "Bulk re-tag"): after a
// taxonomy change or a new trained model, a dry run over a folder (empty: every stored asset)
// with POST api/v1/admin/retag-jobs, its progress long-polled (?wait=), then a summary (changed,
// unchanged, needing the image) and a table per asset of the tags that would be added and
// removed (manual tags are never removed, removed tags never come back: the service's diff).
// Apply runs the job that saves (POST .../{id}/apply) with the same progress and summary.
// Every call goes through admin-api.js with the admin token; the proxy runs them on the
// back-end API's job store (it needs --backend-keys).

import { api, ApiError } from './admin-api.js';
import { $, element, plural, announce, say as sayIn } from './admin-dom.js';

const WAIT_SECONDS = 2;
const PAGE = 1000;
let dryRun = null; // the completed dry-run job's id, what Apply applies
let running = null; // the job in progress (Cancel stops it)

const say = (text, kind = 'info') => sayIn('retag-message', text, kind);

function errorText(error) {
  if (error instanceof ApiError && error.body?.code === 'backend_off') {
    return `Bulk re-tag runs on the back-end API's job store, which is off: ${error.message}.`;
  }
  if (error instanceof ApiError && error.status === 401) return 'The admin token was refused: sign out and sign in again.';
  return error.message;
}

function showProgress(job) {
  const ended = job.total - job.pending;
  $('retag-progress').hidden = false;
  $('retag-progress-bar').max = Math.max(job.total, 1);
  $('retag-progress-bar').value = ended;
  $('retag-progress-text').textContent = `${job.options?.dry_run ? 'Dry run' : 'Apply'}: ${ended} of ${plural(job.total, 'asset')} (${job.status})`;
}

// Polls the job until it ends; the progress line (a live region) says how far it is.
async function follow(id) {
  running = id;
  $('retag-cancel').hidden = false;
  try {
    let job = await api(`retag-jobs/${encodeURIComponent(id)}`);
    showProgress(job);
    while (!['completed', 'failed', 'cancelled'].includes(job.status)) {
      job = await api(`retag-jobs/${encodeURIComponent(id)}?wait=${WAIT_SECONDS}`);
      showProgress(job);
    }
    return job;
  } finally {
    running = null;
    $('retag-cancel').hidden = true;
  }
}

async function results(id) {
  const all = [];
  let after = null;
  do {
    const query = after === null ? `limit=${PAGE}` : `limit=${PAGE}&after=${after}`;
    const page = await api(`retag-jobs/${encodeURIComponent(id)}/results?${query}`);
    all.push(...page.results);
    after = page.next;
  } while (after !== null && after !== undefined);
  return all;
}

function tagList(tags, kind) {
  if (!tags?.length) return element('span', { className: 'hint', textContent: 'none' });
  const label = kind === 'added' ? 'added' : 'removed';
  return element('ul', { className: `retag-tags ${kind}` },
    ...tags.map((tag) => element('li', { className: `retag-tag ${kind}`, title: `${label}: ${tag.id}`, textContent: tag.title ?? tag.id })));
}

const STATUS_TEXT = { changed: 'Changed', unchanged: 'Unchanged', needs_image: 'Needs the image', smart_tags_off: 'Smart tagging off' };

function row(result) {
  const failed = result.error ? `Failed: ${result.error.message}` : null;
  const tr = element('tr', {},
    element('th', { scope: 'row', textContent: result.asset_id ?? result.content_hash ?? '' }),
    element('td', { textContent: failed ?? STATUS_TEXT[result.status] ?? result.status ?? '' }),
    element('td', {}, tagList(result.added, 'added')),
    element('td', {}, tagList(result.removed, 'removed')));
  tr.dataset.asset = result.asset_id ?? '';
  tr.dataset.status = result.error ? 'failed' : result.status ?? '';
  return tr;
}

function summaryText(job) {
  const s = job.summary ?? {};
  const parts = [`${s.changed ?? 0} changed`, `${s.unchanged ?? 0} unchanged`, `${s.needs_image ?? 0} needing the image`];
  if (s.smart_tags_off) parts.push(`${s.smart_tags_off} in folders with smart tagging off`);
  if (s.failed) parts.push(`${s.failed} failed`);
  if (job.cancelled) parts.push(`${job.cancelled} cancelled`);
  return parts.join(', ');
}

async function showResults(job, applied) {
  const list = await results(job.job_id);
  const changed = list.filter((r) => r.status === 'changed' || r.error);
  const table = $('retag-results');
  table.querySelector('caption').textContent = applied ? 'Tags added and removed' : 'Tags that would be added and removed';
  table.querySelector('tbody').replaceChildren(...changed.map(row));
  table.hidden = changed.length === 0;
  const what = applied ? 'Applied' : 'Dry run';
  const text = `${what} ${job.status === 'completed' ? 'done' : job.status}: ${plural(job.total, 'asset')}, ${summaryText(job)}.`;
  $('retag-summary').textContent = text;
  $('retag-summary').hidden = false;
  $('retag-summary').dataset.kind = job.status === 'completed' ? 'ok' : 'warning';
  announce(text);
  return changed.length;
}

async function startDryRun(event) {
  event.preventDefault();
  const folder = $('retag-folder').value.trim();
  const controls = [$('retag-dry-run'), $('retag-apply'), $('retag-folder'), $('retag-ignore-flag')];
  for (const c of controls) c.disabled = true;
  dryRun = null;
  $('retag-apply').hidden = true;
  $('retag-summary').hidden = true;
  $('retag-results').hidden = true;
  say('');
  try {
    const created = await api('retag-jobs', { method: 'POST', body: { kind: 'retag', folder: folder || null, dry_run: true, ignore_smart_tag_flag: $('retag-ignore-flag').checked } });
    announce(`Dry run started over ${plural(created.total, 'asset')}`);
    const job = await follow(created.job_id);
    const changes = await showResults(job, false);
    if (job.status === 'completed' && changes > 0) {
      dryRun = job.job_id;
      $('retag-apply').hidden = false;
      say(`Nothing is saved yet: Apply saves the changes of ${plural(changes, 'asset')}.`);
    } else if (job.status === 'completed') {
      say('No asset would change: nothing to apply.', 'ok');
    }
  } catch (error) {
    say(errorText(error), 'error');
    announce(`Dry run failed: ${errorText(error)}`);
  } finally {
    for (const c of controls) c.disabled = false;
  }
}

async function apply() {
  if (!dryRun) return;
  const controls = [$('retag-dry-run'), $('retag-apply'), $('retag-folder'), $('retag-ignore-flag')];
  for (const c of controls) c.disabled = true;
  try {
    const created = await api(`retag-jobs/${encodeURIComponent(dryRun)}/apply`, { method: 'POST' });
    announce(`Applying over ${plural(created.total, 'asset')}`);
    const job = await follow(created.job_id);
    await showResults(job, true);
    dryRun = null;
    $('retag-apply').hidden = true;
    say(job.status === 'completed' ? 'Saved: the assets have their new tags.' : `The apply job ${job.status}.`, job.status === 'completed' ? 'ok' : 'error');
  } catch (error) {
    say(errorText(error), 'error');
    announce(`Apply failed: ${errorText(error)}`);
  } finally {
    for (const c of controls) c.disabled = false;
  }
}

async function cancel() {
  if (!running) return;
  try {
    await api(`retag-jobs/${encodeURIComponent(running)}/cancel`, { method: 'POST' });
    announce('Re-tag job cancelled');
  } catch (error) {
    say(errorText(error), 'error');
  }
}

export function wireRetag() {
  $('retag-form').addEventListener('submit', startDryRun);
  $('retag-apply').addEventListener('click', apply);
  $('retag-cancel').addEventListener('click', cancel);
}
