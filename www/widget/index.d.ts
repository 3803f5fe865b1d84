// Public API of smart-tags-uploader (hand-written; the wasm module's generated types are in
// ../pkg/smart_tags_wasm.d.ts). Documented in docs/widget.md.

/** The package version, e.g. "0.1.0". */
export declare const version: string;

/** Languages with their own strings; any other locale falls back to English. */
export declare const locales: readonly string[];

/** Where a tag came from. */
export type TagSource = 'taxonomy' | 'generic' | 'color' | 'manual' | 'trained';

/** Review state of a tag in the widget. */
export type TagStatus = 'suggested' | 'accepted' | 'added' | 'rejected';

/** One final tag of an asset. */
export interface SmartTag {
  /** `namespace:path/to/tag` for taxonomy tags, `wordnet:<wnid>` for generic ones, `color:<name>`. */
  id: string;
  /** Title in the widget's locale (English when the taxonomy has none). */
  title: string;
  /** Titles from the root down to this tag, this tag last: the hierarchy. */
  path: string[];
  /** 0 to 1; 1 for accepted and added tags; the coverage for colours. */
  confidence: number;
  /** `manual` once a person accepted or added it. */
  source: TagSource;
  /** `suggested`, `accepted` or `added` (final tags never carry `rejected`). */
  status: Exclude<TagStatus, 'rejected'>;
  /** `#rrggbb` of a colour tag. */
  hex?: string;
}

/** What the widget read from the file (keys present only when known). */
export interface ImageMetadata {
  width?: number;
  height?: number;
  format?: string;
  orientation?: number;
  dateTimeOriginal?: string;
  dateTimeOriginalIso?: string;
  make?: string;
  model?: string;
  lensModel?: string;
  exposureTime?: number;
  exposureTimeText?: string;
  fNumber?: number;
  iso?: number;
  focalLength?: number;
  gpsLatitude?: number;
  gpsLongitude?: number;
  [key: string]: unknown;
}

export type FileState = 'queued' | 'preparing' | 'uploading' | 'tagging' | 'done' | 'failed';

/** A step of the upload workflow (docs/workflow.md). */
export type WorkflowStepKind = 'thumbnails' | 'smart_tags' | 'people' | 'text' | 'color_tags';
export type WorkflowStepStatus = 'succeeded' | 'failed' | 'skipped';
/** `failed` iff a failed step does not ignore errors. */
export type WorkflowOutcome = 'completed' | 'completed_with_errors' | 'failed';

/** What one step did for one asset (the server's snake_case JSON). */
export interface WorkflowStepResult {
  step: WorkflowStepKind;
  status: WorkflowStepStatus;
  /** Tries made (0 when skipped before trying). */
  attempts: number;
  /** Why it failed or was skipped: the preprocessor's or the proxy's code, `timeout`, `network`, `smart_tags_off`, `disabled`… */
  code?: string;
  /** The reason in words, e.g. "the tagging service is unavailable, try again later". */
  reason?: string;
  /** Time spent on the step, all tries together, in ms. */
  ms?: number;
}

/** An asset's tags as the service answers them, after the workflow's sources filter. */
export interface AssetTags {
  smart: Array<Omit<SmartTag, 'status'> & { model_version?: string; hex?: string }>;
  manual: Array<Omit<SmartTag, 'status'>>;
  removed: string[];
  hidden: number;
}

/** A box in the picture, normalised to 0–1 (x to the right, y down; x, y the top-left corner). */
export interface DetectionBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What the face and person detectors found (presence only: no identity, no attribute). */
export interface PeopleFound {
  /** The detector models' versions. */
  version: string;
  /** Faces at or above the counting threshold, best first. */
  faces: Array<{ box: DetectionBox; score: number; class: number }>;
  /** Person boxes at or above the counting threshold, best first. */
  persons: Array<{ box: DetectionBox; score: number; class: number }>;
  summary: {
    /** Faces counted. */
    faces: number;
    /** Person boxes counted. */
    persons: number;
    /** People seen: the larger of the two counts. */
    count: number;
    /** Confidences (0–1) of the people concepts: anybody, one face as the subject, 2–6 people, more. */
    people: number;
    portrait: number;
    group: number;
    crowd: number;
    best_face: number;
    best_person: number;
  };
}

/** The words the text reader (PP-OCRv4 on the thumbnail) read in a picture. */
export interface TextFound {
  version: string;
  /** Words or lines of two letters or digits or more, scored 0.5 or more, most probable boxes first. */
  words: Array<{ text: string; score: number; box: DetectionBox }>;
  /** Confidence (0–1) that the picture contains text. */
  confidence: number;
}

