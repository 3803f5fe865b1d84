//! One lock per key (a content hash): two requests tagging the same bytes at once are serialized,
//! so the second sees the first's saved prediction and reuses it instead of running the model a
//! second time. Taken on the blocking pool, inside the task that runs the model, so it is held
//! until the prediction is saved even when the caller has gone away (a proxy killed mid-request
//! whose replacement sends the same file again).

use std::collections::HashSet;
use std::sync::{Condvar, Mutex, PoisonError};

/// The keys whose lock is held; only those are stored.
#[derive(Debug, Default)]
pub struct KeyedLocks {
    busy: Mutex<HashSet<String>>,
    freed: Condvar,
}

/// Holds one key's lock until dropped.
#[derive(Debug)]
pub struct KeyGuard<'a> {
    locks: &'a KeyedLocks,
    key: String,
}

impl KeyedLocks {
    /// Blocks until `key` is free, then holds it until the guard is dropped. Blocking pool only.
    pub fn lock(&self, key: &str) -> KeyGuard<'_> {
        let mut busy = self.busy.lock().unwrap_or_else(PoisonError::into_inner);
        while busy.contains(key) {
            busy = self.freed.wait(busy).unwrap_or_else(PoisonError::into_inner);
        }
        busy.insert(key.to_owned());
        KeyGuard { locks: self, key: key.to_owned() }
    }

    /// How many keys are locked now.
    pub fn held(&self) -> usize {
        self.busy.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

impl Drop for KeyGuard<'_> {
    fn drop(&mut self) {
        let mut busy = self.locks.busy.lock().unwrap_or_else(PoisonError::into_inner);
        busy.remove(&self.key);
        drop(busy);
        self.locks.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn the_same_key_is_held_by_one_thread_at_a_time_and_other_keys_are_not_held_up() {
        let locks = Arc::new(KeyedLocks::default());
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (locks, inside, most) = (locks.clone(), inside.clone(), most.clone());
                std::thread::spawn(move || {
                    let _guard = locks.lock("same");
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    inside.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        // Another key is free while "same" is held.
        std::thread::sleep(Duration::from_millis(5));
        drop(locks.lock("other"));
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 1);
        assert_eq!(locks.held(), 0, "released keys are forgotten");
    }
}
