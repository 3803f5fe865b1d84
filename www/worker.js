// Web Worker: decodes and preprocesses files with the Rust core (wasm), off the main thread.
// Request: { id, bytes: ArrayBuffer, type?: string (the file's MIME type), limits?: { maxBytes, maxPixels } }.
// Answer: { id, ok: true, ...result } or { id, ok: false, error, code, fatal }; `fatal` means the
// module failed (could not load, or trapped) and this worker must be replaced.
// www/preprocess-client.js is the main-thread side and documents the result.
//
// Formats core does not read (HEIC where the browser can, AVIF, ICO, TIFF…) are decoded by the
// browser here (createImageBitmap on a Blob, drawn on an OffscreenCanvas, getImageData) and the
// RGBA pixels go through core's preprocessRgba: same thumbnail, model input, colours and hash,
// `decoder: 'browser'`. The size is checked against the limits before any pixel buffer is read.
import init, { preprocess, preprocessRgba, sha256Hex, PreprocessLimits } from './pkg/smart_tags_wasm.js';

const ready = init();

// Core's defaults (core/src/limits.rs), for the browser path's own checks.
const DEFAULT_MAX_PIXELS = 50_000_000;
const DEFAULT_MAX_SIDE = 20_000;

self.onmessage = async (event) => {
  const { id, bytes, type, limits } = event.data;
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
    // crypto.subtle (secure contexts) hashes on another thread while the module decodes, which
    // saves the module's own SHA-256 (about 25 ms for a 4 MB photo); elsewhere the module hashes.
    const digest = self.crypto?.subtle?.digest('SHA-256', input).catch(() => null) ?? null;
    const hashed = digest !== null;
    try {
      result = preprocess(input, toLimits(limits, hashed));
    } catch (e) {
      if (e?.code !== 'unsupported') throw e;
      result = await preprocessWithBrowserDecoder(input, type, limits, hashed);
    }
    const subtleHash = hashed ? await digest : null;
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
      contentHash: subtleHash ? hex(subtleHash) : (result.contentHash || sha256Hex(input)),
      metadata: result.metadata,
      decoder: result.decoder,
      timings: result.timings,
      preprocessMs: performance.now() - started,
    };
    self.postMessage(answer, [answer.thumbnail.buffer, answer.modelInput.buffer]);
  } catch (e) {
    // core's errors are Error objects with a message for people and a code; a
    // WebAssembly.RuntimeError means the module trapped and must be replaced.
    const fatal = e instanceof WebAssembly.RuntimeError;
    const error = fatal ? 'the image module failed on this file' : String(e?.message ?? e);
    self.postMessage({ id, ok: false, fatal, code: fatal ? 'module_failed' : (e?.code ?? 'failed'), error });
  } finally {
    result?.free();
  }
};

// A fresh PreprocessLimits per call: preprocess takes ownership of it.
function toLimits(limits, hashed) {
  const l = new PreprocessLimits(limits?.maxBytes, limits?.maxPixels);
  if (!hashed) return l;
  const withoutHash = l.withoutHash();
  l.free();
  return withoutHash;
}

function hex(digest) {
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function fail(code, error) {
  return Object.assign(new Error(error), { code });
}

async function preprocessWithBrowserDecoder(input, type, limits, hashed) {
  if (typeof createImageBitmap !== 'function' || typeof OffscreenCanvas !== 'function') {
    throw fail('unsupported', 'unsupported image format: this browser cannot decode it either');
  }
  let bitmap;
  try {
    // The browser applies the EXIF orientation itself (imageOrientation 'from-image').
    bitmap = await createImageBitmap(new Blob([input], type ? { type } : {}));
  } catch {
    throw fail('unsupported', 'unsupported image format: neither the image module nor this browser can decode it');
  }
  try {
    const { width, height } = bitmap;
    const maxPixels = limits?.maxPixels ?? DEFAULT_MAX_PIXELS;
    if (width === 0 || height === 0) throw fail('corrupt', 'the image has a zero width or height');
    if (width > DEFAULT_MAX_SIDE || height > DEFAULT_MAX_SIDE) {
      throw fail('too_large', `the image is ${width}x${height}; each side must be at most ${DEFAULT_MAX_SIDE} pixels`);
    }
    if (width * height > maxPixels) {
      throw fail('too_large', `the image is ${width}x${height} pixels, more than the limit of ${maxPixels} pixels`);
    }
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    context.drawImage(bitmap, 0, 0);
    const pixels = context.getImageData(0, 0, width, height).data;
    return preprocessRgba(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength), width, height, input, toLimits(limits, hashed));
  } finally {
    bitmap.close();
  }
}
