// One card per uploaded file: name, thumbnail, a progress bar (preparing → uploading → tagging),
// cancel and retry, and, once tagged, the asset's tags as the review session sees them.

const SOURCE_LABEL = { taxonomy: 'Taxonomy', generic: 'Generic', color: 'Colour', manual: 'Manual', trained: 'Trained' };
const STATE_LABEL = { suggested: 'suggested', accepted: 'accepted', rejected: 'rejected', manual: 'added' };
// Share of the bar each stage ends at.
const STAGE_END = { preparing: 40, uploading: 80, tagging: 95 };
const STAGE_TEXT = { preparing: 'Preparing', uploading: 'Uploading', tagging: 'Tagging' };

export function createCard(template, name) {
  const card = template.content.firstElementChild.cloneNode(true);
  card.querySelector('.name').textContent = name;
  const bar = card.querySelector('.progress');
  bar.setAttribute('aria-label', `Progress of ${name}`);
  card.querySelector('.select input').setAttribute('aria-label', `Select ${name}`);
  card.querySelector('.cancel').setAttribute('aria-label', `Cancel ${name}`);
  card.querySelector('.retry').setAttribute('aria-label', `Retry ${name}`);
  card.querySelector('.retag').setAttribute('aria-label', `Re-tag ${name}`);
  card.querySelector('.similar-button').setAttribute('aria-label', `Images similar to ${name}`);
  return card;
}

// stage: 'preparing' | 'uploading' | 'tagging'; fraction of that stage in [0, 1].
export function setProgress(card, stage, fraction = 0) {
  const start = stage === 'preparing' ? 0 : stage === 'uploading' ? STAGE_END.preparing : STAGE_END.uploading;
  const value = Math.round(start + (STAGE_END[stage] - start) * Math.min(Math.max(fraction, 0), 1));
  const text = stage === 'uploading' ? `${STAGE_TEXT[stage]} ${Math.round(fraction * 100)}%` : `${STAGE_TEXT[stage]}…`;
  card.dataset.stage = stage;
  updateBar(card, value, text);
  card.querySelector('.message').textContent = text;
}

function updateBar(card, value, text) {
  const bar = card.querySelector('.progress');
  bar.setAttribute('aria-valuenow', String(value));
  bar.setAttribute('aria-valuetext', text);
  bar.firstElementChild.style.width = `${value}%`;
}

export function finishProgress(card, text) {
  delete card.dataset.stage;
  card.querySelector('.message').textContent = '';
  updateBar(card, 100, text);
}

export function showFailure(card, state, message) {
  card.dataset.state = state; // 'error' | 'cancelled'
  delete card.dataset.stage;
  card.querySelector('.message').textContent = message;
  updateBar(card, 0, state === 'cancelled' ? 'Cancelled' : 'Failed');
}

export function showPrepared(card, file, prepared) {
  const img = card.querySelector('img');
  img.src = URL.createObjectURL(new Blob([prepared.thumbnail], { type: 'image/jpeg' }));
  img.alt = `Thumbnail of ${file.name}`;
  const decoder = prepared.decoder && prepared.decoder !== 'core' ? ` (${prepared.decoder})` : '';
  card.querySelector('.meta').textContent =
    `${prepared.width}×${prepared.height} ${String(prepared.format).toUpperCase()} · ${(file.size / 1024).toFixed(0)} KB · ` +
    `prepared in ${prepared.preprocessMs.toFixed(0)} ms${decoder}`;
}

function tagItem(tag, cardName) {
  const item = document.createElement('li');
  item.className = 'tag';
  item.tabIndex = -1;
  item.dataset.source = tag.source;
  item.dataset.tagId = tag.id;
  item.dataset.state = tag.state;
  if (tag.hidden) item.dataset.hiddenByView = 'true';
  item.innerHTML =
    '<span class="tag-text"><span class="tag-path"></span><span class="tag-label"></span></span>' +
    '<span class="tag-side"><span class="tag-state"></span><span class="tag-source"></span><span class="tag-confidence"></span></span>' +
    '<span class="tag-actions"></span><span class="tag-bar"><span></span></span>';
  const parents = tag.path.slice(0, -1);
  item.querySelector('.tag-path').textContent = parents.length ? `${parents.join(' › ')} › ` : '';
  item.querySelector('.tag-label').textContent = tag.title;
  const source = SOURCE_LABEL[tag.source] ?? tag.source;
  item.querySelector('.tag-source').textContent = tag.source === 'trained' ? `${source} · ${tag.modelVersion}` : source;
  const manualOnly = tag.state === 'manual';
  const percent = Math.round(tag.confidence * 1000) / 10;
  item.querySelector('.tag-confidence').textContent = manualOnly ? '' : `${percent}%`;
  item.querySelector('.tag-state').textContent = `${STATE_LABEL[tag.state] ?? tag.state}${tag.hidden ? ', hidden by the threshold' : ''}`;
  item.querySelector('.tag-bar > span').style.width = `${manualOnly ? 100 : Math.max(percent, 1)}%`;
  if (tag.source === 'color') item.querySelector('.tag-bar > span').style.background = tag.hex ?? '';
  item.title = tag.id;
  const buttons = item.querySelector('.tag-actions');
  const add = (name, label, verb) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = name;
    button.textContent = label;
    button.dataset.action = name === 'promote' ? 'accept' : 'reject';
    button.setAttribute('aria-label', `${verb} tag ${tag.title} on ${cardName}`);
    buttons.append(button);
  };
  if (tag.state === 'suggested' || tag.state === 'rejected') add('promote', '✓', 'Keep');
  if (tag.state !== 'rejected') add('remove', '✕', 'Remove');
  return item;
}

