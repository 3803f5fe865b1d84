// `import 'smart-tags-uploader/define'` registers <smart-tags-uploader> and re-exports the API.
export * from './index.js';
