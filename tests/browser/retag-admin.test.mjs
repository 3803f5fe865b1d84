// The admin page's Bulk re-tag section end to end, with the real service, the real proxy (its
// back-end API on, whose job store and worker the admin routes run on) and real photos: chelsea
// (a cat) and coffee are tagged through the back-end API; on the cat a person adds a manual tag
// and removes a smart one; the taxonomy gains "Kitties" (synonym "cat"). The dry run on the admin
// page shows the new tag as added on the cat only, never the manual tag as removed nor the
// removed tag as added back, and saves nothing; Apply saves it. axe-core finds nothing serious.
// The admin routes refuse a request without the admin token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startStack, fixture, seriousAxeViolations } from './harness.mjs';

const ADMIN_TOKEN = 'retag-test-admin-token-0123456789abcdef';
const CATS = 'demo:animals/pets/cats';
const KITTIES = 'demo:animals/pets/kitties';
const BREAKFAST = 'demo:food-drink/breakfast';
let stack;
const problems = [];

before(async () => {
  stack = await startStack({ adminToken: ADMIN_TOKEN, backendKey: true });
});

after(async () => {
  await stack?.stop();
});

async function backendTag(assetId, relative) {
  const response = await fetch(`${stack.url}api/v1/backend/assets/tag?asset_id=${assetId}&folder=/shoot`, {
    method: 'POST', headers: { authorization: `Bearer ${stack.backendKey}` }, body: readFileSync(fixture(relative)),
  });
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  return body;
}

async function json(path, { method = 'GET', body, token } = {}) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(stack.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: await response.json().catch(() => null) };
}

async function asset(assetId) {
  const { status, body } = await json(`api/v1/assets?asset_id=${assetId}&locale=en`);
  assert.equal(status, 200, JSON.stringify(body));
  return { smart: body.tags.smart.map((t) => t.id), manual: body.tags.manual.map((t) => t.id), removed: body.tags.removed };
}

test('the admin routes need the admin token', async () => {
  for (const [method, path] of [['POST', 'api/v1/admin/retag-jobs'], ['GET', 'api/v1/admin/retag-jobs/job_x'], ['GET', 'api/v1/admin/retag-jobs/job_x/results'],
    ['POST', 'api/v1/admin/retag-jobs/job_x/apply'], ['POST', 'api/v1/admin/retag-jobs/job_x/cancel']]) {
    const none = await json(path, { method, body: method === 'POST' ? { kind: 'retag', dry_run: true } : undefined });
    assert.equal(none.status, 401, `${method} ${path}`);
    assert.equal(none.body.code, 'admin_token_required');
    // A back-end key is not the admin token.
    assert.equal((await json(path, { method, token: stack.backendKey })).status, 401, `${method} ${path} with a back-end key`);
  }
  assert.equal((await json('api/v1/admin/retag-jobs/job_x', { token: ADMIN_TOKEN })).body.code, 'unknown_job');
});

