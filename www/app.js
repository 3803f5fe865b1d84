// The upload page: files go to the preprocessing worker, the small model input goes to the proxy,
// the answer becomes a card with the thumbnail and the suggested tags.

const TAG_URL = 'api/v1/tag?top=5';
const results = document.getElementById('results');
const statusLine = document.getElementById('status');
const template = document.getElementById('card');

let worker = null;
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

async function tag(modelInput) {
  let response;
  try {
    response = await fetch(TAG_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: modelInput,
    });
  } catch {
    throw new Error('the tagging server cannot be reached');
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.message ?? `tagging failed (${response.status})`);
  return body;
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

function showTags(card, prediction) {
  const list = card.querySelector('.tags');
  list.replaceChildren();
  for (const t of prediction.tags) {
    const item = document.createElement('li');
    item.className = 'tag';
    const percent = Math.round(t.confidence * 1000) / 10;
    item.innerHTML = '<span class="tag-label"></span><span class="tag-confidence"></span><span class="tag-bar"><span></span></span>';
    item.querySelector('.tag-label').textContent = t.label;
    item.querySelector('.tag-confidence').textContent = `${percent}%`;
    item.querySelector('.tag-bar > span').style.width = `${Math.max(percent, 1)}%`;
    item.title = `WordNet ${t.wnid}`;
    list.append(item);
  }
  card.dataset.state = 'done';
}

async function handleFile(file) {
  const card = addCard(file);
  try {
    const bytes = await file.arrayBuffer();
    const prepared = await preprocessInWorker(bytes);
    if (!prepared.ok) return showError(card, `${file.name}: ${prepared.error}`);
    const img = card.querySelector('img');
    img.src = URL.createObjectURL(new Blob([prepared.thumbnail], { type: 'image/jpeg' }));
    img.alt = file.name;
    card.querySelector('.meta').textContent =
      `${prepared.width}×${prepared.height} ${prepared.format.toUpperCase()} · ${(file.size / 1024).toFixed(0)} KB · prepared in ${prepared.preprocessMs.toFixed(0)} ms`;
    card.dataset.state = 'tagging';
    card.querySelector('.message').textContent = 'Tagging…';
    showTags(card, await tag(prepared.modelInput));
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
