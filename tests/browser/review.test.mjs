// The review on the upload page with the keyboard only (no mouse), driven by the wasm review
// session, against the real proxy and service: accept, reject, add (autocomplete from the
// taxonomy), undo and redo on one image and on a selection of two, checked on the service itself;
// the view threshold dims what it would hide; the help dialog lists the session's key map; the
// results export as JSON, CSV and XMP sidecars that exiftool reads (titles and the A|B|C
// hierarchy); axe-core finds no serious or critical violation with results and with the help
// dialog open; the same photo uploaded again keeps its decisions; a German browser gets German
// titles and suggestions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startStack, fixture, root, scratchDir, seriousAxeViolations, holdFirstRequest } from './harness.mjs';

const SCREENSHOTS = path.join(root, 'target/screenshots');
const CATS = 'demo:animals/pets/cats';
const PETS = 'demo:animals/pets';
const DOGS = 'demo:animals/pets/dogs';
const BREAKFAST = 'demo:food-drink/breakfast';
const DOMESTIC_CAT = 'wordnet:n02121808';
const chelsea = readFileSync(fixture('skimage/chelsea.png'));
const coffee = readFileSync(fixture('skimage/coffee.png'));
const hashOf = (bytes) => createHash('sha256').update(bytes).digest('hex');
let stack;
let page;
const problems = [];

before(async () => {
  stack = await startStack();
  const context = await stack.browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'en-US', acceptDownloads: true });
  page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(stack.url);
  await page.locator('body[data-ready="true"]').waitFor();
  // Only the keyboard from here on: a click anywhere would be a mistake of this test.
  await page.evaluate(() => document.addEventListener('mousedown', () => { window.mouseUsed = true; }, true));
});

after(async () => {
  await stack?.stop();
});

const cardFor = (name) => page.locator('.card', { has: page.locator('.name', { hasText: new RegExp(`^${name.replace(/[.]/g, '\\.')}$`) }) }).first();
const current = () => page.locator('.card[aria-current="true"]');
const focusedTagId = () => page.evaluate(() => document.activeElement?.closest('.tag')?.dataset.tagId ?? null);
const currentName = () => current().locator('.name').textContent();

// The service's view of an asset (the proxy's GET /api/v1/assets).
async function serviceTags(bytes) {
  const response = await fetch(`${stack.url}api/v1/assets?content_hash=${hashOf(bytes)}&locale=en`);
  assert.equal(response.status, 200);
  const { tags } = await response.json();
  return { manual: tags.manual.map((t) => t.id).sort(), removed: [...tags.removed].sort() };
}

