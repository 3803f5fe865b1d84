//! Random secrets (client secrets, API keys, token keys), their stored hashes, and constant-time
//! comparison. Client secrets are 32 random bytes, so a plain SHA-256 is a sound stored form (no
//! password stretching is needed for secrets nobody chose).

use ring::rand::{SecureRandom, SystemRandom};

use crate::error::CredentialError;
use crate::{b64url, hex, sha256};

/// `n` random bytes from the OS.
pub fn random_bytes(n: usize) -> Result<Vec<u8>, CredentialError> {
    let mut bytes = vec![0; n];
    SystemRandom::new().fill(&mut bytes).map_err(|_| CredentialError::Generate("the os random source failed".to_owned()))?;
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
