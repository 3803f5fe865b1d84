// The built-in scene tags in the browser, against the real proxy and service with the scene
// model trained at setup: on the upload page a mountain lake gets "Mountains" and "Sky & Clouds"
// from the demo taxonomy and the generic "lake", a city street "city", "street" and "Buildings",
// a cat no scene at all; the admin page shows the scene model with each scene's precision and
// recall, and its workflow form lists the Scenes step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startStack, fixture, scratchDir } from './harness.mjs';

const scratch = scratchDir();
process.env.XDG_CONFIG_HOME ??= path.join(scratch, 'config');
process.env.XDG_CACHE_HOME ??= path.join(scratch, 'cache');
const ADMIN_TOKEN = 'scenes-test-admin-token';

let stack;
let page;
const problems = [];

before(async () => {
  stack = await startStack({ adminToken: ADMIN_TOKEN });
  page = await stack.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
});

after(async () => {
  await stack?.stop();
});

const cardFor = (name) => page.locator('.card', { has: page.locator('.name', { hasText: new RegExp(`^${name.replace(/[.]/g, '\\.')}$`) }) }).first();
const taxonomyIds = (card) => card.locator('.tag[data-source="taxonomy"]').evaluateAll((items) => items.map((i) => i.dataset.tagId));
const genericLabels = (card) => card.locator('.tag[data-source="generic"] .tag-label').allTextContents();

async function finished(name, timeout = 60_000) {
  const card = cardFor(name);
  await card.locator('xpath=self::*[@data-state="done" or @data-state="error"]').waitFor({ timeout });
  assert.equal(await card.getAttribute('data-state'), 'done', await card.locator('.message').textContent());
  return card;
}

const file = (name, relative, mimeType = 'image/jpeg') => ({ name, mimeType, buffer: readFileSync(fixture(relative)) });

test('the upload page tags scenes: a mountain lake, a city street, and no scene on a cat', async () => {
  await page.goto(stack.url);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.setInputFiles('#file', [
    file('mountain-lake.jpg', 'scenes/endless-sky-data/myrabella8.jpg'),
    file('street.png', 'eval2/tracking/px.png', 'image/png'),
    file('chelsea.png', 'skimage/chelsea.png', 'image/png'),
  ]);
  const lake = await finished('mountain-lake.jpg');
  const lakeIds = await taxonomyIds(lake);
  for (const id of ['demo:landscape/mountains', 'demo:landscape/sky-clouds']) assert.ok(lakeIds.includes(id), `${id}: ${lakeIds}`);
  assert.ok((await genericLabels(lake)).includes('lake'), `lake: ${await genericLabels(lake)}`);
  const lakeTitles = await lake.locator('.tag[data-source="taxonomy"] .tag-label').allTextContents();
  assert.ok(lakeTitles.includes('Mountains') && lakeTitles.includes('Sky & Clouds'), `${lakeTitles}`);

  const street = await finished('street.png');
  const streetGeneric = await genericLabels(street);
  assert.ok(streetGeneric.includes('street') && streetGeneric.includes('city'), `street: ${streetGeneric}`);
  assert.ok((await taxonomyIds(street)).includes('demo:buildings'), `street: ${await taxonomyIds(street)}`);

  const cat = await finished('chelsea.png');
  assert.ok(!(await taxonomyIds(cat)).some((id) => id.startsWith('demo:landscape')), `cat: ${await taxonomyIds(cat)}`);
  const catGeneric = await genericLabels(cat);
  for (const scene of ['sky', 'lake', 'street', 'interior', 'buildings', 'forest']) assert.ok(!catGeneric.includes(scene), `cat: ${catGeneric}`);
  assert.deepEqual(problems, []);
});

test('the admin page shows the built-in scene model and the Scenes step', async () => {
  await page.goto(`${stack.url}admin.html`);
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#workspace').waitFor();
  const table = page.locator('#scenes-table');
  await table.waitFor();
  assert.match(await page.locator('#scenes-summary').textContent(), /^Version scenes@[0-9a-f]{12}: \d+ scenes/);
  const sky = table.locator('tr[data-scene="sky"] td');
  const [pictures, threshold, precision, recall, sure] = await sky.allTextContents();
  assert.equal(sure, 'yes');
  assert.ok(Number(pictures) >= 50, `sky pictures ${pictures}`);
  assert.match(threshold, /^0\.\d\d$/);
  assert.match(precision, /^\d+% \(\d+%–\d+%\)$/);
  assert.match(recall, /^\d+%$/);
  assert.ok(await table.locator('tr[data-scene="mountains"]').count() === 1);
  assert.match(await page.locator('#scenes-summary').textContent(), /Too few photos to train: waterfall/);
  // The scene model is the tag model "scenes", its shipped file version 1, listed with the others.
  assert.match(await page.locator('#scenes-summary').textContent(), /version 1 of the tag model "scenes"/);
  await page.locator('#models tbody tr[data-model="scenes"]').waitFor();
  await page.locator('#workflow legend', { hasText: 'Scenes (sky, sea, mountains, city…)' }).waitFor();
  assert.deepEqual(problems, []);
});
