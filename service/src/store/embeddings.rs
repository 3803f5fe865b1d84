//! The stored embeddings of assets' bytes, as the similarity index reads them: page by page in
//! content-hash order (so a rebuild never holds the connection for long), counted, and the
//! assets holding the bytes whose hash starts with an index key's 16 hex digits.

use rusqlite::params;

use super::assets::AssetListing;
use super::training::blob_to_vector;
use super::{AssetKey, Store, StoreError};

/// Embeddings read per page while the similarity index is rebuilt.
pub const PAGE: usize = 512;

impl Store {
    /// One page of `(content hash, embedding)` under this image model, of bytes at least one
    /// asset holds, in hash order after `after` (`""` for the first page).
    pub fn asset_embeddings(
        &self,
        image_model: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<(String, Vec<f32>)>, StoreError> {
        let limit = i64::try_from(limit.clamp(1, 10_000)).unwrap_or(1);
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT e.content_hash, e.vector FROM embeddings e
                 WHERE e.image_model = ?1 AND e.content_hash > ?2
                   AND EXISTS (SELECT 1 FROM assets a WHERE a.content_hash = e.content_hash)
                 ORDER BY e.content_hash LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![image_model, after, limit], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, Vec<u8>>(1)?))
            })?;
            rows.map(|row| {
                let (hash, blob) = row?;
                Ok((hash, blob_to_vector(&blob)?))
            })
            .collect()
        })
    }

    /// How many distinct bytes held by assets have an embedding under this image model.
    pub fn count_asset_embeddings(&self, image_model: &str) -> Result<usize, StoreError> {
        self.read(|conn| {
            let count: i64 = conn.query_row(
                "SELECT count(*) FROM embeddings e WHERE e.image_model = ?1 AND EXISTS (SELECT 1 FROM assets a WHERE a.content_hash = e.content_hash)",
                [image_model],
                |row| row.get(0),
            )?;
            Ok(usize::try_from(count).unwrap_or(0))
        })
    }

    /// The assets whose content hash starts with `prefix` (an index key's hex digits), in key
    /// order.
    pub fn assets_with_hash_prefix(&self, prefix: &str) -> Result<Vec<AssetListing>, StoreError> {
        // Every hash starting with the prefix sorts between it and the prefix followed by a
        // character above every hex digit and the hash alphabet.
        let end = format!("{prefix}~");
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT key, asset_id, content_hash, folder FROM assets WHERE content_hash >= ?1 AND content_hash < ?2 ORDER BY key",
            )?;
            let rows = stmt.query_map(params![prefix, end], |row| {
                Ok(AssetListing { key: AssetKey(row.get(0)?), asset_id: row.get(1)?, content_hash: row.get(2)?, folder: row.get(3)? })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::store::test_support::temp_store;
    use crate::store::NewPrediction;

    #[test]
    fn pages_count_and_prefixes() {
        let (_dir, store) = temp_store();
        let model = "efficientnet-lite0@1";
        for (i, id) in ["dam-a", "dam-b", "dam-c"].iter().enumerate() {
            let hash = format!("{:016x}{}", 0xabc0 + i, "0".repeat(48));
            let key = store.resolve_asset(Some(&hash), Some(id)).unwrap();
            let prediction = NewPrediction {
                content_hash: Some(hash),
                model_version: model.to_owned(),
                taxonomy_version: 0,
                settings_version: 0,
                trained_version: 0,
                tags: Vec::new(),
            };
            store.save_inference(key, &prediction, &[1.0], &[i as f32, 1.0]).unwrap();
        }
        // The same bytes under a second id are one embedding.
        let shared = format!("{:016x}{}", 0xabc0, "0".repeat(48));
        store.resolve_asset(Some(&shared), Some("dam-a2")).unwrap();
        assert_eq!(store.count_asset_embeddings(model).unwrap(), 3);
        assert_eq!(store.count_asset_embeddings("other@1").unwrap(), 0);
        let first = store.asset_embeddings(model, "", 2).unwrap();
        assert_eq!(first.len(), 2);
        let rest = store.asset_embeddings(model, &first[1].0, 2).unwrap();
        assert_eq!((rest.len(), rest[0].1.clone()), (1, vec![2.0, 1.0]));
        let holders = store.assets_with_hash_prefix(&format!("{:016x}", 0xabc0)).unwrap();
        let ids: Vec<_> = holders.iter().map(|a| a.asset_id.clone().unwrap()).collect();
        assert_eq!(ids, ["dam-a", "dam-a2"]);
        assert!(store.assets_with_hash_prefix("ffff000000000000").unwrap().is_empty());
    }
}
