// Starts the real tagging service and the real proxy on free loopback ports, and a headless
// Chromium (Debian's) driven by playwright-core. Used by the browser end-to-end tests.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cache = process.env.SMART_TAGS_CACHE ?? path.join(process.env.HOME ?? '/root', '.cache/smart-tags');
export const fixture = (relative) => path.join(cache, 'fixtures', relative);

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url, child, name, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${child.output}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not become ready at ${url}:\n${child.output}`);
}

function start(binary, args, name, env = {}) {
  const child = spawn(path.join(root, 'target/release', binary), args, { cwd: root, env: { ...process.env, ...env } });
  child.output = '';
  child.stdout.on('data', (d) => { child.output += d; });
  child.stderr.on('data', (d) => { child.output += d; });
  child.name = name;
  return child;
}

// The service on a fresh data directory (a real SQLite file), seeded with the demo taxonomy.
// Start-up links the taxonomy to concepts (the text model embeds ~4,000 lemmas), hence the wait.
// With `auth` ({ consoleTokenFile }), every route needs an access token, as in production, and
// the console takes that token file's content.
export async function startService(port, dataDir = scratchDir(), auth = null) {
  const access = auth
    ? ['--public-url', `http://127.0.0.1:${port}`, '--admin-token-file', auth.consoleTokenFile]
    : ['--open'];
  const service = start('smart-tags-service', [
    ...access,
    '--listen', `127.0.0.1:${port}`,
    '--data-dir', dataDir,
    '--seed-taxonomy', path.join(root, 'taxonomies/demo.ttl'),
  ], 'service');
  service.dataDir = dataDir;
  await waitFor(`http://127.0.0.1:${port}/healthz`, service, 'service', 180_000);
  return service;
}