// Renders the session's view of the asset; keeps the focused tag focused.
export function renderTags(card, view, { reused, inferenceMs } = {}) {
  const list = card.querySelector('.tags');
  const focusedId = list.querySelector('.tag:focus')?.dataset.tagId;
  const name = card.querySelector('.name').textContent;
  list.replaceChildren(...view.tags.map((tag) => tagItem(tag, name)));
  if (focusedId) list.querySelector(`.tag[data-tag-id="${CSS.escape(focusedId)}"]`)?.focus();
  if (reused !== undefined) {
    card.dataset.origin = reused ? 'Stored tags (unchanged image)' : `Tagged in ${inferenceMs?.toFixed(0) ?? '?'} ms`;
  }
  const removed = view.tags.filter((t) => t.state === 'rejected').length;
  const hidden = view.hidden.count;
  card.querySelector('.summary').textContent = `${card.dataset.origin ?? ''}` +
    `${hidden ? ` · ${hidden} hidden by the threshold` : ''}${removed ? ` · ${removed} removed` : ''}` +
    `${view.undecided ? ` · ${view.undecided} to review` : ''}`;
  card.dataset.state = 'done';
}

// The workflow's badges: one per step that failed or was skipped ({ status, text }), e.g.
// "Smart tags failed — the tagging service is unavailable, try again later".
export function showSteps(card, steps) {
  const list = card.querySelector('.steps');
  list.replaceChildren(...steps.map(({ status, text }) => {
    const item = document.createElement('li');
    item.className = 'step';
    item.dataset.status = status;
    item.textContent = text;
    return item;
  }));
}

// "More suggestions": the best candidates the thresholds hide, each a button that adds it as a
// tag. `suggestions` as the service answers them ({ id, title, path, confidence }); an empty list
// says there are none. Answers the first button (or the section) for the focus.
export function renderMore(card, suggestions) {
  let section = card.querySelector('.more');
  if (!section) {
    section = document.createElement('section');
    section.className = 'more';
    section.innerHTML = '<h3 class="more-title">More suggestions</h3><ul class="more-list"></ul>' +
      '<p class="more-hint">Below the threshold. Enter or click adds a tag; Escape closes.</p>';
    card.querySelector('.tags').after(section);
  }
  const name = card.querySelector('.name').textContent;
  section.setAttribute('aria-label', `More suggestions for ${name}`);
  const list = section.querySelector('.more-list');
  list.replaceChildren(...suggestions.map((tag) => {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'more-tag';
    button.dataset.moreId = tag.id;
    const percent = Math.round(tag.confidence * 1000) / 10;
    // The visible text is the accessible name (the section names the image).
    button.textContent = `Add ${tag.title} ${percent}%`;
    button.title = (tag.path ?? [tag.title]).join(' › ');
    item.append(button);
    return item;
  }));
  if (!suggestions.length) {
    const item = document.createElement('li');
    item.className = 'more-none';
    item.textContent = 'No more suggestions';
    list.append(item);
  }
  section.tabIndex = -1;
  return list.querySelector('button') ?? section;
}

export function closeMore(card) {
  card.querySelector('.more')?.remove();
}

// The "Similar" list of a card: the stored images that look most like it, nearest first, each
// named by `nameOf(asset)` with its similarity (floored percent) and "duplicate" when it is one;
// `null` closes it.
export function renderSimilar(card, similar, nameOf) {
  card.querySelector('.similar')?.remove();
  const button = card.querySelector('.similar-button');
  button.setAttribute('aria-expanded', String(Boolean(similar)));
  if (!similar) return;
  const section = document.createElement('section');
  section.className = 'similar';
  section.setAttribute('aria-label', `Images similar to ${card.querySelector('.name').textContent}`);
  const title = document.createElement('h3');
  title.className = 'similar-title';
  title.textContent = similar.length ? 'Similar images' : 'No similar image stored yet';
  const list = document.createElement('ol');
  list.className = 'similar-list';
  for (const s of similar) {
    const item = document.createElement('li');
    item.dataset.hash = s.asset.content_hash ?? '';
    item.textContent = `${nameOf(s.asset)} — ${Math.floor(s.similarity * 100)}%${s.duplicate ? ' (duplicate)' : ''}`;
    list.append(item);
  }
  section.append(title, list);
  card.querySelector('.card-actions').after(section);
}
