// Web Worker: decodes and preprocesses files with the Rust core (wasm), off the main thread.
// Request: { id, bytes: ArrayBuffer }. Answer: { id, ok: true, ...result } or { id, ok: false, error, fatal }.
import init, { preprocess } from './pkg/smart_tags_wasm.js';

const ready = init();

self.onmessage = async (event) => {
  const { id, bytes } = event.data;
  try {
    await ready;
  } catch (e) {
    self.postMessage({ id, ok: false, fatal: true, error: 'the image module could not be loaded' });
    return;
  }
  let result;
  try {
    const started = performance.now();
    result = preprocess(new Uint8Array(bytes));
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
      preprocessMs: performance.now() - started,
    };
    self.postMessage(answer, [answer.thumbnail.buffer, answer.modelInput.buffer]);
  } catch (e) {
    // A JsError carries a message for people; a WebAssembly.RuntimeError means the module trapped
    // and must be replaced.
    const fatal = e instanceof WebAssembly.RuntimeError;
    self.postMessage({ id, ok: false, fatal, error: fatal ? 'the image module failed on this file' : String(e.message ?? e) });
  } finally {
    result?.free();
  }
};
