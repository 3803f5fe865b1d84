// Export of the review's results with the session's own export functions: one JSON file, one CSV
// file, and the XMP sidecars (`<name without extension>.xmp`, dc:subject and
// lr:hierarchicalSubject): one file for one asset, a zip keeping folder paths for several. `filter`
// ({confirmedOnly, taxonomyOnly}, the toolbar's check boxes) says which final tags go out; the
// rule is core's `export::ExportFilter`.

function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const stamp = () => new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');

export function exportJson(session, filter) {
  download(`smart-tags-${stamp()}.json`, session.exportJson(undefined, filter), 'application/json');
}

export function exportCsv(session, filter) {
  download(`smart-tags-${stamp()}.csv`, session.exportCsv(undefined, filter), 'text/csv');
}

// One asset: its sidecar (sidecarName: the wasm module's xmpSidecarName, IMG_0001.JPG →
// IMG_0001.xmp). Several: one zip of their sidecars, each at its file's folder path, to unpack
// beside the images (one download, however many images: browsers refuse bursts of downloads).
export function exportXmp(session, nameOf, sidecarName, filter) {
  const keys = session.queue();
  if (keys.length === 1) {
    download(sidecarName(nameOf(keys[0]) ?? keys[0]), session.exportXmp(keys[0], filter), 'application/rdf+xml');
  } else if (keys.length > 1) {
    download(`smart-tags-xmp-${stamp()}.zip`, session.exportXmpZip(keys, filter), 'application/zip');
  }
  return keys.length;
}
