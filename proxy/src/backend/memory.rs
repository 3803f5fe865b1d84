//! The back-end API's image memory budget (`--image-memory-mb`): a bound on what images in
//! flight hold, so a burst of 50-megapixel photos queues instead of taking the machine's memory.
//!
//! Two pools, half the budget each, both `tokio` semaphores counted in KiB (first come, first
//! served):
//! - **bodies**: an upload is charged its `Content-Length` (the file limit when it has none)
//!   before a byte is read, and holds the charge until its decode ends (the bytes go with it); a
//!   job item is charged the spooled file's size before it is read.
//! - **decodes**: a decode is charged [`smart_tags_core::preprocess::peak_memory`] (read from the
//!   header, checked against the measured peak of each kind of file) for as long as it runs,
//!   even when its caller has gone.
//!
//! A request holds its body while it waits for a decode, and a decode waits for nothing else, so
//! the two pools never wait on each other. A charge larger than its pool waits for the whole
//! pool (the image is then decoded alone). A request that cannot be charged within the wait
//! (`--image-memory-wait-ms`) is answered 503 `busy` with `Retry-After`; job items wait as long
//! as it takes. The proxy's own memory (tens of megabytes) comes on top of the budget.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::BackendError;

/// The default budget: 2 GiB.
pub const DEFAULT_MEMORY_MB: u64 = 2048;
/// The smallest budget accepted. A charge larger than its pool (a 50 MP progressive JPEG or PNG
/// needs 150–550 MB, more than this budget's 128 MB pools) waits for the whole pool and is
/// decoded alone.
pub const MIN_MEMORY_MB: u64 = 256;
/// How long a request waits for its charge by default.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(30);

/// What the caller does when the pool is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// A request: at most the configured wait, then 503.
    Bounded,
    /// A job item: until there is room.
    Forever,
}

/// Memory charged to a pool, given back when dropped.
#[derive(Debug)]
#[must_use = "the charge is given back when dropped"]
pub struct Charge(#[allow(dead_code)] OwnedSemaphorePermit);

#[derive(Debug)]
pub struct MemoryBudget {
    bodies: Arc<Semaphore>,
    decodes: Arc<Semaphore>,
    /// Each pool's size in KiB.
    pool_kib: u32,
    wait: Duration,
}

impl MemoryBudget {
    /// `total` bytes, split in two pools.
    pub fn new(total: u64, wait: Duration) -> MemoryBudget {
        let pool_kib = u32::try_from(total / 2 / 1024).unwrap_or(u32::MAX).clamp(1, Semaphore::MAX_PERMITS as u32);
        MemoryBudget {
            bodies: Arc::new(Semaphore::new(pool_kib as usize)),
            decodes: Arc::new(Semaphore::new(pool_kib as usize)),
            pool_kib,
            wait,
        }
    }

    /// Charges an upload or a spooled file of `bytes`.
    pub async fn body(&self, bytes: u64, wait: Wait) -> Result<Charge, BackendError> {
        self.charge(&self.bodies, bytes, wait).await
    }

    /// Charges a decode estimated at `bytes`.
    pub async fn decode(&self, bytes: u64, wait: Wait) -> Result<Charge, BackendError> {
        self.charge(&self.decodes, bytes, wait).await
    }

    /// KiB in each pool (the bodies' and the decodes' are the same size).
    pub fn pool_kib(&self) -> usize {
        self.pool_kib as usize
    }

    /// KiB free in the bodies and the decodes pools (tests and logs).
    pub fn free_kib(&self) -> (usize, usize) {
        (self.bodies.available_permits(), self.decodes.available_permits())
    }

    async fn charge(&self, pool: &Arc<Semaphore>, bytes: u64, wait: Wait) -> Result<Charge, BackendError> {
        let kib = u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX).clamp(1, self.pool_kib);
        let acquire = Arc::clone(pool).acquire_many_owned(kib);
        let permit = match wait {
            Wait::Forever => acquire.await,
            Wait::Bounded => tokio::time::timeout(self.wait, acquire)
                .await
                .map_err(|_| BackendError::Busy(self.wait.as_secs().max(1)))?,
        };
        // The semaphores are never closed.
        permit.map(Charge).map_err(|_| BackendError::Internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn charges_wait_for_room_and_a_request_gives_up_after_the_wait() {
        let budget = MemoryBudget::new(4 * 1024 * 1024, Duration::from_secs(5));
        assert_eq!(budget.free_kib(), (2048, 2048));
        let first = budget.decode(1536 * 1024, Wait::Bounded).await.unwrap();
        assert_eq!(budget.free_kib(), (2048, 512));
        // The pools are apart: bodies still have room.
        let body = budget.body(2048 * 1024, Wait::Bounded).await.unwrap();
        // No room for another 1 MiB decode: a request waits 5 s, then 503 busy.
        let refused = budget.decode(1024 * 1024, Wait::Bounded).await.unwrap_err();
        assert!(matches!(refused, BackendError::Busy(5)), "{refused:?}");
        // A job item waits until the first decode ends.
        let waiting = tokio::spawn(async move { budget.decode(1024 * 1024, Wait::Forever).await.map(|c| (c, budget)) });
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert!(!waiting.is_finished());
        drop(first);
        let (_second, budget) = waiting.await.unwrap().unwrap();
        assert_eq!(budget.free_kib(), (0, 1024));
        drop(body);
        // More than a pool waits for the whole pool.
        let huge =
            tokio::time::timeout(Duration::from_secs(1), budget.body(u64::MAX, Wait::Bounded)).await.unwrap().unwrap();
        assert_eq!(budget.free_kib(), (0, 1024));
        drop(huge);
        assert_eq!(budget.free_kib(), (2048, 1024));
    }
}
