// <smart-tags-uploader>: a drop zone and file picker; each file is prepared in a Web Worker (the
// Rust core as wasm: thumbnail, model input, colours, content hash, metadata), its model input goes
// to the proxy, and the suggested tags come back for review (each upload runs the folder's
// workflow, workflow.js: thumbnails, smart tags, colour tags, with per-asset results): accept, reject, add (autocomplete
// from the taxonomy). Every decision is sent to the service as moderation, so it survives
// re-tagging; every step can be undone and redone (history.js), and the host page hears about
// everything through DOM events (docs/widget.md).

import { createPreprocessor } from '../preprocess-client.js';
import { createApi, ApiError } from './api.js';
import { h } from './dom.js';
import { createHistory, restoreRequest } from './history.js';
import { stringsFor } from './strings.js';
import { STYLES } from './styles.js';
import { createWorkflowSource, runAsset, retagAsset, stepOf, filterTags, describeStep, describePeople, describeText, describeDuplicates, SOURCE_KINDS } from './workflow.js';

export const VERSION = '0.1.0';

const STEPS = ['queued', 'preparing', 'uploading', 'tagging', 'done'];
const SOURCE_ORDER = { manual: 0, taxonomy: 1, trained: 2, generic: 3, color: 4 };
const SUGGEST_DELAY_MS = 150;
// "More suggestions": how many hidden candidates to ask the proxy for, and where.
const MORE_SUGGESTIONS = 10;
const ASSET_PATH = 'api/v1/assets';
const SIMILAR_PATH = 'api/v1/assets/similar';
/** Most similar assets `similar()` asks for. */
const MAX_SIMILAR = 100;
const SEARCH_PATH = 'api/v1/assets/search';
/** Most hits per page `search()` asks for. */
const MAX_SEARCH = 200;

// worker.js (and the wasm module it imports) next to this package. Bundlers that follow the
// `new Worker(new URL('…', import.meta.url))` convention (Vite among them) recognise the expression
// below, bundle the worker with its wasm and rewrite the URL; without a bundler it is the file
// itself. The `Worker` here only records the URL: preprocess-client.js starts the real one when
// the first file comes.
function packagedWorkerUrl() {
  let url;
  const Worker = class {
    constructor(workerUrl) {
      url = workerUrl;
    }
  };
  new Worker(new URL('../worker.js', import.meta.url), { type: 'module' });
  return url;
}

let nextEntryId = 1;
let sheet;

function sharedSheet() {
  if (sheet === undefined) {
    try {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLES);
    } catch {
      sheet = null; // no constructable style sheets: a <style> element instead
    }
  }
  return sheet;
}

export class SmartTagsUploader extends HTMLElement {
  static observedAttributes = ['proxy-url', 'token', 'locale', 'threshold', 'assets-url', 'wasm-url', 'folder'];

