//! Self-signed X.509 certificates: the proxy writes them, the authorization server reads them.

use serde::Serialize;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::error::CredentialError;
use crate::keys::{pem_body, pem_encode, KeyAlgorithm, PrivateKey, PublicKey};
use crate::{hex, sha256, UnixTime};

/// The longest validity [`self_signed`] writes.
pub const MAX_VALIDITY_DAYS: u32 = 3650;

/// Writes a self-signed certificate for `key`, valid from `now` (less a minute of clock skew) for
/// `validity_days`, with `common_name` as subject and issuer. Returns the PEM.
pub fn self_signed(
    key: &PrivateKey,
    common_name: &str,
    validity_days: u32,
    now: UnixTime,
) -> Result<String, CredentialError> {
    if validity_days == 0 || validity_days > MAX_VALIDITY_DAYS {
        return Err(CredentialError::Validity(validity_days));
    }
    let sign_algorithm = match key.algorithm() {
        KeyAlgorithm::Rsa { .. } => &rcgen::PKCS_RSA_SHA256,
        KeyAlgorithm::P256 => &rcgen::PKCS_ECDSA_P256_SHA256,
    };
    let der = rustls_pki_types_der(key.pkcs8_der());
    let key_pair = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&der, sign_algorithm)
        .map_err(|e| CredentialError::CertificateWrite(e.to_string()))?;
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new())
        .map_err(|e| CredentialError::CertificateWrite(e.to_string()))?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(rcgen::DnType::CommonName, common_name);
    let at = |t: UnixTime| {
        time::OffsetDateTime::from_unix_timestamp(t).map_err(|e| CredentialError::CertificateWrite(e.to_string()))
    };
    params.not_before = at(now - 60)?;
    params.not_after = at(now + i64::from(validity_days) * 86_400)?;
    let mut serial = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut serial)
        .map_err(|_| CredentialError::CertificateWrite("the os random source failed".to_owned()))?;
    serial[0] &= 0x7f;
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
    let certificate = params.self_signed(&key_pair).map_err(|e| CredentialError::CertificateWrite(e.to_string()))?;
    Ok(pem_encode("CERTIFICATE", certificate.der()))
}

fn rustls_pki_types_der(pkcs8: &[u8]) -> rustls_pki_types::PrivatePkcs8KeyDer<'static> {
    rustls_pki_types::PrivatePkcs8KeyDer::from(pkcs8.to_vec())
}

/// A parsed certificate: what the authorization server keeps about an uploaded certificate.
#[derive(Debug, Clone, Serialize)]
pub struct Certificate {
    /// SHA-256 of the DER, lowercase hex: the certificate's id and the JWT `kid`.
    pub fingerprint: String,
    pub subject: String,
    pub not_before: UnixTime,
    pub not_after: UnixTime,
    /// `RS256` or `ES256`.
    pub algorithm: &'static str,
    #[serde(skip)]
    pub public_key: PublicKey,
    #[serde(skip)]
    pub der: Vec<u8>,
}

impl Certificate {
    /// Reads the first `-----BEGIN CERTIFICATE-----` block of a PEM.
    pub fn from_pem(pem: &str) -> Result<Certificate, CredentialError> {
        let der = pem_body(pem, "CERTIFICATE")
            .ok_or_else(|| CredentialError::CertificatePem("no CERTIFICATE block".to_owned()))?;
        Certificate::from_der(&der)
    }

    pub fn from_der(der: &[u8]) -> Result<Certificate, CredentialError> {
        let (rest, parsed) =
            X509Certificate::from_der(der).map_err(|e| CredentialError::CertificatePem(e.to_string()))?;
        if !rest.is_empty() {
            return Err(CredentialError::CertificatePem("trailing bytes after the certificate".to_owned()));
        }
        let spki = parsed.public_key();
        let oid = spki.algorithm.algorithm.to_id_string();
        let key_bytes = spki.subject_public_key.data.to_vec();
        let public_key = match oid.as_str() {
            "1.2.840.113549.1.1.1" => {
                let bits = match spki.parsed() {
                    Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => rsa.key_size(),
                    _ => 0,
                };
                if bits < 2048 {
                    return Err(CredentialError::UnsupportedPublicKey(format!("rsa key of {bits} bits")));
                }
                PublicKey::rsa(key_bytes)
            }
            "1.2.840.10045.2.1" => {
                let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.as_oid().ok()).map(|o| o.to_id_string());
                if curve.as_deref() != Some("1.2.840.10045.3.1.7") {
                    return Err(CredentialError::UnsupportedPublicKey(format!(
                        "elliptic curve {}",
                        curve.unwrap_or_else(|| "unnamed".to_owned())
                    )));
                }
                PublicKey::p256(key_bytes)
            }
            other => return Err(CredentialError::UnsupportedPublicKey(format!("algorithm {other}"))),
        };
        let validity = parsed.validity();
        Ok(Certificate {
            fingerprint: hex(&sha256(der)),
            subject: parsed.subject().to_string(),
            not_before: validity.not_before.timestamp(),
            not_after: validity.not_after.timestamp(),
            algorithm: public_key.jws(),
            public_key,
            der: der.to_vec(),
        })
    }

    /// The certificate as PEM.
    pub fn to_pem(&self) -> String {
        pem_encode("CERTIFICATE", &self.der)
    }

    /// The JWT key id: the first 16 hex digits of the fingerprint.
    pub fn kid(&self) -> &str {
        &self.fingerprint[..16]
    }

    /// Whether `key` is this certificate's private key.
    pub fn matches(&self, key: &PrivateKey) -> bool {
        self.public_key == key.public_key()
    }

    /// Whole days from `now` until expiry (negative once expired).
    pub fn days_left(&self, now: UnixTime) -> i64 {
        (self.not_after - now).div_euclid(86_400)
    }

    /// The expiry as an ISO 8601 date, e.g. `2026-01-03`.
    pub fn not_after_date(&self) -> String {
        iso_date(self.not_after)
    }
}

/// `YYYY-MM-DD` (UTC) of a unix time.
pub fn iso_date(t: UnixTime) -> String {
    match time::OffsetDateTime::from_unix_timestamp(t) {
        Ok(d) => format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
        Err(_) => t.to_string(),
    }
}
