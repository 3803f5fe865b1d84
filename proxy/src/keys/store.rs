//! The key store's operations. Each one reads and writes the files; nothing is cached, so a
//! running proxy and the `cert` commands can share one data directory.

use std::path::{Path, PathBuf};

use serde::Serialize;
use smart_tags_credentials::certificate::{self_signed, MAX_VALIDITY_DAYS};
use smart_tags_credentials::{sealed, Certificate, KeyAlgorithm, PrivateKey, UnixTime};

use super::files::{create_dir, read_text, write_atomic, KEY_MODE, PUBLIC_MODE};
use super::{KeyState, KeyStoreError};

/// The key store in `<data-dir>/keys/`.
#[derive(Clone)]
pub struct KeyStore {
    dir: PathBuf,
    /// Seals new keys and opens sealed ones.
    passphrase: Option<String>,
}

impl std::fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyStore")
            .field("dir", &self.dir)
            .field("passphrase", &self.passphrase.as_ref().map(|_| "redacted"))
            .finish()
    }
}

/// What `cert create` makes.
#[derive(Debug, Clone)]
pub struct CreateOptions {
    pub algorithm: KeyAlgorithm,
    pub validity_days: u32,
    pub common_name: String,
}

impl Default for CreateOptions {
    fn default() -> Self {
        CreateOptions {
            algorithm: KeyAlgorithm::Rsa { bits: 2048 },
            validity_days: 365,
            common_name: "smart-tags-proxy".to_owned(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CertificateStatus {
    /// Signs the proxy's JWTs.
    Active,
    /// Waits for `cert activate`.
    Next,
    /// Was active before; kept until retired.
    Inactive,
    /// Private key deleted; the certificate is kept for the record.
    Retired,
}

/// One row of `cert list`.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateInfo {
    pub id: String,
    pub status: CertificateStatus,
    pub algorithm: &'static str,
    pub subject: String,
    pub not_after: String,
    pub days_left: i64,
    /// Whether the private key file is sealed with the passphrase.
    pub sealed: bool,
    /// Whether the integration lists the certificate, when the proxy can ask its console
    /// (`token::console`); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registered: Option<bool>,
}

/// The signing key and its certificate.
#[derive(Debug)]
pub struct ActiveKey {
    pub id: String,
    pub key: PrivateKey,
    pub certificate: Certificate,
}

impl KeyStore {
    /// The store of a data directory (`<data_dir>/keys`). Nothing is read yet.
    pub fn new(data_dir: &Path, passphrase: Option<String>) -> KeyStore {
        KeyStore { dir: data_dir.join("keys"), passphrase: passphrase.filter(|p| !p.is_empty()) }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn state_path(&self) -> PathBuf {
        self.dir.join("state.json")
    }

    fn key_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.key"))
    }

    fn certificate_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.crt"))
    }

    pub fn state(&self) -> Result<KeyState, KeyStoreError> {
        KeyState::read(&self.state_path())
    }

    /// Makes a key pair and its certificate, valid from `now`. The first becomes active, later
    /// ones wait as next. Returns the certificate's id.
    pub fn create(&self, options: &CreateOptions, now: UnixTime) -> Result<String, KeyStoreError> {
        if options.validity_days == 0 || options.validity_days > MAX_VALIDITY_DAYS {
            return Err(smart_tags_credentials::CredentialError::Validity(options.validity_days).into());
        }
        let mut state = self.state()?;
        if let Some(next) = &state.next {
            return Err(KeyStoreError::NextTaken(next.clone()));
        }
        create_dir(&self.dir)?;
        let key = PrivateKey::generate(options.algorithm)?;
        let pem = self_signed(&key, &options.common_name, options.validity_days, now)?;
        let certificate = Certificate::from_pem(&pem)?;
        let id = certificate.kid().to_owned();
        let key_pem = key.to_pkcs8_pem();
        let stored = match &self.passphrase {
            Some(passphrase) => sealed::seal(key_pem.as_bytes(), passphrase)?,
            None => key_pem,
        };
        write_atomic(&self.key_path(&id), stored.as_bytes(), KEY_MODE)?;
        write_atomic(&self.certificate_path(&id), pem.as_bytes(), PUBLIC_MODE)?;
        if state.active.is_none() {
            state.active = Some(id.clone());
        } else {
            state.next = Some(id.clone());
        }
        state.write(&self.state_path())?;
        Ok(id)
    }

    /// Every certificate in the store: active first, then next, then the others by id.
    pub fn list(&self, now: UnixTime) -> Result<Vec<CertificateInfo>, KeyStoreError> {
        let state = self.state()?;
        let mut ids = self.ids()?;
        let rank = |id: &str| match status_of(&state, id) {
            CertificateStatus::Active => 0,
            CertificateStatus::Next => 1,
            CertificateStatus::Inactive => 2,
            CertificateStatus::Retired => 3,
        };
        ids.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.cmp(b)));
        ids.iter()
            .map(|id| {
                let certificate = self.certificate(id)?;
                let key_path = self.key_path(id);
                let sealed = key_path.exists() && sealed::is_sealed(&read_text(&key_path)?);
                Ok(CertificateInfo {
                    id: id.clone(),
                    status: status_of(&state, id),
                    algorithm: certificate.algorithm,
                    subject: certificate.subject.clone(),
                    not_after: certificate.not_after_date(),
                    days_left: certificate.days_left(now),
                    sealed,
                    registered: None,
                })
            })
            .collect()
    }

