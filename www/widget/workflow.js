// The upload workflow in the browser (docs/workflow.md), shared by the widget and the upload page:
// the definition the proxy answers (`GET api/v1/workflow?folder=…`), pure rules mirroring
// core::workflow (defaults, backoff, which errors are retried, the outcome, the sources filter)
// and a runner that takes one asset through the steps — thumbnails (the preprocess), smart tags
// (the tag request, with the step's timeout, retries and backoff; it carries the thumbnail when
// the people or text step is on), scenes (the service's built-in scene tags), people (the service's
// face and person findings), text (the words it read) and colour tags — and answers the per-asset
// result, in the server's snake_case
// JSON:
//
//   { asset_id, content_hash, folder, outcome, steps: [{ step, status, attempts, code?, reason?, ms? }],
//     tags, people, text, reused, retryable }

export const WORKFLOW_PATH = 'api/v1/workflow';
export const STEP_KINDS = Object.freeze(['thumbnails', 'smart_tags', 'scenes', 'people', 'text', 'color_tags']);
export const SOURCE_KINDS = Object.freeze(['generic', 'taxonomy', 'trained']);
/** Longest wait between two attempts, whatever the backoff says. */
export const MAX_BACKOFF_MS = 30_000;

const STEP_DEFAULTS = Object.freeze({
  enabled: true, ignore_errors: false, ignore_smart_tag_flag: false,
  timeout_ms: 30_000, retries: 2, backoff_ms: 500,
});

/** A step with every option, missing ones at their defaults. */
export function normalizeStep(step) {
  return { ...STEP_DEFAULTS, sources: [...SOURCE_KINDS], ...step, kind: step.kind };
}

/** The default workflow: thumbnails, smart tags (all sources), scenes, people, text, colour tags; re-tag after 24 h. */
export function defaultWorkflow() {
  return { steps: STEP_KINDS.map((kind) => normalizeStep({ kind })), retag: { unchanged_after_hours: 24 } };
}

/** A definition as the service answers it, missing options at their defaults. */
export function normalizeWorkflow(workflow) {
  if (!workflow || !Array.isArray(workflow.steps)) return defaultWorkflow();
  return {
    steps: workflow.steps.filter((s) => STEP_KINDS.includes(s?.kind)).map(normalizeStep),
    retag: { unchanged_after_hours: 24, ...workflow.retag },
  };
}

/** The step of this kind, or undefined when the workflow leaves it out. */
export function stepOf(workflow, kind) {
  return workflow.steps.find((s) => s.kind === kind);
}

/** Wait before retry `retry` (1 = the first retry): backoff_ms · 2^(retry−1), at most 30 s. */
export function backoffMs(step, retry) {
  if (retry < 1) return 0;
  return Math.min(step.backoff_ms * 2 ** Math.min(retry - 1, 30), MAX_BACKOFF_MS);
}

/** Whether another attempt may help: the network, a timeout, or a server error (5xx). */
export function isRetryable(error) {
  if (!error) return false;
  if (error.code === 'network' || error.code === 'timeout') return true;
  return Number.isInteger(error.status) && error.status >= 500;
}

/** As core::workflow::outcome: failed iff a failed step does not ignore errors. */
export function outcome(workflow, steps) {
  const failed = steps.filter((r) => r.status === 'failed');
  if (failed.some((r) => !(stepOf(workflow, r.step)?.ignore_errors ?? false))) return 'failed';
  return failed.length ? 'completed_with_errors' : 'completed';
}

/**
 * The answered tags the workflow keeps: smart tags from the smart tags step's `sources`, colour
 * tags only when the colour tags step runs; manual tags always.
 */
export function filterTags(tags, { sources = SOURCE_KINDS, colors = true } = {}) {
  if (!tags) return tags;
  const keep = (t) => (t.source === 'color' ? colors : sources.includes(t.source));
  return { ...tags, smart: (tags.smart ?? []).filter(keep) };
}

