// The upload page's sign-in, against the real proxy started with a page users file (written by
// `smart-tags-proxy user add`, the password on stdin) in front of the real tagging service, in
// headless Chromium: a dropped photo makes the proxy answer 401 and the page shows a sign-in form;
// a wrong password shows the proxy's error and keeps the form; the right one signs in and the
// photo gets its tags; the next photo is tagged on the same session. The session cookie stays
// out of reach of the page's scripts (HttpOnly) and no password ever travels in a URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { startStack, fixture, root } from './harness.mjs';

const USER = 'alice';
const PASSWORD = 'correct-horse-battery-staple';
const WRONG = 'not-the-password-at-all';
let stack;
let context;
let page;
const apiRequests = [];
const problems = [];

before(async () => {
  stack = await startStack({ pageUsers: [{ name: USER, password: PASSWORD }] });
  context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/api/')) {
      apiRequests.push({ url: request.url(), method: request.method(), body: request.postData() ?? '' });
    }
  });
  await page.goto(stack.url);
});

after(async () => {
  await stack?.stop();
});

function cardFor(name) {
  return page.locator('.card', { has: page.locator('.name', { hasText: name }) }).first();
}

async function finished(card) {
  await card.locator('xpath=self::*[@data-state="done" or @data-state="error"]').waitFor({ timeout: 30_000 });
  return card;
}

// A real drop on the drop zone: a DataTransfer holding the photo as a File.
async function drop(name, buffer, mimeType) {
  const dataTransfer = await page.evaluateHandle(({ name, base64, mimeType }) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, { type: mimeType }));
    return transfer;
  }, { name, base64: buffer.toString('base64'), mimeType });
  await page.dispatchEvent('#drop', 'drop', { dataTransfer });
  return cardFor(name);
}

const signInForm = () => page.getByRole('form', { name: 'Sign in' });
const sessionPosts = () => apiRequests.filter((r) => r.method === 'POST' && new URL(r.url).pathname === '/api/v1/session');

test('a dropped photo asks for a sign-in; a wrong password shows the error and keeps the form', async () => {
  const card = await drop('coffee.png', readFileSync(fixture('skimage/coffee.png')), 'image/png');
  const form = signInForm();
  await form.waitFor({ timeout: 30_000 });
  assert.match(await page.getByRole('status').textContent(), /Sign in to tag images/);
  assert.equal(await card.getAttribute('data-state'), 'tagging', 'the photo waits for the sign-in');
  const name = form.getByLabel('Name', { exact: true });
  const password = form.getByLabel('Password', { exact: true });
  assert.ok(await name.evaluate((el) => el === document.activeElement), 'the name field has the focus');
  assert.equal(await password.getAttribute('type'), 'password');

  await name.fill(USER);
  await password.fill(WRONG);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('status').filter({ hasText: 'the name or the password is wrong' }).waitFor();
  assert.equal(await form.count(), 1, 'the form stays');
  assert.equal(await card.getAttribute('data-state'), 'tagging', 'the photo still waits');
  assert.equal(await name.inputValue(), USER, 'the name is kept');
  assert.ok(await password.evaluate((el) => el === document.activeElement && el.selectionStart === 0 && el.selectionEnd === el.value.length),
    'the wrong password is selected, to be typed over');
  assert.equal(sessionPosts().length, 1);
  assert.equal((await context.cookies()).length, 0, 'no cookie for a wrong password');

  mkdirSync(path.join(root, 'target/screenshots'), { recursive: true });
  await page.screenshot({ path: path.join(root, 'target/screenshots/sign-in.png'), fullPage: true });
});

test('the right password signs in and the waiting photo gets its tags', async () => {
  const form = signInForm();
  await form.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await form.getByLabel('Password', { exact: true }).press('Enter');
  const card = await finished(cardFor('coffee.png'));
  assert.equal(await card.getAttribute('data-state'), 'done', await card.locator('.message').textContent());
  assert.equal(await signInForm().count(), 0, 'the form is gone');
  const coffee = card.locator('.tag[data-tag-id="demo:food-drink/coffee"]');
  assert.equal(await coffee.locator('.tag-label').textContent(), 'Coffee');
  assert.equal(await coffee.locator('.tag-path').textContent(), 'Food & Drink › ');
  assert.ok((await card.locator('.tag[data-source="taxonomy"] .tag-label').allTextContents()).includes('Food & Drink'));
  assert.equal(sessionPosts().length, 2);
  const [cookie] = (await context.cookies()).filter((c) => c.name === 'smart_tags_session');
  assert.ok(cookie, 'the session cookie is set');
  assert.deepEqual([cookie.httpOnly, cookie.sameSite, cookie.path], [true, 'Strict', '/api/']);
});

test('a second photo is tagged on the same session, without a new sign-in', async () => {
  const before = apiRequests.length;
  await page.setInputFiles('#file', { name: 'chelsea.png', mimeType: 'image/png', buffer: readFileSync(fixture('skimage/chelsea.png')) });
  const card = await finished(cardFor('chelsea.png'));
  assert.equal(await card.getAttribute('data-state'), 'done', await card.locator('.message').textContent());
  assert.ok(await card.locator('.tag[data-tag-id="demo:animals/pets/cats"]').count() === 1, 'the cat is tagged');
  assert.equal(await signInForm().count(), 0, 'no sign-in form');
  assert.equal(sessionPosts().length, 2, 'no new sign-in');
  const since = apiRequests.slice(before).map((r) => `${r.method} ${new URL(r.url).pathname}`);
  assert.deepEqual(since, ['GET /api/v1/workflow', 'POST /api/v1/assets/tag'], 'the workflow once per batch, then one tag call, answered at once');
  assert.match(await page.getByRole('status').textContent(), /^Done\./);
});

test('the page cannot read the session cookie, and no password went into a URL', async () => {
  const visible = await page.evaluate(() => document.cookie);
  assert.ok(!visible.includes('smart_tags_session'), `document.cookie: ${visible}`);
  assert.equal((await context.cookies()).filter((c) => c.name === 'smart_tags_session').length, 1, 'the cookie is there all the same');
  assert.ok(apiRequests.length >= 4, `${apiRequests.length} API requests seen`);
  for (const { url } of apiRequests) {
    const decoded = decodeURIComponent(url);
    for (const secret of [PASSWORD, WRONG]) assert.ok(!decoded.includes(secret), `a password in ${url}`);
    assert.ok(!/password/i.test(decoded), `a password parameter in ${url}`);
  }
  // The passwords went in the POST bodies of the sign-ins, as JSON.
  assert.deepEqual(sessionPosts().map((r) => JSON.parse(r.body)), [{ name: USER, password: WRONG }, { name: USER, password: PASSWORD }]);
  assert.deepEqual(problems, []);
});
