// The widget's calls to the proxy's browser API: tag an asset (multipart meta + model input, with
// upload progress), moderate a tag, suggest taxonomy tags, read the workflow of a folder. A widget token goes along as
// `Authorization: Bearer`; when the proxy answers 401 widget_token_invalid or
// widget_token_required and the host gave a `getToken` function, a fresh token is fetched once and
// the call is replayed once.

const TAG_PATH = 'api/v1/assets/tag';
const MODERATION_PATH = 'api/v1/assets/moderation';
const SUGGEST_PATH = 'api/v1/taxonomy/suggest';
const REFRESH_CODES = new Set(['widget_token_invalid', 'widget_token_required']);

/** An error answered by the proxy (or the network), with the proxy's `code`. */
export class ApiError extends Error {
  constructor(code, message, status = 0) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

/**
 * `auth` is `{ token(): string|undefined, refresh(): Promise<string|undefined>|undefined }`;
 * `proxyUrl()` answers the proxy's base URL; `strings()` the current locale's strings.
 */
export function createApi({ proxyUrl, auth, strings }) {
  const url = (path) => new URL(path, proxyUrl()).href;

  async function withToken(send) {
    let token = auth.token();
    if (!token) token = await auth.refresh();
    let answer = await send(token);
    if (answer.status === 401 && REFRESH_CODES.has(answer.body?.code)) {
      const fresh = await auth.refresh();
      if (fresh && fresh !== token) answer = await send(fresh);
    }
    if (answer.status === 0) throw new ApiError('network', strings().errors.network);
    if (answer.status < 200 || answer.status >= 300) {
      const code = answer.body?.code ?? 'http_error';
      throw new ApiError(code, answer.body?.message ?? strings().errors.request(answer.status), answer.status);
    }
    return answer.body;
  }

  function headers(token, extra = {}) {
    return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
  }

  async function fetchJson(path, init, token) {
    let response;
    try {
      response = await fetch(url(path), { ...init, headers: headers(token, init.headers) });
    } catch {
      return { status: 0, body: null };
    }
    const body = await response.json().catch(() => null);
    return { status: response.status, body };
  }

  // XMLHttpRequest rather than fetch: only it reports upload progress.
  function postForm(path, form, token, onUploaded, onProgress, signal) {
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', url(path));
      for (const [name, value] of Object.entries(headers(token))) xhr.setRequestHeader(name, value);
      xhr.responseType = 'text';
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress?.(e.loaded / e.total); };
      xhr.upload.onload = () => onUploaded?.();
      xhr.onload = () => {
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
        resolve({ status: xhr.status, body });
      };
      xhr.onerror = () => resolve({ status: 0, body: null });
      xhr.onabort = () => resolve({ status: 0, body: { code: 'cancelled', message: 'cancelled' } });
      signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      xhr.send(form);
    });
  }

  return {
    /** Tags one prepared asset; `onUploaded` fires when the body has gone up. */
    /** `thumbnail` (the preprocess's 512-px JPEG) goes along only with `withThumbnail`. */
    tag({ contentHash, modelInput, thumbnail, colors, locale, force = false, folder, ignoreSmartTagFlag, withThumbnail = false }, { onUploaded, onProgress, signal } = {}) {
      const meta = { content_hash: contentHash, colors, force, locale };
      if (folder) meta.folder = folder;
      if (ignoreSmartTagFlag) meta.ignore_smart_tag_flag = true;
      return withToken((token) => {
        const form = new FormData();
        form.append('meta', new Blob([JSON.stringify(meta)], { type: 'application/json' }));
        form.append('model_input', new Blob([modelInput], { type: 'application/octet-stream' }));
        if (withThumbnail && thumbnail) form.append('thumbnail', new Blob([thumbnail], { type: 'image/jpeg' }));
        return postForm(TAG_PATH, form, token, onUploaded, onProgress, signal);
      });
    },
    /** `action`: promote | remove | add_manual. Answers the asset's tags after the decision. */
    moderate({ contentHash, tagId, action, title, locale }) {
      const body = JSON.stringify({ content_hash: contentHash, tag_id: tagId, action, locale, ...(title ? { title } : {}) });
      return withToken((token) =>
        fetchJson(MODERATION_PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body }, token),
      );
    },
    /** GET of a browser API path (e.g. `api/v1/workflow?folder=%2Fa`): the parsed answer. */
    getJson(path) {
      return withToken((token) => fetchJson(path, { method: 'GET' }, token));
    },
    /** Taxonomy tags whose title or synonyms match `q`: `[{id, title, path}]`. */
    async suggest(q, locale, limit = 8) {
      const query = `?q=${encodeURIComponent(q)}&locale=${encodeURIComponent(locale)}&limit=${limit}`;
      const body = await withToken((token) => fetchJson(`${SUGGEST_PATH}${query}`, { method: 'GET' }, token));
      return body?.tags ?? [];
    },
  };
}