// The proxy's admin routes open with `adminToken` (written to a token file, as in production);
// without one they are off. `pageUsers` ([{ name, password }]) are added with `user add` (the
// password on stdin) to a page users file, which makes the upload page ask for a sign-in.
// `widgetSecrets` (strings, or { kid, secret }) go to a widget secrets file, so browser API calls
// need a widget token (docs/widget-tokens.md); `corsOrigins` (['http://127.0.0.1:1234']) are the
// origins of pages that embed the widget; `rateLimit` (requests/s, 0 = off). `backendKey: true` turns
// the back-end API on (`backend-key add dam` writes a keys file for --backend-keys); the key is
// `stack.backendKey`. `integration: true` runs the credential chain as `run.sh` does: the service
// with access tokens and a console token, the integration registered by
// `scripts/integration-setup.sh` (the proxy's key pair and certificate, API key, secret, JWT
// payload, the integration's certificate token), and the proxy signing JWTs and holding that
// certificate token (so the admin page registers certificates itself, without the console's admin
// token), serving the pages embedded in its binary.
export async function startStack({ adminToken, pageUsers, widgetSecrets, corsOrigins, rateLimit, backendKey, integration } = {}) {
  const servicePort = await freePort();
  const proxyPort = await freePort();
  const proxyData = scratchDir(); // its own key store (the admin page's certificates), never ./proxy-data
  let auth = null;
  const proxyEnv = {};
  const serviceData = scratchDir();
  if (integration) {
    const consoleTokenFile = path.join(scratchDir(), 'console-token');
    writeFileSync(consoleTokenFile, 'console-token-for-the-browser-tests\n', { mode: 0o600 });
    auth = { consoleTokenFile };
    const issuer = `http://127.0.0.1:${servicePort}`;
    const setup = spawnSync('bash', ['scripts/integration-setup.sh', serviceData, proxyData, issuer], { cwd: root, encoding: 'utf8' });
    if (setup.status !== 0) throw new Error(`integration-setup failed (${setup.status}):\n${setup.stderr}`);
    for (const line of setup.stdout.split('\n')) {
      const exported = /^export (\w+)=(.*)$/.exec(line);
      if (exported) proxyEnv[exported[1]] = exported[2].replace(/^'(.*)'$/, '$1');
    }
    // The proxy holds the integration's certificate token, never the console's admin token.
    if (!proxyEnv.SMART_TAGS_CONSOLE_TOKEN_FILE?.endsWith('/integration/certificate-token')) {
      throw new Error(`integration-setup named no certificate token:\n${setup.stdout}`);
    }
  }
  const service = await startService(servicePort, serviceData, auth);
  const proxyArgs = [
    '--listen', `127.0.0.1:${proxyPort}`,
    '--service-url', `http://127.0.0.1:${servicePort}`,
    // As run.sh, the integration stack serves the pages built into the binary; the others the folder.
    ...(integration ? [] : ['--www-dir', path.join(root, 'www')]),
    '--service-timeout-ms', '5000',
    '--data-dir', proxyData,
  ];
  if (adminToken) {
    const tokenFile = path.join(scratchDir(), 'admin-token');
    writeFileSync(tokenFile, `${adminToken}\n`, { mode: 0o600 });
    proxyArgs.push('--admin-token-file', tokenFile);
  }
  if (pageUsers?.length) {
    const usersFile = path.join(scratchDir(), 'page-users');
    for (const { name, password } of pageUsers) {
      const added = spawnSync(path.join(root, 'target/release/smart-tags-proxy'), ['user', 'add', name, '--page-users-file', usersFile],
        { cwd: root, input: `${password}\n`, encoding: 'utf8' });
      if (added.status !== 0) throw new Error(`user add ${name} failed (${added.status}):\n${added.stderr}`);
    }
    proxyArgs.push('--page-users-file', usersFile);
  }
  if (widgetSecrets?.length) {
    const secretsFile = path.join(scratchDir(), 'widget-secrets');
    const lines = widgetSecrets.map((s) => (typeof s === 'string' ? s : `${s.kid} ${s.secret}`));
    writeFileSync(secretsFile, `${lines.join('\n')}\n`, { mode: 0o600 });
    proxyArgs.push('--widget-secrets-file', secretsFile);
  }
  if (corsOrigins?.length) proxyArgs.push('--cors-origins', corsOrigins.join(','));
  if (rateLimit !== undefined) proxyArgs.push('--rate-limit', String(rateLimit));
  let backendKeyText;
  if (backendKey) {
    const keysFile = path.join(scratchDir(), 'backend-keys');
    const added = spawnSync(path.join(root, 'target/release/smart-tags-proxy'), ['backend-key', 'add', 'dam', '--file', keysFile], { cwd: root, encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`backend-key add failed (${added.status}):\n${added.stderr}`);
    backendKeyText = added.stdout.trim();
    proxyArgs.push('--backend-keys', keysFile);
  }
  const proxy = start('smart-tags-proxy', proxyArgs, 'proxy', proxyEnv);
  await waitFor(`http://127.0.0.1:${proxyPort}/api/v1/health`, proxy, 'proxy');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  // Every page the tests open is watched for Content-Security-Policy violations (Chromium logs
  // each one to the console): the proxy's policy must never block what its pages do.
  const violations = [];
  const watch = (page) => page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(`${page.url()}: ${message.text()}`);
  });
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (...args) => { const page = await newPage(...args); watch(page); return page; };
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...args) => { const context = await newContext(...args); context.on('page', watch); return context; };
  const stack = {
    servicePort, proxyPort, service, proxy, browser, backendKey: backendKeyText, proxyData,
    url: `http://127.0.0.1:${proxyPort}/`,
    async stop() {
      await browser.close().catch(() => {});
      for (const child of [stack.proxy, stack.service]) child?.kill('SIGTERM');
      if (violations.length) throw new Error(`content security policy violations:\n${[...new Set(violations)].join('\n')}`);
    },
    // Stops the service process (SIGTERM) and waits until it has exited: the proxy keeps running
    // and answers service_unavailable.
    async stopService() {
      const child = stack.service;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
    // Starts the service again on its port and data directory (what it stored is still there).
    async restartService() {
      await stack.stopService();
      stack.service = await startService(servicePort, service.dataDir, auth);
    },
  };
  return stack;
}

// Collects a page's uncaught errors and console errors into `problems` (a test asserts it stays
// empty); `expected(message)` says which console errors the test itself causes.
export function watchProblems(page, problems, expected = () => false) {
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !expected(message)) problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  return problems;
}

export function scratchDir() {
  return mkdtempSync(path.join(tmpdir(), 'smart-tags-browser-'));
}

// axe-core (node_modules/axe-core, a devDependency) run on the page as it is now: the serious and
// critical violations, one line each (rule, help, the elements). Pages with a strict CSP that
// refuses injected scripts serve axe.min.js themselves instead (see widget.test.mjs).
export async function seriousAxeViolations(page) {
  // Evaluated through the DevTools protocol, not injected as a <script>: the pages' CSP refuses
  // inline scripts, as it should.
  await page.evaluate(readFileSync(path.join(root, 'node_modules/axe-core/axe.min.js'), 'utf8'));
  const { violations } = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}

// Holds the page's first request to `pattern` (the real request, sent on unchanged when released),
// as a slow network would; later ones pass. `seen()` counts the requests so far.
export async function holdFirstRequest(page, pattern) {
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  let seen = 0;
  await page.route(pattern, async (route) => {
    if (seen++ === 0) await held;
    await route.continue();
  });
  return {
    release,
    seen: () => seen,
    async started() {
      for (let i = 0; i < 200 && seen === 0; i++) await new Promise((r) => setTimeout(r, 50));
      if (seen === 0) throw new Error(`no request to ${pattern}`);
    },
    stop: () => page.unroute(pattern),
  };
}
