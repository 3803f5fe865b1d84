//! `GET /v1/taxonomy/suggest?q=…&locale=…&limit=…`: taxonomy tags for autocomplete, by title (in
//! `locale`, falling back to English) or synonym: prefix matches of a word first, then other
//! substring matches; shorter titles first. Namespace roots are left out.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::error::ServiceError;
use crate::routes::assets::locale_or_default;
use crate::routes::support::QueryParams;
use crate::tagger::taxonomy_path;
use crate::AppState;

pub const MAX_LIMIT: usize = 50;

#[derive(Debug, Deserialize)]
pub struct SuggestQuery {
    pub q: String,
    pub locale: Option<String>,
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Suggestion {
    pub id: String,
    pub title: String,
    pub path: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Suggestions {
    pub tags: Vec<Suggestion>,
}

pub async fn suggest(
    State(state): State<Arc<AppState>>,
    QueryParams(query): QueryParams<SuggestQuery>,
) -> Result<Json<Suggestions>, ServiceError> {
    let needle = query.q.trim().to_lowercase();
    if needle.is_empty() || needle.chars().count() > 100 {
        return Err(ServiceError::BadInput("q must be 1 to 100 characters".to_owned()));
    }
    let limit = query.limit.unwrap_or(10).clamp(1, MAX_LIMIT);
    let locale = locale_or_default(query.locale.as_deref());
    let suggestions = tokio::task::spawn_blocking(move || -> Result<Suggestions, ServiceError> {
        let mapping = state.mapping.get(&state.store)?;
        let mut found: Vec<(u8, usize, Suggestion)> = Vec::new();
        for tag in mapping.taxonomy.tags().filter(|t| !t.id.is_namespace()) {
            let title = tag.title(&locale);
            let names = std::iter::once(title).chain(tag.all_synonyms());
            let rank = names
                .filter_map(|name| {
                    let lower = name.to_lowercase();
                    if lower.starts_with(&needle) || lower.split([' ', '-', '&']).any(|w| w.starts_with(&needle)) {
                        Some(0)
                    } else if lower.contains(&needle) {
                        Some(1)
                    } else {
                        None
                    }
                })
                .min();
            if let Some(rank) = rank {
                let suggestion = Suggestion {
                    id: tag.id.to_string(),
                    title: title.to_owned(),
                    path: taxonomy_path(&mapping.taxonomy, &tag.id, &locale),
                };
                found.push((rank, title.chars().count(), suggestion));
            }
        }
        found.sort_by(|a, b| (a.0, a.1, &a.2.id).cmp(&(b.0, b.1, &b.2.id)));
        Ok(Suggestions { tags: found.into_iter().take(limit).map(|(_, _, s)| s).collect() })
    })
    .await
    .map_err(|_| ServiceError::Internal)??;
    Ok(Json(suggestions))
}
