// Main-thread side of the preprocessing worker, for the upload page and the npm widget.
//
// API (stable; other modules import it):
//
//   import { createPreprocessor } from './preprocess-client.js';
//   const pre = createPreprocessor({
//     workerUrl,          // optional: URL of worker.js (default: ./worker.js next to this file).
//                         // The worker loads ./pkg/smart_tags_wasm.js relative to its own URL.
//     timeoutMs = 20000,  // per file, counted from the moment the worker starts on it
//     maxBytes,           // optional: refuse larger files (default: core's 50 MiB)
//     maxPixels,          // optional: refuse larger images (default: core's 50,000,000)
//   });
//   const job = pre.preprocess(fileOrBlobOrArrayBuffer, { signal });  // a Promise, never rejects
//   job.id                // number: pass to pre.cancel(id)
//   const result = await job;
//   pre.cancel(id);       // cancels one queued or running file (its promise answers code 'cancelled')
//   pre.terminate();      // stops the worker; every pending file answers code 'cancelled'
//
// `result` is either
//   { ok: true, width, height, format, orientation, thumbnail /* Uint8Array JPEG */, thumbnailWidth,
//     thumbnailHeight, modelInput /* Uint8Array, 224x224x3 RGB */, colors /* [{name, hex, coverage}] */,
//     contentHash /* sha-256 of the file's bytes, lowercase hex */, metadata /* see below */,
//     decoder /* 'core' | 'core-dct-1/2' | 'core-dct-1/4' | 'browser' (the browser decoded a format
//     core does not read: HEIC where supported, AVIF, ICO…) */, preprocessMs,
//     timings /* { decodeMs, thumbnailMs, colorsMs, modelInputMs, hashMs } or undefined */ }
// or
//   { ok: false, error /* lowercase message for a person */, code }
// with code one of: 'too_large', 'unsupported', 'corrupt', 'invalid_options', 'failed' (from the
// module), 'timeout', 'cancelled', 'module_failed' (the module could not load or trapped).
//
// `metadata` is a plain object, camelCase keys, each present only when known:
//   { width, height, format, orientation, dateTimeOriginal, dateTimeOriginalIso, make, model,
//     lensModel, exposureTime /* seconds */, exposureTimeText /* "1/120" */, fNumber, iso,
//     focalLength /* mm */, gpsLatitude, gpsLongitude /* decimal degrees */ }
//
// One file at a time through one worker (memory stays flat), the others queued in order. A signal
// or cancel() drops a queued file at once and stops a running one by terminating the worker; the
// time limit works the same way; a wasm trap restarts the worker too. One bad file never stops the
// others: the next file gets a fresh worker when needed.

const DEFAULT_WORKER_URL = new URL('./worker.js', import.meta.url);

export function createPreprocessor({ workerUrl, timeoutMs = 20000, maxBytes, maxPixels } = {}) {
  const url = workerUrl ?? DEFAULT_WORKER_URL;
  const limits = { maxBytes, maxPixels };
  let worker = null;
  let nextId = 1;
  const queue = []; // jobs waiting: { id, input, resolve, signal, onAbort }
  let running = null; // the job the worker is on: { ...job, timer }
  let terminated = false;

  function startWorker() {
    worker = new Worker(url, { type: 'module' });
    worker.onmessage = (event) => {
      const data = event.data;
      if (!running || data?.id !== running.id) return;
      const job = running;
      if (!data.ok && data.fatal) {
        // The module trapped or could not load: never reuse this worker.
        dropWorker();
        finish(job, { ok: false, code: 'module_failed', error: data.error || 'the image module failed on this file' });
        return;
      }
      finish(job, toResult(data));
    };
    worker.onerror = (event) => {
      event.preventDefault?.();
      const job = running;
      dropWorker();
      if (job) finish(job, { ok: false, code: 'module_failed', error: 'the image module could not be loaded' });
    };
  }

  function dropWorker() {
    worker?.terminate();
    worker = null;
  }

  function finish(job, result) {
    if (job.timer) clearTimeout(job.timer);
    job.signal?.removeEventListener('abort', job.onAbort);
    if (running === job) running = null;
    job.resolve(result);
    pump();
  }

  async function pump() {
    if (running || terminated || queue.length === 0) return;
    const job = queue.shift();
    running = job;
    let bytes;
    try {
      bytes = await toArrayBuffer(job.input);
    } catch {
      if (running === job) finish(job, { ok: false, code: 'corrupt', error: 'the file could not be read' });
      return;
    }
    if (running !== job) return; // cancelled while reading
    if (maxBytes !== undefined && bytes.byteLength > maxBytes) {
      finish(job, { ok: false, code: 'too_large', error: `the file is ${bytes.byteLength} bytes, more than the limit of ${maxBytes} bytes` });
      return;
    }
    if (!worker) startWorker();
    job.timer = setTimeout(() => {
      if (running !== job) return;
      dropWorker();
      finish(job, { ok: false, code: 'timeout', error: `preprocessing took longer than ${Math.round(timeoutMs / 1000)} seconds` });
    }, timeoutMs);
    worker.postMessage({ id: job.id, bytes, type: job.type, limits }, [bytes]);
  }

  function cancel(id) {
    const queued = queue.findIndex((job) => job.id === id);
    if (queued >= 0) {
      const [job] = queue.splice(queued, 1);
      job.signal?.removeEventListener('abort', job.onAbort);
      job.resolve(cancelled());
      return true;
    }
    if (running && running.id === id) {
      dropWorker();
      finish(running, cancelled());
      return true;
    }
    return false;
  }

  function preprocess(input, { signal } = {}) {
    const id = nextId++;
    let resolve;
    const promise = new Promise((r) => { resolve = r; });
    promise.id = id;
    if (terminated) {
      resolve({ ok: false, code: 'cancelled', error: 'the preprocessor was stopped' });
      return promise;
    }
    if (signal?.aborted) {
      resolve(cancelled());
      return promise;
    }
    const job = { id, input, resolve, signal, type: input?.type || undefined };
    job.onAbort = () => cancel(id);
    signal?.addEventListener('abort', job.onAbort, { once: true });
    queue.push(job);
    pump();
    return promise;
  }

  function terminate() {
    terminated = true;
    dropWorker();
    const pending = running ? [running, ...queue] : [...queue];
    queue.length = 0;
    running = null;
    for (const job of pending) {
      if (job.timer) clearTimeout(job.timer);
      job.signal?.removeEventListener('abort', job.onAbort);
      job.resolve({ ok: false, code: 'cancelled', error: 'the preprocessor was stopped' });
    }
  }

  return { preprocess, cancel, terminate };
}

function cancelled() {
  return { ok: false, code: 'cancelled', error: 'preprocessing was cancelled' };
}

async function toArrayBuffer(input) {
  if (input instanceof ArrayBuffer) return input.slice(0); // the caller keeps its copy
  if (ArrayBuffer.isView(input)) return input.buffer.slice(input.byteOffset, input.byteOffset + input.byteLength);
  return await input.arrayBuffer(); // File or Blob
}

function toResult(data) {
  if (!data.ok) return { ok: false, code: data.code || 'failed', error: data.error || 'the image could not be processed' };
  const { id: _id, fatal: _fatal, ...result } = data;
  return result;
}
