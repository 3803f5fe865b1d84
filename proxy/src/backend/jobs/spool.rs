//! The content-addressed spool `<data-dir>/spool/<sha256>`: an uploaded file is written chunk
//! by chunk to a temporary file while its SHA-256 is computed, synced, then renamed to its hash,
//! so a name in the spool always holds the whole file (a crash leaves at most a `.tmp-` file,
//! swept at start-up). The same bytes uploaded twice are one file.

use std::path::{Path, PathBuf};

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
}

/// A file being written.
pub struct SpoolWriter {
    dir: PathBuf,
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
        Ok(Spool { dir: dir.to_owned() })
    }

    /// Starts a file of at most `limit` bytes.
    pub async fn writer(&self, limit: usize) -> Result<SpoolWriter, SpoolError> {
        let name = format!(".tmp-{}", crate::request_id());
        let temp = self.dir.join(name);
        let file = tokio::fs::File::create(&temp).await?;
        Ok(SpoolWriter { dir: self.dir.clone(), temp, file, hasher: Sha256::new(), size: 0, limit })
    }

    /// The path of the file with this hash (64 lowercase hex digits), if it is in the spool.
    pub fn path(&self, sha256: &str) -> Option<PathBuf> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return None;
        }
        let path = self.dir.join(sha256);
        path.is_file().then_some(path)
    }

    pub async fn read(&self, sha256: &str) -> Option<Vec<u8>> {
        tokio::fs::read(self.path(sha256)?).await.ok()
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

    /// Syncs and renames the file to its hash; answers the hash and the size.
    pub async fn finish(mut self) -> Result<(String, usize), SpoolError> {
        self.file.flush().await?;
        self.file.sync_all().await?;
        let hash: String = self.hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
        tokio::fs::rename(&self.temp, self.dir.join(&hash)).await?;
        Ok((hash, self.size))
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
        let (hash, size) = writer.finish().await.unwrap();
        assert_eq!(size, 9);
        assert_eq!(hash, smart_tags_core::preprocess::sha256_hex(b"hello you"));
        assert_eq!(spool.read(&hash).await.unwrap(), b"hello you");
        assert!(spool.path("../etc/passwd").is_none());
        let mut writer = spool.writer(4).await.unwrap();
        assert!(matches!(writer.write(b"too long").await, Err(SpoolError::TooLarge { limit: 4 })));
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "only the finished file is left: {names:?}");
    }
}
