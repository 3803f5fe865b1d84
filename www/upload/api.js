// The page's calls to the proxy (the browser's one server). Every call signs in first when the
// proxy asks for it, and answers the parsed JSON or throws an Error with the server's message
// (and its `code` and HTTP `status`; `code` is `network` when the proxy cannot be reached).
// Tagging goes through XMLHttpRequest so the page can show the upload's progress.

import { signIn, SIGN_IN_CODES } from './sign-in.js';

const TAG_URL = 'api/v1/assets/tag';
const ASSET_URL = 'api/v1/assets';
const MODERATION_URL = 'api/v1/assets/moderation';
const SUGGEST_URL = 'api/v1/taxonomy/suggest';
const SIMILAR_URL = 'api/v1/assets/similar';

const failure = (message, code, status = 0) => Object.assign(new Error(message), { code, status });
const unreachable = () => failure('the tagging server cannot be reached', 'network');
const refused = (status, body) => failure(body?.message ?? `the request failed (${status})`, body?.code ?? 'http_error', status);

export function createApi({ locale, signInPlace, statusLine }) {
  const needsSignIn = (status, body) => status === 401 && SIGN_IN_CODES.has(body?.code);
  const askSignIn = () => signIn({ before: signInPlace, statusLine });

  async function call(url, init, retried = false) {
    let response;
    try {
      response = await fetch(url, init);
    } catch (e) {
      if (init?.signal?.aborted) throw e;
      throw unreachable();
    }
    const body = await response.json().catch(() => null);
    if (!retried && needsSignIn(response.status, body)) {
      await askSignIn();
      return call(url, init, true);
    }
    if (!response.ok) throw refused(response.status, body);
    return body;
  }

  // POST with upload progress: onProgress(loaded, total) while the body goes out; resolves with
  // { status, body, sentBytes }.
  function post(url, form, { signal, onProgress, onUploaded }) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      let sentBytes = 0;
      xhr.open('POST', url);
      xhr.responseType = 'text';
      xhr.upload.addEventListener('progress', (e) => {
        if (e.lengthComputable) sentBytes = e.total;
        onProgress?.(e.loaded, e.lengthComputable ? e.total : 0);
      });
      xhr.upload.addEventListener('load', (e) => {
        if (e.lengthComputable) sentBytes = e.total;
        onUploaded?.();
      });
      xhr.addEventListener('load', () => {
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
        resolve({ status: xhr.status, body, sentBytes });
      });
      xhr.addEventListener('error', () => reject(unreachable()));
      xhr.addEventListener('abort', () => reject(new DOMException('cancelled', 'AbortError')));
      signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      if (signal?.aborted) { reject(new DOMException('cancelled', 'AbortError')); return; }
      xhr.send(form);
    });
  }

  // Sends the model input, the content hash and the colours (and the DAM folder, whether the
  // folder's smart-tag setting is ignored, and — for the people and text steps — the thumbnail); answers
  // the asset's tags (and the number of bytes that went out, as the browser counted them).
  async function tag(asset, { force = false, folder, ignoreSmartTagFlag = false, withThumbnail = false, signal, onProgress, onUploaded } = {}) {
    const meta = { content_hash: asset.hash, colors: asset.colors, force, locale };
    if (folder) meta.folder = folder;
    if (ignoreSmartTagFlag) meta.ignore_smart_tag_flag = true;
    const form = new FormData();
    form.append('meta', new Blob([JSON.stringify(meta)], { type: 'application/json' }));
    form.append('model_input', new Blob([asset.modelInput], { type: 'application/octet-stream' }));
    if (withThumbnail && asset.thumbnail) form.append('thumbnail', new Blob([asset.thumbnail], { type: 'image/jpeg' }));
    let answer = await post(TAG_URL, form, { signal, onProgress, onUploaded });
    if (needsSignIn(answer.status, answer.body)) {
      await askSignIn();
      answer = await post(TAG_URL, form, { signal, onProgress, onUploaded });
    }
    if (answer.status < 200 || answer.status >= 300) throw refused(answer.status, answer.body);
    return { ...answer.body, sentBytes: answer.sentBytes };
  }

  // One moderation op: { tag_id, action: 'promote' | 'remove' | 'add_manual' | 'clear', title? }.
  function moderate(hash, op) {
    return call(MODERATION_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content_hash: hash, locale, ...op }),
    });
  }

  // An asset's tags now; with `suggestions`, also that many of the best candidates the thresholds
  // hide, in `tags.more` (read-only: asking changes nothing).
  function asset(hash, { suggestions = 0 } = {}) {
    const more = suggestions ? `&suggestions=${suggestions}` : '';
    return call(`${ASSET_URL}?content_hash=${hash}&locale=${encodeURIComponent(locale)}${more}`);
  }

  // The stored assets that look most like this one, nearest first.
  function similar(hash, limit = 8) {
    return call(`${SIMILAR_URL}?content_hash=${hash}&limit=${limit}`);
  }

  function suggest(q, limit = 8) {
    return call(`${SUGGEST_URL}?q=${encodeURIComponent(q)}&locale=${encodeURIComponent(locale)}&limit=${limit}`);
  }

  // A GET of a browser API path (the workflow of a folder: api/v1/workflow?folder=…); with
  // `quiet`, a 401 is an error rather than a sign-in prompt.
  function getJson(path, { quiet = false } = {}) {
    return call(path, undefined, quiet);
  }

  return { tag, moderate, asset, similar, suggest, getJson };
}
