//! Our own JSON format: `{"format": "smart-tags-taxonomy", "version": 1, "tags": [Tag, ...]}`,
//! each tag `{"id", "titles": {locale: title}, "synonyms": {locale: [..]}, "description"}`.

use serde::{Deserialize, Serialize};

use super::validate::{ImportProblem, ImportReport};
use super::{Tag, Taxonomy};

pub const FORMAT: &str = "smart-tags-taxonomy";
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Document {
    format: String,
    version: u32,
    tags: Vec<Tag>,
}

pub fn import(text: &str) -> Result<Taxonomy, ImportReport> {
    let syntax = |message: String| ImportReport {
        problems: vec![ImportProblem::Syntax { location: "json".to_owned(), message }],
    };
    let doc: Document = serde_json::from_str(text).map_err(|e| syntax(e.to_string()))?;
    if doc.format != FORMAT || doc.version != VERSION {
        return Err(syntax(format!(
            "expected format {FORMAT:?} version {VERSION}, found {:?} version {}",
            doc.format, doc.version
        )));
    }
    Taxonomy::new(doc.tags)
}

pub fn export(taxonomy: &Taxonomy) -> String {
    let doc = Document { format: FORMAT.to_owned(), version: VERSION, tags: taxonomy.tags().cloned().collect() };
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
