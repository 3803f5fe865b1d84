//! The content-addressed spool `<data-dir>/spool/<sha256>`: an uploaded file is written chunk
//! by chunk to a temporary file while its SHA-256 is computed, synced, then renamed to its hash,
//! so a name in the spool always holds the whole file (a crash leaves at most a `.tmp-` file,
//! swept at start-up). The same bytes uploaded twice are one file.
//!
//! A finished file is *pinned* (its hash held by a [`SpoolPin`]) from just before its rename until
//! the job that references it is stored; [`Spool::remove_unreferenced`] never removes a pinned
//! file, so deleting a job cannot take the file of the same bytes being uploaded into a new one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    #[error("the file is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the spool cannot be written: {0}")]
    Io(#[from] std::io::Error),
}

#[derive(Debug, Clone)]
pub struct Spool {
    dir: PathBuf,
    /// Hashes of finished files whose job is not stored yet, with how many uploads hold each.
    pins: Arc<Mutex<HashMap<String, usize>>>,
}

/// Keeps a finished file from being removed until it is dropped (after its job is stored).
#[derive(Debug)]
pub struct SpoolPin {
    pins: Arc<Mutex<HashMap<String, usize>>>,
    hash: String,
}

impl Drop for SpoolPin {
    fn drop(&mut self) {
        let mut pins = lock(&self.pins);
        if let Some(n) = pins.get_mut(&self.hash) {
            *n -= 1;
            if *n == 0 {
                pins.remove(&self.hash);
            }
        }
    }
}

fn lock(pins: &Mutex<HashMap<String, usize>>) -> MutexGuard<'_, HashMap<String, usize>> {
    match pins.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// A spool file name: 64 lowercase hex digits.
