// The admin page's Taxonomy section (issue 20): the customer's tags as the tree their ids make
// (`namespace:path/to/tag`), searched as you type; a chosen tag is renamed per locale, given
// synonyms and a description, moved (dragged onto its new parent, or by the "Move under" list —
// the keyboard's way), given a tag below it, or deleted with its subtree; a whole taxonomy is
// imported (JSON, CSV, SKOS; every problem listed, nothing half-done) and exported; the change log
// lists the latest changes. Each tag's concept links (what makes the image model suggest it) are
// confirmed, rejected or added from an autocomplete over the concepts, each after a preview of the
// stored assets that would gain or lose the tag; thresholds (global, and the chosen tag's) are
// saved after a preview of what they change. The service's taxonomy, links, concepts and settings
// routes do the work; every call goes through admin-api.js.
// After a change the section tells the page (event `taxonomy-changed`), which reloads its lists.

import { api, upload, download, ApiError } from './admin-api.js';
import { $, element, button, plural, announce, say, saveBlob } from './admin-dom.js';

const CHANGES_SHOWN = 30;
const SUGGEST_DELAY_MS = 200;
const DEFAULT_LOCALE = 'en';
const FORMATS = { json: 'application/json', csv: 'text/csv', ttl: 'text/turtle' };

const state = {
  tags: new Map(), // id → Tag as the service exports it
  children: new Map(), // id → child ids, by title
  expanded: new Set(),
  selected: null,
  focused: null,
  version: null,
  concepts: new Map(), // what the add-link box offered: option value → concept id
  pendingLink: null, // {id, link, action, from}: previewed, waiting for its button
  previews: 0, // the latest preview asked for (an older answer arriving later is dropped)
  thresholds: null, // as stored
};

const LINK_BUTTON = { confirm: 'Confirm', reject: 'Reject', add: 'Add link' };
const LINK_DOING = { confirm: 'Confirming', reject: 'Rejecting', add: 'Adding' };

// The link table's and the title rows' buttons.
const small = (label, onClick, properties = {}) => button(label, onClick, { className: 'small', ...properties });

function errorText(error) {
  if (error instanceof ApiError && error.status === 401) return 'The admin token was refused: sign out and sign in again.';
  return error.message;
}

// ── The hierarchy the ids make ──────────────────────────────────────────────────────────────────

export function parentOf(id) {
  if (id.endsWith(':')) return null;
  const slash = id.lastIndexOf('/');
  return slash >= 0 ? id.slice(0, slash) : id.slice(0, id.indexOf(':') + 1);
}

const titleOf = (id) => state.tags.get(id)?.titles?.[DEFAULT_LOCALE] ?? id;

function pathOf(id) {
  const titles = [];
  for (let at = id; at !== null; at = parentOf(at)) titles.unshift(titleOf(at));
  return titles;
}

function isWithin(id, ancestor) {
  return id === ancestor || id.startsWith(ancestor.endsWith(':') ? ancestor : `${ancestor}/`);
}

// Folded for matching: lower case, no accents.
const fold = (text) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

// A path segment from a title: "Cafés & Bars" → "cafes-bars"; unique among the parent's children.
export function segmentFor(title, taken) {
  const base = fold(title).replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'tag';
  let segment = base;
  for (let n = 2; taken.has(segment); n += 1) segment = `${base}-${n}`;
  return segment;
}

function childId(parent, segment) {
  return parent.endsWith(':') ? `${parent}${segment}` : `${parent}/${segment}`;
}

function index(tags) {
  state.tags = new Map(tags.map((t) => [t.id, t]));
  state.children = new Map();
  for (const tag of tags) {
    const parent = parentOf(tag.id);
    if (parent === null) continue;
    if (!state.children.has(parent)) state.children.set(parent, []);
    state.children.get(parent).push(tag.id);
  }
  for (const ids of state.children.values()) ids.sort((a, b) => titleOf(a).localeCompare(titleOf(b)));
  for (const id of [...state.expanded]) if (!state.tags.has(id)) state.expanded.delete(id);
  if (state.selected && !state.tags.has(state.selected)) state.selected = null;
}