/** "the tagging service is busy" → "The tagging service is busy": for badges. */
function sentence(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

const STEP_NAMES = { thumbnails: 'Thumbnails', smart_tags: 'Smart tags', scenes: 'Scenes', people: 'People', text: 'Text', color_tags: 'Colour tags' };
const STATUS_WORDS = { succeeded: 'done', failed: 'failed', skipped: 'skipped' };

/** One line per step for a badge, e.g. "Smart tags failed — the tagging service is not answering". */
export function describeStep(result, names = STEP_NAMES, words = STATUS_WORDS) {
  const head = `${names[result.step] ?? result.step} ${words[result.status] ?? result.status}`;
  return result.reason ? `${head} — ${result.reason}` : head;
}

/**
 * Reads the workflow for `folder` from the proxy: `{ version, workflow, folder: { path, enabled,
 * set_on } }`. `fetchJson(path, options)` answers the parsed body or throws (`options` are those
 * given to `load`, passed on). Answers are remembered per
 * folder: when the proxy cannot be asked (the service is down), the last answer for that folder
 * is used, else the default workflow (with the folder taken as enabled), marked `stale`.
 */
export function createWorkflowSource(fetchJson) {
  const known = new Map();
  return {
    async load(folder = '/', options = {}) {
      const path = folder || '/';
      try {
        const answer = await fetchJson(`${WORKFLOW_PATH}?folder=${encodeURIComponent(path)}`, options);
        // `stale`: the proxy answered the last workflow it knows, the service being down.
        const loaded = { version: answer.version, workflow: normalizeWorkflow(answer.workflow), folder: answer.folder, stale: answer.stale === true };
        known.set(path, loaded);
        return loaded;
      } catch (error) {
        // A folder the service refuses is the caller's mistake: no fallback for that.
        if (error?.status >= 400 && error?.status < 500 && error?.code !== 'rate_limited') throw error;
        const last = known.get(path);
        if (last) return { ...last, stale: true };
        return { version: null, workflow: defaultWorkflow(), folder: { path, enabled: true, set_on: null }, stale: true };
      }
    },
  };
}

const sleeper = (ms, signal) => new Promise((resolve) => {
  if (ms <= 0 || signal?.aborted) { resolve(); return; }
  const timer = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
});

/** An AbortSignal that fires on `outer` or after `ms`, and whether it was the time. */
function timed(outer, ms) {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; controller.abort(); }, ms);
  const onAbort = () => controller.abort();
  outer?.addEventListener('abort', onAbort, { once: true });
  if (outer?.aborted) controller.abort();
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    done: () => { clearTimeout(timer); outer?.removeEventListener('abort', onAbort); },
  };
}

const ms = (start) => Math.round((performance.now() - start) * 10) / 10;
const cancelled = () => Object.assign(new Error('cancelled'), { name: 'AbortError', code: 'cancelled' });
const skipped = (step, reason, code) => ({ step, status: 'skipped', attempts: 0, ...(code ? { code } : {}), reason });

/**
 * Runs the smart tags step: `tag({ folder, ignoreSmartTagFlag, force, withThumbnail }, { signal })` answers the
 * service's asset answer or throws an error with `code`, `status` and `message`. Answers
 * `{ result, answer }` (`answer` undefined unless it succeeded). A 409 `smart_tags_off` skips the
 * step with the service's reason; only network errors, timeouts and 5xx answers are retried.
 * Throws an AbortError when `signal` aborts.
 */
export async function runSmartTagsStep(step, { tag, folder, force = false, withThumbnail = false, signal, sleep = sleeper, onAttempt }) {
  if (!step || !step.enabled) return { result: skipped('smart_tags', 'switched off in the workflow', 'disabled') };
  const start = performance.now();
  let attempts = 0;
  for (;;) {
    attempts += 1;
    onAttempt?.(attempts);
    const time = timed(signal, step.timeout_ms);
    try {
      const answer = await tag({ folder, ignoreSmartTagFlag: step.ignore_smart_tag_flag, force, withThumbnail }, { signal: time.signal });
      return { result: { step: 'smart_tags', status: 'succeeded', attempts, ms: ms(start) }, answer };
    } catch (caught) {
      if (signal?.aborted) throw cancelled();
      const error = time.timedOut()
        ? { code: 'timeout', message: `the tagging service did not answer within ${step.timeout_ms / 1000} s` }
        : caught;
      if (error?.code === 'smart_tags_off') {
        return { result: { ...skipped('smart_tags', error.message, 'smart_tags_off'), attempts, ms: ms(start) } };
      }
      if (!isRetryable(error) || attempts > step.retries) {
        const result = {
          step: 'smart_tags', status: 'failed', attempts, code: error?.code ?? 'failed',
          reason: error?.message ?? String(error), ms: ms(start),
        };
        return { result, retryable: isRetryable(error) };
      }
      await sleep(backoffMs(step, attempts), signal);
      if (signal?.aborted) throw cancelled();
    } finally {
      time.done();
    }
  }
}