fn is_hash(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A file being written.
pub struct SpoolWriter {
    dir: PathBuf,
    pins: Arc<Mutex<HashMap<String, usize>>>,
    temp: PathBuf,
    file: tokio::fs::File,
    hasher: Sha256,
    size: usize,
    limit: usize,
}

impl Spool {
    /// Opens (creates) the spool and removes temporary files a crash left.
    pub fn open(dir: &Path) -> Result<Spool, std::io::Error> {
        std::fs::create_dir_all(dir)?;
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with(".tmp-") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(Spool { dir: dir.to_owned(), pins: Arc::default() })
    }

    /// Starts a file of at most `limit` bytes.
    pub async fn writer(&self, limit: usize) -> Result<SpoolWriter, SpoolError> {
        let name = format!(".tmp-{}", crate::unique_id());
        let temp = self.dir.join(name);
        let file = tokio::fs::File::create(&temp).await?;
        Ok(SpoolWriter {
            dir: self.dir.clone(),
            pins: Arc::clone(&self.pins),
            temp,
            file,
            hasher: Sha256::new(),
            size: 0,
            limit,
        })
    }

    /// The path of the file with this hash (64 lowercase hex digits), if it is in the spool.
    pub fn path(&self, sha256: &str) -> Option<PathBuf> {
        if !is_hash(sha256) {
            return None;
        }
        let path = self.dir.join(sha256);
        path.is_file().then_some(path)
    }

    pub async fn read(&self, sha256: &str) -> Option<Vec<u8>> {
        tokio::fs::read(self.path(sha256)?).await.ok()
    }

    /// The finished files (named by their hash; `.tmp-` files left out) with their modification
    /// times.
    pub fn files(&self) -> Result<Vec<(String, SystemTime)>, std::io::Error> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !is_hash(&name) {
                continue;
            }
            // Removed since the directory was read (a job deleted meanwhile): not a failure.
            let metadata = match entry.metadata() {
                Ok(metadata) => metadata,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            if metadata.is_file() {
                files.push((name, metadata.modified()?));
            }
        }
        Ok(files)
    }

    /// Removes the file of `sha256` unless an upload pins it or `referenced` (asked while uploads
    /// are held off) says an item still needs it. Answers whether a file was removed.
    pub fn remove_unreferenced<E>(
        &self,
        sha256: &str,
        referenced: impl FnOnce(&str) -> Result<bool, E>,
    ) -> Result<bool, E>
    where
        E: From<std::io::Error>,
    {
        if !is_hash(sha256) {
            return Ok(false);
        }
        let pins = lock(&self.pins);
        if pins.contains_key(sha256) || referenced(sha256)? {
            return Ok(false);
        }
        match std::fs::remove_file(self.dir.join(sha256)) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}

impl SpoolWriter {
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), SpoolError> {
        self.size += chunk.len();
        if self.size > self.limit {
            let _ = tokio::fs::remove_file(&self.temp).await;
            return Err(SpoolError::TooLarge { limit: self.limit });
        }
        self.hasher.update(chunk);
        self.file.write_all(chunk).await?;
        Ok(())
    }

    /// Syncs and renames the file to its hash; answers the hash, the size and the pin that
    /// keeps the file until the job referencing it is stored (pinned before the rename, so a
    /// removal either comes before the rename or sees the pin).
    /// On failure (a full disk) the temporary file is removed.
    pub async fn finish(mut self) -> Result<(String, usize, SpoolPin), SpoolError> {
        if let Err(error) = async {
            self.file.flush().await?;
            self.file.sync_all().await
        }
        .await
        {
            let _ = tokio::fs::remove_file(&self.temp).await;
            return Err(error.into());
        }
        let hash: String = self.hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
        *lock(&self.pins).entry(hash.clone()).or_insert(0) += 1;
        let pin = SpoolPin { pins: Arc::clone(&self.pins), hash: hash.clone() };
        if let Err(error) = tokio::fs::rename(&self.temp, self.dir.join(&hash)).await {
            let _ = tokio::fs::remove_file(&self.temp).await;
            return Err(error.into());
        }
        Ok((hash, self.size, pin))
    }

    /// Drops the temporary file.
    pub async fn discard(self) {
        let _ = tokio::fs::remove_file(&self.temp).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_are_named_by_their_sha256_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::open(dir.path()).unwrap();
        let mut writer = spool.writer(10).await.unwrap();
        writer.write(b"hello ").await.unwrap();
        writer.write(b"you").await.unwrap();
        let (hash, size, _pin) = writer.finish().await.unwrap();
        assert_eq!(size, 9);
        assert_eq!(hash, smart_tags_core::preprocess::sha256_hex(b"hello you"));
        assert_eq!(spool.read(&hash).await.unwrap(), b"hello you");
        assert!(spool.path("../etc/passwd").is_none());
        let mut writer = spool.writer(4).await.unwrap();
        assert!(matches!(writer.write(b"too long").await, Err(SpoolError::TooLarge { limit: 4 })));
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "only the finished file is left: {names:?}");
    }

    #[tokio::test]
    async fn a_pinned_or_referenced_file_is_never_removed() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::open(dir.path()).unwrap();
        let mut writer = spool.writer(100).await.unwrap();
        writer.write(b"same bytes").await.unwrap();
        let (hash, _, pin) = writer.finish().await.unwrap();
        std::fs::write(dir.path().join(".tmp-left"), b"x").unwrap();
        let names: Vec<String> = spool.files().unwrap().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, vec![hash.clone()], "only finished files are listed");
        let nobody = |_: &str| Ok::<bool, std::io::Error>(false);
        assert!(!spool.remove_unreferenced(&hash, nobody).unwrap(), "the upload still pins it");
        drop(pin);
        assert!(
            !spool.remove_unreferenced(&hash, |h| Ok::<bool, std::io::Error>(h == hash)).unwrap(),
            "an item references it"
        );
        assert!(spool.path(&hash).is_some());
        assert!(spool.remove_unreferenced(&hash, nobody).unwrap());
        assert!(spool.path(&hash).is_none());
        assert!(!spool.remove_unreferenced(&hash, nobody).unwrap(), "already gone");
        assert!(!spool.remove_unreferenced("../jobs.sqlite3", nobody).unwrap(), "only hash names");
    }
}
