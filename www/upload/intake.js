// Where files come from: the file picker, the folder picker (webkitdirectory), drag-and-drop of
// files and folders (DataTransferItem.webkitGetAsEntry, folders walked recursively, anything that
// is not a file skipped) and paste (images on the clipboard). Every source ends in onFiles(File[]).

// Reads every entry of a folder: readEntries answers in batches until an empty one.
function readAll(reader) {
  return new Promise((resolve) => {
    const entries = [];
    const next = () => reader.readEntries((batch) => {
      if (batch.length === 0) return resolve(entries);
      entries.push(...batch);
      next();
    }, () => resolve(entries));
    next();
  });
}

function entryFile(entry) {
  return new Promise((resolve) => entry.file(resolve, () => resolve(null)));
}

// The files under an entry, in name order; a folder's files are named with their relative path.
async function walk(entry, out) {
  if (entry.isFile) {
    const file = await entryFile(entry);
    if (file) out.push(withPath(file, entry.fullPath.replace(/^\//, '')));
  } else if (entry.isDirectory) {
    const children = await readAll(entry.createReader());
    children.sort((a, b) => a.name.localeCompare(b.name));
    for (const child of children) await walk(child, out);
  }
}

// Keeps a folder-relative path next to the File (File.webkitRelativePath is read-only and empty
// for dropped files).
function withPath(file, relativePath) {
  if (relativePath && relativePath !== file.name) Object.defineProperty(file, 'relativePath', { value: relativePath });
  return file;
}

export async function filesFromDataTransfer(transfer) {
  const items = [...(transfer.items ?? [])].filter((item) => item.kind === 'file');
  const entries = items.map((item) => item.webkitGetAsEntry?.() ?? null);
  if (entries.length === 0 || entries.some((e) => e === null)) return [...transfer.files];
  const out = [];
  for (const entry of entries) await walk(entry, out);
  return out;
}

export function displayName(file) {
  return file.relativePath || file.webkitRelativePath || file.name;
}

export function wireIntake({ drop, fileInput, folderInput, onFiles }) {
  fileInput.addEventListener('change', () => {
    onFiles([...fileInput.files]);
    fileInput.value = '';
  });
  folderInput?.addEventListener('change', () => {
    onFiles([...folderInput.files]);
    folderInput.value = '';
  });
  for (const name of ['dragenter', 'dragover']) {
    drop.addEventListener(name, (e) => { e.preventDefault(); drop.classList.add('over'); });
  }
  for (const name of ['dragleave', 'drop']) drop.addEventListener(name, () => drop.classList.remove('over'));
  drop.addEventListener('drop', async (e) => {
    e.preventDefault();
    onFiles(await filesFromDataTransfer(e.dataTransfer));
  });
  document.addEventListener('paste', (e) => {
    if (e.target instanceof HTMLInputElement && e.target.type === 'text') return;
    const files = [...(e.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    e.preventDefault();
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    // Pasted screenshots all come as "image.png": give each one a name of its own.
    onFiles(files.map((f, i) => (f.name && f.name !== 'image.png' ? f
      : new File([f], `pasted-${stamp}${files.length > 1 ? `-${i + 1}` : ''}.${(f.type.split('/')[1] || 'png')}`, { type: f.type }))));
  });
}