async function eventually(check, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${what}: ${e.message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function key(k) {
  await page.keyboard.press(k);
}

async function goToAsset(name) {
  for (const step of ['j', 'k']) {
    for (let i = 0; i < 10 && (await currentName().catch(() => '')) !== name; i++) await key(step);
  }
  assert.equal(await currentName(), name);
}

async function goToTag(id) {
  for (let i = 0; i < 60 && (await focusedTagId()) !== id; i++) await key('l');
  assert.equal(await focusedTagId(), id, `tag ${id} reached with →`);
}

// RFC 4180: CRLF rows, quoted fields with doubled quotes.
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

async function axe(label) {
  assert.deepEqual(await seriousAxeViolations(page), [], label);
}

test('accept, reject, add, undo and redo with the keyboard reach the service', async () => {
  await page.setInputFiles('#file', [
    { name: 'chelsea.png', mimeType: 'image/png', buffer: chelsea },
    { name: 'coffee.png', mimeType: 'image/png', buffer: coffee },
  ]);
  for (const name of ['chelsea.png', 'coffee.png']) {
    await cardFor(name).locator('xpath=self::*[@data-state="done"]').waitFor({ timeout: 60_000 });
  }
  // Cards in queue order: the session's, most uncertain first.
  const queueNames = await page.evaluate(() => window.smartTags.review.keys().map((k) => window.smartTags.review.name(k)));
  assert.deepEqual(await page.locator('.card .name').allTextContents(), queueNames);

  await key('j'); // into the review: the current asset, its first tag
  assert.ok(await focusedTagId(), 'a tag has the focus');
  await goToAsset('chelsea.png');

  // Accept Cats.
  await goToTag(CATS);
  await key('a');
  await cardFor('chelsea.png').locator(`.tag[data-tag-id="${CATS}"][data-state="accepted"]`).waitFor();
  await eventually(async () => assert.ok((await serviceTags(chelsea)).manual.includes(CATS)), 'cats accepted on the service');
  assert.match(await page.locator('#announcer').textContent(), /Kept Cats on chelsea\.png/);

  // Reject "domestic cat".
  await goToTag(DOMESTIC_CAT);
  await key('r');
  await cardFor('chelsea.png').locator(`.tag[data-tag-id="${DOMESTIC_CAT}"][data-state="rejected"]`).waitFor();
  await eventually(async () => assert.ok((await serviceTags(chelsea)).removed.includes(DOMESTIC_CAT)), 'domestic cat removed on the service');

  // Add "Pets" with the autocomplete.
  await key('t');
  assert.ok(await page.evaluate(() => document.activeElement.matches('.card .add input')), 't focuses the add box');
  await page.keyboard.type('Pet');
  await eventually(async () => assert.ok((await cardFor('chelsea.png').locator('datalist option').evaluateAll((o) => o.map((x) => x.value))).includes('Pets')),
    'Pets suggested');
  await page.keyboard.type('s');
  // Hold the add's save in flight for a moment, as on a slow network.
  const save = await holdFirstRequest(page, '**/api/v1/assets/moderation');
  await key('Enter');
  // The focus leaves the add box at once, not when the save answers, so the next key acts in the review.
  await save.started();
  assert.ok(await page.evaluate(() => !document.activeElement.closest('input') && !!document.activeElement.closest('.card[aria-current="true"]')),
    'the focus is back in the review while the add is saved');
  assert.equal(await currentName(), 'chelsea.png');

  // Undo the add while it is still being saved: the undo goes after it, so Pets ends up gone.
  await key('z');
  assert.match(await page.locator('#announcer').textContent(), /^Undo: add Pets on chelsea\.png/);
  save.release();
  await eventually(async () => assert.equal(save.seen(), 2), 'the undo is sent after the add');
  await save.stop();
  await eventually(async () => assert.ok(!(await serviceTags(chelsea)).manual.includes(PETS)), 'undo: pets gone from the service');
  await cardFor('chelsea.png').locator(`.tag[data-tag-id="${PETS}"][data-state="manual"]`).waitFor({ state: 'detached' });
  await key('Control+z');
  await eventually(async () => assert.ok(!(await serviceTags(chelsea)).removed.includes(DOMESTIC_CAT)), 'undo: domestic cat back');
  await cardFor('chelsea.png').locator(`.tag[data-tag-id="${DOMESTIC_CAT}"][data-state="suggested"]`).waitFor();
  await key('Shift+Z');
  await eventually(async () => assert.ok((await serviceTags(chelsea)).removed.includes(DOMESTIC_CAT)), 'redo: domestic cat removed again');
  assert.match(await page.locator('#announcer').textContent(), /^Redo: reject domestic cat on chelsea\.png/);
  assert.deepEqual(await serviceTags(chelsea), { manual: [CATS], removed: [DOMESTIC_CAT] });
});

test('a tag added to a selection of two images reaches both; undo takes it off both', async () => {
  await goToAsset('chelsea.png');
  await key('Space');
  await goToAsset('coffee.png');
  await key('Space');
  assert.equal(await page.locator('.card.selected').count(), 2);
  assert.match(await page.locator('#announcer').textContent(), /2 images selected/);
  await key('t');
  await page.keyboard.type('Breakfast');
  await key('Enter');
  for (const bytes of [chelsea, coffee]) {
    await eventually(async () => assert.ok((await serviceTags(bytes)).manual.includes(BREAKFAST)), 'breakfast on both');
  }
  assert.match(await page.locator('#announcer').textContent(), /Added Breakfast on 2 images/);
  await key('z');
  for (const bytes of [chelsea, coffee]) {
    await eventually(async () => assert.ok(!(await serviceTags(bytes)).manual.includes(BREAKFAST)), 'breakfast undone on both');
  }
  // Unselect both again.
  await key('Space');
  await goToAsset('chelsea.png');
  await key('Space');
  assert.equal(await page.locator('.card.selected').count(), 0);
});

test('Enter completes a partial title ("Dog" → Dogs); an unknown one is named and Escape goes back', async () => {
  await goToAsset('chelsea.png');
  await key('t');
  await page.keyboard.type('Dog');
  await key('Enter');
  await eventually(async () => assert.ok((await serviceTags(chelsea)).manual.includes(DOGS)), 'Dogs added for "Dog"');
  assert.ok(await page.evaluate(() => !document.activeElement.closest('input')), 'back in the review');
  await key('z');
  await eventually(async () => assert.ok(!(await serviceTags(chelsea)).manual.includes(DOGS)), 'undone');

  await key('t');
  await page.keyboard.type('Zebracorn');
  await key('Enter');
  const message = cardFor('chelsea.png').locator('.message');
  await message.filter({ hasText: /^No taxonomy tag is called “Zebracorn”\..* Esc goes back to the review\.$/ }).waitFor();
  await key('Escape');
  assert.ok(await page.evaluate(() => !document.activeElement.closest('input') && !!document.activeElement.closest('.card[aria-current="true"]')),
    'Escape leaves the add box for the review');
  assert.equal(await message.textContent(), '');
  assert.equal(await cardFor('chelsea.png').locator('.add input').inputValue(), '');
});

test('m shows more suggestions below the threshold, best first; Enter adds one as a tag; Escape closes', async () => {
  await goToAsset('chelsea.png');
  const before = await serviceTags(chelsea);
  await key('m');
  const buttons = cardFor('chelsea.png').locator('.more button.more-tag');
  await buttons.first().waitFor();
  assert.ok(await page.evaluate(() => document.activeElement.matches('.more-tag')), 'the focus is on the best suggestion');
  assert.match(await page.locator('#announcer').textContent(), /more suggestions? for chelsea\.png, best first/);
  const percents = await buttons.evaluateAll((all) => all.map((b) => Number(b.textContent.match(/([\d.]+)%$/)?.[1])));
  assert.deepEqual(percents, [...percents].sort((a, b) => b - a), 'best first');
  assert.ok(percents.every((p) => p < 50), `below the threshold: ${percents}`);
  assert.deepEqual(await serviceTags(chelsea), before, 'asking for suggestions changes nothing');
  const id = await buttons.first().getAttribute('data-more-id');
  await key('Enter');
  await eventually(async () => assert.ok((await serviceTags(chelsea)).manual.includes(id)), 'the suggestion is a manual tag on the service');
  await cardFor('chelsea.png').locator(`.tag[data-tag-id="${id}"][data-state="manual"]`).waitFor();
  assert.ok(await page.evaluate(() => document.activeElement.matches('.more-tag')), 'the focus moves to the next suggestion');
  await key('Escape');
  await cardFor('chelsea.png').locator('.more').waitFor({ state: 'detached' });
  assert.ok(await page.evaluate(() => !!document.activeElement.closest('.card[aria-current="true"]')), 'back in the review');
  await key('z');
  await eventually(async () => assert.deepEqual(await serviceTags(chelsea), before), 'undo takes the added suggestion off');
});

test('the view threshold dims the tags it would hide and says how many', async () => {
  for (let i = 0; i < 19; i++) await key(']');
  assert.equal(await page.locator('#threshold').inputValue(), '95');
  const text = await page.locator('#threshold-output').textContent();
  const [, count, images] = text.match(/^Hides (\d+) tags? on (\d+) images?$/) ?? [];
  assert.ok(Number(count) > 0, text);
  assert.equal(await page.locator('.tag[data-hidden-by-view]').count(), Number(count));
  assert.ok(Number(images) >= 1 && Number(images) <= 2);
  for (const state of await page.locator('.tag[data-hidden-by-view]').evaluateAll((t) => t.map((x) => x.dataset.state))) {
    assert.equal(state, 'suggested', 'only suggestions are hidden');
  }
  for (let i = 0; i < 19; i++) await key('[');
  assert.equal(await page.locator('#threshold-output').textContent(), 'Hides nothing');
  assert.equal(await page.locator('.tag[data-hidden-by-view]').count(), 0);
});

test('the help dialog lists the key map; axe finds no serious violation', async () => {
  await axe('the page with results');
  await key('?');
  const dialog = page.getByRole('dialog', { name: 'Review keys' });
  await dialog.waitFor();
  const actions = await page.evaluate(async () => {
    const wasm = await import('./pkg/smart_tags_wasm.js');
    await wasm.default();
    return [...new Map(wasm.keyMap().map((b) => [b.action, b.description])).values()];
  });
  assert.deepEqual(await dialog.locator('tbody td').allTextContents(), actions);
  assert.ok((await dialog.locator('kbd').allTextContents()).includes('A'), 'the accept key is listed');
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'review-help.png') });
  await axe('the help dialog');
  await key('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.ok(await focusedTagId(), 'the focus is back on a tag');
});

