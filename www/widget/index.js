// smart-tags-uploader: the <smart-tags-uploader> custom element (docs/widget.md).
//
//   import { defineSmartTagsUploader } from 'smart-tags-uploader';
//   defineSmartTagsUploader();            // registers <smart-tags-uploader> (once)
//
// or `import 'smart-tags-uploader/define'` to register it as a side effect.

import { SmartTagsUploader, VERSION } from './uploader.js';
import { LOCALES } from './strings.js';

export { SmartTagsUploader };
export { ApiError } from './api.js';

/** The package version. */
export const version = VERSION;

/** The languages the widget speaks; others fall back to English. */
export const locales = Object.freeze(Object.keys(LOCALES));

/** Registers the element under `name` (default `smart-tags-uploader`) unless it already is. */
export function defineSmartTagsUploader(name = 'smart-tags-uploader') {
  const existing = customElements.get(name);
  if (existing) return existing;
  // A subclass per extra name: one class may be registered under one name only.
  const element = name === 'smart-tags-uploader' ? SmartTagsUploader : class extends SmartTagsUploader {};
  customElements.define(name, element);
  return element;
}
