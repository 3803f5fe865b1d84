//! Bulk import of training examples: files plus either a manifest (`file,tags` CSV or a JSON
//! list of `{file, tags}`) or a layout of one folder per tag (the file's folder names its tag).
//! Tags are named by id, by the last segment of their id (`cats` for `demo:animals/pets/cats`)
//! or by a title in any locale; an ambiguous or unknown name refuses the file.
//!
//! Every file is checked, decoded and embedded before anything is written; the accepted ones
//! are then stored in one transaction. The report lists every refused file and why. With
//! `strict`, one refused file refuses the whole import.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use smart_tags_core::taxonomy::{id::slug, TagId, Taxonomy};

use crate::engine::Engine;
use crate::store::{NewExample, Store, StoreError};

/// Most files in one import.
pub const MAX_FILES: usize = 20_000;
/// Largest manifest, in bytes.
pub const MAX_MANIFEST_BYTES: usize = 16 * 1024 * 1024;
/// Most bytes an archive may expand to.
pub const MAX_EXPANDED_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// Images embedded per model call.
const BATCH: usize = 8;

/// One uploaded file and its path inside the upload (`cats/a.jpg`).
#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// What an import was given.
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub files: Vec<UploadedFile>,
    /// The manifest's name (its extension says CSV or JSON) and bytes.
    pub manifest: Option<UploadedFile>,
}

/// A file left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refused {
    pub file: String,
    pub reason: String,
}

/// The answer of an import.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    /// Files accepted.
    pub files: usize,
    /// (file, tag) pairs added.
    pub imported: usize,
    /// (file, tag) pairs the store already had.
    pub already_known: usize,
    pub refused: Vec<Refused>,
    /// Examples per tag after the import (imports and moderation).
    pub examples: BTreeMap<String, usize>,
    /// True when `strict` refused everything because a file was refused.
    pub rolled_back: bool,
}

/// Why an upload cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("the archive cannot be read: {0}")]
    Archive(String),
    #[error("the upload holds more than {MAX_FILES} files")]
    TooManyFiles,
    #[error("the archive expands to more than {MAX_EXPANDED_BYTES} bytes")]
    TooLarge,
    #[error("the manifest is not valid: {0}")]
    Manifest(String),
    #[error("the upload holds no image files")]
    Empty,
}

fn is_skipped(path: &str) -> bool {
    path.ends_with('/') || path.split('/').any(|part| part.starts_with('.') || part == "__MACOSX")
}

fn is_manifest(path: &str) -> bool {
    matches!(path.trim_start_matches("./"), "manifest.csv" | "manifest.json")
}

/// Reads a zip archive: its files, and `manifest.csv` / `manifest.json` at its root if present.
pub fn read_zip(bytes: &[u8], max_file_bytes: usize) -> Result<Upload, UploadError> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| UploadError::Archive(e.to_string()))?;
    if archive.len() > MAX_FILES + 1 {
        return Err(UploadError::TooManyFiles);
    }
    let mut upload = Upload::default();
    let mut expanded = 0u64;
    for index in 0..archive.len() {
        let entry = archive.by_index(index).map_err(|e| UploadError::Archive(e.to_string()))?;
        let path = entry.name().replace('\\', "/");
        if entry.is_dir() || is_skipped(&path) {
            continue;
        }
        let limit = if is_manifest(&path) { MAX_MANIFEST_BYTES } else { max_file_bytes };
        // The declared size may lie: read at most one byte past the limit.
        let mut data = Vec::new();
        entry
            .take(limit as u64 + 1)
            .read_to_end(&mut data)
            .map_err(|e| UploadError::Archive(format!("{path}: {e}")))?;
        expanded += data.len() as u64;
        if expanded > MAX_EXPANDED_BYTES {
            return Err(UploadError::TooLarge);
        }
        let file = UploadedFile { path, bytes: data };
        if is_manifest(&file.path) {
            upload.manifest = Some(file);
        } else {
            upload.files.push(file);
        }
    }
    Ok(upload)
}

#[derive(Deserialize)]
struct JsonEntry {
    file: String,
    tags: Vec<String>,
}

