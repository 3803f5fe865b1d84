// The upload page: files go to the preprocessing worker (thumbnail, model input, colours, content
// hash), the small model input goes to the proxy, the answer becomes a card with the asset's tags:
// taxonomy tags with their hierarchy, generic tags, colour tags and manual tags. Every smart tag can
// be kept (promoted to a manual tag) or removed; the decisions are stored by content hash, so they
// survive re-tagging. When the proxy asks for a sign-in (it runs beyond loopback with page users),
// a small form signs in (a session cookie) and the call is retried.

const TAG_URL = 'api/v1/assets/tag';
const MODERATION_URL = 'api/v1/assets/moderation';
const SUGGEST_URL = 'api/v1/taxonomy/suggest';
const SESSION_URL = 'api/v1/session';
const SIGN_IN_CODES = new Set(['widget_token_required', 'session_invalid']);
const results = document.getElementById('results');
const statusLine = document.getElementById('status');
const announcer = document.getElementById('announcer');
const template = document.getElementById('card');
const locale = (navigator.language || 'en').split(',')[0];

let worker = null;
let signingIn = null;
let nextId = 0;
const pending = new Map();

function startWorker() {
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (event) => {
    const answer = event.data;
    const waiter = pending.get(answer.id);
    pending.delete(answer.id);
    if (answer.fatal) restartWorker();
    waiter?.(answer);
  };
  worker.onerror = () => {
    for (const [id, waiter] of pending) waiter({ id, ok: false, error: 'the image module stopped' });
    pending.clear();
    restartWorker();
  };
}

function restartWorker() {
  worker?.terminate();
  startWorker();
}

function preprocessInWorker(bytes) {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    worker.postMessage({ id, bytes }, [bytes]);
  });
}

function announce(text) {
  announcer.textContent = text;
}

// Shows the sign-in form (once, for every call waiting on it); resolves when signed in.
function signIn() {
  signingIn ??= new Promise((resolve) => {
    const form = document.createElement('form');
    form.className = 'sign-in';
    form.setAttribute('aria-label', 'Sign in');
    form.innerHTML =
      '<label>Name <input name="name" autocomplete="username" required></label>' +
      '<label>Password <input name="password" type="password" autocomplete="current-password" required></label>' +
      '<button type="submit">Sign in</button>';
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const { name, password } = Object.fromEntries(new FormData(form));
      try {
        const response = await fetch(SESSION_URL, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name, password }),
        });
        if (!response.ok) {
          const body = await response.json().catch(() => null);
          statusLine.textContent = body?.message ?? `Sign-in failed (${response.status}).`;
          form.elements.password.select();
          return;
        }
      } catch {
        statusLine.textContent = 'The tagging server cannot be reached.';
        return;
      }
      form.remove();
      statusLine.textContent = 'Signed in.';
      signingIn = null;
      resolve();
    });
    document.getElementById('drop').before(form);
    statusLine.textContent = 'Sign in to tag images.';
    form.elements.name.focus();
  });
  return signingIn;
}

async function call(url, init, retried = false) {
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new Error('the tagging server cannot be reached');
  }
  const body = await response.json().catch(() => null);
  if (response.status === 401 && !retried && SIGN_IN_CODES.has(body?.code)) {
    await signIn();
    return call(url, init, true);
  }
  if (!response.ok) throw new Error(body?.message ?? `the request failed (${response.status})`);
  return body;
}

// Sends the model input and what the browser knows of the file; answers the asset's tags.
function tagAsset(asset, force) {
  const meta = { content_hash: asset.hash, colors: asset.colors, force, locale };
  const form = new FormData();
  form.append('meta', new Blob([JSON.stringify(meta)], { type: 'application/json' }));
  form.append('model_input', new Blob([asset.modelInput], { type: 'application/octet-stream' }));
  return call(TAG_URL, { method: 'POST', body: form });
}

function moderate(asset, body) {
  return call(MODERATION_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ content_hash: asset.hash, locale, ...body }),
  });
}

function addCard(file) {
  const card = template.content.firstElementChild.cloneNode(true);
  card.querySelector('.name').textContent = file.name;
  card.querySelector('.message').textContent = 'Preparing…';
  results.prepend(card);
  return card;
}

function showError(card, message) {
  card.dataset.state = 'error';
  card.querySelector('.message').textContent = message;
}

const SOURCE_LABEL = { taxonomy: 'Taxonomy', generic: 'Generic', color: 'Colour', manual: 'Manual', trained: 'Trained' };

function tagItem(tag, actions) {
  const item = document.createElement('li');
  item.className = 'tag';
  item.dataset.source = tag.source;
  item.dataset.tagId = tag.id;
  const percent = Math.round(tag.confidence * 1000) / 10;
  item.innerHTML =
    '<span class="tag-text"><span class="tag-path"></span><span class="tag-label"></span></span>' +
    '<span class="tag-side"><span class="tag-source"></span><span class="tag-confidence"></span></span>' +
    '<span class="tag-bar"><span></span></span><span class="tag-actions"></span>';
  const parents = tag.path.slice(0, -1);
  item.querySelector('.tag-path').textContent = parents.length ? `${parents.join(' › ')} › ` : '';
  item.querySelector('.tag-label').textContent = tag.title;
  const source = SOURCE_LABEL[tag.source] ?? tag.source;
  // A trained tag names the tag model version that made it (e.g. "product-type@v3").
  item.querySelector('.tag-source').textContent = tag.source === 'trained' ? `${source} · ${tag.model_version}` : source;
  item.querySelector('.tag-confidence').textContent = tag.source === 'manual' ? '' : `${percent}%`;
  item.querySelector('.tag-bar > span').style.width = `${Math.max(percent, 1)}%`;
  if (tag.source === 'color') item.querySelector('.tag-bar > span').style.background = tag.hex ?? '';
  item.title = tag.id;
  const buttons = item.querySelector('.tag-actions');
  for (const [name, label, run] of actions) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = name;
    button.textContent = label;
    button.setAttribute('aria-label', `${name === 'promote' ? 'Keep' : 'Remove'} tag ${tag.title}`);
    button.addEventListener('click', run);
    buttons.append(button);
  }
  return item;
}

