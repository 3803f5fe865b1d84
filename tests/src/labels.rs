//! The labelled evaluation set `tests/eval/labels.csv` (`photo,tags,blind_spot,notes`; see
//! `tests/eval/README.md`): 50 real photos from the fixtures cache, labelled with the demo taxonomy.
#![deny(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use smart_tags_core::taxonomy::TagId;

/// One row of labels.csv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labelled {
    /// Path relative to the fixtures cache, e.g. `skimage/chelsea.png`.
    pub photo: String,
    /// The most specific true tags.
    pub labels: Vec<TagId>,
    /// Those of `labels` that ImageNet-1k has no class for.
    pub blind: Vec<TagId>,
    /// The picture the photo shows: files with the same group (crops, sizes of one picture) stay
    /// on one side of a split. The `group` column, else the photo path.
    pub group: String,
}

#[derive(Debug, thiserror::Error)]
pub enum LabelsError {
    #[error("{path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("labels.csv: {0}")]
    Invalid(String),
}

/// `tests/eval/labels.csv` in the source tree.
pub fn labels_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/labels.csv")
}

/// `tests/eval/set2/`: the second set (its taxonomy, photos and labels; see its README).
pub fn set2_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/set2")
}

/// A minimal RFC 4180 reader: `"` quotes fields, `""` is a quote inside them.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// `|`-separated tag ids.
pub fn tag_ids(cell: &str) -> Result<Vec<TagId>, LabelsError> {
    cell.split('|')
        .filter(|s| !s.is_empty())
        .map(|s| TagId::parse(s).map_err(|e| LabelsError::Invalid(format!("{s}: {e}"))))
        .collect()
}

/// Every row of labels.csv, in file order. A blind spot must be one of the row's labels.
pub fn read_labels() -> Result<Vec<Labelled>, LabelsError> {
    read_labels_from(&labels_path())
}

