// Web Worker: decodes and preprocesses files with the Rust core (wasm), off the main thread.
// Request: { id, bytes: ArrayBuffer, type?: string (the file's MIME type), limits?: { maxBytes, maxPixels } }.
// Answer: { id, ok: true, ...result } or { id, ok: false, error, code, fatal }; `fatal` means the
// module failed (could not load, or trapped) and this worker must be replaced.
// www/preprocess-client.js is the main-thread side and documents the result.
import init, { preprocess, PreprocessLimits } from './pkg/smart_tags_wasm.js';

const ready = init();

self.onmessage = async (event) => {
  const { id, bytes, limits } = event.data;
  try {
    await ready;
  } catch (e) {
    self.postMessage({ id, ok: false, fatal: true, code: 'module_failed', error: 'the image module could not be loaded' });
    return;
  }
  let result;
  try {
    const started = performance.now();
    const input = new Uint8Array(bytes);
    result = preprocess(input, toLimits(limits));
    const answer = {
      id,
      ok: true,
      width: result.width,
      height: result.height,
      format: result.format,
      orientation: result.orientation,
      thumbnail: result.thumbnail,
      thumbnailWidth: result.thumbnailWidth,
      thumbnailHeight: result.thumbnailHeight,
      modelInput: result.modelInput,
      colors: result.colors,
      contentHash: await sha256Hex(input),
      metadata: { width: result.width, height: result.height, format: result.format, orientation: result.orientation },
      decoder: 'core',
      preprocessMs: performance.now() - started,
    };
    self.postMessage(answer, [answer.thumbnail.buffer, answer.modelInput.buffer]);
  } catch (e) {
    // A JsError carries a message for people; a WebAssembly.RuntimeError means the module trapped
    // and must be replaced.
    const fatal = e instanceof WebAssembly.RuntimeError;
    const error = fatal ? 'the image module failed on this file' : String(e.message ?? e);
    self.postMessage({ id, ok: false, fatal, code: fatal ? 'module_failed' : codeOf(e), error });
  } finally {
    result?.free();
  }
};

function toLimits(limits) {
  if (!limits || (limits.maxBytes === undefined && limits.maxPixels === undefined)) return undefined;
  return new PreprocessLimits(limits.maxBytes, limits.maxPixels);
}

async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

// Until the module gives codes itself: from core's messages (core/src/error.rs).
function codeOf(e) {
  if (e?.code) return e.code;
  const message = String(e?.message ?? e);
  if (/more than the limit|must be at most|more memory/.test(message)) return 'too_large';
  if (message.startsWith('unsupported image format')) return 'unsupported';
  if (message.startsWith('the number of colours') || message.includes('coverage')) return 'invalid_options';
  return 'corrupt';
}
