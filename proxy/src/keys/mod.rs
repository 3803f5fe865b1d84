//! The proxy's key store: its private keys and their self-signed certificates in
//! `<data-dir>/keys/`, and which one signs.
//!
//! - `<id>.key`: the PKCS#8 private key (0600, written atomically), sealed with
//!   `SMART_TAGS_KEY_PASSPHRASE` when the store has one.
//! - `<id>.crt`: its certificate; `<id>` is the certificate's kid.
//! - `state.json`: `{active, next, retired}`.
//!
//! # Layout
//! - [`store`]: the operations (create, list, download, activate, retire, load the active key).
//! - [`state`]: the state file, `state.json`.
//! - [`files`]: atomic writes with permissions, reading sealed keys.
//! - [`error`]: the errors, [`KeyStoreError`].

pub mod error;
pub mod files;
pub mod state;
pub mod store;

pub use error::KeyStoreError;
pub use state::KeyState;
pub use store::{ActiveKey, CertificateInfo, CertificateStatus, CreateOptions, KeyStore};
