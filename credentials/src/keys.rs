//! Key pairs and public keys. Signing is `ring`'s (constant time); RSA key generation is the
//! `rsa` crate's, because `ring` cannot generate RSA keys.

use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair, UnparsedPublicKey};

use crate::error::CredentialError;

/// What kind of key pair to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyAlgorithm {
    /// RSA with a modulus of 2048 to 4096 bits; signs RS256.
    Rsa { bits: usize },
    /// ECDSA on P-256; signs ES256.
    P256,
}

impl KeyAlgorithm {
    /// Parses `rsa` (2048 bits), `rsa-2048`, `rsa-3072`, `rsa-4096` or `p256` / `p-256` / `ec`.
    pub fn parse(text: &str) -> Option<KeyAlgorithm> {
        match text.to_ascii_lowercase().as_str() {
            "rsa" | "rsa-2048" | "rsa2048" => Some(KeyAlgorithm::Rsa { bits: 2048 }),
            "rsa-3072" | "rsa3072" => Some(KeyAlgorithm::Rsa { bits: 3072 }),
            "rsa-4096" | "rsa4096" => Some(KeyAlgorithm::Rsa { bits: 4096 }),
            "p256" | "p-256" | "ec" | "ecdsa" => Some(KeyAlgorithm::P256),
            _ => None,
        }
    }

    /// The JWS algorithm this key signs with.
    pub fn jws(self) -> &'static str {
        match self {
            KeyAlgorithm::Rsa { .. } => "RS256",
            KeyAlgorithm::P256 => "ES256",
        }
    }
}

enum Signer {
    Rsa(RsaKeyPair),
    P256(EcdsaKeyPair),
}

/// A private key, held as PKCS#8 DER. Its `Debug` shows the algorithm only.
pub struct PrivateKey {
    pkcs8: Vec<u8>,
    algorithm: KeyAlgorithm,
    signer: Signer,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey({:?}, redacted)", self.algorithm)
    }
}

impl Drop for PrivateKey {
    fn drop(&mut self) {
        self.pkcs8.iter_mut().for_each(|b| *b = 0);
    }
}

impl PrivateKey {
    /// Creates a new key pair.
    pub fn generate(algorithm: KeyAlgorithm) -> Result<PrivateKey, CredentialError> {
        let pkcs8 = match algorithm {
            KeyAlgorithm::Rsa { bits } => {
                if !(2048..=4096).contains(&bits) {
                    return Err(CredentialError::RsaKeySize(bits));
                }
                use rsa::pkcs8::EncodePrivateKey;
                let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, bits)
                    .map_err(|e| CredentialError::Generate(e.to_string()))?;
                key.to_pkcs8_der().map_err(|e| CredentialError::Generate(e.to_string()))?.as_bytes().to_vec()
            }
            KeyAlgorithm::P256 => {
                EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                    .map_err(|_| CredentialError::Generate("the os random source failed".to_owned()))?
                    .as_ref()
                    .to_vec()
            }
        };
        PrivateKey::from_pkcs8_der(&pkcs8)
    }

    /// Reads a PKCS#8 DER private key (RSA or P-256).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey, CredentialError> {
        if let Ok(pair) = RsaKeyPair::from_pkcs8(der) {
            let bits = pair.public().modulus_len() * 8;
            if bits < 2048 {
                return Err(CredentialError::RsaKeySize(bits));
            }
            return Ok(PrivateKey {
                pkcs8: der.to_vec(),
                algorithm: KeyAlgorithm::Rsa { bits },
                signer: Signer::Rsa(pair),
            });
        }
        match EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, der, &SystemRandom::new()) {
            Ok(pair) => {
                Ok(PrivateKey { pkcs8: der.to_vec(), algorithm: KeyAlgorithm::P256, signer: Signer::P256(pair) })
            }
            Err(e) => Err(CredentialError::PrivateKey(e.to_string())),
        }
    }

    /// Reads a `-----BEGIN PRIVATE KEY-----` PEM.
    pub fn from_pkcs8_pem(pem: &str) -> Result<PrivateKey, CredentialError> {
        let der = pem_body(pem, "PRIVATE KEY")
            .ok_or_else(|| CredentialError::PrivateKey("no PRIVATE KEY block".to_owned()))?;
        PrivateKey::from_pkcs8_der(&der)
    }

    /// The key as a `-----BEGIN PRIVATE KEY-----` PEM. Secret: write it with 0600 permissions.
    pub fn to_pkcs8_pem(&self) -> String {
        pem_encode("PRIVATE KEY", &self.pkcs8)
    }

    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        match &self.signer {
            Signer::Rsa(pair) => PublicKey { kind: PublicKind::Rsa, bytes: pair.public_key().as_ref().to_vec() },
            Signer::P256(pair) => PublicKey { kind: PublicKind::P256, bytes: pair.public_key().as_ref().to_vec() },
        }
    }

    /// Signs a message: RSASSA-PKCS1-v1_5 with SHA-256 (RS256) or ECDSA P-256 SHA-256 in the
    /// fixed r‖s form (ES256).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CredentialError> {
        let rng = SystemRandom::new();
        match &self.signer {
            Signer::Rsa(pair) => {
                let mut out = vec![0; pair.public().modulus_len()];
                pair.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut out)
                    .map_err(|e| CredentialError::Sign(e.to_string()))?;
                Ok(out)
            }
            Signer::P256(pair) => {
                Ok(pair.sign(&rng, message).map_err(|e| CredentialError::Sign(e.to_string()))?.as_ref().to_vec())
            }
        }
    }

    /// The PKCS#8 DER, for rcgen.
    pub(crate) fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PublicKind {
    Rsa,
    P256,
}

/// A public key: an RSA key (the DER `RSAPublicKey`) or a P-256 point (uncompressed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    kind: PublicKind,
    bytes: Vec<u8>,
}

impl PublicKey {
    pub(crate) fn rsa(rsa_public_key_der: Vec<u8>) -> PublicKey {
        PublicKey { kind: PublicKind::Rsa, bytes: rsa_public_key_der }
    }

    pub(crate) fn p256(point: Vec<u8>) -> PublicKey {
        PublicKey { kind: PublicKind::P256, bytes: point }
    }

    /// The one JWS algorithm this key verifies: `RS256` or `ES256`.
    pub fn jws(&self) -> &'static str {
        match self.kind {
            PublicKind::Rsa => "RS256",
            PublicKind::P256 => "ES256",
        }
    }

    /// Checks a signature made by [`PrivateKey::sign`]. RSA keys accept 2048 to 8192 bits.
    pub fn verify(&self, message: &[u8], signature_bytes: &[u8]) -> bool {
        let algorithm: &dyn signature::VerificationAlgorithm = match self.kind {
            PublicKind::Rsa => &signature::RSA_PKCS1_2048_8192_SHA256,
            PublicKind::P256 => &signature::ECDSA_P256_SHA256_FIXED,
        };
        UnparsedPublicKey::new(algorithm, &self.bytes).verify(message, signature_bytes).is_ok()
    }
}

/// The DER inside the first `-----BEGIN {label}-----` block.
pub(crate) fn pem_body(pem: &str, label: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin)? + begin.len();
    let stop = start + pem[start..].find(&end)?;
    let body: String = pem[start..stop].chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(body).ok()
}

pub(crate) fn pem_encode(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
