//! `GET /v1/assets/search?tags=…&q=…&folder=/a&recursive=true&limit=50&after=…&locale=en`:
//! the stored assets that show these tags and match these words, best first, a page at a time.
//!
//! - `tags`: tag ids separated by commas; each must be shown by the asset — itself or a tag below
//!   it (`demo:animals` finds `demo:animals/cats`).
//! - `q`: words; each must name a tag the asset shows — a taxonomy title or synonym in any
//!   locale, a generic tag's WordNet lemma, a colour — or have been read in its picture. Case,
//!   accents and English plurals do not matter ([`smart_tags_core::search`]).
//! - An asset's `score` is its weakest term's confidence; ties go by asset key. `next`, given as
//!   `after`, continues the list (keyset paging: nothing repeats or goes missing while assets are
//!   added).
//! - `terms` says how each word or tag was understood (the tags it stands for, titled in
//!   `locale`), so a page can show "cat: Cats, domestic cat".
//!
//! "Shown" means the stored candidates through the current thresholds and the moderation, as
//! `GET /v1/assets` answers them (a removed tag does not find the asset; a manual one does, at 1),
//! except that a generic tag the answer folds into a taxonomy tag naming it still finds the asset.
//! Descendants are those of the id path (taxonomy tags); a generic tag finds only itself.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use smart_tags_core::color::names::NAMED_COLORS;
use smart_tags_core::search::{query_words, title_matches, Cursor, MAX_TERMS};
use smart_tags_core::tags::COLOR_NAMESPACE;
use smart_tags_core::taxonomy::{TagId, Taxonomy};
use smart_tags_core::workflow::FolderPath;

use super::similar::in_folder;
use super::{locale_or_default, AssetInfo};
use crate::error::ServiceError;
use crate::routes::support::QueryParams;
use crate::store::search::SearchTerm;
use crate::tagger::{color_slug, Tagger};
use crate::AppState;

/// Default and largest page size.
pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 200;
/// Longest `q`, in bytes.
pub const MAX_QUERY_BYTES: usize = 500;
/// Most tags listed per term in `terms` (all of them are searched).
const MAX_LISTED: usize = 20;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    pub tags: Option<String>,
    pub q: Option<String>,
    pub folder: Option<FolderPath>,
    #[serde(default)]
    pub recursive: bool,
    pub limit: Option<usize>,
    pub after: Option<String>,
    pub locale: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct SearchAnswer {
    pub hits: Vec<SearchHit>,
    /// Pass as `after` for the next page; null on the last one.
    pub next: Option<String>,
    pub terms: Vec<TermAnswer>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct SearchHit {
    pub asset: AssetInfo,
    pub score: f32,
}

/// How one word or tag of the query was understood.
#[derive(Debug, Serialize, Deserialize)]
pub struct TermAnswer {
    /// The word as folded, or the tag id asked for.
    pub term: String,
    /// The tags it stands for (the first [`MAX_LISTED`]), titled in the locale.
    pub tags: Vec<TermTag>,
    /// Whether the words read in pictures count too (words only).
    pub text: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct TermTag {
    pub id: String,
    pub title: String,
}

pub async fn search(
    State(state): State<Arc<AppState>>,
    QueryParams(query): QueryParams<SearchQuery>,
) -> Result<Json<SearchAnswer>, ServiceError> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ServiceError::BadInput(format!("limit must be from 1 to {MAX_LIMIT}")));
    }
    let after = query
        .after
        .as_deref()
        .map(|a| {
            Cursor::parse(a)
                .ok_or_else(|| ServiceError::BadInput("after must be the next of an earlier page".to_owned()))
        })
        .transpose()?;
    let q = query.q.unwrap_or_default();
    if q.len() > MAX_QUERY_BYTES {
        return Err(ServiceError::BadInput(format!("q must be at most {MAX_QUERY_BYTES} bytes")));
    }
    let tags = query
        .tags
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(parse_tag)
        .collect::<Result<Vec<_>, _>>()?;
    let words = query_words(&q);
    if tags.is_empty() && words.is_empty() {
        return Err(ServiceError::BadInput("give tags or q (words)".to_owned()));
    }
    if tags.len() + words.len() > MAX_TERMS {
        return Err(ServiceError::BadInput(format!("at most {MAX_TERMS} tags and words together")));
    }
    let locale = locale_or_default(query.locale.as_deref());
    let answer = tokio::task::spawn_blocking(move || -> Result<SearchAnswer, ServiceError> {
        let store = &state.store;
        let mapping = state.mapping.get(store)?;
        let mut terms: Vec<SearchTerm> =
            tags.iter().map(|t| SearchTerm { tags: vec![t.as_str().to_owned()], word: None }).collect();
        terms.extend(words.iter().map(|w| SearchTerm {
            tags: tags_named(w, &mapping.taxonomy, state.tagger.as_deref()),
            word: Some(w.clone()),
        }));
        let page = store.search(&terms, after, limit, |asset| {
            query.folder.as_ref().is_none_or(|f| in_folder(asset.folder.as_deref(), f, query.recursive))
        })?;
        let title = |id: &str| title_of(id, &mapping.taxonomy, state.tagger.as_deref(), &locale);
        let explained = tags
            .iter()
            .map(|t| TermAnswer {
                term: t.as_str().to_owned(),
                tags: vec![TermTag { id: t.as_str().to_owned(), title: title(t.as_str()) }],
                text: false,
            })
            .chain(terms[tags.len()..].iter().zip(&words).map(|(term, word)| TermAnswer {
                term: word.clone(),
                tags:
                    term.tags.iter().take(MAX_LISTED).map(|id| TermTag { id: id.clone(), title: title(id) }).collect(),
                text: true,
            }))
            .collect();
        let hits = page.hits.into_iter().map(|h| SearchHit { asset: h.asset.into(), score: h.score }).collect();
        Ok(SearchAnswer { hits, next: page.next.map(|c| c.to_string()), terms: explained })
    })
    .await
    .map_err(|_| ServiceError::Internal)??;
    Ok(Json(answer))
}