/// Every row of a labels file (`photo,tags,blind_spot,…`), in file order.
pub fn read_labels_from(path: &Path) -> Result<Vec<Labelled>, LabelsError> {
    let path = path.to_path_buf();
    let text = std::fs::read_to_string(&path).map_err(|source| LabelsError::Read { path: path.clone(), source })?;
    let rows = parse_csv(&text);
    let header = rows.first().ok_or_else(|| LabelsError::Invalid("empty file".to_owned()))?;
    let col = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| LabelsError::Invalid(format!("no {name} column")))
    };
    let (photo, tags, blind) = (col("photo")?, col("tags")?, col("blind_spot")?);
    let group = header.iter().position(|h| h == "group");
    let width = photo.max(tags).max(blind);
    rows[1..]
        .iter()
        .filter(|r| r.len() > 1)
        .map(|r| {
            if r.len() <= width {
                return Err(LabelsError::Invalid(format!("row {r:?} has too few fields")));
            }
            let group = group.and_then(|g| r.get(g)).filter(|g| !g.is_empty()).unwrap_or(&r[photo]).clone();
            let l = Labelled { photo: r[photo].clone(), labels: tag_ids(&r[tags])?, blind: tag_ids(&r[blind])?, group };
            if l.blind.iter().any(|b| !l.labels.contains(b)) {
                return Err(LabelsError::Invalid(format!("{}: a blind spot must be one of the labels", l.photo)));
            }
            Ok(l)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_commas_and_quotes() {
        let rows = parse_csv("a,b\n\"x, y\",\"say \"\"hi\"\"\"\r\nlast,row");
        assert_eq!(rows, vec![vec!["a", "b"], vec!["x, y", "say \"hi\""], vec!["last", "row"]]);
    }

    #[test]
    fn set2_labels_use_its_frozen_taxonomy_and_listed_photos() -> Result<(), Box<dyn std::error::Error>> {
        let labelled = read_labels_from(&set2_dir().join("labels.csv"))?;
        assert_eq!(labelled.len(), 324);
        let taxonomy =
            smart_tags_core::taxonomy::csv::import(&std::fs::read_to_string(set2_dir().join("taxonomy.csv"))?)
                .map_err(|e| format!("{e:?}"))?;
        let photos = std::fs::read_to_string(set2_dir().join("photos.csv"))?;
        let listed: Vec<&str> = photos.lines().skip(1).filter_map(|l| l.split(',').next()).collect();
        for l in &labelled {
            assert!(listed.contains(&l.photo.as_str()), "{} is not in photos.csv", l.photo);
            assert!(!l.labels.is_empty(), "{}", l.photo);
            for label in &l.labels {
                assert!(taxonomy.get(label).is_some(), "{}: {label} is not a tag of set2/taxonomy.csv", l.photo);
                assert!(
                    !l.labels.iter().any(|other| other != label && label.is_within(other)),
                    "{}: a parent beside its child",
                    l.photo
                );
            }
        }
        assert!(!listed.iter().any(|p| p.contains("tuxpaint")), "Tux Paint is reserved for an independent evaluation");
        Ok(())
    }

    #[test]
    fn the_committed_labels_parse() -> Result<(), LabelsError> {
        let labelled = read_labels()?;
        assert_eq!(labelled.len(), 50);
        assert!(labelled.iter().all(|l| !l.labels.is_empty()));
        Ok(())
    }
}

/// One row of the people set `tests/eval/people/labels.csv` (see its README).
#[derive(Debug, Clone, PartialEq)]
pub struct PeopleLabel {
    /// The photo, relative to the fixtures folder.
    pub photo: String,
    /// `yes`, `no` or `unsure`.
    pub person: String,
    /// The countable faces; `None` for `many`.
    pub faces: Option<usize>,
    /// `portrait`, `group`, `crowd`, `person` or `none`.
    pub kind: String,
}

/// Every row of the people set, in file order.
pub fn read_people_labels() -> Result<Vec<PeopleLabel>, LabelsError> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/people/labels.csv");
    let text = std::fs::read_to_string(&path).map_err(|e| LabelsError::Invalid(format!("{}: {e}", path.display())))?;
    let rows = parse_csv(&text);
    if rows.first().map(|h| h.join(",")) != Some("photo,person,faces,kind,notes".to_owned()) {
        return Err(LabelsError::Invalid(
            "people/labels.csv: the header must be photo,person,faces,kind,notes".to_owned(),
        ));
    }
    rows.into_iter()
        .skip(1)
        .filter(|r| r.iter().any(|c| !c.is_empty()))
        .map(|r| {
            let [photo, person, faces, kind, _notes] = <[String; 5]>::try_from(r)
                .map_err(|r| LabelsError::Invalid(format!("people/labels.csv: {} fields in {r:?}", r.len())))?;
            if !["yes", "no", "unsure"].contains(&person.as_str())
                || !["portrait", "group", "crowd", "person", "none"].contains(&kind.as_str())
            {
                return Err(LabelsError::Invalid(format!(
                    "people/labels.csv: {photo}: person {person:?}, kind {kind:?}"
                )));
            }
            let faces = match faces.as_str() {
                "many" => None,
                n => Some(
                    n.parse().map_err(|_| LabelsError::Invalid(format!("people/labels.csv: {photo}: faces {n:?}")))?,
                ),
            };
            Ok(PeopleLabel { photo, person, faces, kind })
        })
        .collect()
}

/// Whether a photo group falls in the calibration half of an evaluation set: the first byte of
/// the SHA-256 of the group's name (the photo path, or its `group` when several files show one
/// picture) is even. Thresholds are fitted on this half; the other is what reports show.
pub fn in_calibration_half(group: &str) -> bool {
    u8::from_str_radix(&crate::sha256_hex(group.as_bytes())[..2], 16).is_ok_and(|b| b % 2 == 0)
}

/// `k/n (p%, lo–hi)` with the 95% Wilson interval; `n/a` when `n` is 0.
pub fn pct_ci(k: usize, n: usize) -> String {
    if n == 0 {
        return "n/a".to_owned();
    }
    let (lo, hi) = smart_tags_core::calibration::wilson_interval(k, n);
    format!("{k}/{n} ({:.0}%, {:.0}–{:.0})", 100.0 * k as f64 / n as f64, 100.0 * lo, 100.0 * hi)
}