/** A stored asset near another image. */
export interface SimilarAsset {
  asset: { key: number; asset_id: string | null; content_hash: string | null; folder: string | null };
  /** The cosine of the two images' embeddings (1 for the same bytes). */
  similarity: number;
  /** Whether the two are near duplicates (similarity at least 0.66). */
  duplicate: boolean;
}

/** A page of search hits, best first. */
export interface SearchPage {
  /** `score`: the weakest term's confidence (0–1). */
  hits: Array<{ asset: SimilarAsset['asset']; score: number }>;
  /** Pass as `after` for the next page; null on the last one. */
  next: string | null;
  /** How each word or tag was understood: the tags it stands for, and whether read text counts. */
  terms: Array<{ term: string; tags: Array<{ id: string; title: string }>; text: boolean }>;
}

/** The per-asset result of the workflow, as the service and the back-end API write it. */
export interface AssetResult {
  asset_id: string | null;
  content_hash: string | null;
  folder: string;
  outcome: WorkflowOutcome;
  steps: WorkflowStepResult[];
  /** Null when smart tags did not answer (failed or skipped). */
  tags: AssetTags | null;
  /** What the face and person detectors found; null when the people step is off or did not run. */
  people: PeopleFound | null;
  /** The words read in the picture; null when the text step is off or did not run. */
  text: TextFound | null;
  /**
   * Stored assets this image is a near duplicate of (the same bytes under another asset id, or a
   * re-encoded, resized, slightly cropped or recoloured copy), nearest first; empty when none.
   */
  duplicates: SimilarAsset[];
  /** True when the model did not run: the stored tags or model output of the same bytes were reused. */
  reused: boolean;
  /** True when a failed step may succeed if tried again (network, timeout, 5xx): call `retag(file)`. */
  retryable: boolean;
  /** The browser's colours, when the colour step ran but smart tags did not answer. */
  colors?: Array<{ name: string; hex: string; coverage: number; [key: string]: unknown }>;
}

/** `smart-tags:file`: a file was accepted (dropped, picked or pasted). */
export interface SmartTagsFileDetail {
  file: File;
}

/** `smart-tags:tagged`: a file has its suggested tags. */
export interface SmartTagsTaggedDetail {
  file: File;
  name: string;
  /** SHA-256 of the file's bytes, lowercase hex: the asset's key at the tagging service. */
  contentHash: string;
  /** The upright JPEG thumbnail (longest side 512 px). */
  thumbnail: Blob;
  /** Upright size of the image in pixels. */
  width: number;
  height: number;
  metadata: ImageMetadata;
  /** The final tags so far: suggestions at or above the threshold and any manual tags. */
  tags: SmartTag[];
  /** What the face and person detectors found (`result.people`). */
  people: PeopleFound | null;
  /** The words read in the picture (`result.text`). */
  text: TextFound | null;
  /** The workflow's per-asset result. */
  result: AssetResult;
}

/** `smart-tags:asset-result`: the workflow ran for a file (upload, Retry or `retag`), whatever its outcome. */
export interface SmartTagsAssetResultDetail {
  file: File;
  name: string;
  /** Undefined when the file could not be read. */
  contentHash: string | undefined;
  result: AssetResult;
}

/** A review step: what the history holds, and what undo takes back. */
export type ReviewActionType = 'accept' | 'reject' | 'add';

/** A person accepted, rejected or added a tag. */
export interface ReviewAction {
  type: ReviewActionType;
  tagId: string;
}

/** A step taken back (`undo`) or sent again (`redo`); `step` is what that step was. */
export interface HistoryAction {
  type: 'undo' | 'redo';
  step: ReviewActionType;
  tagId: string;
}

export type SmartTagsChangeAction = ReviewAction | HistoryAction;

/** `smart-tags:change`: a person accepted, rejected or added a tag, or undid or redid a step. */
export interface SmartTagsChangeDetail {
  file: File;
  name: string;
  contentHash: string;
  action: SmartTagsChangeAction;
  /** The final tags after this action. */
  tags: SmartTag[];
}

/** Error codes: the preprocessor's, the proxy's, or `network`. */
export type SmartTagsErrorCode =
  | 'too_large' | 'unsupported' | 'corrupt' | 'invalid_options' | 'failed' | 'timeout' | 'cancelled' | 'module_failed'
  | 'network' | 'widget_token_required' | 'widget_token_invalid' | 'rate_limited' | 'http_error'
  | (string & {});

/** `smart-tags:error`: a file failed (it can be retried) or a review action was refused. */
export interface SmartTagsErrorDetail {
  file: File;
  code: SmartTagsErrorCode;
  message: string;
  /** The workflow's per-asset result, when the failure is the workflow's outcome. */
  result?: AssetResult;
}

