// Export of the review's results with the session's own export functions: one JSON file, one CSV
// file, and one XMP sidecar per asset (`<name without extension>.xmp`, dc:subject and
// lr:hierarchicalSubject), each XMP as its own download.

function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const stamp = () => new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');

export function exportJson(session) {
  download(`smart-tags-${stamp()}.json`, session.exportJson(), 'application/json');
}

export function exportCsv(session) {
  download(`smart-tags-${stamp()}.csv`, session.exportCsv(), 'text/csv');
}

// sidecarName: the wasm module's xmpSidecarName (IMG_0001.JPG → IMG_0001.xmp).
export async function exportXmp(session, nameOf, sidecarName) {
  const keys = session.queue();
  for (const key of keys) {
    download(sidecarName(nameOf(key) ?? key), session.exportXmp(key), 'application/rdf+xml');
    // Browsers drop downloads started in the same tick.
    await new Promise((r) => setTimeout(r, 150));
  }
  return keys.length;
}
