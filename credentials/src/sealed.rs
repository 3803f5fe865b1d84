//! Private keys sealed at rest: AES-256-GCM under a key derived from a passphrase in the
//! environment (PBKDF2-HMAC-SHA256, 210,000 iterations, random salt). The sealed form is PEM-like
//! text, so it is recognisable on disk; without the passphrase it reveals nothing.

use std::num::NonZeroU32;

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::pbkdf2;

use crate::error::CredentialError;
use crate::keys::{pem_body, pem_encode};
use crate::secret::random_bytes;

/// The PEM label of a sealed key.
pub const LABEL: &str = "SMART TAGS SEALED PRIVATE KEY";
const VERSION: u8 = 1;
const SALT_LEN: usize = 16;
const ITERATIONS: u32 = 210_000;

fn derive(passphrase: &str, salt: &[u8]) -> Result<LessSafeKey, CredentialError> {
    if passphrase.chars().count() < 16 {
        return Err(CredentialError::WeakKeyEncryptionKey);
    }
    let mut key = [0u8; 32];
    let iterations = NonZeroU32::new(ITERATIONS).ok_or(CredentialError::Unseal)?;
    pbkdf2::derive(pbkdf2::PBKDF2_HMAC_SHA256, iterations, salt, passphrase.as_bytes(), &mut key);
    let unbound = UnboundKey::new(&AES_256_GCM, &key).map_err(|_| CredentialError::Unseal)?;
    key.iter_mut().for_each(|b| *b = 0);
    Ok(LessSafeKey::new(unbound))
}

/// Whether a file's text is a sealed key (rather than a plain PEM).
pub fn is_sealed(text: &str) -> bool {
    text.contains(&format!("-----BEGIN {LABEL}-----"))
}

/// Seals `plaintext` (a private key PEM) with `passphrase`.
pub fn seal(plaintext: &[u8], passphrase: &str) -> Result<String, CredentialError> {
    let salt = random_bytes(SALT_LEN)?;
    let nonce_bytes = random_bytes(NONCE_LEN)?;
    let key = derive(passphrase, &salt)?;
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&nonce_bytes);
    let mut data = plaintext.to_vec();
    key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from([VERSION]), &mut data)
        .map_err(|_| CredentialError::Unseal)?;
    let mut out = vec![VERSION];
    out.extend_from_slice(&salt);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&data);
    Ok(pem_encode(LABEL, &out))
}

/// Opens a sealed key. A wrong passphrase and a damaged file give the same error.
pub fn open(sealed: &str, passphrase: &str) -> Result<Vec<u8>, CredentialError> {
    let bytes = pem_body(sealed, LABEL).ok_or(CredentialError::Unseal)?;
    if bytes.len() < 1 + SALT_LEN + NONCE_LEN + 16 || bytes[0] != VERSION {
        return Err(CredentialError::Unseal);
    }
    let salt = &bytes[1..1 + SALT_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&bytes[1 + SALT_LEN..1 + SALT_LEN + NONCE_LEN]);
    let key = derive(passphrase, salt)?;
    let mut data = bytes[1 + SALT_LEN + NONCE_LEN..].to_vec();
    let plain = key
        .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from([VERSION]), &mut data)
        .map_err(|_| CredentialError::Unseal)?;
    Ok(plain.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_and_refusals() {
        let pass = "a passphrase of some length";
        let sealed = seal(b"-----BEGIN PRIVATE KEY-----\nabc\n", pass).unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("PRIVATE KEY-----\nabc"));
        assert_eq!(open(&sealed, pass).unwrap(), b"-----BEGIN PRIVATE KEY-----\nabc\n");
        assert_eq!(open(&sealed, "another passphrase, long enough"), Err(CredentialError::Unseal));
        assert_eq!(seal(b"x", "short"), Err(CredentialError::WeakKeyEncryptionKey));
        let damaged = sealed.replacen('A', "B", 1);
        if damaged != sealed {
            assert!(open(&damaged, pass).is_err());
        }
        assert_eq!(open("garbage", pass), Err(CredentialError::Unseal));
    }
}