/** The colour tags step: colours from the answer, or the preprocessor's when smart tags did not run. */
function colorStep(step, answer, prepared) {
  if (!step || !step.enabled) return skipped('color_tags', 'switched off in the workflow', 'disabled');
  if (answer) return { step: 'color_tags', status: 'succeeded', attempts: 1 };
  if (prepared?.colors) return { step: 'color_tags', status: 'succeeded', attempts: 1, code: 'from_browser', reason: 'colours measured in the browser' };
  return skipped('color_tags', prepared ? 'no colours were measured' : 'the image could not be read');
}

/** Whether the people step is listed and on (off: no face is looked for). */
export function wantsPeople(workflow) {
  return Boolean(stepOf(workflow, 'people')?.enabled);
}

/** Whether the text step is listed and on (off: no words are read). */
export function wantsText(workflow) {
  return Boolean(stepOf(workflow, 'text')?.enabled);
}

/**
 * Whether the smart-tags request carries the thumbnail: for the face, person and text detectors,
 * when the people or the text step is on (both off: the thumbnail stays in the browser).
 */
export function wantsThumbnail(workflow) {
  return wantsPeople(workflow) || wantsText(workflow);
}

/** The words the text step read, as one line (`Text: GM125, NO PARKING`); empty when none. */
export function describeText(text, line = (words) => `Text: ${words}`) {
  const words = text?.words ?? [];
  return words.length ? line(words.map((w) => w.text).join(', ')) : '';
}

/** The scenes step: the service added the built-in scene tags with the smart tags (or has no scene model). */
function scenesStep(step, answer) {
  if (!step || !step.enabled) return skipped('scenes', 'switched off in the workflow', 'disabled');
  if (answer?.scenes) return { step: 'scenes', status: 'succeeded', attempts: 1 };
  if (answer) return skipped('scenes', 'the tagging service has no scene model installed', 'no_scene_model');
  return skipped('scenes', 'scene tags come with the smart tags, which did not run', 'not_stored');
}

/** The text step: the service read the words with the smart tags (or has no text detector). */
function textStep(step, answer) {
  if (!step || !step.enabled) return skipped('text', 'switched off in the workflow', 'disabled');
  if (answer?.text) return { step: 'text', status: 'succeeded', attempts: 1 };
  if (answer) return skipped('text', 'the tagging service has no text detector installed', 'no_detectors');
  return skipped('text', 'text is read with the smart tags, which did not run', 'not_stored');
}

/**
 * What the people step found, in words: `People: 3 faces`, `People: 1 person, no face seen`,
 * `No people found`; empty when the detectors did not run. `words` translates (see the widget's
 * strings).
 */
export function describePeople(people, words = PEOPLE_WORDS) {
  const summary = people?.summary;
  if (!summary) return '';
  if (!summary.count) return words.none;
  const faces = words.faces(summary.faces);
  return summary.faces === summary.count ? words.line(faces) : words.line(`${words.persons(summary.count)}, ${faces}`);
}

/** The English words of [`describePeople`] (the widget's strings use them for `en`). */
export const PEOPLE_WORDS = Object.freeze({
  none: 'No people found',
  faces: (n) => (n === 0 ? 'no face seen' : n === 1 ? '1 face' : `${n} faces`),
  persons: (n) => (n === 1 ? '1 person' : `${n} people`),
  line: (text) => `People: ${text}`,
});

/**
 * The people step: the service found people with the smart tags (or has no detectors, or the
 * asset's folder has face and person detection switched off: the answer's `skipped`).
 */
function peopleStep(step, answer) {
  if (!step || !step.enabled) return skipped('people', 'switched off in the workflow', 'disabled');
  const off = answer?.skipped?.find((s) => s.step === 'people');
  if (off) return { ...off, attempts: 0 };
  if (answer?.people) return { step: 'people', status: 'succeeded', attempts: 1 };
  if (answer) return skipped('people', 'the tagging service has no face and person detectors installed', 'no_detectors');
  return skipped('people', 'people are found with the smart tags, which did not run', 'not_stored');
}

/**
 * Takes one asset through the workflow. `prepare()` runs the preprocess (the thumbnails step) and
 * answers `{ contentHash, colors, … }` or throws `{ code, message }`; `tag` as in
 * [`runSmartTagsStep`]. Answers `{ result, answer, prepared }`; `result.tags` is the answer's
 * tags after the workflow's filters, or null when smart tags did not answer (`result.colors` then
 * carries the browser's colours when the colour step ran).
 */
