// The host app: imports the installed package by its name, registers the element, gets a widget
// token from its own back end (/token here; a DAM mints it with its shared secret) and keeps what
// the widget tells it. window.hostEvents is what the test reads.
import { defineSmartTagsUploader, version } from 'smart-tags-uploader';

defineSmartTagsUploader();
const uploader = document.querySelector('smart-tags-uploader');
const received = document.getElementById('received');
document.getElementById('version').textContent = version;
window.hostEvents = [];
window.tokenRequests = 0;

async function fetchToken() {
  window.tokenRequests += 1;
  const response = await fetch('/token');
  return response.text();
}

async function describeThumbnail(blob) {
  const isBlob = blob instanceof Blob;
  const bitmap = isBlob ? await createImageBitmap(blob) : null;
  return { isBlob, type: blob?.type, size: blob?.size, width: bitmap?.width, height: bitmap?.height };
}

function show(name, tags) {
  const id = `asset-${name.replace(/[^a-z0-9]/gi, '-')}`;
  let item = document.getElementById(id);
  if (!item) {
    item = document.createElement('li');
    item.id = id;
    received.append(item);
  }
  item.textContent = `${name}: ${tags.map((t) => t.title).join(', ')}`;
}

uploader.addEventListener('smart-tags:file', (e) => {
  window.hostEvents.push({ type: 'file', name: e.detail.file.name });
});
uploader.addEventListener('smart-tags:tagged', async (e) => {
  const { name, contentHash, width, height, metadata, tags, thumbnail } = e.detail;
  const event = { type: 'tagged', name, contentHash, width, height, metadata, tags, thumbnail: null };
  window.hostEvents.push(event);
  event.thumbnail = await describeThumbnail(thumbnail);
  show(name, tags);
});
uploader.addEventListener('smart-tags:change', (e) => {
  const { name, contentHash, action, tags } = e.detail;
  window.hostEvents.push({ type: 'change', name, contentHash, action, tags });
  show(name, tags);
});
uploader.addEventListener('smart-tags:error', (e) => {
  window.hostEvents.push({ type: 'error', name: e.detail.file.name, code: e.detail.code, message: e.detail.message });
});

async function start() {
  const config = await (await fetch('/config.json')).json();
  uploader.proxyUrl = config.proxyUrl;
  uploader.getToken = fetchToken;
  uploader.token = await fetchToken();
  window.hostReady = true;
}
start();