test('dry run on the admin page, then apply', { timeout: 120_000 }, async () => {
  const cat = await backendTag('dam-cat', 'skimage/chelsea.png');
  await backendTag('dam-coffee', 'skimage/coffee.png');
  assert.ok(cat.tags.smart.some((t) => t.id === CATS), `the cat is tagged Cats: ${JSON.stringify(cat.tags.smart.map((t) => t.id))}`);

  // A person adds a manual tag and removes a smart one.
  for (const [tag_id, action] of [[BREAKFAST, 'add_manual'], [CATS, 'remove']]) {
    const moderated = await json('api/v1/assets/moderation', { method: 'POST', body: { asset_id: 'dam-cat', tag_id, action } });
    assert.equal(moderated.status, 200, JSON.stringify(moderated.body));
  }
  const before = await asset('dam-cat');
  assert.deepEqual([before.manual, before.removed], [[BREAKFAST], [CATS]]);
  // The taxonomy gains a tag for the cat (through the admin pass-through).
  const created = await json('api/v1/admin/taxonomy/tags', {
    method: 'POST', token: ADMIN_TOKEN, body: { id: KITTIES, titles: { en: 'Kitties' }, synonyms: { en: ['cat'] } },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));

  const context = await stack.browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'en-US' });
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(`${stack.url}admin.html`);
  await page.fill('#token', ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#workflow-form[data-version]').waitFor();

  // Dry run over the folder: progress, then the summary and the table.
  await page.fill('#retag-folder', '/shoot');
  await page.getByRole('button', { name: 'Dry run', exact: true }).click();
  const summary = page.locator('#retag-summary');
  await summary.filter({ hasText: 'Dry run done' }).waitFor({ timeout: 30_000 });
  assert.equal(await summary.textContent(), 'Dry run done: 2 assets, 1 changed, 1 unchanged, 0 needing the image.');
  assert.match(await page.locator('#retag-progress-text').textContent(), /^Dry run: 2 of 2 assets \(completed\)$/);
  const row = page.locator('#retag-results tbody tr[data-asset="dam-cat"]');
  assert.equal(await page.locator('#retag-results tbody tr').count(), 1, 'only the changed asset is listed');
  assert.equal(await row.locator('th').textContent(), 'dam-cat');
  const added = await row.locator('.retag-tag.added').allTextContents();
  const addedIds = await row.locator('.retag-tag.added').evaluateAll((nodes) => nodes.map((n) => n.title.replace(/^added: /, '')));
  const removedIds = await row.locator('.retag-tag.removed').evaluateAll((nodes) => nodes.map((n) => n.title.replace(/^removed: /, '')));
  assert.ok(added.includes('Kitties') && addedIds.includes(KITTIES), `Kitties would be added: ${addedIds}`);
  assert.ok(!addedIds.includes(CATS), `the removed tag never comes back: ${addedIds}`);
  assert.ok(!removedIds.includes(BREAKFAST), `the manual tag is never removed: ${removedIds}`);
  // Added is green, removed red (the page's colours).
  assert.equal(await row.locator('.retag-tag.added').first().evaluate((n) => getComputedStyle(n).color), 'rgb(27, 127, 59)');
  assert.deepEqual(await page.locator('#retag-results thead th').allTextContents(), ['Asset', 'Status', 'Added', 'Removed']);
  // Nothing saved by the dry run.
  assert.deepEqual(await asset('dam-cat'), before);
  assert.deepEqual(await seriousAxeViolations(page), [], 'axe after the dry run');

  // Apply: its own job, progress and summary; the asset has the new tag.
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await summary.filter({ hasText: 'Applied done' }).waitFor({ timeout: 30_000 });
  assert.equal(await summary.textContent(), 'Applied done: 2 assets, 1 changed, 1 unchanged, 0 needing the image.');
  await page.locator('#retag-message', { hasText: 'Saved' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Apply', exact: true }).isHidden(), true, 'applied once');
  const afterApply = await asset('dam-cat');
  assert.ok(afterApply.smart.includes(KITTIES), `saved: ${afterApply.smart}`);
  assert.ok(!afterApply.smart.includes(CATS));
  assert.deepEqual([afterApply.manual, afterApply.removed], [[BREAKFAST], [CATS]]);
  assert.ok(!(await asset('dam-coffee')).smart.includes(KITTIES));

  // A second dry run finds nothing left to change.
  await page.getByRole('button', { name: 'Dry run', exact: true }).click();
  await page.locator('#retag-message', { hasText: 'No asset would change' }).waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('#retag-results').isHidden(), true);
  assert.deepEqual(await seriousAxeViolations(page), [], 'axe after apply');

  // Smart tagging switched off for the folder: its assets are left alone unless included.
  const off = await json('api/v1/admin/folders', { method: 'PUT', token: ADMIN_TOKEN, body: { path: '/shoot', smart_tags: 'disabled' } });
  assert.equal(off.status, 200, JSON.stringify(off.body));
  await page.getByRole('button', { name: 'Dry run', exact: true }).click();
  await summary.filter({ hasText: 'in folders with smart tagging off' }).waitFor({ timeout: 30_000 });
  assert.equal(await summary.textContent(), 'Dry run done: 2 assets, 0 changed, 0 unchanged, 0 needing the image, 2 in folders with smart tagging off.');
  await page.getByLabel('Include folders with smart tagging off').check();
  await page.getByRole('button', { name: 'Dry run', exact: true }).click();
  await page.locator('#retag-message', { hasText: 'No asset would change' }).waitFor({ timeout: 30_000 });
  assert.equal(await summary.textContent(), 'Dry run done: 2 assets, 0 changed, 2 unchanged, 0 needing the image.');
  await json('api/v1/admin/folders', { method: 'PUT', token: ADMIN_TOKEN, body: { path: '/shoot', smart_tags: 'inherit' } });
  assert.deepEqual(problems, []);
  await context.close();
});
