// Side-effect entry: `import 'smart-tags-uploader/define'` registers <smart-tags-uploader>.
import { defineSmartTagsUploader } from './index.js';

defineSmartTagsUploader();

export * from './index.js';
