// The demo DAM's page script: registers the packaged widget, and turns what it hears into asset
// cards. `smart-tags:tagged` makes a card (thumbnail Blob, size, tags, "Duplicate of …");
// `smart-tags:change` replaces the card's tag chips with the final tags after each review action;
// a card's "Similar" asks the widget (`uploader.similar`) for the assets that look most like it;
// the filter box asks the widget's search (`uploader.search`) for assets by tag and word.
import { defineSmartTagsUploader, version } from 'smart-tags-uploader';

defineSmartTagsUploader();

const uploader = document.getElementById('uploader');
const grid = document.getElementById('grid');
const template = document.getElementById('card');
const filter = document.getElementById('filter');
const cards = new Map(); // content hash → card element

// Behind a widget secret the DAM's back end would hand out tokens, e.g.:
//   uploader.getToken = async () => (await fetch('/dam/api/smart-tags-token')).text();
// In open mode (the local demo) there is nothing to do.
uploader.dataset.widgetVersion = version;

function chip(tag) {
  const item = document.createElement('li');
  item.className = `chip chip-${tag.source}${tag.status === 'suggested' ? '' : ' chip-confirmed'}`;
  item.dataset.tagId = tag.id;
  item.dataset.status = tag.status;
  item.title = `${tag.path.join(' › ')}${tag.status === 'suggested' ? '' : ` (${tag.status})`}`;
  if (tag.hex) {
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = tag.hex;
    item.append(swatch);
  }
  item.append(tag.title);
  return item;
}

function showTags(card, tags) {
  const order = { manual: 0, taxonomy: 1, trained: 2, generic: 3, color: 4 };
  const sorted = [...tags].sort((a, b) => (order[a.source] ?? 9) - (order[b.source] ?? 9));
  card.querySelector('.chips').replaceChildren(...sorted.map(chip));
  card.dataset.tags = tags.map((t) => t.title.toLowerCase()).join('|');
  applyFilter();
}

// The filter box: a card stays when its name contains the text, or when the service's search
// (`uploader.search`: tags shown, their titles and synonyms in any locale, colours, words read in
// the picture) finds its asset. Typing is debounced; an older answer never overwrites a newer one.
const filterStatus = document.getElementById('filter-status');
const FILTER_DELAY_MS = 200;
let filterTimer = 0;
let filterRun = 0;

function applyFilter() {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(runFilter, FILTER_DELAY_MS);
}

async function runFilter() {
  const run = ++filterRun;
  const text = filter.value.trim();
  const q = text.toLowerCase();
  if (!q) {
    for (const card of cards.values()) card.hidden = false;
    filterStatus.textContent = '';
    return;
  }
  let found = null;
  let understood = '';
  try {
    const page = await uploader.search(text, { limit: 200 });
    found = new Set(page.hits.map((hit) => hit.asset.content_hash));
    understood = page.terms
      .filter((term) => term.tags.length)
      .map((term) => `${term.term}: ${term.tags.slice(0, 3).map((tag) => tag.title).join(', ')}`)
      .join('; ');
  } catch (e) {
    understood = `search unavailable (${e.message}): names and tag titles only`;
  }
  if (run !== filterRun) return;
  let shown = 0;
  for (const card of cards.values()) {
    const match = card.dataset.name.toLowerCase().includes(q) || (found ? found.has(card.dataset.contentHash) : card.dataset.tags.includes(q));
    card.hidden = !match;
    if (match) shown += 1;
  }
  filterStatus.textContent = `${shown} of ${cards.size} assets match “${text}”${understood ? ` (${understood})` : ''}`;
}

uploader.addEventListener('smart-tags:tagged', (event) => {
  const { name, contentHash, thumbnail, width, height, metadata, tags } = event.detail;
  let card = cards.get(contentHash);
  if (!card) {
    card = template.content.firstElementChild.cloneNode(true);
    card.dataset.contentHash = contentHash;
    card.dataset.name = name;
    cards.set(contentHash, card);
    grid.prepend(card);
    const button = card.querySelector('.similar-button');
    button.setAttribute('aria-label', `Assets similar to ${name}`);
    button.addEventListener('click', () => toggleSimilar(card, button));
  }
  const img = card.querySelector('.asset-thumb');
  img.src = URL.createObjectURL(thumbnail);
  img.alt = name;
  card.querySelector('.asset-name').textContent = name;
  card.querySelector('.asset-meta').textContent =
    `${width} × ${height} · ${(metadata.format ?? '').toUpperCase()} · ${Math.round(event.detail.file.size / 1024)} KB`;
  showTags(card, tags);
  showDuplicates(card, event.detail.result?.duplicates);
  document.getElementById('count').textContent = String(cards.size);
  document.getElementById('empty').hidden = cards.size > 0;
});

// An asset's name in this library: its card's, else its DAM id, else the start of its hash.
function nameOf(asset) {
  return cards.get(asset.content_hash)?.dataset.name ?? asset.asset_id ?? `${(asset.content_hash ?? '').slice(0, 8)}…`;
}

const percent = (similarity) => `${Math.floor(similarity * 100)}%`;

function showDuplicates(card, duplicates) {
  card.querySelector('.asset-duplicates').textContent = duplicates?.length
    ? `Duplicate of ${duplicates.map((d) => `${nameOf(d.asset)} (${percent(d.similarity)})`).join(', ')}`
    : '';
}

// "Similar": the assets that look most like this card's, nearest first; again to close.
async function toggleSimilar(card, button) {
  card.querySelector('.similar')?.remove();
  if (button.getAttribute('aria-expanded') === 'true') {
    button.setAttribute('aria-expanded', 'false');
    return;
  }
  button.setAttribute('aria-expanded', 'true');
  const list = document.createElement('ol');
  list.className = 'similar';
  list.setAttribute('aria-label', `Similar to ${card.dataset.name}`);
  button.after(list);
  try {
    const similar = await uploader.similar(card.dataset.contentHash, { limit: 6 });
    for (const s of similar) {
      const item = document.createElement('li');
      item.textContent = `${nameOf(s.asset)} · ${percent(s.similarity)}${s.duplicate ? ' · duplicate' : ''}`;
      list.append(item);
    }
    if (!similar.length) list.append(Object.assign(document.createElement('li'), { textContent: 'Nothing similar yet' }));
  } catch (e) {
    list.append(Object.assign(document.createElement('li'), { textContent: e.message }));
  }
}

uploader.addEventListener('smart-tags:change', (event) => {
  const card = cards.get(event.detail.contentHash);
  if (card) showTags(card, event.detail.tags);
});

filter.addEventListener('input', applyFilter);
