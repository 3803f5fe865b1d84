//! The stored predictions made before the active tag models last changed (their trained version
//! is not the current one), as the sweep that applies a tag model to stored assets reads them:
//! counted, and page by page in asset-key order, so a pass never holds the connection for long.

use rusqlite::params;

use super::{AssetKey, Store, StoreError};

impl Store {
    /// How many predictions under this image model were made with another trained version.
    pub fn count_predictions_behind(&self, trained_version: i64, image_model: &str) -> Result<u64, StoreError> {
        self.read(|conn| {
            let count: i64 = conn.query_row(
                "SELECT count(*) FROM predictions WHERE trained_version != ?1 AND model_version = ?2",
                params![trained_version, image_model],
                |row| row.get(0),
            )?;
            Ok(u64::try_from(count).unwrap_or(0))
        })
    }

    /// One page of the assets whose prediction under this image model was made with another
    /// trained version, in key order after `after` (`AssetKey(0)` for the first page).
    pub fn predictions_behind(
        &self,
        trained_version: i64,
        image_model: &str,
        after: AssetKey,
        limit: usize,
    ) -> Result<Vec<AssetKey>, StoreError> {
        let limit = i64::try_from(limit.clamp(1, 10_000)).unwrap_or(1);
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT asset_key FROM predictions WHERE trained_version != ?1 AND model_version = ?2 AND asset_key > ?3
                 ORDER BY asset_key LIMIT ?4",
            )?;
            let rows =
                stmt.query_map(params![trained_version, image_model, after.0, limit], |row| Ok(AssetKey(row.get(0)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::store::test_support::temp_store;
    use crate::store::{AssetKey, NewPrediction};

    #[test]
    fn counts_and_pages_the_predictions_behind_a_trained_version() {
        let (_dir, store) = temp_store();
        let model = "efficientnet-lite0@1";
        let mut keys = Vec::new();
        for (i, (trained, image_model)) in [(0, model), (1, model), (0, model), (0, "other@1")].into_iter().enumerate()
        {
            let hash = format!("{:064x}", i + 1);
            let key = store.resolve_asset(Some(&hash), Some(&format!("dam-{i}"))).unwrap();
            let prediction = NewPrediction {
                content_hash: Some(hash),
                model_version: image_model.to_owned(),
                taxonomy_version: 0,
                settings_version: 0,
                trained_version: trained,
                tags: Vec::new(),
            };
            store.save_prediction(key, &prediction).unwrap();
            keys.push(key);
        }
        // An asset without a prediction is not behind anything.
        store.resolve_asset(None, Some("dam-untagged")).unwrap();
        assert_eq!(store.count_predictions_behind(1, model).unwrap(), 2);
        assert_eq!(store.count_predictions_behind(0, model).unwrap(), 1);
        let first = store.predictions_behind(1, model, AssetKey(0), 1).unwrap();
        assert_eq!(first, [keys[0]]);
        assert_eq!(store.predictions_behind(1, model, first[0], 10).unwrap(), [keys[2]]);
        assert!(store.predictions_behind(1, model, keys[2], 10).unwrap().is_empty());
    }
}