/// Parses a manifest into file -> tag names.
pub fn parse_manifest(manifest: &UploadedFile) -> Result<HashMap<String, Vec<String>>, UploadError> {
    // Never a cut manifest: its last line, cut short, would name another tag or file.
    if manifest.bytes.len() > MAX_MANIFEST_BYTES {
        return Err(UploadError::Manifest(format!("it is larger than {MAX_MANIFEST_BYTES} bytes")));
    }
    let text =
        std::str::from_utf8(&manifest.bytes).map_err(|_| UploadError::Manifest("it is not utf-8 text".to_owned()))?;
    let mut entries: HashMap<String, Vec<String>> = HashMap::new();
    if manifest.path.ends_with(".json") {
        let list: Vec<JsonEntry> = serde_json::from_str(text)
            .map_err(|e| UploadError::Manifest(format!("expected a list of {{file, tags}}: {e}")))?;
        for entry in list {
            entries.entry(normalize(&entry.file)).or_default().extend(entry.tags);
        }
        return Ok(entries);
    }
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let header = lines.next().map(|(_, l)| l.trim().trim_start_matches('\u{feff}').to_ascii_lowercase());
    if header.as_deref() != Some("file,tags") {
        return Err(UploadError::Manifest("a csv manifest starts with the header `file,tags`".to_owned()));
    }
    for (number, line) in lines {
        let (file, tags) = split_csv_line(line)
            .ok_or_else(|| UploadError::Manifest(format!("line {}: expected `file,tags`", number + 1)))?;
        let tags = tags.split('|').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
        entries.entry(normalize(&file)).or_default().extend(tags);
    }
    Ok(entries)
}

/// `file,tags` with either field optionally in double quotes (`""` for a quote).
fn split_csv_line(line: &str) -> Option<(String, String)> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    match <[String; 2]>::try_from(fields) {
        Ok([file, tags]) if !quoted => Some((file.trim().to_owned(), tags)),
        _ => None,
    }
}

fn normalize(path: &str) -> String {
    path.replace('\\', "/").trim_start_matches("./").to_owned()
}

/// Resolves a tag name: an id (a taxonomy tag's, or a built-in scene's `scene:<title>`), the last
/// segment of one id, or one tag's title in any locale.
pub fn resolve_tag(name: &str, taxonomy: &Taxonomy) -> Result<TagId, String> {
    let name = name.trim();
    if let Ok(id) = TagId::parse(name) {
        // A built-in scene (`scene:sky`) names an example of the scene model.
        if taxonomy.get(&id).is_some() || smart_tags_core::scenes::is_scene_tag(&id) {
            return Ok(id);
        }
    }
    let wanted = slug(name);
    let by_segment: Vec<&TagId> =
        taxonomy.tags().map(|t| &t.id).filter(|id| id.path().rsplit('/').next() == Some(wanted.as_str())).collect();
    let by_title: Vec<&TagId> = taxonomy
        .tags()
        .filter(|t| t.titles.values().any(|title| title.to_lowercase() == name.to_lowercase()))
        .map(|t| &t.id)
        .collect();
    for found in [by_segment, by_title] {
        match found.as_slice() {
            [one] => return Ok((*one).clone()),
            [] => {}
            many => {
                let ids: Vec<String> = many.iter().map(ToString::to_string).collect();
                return Err(format!("the tag name {name:?} is ambiguous: it matches {}", ids.join(", ")));
            }
        }
    }
    Err(format!("no tag of the taxonomy is named {name:?}"))
}

/// The files that can be placed (index into [`Upload::files`], with their tags) and the refused.
pub type Plan = (Vec<(usize, Vec<TagId>)>, Vec<Refused>);

