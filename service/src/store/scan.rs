//! Every stored asset, one at a time, for the admin's previews: pages of `list_assets` in key
//! order (the connection is never held between pages), each asset read whole, one gone meanwhile
//! skipped; stopped after `limit` assets or `budget`, whichever comes first.

use std::time::{Duration, Instant};

use super::{AssetKey, AssetView, Store, StoreError};

/// Assets read per page.
const PAGE: usize = 500;

/// How far a scan got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scanned {
    /// Assets read.
    pub scanned: usize,
    /// Whether every stored asset was read.
    pub complete: bool,
}

impl Store {
    /// Calls `visit` on each stored asset, in key order, until `limit` assets or `budget` time.
    pub fn scan_assets<E: From<StoreError>>(
        &self,
        limit: usize,
        budget: Duration,
        mut visit: impl FnMut(AssetView) -> Result<(), E>,
    ) -> Result<Scanned, E> {
        let started = Instant::now();
        let mut scanned = 0;
        let mut after = AssetKey(0);
        loop {
            let page = self.list_assets(None, false, after, PAGE)?;
            let Some(last) = page.last() else { return Ok(Scanned { scanned, complete: true }) };
            after = last.key;
            for listing in page {
                if scanned == limit || started.elapsed() >= budget {
                    return Ok(Scanned { scanned, complete: false });
                }
                scanned += 1;
                match self.asset(listing.key) {
                    Ok(view) => visit(view)?,
                    Err(StoreError::UnknownAsset) => {}
                    Err(error) => return Err(error.into()),
                }
            }
        }
    }
}
