//! Key pairs and certificates as the proxy writes them and the authorization server reads them.

use smart_tags_credentials::jwt::{self, Claims, VerifyingKey};
use smart_tags_credentials::{certificate, Certificate, CredentialError, KeyAlgorithm, PrivateKey};

const NOW: i64 = 1_767_225_600; // 2026-01-01

#[test]
fn rsa_and_p256_certificates_round_trip_and_verify_their_keys_jwts() {
    for algorithm in [KeyAlgorithm::Rsa { bits: 2048 }, KeyAlgorithm::P256] {
        let key = PrivateKey::generate(algorithm).unwrap();
        let pem = certificate::self_signed(&key, "smart-tags-proxy", 365, NOW).unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(!pem.contains("PRIVATE"));
        let cert = Certificate::from_pem(&pem).unwrap();
        assert_eq!(cert.algorithm, algorithm.jws());
        assert!(cert.matches(&key));
        assert_eq!(cert.not_after - NOW, 365 * 86_400);
        assert_eq!(cert.days_left(NOW), 365);
        assert_eq!(cert.not_after_date(), "2027-01-01");
        assert!(cert.subject.contains("smart-tags-proxy"), "{}", cert.subject);
        assert_eq!(Certificate::from_pem(&cert.to_pem()).unwrap().fingerprint, cert.fingerprint);

        let mut claims = Claims::new();
        claims.insert("exp".into(), (NOW + 300).into());
        let token = jwt::sign(&claims, &key, Some(cert.kid())).unwrap();
        let keys = [VerifyingKey { kid: cert.kid(), key: &cert.public_key }];
        assert_eq!(jwt::parse(&token).unwrap().verify(&keys).unwrap(), cert.kid());

        // A certificate of another key neither matches nor verifies.
        let other = PrivateKey::generate(KeyAlgorithm::P256).unwrap();
        let other_cert = Certificate::from_pem(&certificate::self_signed(&other, "x", 1, NOW).unwrap()).unwrap();
        assert!(!other_cert.matches(&key));
        let keys = [VerifyingKey { kid: other_cert.kid(), key: &other_cert.public_key }];
        assert!(jwt::parse(&token).unwrap().verify(&keys).is_err());

        // The key survives its PEM.
        let again = PrivateKey::from_pkcs8_pem(&key.to_pkcs8_pem()).unwrap();
        assert!(cert.matches(&again));
        assert!(!format!("{again:?}").contains("BEGIN"));
    }
}

#[test]
fn bad_input_is_refused_with_a_reason() {
    let key = PrivateKey::generate(KeyAlgorithm::P256).unwrap();
    assert_eq!(certificate::self_signed(&key, "x", 0, NOW), Err(CredentialError::Validity(0)));
    assert_eq!(certificate::self_signed(&key, "x", 3651, NOW), Err(CredentialError::Validity(3651)));
    assert!(matches!(PrivateKey::generate(KeyAlgorithm::Rsa { bits: 1024 }), Err(CredentialError::RsaKeySize(1024))));
    assert!(matches!(Certificate::from_pem("hello"), Err(CredentialError::CertificatePem(_))));
    assert!(matches!(
        Certificate::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        Err(CredentialError::CertificatePem(_))
    ));
    assert!(matches!(
        PrivateKey::from_pkcs8_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
        Err(CredentialError::PrivateKey(_))
    ));
    // An expired certificate still parses; its days left are negative.
    let pem = certificate::self_signed(&key, "x", 1, NOW - 3 * 86_400).unwrap();
    assert!(Certificate::from_pem(&pem).unwrap().days_left(NOW) < 0);
}