/** The widget's events and their detail types. All bubble and cross the shadow boundary. */
export interface SmartTagsEventMap {
  'smart-tags:file': CustomEvent<SmartTagsFileDetail>;
  'smart-tags:tagged': CustomEvent<SmartTagsTaggedDetail>;
  'smart-tags:change': CustomEvent<SmartTagsChangeDetail>;
  'smart-tags:error': CustomEvent<SmartTagsErrorDetail>;
  'smart-tags:asset-result': CustomEvent<SmartTagsAssetResultDetail>;
}

/** One file in the widget. */
export interface SmartTagsResult {
  file: File;
  name: string;
  state: FileState;
  contentHash?: string;
  thumbnail?: Blob;
  width?: number;
  height?: number;
  metadata?: ImageMetadata;
  tags: SmartTag[];
  error?: string;
  /** The workflow's per-asset result, once it ran. */
  result?: AssetResult;
}

/** Options, as properties (the same names as the kebab-case attributes). */
export interface SmartTagsUploaderOptions {
  /** Base URL of the proxy (`proxy-url`); its API is under `api/v1/`. Default: the page's origin. */
  proxyUrl: string;
  /** The widget token (`token`), sent as `Authorization: Bearer`. */
  token: string | undefined;
  /** Called for a new token when there is none or the proxy refuses the current one. */
  getToken: (() => Promise<string> | string) | null;
  /** BCP-47 locale (`locale`) of the strings, numbers and tag titles. Default `en`. */
  locale: string;
  /** Hide suggestions below this confidence, 0 to 1 (`threshold`); colours are exempt. */
  threshold: number;
  /** Folder serving worker.js and pkg/ (`assets-url`, alias `wasm-url`), on the page's origin. */
  assetsUrl: string;
  /** The DAM folder of the uploads (`folder`), e.g. `/campaigns/2026`: its workflow and smart-tag setting apply. Default `/`. */
  folder: string;
}

/** The element; its options are the properties of SmartTagsUploaderOptions (merged below). */
export declare class SmartTagsUploader extends HTMLElement {
  static readonly observedAttributes: string[];
  /** The files the widget accepted, in order. */
  readonly files: File[];
  /** One result per file. */
  results(): SmartTagsResult[];
  /** The final tags of the asset with this content hash, or undefined. */
  finalTags(contentHash: string): SmartTag[] | undefined;
  /** Adds files as if they were dropped. */
  addFiles(files: Iterable<File> | ArrayLike<File>): void;
  /** Takes back the last review step of any file (Ctrl+Z / Cmd+Z); resolves once the service answered. */
  undo(): Promise<void>;
  /** Sends the last undone step again (Ctrl+Shift+Z / Cmd+Shift+Z / Ctrl+Y). */
  redo(): Promise<void>;
  /**
   * Runs the smart tags step again for a file whose tagging failed (the widget keeps the File):
   * by the File, its content hash or its DAM asset id. Resolves with the new result.
   */
  retag(target: File | string): Promise<AssetResult | undefined>;
  /**
   * The stored assets that look most like the one with this content hash, nearest first (limit
   * 1–100, default 10).
   */
  similar(contentHash: string, options?: { limit?: number }): Promise<SimilarAsset[]>;
  /**
   * The stored assets that show these tags and match these words (taxonomy titles and synonyms in
   * any locale, generic tags, colours, words read in the picture), best first (limit 1–200,
   * default 50); pass the page's `next` as `after` for the next one.
   */
  search(q: string, options?: { tags?: string[]; folder?: string; recursive?: boolean; limit?: number; after?: string; locale?: string }): Promise<SearchPage>;

  // HTMLElementEventMap includes SmartTagsEventMap (below), so the widget's events are typed too.
  addEventListener<K extends keyof HTMLElementEventMap>(
    type: K, listener: (this: SmartTagsUploader, event: HTMLElementEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof HTMLElementEventMap>(
    type: K, listener: (this: SmartTagsUploader, event: HTMLElementEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

export interface SmartTagsUploader extends SmartTagsUploaderOptions {}

/** An error from the proxy or the network. */
export declare class ApiError extends Error {
  constructor(code: string, message: string, status?: number);
  readonly code: string;
  readonly status: number;
}

/** Registers the element under `name` (default `smart-tags-uploader`) unless it already is. */
export declare function defineSmartTagsUploader(name?: string): typeof SmartTagsUploader;

declare global {
  interface HTMLElementTagNameMap {
    'smart-tags-uploader': SmartTagsUploader;
  }
  // The events bubble and are composed: listeners on any ancestor get their detail types.
  interface HTMLElementEventMap extends SmartTagsEventMap {}
}