    /// The ids of every `<id>.crt` in the store.
    fn ids(&self) -> Result<Vec<String>, KeyStoreError> {
        if !self.dir.exists() {
            return Ok(Vec::new());
        }
        let entries =
            std::fs::read_dir(&self.dir).map_err(|source| KeyStoreError::Read { path: self.dir.clone(), source })?;
        let mut ids = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| KeyStoreError::Read { path: self.dir.clone(), source })?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(id) = name.strip_suffix(".crt") {
                if is_id(id) {
                    ids.push(id.to_owned());
                }
            }
        }
        Ok(ids)
    }

    /// A certificate of the store.
    pub fn certificate(&self, id: &str) -> Result<Certificate, KeyStoreError> {
        let path = self.certificate_path(id);
        if !is_id(id) || !path.exists() {
            return Err(KeyStoreError::UnknownCertificate(printable(id)));
        }
        Certificate::from_pem(&read_text(&path)?).map_err(|e| KeyStoreError::Damaged { path, reason: e.to_string() })
    }

    /// The PEM of a certificate: `id`, or the next one when there is one, else the active one.
    pub fn download(&self, id: Option<&str>) -> Result<(String, String), KeyStoreError> {
        let id = match id {
            Some(id) => id.to_owned(),
            None => {
                let state = self.state()?;
                state.next.or(state.active).ok_or(KeyStoreError::Empty)?
            }
        };
        Ok((id.clone(), self.certificate(&id)?.to_pem()))
    }

    /// The key and certificate `id` as they would sign once activated: known, not retired, and
    /// matching (what [`KeyStore::activate`] checks, without changing anything).
    pub fn candidate(&self, id: &str) -> Result<ActiveKey, KeyStoreError> {
        let state = self.state()?;
        self.certificate(id)?;
        if state.retired.iter().any(|r| r == id) {
            return Err(KeyStoreError::Retired(id.to_owned()));
        }
        self.load(id)
    }

    /// Makes `id` the signing certificate. The previous active one stays (inactive) until retired.
    pub fn activate(&self, id: &str) -> Result<(), KeyStoreError> {
        self.candidate(id)?;
        let mut state = self.state()?;
        state.active = Some(id.to_owned());
        if state.next.as_deref() == Some(id) {
            state.next = None;
        }
        state.write(&self.state_path())
    }

    /// Retires `id`: its private key is deleted, its certificate kept. Never the active one.
    pub fn retire(&self, id: &str) -> Result<(), KeyStoreError> {
        let mut state = self.state()?;
        self.certificate(id)?;
        if state.active.as_deref() == Some(id) {
            return Err(KeyStoreError::RetireActive(id.to_owned()));
        }
        if state.next.as_deref() == Some(id) {
            state.next = None;
        }
        if !state.retired.iter().any(|r| r == id) {
            state.retired.push(id.to_owned());
        }
        state.write(&self.state_path())?;
        let key_path = self.key_path(id);
        if key_path.exists() {
            std::fs::remove_file(&key_path).map_err(|source| KeyStoreError::Write { path: key_path, source })?;
        }
        Ok(())
    }

    /// The active key and its certificate, checked to match.
    pub fn active(&self) -> Result<ActiveKey, KeyStoreError> {
        let state = self.state()?;
        let id = match state.active {
            Some(id) => id,
            None if self.ids()?.is_empty() => return Err(KeyStoreError::Empty),
            None => return Err(KeyStoreError::NoActive),
        };
        self.load(&id)
    }

    /// A key and its certificate, checked to match.
    pub fn load(&self, id: &str) -> Result<ActiveKey, KeyStoreError> {
        let certificate = self.certificate(id)?;
        let key = self.private_key(id)?;
        if !certificate.matches(&key) {
            return Err(KeyStoreError::Mismatch(id.to_owned()));
        }
        Ok(ActiveKey { id: id.to_owned(), key, certificate })
    }

    /// Reads (and unseals) a private key.
    pub fn private_key(&self, id: &str) -> Result<PrivateKey, KeyStoreError> {
        let path = self.key_path(id);
        if !is_id(id) {
            return Err(KeyStoreError::UnknownCertificate(printable(id)));
        }
        let text = read_text(&path)?;
        let key = if sealed::is_sealed(&text) {
            let Some(passphrase) = &self.passphrase else {
                return Err(KeyStoreError::PassphraseNeeded(id.to_owned()));
            };
            let plain = sealed::open(&text, passphrase).map_err(|_| KeyStoreError::WrongPassphrase(id.to_owned()))?;
            let pem = String::from_utf8(plain).map_err(|_| KeyStoreError::WrongPassphrase(id.to_owned()))?;
            PrivateKey::from_pkcs8_pem(&pem)
        } else {
            PrivateKey::from_pkcs8_pem(&text)
        };
        key.map_err(|e| KeyStoreError::Damaged { path, reason: e.to_string() })
    }
}

fn status_of(state: &KeyState, id: &str) -> CertificateStatus {
    if state.active.as_deref() == Some(id) {
        CertificateStatus::Active
    } else if state.next.as_deref() == Some(id) {
        CertificateStatus::Next
    } else if state.retired.iter().any(|r| r == id) {
        CertificateStatus::Retired
    } else {
        CertificateStatus::Inactive
    }
}

/// A certificate id: 16 lowercase hex digits (never a path).
fn is_id(id: &str) -> bool {
    id.len() == 16 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn printable(text: &str) -> String {
    text.chars().filter(|c| c.is_ascii_graphic()).take(40).collect()
}
