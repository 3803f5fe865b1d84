// People in the browser, against the real proxy and service with the face and person detectors:
// on the upload page a group photo gets "People" and its face count, a portrait "Portraits" from
// the demo taxonomy, a man seen from behind "People", and the cat, the coffee and a wallpaper none
// of these; the tag request carries the 512-px thumbnail only while the workflow's people step is
// (or the text step) is on; a sign's words are read. The widget (in the demo DAM page) shows the face count and hands it to its host in the
// `smart-tags:tagged` event.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startStack, fixture, scratchDir } from './harness.mjs';
import { ensureWidgetPackage } from './widget-package.mjs';

const scratch = scratchDir();
process.env.XDG_CONFIG_HOME ??= path.join(scratch, 'config');
process.env.XDG_CACHE_HOME ??= path.join(scratch, 'cache');
const ADMIN_TOKEN = 'people-test-admin-token';
const PEOPLE = 'demo:people';
const PORTRAITS = 'demo:people/portraits';

let stack;
let page;
const problems = [];
const MODEL_INPUT_BYTES = 224 * 224 * 3;

before(async () => {
  ensureWidgetPackage();
  stack = await startStack({ adminToken: ADMIN_TOKEN });
  page = await stack.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(stack.url);
  await page.locator('body[data-ready="true"]').waitFor();
});

after(async () => {
  await stack?.stop();
});

const cardFor = (name) => page.locator('.card', { has: page.locator('.name', { hasText: new RegExp(`^${name.replace(/[.]/g, '\\.')}$`) }) }).first();
const ids = (card) => card.locator('.tag[data-source="taxonomy"]').evaluateAll((items) => items.map((i) => i.dataset.tagId));
// What the browser counted going up for the card's tag request (model input, thumbnail, meta).
const sentBytes = async (card) => Number(await card.getAttribute('data-sent-bytes'));

async function finished(name, timeout = 60_000) {
  const card = cardFor(name);
  await card.locator('xpath=self::*[@data-state="done" or @data-state="error"]').waitFor({ timeout });
  assert.equal(await card.getAttribute('data-state'), 'done', await card.locator('.message').textContent());
  return card;
}

const file = (name, relative, mimeType = 'image/jpeg') => ({ name, mimeType, buffer: readFileSync(fixture(relative)) });

test('the upload page tags people: a group with its face count, a portrait, a man from behind, and nobody where there is nobody', async () => {
  await page.setInputFiles('#file', [
    file('group.jpg', 'people/sample5.jpg'),
    file('astronaut.png', 'skimage/astronaut.png', 'image/png'),
    file('from-behind.jpg', 'people/person.jpg'),
    file('chelsea.png', 'skimage/chelsea.png', 'image/png'),
    file('coffee.png', 'skimage/coffee.png', 'image/png'),
    file('path.jpg', 'wallpapers/Path-2560x1600.jpg'),
  ]);
  const group = await finished('group.jpg');
  assert.ok((await ids(group)).includes(PEOPLE), `group: ${await ids(group)}`);
  assert.equal(await group.locator('.people').textContent(), 'People: 5 faces');
  assert.ok((await group.locator('.tag[data-source="generic"] .tag-label').allTextContents()).includes('group'));

  const astronaut = await finished('astronaut.png');
  const astronautIds = await ids(astronaut);
  assert.ok(astronautIds.includes(PORTRAITS) && astronautIds.includes(PEOPLE), `astronaut: ${astronautIds}`);
  assert.equal(await astronaut.locator('.people').textContent(), 'People: 1 face');

  const behind = await finished('from-behind.jpg');
  const behindIds = await ids(behind);
  assert.ok(behindIds.includes(PEOPLE) && !behindIds.includes(PORTRAITS), `from behind: ${behindIds}`);
  assert.equal(await behind.locator('.people').textContent(), 'People: 1 person, no face seen');

  for (const name of ['chelsea.png', 'coffee.png', 'path.jpg']) {
    const card = await finished(name);
    assert.ok(!(await ids(card)).some((id) => id.startsWith(PEOPLE)), `${name}: ${await ids(card)}`);
    assert.equal(await card.locator('.people').textContent(), 'No people found');
  }
  // The people step is on: each request carries the thumbnail beside the model input, and the
  // thumbnail stays under 5% of a 4 MB photo.
  for (const card of [group, astronaut, behind]) {
    const sent = await sentBytes(card);
    assert.ok(sent > MODEL_INPUT_BYTES + 10_000 && sent < MODEL_INPUT_BYTES + 200_000, `sent ${sent} bytes`);
  }
  assert.deepEqual(problems, []);
});

