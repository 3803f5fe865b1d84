//! Credential primitives shared by the proxy (which signs) and the authorization server in the
//! tagging service (which verifies). Pure functions over bytes and a caller-supplied clock: no
//! files, no network, no `SystemTime::now()`. Randomness comes from the OS through `ring`.
//!
//! # Layout
//! - [`keys`]: key pairs (RSA 2048+ and P-256) and public keys; signing and verifying.
//! - [`certificate`]: self-signed X.509 certificates: writing and reading PEM.
//! - [`jwt`]: compact JWS tokens: parsing, RS256/ES256 signatures, claim checks.
//! - [`hmac_token`]: HS256 tokens for secrets shared by two parties (access and widget tokens).
//! - [`secret`]: random secrets, their hashes, constant-time comparison.
//! - [`sealed`]: private keys encrypted at rest with a key from the environment.
//! - [`error`]: typed errors with lowercase messages that never contain secret material.

pub mod certificate;
pub mod error;
pub mod hmac_token;
pub mod jwt;
pub mod keys;
pub mod sealed;
pub mod secret;

pub use certificate::Certificate;
pub use error::{CredentialError, JwtError};
pub use keys::{KeyAlgorithm, PrivateKey, PublicKey};

/// Unix time in seconds, always passed in by the caller.
pub type UnixTime = i64;

pub(crate) fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn b64url_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).ok()
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of bytes.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}
