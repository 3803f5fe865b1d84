//! Running independent jobs on one or more threads, and reporting progress monotonically.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::Mutex;

/// Runs `job(0..count)` on up to `threads` threads and returns the results in job order. With one
/// thread (and always in wasm, which has no threads) it runs them in order on the caller's thread
/// and never touches `std::thread`. Each job must be deterministic by itself, so the results do not
/// depend on the thread count.
pub(crate) fn run<T: Send>(threads: usize, count: usize, job: &(dyn Fn(usize) -> T + Sync)) -> Vec<T> {
    let threads = if cfg!(target_arch = "wasm32") { 1 } else { threads.min(count) };
    if threads <= 1 {
        return (0..count).map(job).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, T)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= count {
                            return mine;
                        }
                        mine.push((i, job(i)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| match worker.join() {
                Ok(results) => results,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, result)| result).collect()
}

const PARTS_SCALE: f32 = 1_000_000.0;

/// Progress of a run made of weighted parts, each advancing from 0 to 1, possibly on several
/// threads. Reports are serialised and never go backwards; a callback returning false cancels the
/// run, which every later [`Progress::set`] then reports.
pub(crate) struct Progress<'a> {
    callback: &'a (dyn Fn(f32) -> bool + Sync),
    weights: Vec<f32>,
    parts: Vec<AtomicU32>,
    last: Mutex<f32>,
    cancelled: AtomicBool,
}

impl<'a> Progress<'a> {
    pub(crate) fn new(callback: &'a (dyn Fn(f32) -> bool + Sync), weights: Vec<f32>) -> Progress<'a> {
        let total: f32 = weights.iter().sum();
        let weights = weights.into_iter().map(|w| w / total).collect::<Vec<_>>();
        let parts = weights.iter().map(|_| AtomicU32::new(0)).collect();
        Progress { callback, weights, parts, last: Mutex::new(0.0), cancelled: AtomicBool::new(false) }
    }

    pub(crate) fn cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// Sets `part` to `fraction` done and reports; false once the run is cancelled.
    pub(crate) fn set(&self, part: usize, fraction: f32) -> bool {
        if self.cancelled() {
            return false;
        }
        if let Some(slot) = self.parts.get(part) {
            slot.fetch_max((fraction.clamp(0.0, 1.0) * PARTS_SCALE).round() as u32, Ordering::Relaxed);
        }
        let total: f32 =
            self.parts.iter().zip(&self.weights).map(|(p, w)| p.load(Ordering::Relaxed) as f32 / PARTS_SCALE * w).sum();
        self.report(total.min(1.0))
    }

    /// Reports exactly 1.0.
    pub(crate) fn finish(&self) -> bool {
        !self.cancelled() && self.report(1.0)
    }

    fn report(&self, value: f32) -> bool {
        let mut last = self.last.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if self.cancelled() {
            return false;
        }
        *last = last.max(value);
        if !(self.callback)(*last) {
            self.cancelled.store(true, Ordering::Relaxed);
            return false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_job_order_whatever_the_threads() {
        let job = |i: usize| i * i;
        assert_eq!(run(1, 7, &job), run(3, 7, &job));
        assert_eq!(run(2, 7, &job), vec![0, 1, 4, 9, 16, 25, 36]);
    }

    #[test]
    fn progress_is_monotone_and_cancels() {
        let seen = Mutex::new(Vec::new());
        let callback = |v: f32| {
            seen.lock().unwrap().push(v);
            v < 0.7
        };
        let progress = Progress::new(&callback, vec![1.0, 3.0]);
        assert!(progress.set(1, 0.5));
        assert!(progress.set(1, 0.2));
        assert!(progress.set(0, 1.0));
        assert!(!progress.set(1, 1.0));
        assert!(!progress.set(0, 1.0));
        assert!(!progress.finish());
        assert_eq!(*seen.lock().unwrap(), vec![0.375, 0.375, 0.625, 1.0]);
    }
}
