//! Errors. Messages are lowercase and never include key material, secrets or whole tokens.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CredentialError {
    #[error("rsa keys must have 2048 to 4096 bits, not {0}")]
    RsaKeySize(usize),
    #[error("cannot generate a key pair: {0}")]
    Generate(String),
    #[error("the private key is not a pkcs#8 pem of an rsa or p-256 key: {0}")]
    PrivateKey(String),
    #[error("not a pem x.509 certificate: {0}")]
    CertificatePem(String),
    #[error("the certificate's public key is neither rsa (2048 bits or more) nor p-256: {0}")]
    UnsupportedPublicKey(String),
    #[error("cannot write the certificate: {0}")]
    CertificateWrite(String),
    #[error("the certificate validity must be 1 to 3650 days, not {0}")]
    Validity(u32),
    #[error("cannot sign: {0}")]
    Sign(String),
    #[error("the sealed key is damaged or the key encryption key is wrong")]
    Unseal,
    #[error("the key encryption key must be at least 16 characters")]
    WeakKeyEncryptionKey,
}

/// Why a token was refused. [`JwtError::code`] gives the OAuth / Adobe IMS error code.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum JwtError {
    #[error("the token is not a compact jws (three base64url parts)")]
    Malformed,
    #[error("the token header is not valid json: {0}")]
    Header(String),
    #[error("the token claims are not a json object: {0}")]
    Claims(String),
    #[error("algorithm {0} is not accepted")]
    Algorithm(String),
    #[error("the token header marks extensions critical ({0}) that this server does not understand")]
    Critical(String),
    #[error("the token names key id {0}, which is not registered")]
    UnknownKey(String),
    #[error("the signature does not match any registered certificate")]
    Signature,
    #[error("the {0} claim is missing or has the wrong type")]
    MissingClaim(&'static str),
    #[error("the token expired at {0}")]
    Expired(i64),
    #[error("the token expires at {exp}, more than {max_seconds} s ahead")]
    TooLongLived { exp: i64, max_seconds: i64 },
    #[error("the token is not valid before {0}")]
    NotYetValid(i64),
    #[error("the audience {found} does not match {expected}")]
    Audience { found: String, expected: String },
    #[error("the issuer {found} does not match {expected}")]
    Issuer { found: String, expected: String },
}

impl JwtError {
    /// The error code of the token endpoints (`invalid_signature` for a bad signature,
    /// `invalid_token` for everything else).
    pub fn code(&self) -> &'static str {
        match self {
            JwtError::Signature => "invalid_signature",
            _ => "invalid_token",
        }
    }
}
