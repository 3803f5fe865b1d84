//! Many XMP sidecars as one zip, each at the folder path of its file
//! (`shoot/day1/IMG_0001.JPG` → `shoot/day1/IMG_0001.xmp`), so that unpacked beside the images
//! every sidecar lands next to its picture, where Lightroom, Bridge and exiftool look. Entries
//! are stored (XMP is small text). Paths are made safe: `\` becomes `/`, and empty, `.` and `..`
//! segments and a leading `/` are dropped; a path taken twice gets ` (2)`, ` (3)`… before `.xmp`.

use std::collections::HashSet;
use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::xmp::{sidecar_name, to_xmp};
use super::ExportAsset;

#[derive(Debug, thiserror::Error)]
pub enum ZipExportError {
    #[error("cannot write the zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("cannot write the zip: {0}")]
    Write(#[from] std::io::Error),
}

/// Where the sidecar of a file named `name` (a folder-relative path or a bare name) sits in the zip.
pub fn sidecar_path(name: &str) -> String {
    let normalized = name.replace('\\', "/");
    let folders: Vec<&str> = normalized.split('/').collect();
    let (file, folders) = folders.split_last().map_or(("", &[][..]), |(f, rest)| (*f, rest));
    let mut path: Vec<&str> = folders.iter().copied().filter(|s| !s.is_empty() && *s != "." && *s != "..").collect();
    let sidecar = sidecar_name(file);
    path.push(&sidecar);
    path.join("/")
}

/// The zip of every asset's sidecar, in the given order.
pub fn to_xmp_zip(assets: &[ExportAsset]) -> Result<Vec<u8>, ZipExportError> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let mut taken = HashSet::new();
    for asset in assets {
        let wanted = sidecar_path(&asset.name);
        let mut path = wanted.clone();
        let mut n = 1;
        while !taken.insert(path.clone()) {
            n += 1;
            path = format!("{} ({n}).xmp", wanted.trim_end_matches(".xmp"));
        }
        zip.start_file(path, options)?;
        zip.write_all(to_xmp(asset).as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::super::tests::tag;
    use super::*;
    use std::io::Read;

    fn asset(name: &str, title: &str) -> ExportAsset {
        ExportAsset {
            name: name.into(),
            content_hash: None,
            tags: vec![tag("demo:a", title, &["Animals", title], 0.9)],
            words: vec![],
        }
    }

    #[test]
    fn sidecars_keep_their_folders_and_never_leave_the_archive() {
        assert_eq!(sidecar_path("shoot/day1/IMG_0001.JPG"), "shoot/day1/IMG_0001.xmp");
        assert_eq!(sidecar_path("IMG_0001.JPG"), "IMG_0001.xmp");
        assert_eq!(sidecar_path("/abs/../../etc/passwd.jpg"), "abs/etc/passwd.xmp");
        assert_eq!(sidecar_path("win\\folder\\a.png"), "win/folder/a.xmp");
        assert_eq!(sidecar_path("./a//b/.hidden"), "a/b/.hidden.xmp");
    }

    #[test]
    fn one_zip_holds_each_sidecar_once_with_the_xmp_of_its_asset() {
        let assets = [asset("shoot/cat.jpg", "Cats"), asset("shoot/cat.png", "Dogs"), asset("other/cat.jpg", "Birds")];
        let bytes = to_xmp_zip(&assets).unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let names: Vec<String> = archive.file_names().map(str::to_owned).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(sorted, ["other/cat.xmp", "shoot/cat (2).xmp", "shoot/cat.xmp"]);
        for (path, asset) in
            [("shoot/cat.xmp", &assets[0]), ("shoot/cat (2).xmp", &assets[1]), ("other/cat.xmp", &assets[2])]
        {
            let mut text = String::new();
            archive.by_name(path).unwrap().read_to_string(&mut text).unwrap();
            assert_eq!(text, to_xmp(asset), "{path}");
        }
    }
}
