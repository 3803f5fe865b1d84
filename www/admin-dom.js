// The admin page's small DOM helpers, shared by its sections (admin.js, admin-taxonomy.js,
// admin-workflow.js, admin-retag.js).

export const $ = (id) => document.getElementById(id);

// An element with properties (and `dataset` entries) and children.
export function element(name, { dataset = {}, ...properties } = {}, ...children) {
  const node = Object.assign(document.createElement(name), properties);
  Object.assign(node.dataset, dataset);
  node.append(...children);
  return node;
}

export function button(label, onClick, properties = {}) {
  const node = element('button', { type: 'button', ...properties }, ...[label].flat());
  node.addEventListener('click', onClick);
  return node;
}

export const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

// Read out by screen readers (the page's live region).
export function announce(text) {
  $('announcer').textContent = text;
}

// A section's message line: `kind` info, warning or error.
export function say(id, text, kind = 'info') {
  const node = $(id);
  node.textContent = text;
  node.dataset.kind = kind;
}

// Hands a blob to the browser as a download (the token stays in the page, not in a URL).
export function saveBlob(name, blob) {
  const url = URL.createObjectURL(blob);
  const link = element('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