test('export JSON, CSV and the XMP sidecars as one zip: exiftool reads the titles and the hierarchy', async () => {
  const dir = scratchDir();
  const downloads = [];
  page.on('download', (d) => downloads.push(d));
  await key('e');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'export-json');
  await key('Enter');
  await key('Tab');
  await key('Enter');
  await key('Tab');
  await key('Enter');
  await eventually(async () => assert.equal(downloads.length, 3), 'three downloads: JSON, CSV and one zip of the sidecars');
  const saved = {};
  for (const d of downloads) {
    const file = path.join(dir, d.suggestedFilename());
    await d.saveAs(file);
    saved[path.extname(file)] = file;
  }
  assert.deepEqual(Object.keys(saved).sort(), ['.csv', '.json', '.zip']);
  assert.match(path.basename(saved['.zip']), /^smart-tags-xmp-[\d-]+\.zip$/);
  const unpacked = path.join(dir, 'xmp');
  execFileSync('/usr/bin/unzip', ['-q', saved['.zip'], '-d', unpacked]);
  assert.deepEqual(readdirSync(unpacked).sort(), ['chelsea.xmp', 'coffee.xmp']);
  saved['chelsea.xmp'] = path.join(unpacked, 'chelsea.xmp');
  saved['coffee.xmp'] = path.join(unpacked, 'coffee.xmp');

  const [xmp] = JSON.parse(execFileSync('/usr/bin/exiftool', ['-j', saved['chelsea.xmp']], { encoding: 'utf8' }));
  const list = (v) => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
  assert.ok(list(xmp.Subject).includes('Cats'), JSON.stringify(xmp));
  assert.ok(list(xmp.HierarchicalSubject).includes('Animals|Pets|Cats'), JSON.stringify(xmp));
  assert.ok(!list(xmp.Subject).includes('domestic cat'), 'a rejected tag is not exported');
  const [coffeeXmp] = JSON.parse(execFileSync('/usr/bin/exiftool', ['-j', saved['coffee.xmp']], { encoding: 'utf8' }));
  assert.ok(list(coffeeXmp.HierarchicalSubject).includes('Food & Drink|Coffee'), JSON.stringify(coffeeXmp));

  const json = JSON.parse(readFileSync(saved['.json'], 'utf8'));
  assert.equal(json.format, 'smart-tags-export');
  const byName = Object.fromEntries(json.assets.map((a) => [a.name, a]));
  assert.equal(byName['chelsea.png'].content_hash, hashOf(chelsea));
  const chelseaIds = byName['chelsea.png'].tags.map((t) => t.id);
  assert.ok(chelseaIds.includes(CATS) && !chelseaIds.includes(DOMESTIC_CAT));

  const [header, ...rows] = parseCsv(readFileSync(saved['.csv'], 'utf8'));
  assert.deepEqual(header.slice(0, 7), ['asset', 'content_hash', 'tag_id', 'title', 'hierarchy', 'confidence', 'source']);
  const column = Object.fromEntries(header.map((h, i) => [h, i]));
  const catsRow = rows.find((r) => r[column.asset] === 'chelsea.png' && r[column.tag_id] === CATS);
  assert.equal(catsRow?.[column.content_hash], hashOf(chelsea));
  assert.deepEqual([catsRow[column.title], catsRow[column.hierarchy]], ['Cats', 'Animals|Pets|Cats']);
  assert.ok(!rows.some((r) => r[column.tag_id] === DOMESTIC_CAT && r[column.asset] === 'chelsea.png'), 'no rejected tag in the CSV');
  assert.equal(rows.length, json.assets.reduce((n, a) => n + Math.max(a.tags.length, 1), 0), 'one row per asset and tag');
});