test('a sign is read: its words on the card and the text tag', async () => {
  await page.setInputFiles('#file', [file('sign.jpg', 'opencv/scenetext06.jpg')]);
  const sign = await finished('sign.jpg');
  assert.match(await sign.locator('.words').textContent(), /^Text: .*galleries/);
  assert.ok((await sign.locator('.tag[data-source="generic"] .tag-label').allTextContents()).includes('text'));
  const cat = cardFor('chelsea.png');
  assert.equal(await cat.locator('.words').textContent(), '', 'no words on the cat');

  // The words go into the page's exports: the sign's JSON asset carries them, the cat's none.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-json').click()]);
  const byName = Object.fromEntries(JSON.parse(readFileSync(await download.path(), 'utf8')).assets.map((a) => [a.name, a]));
  assert.ok(byName['sign.jpg'].words.some((w) => /galleries/i.test(w)), JSON.stringify(byName['sign.jpg']));
  assert.equal(byName['chelsea.png']?.words, undefined, JSON.stringify(byName['chelsea.png']));
});

test('with the people and text steps off the thumbnail stays in the browser and nobody is looked for', async () => {
  const put = (body) => fetch(`${stack.url}api/v1/admin/workflow`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const off = { steps: [{ kind: 'thumbnails' }, { kind: 'smart_tags' }, { kind: 'people', enabled: false }, { kind: 'text', enabled: false }, { kind: 'color_tags' }] };
  const response = await put(off);
  assert.equal(response.status, 200, await response.text());
  await page.setInputFiles('#file', [file('group-private.jpg', 'people/sample3.jpg')]);
  const card = await finished('group-private.jpg');
  assert.ok(!(await ids(card)).includes(PEOPLE), `${await ids(card)}`);
  assert.equal(await card.locator('.people').textContent(), '');
  const sent = await sentBytes(card);
  assert.ok(sent >= MODEL_INPUT_BYTES && sent < MODEL_INPUT_BYTES + 8192, `the model input and the metadata only: ${sent} bytes`);
  const restored = await put({ steps: [{ kind: 'thumbnails' }, { kind: 'smart_tags' }, { kind: 'people' }, { kind: 'text' }, { kind: 'color_tags' }] });
  assert.equal(restored.status, 200);
});

test('the widget shows the face count and hands it to its host', async () => {
  await page.goto(`${stack.url}demo/`);
  await page.waitForFunction(() => customElements.get('smart-tags-uploader') !== undefined);
  await page.evaluate(() => {
    window.taggedPeople = [];
    document.querySelector('#uploader').addEventListener('smart-tags:tagged', (e) => window.taggedPeople.push(e.detail.people));
  });
  await page.locator('#uploader input[type="file"]').setInputFiles([file('team.jpg', 'people/sample4.jpg')]);
  await page.waitForFunction(() => window.taggedPeople.length === 1, null, { timeout: 60_000 });
  const people = await page.evaluate(() => window.taggedPeople[0]);
  assert.equal(people.summary.faces, 4);
  assert.ok(people.summary.group >= 0.5, JSON.stringify(people.summary));
  assert.equal(people.faces.length, 4);
  await page.waitForFunction(() => {
    const root = document.querySelector('#uploader').shadowRoot;
    return [...root.querySelectorAll('*')].some((el) => el.children.length === 0 && el.textContent.includes('People: 4 faces'));
  }, null, { timeout: 10_000 });
});