function render(card, asset, answer) {
  asset.tags = answer.tags;
  const list = card.querySelector('.tags');
  list.replaceChildren();
  const act = (body, done) => async () => {
    card.dataset.busy = 'true';
    try {
      render(card, asset, await moderate(asset, body));
      announce(done);
    } catch (e) {
      card.querySelector('.message').textContent = e.message;
    } finally {
      delete card.dataset.busy;
    }
  };
  for (const tag of answer.tags.manual) {
    list.append(tagItem(tag, [['remove', '✕', act({ tag_id: tag.id, action: 'remove' }, `Removed ${tag.title}`)]]));
  }
  const order = { taxonomy: 0, trained: 1, generic: 2, color: 3 };
  const smart = [...answer.tags.smart].sort((a, b) => (order[a.source] ?? 9) - (order[b.source] ?? 9));
  for (const tag of smart) {
    list.append(
      tagItem(tag, [
        ['promote', '✓', act({ tag_id: tag.id, action: 'promote' }, `Kept ${tag.title}`)],
        ['remove', '✕', act({ tag_id: tag.id, action: 'remove' }, `Removed ${tag.title}`)],
      ]),
    );
  }
  const hidden = answer.tags.hidden;
  const removed = answer.tags.removed.length;
  card.querySelector('.summary').textContent =
    `${answer.reused ? 'Stored tags (unchanged image)' : `Tagged in ${answer.inference_ms?.toFixed(0) ?? '?'} ms`}` +
    `${hidden ? ` · ${hidden} below threshold` : ''}${removed ? ` · ${removed} removed` : ''}`;
  card.dataset.state = 'done';
}

async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function wireCard(card, asset) {
  card.querySelector('.retag').addEventListener('click', async () => {
    card.dataset.state = 'tagging';
    card.querySelector('.message').textContent = 'Tagging again…';
    try {
      render(card, asset, await tagAsset(asset, true));
      announce(`Tagged ${asset.name} again`);
    } catch (e) {
      showError(card, `${asset.name}: ${e.message}`);
    }
  });
  const form = card.querySelector('.add');
  const input = form.querySelector('input');
  const options = card.querySelector('datalist');
  options.id = `suggest-${nextId++}`;
  input.setAttribute('list', options.id);
  input.addEventListener('input', async () => {
    const q = input.value.trim();
    if (q.length < 1) return;
    try {
      const found = await call(`${SUGGEST_URL}?q=${encodeURIComponent(q)}&locale=${encodeURIComponent(locale)}&limit=8`);
      options.replaceChildren(
        ...found.tags.map((t) => Object.assign(document.createElement('option'), { value: t.id, label: t.path.join(' › ') })),
      );
    } catch {
      // Suggestions are a convenience: typing still works without them.
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (!value) return;
    try {
      render(card, asset, await moderate(asset, { tag_id: value, action: 'add_manual' }));
      announce(`Added ${value}`);
      input.value = '';
    } catch (e) {
      card.querySelector('.message').textContent = e.message;
    }
  });
}

async function handleFile(file) {
  const card = addCard(file);
  try {
    const bytes = await file.arrayBuffer();
    const hash = await sha256Hex(bytes);
    const prepared = await preprocessInWorker(bytes);
    if (!prepared.ok) return showError(card, `${file.name}: ${prepared.error}`);
    const img = card.querySelector('img');
    img.src = URL.createObjectURL(new Blob([prepared.thumbnail], { type: 'image/jpeg' }));
    img.alt = file.name;
    card.querySelector('.meta').textContent =
      `${prepared.width}×${prepared.height} ${prepared.format.toUpperCase()} · ${(file.size / 1024).toFixed(0)} KB · prepared in ${prepared.preprocessMs.toFixed(0)} ms`;
    card.dataset.state = 'tagging';
    card.dataset.hash = hash;
    card.querySelector('.message').textContent = 'Tagging…';
    const asset = { name: file.name, hash, modelInput: prepared.modelInput, colors: prepared.colors };
    wireCard(card, asset);
    render(card, asset, await tagAsset(asset, false));
  } catch (e) {
    showError(card, `${file.name}: ${e.message}`);
  }
}

async function handleFiles(files) {
  const list = [...files];
  if (list.length === 0) return;
  statusLine.textContent = `Tagging ${list.length} image${list.length === 1 ? '' : 's'}…`;
  // One at a time through the worker keeps memory flat for large photos; each file fails alone.
  for (const file of list) await handleFile(file);
  const failed = results.querySelectorAll('.card[data-state="error"]').length;
  statusLine.textContent = `Done. ${failed ? `${failed} file${failed === 1 ? '' : 's'} could not be tagged.` : ''}`;
}

const input = document.getElementById('file');
input.addEventListener('change', () => {
  handleFiles(input.files);
  input.value = '';
});

const drop = document.getElementById('drop');
for (const name of ['dragenter', 'dragover']) {
  drop.addEventListener(name, (e) => { e.preventDefault(); drop.classList.add('over'); });
}
for (const name of ['dragleave', 'drop']) {
  drop.addEventListener(name, () => drop.classList.remove('over'));
}
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  handleFiles(e.dataTransfer.files);
});

startWorker();