test('export filters: confirmed only and taxonomy only (keyboard)', async () => {
  const dir = scratchDir();
  const exported = async () => {
    await page.focus('#export-json');
    const [download] = await Promise.all([page.waitForEvent('download'), key('Enter')]);
    const file = path.join(dir, `${Date.now()}-${download.suggestedFilename()}`);
    await download.saveAs(file);
    return JSON.parse(readFileSync(file, 'utf8')).assets.flatMap((a) => a.tags);
  };
  const everything = await exported();
  assert.ok(everything.some((t) => !t.confirmed) && everything.some((t) => t.source === 'generic' || t.source === 'color'), 'the unfiltered export has both kinds');

  await page.focus('#export-confirmed');
  await key(' ');
  const confirmed = await exported();
  assert.ok(confirmed.length > 0 && confirmed.every((t) => t.confirmed), JSON.stringify(confirmed));
  assert.ok(confirmed.some((t) => t.id === CATS), 'the accepted Cats tag goes out');

  await page.focus('#export-taxonomy');
  await key(' ');
  const own = await exported();
  assert.ok(own.length > 0 && own.every((t) => t.confirmed && ['taxonomy', 'trained', 'manual'].includes(t.source) && !/^(wordnet|color|scene):/.test(t.id)), JSON.stringify(own));
  assert.ok(own.length < confirmed.length || confirmed.every((t) => t.source === 'taxonomy'), 'taxonomy only leaves the generic and colour tags out');

  // Both off again for what follows.
  await page.focus('#export-confirmed');
  await key(' ');
  await page.focus('#export-taxonomy');
  await key(' ');
  assert.equal(await page.locator('#export-confirmed').isChecked(), false);
});

