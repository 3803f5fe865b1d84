// The pure rules of www/widget/workflow.js, under Node (no browser): they must say what
// core::workflow says — defaults, backoff (doubled, capped at 30 s), which errors are retried,
// the outcome (failed iff a failed step does not ignore errors) and the sources filter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultWorkflow, normalizeWorkflow, backoffMs, isRetryable, outcome, filterTags, describeStep, stepOf, wantsPeople, wantsThumbnail, describePeople, describeText,
  runAsset,
} from '../../www/widget/workflow.js';

test('the default workflow and missing options take the documented defaults', () => {
  const workflow = defaultWorkflow();
  assert.deepEqual(workflow.steps.map((s) => s.kind), ['thumbnails', 'smart_tags', 'scenes', 'people', 'text', 'color_tags']);
  assert.ok(wantsPeople(workflow) && wantsThumbnail(workflow), 'the people step is on by default: the thumbnail goes with the tag request');
  assert.ok(wantsThumbnail(normalizeWorkflow({ steps: [{ kind: 'smart_tags' }, { kind: 'people', enabled: false }, { kind: 'text' }] })), 'text alone needs it too');
  assert.ok(!wantsThumbnail(normalizeWorkflow({ steps: [{ kind: 'smart_tags' }, { kind: 'people', enabled: false }, { kind: 'text', enabled: false }] })));
  assert.ok(!wantsPeople(normalizeWorkflow({ steps: [{ kind: 'smart_tags' }, { kind: 'people', enabled: false }] })));
  assert.ok(!wantsPeople(normalizeWorkflow({ steps: [{ kind: 'smart_tags' }] })), 'a step left out does not run');
  const smart = stepOf(workflow, 'smart_tags');
  assert.deepEqual(
    [smart.enabled, smart.ignore_errors, smart.ignore_smart_tag_flag, smart.timeout_ms, smart.retries, smart.backoff_ms, smart.sources],
    [true, false, false, 30_000, 2, 500, ['generic', 'taxonomy', 'trained']],
  );
  assert.equal(workflow.retag.unchanged_after_hours, 24);
  const partial = normalizeWorkflow({ steps: [{ kind: 'smart_tags', retries: 5 }] });
  assert.deepEqual(partial.steps.map((s) => [s.kind, s.retries, s.timeout_ms]), [['smart_tags', 5, 30_000]]);
  assert.equal(stepOf(partial, 'thumbnails'), undefined, 'a step left out does not run');
});

test('backoff doubles from backoff_ms and stops at 30 s', () => {
  const step = { backoff_ms: 500 };
  assert.deepEqual([1, 2, 3, 4].map((n) => backoffMs(step, n)), [500, 1000, 2000, 4000]);
  assert.equal(backoffMs(step, 7), 30_000);
  assert.equal(backoffMs(step, 40), 30_000);
  assert.equal(backoffMs({ backoff_ms: 0 }, 3), 0);
});

test('only the network, timeouts and server errors are retried', () => {
  assert.ok(isRetryable({ code: 'network', status: 0 }));
  assert.ok(isRetryable({ code: 'timeout' }));
  assert.ok(isRetryable({ code: 'service_unavailable', status: 502 }));
  assert.ok(isRetryable({ code: 'service_busy', status: 503 }));
  assert.ok(!isRetryable({ code: 'service_rejected', status: 400 }));
  assert.ok(!isRetryable({ code: 'smart_tags_off', status: 409 }));
  assert.ok(!isRetryable({ code: 'widget_token_invalid', status: 401 }));
  assert.ok(!isRetryable(undefined));
});

