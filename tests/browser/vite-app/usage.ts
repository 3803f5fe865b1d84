// Type-checked against the package's index.d.ts (tsc --noEmit): a host's TypeScript usage.
import { defineSmartTagsUploader, version, SmartTagsUploader } from 'smart-tags-uploader';
import type { SmartTag, SmartTagsTaggedDetail, SmartTagsChangeDetail } from 'smart-tags-uploader';
import type { PreprocessResult } from 'smart-tags-uploader/pkg/smart_tags_wasm.js';

const ctor: typeof SmartTagsUploader = defineSmartTagsUploader();
const v: string = version;
const el = document.createElement('smart-tags-uploader');
const same: SmartTagsUploader = el;
el.proxyUrl = 'https://tags.example.com/';
el.token = 'eyJ...';
el.locale = 'fr';
el.threshold = 0.4;
el.getToken = async () => 'fresh';

el.addEventListener('smart-tags:tagged', (event) => {
  const detail: SmartTagsTaggedDetail = event.detail;
  const thumb: Blob = detail.thumbnail;
  const hash: string = detail.contentHash;
  const titles: string[] = detail.tags.map((t: SmartTag) => t.path.join(' › '));
  console.log(thumb.size, hash, titles, detail.width * detail.height, detail.metadata.format);
});
document.body.addEventListener('smart-tags:change', (event) => {
  const detail: SmartTagsChangeDetail = event.detail;
  const accepted = detail.tags.filter((t) => t.status === 'accepted');
  const action = detail.action;
  // Narrowed by `type`: only undo and redo say which step they took back or sent again.
  const step: string = action.type === 'undo' || action.type === 'redo' ? action.step : action.type;
  console.log(action.type, action.tagId, step, accepted.length);
});
const undone: Promise<void> = el.undo();
const redone: Promise<void> = el.redo();
console.log(undone, redone);
el.addEventListener('smart-tags:error', (event) => console.log(event.detail.code, event.detail.message));
el.addEventListener('click', (event: MouseEvent) => console.log(event.button));

const tags: SmartTag[] | undefined = el.finalTags('ab12');
const files: File[] = el.files;
const states = el.results().map((r) => r.state);
const width: (result: PreprocessResult) => number = (result) => result.width;
console.log(ctor, v, same, tags, files, states, width);

// These must not compile: the types are real, not `any`.
// @ts-expect-error threshold is a number
el.threshold = 'high';
// @ts-expect-error the token is a string
const notANumber: number = el.token;
console.log(notANumber);
// @ts-expect-error no such event detail field
el.addEventListener('smart-tags:tagged', (event) => event.detail.notAField);
// @ts-expect-error finalTags takes a content hash string
el.finalTags(42);
el.addEventListener('smart-tags:change', (event) => {
  // @ts-expect-error an accept has no `step`: only undo and redo do
  if (event.detail.action.type === 'accept') console.log(event.detail.action.step);
});
