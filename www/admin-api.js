// The admin page's one way to the proxy: every call carries the admin token (kept in this tab's
// session storage) and every failure becomes an Error with the server's message.

const BASE = 'api/v1/admin/';
const TOKEN_KEY = 'smart-tags-admin-token';

export function storedToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

// An answer that is not 2xx: the proxy says {code, message}, the service {error, ...}; `body` keeps
// the rest (e.g. the linter's findings of a refused training).
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? body?.error ?? `the request failed (${status})`);
    this.status = status;
    this.body = body;
  }
}

async function send(path, init = {}) {
  const headers = { ...init.headers, authorization: `Bearer ${storedToken() ?? ''}` };
  let response;
  try {
    response = await fetch(BASE + path, { ...init, headers });
  } catch {
    throw new Error('the server cannot be reached');
  }
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  return response;
}

// A JSON answer (null for 204 No Content). `body`, when given, is sent as JSON.
export async function api(path, { method = 'GET', body } = {}) {
  const init = { method };
  if (body !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  const response = await send(path, init);
  return response.status === 204 ? null : response.json();
}

// Sends a file-like body (FormData, Blob, File) as it is (POST unless `method` says otherwise); the
// browser sets a multipart boundary.
export async function upload(path, body, contentType, method = 'POST') {
  const headers = contentType ? { 'content-type': contentType } : {};
  const response = await send(path, { method, headers, body });
  return response.json();
}

// Fetches an attachment; answers its bytes and the file name the server gave it.
export async function download(path, fallbackName) {
  const response = await send(path);
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName;
  return { name, blob: await response.blob() };
}