  #entries = [];
  #preprocessor = null;
  #preprocessorUrl = null;
  #token = undefined;
  #getToken = null;
  #refreshing = null;
  #strings = stringsFor('en');
  #ui = null;
  #api;
  #history = createHistory();
  // Every review request (accept, reject, add, undo, redo) runs after the ones before it, so a
  // quick Ctrl+Z takes back the step just asked for, not the one before it.
  #reviewQueue = Promise.resolve();
  #workflows;

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this.#api = createApi({
      proxyUrl: () => this.#proxyBase(),
      strings: () => this.#strings,
      auth: { token: () => this.token, refresh: () => this.#refreshToken() },
    });
    this.#workflows = createWorkflowSource((path) => this.#api.getJson(path));
  }

  // ---- options -------------------------------------------------------------------------------

  /** Base URL of the proxy; its browser API is under `api/v1/`. Default: this page's origin. */
  get proxyUrl() { return this.getAttribute('proxy-url') ?? ''; }
  set proxyUrl(value) { this.#setAttr('proxy-url', value); }

  /** The widget token (also settable as the `token` attribute). */
  get token() { return this.#token ?? this.getAttribute('token') ?? undefined; }
  set token(value) { this.#token = value || undefined; }

  /** Called for a fresh token when there is none, or the proxy refuses the current one. */
  get getToken() { return this.#getToken; }
  set getToken(fn) { this.#getToken = typeof fn === 'function' ? fn : null; }

  get locale() { return this.getAttribute('locale') ?? 'en'; }
  set locale(value) { this.#setAttr('locale', value); }

  /** Suggestions below this confidence (0 to 1) are hidden; colour tags are exempt. */
  get threshold() {
    const value = Number.parseFloat(this.getAttribute('threshold') ?? '');
    return Number.isFinite(value) ? Math.min(Math.max(value, 0), 1) : 0;
  }
  set threshold(value) { this.#setAttr('threshold', value === undefined || value === null ? null : String(value)); }

  /** Folder that serves worker.js and pkg/ (the same origin as the page). Default: the package. */
  get assetsUrl() { return this.getAttribute('assets-url') ?? this.getAttribute('wasm-url') ?? ''; }
  set assetsUrl(value) { this.#setAttr('assets-url', value); }

  /** The DAM folder the uploads go to (`folder`): its workflow and smart-tag setting apply. Default `/`. */
  get folder() { return this.getAttribute('folder') || '/'; }
  set folder(value) { this.#setAttr('folder', value); }

  /** The files the widget accepted, in order. */
  get files() { return this.#entries.map((entry) => entry.file); }

  /** One result per file: its state, what was prepared and its final tags. */
  results() { return this.#entries.map((entry) => this.#result(entry)); }

  /** The final tags of the asset with this content hash (undefined when unknown). */
  finalTags(contentHash) {
    const entry = this.#entries.find((e) => e.contentHash === contentHash);
    return entry?.answer ? this.#finalTags(entry) : undefined;
  }

  /** Adds files as if they were dropped. The folder's workflow is read once for them all. */
  addFiles(files) {
    const list = [...files];
    if (!list.length) return;
    const folder = this.folder;
    const workflow = this.#workflows.load(folder);
    for (const file of list) this.#accept(file, { folder, workflow });
  }

  /**
   * Runs the smart tags step again for a file whose tagging failed (or was skipped): `target` is
   * the File, its content hash or its DAM asset id. Resolves with the new per-asset result.
   */
  async retag(target) {
    const entry = this.#entries.find((e) => e.file === target || (target && (e.contentHash === target || e.result?.asset_id === target)));
    if (!entry) throw new ApiError('unknown_file', 'no such file in the widget');
    if (!entry.prepared || !entry.result) {
      await this.#run(entry);
      return entry.result;
    }
    if (entry.running) return entry.running;
    entry.running = this.#retag(entry).finally(() => { entry.running = null; });
    return entry.running;
  }

  /**
   * The stored assets that look most like the one with this content hash, nearest first:
   * `[{ asset: { key, asset_id, content_hash, folder }, similarity, duplicate }]` (the proxy's
   * `GET api/v1/assets/similar`, with the widget's token).
   */
  async similar(contentHash, { limit = 10 } = {}) {
    if (!/^[0-9a-f]{64}$/.test(String(contentHash))) throw new ApiError('bad_input', 'a content hash is 64 lowercase hex digits');
    const count = Number.isFinite(limit) ? Math.min(Math.max(1, Math.floor(limit)), MAX_SIMILAR) : 10;
    const answer = await this.#api.getJson(`${SIMILAR_PATH}?content_hash=${contentHash}&limit=${count}`);
    return answer?.similar ?? [];
  }

  /**
   * The stored assets that show these tags and match these words, best first (the proxy's
   * `GET api/v1/assets/search`, with the widget's token): `{ hits: [{ asset, score }], next,
   * terms }`. `q`: words (taxonomy titles and synonyms in any locale, generic tags, colours, words
   * read in the picture); `tags`: tag ids (each with the tags below it); pass `next` as `after`.
   */
  async search(q, { tags = [], folder, recursive = false, limit = 50, after, locale } = {}) {
    const params = new URLSearchParams();
    if (String(q ?? '').trim()) params.set('q', String(q));
    if (tags.length) params.set('tags', tags.join(','));
    if (folder) params.set('folder', folder);
    if (recursive) params.set('recursive', 'true');
    params.set('limit', String(Number.isFinite(limit) ? Math.min(Math.max(1, Math.floor(limit)), MAX_SEARCH) : 50));
    if (after) params.set('after', after);
    if (locale) params.set('locale', locale);
    return this.#api.getJson(`${SEARCH_PATH}?${params}`);
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  connectedCallback() {
    if (!this.#ui) this.#build();
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue) return;
    if (name === 'locale') {
      this.#strings = stringsFor(newValue ?? 'en');
      if (this.#ui) this.#relabel();
    } else if (name === 'threshold') {
      for (const entry of this.#entries) if (entry.answer) this.#renderTags(entry);
    }
  }

  #setAttr(name, value) {
    if (value === undefined || value === null || value === '') this.removeAttribute(name);
    else this.setAttribute(name, String(value));
  }

  #proxyBase() {
    const base = new URL(this.proxyUrl || '/', document.baseURI);
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    return base.href;
  }

  #workerUrl() {
    if (!this.assetsUrl) return packagedWorkerUrl();
    const folder = new URL(this.assetsUrl, document.baseURI);
    if (!folder.pathname.endsWith('/')) folder.pathname += '/';
    return new URL('worker.js', folder);
  }

  #prep() {
    const url = String(this.#workerUrl());
    if (!this.#preprocessor || this.#preprocessorUrl !== url) {
      this.#preprocessor?.terminate();
      this.#preprocessor = createPreprocessor({ workerUrl: url, timeoutMs: 30_000 });
      this.#preprocessorUrl = url;
    }
    return this.#preprocessor;
  }

  // One refresh at a time: every call that needs a token waits for the same one.
  #refreshToken() {
    if (!this.#getToken) return Promise.resolve(undefined);
    this.#refreshing ??= Promise.resolve()
      .then(() => this.#getToken())
      .then((token) => {
        if (token) this.token = token;
        return token || undefined;
      })
      .catch(() => undefined)
      .finally(() => { this.#refreshing = null; });
    return this.#refreshing;
  }

  // ---- the static part -----------------------------------------------------------------------

  #build() {
    const s = this.#strings;
    const input = h('input', { type: 'file', multiple: true, accept: 'image/*', hidden: true, tabIndex: -1, 'aria-hidden': 'true' });
    const pick = h('button', { type: 'button', class: 'pick', part: 'button pick' }, s.choose);
    const hint = h('p', { class: 'hint', part: 'hint' }, s.dropHint);
    const drop = h('div', { class: 'drop', part: 'dropzone' }, hint, pick, input);
    const list = h('ul', { class: 'files', part: 'list', 'aria-label': s.files });
    const undo = h('button', {
      type: 'button', class: 'undo', part: 'button undo', disabled: true,
      'aria-keyshortcuts': 'Control+Z Meta+Z', onclick: () => this.undo(),
    });
    const redo = h('button', {
      type: 'button', class: 'redo', part: 'button redo', disabled: true,
      'aria-keyshortcuts': 'Control+Shift+Z Control+Y Meta+Shift+Z', onclick: () => this.redo(),
    });
    const history = h('div', { class: 'history', part: 'history', role: 'group' }, undo, redo);
    const live = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
    const root = h('div', { class: 'root', part: 'root' }, drop, history, list, live);
    // A constructed style sheet needs no 'unsafe-inline' in the host's CSP (style-src).
    const sheet = sharedSheet();
    if (sheet) {
      this.shadowRoot.adoptedStyleSheets = [sheet];
      this.shadowRoot.replaceChildren(root);
    } else {
      this.shadowRoot.replaceChildren(h('style', {}, STYLES), root);
    }
    this.#ui = { input, pick, hint, drop, list, live, history, undo, redo };
    this.#relabelHistory();
    this.addEventListener('keydown', (e) => this.#historyKeys(e));

    pick.addEventListener('click', () => input.click());
    input.addEventListener('change', () => {
      this.addFiles(input.files);
      input.value = '';
    });
    for (const name of ['dragenter', 'dragover']) {
      drop.addEventListener(name, (e) => {
        e.preventDefault();
        drop.classList.add('over');
      });
    }
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      this.addFiles(e.dataTransfer?.files ?? []);
    });
    this.addEventListener('paste', (e) => {
      const files = [...(e.clipboardData?.files ?? [])];
      if (files.length) {
        e.preventDefault();
        this.addFiles(files);
      }
    });
  }

  #relabel() {
    const s = this.#strings;
    this.#ui.pick.textContent = s.choose;
    this.#ui.hint.textContent = s.dropHint;
    this.#ui.list.setAttribute('aria-label', s.files);
    this.#relabelHistory();
    for (const entry of this.#entries) {
      this.#relabelEntry(entry);
      if (entry.answer) this.#renderTags(entry);
    }
  }

  #announce(text) {
    // Cleared first so the same words twice are announced twice.
    const live = this.#ui.live;
    live.textContent = '';
    queueMicrotask(() => { live.textContent = text; });
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  // ---- one file ------------------------------------------------------------------------------

  #accept(file, { folder, workflow }) {
    const entry = {
      id: nextEntryId++, file, name: file.name || 'image', state: 'queued', rejected: new Map(), added: new Set(), predicted: new Set(),
      folder, workflow,
    };
    entry.el = this.#fileItem(entry);
    this.#ui.list.append(entry.el);
    this.#entries.push(entry);
    this.#emit('smart-tags:file', { file });
    this.#announce(this.#strings.announce.added(entry.name));
    this.#run(entry);
  }

  #fileItem(entry) {
    const ui = {};
    ui.thumb = h('img', { class: 'thumb', part: 'thumbnail', alt: '', hidden: true });
    ui.name = h('span', { class: 'name', part: 'name', title: entry.name }, entry.name);
    ui.state = h('span', { class: 'state', part: 'state' });
    ui.progress = h('progress', { part: 'progress', max: 1, value: 0 });
    ui.error = h('p', { class: 'error', part: 'error' });
    ui.retry = h('button', { type: 'button', class: 'retry', part: 'button retry', hidden: true, onclick: () => this.#retry(entry) });
    ui.steps = h('ul', { class: 'steps', part: 'steps', hidden: true });
    ui.retag = h('button', { type: 'button', class: 'retag', part: 'button retag', hidden: true, onclick: () => this.retag(entry.file).catch(() => {}) });
    ui.summary = h('p', { class: 'summary', part: 'summary' });
    ui.tags = h('ul', { class: 'tags', part: 'tags' });
    ui.tags.addEventListener('keydown', (e) => this.#tagKeys(entry, e));
    ui.add = this.#addForm(entry, ui);
    ui.moreButton = h('button', { type: 'button', class: 'more-button', part: 'button more-button', onclick: () => this.#showMore(entry) });
    ui.more = h('div', { class: 'more', part: 'more', hidden: true }, ui.moreButton, h('ul', { class: 'more-list', part: 'more-list' }));
    ui.more.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || !e.target.closest?.('.more-list')) return;
      e.preventDefault();
      ui.more.querySelector('.more-list').replaceChildren();
      ui.moreButton.focus();
    });
    const thumbBox = h('div', { class: 'thumb-box' }, ui.thumb);
    const body = h('div', { class: 'body' }, h('div', { class: 'head' }, ui.name, ui.state), ui.progress, ui.error, ui.retry, ui.steps, ui.retag, ui.tags, ui.summary, ui.more, ui.add);
    const li = h('li', { class: 'file', part: 'file', dataset: { state: entry.state, entryId: String(entry.id) } }, thumbBox, body);
    entry.ui = ui;
    this.#relabelEntry(entry);
    return li;
  }

  #relabelEntry(entry) {
    const s = this.#strings;
    const { ui } = entry;
    ui.state.textContent = s.states[entry.state];
    ui.progress.setAttribute('aria-label', s.progress(entry.name));
    ui.retry.textContent = s.retry;
    ui.retry.setAttribute('aria-label', s.retryFile(entry.name));
    ui.retag.textContent = s.retag;
    ui.retag.setAttribute('aria-label', s.retagFile(entry.name));
    ui.steps.setAttribute('aria-label', s.stepsOf(entry.name));
    if (entry.result) this.#renderSteps(entry);
    ui.tags.setAttribute('aria-label', s.tagsOf(entry.name));
    ui.addLabel.textContent = s.addTag;
    ui.input.placeholder = `${s.addTag}…`;
    ui.addButton.textContent = s.add;
    ui.moreButton.textContent = s.moreSuggestions;
    ui.moreButton.setAttribute('aria-label', s.moreSuggestionsFor(entry.name));
  }

  // More suggestions: the best candidates the thresholds hide, asked for on demand (read-only);
  // each is a button that adds the tag like the add box does (Enter or a click; Escape closes).
  async #showMore(entry) {
    const s = this.#strings;
    const list = entry.ui.more.querySelector('.more-list');
    let answer;
    try {
      const query = `?content_hash=${entry.contentHash}&locale=${encodeURIComponent(this.locale)}&suggestions=${MORE_SUGGESTIONS}`;
      answer = await this.#api.getJson(`${ASSET_PATH}${query}`);
    } catch (e) {
      entry.ui.error.textContent = e.message;
      this.#announce(e.message);
      return;
    }
    const shown = new Set(this.#visible(entry).map((t) => t.id));
    const more = (answer?.tags?.more ?? []).filter((t) => !shown.has(t.id));
    list.replaceChildren(...more.map((tag) => h('li', { class: 'more-item', part: 'more-item' }, h('button', {
      type: 'button', class: 'more-tag', part: 'tag-button more-tag', dataset: { tagId: tag.id },
      title: (tag.path ?? [tag.title]).join(' › '),
      onclick: (e) => {
        const item = e.currentTarget.closest('li');
        const next = item.nextElementSibling?.querySelector('button') ?? item.previousElementSibling?.querySelector('button');
        item.remove();
        next?.focus();
        this.#enqueue(() => entry.addTag({ id: tag.id, title: tag.title, path: tag.path }));
      },
      // Floored: a hidden suggestion at 0.4996 must not read "50%" beside a 50% threshold.
    }, s.addSuggestion(tag.title, s.percent(Math.floor(tag.confidence * 100) / 100))))));
    if (!more.length) list.append(h('li', { class: 'more-none', part: 'more-none' }, s.noMoreSuggestions));
    this.#announce(more.length ? s.announce.more(more.length, entry.name) : s.noMoreSuggestions);
    list.querySelector('button')?.focus();
  }

  #setState(entry, state, progress) {
    entry.state = state;
    entry.el.dataset.state = state;
    entry.el.setAttribute('part', `file file-${state}`);
    entry.ui.state.textContent = this.#strings.states[state];
    if (progress !== undefined) entry.ui.progress.value = progress;
    else entry.ui.progress.value = STEPS.indexOf(state) / (STEPS.length - 1);
  }

  // The whole workflow for one file (a Retry runs it again; what was prepared is kept). The file
  // is prepared while the workflow is read; a failure to prepare is the thumbnails step's.
  async #run(entry) {
    entry.ui.error.textContent = '';
    entry.ui.retry.hidden = true;
    entry.ui.retag.hidden = true;
    const preparing = entry.prepared ? Promise.resolve() : this.#prepare(entry);
    preparing.catch(() => {}); // reported by runAsset below
    try {
      let loaded;
      try {
        loaded = await entry.workflow;
      } catch (error) {
        await preparing.catch(() => {}); // kept for the Retry
        throw error;
      }
      const { workflow, folder } = loaded;
      entry.flow = workflow;
      entry.folderPath = folder?.path ?? entry.folder;
      const { result, answer } = await runAsset({
        workflow,
        folder: entry.folderPath,
        prepare: async () => {
          await preparing;
          return { contentHash: entry.contentHash, colors: entry.prepared.colors };
        },
        tag: (options, { signal }) => this.#tagRequest(entry, options, signal),
      });
      this.#finish(entry, result, answer);
    } catch (error) {
      this.#fail(entry, error);
    }
  }

  // Retry: the workflow is read again (it may have changed, or been unreadable the first time).
  #retry(entry) {
    entry.workflow = this.#workflows.load(entry.folder);
    return this.#run(entry);
  }

  async #retag(entry) {
    entry.ui.error.textContent = '';
    entry.ui.retag.hidden = true;
    entry.ui.retry.hidden = true;
    try {
      entry.flow = (await this.#workflows.load(entry.folder)).workflow;
      const { result, answer } = await retagAsset({
        workflow: entry.flow,
        previous: entry.result,
        prepared: { contentHash: entry.contentHash, colors: entry.prepared.colors },
        tag: (options, { signal }) => this.#tagRequest(entry, options, signal),
      });
      this.#finish(entry, result, answer);
    } catch (error) {
      this.#fail(entry, error);
    }
    return entry.result;
  }

  async #prepare(entry) {
    this.#setState(entry, 'preparing', 0.1);
    const result = await this.#prep().preprocess(entry.file);
    if (!result.ok) throw new ApiError(result.code ?? 'failed', result.error ?? 'the image could not be processed');
    const thumbnail = new Blob([result.thumbnail], { type: 'image/jpeg' });
    entry.prepared = {
      modelInput: result.modelInput,
      // The 512-px JPEG, sent for the face and person detectors when the people step is on.
      thumbnailJpeg: result.thumbnail,
      colors: result.colors,
      width: result.width,
      height: result.height,
      metadata: result.metadata,
    };
    entry.contentHash = result.contentHash;
    entry.thumbnail = thumbnail;
    if (entry.thumbnailUrl) URL.revokeObjectURL(entry.thumbnailUrl);
    entry.thumbnailUrl = URL.createObjectURL(thumbnail);
    entry.ui.thumb.src = entry.thumbnailUrl;
    entry.ui.thumb.alt = entry.name;
    entry.ui.thumb.hidden = false;
  }

  // One attempt of the smart tags step (workflow.js retries it).
  #tagRequest(entry, { folder, ignoreSmartTagFlag, force, withThumbnail }, signal) {
    this.#setState(entry, 'uploading', 0.3);
    const { modelInput, colors, thumbnailJpeg } = entry.prepared;
    return this.#api.tag(
      { contentHash: entry.contentHash, modelInput, thumbnail: thumbnailJpeg, colors, locale: this.locale, force, folder, ignoreSmartTagFlag, withThumbnail },
      {
        signal,
        onProgress: (share) => { if (entry.state === 'uploading') entry.ui.progress.value = 0.3 + 0.3 * share; },
        onUploaded: () => this.#setState(entry, 'tagging', 0.7),
      },
    );
  }

  // The workflow's result: the tags when smart tags answered, a line per failed or skipped step,
  // Retry when the outcome is failed, Re-tag when it completed without tags it could have had.
  #finish(entry, result, answer) {
    entry.result = result;
    const smart = stepOf(entry.flow, 'smart_tags');
    entry.tagFilter = { sources: smart?.sources ?? SOURCE_KINDS, colors: Boolean(stepOf(entry.flow, 'color_tags')?.enabled) };
    if (answer) this.#setAnswer(entry, answer);
    this.#renderSteps(entry);
    const detail = () => ({ file: entry.file, name: entry.name, contentHash: entry.contentHash, result });
    const failedStep = result.steps.find((s) => s.status === 'failed');
    if (result.outcome === 'failed') {
      // The reason under the name (the badges say which step); the host hears the same words.
      const message = failedStep.reason ?? this.#stepLine(failedStep);
      this.#setState(entry, 'failed', 0);
      entry.ui.error.textContent = message;
      entry.ui.retry.hidden = false;
      this.#announce(this.#strings.announce.failed(entry.name, message));
      this.#emit('smart-tags:error', { file: entry.file, code: failedStep.code ?? 'failed', message, result });
      this.#emit('smart-tags:asset-result', detail());
      return;
    }
    this.#setState(entry, 'done', 1);
    const smartResult = result.steps.find((s) => s.step === 'smart_tags');
    entry.ui.retag.hidden = !(smartResult?.status === 'failed');
    if (entry.answer) {
      entry.ui.add.hidden = false;
      entry.ui.more.hidden = false;
      this.#renderTags(entry);
    } else if (result.colors?.length) {
      const s = this.#strings;
      entry.ui.summary.textContent = s.browserColors(result.colors.map((c) => `${c.name} ${s.percent(c.coverage)}`).join(', '));
    }
    if (answer) {
      const tags = this.#finalTags(entry);
      this.#announce(this.#strings.announce.tagged(entry.name, tags.length));
      const { width, height, metadata } = entry.prepared;
      this.#emit('smart-tags:tagged', {
        file: entry.file, name: entry.name, contentHash: entry.contentHash, thumbnail: entry.thumbnail,
        width, height, metadata, tags, people: result.people ?? null, text: result.text ?? null, result,
      });
    } else if (failedStep) {
      this.#announce(this.#strings.announce.stepFailed(entry.name, this.#stepLine(failedStep)));
    }
    this.#emit('smart-tags:asset-result', detail());
  }

  #stepLine(step) {
    const s = this.#strings;
    return describeStep(step, s.workflowSteps, s.stepStatus);
  }

  // A line per step that did not simply succeed (failed, skipped), as badges.
  #renderSteps(entry) {
    const shown = entry.result.steps.filter((s) => s.status !== 'succeeded' && s.code !== 'disabled');
    entry.ui.steps.replaceChildren(...shown.map((step) => h('li', {
      class: `step step-${step.status}`, part: `step step-${step.status}`, dataset: { step: step.step, status: step.status },
    }, this.#stepLine(step))));
    entry.ui.steps.hidden = shown.length === 0;
  }

  // Something outside the workflow's steps went wrong (or the file was cancelled).
  #fail(entry, error) {
    const code = error?.code ?? 'failed';
    const message = error?.message ?? String(error);
    this.#setState(entry, 'failed', 0);
    entry.ui.error.textContent = message;
    entry.ui.retry.hidden = false;
    this.#announce(this.#strings.announce.failed(entry.name, message));
    this.#emit('smart-tags:error', { file: entry.file, code, message, ...(entry.result ? { result: entry.result } : {}) });
  }

  // ---- review --------------------------------------------------------------------------------

  // The tags the host should store: accepted and added ones, then the suggestions shown (at or
  // above the threshold), never a rejected one.
  #finalTags(entry) {
    return this.#visible(entry)
      .filter((t) => t.status !== 'rejected')
      .map(({ id, title, path, confidence, source, status, hex }) => ({ id, title, path, confidence, source, status, ...(hex ? { hex } : {}) }));
  }

  #visible(entry) {
    const { smart, manual } = entry.answer.tags;
    const threshold = this.threshold;
    const shown = [
      ...manual.map((t) => ({ ...t, status: entry.added.has(t.id) ? 'added' : 'accepted' })),
      ...smart
        .filter((t) => t.source === 'color' || t.confidence >= threshold)
        .map((t) => ({ ...t, status: 'suggested' })),
    ];
    const ids = new Set(shown.map((t) => t.id));
    for (const [id, tag] of entry.rejected) if (!ids.has(id)) shown.push({ ...tag, status: 'rejected' });
    return shown.sort((a, b) =>
      (a.status === 'rejected') - (b.status === 'rejected') ||
      (SOURCE_ORDER[a.source] ?? 9) - (SOURCE_ORDER[b.source] ?? 9) ||
      b.confidence - a.confidence);
  }

  #renderTags(entry, focus) {
    const s = this.#strings;
    const tags = this.#visible(entry);
    entry.ui.tags.replaceChildren(...tags.map((tag) => this.#tagItem(entry, tag)));
    const belowWidget = entry.answer.tags.smart.filter((t) => t.source !== 'color' && t.confidence < this.threshold).length;
    const people = describePeople(entry.result?.people, s.people);
    const text = describeText(entry.result?.text, s.textLine);
    // A stored asset is named by its DAM id, else by a file of this widget with its bytes.
    const nameOf = (asset) => asset.asset_id
      ?? this.#entries.find((e) => e.contentHash && e.contentHash === asset.content_hash)?.name
      ?? s.storedImage((asset.content_hash ?? '').slice(0, 8));
    const duplicates = describeDuplicates(entry.result?.duplicates, nameOf, s.duplicateLine);
    entry.ui.summary.textContent = [belowWidget ? s.hiddenBelow(s.count(belowWidget), s.percent(this.threshold)) : '', people, text, duplicates].filter(Boolean).join(' · ');
    if (focus) {
      const target = entry.ui.tags.querySelector(`li[data-tag-id="${CSS.escape(focus.id)}"] button.${focus.action}`);
      (target ?? entry.ui.tags.querySelector('button') ?? entry.ui.input)?.focus();
    }
  }

  #tagItem(entry, tag) {
    const s = this.#strings;
    const parents = (tag.path ?? []).slice(0, -1);
    const status = tag.status;
    const accept = h('button', {
      type: 'button', class: 'accept', part: 'tag-button accept',
      'aria-pressed': String(status === 'accepted' || status === 'added'),
      'aria-label': s.accept(tag.title),
      onclick: () => this.#review(entry, tag, 'accept'),
    }, '✓');
    const reject = h('button', {
      type: 'button', class: 'reject', part: 'tag-button reject',
      'aria-pressed': String(status === 'rejected'),
      'aria-label': s.reject(tag.title),
      onclick: () => this.#review(entry, tag, 'reject'),
    }, '✕');
    const statusWord = status === 'suggested' ? '' : `, ${s[status]}`;
    return h('li', {
      class: 'tag', part: `tag tag-${status}`, title: `${s.sources[tag.source] ?? tag.source} · ${tag.id}`,
      dataset: { tagId: tag.id, source: tag.source, status },
    },
    tag.source === 'color' && tag.hex ? h('span', { class: 'swatch', style: `background:${tag.hex}`, 'aria-hidden': 'true' }) : null,
    h('span', { class: 'label' },
      parents.length ? h('span', { class: 'path', part: 'tag-path' }, `${parents.join(' › ')} › `) : null,
      h('span', { class: 'title', part: 'tag-title' }, tag.title)),
    tag.source === 'manual' ? null : h('span', { class: 'confidence', part: 'tag-confidence' }, s.percent(tag.confidence)),
    statusWord ? h('span', { class: 'visually-hidden' }, statusWord) : null,
    accept, reject);
  }

  // Keys on a focused tag: a or Enter on ✓ accepts, r or Delete rejects, m shows more
  // suggestions, arrows move between tags.
  #tagKeys(entry, event) {
    const item = event.target.closest?.('li.tag');
    if (!item || event.altKey || event.ctrlKey || event.metaKey) return;
    const tag = this.#visible(entry).find((t) => t.id === item.dataset.tagId);
    if (!tag) return;
    const key = event.key;
    if (key === 'a' || key === 'A') this.#review(entry, tag, 'accept');
    else if (key === 'r' || key === 'R' || key === 'Delete') this.#review(entry, tag, 'reject');
    else if (key === 'm' || key === 'M') this.#showMore(entry);
    else if (key === 'ArrowRight' || key === 'ArrowLeft') {
      const items = [...entry.ui.tags.querySelectorAll('li.tag')];
      const next = items[items.indexOf(item) + (key === 'ArrowRight' ? 1 : -1)];
      const cls = event.target.classList.contains('reject') ? 'reject' : 'accept';
      next?.querySelector(`button.${cls}`)?.focus();
    } else return;
    event.preventDefault();
  }

  #enqueue(work) {
    this.#reviewQueue = this.#reviewQueue.then(work).catch(() => {});
    return this.#reviewQueue;
  }

  #review(entry, shownTag, action) {
    return this.#enqueue(() => this.#reviewNow(entry, shownTag, action));
  }

  async #reviewNow(entry, shownTag, action) {
    // The tag as it is now: a request queued behind others decides on their answers.
    const tag = this.#visible(entry).find((t) => t.id === shownTag.id) ?? shownTag;
    const s = this.#strings;
    const isAccepted = tag.status === 'accepted' || tag.status === 'added';
    if ((action === 'accept' && isAccepted) || (action === 'reject' && tag.status === 'rejected')) return;
    let request;
    if (action === 'reject') request = { tagId: tag.id, action: 'remove' };
    // A rejected manual tag is not in the prediction: it comes back as a manual tag again.
    else if (tag.source === 'manual') request = { tagId: tag.id, action: 'add_manual', title: tag.title };
    else request = { tagId: tag.id, action: 'promote' };
    await this.#moderate(entry, request, {
      focus: { id: tag.id, action },
      record: () => {
        if (action === 'reject') {
          entry.rejected.set(tag.id, { ...tag });
          entry.added.delete(tag.id);
        } else {
          entry.rejected.delete(tag.id);
        }
      },
      announcement: action === 'reject' ? s.announce.rejected(tag.title) : s.announce.accepted(tag.title),
      action: { type: action, tagId: tag.id },
      step: { type: action, tag: { ...tag }, before: tag.status },
    });
  }

  #setAnswer(entry, answer) {
    // The workflow's sources filter applies to every answer (moderation answers too).
    if (entry.tagFilter) answer = { ...answer, tags: filterTags(answer.tags, entry.tagFilter) };
    entry.answer = answer;
    for (const tag of answer.tags.smart) entry.predicted.add(tag.id);
  }

  #statusOf(entry, tagId) {
    return this.#visible(entry).find((t) => t.id === tagId)?.status ?? 'absent';
  }

  // One moderation request; on success `record()` updates what the widget remembers, the answer
  // is shown, the host hears `smart-tags:change` and a new review `step` goes into the history.
  async #moderate(entry, request, { focus, record, announcement, action, step }) {
    entry.busy = true;
    entry.el.setAttribute('aria-busy', 'true');
    try {
      const answer = await this.#api.moderate({ contentHash: entry.contentHash, locale: this.locale, ...request });
      record();
      this.#setAnswer(entry, answer);
      if (step) {
        const after = this.#statusOf(entry, step.tag.id);
        if (after !== step.before) this.#history.record({ ...step, entry, after });
      }
      this.#relabelHistory();
      entry.ui.error.textContent = '';
      this.#renderTags(entry, focus);
      this.#announce(announcement);
      this.#emit('smart-tags:change', {
        file: entry.file, name: entry.name, contentHash: entry.contentHash,
        action, tags: this.#finalTags(entry),
      });
      return true;
    } catch (error) {
      entry.ui.error.textContent = error.message;
      this.#announce(error.message);
      this.#emit('smart-tags:error', { file: entry.file, code: error.code ?? 'failed', message: error.message });
      return false;
    } finally {
      entry.busy = false;
      entry.el.removeAttribute('aria-busy');
    }
  }

  // ---- undo and redo -------------------------------------------------------------------------

  /** Takes back the last review step (of any file); resolves when the service has answered. */
  undo() { return this.#travel('undo'); }

  /** Sends the last undone step again. */
  redo() { return this.#travel('redo'); }

  // One at a time, in order: two quick Ctrl+Z undo two steps.
  #travel(direction) {
    return this.#enqueue(() => this.#applyHistory(direction));
  }

  async #applyHistory(direction) {
    const step = direction === 'undo' ? this.#history.nextUndo : this.#history.nextRedo;
    if (!step) return;
    const { entry, tag } = step;
    const status = direction === 'undo' ? step.before : step.after;
    const s = this.#strings;
    const description = s.steps[step.type](tag.title);
    const active = this.shadowRoot.activeElement;
    const onHistoryButton = active === this.#ui.undo || active === this.#ui.redo;
    await this.#moderate(entry, restoreRequest(tag, status, entry.predicted.has(tag.id)), {
      focus: onHistoryButton ? undefined : { id: tag.id, action: status === 'rejected' ? 'reject' : 'accept' },
      record: () => {
        entry.rejected.delete(tag.id);
        entry.added.delete(tag.id);
        if (status === 'rejected') entry.rejected.set(tag.id, { ...tag });
        else if (status === 'added') entry.added.add(tag.id);
        if (direction === 'undo') this.#history.undid(step);
        else this.#history.redid(step);
      },
      announcement: (direction === 'undo' ? s.announce.undone : s.announce.redone)(description, entry.name),
      action: { type: direction, step: step.type, tagId: tag.id },
    });
    // A button that has just been disabled would drop the focus on the page.
    if (onHistoryButton && active.disabled) {
      const other = active === this.#ui.undo ? this.#ui.redo : this.#ui.undo;
      (other.disabled ? entry.ui.tags.querySelector('button') ?? this.#ui.pick : other).focus();
    }
  }

  // Ctrl+Z / Cmd+Z undo, Ctrl+Shift+Z / Cmd+Shift+Z / Ctrl+Y redo, anywhere in the widget but in
  // a text field (where they edit the text).
  #historyKeys(event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    const target = event.composedPath()[0];
    if (target instanceof HTMLInputElement && target.type === 'text') return;
    const key = /^[a-z]$/i.test(event.key) ? event.key.toLowerCase() : { KeyZ: 'z', KeyY: 'y' }[event.code];
    if (key === 'z') {
      if (event.shiftKey) this.redo();
      else this.undo();
    } else if (key === 'y' && event.ctrlKey && !event.shiftKey) this.redo();
    else return;
    event.preventDefault();
  }

  #relabelHistory() {
    const s = this.#strings;
    const { history, undo, redo } = this.#ui;
    const next = { undo: this.#history.nextUndo, redo: this.#history.nextRedo };
    history.setAttribute('aria-label', s.history);
    undo.textContent = s.undo;
    redo.textContent = s.redo;
    undo.disabled = !next.undo;
    redo.disabled = !next.redo;
    undo.setAttribute('aria-label', next.undo ? s.undoStep(s.steps[next.undo.type](next.undo.tag.title)) : s.undo);
    redo.setAttribute('aria-label', next.redo ? s.redoStep(s.steps[next.redo.type](next.redo.tag.title)) : s.redo);
  }

  // ---- add a tag, with taxonomy suggestions (an ARIA combobox) -------------------------------

  #addForm(entry, ui) {
    const listId = `suggest-${entry.id}`;
    const inputId = `add-${entry.id}`;
    ui.input = h('input', {
      id: inputId, type: 'text', autocomplete: 'off', part: 'input', role: 'combobox',
      'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': listId,
    });
    ui.addLabel = h('label', { for: inputId, class: 'visually-hidden' });
    ui.addButton = h('button', { type: 'submit', part: 'button add-button' });
    ui.listbox = h('ul', { id: listId, role: 'listbox', class: 'suggestions', part: 'suggestions', hidden: true });
    const form = h('form', { class: 'add', part: 'add', hidden: true }, ui.addLabel, ui.input, ui.addButton, ui.listbox);
    let options = [];
    let active = -1;
    let seq = 0;
    let timer;

    const close = () => {
      ui.listbox.hidden = true;
      ui.input.setAttribute('aria-expanded', 'false');
      ui.input.removeAttribute('aria-activedescendant');
      active = -1;
    };
    const highlight = (index) => {
      active = index;
      [...ui.listbox.children].forEach((li, i) => li.setAttribute('aria-selected', String(i === index)));
      if (index >= 0) ui.input.setAttribute('aria-activedescendant', `${listId}-${index}`);
      else ui.input.removeAttribute('aria-activedescendant');
    };
    const show = (found) => {
      options = found;
      ui.listbox.replaceChildren(...found.map((tag, i) => h('li', {
        id: `${listId}-${i}`, role: 'option', part: 'suggestion', 'aria-selected': 'false',
        onmousedown: (e) => e.preventDefault(),
        onclick: () => choose(tag),
      }, (tag.path?.length ?? 0) > 1 ? h('span', { class: 'path' }, `${tag.path.slice(0, -1).join(' › ')} › `) : null, tag.title)));
      ui.listbox.hidden = found.length === 0;
      ui.input.setAttribute('aria-expanded', String(found.length > 0));
      highlight(-1);
      this.#announce(found.length ? this.#strings.announce.suggestions(found.length) : this.#strings.noSuggestion);
    };
    const choose = (tag) => {
      close();
      return this.#enqueue(() => addNow(tag));
    };
    const addNow = async (tag) => {
      const shown = this.#visible(entry).find((t) => t.id === tag.id);
      const ok = await this.#moderate(entry, { tagId: tag.id, action: 'add_manual', title: tag.title }, {
        focus: { id: tag.id, action: 'accept' },
        record: () => {
          entry.added.add(tag.id);
          entry.rejected.delete(tag.id);
        },
        announcement: this.#strings.announce.addedTag(tag.title),
        action: { type: 'add', tagId: tag.id },
        step: {
          type: 'add',
          tag: shown ? { ...shown } : { ...tag, path: tag.path ?? [tag.title], confidence: 1, source: 'manual' },
          before: shown?.status ?? 'absent',
        },
      });
      if (ok) ui.input.value = '';
    };
    entry.addTag = addNow;

    ui.input.addEventListener('input', () => {
      const q = ui.input.value.trim();
      clearTimeout(timer);
      if (!q) return close();
      const mine = ++seq;
      timer = setTimeout(async () => {
        try {
          const found = await this.#api.suggest(q, this.locale);
          if (mine === seq) show(found);
        } catch {
          if (mine === seq) show([]);
        }
      }, SUGGEST_DELAY_MS);
    });
    ui.input.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowDown' && options.length) {
        e.preventDefault();
        ui.listbox.hidden = false;
        ui.input.setAttribute('aria-expanded', 'true');
        highlight((active + 1) % options.length);
      } else if (e.key === 'ArrowUp' && options.length) {
        e.preventDefault();
        highlight(active <= 0 ? options.length - 1 : active - 1);
      } else if (e.key === 'Escape') {
        close();
      }
    });
    ui.input.addEventListener('blur', () => setTimeout(close, 100));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const q = ui.input.value.trim().toLowerCase();
      if (!q) return;
      const tag = options[active] ?? options.find((t) => t.title.toLowerCase() === q || t.id.toLowerCase() === q) ?? (options.length === 1 ? options[0] : null);
      if (tag) choose(tag);
      else {
        ui.error.textContent = this.#strings.errors.unknownTag;
        this.#announce(this.#strings.errors.unknownTag);
      }
    });
    return form;
  }

  #result(entry) {
    return {
      file: entry.file,
      name: entry.name,
      state: entry.state,
      contentHash: entry.contentHash,
      thumbnail: entry.thumbnail,
      width: entry.prepared?.width,
      height: entry.prepared?.height,
      metadata: entry.prepared?.metadata,
      tags: entry.answer ? this.#finalTags(entry) : [],
      error: entry.ui.error.textContent || undefined,
      result: entry.result,
    };
  }
}