const roots = () => [...state.tags.keys()].filter((id) => id.endsWith(':')).sort();

function matches(tag, needle) {
  const texts = [tag.id, ...Object.values(tag.titles ?? {}), ...Object.values(tag.synonyms ?? {}).flat()];
  return texts.some((t) => fold(t).includes(needle));
}

// ── The tree ────────────────────────────────────────────────────────────────────────────────────

function renderTree() {
  const needle = fold($('taxonomy-search').value.trim());
  // While searching: the matching tags and their ancestors, opened.
  let shown = null;
  if (needle) {
    shown = new Set();
    for (const tag of state.tags.values()) {
      if (!matches(tag, needle)) continue;
      for (let at = tag.id; at !== null && !shown.has(at); at = parentOf(at)) shown.add(at);
    }
  }
  const item = (id, level) => {
    const kids = (state.children.get(id) ?? []).filter((k) => !shown || shown.has(k));
    const open = kids.length > 0 && (state.expanded.has(id) || Boolean(shown));
    const label = element('span', { className: 'tree-label', textContent: titleOf(id) });
    const count = state.children.get(id)?.length ?? 0;
    const node = element('li', {
      role: 'treeitem', tabIndex: -1, draggable: !id.endsWith(':'),
      dataset: { id, level: String(level) },
    }, label);
    if (count > 0) node.append(element('span', { className: 'tree-count', textContent: ` ${count}` }));
    node.setAttribute('aria-level', String(level));
    node.setAttribute('aria-selected', String(id === state.selected));
    if (kids.length > 0) node.setAttribute('aria-expanded', String(open));
    if (shown && needle && matches(state.tags.get(id), needle)) node.dataset.match = 'true';
    if (open) node.append(element('ul', { role: 'group' }, ...kids.map((k) => item(k, level + 1))));
    return node;
  };
  const items = roots().filter((r) => !shown || shown.has(r)).map((r) => item(r, 1));
  $('taxonomy-tree').replaceChildren(...items);
  if (needle && items.length === 0) $('taxonomy-tree').append(element('li', { className: 'hint', textContent: 'No tag matches.' }));
  const focus = visibleItems().find((n) => n.dataset.id === (state.focused ?? state.selected)) ?? visibleItems()[0];
  if (focus) focus.tabIndex = 0;
}

const visibleItems = () => [...$('taxonomy-tree').querySelectorAll('li[role="treeitem"]')];

function focusItem(id) {
  state.focused = id;
  for (const node of visibleItems()) {
    node.tabIndex = node.dataset.id === id ? 0 : -1;
    if (node.dataset.id === id) node.focus();
  }
}

function toggle(id, open) {
  if (open) state.expanded.add(id); else state.expanded.delete(id);
  renderTree();
  focusItem(id);
}

function onTreeKey(event) {
  const node = event.target.closest('li[role="treeitem"]');
  if (!node) return;
  const id = node.dataset.id;
  const items = visibleItems();
  const at = items.indexOf(node);
  const expandable = node.hasAttribute('aria-expanded');
  const open = node.getAttribute('aria-expanded') === 'true';
  const moves = {
    ArrowDown: () => items[at + 1] && focusItem(items[at + 1].dataset.id),
    ArrowUp: () => items[at - 1] && focusItem(items[at - 1].dataset.id),
    Home: () => focusItem(items[0].dataset.id),
    End: () => focusItem(items[items.length - 1].dataset.id),
    ArrowRight: () => {
      if (expandable && !open) toggle(id, true);
      else if (open) focusItem(items[at + 1].dataset.id);
    },
    ArrowLeft: () => {
      // While searching every match's ancestors stay open: Left goes to the parent.
      if (open && !$('taxonomy-search').value.trim()) toggle(id, false);
      else if (parentOf(id) !== null) focusItem(parentOf(id));
    },
    Enter: () => select(id),
    ' ': () => select(id),
  };
  const move = moves[event.key];
  if (!move) return;
  event.preventDefault();
  move();
}

