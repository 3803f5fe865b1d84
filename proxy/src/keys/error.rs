//! Why a key store operation failed. Messages are lowercase and never carry key material.

use std::path::PathBuf;

use smart_tags_credentials::CredentialError;

#[derive(Debug, thiserror::Error)]
pub enum KeyStoreError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{path} is damaged: {reason}")]
    Damaged { path: PathBuf, reason: String },
    #[error("no certificate {0} in the key store (see `smart-tags-proxy cert list`)")]
    UnknownCertificate(String),
    #[error("the key store has no certificate yet: run `smart-tags-proxy cert create`")]
    Empty,
    #[error("the key store has no active certificate: run `smart-tags-proxy cert activate ID`")]
    NoActive,
    #[error("certificate {0} is retired")]
    Retired(String),
    #[error("certificate {0} is the active one: activate another before retiring it")]
    RetireActive(String),
    #[error("certificate {0} is already waiting as next: activate or retire it before creating another")]
    NextTaken(String),
    #[error("the private key {0} is sealed: set SMART_TAGS_KEY_PASSPHRASE")]
    PassphraseNeeded(String),
    #[error("cannot open the sealed private key {0}: SMART_TAGS_KEY_PASSPHRASE is wrong or the file is damaged")]
    WrongPassphrase(String),
    #[error("the private key {0} does not match its certificate")]
    Mismatch(String),
    #[error("{0}")]
    Credential(#[from] CredentialError),
}
