//! The taxonomy routes, one per file. Tag ids contain `:` and `/`, so a tag is addressed by the
//! rest of the path (`/v1/taxonomy/tags/{*id}`, e.g. `/v1/taxonomy/tags/products:apparel/shoes`)
//! and nothing may follow the id: moving is `POST /v1/taxonomy/move` with the id in the body.

pub mod changes;
pub mod create_tag;
pub mod delete_tag;
pub mod export;
pub mod get_tag;
pub mod import;
pub mod move_tag;
pub mod suggest;
pub mod update_tag;

use serde::Deserialize;

/// Header carrying the taxonomy version on answers that read or change the taxonomy.
pub const VERSION_HEADER: &str = "x-smart-tags-taxonomy-version";

/// Largest taxonomy accepted by `PUT /v1/taxonomy`.
pub const IMPORT_BODY_LIMIT: usize = 10 * 1024 * 1024;

/// The taxonomy formats of the `format` query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaxonomyFormat {
    /// `smart_tags_core::taxonomy::json`.
    #[default]
    Json,
    /// One row per tag (`smart_tags_core::taxonomy::csv`).
    Csv,
    /// SKOS in Turtle (`smart_tags_core::taxonomy::skos`).
    Skos,
}

/// Reads a taxonomy in `format`; every problem is reported and nothing is half-read.
pub fn parse_taxonomy(
    format: TaxonomyFormat,
    text: &str,
) -> Result<smart_tags_core::taxonomy::Taxonomy, smart_tags_core::taxonomy::ImportReport> {
    use smart_tags_core::taxonomy::{csv, json, skos};
    match format {
        TaxonomyFormat::Json => json::import(text),
        TaxonomyFormat::Csv => csv::import(text),
        TaxonomyFormat::Skos => skos::import(text, &skos::SkosOptions::default()),
    }
}