test('the same photo uploaded again keeps its decisions; the mouse was never used', async () => {
  await page.setInputFiles('#file', { name: 'chelsea-again.png', mimeType: 'image/png', buffer: chelsea });
  const again = cardFor('chelsea-again.png');
  await again.locator('xpath=self::*[@data-state="done"]').waitFor({ timeout: 60_000 });
  assert.equal(await again.locator(`.tag[data-tag-id="${CATS}"]`).getAttribute('data-state'), 'accepted');
  assert.equal(await again.locator(`.tag[data-tag-id="${DOMESTIC_CAT}"]`).getAttribute('data-state'), 'rejected');
  assert.match(await again.locator('.summary').textContent(), /Stored tags/);
  assert.equal(await page.evaluate(() => window.mouseUsed ?? false), false);
  assert.deepEqual(problems, []);
});

test('a German browser gets German titles and German suggestions', async () => {
  const context = await stack.browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
  const german = await context.newPage();
  await german.goto(stack.url);
  await german.locator('body[data-ready="true"]').waitFor();
  await german.setInputFiles('#file', { name: 'kaffee.png', mimeType: 'image/png', buffer: coffee });
  const card = german.locator('.card').first();
  await card.locator('xpath=self::*[@data-state="done"]').waitFor({ timeout: 60_000 });
  assert.equal(await card.locator('.tag[data-tag-id="demo:food-drink/coffee"] .tag-label').textContent(), 'Kaffee');
  await card.locator('.add input').focus();
  await german.keyboard.type('Früh');
  await card.locator('datalist option[value="Frühstück"]').waitFor({ state: 'attached' });
  await german.keyboard.type('stück');
  await german.keyboard.press('Enter');
  await card.locator(`.tag[data-tag-id="${BREAKFAST}"]:not([data-state="suggested"])`).waitFor();
  await context.close();
});