function onTreeClick(event) {
  const node = event.target.closest('li[role="treeitem"]');
  if (!node) return;
  const id = node.dataset.id;
  // A click on an open parent's label closes it only when it is already the chosen tag.
  if (node.hasAttribute('aria-expanded') && (id !== state.selected || node.getAttribute('aria-expanded') === 'false')) {
    state.expanded.add(id);
  } else if (id === state.selected) {
    state.expanded.delete(id);
  }
  select(id);
}

// Drag a tag onto its new parent.
function wireDragAndDrop(tree) {
  let dragged = null;
  const target = (event) => event.target.closest?.('li[role="treeitem"]');
  const namespace = (id) => id.slice(0, id.indexOf(':'));
  // As the Move under list: a new parent in the same namespace, not the tag's own subtree.
  const accepts = (node) => node && dragged && !isWithin(node.dataset.id, dragged)
    && parentOf(dragged) !== node.dataset.id && namespace(node.dataset.id) === namespace(dragged);
  tree.addEventListener('dragstart', (event) => {
    const node = target(event);
    if (!node || node.dataset.id.endsWith(':')) return;
    dragged = node.dataset.id;
    event.dataTransfer.effectAllowed = 'move';
    event.dataTransfer.setData('text/plain', dragged);
  });
  tree.addEventListener('dragover', (event) => {
    const node = target(event);
    if (!accepts(node)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
    for (const n of tree.querySelectorAll('[data-drop]')) if (n !== node) delete n.dataset.drop;
    node.dataset.drop = 'true';
  });
  tree.addEventListener('dragleave', (event) => {
    const node = target(event);
    if (node && !node.contains(event.relatedTarget)) delete node.dataset.drop;
  });
  tree.addEventListener('drop', (event) => {
    const node = target(event);
    for (const n of tree.querySelectorAll('[data-drop]')) delete n.dataset.drop;
    if (!accepts(node)) return;
    event.preventDefault();
    const moved = dragged;
    dragged = null;
    moveTag(moved, node.dataset.id);
  });
  tree.addEventListener('dragend', () => { dragged = null; });
}

// ── Loading ─────────────────────────────────────────────────────────────────────────────────────

export async function openTaxonomy() {
  try {
    const [exported] = await Promise.all([api('taxonomy?format=json'), loadThresholds()]);
    index(exported.tags);
    if (state.expanded.size === 0) for (const root of roots()) state.expanded.add(root);
    renderTree();
    if (state.selected) showEditor(state.selected);
    else $('tag-editor').hidden = true;
    await loadChanges();
  } catch (error) {
    say('taxonomy-message', `The taxonomy could not be read: ${errorText(error)}`, 'error');
  }
}

async function loadChanges() {
  const first = await api('taxonomy/changes?since=0&limit=1');
  state.version = first.version;
  $('taxonomy-version').textContent = `version ${state.version} · ${plural(state.tags.size - roots().length, 'tag')}`;
  const since = Math.max(0, state.version - CHANGES_SHOWN);
  const page = await api(`taxonomy/changes?since=${since}&limit=${CHANGES_SHOWN}`);
  const list = $('taxonomy-changes').querySelector('ol');
  list.replaceChildren(...page.changes.reverse().map((c) => element('li', { dataset: { op: c.op } },
    element('span', { className: 'change-version', textContent: `v${c.version}` }),
    ` ${new Date(c.at).toLocaleString()} · ${c.actor} · `,
    element('strong', { textContent: c.op }),
    ` ${describeChange(c)}`)));
}

function describeChange(change) {
  const d = change.detail ?? {};
  const titles = (tag) => tag?.titles?.[DEFAULT_LOCALE];
  switch (change.op) {
    case 'import': return `${d.mode ?? ''}: ${d.added ?? 0} added, ${d.updated ?? 0} updated, ${d.removed ?? 0} removed`;
    case 'create': return `${change.tag_id} “${titles(d.after) ?? ''}”`;
    case 'update': return titles(d.before) !== titles(d.after)
      ? `${change.tag_id}: “${titles(d.before)}” → “${titles(d.after)}”` : `${change.tag_id}`;
    case 'move': return `${d.before?.id} → ${d.after?.id}${d.moved > 1 ? ` (${d.moved} tags)` : ''}`;
    case 'delete': return `${change.tag_id}${d.recursive ? ' and the tags below it' : ''}`;
    case 'link': return d.action === 'auto' ? 'automatic links remade' : `${d.action} ${change.tag_id ?? ''}`;
    default: return change.tag_id ?? '';
  }
}

// After a change: reload, keep the chosen tag (its new id after a move), tell the page.
async function changed(message, selected = state.selected) {
  state.selected = selected;
  state.focused = selected;
  await openTaxonomy();
  say('taxonomy-message', message);
  announce(message);
  document.dispatchEvent(new CustomEvent('taxonomy-changed'));
}

// ── The tag editor ──────────────────────────────────────────────────────────────────────────────

function select(id) {
  state.selected = id;
  state.focused = id;
  renderTree();
  focusItem(id);
  showEditor(id);
}

function titleRow(locale, title) {
  const input = element('input', { id: `tag-title-${locale}`, value: title, required: locale === DEFAULT_LOCALE, autocomplete: 'off', dataset: { locale } });
  const label = element('label', { htmlFor: input.id, textContent: locale === DEFAULT_LOCALE ? 'en (required)' : locale });
  const row = element('span', { className: 'row' }, input);
  if (locale !== DEFAULT_LOCALE) {
    row.append(small('Remove', () => { label.remove(); row.remove(); }, { ariaLabel: `Remove the ${locale} title` }));
  }
  return [label, row];
}

function showEditor(id) {
  const tag = state.tags.get(id);
  if (!tag) return;
  const root = id.endsWith(':');
  $('tag-editor').hidden = false;
  $('tag-editor').dataset.id = id;
  $('tag-editor-heading').textContent = pathOf(id).join(' › ');
  $('tag-id').textContent = id;
  $('tag-titles').replaceChildren(...Object.entries(tag.titles ?? {}).sort(([a], [b]) => (a === DEFAULT_LOCALE ? -1 : b === DEFAULT_LOCALE ? 1 : a.localeCompare(b)))
    .flatMap(([locale, title]) => titleRow(locale, title)));
  $('tag-synonyms').value = (tag.synonyms?.[DEFAULT_LOCALE] ?? []).join(', ');
  $('tag-description').value = tag.description ?? '';
  $('tag-delete').disabled = root;
  $('tag-threshold').hidden = root;
  $('tag-threshold-value').value = state.thresholds?.per_tag?.[id] ?? '';
  hideLinkPreview();
  $('tag-move').hidden = root;
  const parents = [...state.tags.keys()]
    .filter((p) => !isWithin(p, id) && p.split(':')[0] === id.split(':')[0])
    .sort((a, b) => pathOf(a).join(' › ').localeCompare(pathOf(b).join(' › ')));
  $('tag-move-parent').replaceChildren(...parents.map((p) => element('option', {
    value: p, textContent: pathOf(p).join(' › '), selected: p === parentOf(id),
  })));
  say('tag-message', '');
  loadLinks(id);
}

async function saveTag(event) {
  event.preventDefault();
  const id = state.selected;
  const tag = state.tags.get(id);
  const titles = {};
  for (const input of $('tag-titles').querySelectorAll('input[data-locale]')) {
    if (input.value.trim()) titles[input.dataset.locale] = input.value.trim();
  }
  if (!titles[DEFAULT_LOCALE]) {
    say('tag-message', 'The English title is required.', 'error');
    return;
  }
  const english = $('tag-synonyms').value.split(',').map((s) => s.trim()).filter(Boolean);
  const synonyms = { ...tag.synonyms };
  if (english.length > 0) synonyms[DEFAULT_LOCALE] = english; else delete synonyms[DEFAULT_LOCALE];
  const description = $('tag-description').value.trim() || null;
  try {
    await api(`taxonomy/tags/${id}`, { method: 'PATCH', body: { titles, synonyms, description } });
    await changed(`Saved ${titles[DEFAULT_LOCALE]}.`);
  } catch (error) {
    say('tag-message', errorText(error), 'error');
  }
}

function addLocale() {
  const locale = $('tag-new-locale').value.trim();
  if (!/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(locale)) {
    say('tag-message', `“${locale}” is not a language tag such as fr or de-CH.`, 'error');
    return;
  }
  const existing = $('tag-titles').querySelector(`input[data-locale="${locale}"]`);
  if (existing) {
    existing.focus();
    return;
  }
  $('tag-titles').append(...titleRow(locale, ''));
  $('tag-new-locale').value = '';
  $(`tag-title-${locale}`).focus();
}

async function createTag(parent, title) {
  const taken = new Set((state.children.get(parent) ?? []).map((c) => c.slice(c.lastIndexOf(c.includes('/') ? '/' : ':') + 1)));
  const id = childId(parent, segmentFor(title, taken));
  try {
    await api('taxonomy/tags', { method: 'POST', body: { id, titles: { [DEFAULT_LOCALE]: title } } });
    state.expanded.add(parent);
    await changed(`Added ${title} under ${titleOf(parent)}.`, id);
  } catch (error) {
    say(parent === state.selected ? 'tag-message' : 'taxonomy-message', errorText(error), 'error');
  }
}

async function addChild(event) {
  event.preventDefault();
  const title = $('tag-child-title').value.trim();
  if (!title) return;
  await createTag(state.selected, title);
  $('tag-child-title').value = '';
}

function addTopLevel() {
  const namespaces = roots();
  if (namespaces.length === 0) {
    say('taxonomy-message', 'The taxonomy is empty: import one first (it names the namespace).', 'error');
    return;
  }
  // The namespace root's editor, with the focus in its "New tag below" box.
  const namespace = state.selected ? `${state.selected.split(':')[0]}:` : namespaces[0];
  select(namespace);
  $('tag-child-title').focus();
}

async function moveTag(id, parent) {
  try {
    const moved = await api('taxonomy/move', { method: 'POST', body: { id, parent } });
    state.expanded.add(parent);
    await changed(`Moved ${titleOf(id)} under ${titleOf(parent)}.`, moved.id);
  } catch (error) {
    say('taxonomy-message', errorText(error), 'error');
  }
}

async function moveSelected(event) {
  event.preventDefault();
  const parent = $('tag-move-parent').value;
  if (parent && parent !== parentOf(state.selected)) await moveTag(state.selected, parent);
}

function subtreeSize(id) {
  return (state.children.get(id) ?? []).reduce((n, child) => n + 1 + subtreeSize(child), 0);
}

export function deleteQuestion(title, below) {
  return below > 0
    ? `Delete ${title} and the ${plural(below, 'tag')} below it? Their links, thresholds and moderation go with them.`
    : `Delete ${title}? Its links, threshold and moderation go with it.`;
}

async function deleteSelected() {
  const id = state.selected;
  const title = titleOf(id);
  if (!window.confirm(deleteQuestion(title, subtreeSize(id)))) return;
  try {
    const deleted = await api(`taxonomy/tags/${id}?recursive=true`, { method: 'DELETE' });
    await changed(`Deleted ${title}${deleted.deleted.length > 1 ? ` and ${plural(deleted.deleted.length - 1, 'tag')} below it` : ''}.`, parentOf(id));
  } catch (error) {
    say('tag-message', errorText(error), 'error');
  }
}

// ── Concept links ───────────────────────────────────────────────────────────────────────────────

async function loadLinks(id) {
  try {
    const { links } = await api(`links?tag=${encodeURIComponent(id)}`);
    if (state.selected === id) showLinks(id, links);
  } catch (error) {
    say('tag-message', `The links could not be read: ${errorText(error)}`, 'error');
  }
}

function showLinks(id, links) {
  const order = { confirmed: 0, auto: 1, rejected: 2 };
  links.sort((a, b) => order[a.state] - order[b.state] || b.score - a.score);
  $('tag-links').tBodies[0].replaceChildren(...links.map((link) => {
    const buttons = element('span', { className: 'row' });
    const actions = element('td', {}, buttons);
    if (link.state === 'auto') buttons.append(small('Confirm', () => previewLink(id, link, 'confirm'), { ariaLabel: `Confirm the link to ${link.concept_title}` }));
    if (link.state !== 'rejected') buttons.append(small('Reject', () => previewLink(id, link, 'reject'), { className: 'small danger', ariaLabel: `Reject the link to ${link.concept_title}` }));
    return element('tr', { dataset: { concept: link.concept, state: link.state } },
      element('td', {},
        element('strong', { textContent: link.concept_title }),
        element('div', { className: 'hint', textContent: link.concept_path.slice(-4).join(' › ') })),
      element('td', { textContent: link.method }),
      element('td', { textContent: link.score.toFixed(2) }),
      element('td', { className: 'link-state', textContent: link.state }),
      actions);
  }));
  $('no-links').hidden = links.some((l) => l.state !== 'rejected');
}

// What the change would do to the stored assets, shown with the button that makes it.
async function previewLink(id, link, action) {
  const ticket = ++state.previews;
  const from = document.activeElement;
  try {
    const preview = await api('links/preview', { method: 'POST', body: { tag: id, concept: link.concept, action } });
    if (state.selected !== id || ticket !== state.previews) return;
    state.pendingLink = { id, link, action, from };
    showLinkPreview(id, link, action, preview);
  } catch (error) {
    say('tag-message', errorText(error), 'error');
  }
}

function effectItem(effect) {
  const name = effect.asset_id ?? `${effect.content_hash?.slice(0, 12) ?? 'an asset'}…`;
  const where = effect.folder ? ` in ${effect.folder}` : '';
  return element('li', { dataset: { asset: effect.asset_id ?? '' } },
    element('strong', { textContent: name }),
    `${where}: ${effect.before.toFixed(2)} → ${effect.after.toFixed(2)} (needs ${effect.threshold.toFixed(2)})`);
}

function effectList(node, effects, count) {
  node.replaceChildren(...effects.map(effectItem));
  if (count > effects.length) node.append(element('li', { className: 'hint', textContent: `and ${count - effects.length} more` }));
  if (count === 0) node.append(element('li', { className: 'hint', textContent: 'none' }));
}

function showLinkPreview(id, link, action, p) {
  const partial = p.complete ? '' : ` Only the first ${p.scanned} stored assets were read.`;
  $('link-preview-summary').textContent = `${LINK_DOING[action]} the link to ${link.concept_title}: of ${plural(p.scored, 'stored asset')} scored, `
    + `${p.gained} would gain ${titleOf(id)} and ${p.lost} would lose it (shown on ${p.showing_before} today, ${p.showing_after} after), `
    + `once they are tagged again (Bulk re-tag does it for the stored assets; new uploads at once).${partial}`;
  effectList($('link-preview-gain'), p.gain, p.gained);
  effectList($('link-preview-lose'), p.lose, p.lost);
  $('link-preview-apply').textContent = LINK_BUTTON[action];
  $('link-preview').dataset.action = action;
  $('link-preview').hidden = false;
  $('link-preview-apply').focus();
}

function hideLinkPreview() {
  state.pendingLink = null;
  $('link-preview').hidden = true;
}

// Cancel: the focus goes back to the button that asked for the preview.
function cancelLinkPreview() {
  const from = state.pendingLink?.from;
  hideLinkPreview();
  if (from?.isConnected) from.focus();
}

async function applyLink() {
  if (!state.pendingLink) return;
  const { id, link, action } = state.pendingLink;
  hideLinkPreview();
  await changeLink(id, link, action);
  if (action === 'add') $('link-concept').value = '';
}

async function changeLink(id, link, action) {
  try {
    const { links } = await api('links', { method: 'POST', body: { tag: id, concept: link.concept, action } });
    if (state.selected === id) showLinks(id, links);
    const done = { confirm: 'Confirmed', reject: 'Rejected', add: 'Added' }[action];
    say('tag-message', `${done} the link from ${titleOf(id)} to ${link.concept_title}.`);
    announce($('tag-message').textContent);
    loadChanges().catch(() => {});
  } catch (error) {
    say('tag-message', errorText(error), 'error');
  }
}

let suggestTimer = null;

function suggestConcepts() {
  clearTimeout(suggestTimer);
  const q = $('link-concept').value.trim();
  if (q.length < 2 || state.concepts.has(q)) return;
  suggestTimer = setTimeout(async () => {
    try {
      const { concepts } = await api(`concepts?q=${encodeURIComponent(q)}&limit=12`);
      state.concepts = new Map(concepts.map((c) => [`${c.title} · ${c.concept}`, c]));
      $('link-concepts').replaceChildren(...concepts.map((c) => element('option', {
        value: `${c.title} · ${c.concept}`, label: `${c.path.slice(-3).join(' › ')} — ${c.gloss}`.slice(0, 160),
      })));
    } catch {
      // The box still takes a concept id typed whole.
    }
  }, SUGGEST_DELAY_MS);
}

async function addLink(event) {
  event.preventDefault();
  const text = $('link-concept').value.trim();
  let concept = state.concepts.get(text);
  if (!concept) {
    // A bare word or id: the service's best match for it.
    try {
      const { concepts } = await api(`concepts?q=${encodeURIComponent(text.split(' · ').pop())}&limit=1`);
      concept = concepts[0];
    } catch (error) {
      say('tag-message', errorText(error), 'error');
      return;
    }
  }
  if (!concept) {
    say('tag-message', `No concept is named “${text}”.`, 'error');
    return;
  }
  await previewLink(state.selected, { concept: concept.concept, concept_title: concept.title }, 'add');
}

// ── Thresholds ──────────────────────────────────────────────────────────────────────────────────

async function loadThresholds() {
  state.thresholds = await api('settings/thresholds');
  $('threshold-min').value = String(state.thresholds.min_confidence);
  $('threshold-max-tags').value = String(state.thresholds.max_tags);
}

// The thresholds as they would be after saving the global form, or the chosen tag's field (empty:
// the tag's own default).
function proposed(kind) {
  const next = { ...state.thresholds, per_tag: { ...state.thresholds.per_tag } };
  if (kind === 'global') {
    next.min_confidence = Number($('threshold-min').value);
    next.max_tags = Number($('threshold-max-tags').value);
  } else {
    const value = $('tag-threshold-value').value.trim();
    if (value === '') delete next.per_tag[state.selected];
    else next.per_tag[state.selected] = Number(value);
  }
  return next;
}

const tagName = (id) => (state.tags.has(id) ? pathOf(id).slice(1).join(' › ') : id);

async function previewThresholds(kind) {
  const message = kind === 'global' ? 'thresholds-message' : 'tag-message';
  try {
    const p = await api('settings/thresholds/preview', { method: 'POST', body: proposed(kind) });
    const partial = p.complete ? '' : ` Only the first ${p.scanned} stored assets were read.`;
    if (kind === 'tag') {
      const own = p.tags.find((t) => t.tag === state.selected) ?? { gained: 0, lost: 0 };
      say(message, `${titleOf(state.selected)}: ${own.gained} stored ${own.gained === 1 ? 'asset' : 'assets'} would gain it, ${own.lost} would lose it.${partial}`);
      return;
    }
    $('threshold-preview-summary').textContent = p.assets_changed === 0
      ? `No stored asset would change (${plural(p.scanned, 'asset')} read).${partial}`
      : `${plural(p.assets_changed, 'stored asset')} of ${p.scanned} would change: ${plural(p.gained, 'tag')} would appear and ${p.lost} disappear.${partial}`;
    $('threshold-preview-tags').tBodies[0].replaceChildren(...p.tags.map((t) => element('tr', { dataset: { tag: t.tag } },
      element('td', { textContent: tagName(t.tag) }),
      element('td', { textContent: String(t.gained) }),
      element('td', { textContent: String(t.lost) }))));
    $('threshold-preview-tags').hidden = p.tags.length === 0;
    $('threshold-preview').hidden = false;
    say(message, '');
  } catch (error) {
    say(message, errorText(error), 'error');
  }
}

async function saveThresholds(kind, event) {
  event.preventDefault();
  const message = kind === 'global' ? 'thresholds-message' : 'tag-message';
  try {
    state.thresholds = await api('settings/thresholds', { method: 'PUT', body: proposed(kind) });
    $('threshold-preview').hidden = true;
    const text = kind === 'global'
      ? `Saved: minimum confidence ${state.thresholds.min_confidence}, at most ${state.thresholds.max_tags} tags per asset.`
      : `Saved the threshold of ${titleOf(state.selected)}: ${state.thresholds.per_tag[state.selected] ?? 'its default'}.`;
    say(message, text);
    announce(text);
  } catch (error) {
    say(message, errorText(error), 'error');
  }
}

// ── Import and export ───────────────────────────────────────────────────────────────────────────

function formatOf(file) {
  const extension = file.name.split('.').pop().toLowerCase();
  if (extension in FORMATS) return extension === 'ttl' ? 'skos' : extension;
  if (file.type.includes('csv')) return 'csv';
  if (file.type.includes('turtle')) return 'skos';
  return 'json';
}

async function importTaxonomy(event) {
  event.preventDefault();
  const file = $('taxonomy-file').files[0];
  if (!file) return;
  const format = formatOf(file);
  const mode = $('taxonomy-import-mode').value;
  if (mode === 'replace' && !window.confirm(`Replace the whole taxonomy with ${file.name}? Tags not in the file are deleted.`)) return;
  $('taxonomy-problems').hidden = true;
  $('taxonomy-problems').replaceChildren();
  try {
    const body = await file.text();
    const response = await fetchImport(`taxonomy?format=${format}&mode=${mode}`, body, format);
    await changed(`Imported ${file.name}: ${response.added} added, ${response.updated} updated, ${response.removed} removed, ${response.unchanged} unchanged (version ${response.version}).`);
  } catch (error) {
    const problems = error instanceof ApiError ? error.body?.problems ?? [] : [];
    $('taxonomy-problems').replaceChildren(...problems.map((p) => element('li', { className: 'finding', dataset: { severity: 'error' } },
      element('span', { className: 'severity', textContent: 'error' }), element('span', { textContent: p.message }))));
    $('taxonomy-problems').hidden = problems.length === 0;
    say('taxonomy-message', `${file.name} was not imported, nothing changed: ${errorText(error)}`, 'error');
  }
}

// PUT with the file's own content type (admin-api's `api` sends JSON only).
function fetchImport(path, body, format) {
  const type = { json: FORMATS.json, csv: FORMATS.csv, skos: FORMATS.ttl }[format];
  return upload(path, new Blob([body], { type }), type, 'PUT');
}

async function exportTaxonomy() {
  const format = $('taxonomy-export-format').value;
  const extension = { json: 'json', csv: 'csv', skos: 'ttl' }[format];
  try {
    const { name, blob } = await download(`taxonomy?format=${format}`, `taxonomy.${extension}`);
    saveBlob(name, blob);
  } catch (error) {
    say('taxonomy-message', errorText(error), 'error');
  }
}

export function wireTaxonomy() {
  const tree = $('taxonomy-tree');
  tree.addEventListener('click', onTreeClick);
  tree.addEventListener('keydown', onTreeKey);
  wireDragAndDrop(tree);
  $('taxonomy-search').addEventListener('input', () => renderTree());
  $('taxonomy-new-top').addEventListener('click', addTopLevel);
  $('tag-form').addEventListener('submit', saveTag);
  $('tag-add-locale').addEventListener('click', addLocale);
  $('tag-delete').addEventListener('click', deleteSelected);
  $('tag-move').addEventListener('submit', moveSelected);
  $('tag-child').addEventListener('submit', addChild);
  $('link-concept').addEventListener('input', suggestConcepts);
  $('link-add').addEventListener('submit', addLink);
  $('link-preview-apply').addEventListener('click', applyLink);
  $('link-preview-cancel').addEventListener('click', cancelLinkPreview);
  $('thresholds-preview').addEventListener('click', () => previewThresholds('global'));
  $('thresholds-form').addEventListener('submit', (event) => saveThresholds('global', event));
  $('tag-threshold-preview').addEventListener('click', () => previewThresholds('tag'));
  $('tag-threshold').addEventListener('submit', (event) => saveThresholds('tag', event));
  $('taxonomy-import').addEventListener('submit', importTaxonomy);
  $('taxonomy-export').addEventListener('click', exportTaxonomy);
}
