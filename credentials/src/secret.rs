//! Random secrets (client secrets, API keys, token keys), their stored hashes, and constant-time
//! comparison. Client secrets are 32 random bytes, so a plain SHA-256 is a sound stored form (no
//! password stretching is needed for secrets nobody chose).

use ring::rand::{SecureRandom, SystemRandom};

use crate::error::CredentialError;
use crate::{b64url, hex, sha256};

/// `n` random bytes from the OS.
pub fn random_bytes(n: usize) -> Result<Vec<u8>, CredentialError> {
    let mut bytes = vec![0; n];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| CredentialError::Generate("the os random source failed".to_owned()))?;
    Ok(bytes)
}

/// A random secret of `n` bytes as base64url text, with a prefix that says what it is
/// (e.g. `stcs_` for a client secret, so leaked ones are easy to find with a scan).
pub fn random_secret(prefix: &str, n: usize) -> Result<String, CredentialError> {
    Ok(format!("{prefix}{}", b64url(&random_bytes(n)?)))
}

/// Random lowercase hex of `n` bytes (ids).
pub fn random_hex(n: usize) -> Result<String, CredentialError> {
    Ok(hex(&random_bytes(n)?))
}

/// The stored form of a secret: `sha256:<hex>`.
pub fn hash_secret(secret: &str) -> String {
    format!("sha256:{}", hex(&sha256(secret.as_bytes())))
}

/// Whether `secret` hashes to `stored`, compared in constant time.
pub fn verify_secret(secret: &str, stored: &str) -> bool {
    constant_time_eq(hash_secret(secret).as_bytes(), stored.as_bytes())
}

/// Compares two byte strings without an early exit.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// PBKDF2 iterations of a new password hash (OWASP's 2023 figure for PBKDF2-HMAC-SHA256).
pub const PASSWORD_ITERATIONS: u32 = 600_000;
/// The fewest iterations a stored password hash may have.
pub const MIN_PASSWORD_ITERATIONS: u32 = 100_000;
/// The prefix of a password hash's text form.
pub const PASSWORD_HASH_SCHEME: &str = "pbkdf2-sha256";

/// Why a password hash's text form was refused.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum PasswordHashError {
    #[error("the password hash is not pbkdf2-sha256$<iterations>$<salt>$<hash>")]
    Format,
    #[error("the password hash has {0} iterations, fewer than {MIN_PASSWORD_ITERATIONS}")]
    TooFewIterations(u32),
    #[error("the password hash's salt or hash is not base64url, or too short")]
    Encoding,
}

/// A stored password: PBKDF2-HMAC-SHA256, text form
/// `pbkdf2-sha256$<iterations>$<salt, base64url without padding>$<32-byte hash, base64url>`.
/// `Debug` shows the iterations only.
#[derive(Clone)]
pub struct PasswordHash {
    iterations: std::num::NonZeroU32,
    salt: Vec<u8>,
    hash: Vec<u8>,
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PasswordHash({PASSWORD_HASH_SCHEME}, {} iterations, redacted)", self.iterations)
    }
}

impl PasswordHash {
    /// Hashes `password` with a random 16-byte salt and `iterations` (at least
    /// [`MIN_PASSWORD_ITERATIONS`]; more are used when fewer are asked for).
    pub fn new(password: &str, iterations: u32) -> Result<PasswordHash, CredentialError> {
        let iterations =
            std::num::NonZeroU32::new(iterations.max(MIN_PASSWORD_ITERATIONS)).unwrap_or(std::num::NonZeroU32::MIN);
        let salt = random_bytes(16)?;
        let mut hash = vec![0; 32];
        ring::pbkdf2::derive(ring::pbkdf2::PBKDF2_HMAC_SHA256, iterations, &salt, password.as_bytes(), &mut hash);
        Ok(PasswordHash { iterations, salt, hash })
    }

    /// Reads the text form.
    pub fn parse(text: &str) -> Result<PasswordHash, PasswordHashError> {
        let mut parts = text.trim().split('$');
        let (Some(PASSWORD_HASH_SCHEME), Some(iterations), Some(salt), Some(hash), None) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(PasswordHashError::Format);
        };
        let iterations: u32 = iterations.parse().map_err(|_| PasswordHashError::Format)?;
        if iterations < MIN_PASSWORD_ITERATIONS {
            return Err(PasswordHashError::TooFewIterations(iterations));
        }
        let iterations = std::num::NonZeroU32::new(iterations).ok_or(PasswordHashError::Format)?;
        let salt = crate::b64url_decode(salt).filter(|s| s.len() >= 8).ok_or(PasswordHashError::Encoding)?;
        let hash = crate::b64url_decode(hash).filter(|h| h.len() == 32).ok_or(PasswordHashError::Encoding)?;
        Ok(PasswordHash { iterations, salt, hash })
    }

    /// The PBKDF2 iteration count.
    pub fn iterations(&self) -> u32 {
        self.iterations.get()
    }

    /// Whether `password` is the one hashed, compared in constant time.
    pub fn verify(&self, password: &str) -> bool {
        ring::pbkdf2::verify(
            ring::pbkdf2::PBKDF2_HMAC_SHA256,
            self.iterations,
            &self.salt,
            password.as_bytes(),
            &self.hash,
        )
        .is_ok()
    }
}

impl std::fmt::Display for PasswordHash {
    /// The text form, for the users file.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{PASSWORD_HASH_SCHEME}${}${}${}", self.iterations, b64url(&self.salt), b64url(&self.hash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_hash_and_verify() {
        let s = random_secret("stcs_", 32).unwrap();
        assert!(s.starts_with("stcs_") && s.len() > 40);
        assert_ne!(s, random_secret("stcs_", 32).unwrap());
        let stored = hash_secret(&s);
        assert!(!stored.contains(&s[5..]));
        assert!(verify_secret(&s, &stored));
        assert!(!verify_secret("stcs_wrong", &stored));
        assert!(!constant_time_eq(b"a", b"ab"));
    }
}
