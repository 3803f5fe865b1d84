//! `GET /v1/assets/duplicates?folder=/a&recursive=true`: the groups of near-duplicate assets in a
//! folder (and, `recursive`, the folders below it; without `folder`, the whole store): assets
//! joined when their images are near copies (`smart_tags_core::similarity::is_duplicate`, the
//! same bytes included), transitively. Groups of two or more, the largest first, each with its
//! assets in key order and the lowest similarity that joined it. At most [`MAX_ASSETS`] assets
//! are looked at (`truncated` says when there were more: name a smaller folder).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use smart_tags_core::workflow::FolderPath;

use super::{similar_assets, AssetInfo};
use crate::error::ServiceError;
use crate::routes::support::QueryParams;
use crate::store::{AssetKey, AssetListing};
use crate::AppState;

/// Most assets one request looks at.
pub const MAX_ASSETS: usize = 20_000;
/// Nearest-neighbour candidates looked at per distinct bytes.
const CANDIDATES: usize = 16;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DuplicatesQuery {
    pub folder: Option<FolderPath>,
    #[serde(default)]
    pub recursive: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct DuplicateGroup {
    pub assets: Vec<AssetInfo>,
    /// The lowest similarity of the links that joined the group.
    pub similarity: f64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct DuplicatesAnswer {
    pub groups: Vec<DuplicateGroup>,
    /// Assets looked at.
    pub assets: usize,
    /// More assets than [`MAX_ASSETS`] are in the folder; only the first were looked at.
    pub truncated: bool,
}

/// Union-find over asset positions, remembering each set's weakest link.
struct Groups {
    parent: Vec<usize>,
    weakest: Vec<f64>,
}

impl Groups {
    fn new(n: usize) -> Groups {
        Groups { parent: (0..n).collect(), weakest: vec![1.0; n] }
    }

    fn root(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn join(&mut self, a: usize, b: usize, similarity: f64) {
        let (ra, rb) = (self.root(a), self.root(b));
        if ra == rb {
            return; // Already one group: this link joins nothing.
        }
        let weakest = self.weakest[ra].min(self.weakest[rb]).min(similarity);
        let root = ra.min(rb);
        self.parent[ra.max(rb)] = root;
        self.weakest[root] = weakest;
    }
}

fn list(state: &AppState, folder: Option<&FolderPath>, recursive: bool) -> Result<Vec<AssetListing>, ServiceError> {
    let mut assets = Vec::new();
    let mut after = AssetKey(0);
    loop {
        let page = state.store.list_assets(folder.map(FolderPath::as_str), recursive, after, 1000)?;
        let Some(last) = page.last() else { break };
        after = last.key;
        assets.extend(page);
        if assets.len() > MAX_ASSETS {
            break;
        }
    }
    Ok(assets)
}

pub async fn duplicates(
    State(state): State<Arc<AppState>>,
    QueryParams(query): QueryParams<DuplicatesQuery>,
) -> Result<Json<DuplicatesAnswer>, ServiceError> {
    let answer = tokio::task::spawn_blocking(move || -> Result<DuplicatesAnswer, ServiceError> {
        let mut assets = list(&state, query.folder.as_ref(), query.recursive)?;
        let truncated = assets.len() > MAX_ASSETS;
        assets.truncate(MAX_ASSETS);
        let position: BTreeMap<AssetKey, usize> = assets.iter().enumerate().map(|(i, a)| (a.key, i)).collect();
        let model = state.engine.version().to_owned();
        let mut groups = Groups::new(assets.len());
        let mut by_hash: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, asset) in assets.iter().enumerate() {
            let Some(hash) = asset.content_hash.as_deref() else { continue };
            if let Some(&first) = by_hash.get(hash) {
                groups.join(first, i, 1.0);
                continue;
            }
            by_hash.insert(hash, i);
            let Some(embedding) = state.store.embedding(hash, &model)? else { continue };
            for near in similar_assets(&state, &model, &embedding, CANDIDATES, |a| {
                a.key != asset.key && position.contains_key(&a.key)
            })? {
                if let (true, Some(&j)) = (near.duplicate, position.get(&near.asset.key)) {
                    groups.join(i, j, near.similarity);
                }
            }
        }
        let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for i in 0..assets.len() {
            let root = groups.root(i);
            members.entry(root).or_default().push(i);
        }
        let mut found: Vec<DuplicateGroup> = members
            .into_iter()
            .filter(|(_, m)| m.len() > 1)
            .map(|(root, m)| DuplicateGroup {
                assets: m.iter().map(|&i| AssetInfo::from(assets[i].clone())).collect(),
                similarity: groups.weakest[root],
            })
            .collect();
        found.sort_by(|a, b| b.assets.len().cmp(&a.assets.len()).then(a.assets[0].key.cmp(&b.assets[0].key)));
        Ok(DuplicatesAnswer { groups: found, assets: assets.len(), truncated })
    })
    .await
    .map_err(|_| ServiceError::Internal)??;
    Ok(Json(answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_join_transitively_and_keep_the_weakest_link() {
        let mut g = Groups::new(5);
        g.join(0, 1, 0.9);
        g.join(3, 1, 0.7);
        g.join(2, 4, 1.0);
        g.join(0, 3, 0.1); // inside a group already: not a joining link
        assert_eq!(g.root(3), g.root(0));
        assert_ne!(g.root(2), g.root(0));
        let root = g.root(0);
        assert!((g.weakest[root] - 0.7).abs() < 1e-12);
    }
}