/// Which tags each file is an example of; files that cannot be placed are refused.
pub fn plan(upload: &Upload, taxonomy: &Taxonomy) -> Result<Plan, UploadError> {
    if upload.files.len() > MAX_FILES {
        return Err(UploadError::TooManyFiles);
    }
    let manifest = upload.manifest.as_ref().map(parse_manifest).transpose()?;
    let mut planned = Vec::new();
    let mut refused = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (index, file) in upload.files.iter().enumerate() {
        let path = normalize(&file.path);
        seen.insert(path.clone());
        let names: Vec<String> = match &manifest {
            Some(entries) => match entries.get(&path) {
                Some(names) => names.clone(),
                None => {
                    refused.push(Refused { file: path, reason: "not listed in the manifest".to_owned() });
                    continue;
                }
            },
            None => match path.rsplit('/').nth(1) {
                Some(folder) => vec![folder.to_owned()],
                None => {
                    refused.push(Refused {
                        file: path,
                        reason: "not in a tag folder, and there is no manifest".to_owned(),
                    });
                    continue;
                }
            },
        };
        let resolved: Result<Vec<TagId>, String> = names.iter().map(|n| resolve_tag(n, taxonomy)).collect();
        match resolved {
            Ok(tags) if tags.is_empty() => refused.push(Refused { file: path, reason: "no tags given".to_owned() }),
            Ok(tags) => planned.push((index, tags)),
            Err(reason) => refused.push(Refused { file: path, reason }),
        }
    }
    if let Some(entries) = &manifest {
        let mut missing: Vec<&String> = entries.keys().filter(|f| !seen.contains(*f)).collect();
        missing.sort();
        refused.extend(
            missing
                .into_iter()
                .map(|f| Refused { file: f.clone(), reason: "listed in the manifest but not uploaded".to_owned() }),
        );
    }
    Ok((planned, refused))
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes, embeds and stores the planned files; see the module documentation.
pub fn import(
    store: &Store,
    engine: &Engine,
    taxonomy: &Taxonomy,
    upload: &Upload,
    strict: bool,
) -> Result<ImportReport, ImportFailure> {
    if upload.files.is_empty() {
        return Err(UploadError::Empty.into());
    }
    let (planned, mut refused) = plan(upload, taxonomy)?;
    let image_model = engine.version().to_owned();
    let options = smart_tags_core::preprocess::Options::default();
    let mut ready: Vec<NewExample> = Vec::new();
    let mut pending: Vec<(NewExample, smart_tags_core::ModelInput)> = Vec::new();
    for (index, tags) in planned {
        let file = &upload.files[index];
        let hash = sha256_hex(&file.bytes);
        let tags: Vec<String> = tags.iter().map(ToString::to_string).collect();
        let example = NewExample {
            content_hash: hash,
            embedding: Vec::new(),
            tags,
            file: Some(normalize(&file.path)),
            picture: None,
        };
        if let Some(embedding) = store.embedding(&example.content_hash, &image_model)? {
            ready.push(NewExample { embedding, ..example });
            continue;
        }
        match smart_tags_core::preprocess(&file.bytes, &options) {
            Ok(pre) => pending.push((example, pre.model_input)),
            Err(error) => refused.push(Refused { file: normalize(&file.path), reason: error.to_string() }),
        }
    }
    for chunk in pending.chunks(BATCH) {
        let inputs: Vec<_> = chunk.iter().map(|(_, input)| input.clone()).collect();
        let outputs = engine.infer(&inputs).map_err(ImportFailure::Inference)?;
        for ((example, _), output) in chunk.iter().zip(outputs) {
            ready.push(NewExample { embedding: output.embedding, ..example.clone() });
        }
    }
    let mut report = ImportReport { files: ready.len(), refused, ..ImportReport::default() };
    if strict && !report.refused.is_empty() {
        report.files = 0;
        report.rolled_back = true;
    } else {
        let added = store.add_examples(&image_model, &ready)?;
        report.imported = added.imported;
        report.already_known = added.already_known;
    }
    report.examples = store.example_counts(&image_model)?;
    Ok(report)
}

/// Why an import failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    #[error(transparent)]
    Upload(#[from] UploadError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the image model failed: {0}")]
    Inference(crate::engine::EngineError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taxonomy() -> Taxonomy {
        let json = r#"{"format":"smart-tags-taxonomy","version":1,"tags":[
            {"id":"demo:","titles":{"en":"Demo"}},
            {"id":"demo:animals","titles":{"en":"Animals","de":"Tiere"}},
            {"id":"demo:animals/cats","titles":{"en":"Cats"}},
            {"id":"demo:toys","titles":{"en":"Toys"}},
            {"id":"demo:toys/cats","titles":{"en":"Toy cats"}}
        ]}"#;
        smart_tags_core::taxonomy::json::import(json).unwrap()
    }

    fn file(path: &str) -> UploadedFile {
        UploadedFile { path: path.to_owned(), bytes: vec![1, 2, 3] }
    }

    #[test]
    fn tag_names_resolve_by_id_segment_or_title() {
        let t = taxonomy();
        assert_eq!(resolve_tag("demo:toys/cats", &t).unwrap().to_string(), "demo:toys/cats");
        assert_eq!(resolve_tag("animals", &t).unwrap().to_string(), "demo:animals");
        assert_eq!(resolve_tag("Tiere", &t).unwrap().to_string(), "demo:animals");
        assert_eq!(resolve_tag("toy cats", &t).unwrap().to_string(), "demo:toys/cats");
        assert!(resolve_tag("cats", &t).unwrap_err().contains("ambiguous"));
        assert!(resolve_tag("dogs", &t).unwrap_err().contains("no tag"));
    }

    #[test]
    fn folders_or_a_manifest_place_files_and_the_rest_is_refused() {
        let t = taxonomy();
        let folders =
            Upload { files: vec![file("set/animals/a.jpg"), file("b.jpg"), file("set/dogs/c.jpg")], manifest: None };
        let (planned, refused) = plan(&folders, &t).unwrap();
        assert_eq!(planned.len(), 1);
        assert_eq!(planned[0].1[0].to_string(), "demo:animals");
        assert_eq!(refused.len(), 2);
        let manifest = UploadedFile {
            path: "manifest.csv".into(),
            bytes: b"file,tags\na.jpg,demo:animals|Toys\n\"b,1.jpg\",toys\nmissing.jpg,toys\n".to_vec(),
        };
        let listed =
            Upload { files: vec![file("a.jpg"), file("b,1.jpg"), file("other.jpg")], manifest: Some(manifest) };
        let (planned, refused) = plan(&listed, &t).unwrap();
        assert_eq!(planned.iter().map(|(_, tags)| tags.len()).collect::<Vec<_>>(), [2, 1]);
        let reasons: Vec<(&str, &str)> = refused.iter().map(|r| (r.file.as_str(), r.reason.as_str())).collect();
        assert_eq!(
            reasons,
            [("other.jpg", "not listed in the manifest"), ("missing.jpg", "listed in the manifest but not uploaded")]
        );
        // One byte over the limit — as the zip reader leaves a longer one — is refused, not cut.
        let mut long = b"file,tags\n".to_vec();
        while long.len() <= MAX_MANIFEST_BYTES {
            long.extend_from_slice(b"a.jpg,demo:animals/pets/cats\n");
        }
        long.truncate(MAX_MANIFEST_BYTES + 1);
        let cut = UploadedFile { path: "manifest.csv".into(), bytes: long };
        assert!(
            matches!(plan(&Upload { files: vec![file("a.jpg")], manifest: Some(cut) }, &t), Err(UploadError::Manifest(m)) if m.contains("larger than"))
        );
        let bad = UploadedFile { path: "manifest.csv".into(), bytes: b"name,labels\n".to_vec() };
        assert!(matches!(plan(&Upload { files: vec![], manifest: Some(bad) }, &t), Err(UploadError::Manifest(_))));
    }

    #[test]
    fn zip_archives_are_read_with_limits() {
        use std::io::Write;
        let mut buffer = std::io::Cursor::new(Vec::new());
        {
            let mut writer = zip::ZipWriter::new(&mut buffer);
            let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            writer.start_file("manifest.csv", options).unwrap();
            writer.write_all(b"file,tags\nbig.jpg,toys\n").unwrap();
            writer.start_file("__MACOSX/._big.jpg", options).unwrap();
            writer.write_all(b"x").unwrap();
            writer.start_file("big.jpg", options).unwrap();
            // A small bomb: 10 MB of zeros compress to a few kB.
            writer.write_all(&vec![0u8; 10_000_000]).unwrap();
            writer.finish().unwrap();
        }
        let bytes = buffer.into_inner();
        assert!(bytes.len() < 100_000);
        let upload = read_zip(&bytes, 20_000_000).unwrap();
        assert_eq!(upload.files.len(), 1);
        assert!(upload.manifest.is_some());
        // Capped at the per-file limit plus one byte, whatever the header says.
        let capped = read_zip(&bytes, 1000).unwrap();
        assert_eq!(capped.files[0].bytes.len(), 1001);
        assert!(matches!(read_zip(b"not a zip", 1000), Err(UploadError::Archive(_))));
    }
}