export async function runAsset({ workflow, folder = '/', assetId = null, prepare, tag, force = false, signal, sleep, onStep }) {
  const steps = [];
  let prepared;
  const thumbnails = stepOf(workflow, 'thumbnails');
  onStep?.('thumbnails');
  const start = performance.now();
  try {
    prepared = await prepare();
    steps.push(thumbnails?.enabled
      ? { step: 'thumbnails', status: 'succeeded', attempts: 1, ms: ms(start) }
      : skipped('thumbnails', 'switched off in the workflow', 'disabled'));
  } catch (error) {
    if (signal?.aborted || error?.code === 'cancelled' || error?.name === 'AbortError') throw cancelled();
    steps.push({ step: 'thumbnails', status: 'failed', attempts: 1, code: error?.code ?? 'failed', reason: error?.message ?? String(error), ms: ms(start) });
  }
  let answer;
  let retryable = false;
  if (prepared) {
    onStep?.('smart_tags');
    const ran = await runSmartTagsStep(stepOf(workflow, 'smart_tags'), { tag, folder, force, withThumbnail: wantsThumbnail(workflow), signal, sleep });
    steps.push(ran.result);
    answer = ran.answer;
    retryable = Boolean(ran.retryable);
  } else {
    steps.push(skipped('smart_tags', 'the image could not be read'));
  }
  if (stepOf(workflow, 'scenes')) steps.push(scenesStep(stepOf(workflow, 'scenes'), answer));
  if (stepOf(workflow, 'people')) steps.push(peopleStep(stepOf(workflow, 'people'), answer));
  if (stepOf(workflow, 'text')) steps.push(textStep(stepOf(workflow, 'text'), answer));
  steps.push(colorStep(stepOf(workflow, 'color_tags'), answer, prepared));
  return { result: assetResult({ workflow, folder, assetId, prepared, steps, answer, retryable }), answer, prepared };
}

/**
 * Runs the smart tags step again for an asset whose earlier `result` is known (Re-tag / retry of
 * a failed tagging): the thumbnails step's result is kept. Answers like [`runAsset`].
 */
export async function retagAsset({ workflow, previous, prepared, tag, force = false, signal, sleep }) {
  const ran = await runSmartTagsStep(stepOf(workflow, 'smart_tags'), { tag, folder: previous.folder, force, withThumbnail: wantsThumbnail(workflow), signal, sleep });
  const thumbnails = previous.steps.find((s) => s.step === 'thumbnails');
  const scenes = stepOf(workflow, 'scenes') ? scenesStep(stepOf(workflow, 'scenes'), ran.answer) : null;
  const people = stepOf(workflow, 'people') ? peopleStep(stepOf(workflow, 'people'), ran.answer) : null;
  const text = stepOf(workflow, 'text') ? textStep(stepOf(workflow, 'text'), ran.answer) : null;
  const steps = [thumbnails, ran.result, scenes, people, text, colorStep(stepOf(workflow, 'color_tags'), ran.answer, prepared)].filter(Boolean);
  const result = assetResult({
    workflow, folder: previous.folder, assetId: previous.asset_id, prepared, steps, answer: ran.answer, retryable: Boolean(ran.retryable),
  });
  return { result, answer: ran.answer, prepared };
}

function assetResult({ workflow, folder, assetId, prepared, steps, answer, retryable }) {
  const smart = stepOf(workflow, 'smart_tags');
  const colorsOn = Boolean(stepOf(workflow, 'color_tags')?.enabled);
  const result = {
    asset_id: answer?.asset?.asset_id ?? assetId ?? null,
    content_hash: prepared?.contentHash ?? null,
    folder,
    outcome: outcome(workflow, steps),
    steps,
    tags: answer ? filterTags(answer.tags, { sources: smart?.sources ?? SOURCE_KINDS, colors: colorsOn }) : null,
    people: wantsPeople(workflow) ? answer?.people ?? null : null,
    text: wantsText(workflow) ? answer?.text ?? null : null,
    duplicates: answer?.duplicates ?? [],
    reused: Boolean(answer?.reused),
    retryable: Boolean(retryable && steps.some((s) => s.status === 'failed')),
  };
  if (!answer && colorsOn && prepared?.colors) result.colors = prepared.colors;
  return result;
}

/**
 * The duplicates line of a result: the stored assets the image is a near duplicate of (the
 * service's `duplicates`, nearest first), each named by `nameOf(asset)`, with its similarity as a
 * floored percentage; empty when there is none.
 */
export function describeDuplicates(duplicates, nameOf, line = (names) => `Duplicate of ${names}`) {
  if (!duplicates?.length) return '';
  return line(duplicates.map((d) => `${nameOf(d.asset)} (${Math.floor(d.similarity * 100)}%)`).join(', '));
}

/** The failed steps of a result, as badge lines (empty when every step ran or was skipped). */
export function failureLines(result) {
  return result.steps.filter((s) => s.status === 'failed').map((s) => sentence(describeStep(s)));
}