fn parse_tag(text: &str) -> Result<TagId, ServiceError> {
    let id = TagId::parse(text).map_err(|e| ServiceError::BadInput(format!("tags: {e}")))?;
    if id.is_namespace() {
        return Err(ServiceError::BadInput(format!(
            "tags: {id} is a namespace, which finds nothing: name a tag in it"
        )));
    }
    Ok(id)
}

/// The tags a folded word names: taxonomy tags by any title or synonym in any locale, generic
/// tags by a WordNet lemma, colours by name. Sorted by id, no repeats.
fn tags_named(word: &str, taxonomy: &Taxonomy, tagger: Option<&Tagger>) -> Vec<String> {
    let mut ids: Vec<String> = taxonomy
        .tags()
        .filter(|tag| !tag.id.is_namespace())
        .filter(|tag| tag.titles.values().map(String::as_str).chain(tag.all_synonyms()).any(|t| title_matches(word, t)))
        .map(|tag| tag.id.as_str().to_owned())
        .collect();
    if let Some(tagger) = tagger {
        ids.extend(tagger.generic_ids_named(word));
    }
    ids.extend(
        NAMED_COLORS
            .iter()
            .filter(|c| title_matches(word, c.name))
            .map(|c| format!("{COLOR_NAMESPACE}:{}", color_slug(c.name))),
    );
    ids.sort();
    ids.dedup();
    ids
}

/// A tag's title in `locale`: the taxonomy's, a generic tag's lemma, a colour's name, else its id.
fn title_of(id: &str, taxonomy: &Taxonomy, tagger: Option<&Tagger>, locale: &str) -> String {
    if let Some(tag) = TagId::parse(id).ok().and_then(|id| taxonomy.get(&id).cloned()) {
        return tag.title(locale).to_owned();
    }
    if let Some(title) = tagger.and_then(|t| t.generic_title(id)) {
        return title;
    }
    match id.strip_prefix(COLOR_NAMESPACE).and_then(|rest| rest.strip_prefix(':')) {
        Some(slug) => NAMED_COLORS
            .iter()
            .find(|c| color_slug(c.name) == slug)
            .map_or_else(|| id.to_owned(), |c| c.name.to_owned()),
        None => id.to_owned(),
    }
}
