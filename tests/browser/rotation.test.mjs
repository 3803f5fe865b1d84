// A whole certificate rotation from the admin page, on the real credential chain (the harness's
// `integration` stack, as run.sh sets it up: the service with access tokens and a console token,
// the integration registered by scripts/integration-setup.sh, the proxy signing JWTs and holding
// the console token): the next certificate is created, shown unregistered with Activate disabled
// (the server refuses the activation too), registered from the page, activated, and the old one
// retired, which also takes it out of the integration. Check Health runs after each step and
// stays green (its last step is a real prediction on a token signed with the active key); the
// service's console lists only the new certificate at the end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startStack, watchProblems } from './harness.mjs';

const TOKEN = 'admin-token-for-the-rotation-test';
const CONSOLE_TOKEN = 'console-token-for-the-browser-tests';

let stack;
let page;
const problems = [];

before(async () => {
  stack = await startStack({ adminToken: TOKEN, integration: true });
  const context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  watchProblems(page, problems);
  await page.goto(`${stack.url}admin.html`);
  await page.getByLabel('Admin token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#workspace').waitFor();
});

after(async () => {
  await stack?.stop();
});

const row = (status) => page.locator(`#certificate-list tbody tr[data-status="${status}"]`);

async function admin(path, method = 'GET') {
  const response = await fetch(`${stack.url}api/v1/admin/${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: response.status, body: await response.json().catch(() => null) };
}

// Waits for the Check Health run a step started, and answers whether it was green.
async function healthAfterStep() {
  await page.locator('#health[aria-busy="false"][data-healthy]').waitFor();
  const healthy = await page.locator('#health').getAttribute('data-healthy');
  const summary = await page.locator('#health-summary').textContent();
  return { healthy: healthy === 'true', summary };
}

test('Check Health is green on the credential chain run.sh sets up', async () => {
  await page.getByRole('button', { name: 'Check Health' }).click();
  const { healthy, summary } = await healthAfterStep();
  assert.ok(healthy, summary);
  const steps = await page.locator('#health-steps tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.dataset.step, tr.dataset.status]));
  assert.deepEqual(steps.filter(([, status]) => status !== 'ok'), [], JSON.stringify(steps));
  await row('active').waitFor();
  assert.equal(await row('active').locator('.certificate-registered').textContent(), 'Yes');
});

test('a whole rotation from the page: create, register, activate, retire, Check Health green at each step', async () => {
  const oldId = await row('active').getAttribute('data-id');

  // 1. Create the next one: not registered yet, so it cannot be activated.
  await page.getByLabel('Algorithm').selectOption('p256');
  await page.getByRole('button', { name: 'Create next certificate' }).click();
  await row('next').waitFor();
  const nextId = await row('next').getAttribute('data-id');
  assert.notEqual(nextId, oldId);
  assert.equal(await row('next').locator('.certificate-registered').textContent(), 'No: register it before activating');
  assert.ok(await row('next').locator('button.activate').isDisabled());
  assert.match(await page.locator('#certificate-message').textContent(), /register it, then activate it/);
  // The server refuses the order that breaks the chain, whatever the page shows.
  const refused = await admin(`certificates/${nextId}/activate`, 'POST');
  assert.equal(refused.status, 409, JSON.stringify(refused.body));
  assert.equal(refused.body.code, 'certificate_not_registered');

  // 2. Register it from the page. (Each step clears the last health mark, then waits for its own.)
  await page.locator('#health').evaluate((node) => { delete node.dataset.healthy; });
  await row('next').getByRole('button', { name: `Register certificate ${nextId}` }).click();
  await page.locator(`#certificate-list tbody tr[data-id="${nextId}"] .certificate-registered`, { hasText: 'Yes' }).waitFor();
  let health = await healthAfterStep();
  assert.ok(health.healthy, health.summary);

  // 3. Activate it: the proxy signs with it; the old one stays registered until retired.
  await page.locator('#health').evaluate((node) => { delete node.dataset.healthy; });
  await row('next').getByRole('button', { name: `Activate certificate ${nextId}` }).click();
  await page.locator(`#certificate-list tbody tr[data-id="${nextId}"][data-status="active"]`).waitFor();
  assert.equal(await page.locator(`#certificate-list tbody tr[data-id="${oldId}"]`).getAttribute('data-status'), 'inactive');
  health = await healthAfterStep();
  assert.ok(health.healthy, health.summary);

  // 4. Retire the old one: its key is deleted and it leaves the integration.
  await page.locator('#health').evaluate((node) => { delete node.dataset.healthy; });
  page.once('dialog', (dialog) => dialog.accept());
  await page.locator(`#certificate-list tbody tr[data-id="${oldId}"]`).getByRole('button', { name: `Retire certificate ${oldId}` }).click();
  await page.locator(`#certificate-list tbody tr[data-id="${oldId}"][data-status="retired"]`).waitFor();
  assert.equal(await page.locator(`#certificate-list tbody tr[data-id="${oldId}"] .certificate-registered`).textContent(), 'No');
  assert.match(await page.locator('#certificate-message').textContent(), /retired and removed from the integration/);
  health = await healthAfterStep();
  assert.ok(health.healthy, health.summary);

  // The console lists the new certificate only.
  const apiKey = readFileSync(`${stack.proxyData}/integration/api-key`, 'utf8').trim();
  const shown = await fetch(`http://127.0.0.1:${stack.servicePort}/console/integrations/${apiKey}`, { headers: { authorization: `Bearer ${CONSOLE_TOKEN}` } });
  assert.equal(shown.status, 200);
  assert.deepEqual((await shown.json()).certificates.map((c) => c.id), [nextId]);

  // The proxy did it with the integration's certificate token, which opens nothing else.
  const certificateToken = readFileSync(`${stack.proxyData}/integration/certificate-token`, 'utf8').trim();
  assert.ok(certificateToken.startsWith(`stct_${apiKey}.`));
  const listed = await fetch(`http://127.0.0.1:${stack.servicePort}/console/integrations`, { headers: { authorization: `Bearer ${certificateToken}` } });
  assert.equal(listed.status, 403);
});

test('no page errors', () => {
  assert.deepEqual(problems, []);
});
