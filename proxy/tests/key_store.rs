//! The key store: create (first active, later next), list, download (public only), activate,
//! retire; private keys 0600; sealed keys open only with the right passphrase.

#![allow(clippy::unwrap_used)]

use std::os::unix::fs::PermissionsExt;

use smart_tags_credentials::{Certificate, KeyAlgorithm};
use smart_tags_proxy::keys::{CertificateStatus, CreateOptions, KeyStore, KeyStoreError};

const PASSPHRASE: &str = "a long enough passphrase for the tests";

fn p256() -> CreateOptions {
    CreateOptions { algorithm: KeyAlgorithm::P256, ..CreateOptions::default() }
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[test]
fn create_list_download_activate_retire() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::new(dir.path(), None);
    assert!(matches!(store.active(), Err(KeyStoreError::Empty)));
    let rsa = CreateOptions { common_name: "proxy one".to_owned(), ..CreateOptions::default() };
    let first = store.create(&rsa, now()).unwrap();
    let second = store.create(&p256(), now()).unwrap();
    assert!(matches!(store.create(&p256(), now()), Err(KeyStoreError::NextTaken(id)) if id == second));

    let key_file = dir.path().join("keys").join(format!("{first}.key"));
    assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("keys"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let list = store.list(now()).unwrap();
    assert_eq!(
        list.iter().map(|c| (c.id.as_str(), c.status)).collect::<Vec<_>>(),
        vec![(first.as_str(), CertificateStatus::Active), (second.as_str(), CertificateStatus::Next)]
    );
    assert_eq!((list[0].algorithm, list[1].algorithm), ("RS256", "ES256"));
    assert!(list[0].subject.contains("proxy one") && list[0].days_left >= 364 && !list[0].sealed);

    // Download: the next one by default, a public certificate whose kid is its id.
    let (id, pem) = store.download(None).unwrap();
    assert_eq!(id, second);
    assert!(pem.contains("BEGIN CERTIFICATE") && !pem.contains("PRIVATE KEY"));
    assert_eq!(Certificate::from_pem(&pem).unwrap().kid(), second);

    assert!(matches!(store.retire(&first), Err(KeyStoreError::RetireActive(_))));
    store.activate(&second).unwrap();
    let state = store.state().unwrap();
    assert_eq!((state.active.as_deref(), state.next.as_deref()), (Some(second.as_str()), None));
    assert_eq!(store.active().unwrap().id, second);
    assert_eq!(
        store.list(now()).unwrap()[1].status,
        CertificateStatus::Inactive,
        "the old active one stays until retired"
    );
    store.retire(&first).unwrap();
    assert!(!key_file.exists(), "a retired key is deleted");
    assert_eq!(store.state().unwrap().retired, vec![first.clone()]);
    assert!(matches!(store.activate(&first), Err(KeyStoreError::Retired(_))));
    assert!(matches!(store.activate("../../etc/passwd"), Err(KeyStoreError::UnknownCertificate(_))));
    assert!(matches!(store.download(Some("0000000000000000")), Err(KeyStoreError::UnknownCertificate(_))));
}

#[test]
fn sealed_keys_need_the_right_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let sealed = KeyStore::new(dir.path(), Some(PASSPHRASE.to_owned()));
    let id = sealed.create(&p256(), now()).unwrap();
    let text = std::fs::read_to_string(dir.path().join("keys").join(format!("{id}.key"))).unwrap();
    assert!(smart_tags_credentials::sealed::is_sealed(&text) && !text.contains("BEGIN PRIVATE KEY"));
    let active = sealed.active().unwrap();
    assert!(active.certificate.matches(&active.key), "round trip");
    assert!(sealed.list(now()).unwrap()[0].sealed);

    let wrong = KeyStore::new(dir.path(), Some("another passphrase, long enough".to_owned()));
    let error = wrong.active().unwrap_err();
    assert!(matches!(error, KeyStoreError::WrongPassphrase(_)), "{error}");
    assert!(error.to_string().contains("SMART_TAGS_KEY_PASSPHRASE is wrong"));
    let none = KeyStore::new(dir.path(), None);
    let error = none.active().unwrap_err();
    assert_eq!(error.to_string(), format!("the private key {id} is sealed: set SMART_TAGS_KEY_PASSPHRASE"));
}
