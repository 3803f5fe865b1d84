// The review, keyboard first, driven by the wasm ReviewSession (docs/review-session.md): a focused
// asset and a focused tag, a selection of assets, accept / reject / add on the selection, undo /
// redo, the view threshold, the key map's help dialog. Every decision's moderation ops go to the
// proxy in order; each answer is upserted back into the session (the server's state wins).

import { closeMore, renderMore, renderTags } from './cards.js';

// How many hidden candidates "more suggestions" asks for.
const MORE_SUGGESTIONS = 10;

export function createReview({ session, keyAction, keyMap, api, results, announce, slider, sliderOutput, help, onExport }) {
  const cards = new Map(); // content hash → the cards showing it (the same file uploaded twice)
  const names = new Map(); // content hash → file name
  const selection = new Set();
  let focusedKey;
  let sending = Promise.resolve();

  const primary = (key) => cards.get(key)?.at(-1);
  const targets = () => (selection.size ? [...selection] : focusedKey ? [focusedKey] : []);

  function render(key, extra) {
    const view = session.asset(key);
    if (!view) return;
    for (const card of cards.get(key) ?? []) renderTags(card, view, extra);
  }

  // Done cards in queue order (most uncertain first), then the others as they came.
  function reorder() {
    const active = document.activeElement;
    const done = session.queue().flatMap((key) => cards.get(key) ?? []);
    const rest = [...results.children].filter((card) => !done.includes(card));
    results.replaceChildren(...done, ...rest);
    if (active && active !== document.activeElement && results.contains(active)) active.focus();
  }

  // A file's tagging answer (first upload, re-upload, re-tag).
  function upsert(card, name, answer) {
    const key = answer.asset?.content_hash ?? card.dataset.hash;
    card.dataset.hash = key;
    const list = cards.get(key) ?? [];
    if (!list.includes(card)) list.push(card);
    cards.set(key, list);
    names.set(key, name);
    session.upsertAsset(key, name, answer.tags);
    session.setText(key, answer.text);
    render(key, { reused: answer.reused, inferenceMs: answer.inference_ms });
    reorder();
    if (!focusedKey) setFocus(key, undefined, false);
    return key;
  }

  function forget(card) {
    const key = card.dataset.hash;
    const list = (cards.get(key) ?? []).filter((c) => c !== card);
    if (list.length) cards.set(key, list);
    else if (key) { cards.delete(key); session.removeAsset(key); selection.delete(key); }
  }

  // Roving focus: one card (and one of its tags) is the current one.
  function setFocus(key, tagId, moveFocus = true) {
    if (!key) return;
    for (const card of results.querySelectorAll('.card[aria-current]')) card.removeAttribute('aria-current');
    focusedKey = key;
    const card = primary(key);
    if (!card) return;
    card.setAttribute('aria-current', 'true');
    for (const other of results.querySelectorAll('.card')) other.tabIndex = other === card ? 0 : -1;
    card.dataset.focusedTag = tagId ?? '';
    if (!moveFocus) return;
    const tag = tagId && card.querySelector(`.tag[data-tag-id="${CSS.escape(tagId)}"]`);
    (tag || card).focus();
    card.scrollIntoView({ block: 'nearest' });
  }

  // Moving to an asset focuses its first tag, so a key decides at once.
  const focusAsset = (key) => key && setFocus(key, session.nextTag(key));

  // The next or previous tag; from the first one when the focused tag has left the asset.
  const moveTag = (which) => {
    try {
      return session[which](focusedKey, focusedTag());
    } catch {
      return session[which](focusedKey);
    }
  };

  const focusedTag = () => primary(focusedKey)?.dataset.focusedTag || undefined;

  // Sends ops one after the other (after any earlier ones); upserts each answer.
  function send(ops) {
    const run = async () => {
      for (const op of ops) {
        try {
          const answer = await api.moderate(op.content_hash, op);
          session.upsertAsset(op.content_hash, names.get(op.content_hash) ?? '', answer.tags);
          session.setText(op.content_hash, answer.text);
          for (const card of cards.get(op.content_hash) ?? []) card.querySelector('.message').textContent = '';
        } catch (e) {
          announce(`Could not save ${op.action} ${op.tag_id}: ${e.message}`);
          for (const card of cards.get(op.content_hash) ?? []) card.querySelector('.message').textContent = e.message;
        }
        render(op.content_hash);
      }
      for (const key of new Set(ops.map((op) => op.content_hash))) {
        for (const card of cards.get(key) ?? []) delete card.dataset.busy;
      }
    };
    for (const key of new Set(ops.map((op) => op.content_hash))) {
      render(key);
      for (const card of cards.get(key) ?? []) card.dataset.busy = 'true';
    }
    sending = sending.then(run);
    return sending;
  }

  function titleOf(key, tagId) {
    return session.asset(key)?.tags.find((t) => t.id === tagId)?.title ?? tagId;
  }

  function where(keys) {
    return keys.length === 1 ? (names.get(keys[0]) ?? 'the image') : `${keys.length} images`;
  }

  function decide(verb, keys, tagId) {
    if (!tagId || keys.length === 0) return announce('Choose a tag first (← →).');
    const ops = verb === 'accept' ? session.accept(keys, tagId) : session.reject(keys, tagId);
    const title = titleOf(focusedKey ?? keys[0], tagId);
    if (ops.length === 0) return announce(`${title}: nothing to change`);
    announce(`${verb === 'accept' ? 'Kept' : 'Removed'} ${title} on ${where([...new Set(ops.map((o) => o.content_hash))])}`);
    return send(ops);
  }

  function add(keys, tag) {
    if (keys.length === 0) return undefined;
    const ops = session.add(keys, tag.id, tag.title, tag.path);
    if (ops.length === 0) { announce(`${tag.title} is already there`); return undefined; }
    announce(`Added ${tag.title} on ${where([...new Set(ops.map((o) => o.content_hash))])}`);
    return send(ops);
  }

  function history(which) {
    const description = which === 'undo' ? session.undoDescription() : session.redoDescription();
    const ops = which === 'undo' ? session.undo() : session.redo();
    if (ops.length === 0) return announce(`Nothing to ${which}`);
    announce(description ? description[0].toUpperCase() + description.slice(1) : which);
    return send(ops);
  }

  function toggleSelect(key, on = !selection.has(key)) {
    if (!key) return;
    if (on) selection.add(key); else selection.delete(key);
    for (const card of cards.get(key) ?? []) {
      card.querySelector('.select input').checked = on;
      card.classList.toggle('selected', on);
    }
    announce(`${selection.size} image${selection.size === 1 ? '' : 's'} selected`);
  }

  function setThreshold(value) {
    const x = Math.min(Math.max(Math.round(value * 100) / 100, 0), 1);
    const report = session.setViewThreshold(x);
    slider.value = String(Math.round(x * 100));
    const images = report.assets.filter((a) => a.count > 0).length;
    sliderOutput.textContent = report.count
      ? `Hides ${report.count} tag${report.count === 1 ? '' : 's'} on ${images} image${images === 1 ? '' : 's'}`
      : 'Hides nothing';
    for (const key of cards.keys()) render(key);
    reorder();
    return report;
  }
  help.addEventListener('close', () => focusedKey && setFocus(focusedKey, focusedTag()));
  const announceThreshold = (report) => announce(`View threshold ${slider.value}%: ${sliderOutput.textContent}`);
  slider.addEventListener('input', () => announceThreshold(setThreshold(Number(slider.value) / 100)));

  // More suggestions for one asset: asked for on demand (nothing changes on the server until one
  // is added), shown below its tags, each addable by Enter or click.
  const moreOf = new Map(); // content hash → the suggestions shown, by id
  async function showMore(key) {
    const card = primary(key);
    if (!card) return undefined;
    let answer;
    try {
      answer = await api.asset(key, { suggestions: MORE_SUGGESTIONS });
    } catch (e) {
      return announce(`Could not load more suggestions: ${e.message}`);
    }
    const shown = new Set(session.asset(key)?.tags.map((t) => t.id) ?? []);
    const more = (answer.tags?.more ?? []).filter((t) => !shown.has(t.id));
    moreOf.set(key, new Map(more.map((t) => [t.id, t])));
    const first = renderMore(card, more);
    announce(more.length
      ? `${more.length} more suggestion${more.length === 1 ? '' : 's'} for ${names.get(key) ?? 'the image'}, best first`
      : `No more suggestions for ${names.get(key) ?? 'the image'}`);
    first.focus();
    return more;
  }

  function addMore(key, tagId) {
    const tag = moreOf.get(key)?.get(tagId);
    if (!tag) return undefined;
    moreOf.get(key).delete(tagId);
    const card = primary(key);
    const button = card?.querySelector(`.more-tag[data-more-id="${CSS.escape(tagId)}"]`);
    const next = button?.closest('li')?.nextElementSibling?.querySelector('button') ?? button?.closest('li')?.previousElementSibling?.querySelector('button');
    button?.closest('li')?.remove();
    if (next) next.focus();
    else { closeMore(card); setFocus(key, tagId); }
    return add([key], { id: tag.id, title: tag.title, path: tag.path });
  }

  function openAdd(key) {
    const card = primary(key);
    card?.querySelector('.add input')?.focus();
  }

  function renderHelp() {
    const rows = new Map();
    for (const binding of keyMap()) {
      const keys = rows.get(binding.action)?.keys ?? [];
      keys.push(binding.label);
      rows.set(binding.action, { keys, description: binding.description });
    }
    const body = help.querySelector('tbody');
    body.replaceChildren(...[...rows.values()].map(({ keys, description }) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      keys.forEach((label, i) => {
        if (i) th.append(', ');
        th.append(Object.assign(document.createElement('kbd'), { textContent: label }));
      });
      const td = Object.assign(document.createElement('td'), { textContent: description });
      tr.append(th, td);
      return tr;
    }));
  }

  const actions = {
    nextAsset: () => focusAsset(session.nextAsset(focusedKey) ?? focusedKey),
    previousAsset: () => focusAsset(session.previousAsset(focusedKey) ?? focusedKey),
    nextTag: () => focusedKey && setFocus(focusedKey, moveTag('nextTag') ?? focusedTag()),
    previousTag: () => focusedKey && setFocus(focusedKey, moveTag('previousTag') ?? focusedTag()),
    accept: () => decide('accept', targets(), focusedTag()),
    reject: () => decide('reject', targets(), focusedTag()),
    addTag: () => openAdd(focusedKey),
    moreSuggestions: () => showMore(focusedKey),
    undo: () => history('undo'),
    redo: () => history('redo'),
    toggleSelect: () => toggleSelect(focusedKey),
    selectAll: () => { for (const key of session.queue()) toggleSelect(key, true); },
    thresholdDown: () => announceThreshold(setThreshold(session.viewThreshold() - 0.05)),
    thresholdUp: () => announceThreshold(setThreshold(session.viewThreshold() + 0.05)),
    export: () => onExport(),
    help: () => { renderHelp(); help.showModal(); },
  };

  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || help.open) return;
    const target = event.target;
    if (target instanceof HTMLElement && (target.isContentEditable || target.closest('input, textarea, select, dialog'))) {
      // A card's own selection box takes the review's keys; any other form control keeps them.
      if (!(target instanceof HTMLInputElement && target.type === 'checkbox' && results.contains(target))) return;
    }
    const { key, ctrlKey, metaKey, shiftKey, altKey } = event;
    const action = keyAction({ key, ctrlKey, metaKey, shiftKey, altKey });
    if (!action || !actions[action]) return;
    // Buttons keep Space and arrows for themselves outside the review.
    if (action === 'toggleSelect' && target instanceof HTMLButtonElement) return;
    if (session.length === 0 && action !== 'help') return;
    event.preventDefault();
    // The first move into the review lands on the current asset rather than past it.
    const inReview = results.contains(document.activeElement);
    if (!inReview && ['nextAsset', 'previousAsset', 'nextTag', 'previousTag'].includes(action)) {
      return focusAsset(focusedKey ?? session.nextAsset());
    }
    if (!focusedKey && session.length) focusAsset(session.nextAsset());
    actions[action]();
  });

  // Mouse and pointer paths to the same actions.
  results.addEventListener('click', (event) => {
    const card = event.target.closest('.card');
    const key = card?.dataset.hash;
    if (!key || !session.asset(key)) return;
    const suggestion = event.target.closest('button[data-more-id]');
    if (suggestion) {
      addMore(key, suggestion.dataset.moreId);
      return;
    }
    const button = event.target.closest('button[data-action]');
    if (button) {
      const tagId = button.closest('.tag').dataset.tagId;
      setFocus(key, tagId, false);
      decide(button.dataset.action, [key], tagId);
    }
  });
  // Escape leaves the suggestions, back to the asset's tags.
  results.addEventListener('keydown', (event) => {
    const section = event.target.closest?.('.more');
    if (!section || event.key !== 'Escape') return;
    event.preventDefault();
    const key = section.closest('.card')?.dataset.hash;
    closeMore(section.closest('.card'));
    if (key) setFocus(key, focusedTag());
  });
  results.addEventListener('change', (event) => {
    const box = event.target.closest('.select input');
    const key = box?.closest('.card')?.dataset.hash;
    if (key) toggleSelect(key, box.checked);
  });
  results.addEventListener('focusin', (event) => {
    const card = event.target.closest('.card');
    const key = card?.dataset.hash;
    if (!key || !session.asset(key) || primary(key) !== card) return;
    const tagId = event.target.closest('.tag')?.dataset.tagId;
    if (focusedKey !== key || (tagId && tagId !== focusedTag())) setFocus(key, tagId ?? focusedTag(), false);
  });

  return {
    upsert, forget, add, targets, setFocus, setThreshold, help: actions.help, showMore,
    sent: () => sending,
    keys: () => session.queue(),
    name: (key) => names.get(key),
    focusCard: (key) => setFocus(key, focusedKey === key ? focusedTag() : undefined),
  };
}