test('the outcome is failed only when a failed step does not ignore errors', () => {
  const workflow = defaultWorkflow();
  const ok = { step: 'thumbnails', status: 'succeeded', attempts: 1 };
  const failedTags = { step: 'smart_tags', status: 'failed', attempts: 3, code: 'service_unavailable', reason: 'down' };
  const skippedColors = { step: 'color_tags', status: 'skipped', attempts: 0 };
  assert.equal(outcome(workflow, [ok, skippedColors]), 'completed');
  assert.equal(outcome(workflow, [ok, failedTags]), 'failed');
  stepOf(workflow, 'smart_tags').ignore_errors = true;
  assert.equal(outcome(workflow, [ok, failedTags, skippedColors]), 'completed_with_errors');
  assert.equal(outcome(workflow, [{ ...ok, status: 'failed' }, failedTags]), 'failed', 'thumbnails does not ignore errors');
});

test('the sources filter keeps manual tags, and colour tags only with the colour step', () => {
  const tags = {
    smart: [{ id: 'a', source: 'generic' }, { id: 'b', source: 'taxonomy' }, { id: 'c', source: 'trained' }, { id: 'd', source: 'color' }],
    manual: [{ id: 'm', source: 'manual' }], removed: [], hidden: 0,
  };
  const kept = filterTags(tags, { sources: ['taxonomy'], colors: false });
  assert.deepEqual(kept.smart.map((t) => t.id), ['b']);
  assert.deepEqual(kept.manual.map((t) => t.id), ['m']);
  assert.deepEqual(filterTags(tags, { sources: ['generic', 'trained'], colors: true }).smart.map((t) => t.id), ['a', 'c', 'd']);
  assert.equal(filterTags(null), null);
});

test('a step result reads as one badge line', () => {
  assert.equal(
    describeStep({ step: 'smart_tags', status: 'failed', reason: 'the tagging service is not answering' }),
    'Smart tags failed — the tagging service is not answering',
  );
  assert.equal(describeStep({ step: 'thumbnails', status: 'succeeded' }), 'Thumbnails done');
});

test('what the people step found reads as one line', () => {
  const found = (faces, persons, count) => ({ summary: { faces, persons, count } });
  assert.equal(describePeople(null), '', 'the detectors did not run');
  assert.equal(describePeople(found(0, 0, 0)), 'No people found');
  assert.equal(describePeople(found(3, 0, 3)), 'People: 3 faces');
  assert.equal(describePeople(found(1, 1, 1)), 'People: 1 face');
  assert.equal(describePeople(found(0, 1, 1)), 'People: 1 person, no face seen');
  assert.equal(describePeople(found(2, 5, 5)), 'People: 5 people, 2 faces');
});

test('the words of the text step read as one line', () => {
  assert.equal(describeText(null), '');
  assert.equal(describeText({ words: [] }), '');
  assert.equal(describeText({ words: [{ text: 'GM125' }, { text: 'NO PARKING' }] }), 'Text: GM125, NO PARKING');
});

test('a folder with face detection off: the people step is skipped with the service\'s reason', async () => {
  const reason = 'face and person detection is switched off for /hr/badges (set on /hr)';
  const answer = {
    asset: { asset_id: 'hr-1' }, tags: { smart: [], manual: [], removed: [], more: [] }, people: null, text: null,
    skipped: [{ step: 'people', status: 'skipped', attempts: 0, code: 'people_off', reason }],
  };
  const prepare = async () => ({ contentHash: 'ab'.repeat(32), colors: [] });
  const { result } = await runAsset({ workflow: defaultWorkflow(), folder: '/hr/badges', assetId: 'hr-1', prepare, tag: async () => answer });
  const people = result.steps.find((s) => s.step === 'people');
  assert.deepEqual(people, { step: 'people', status: 'skipped', attempts: 0, code: 'people_off', reason });
  assert.equal(result.outcome, 'completed');
  assert.equal(result.people, null);
  // Elsewhere the same answer without `skipped` and without findings means no detectors.
  const { result: elsewhere } = await runAsset({ workflow: defaultWorkflow(), prepare, tag: async () => ({ ...answer, skipped: undefined }) });
  assert.equal(elsewhere.steps.find((s) => s.step === 'people').code, 'no_detectors');
});
