//! The authorization server's records: integrations (a client of the tagging API), their
//! certificates and hashed client secrets, the JWT ids already exchanged, and the HS256 keys of
//! the access tokens. Times are unix seconds given by the caller (the auth server's clock), so
//! tests can move time. Client secrets are stored only as `sha256:<hex>`.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use super::{from_json, to_json, SqlEnum, Store, StoreError};

/// Whether an integration may still get and use tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IntegrationStatus {
    Active,
    Revoked,
}

impl SqlEnum for IntegrationStatus {
    const ALL: &'static [Self] = &[IntegrationStatus::Active, IntegrationStatus::Revoked];
    fn as_str(self) -> &'static str {
        match self {
            IntegrationStatus::Active => "active",
            IntegrationStatus::Revoked => "revoked",
        }
    }
}

/// How an integration gets its access tokens, as Adobe IMS separates credentials: never both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Credential {
    /// A JWT signed by one of its certificates' keys, exchanged with the client secret.
    Jwt,
    /// The OAuth client-credentials grant: the client id and secret alone.
    OauthServerToServer,
}

impl SqlEnum for Credential {
    const ALL: &'static [Self] = &[Credential::Jwt, Credential::OauthServerToServer];
    fn as_str(self) -> &'static str {
        match self {
            Credential::Jwt => "jwt",
            Credential::OauthServerToServer => "oauth_server_to_server",
        }
    }
}

impl Credential {
    /// The name used on the wire and in the store.
    pub fn name(self) -> &'static str {
        self.as_str()
    }
}

/// A certificate to register: what the auth server read from the PEM.
#[derive(Debug, Clone)]
pub struct NewCertificate {
    pub fingerprint: String,
    pub pem: String,
    pub subject: String,
    pub not_after: i64,
}

/// A registered certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCertificate {
    pub fingerprint: String,
    pub pem: String,
    pub subject: String,
    pub not_after: i64,
    pub added_at: i64,
}

/// A client secret's stored form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSecret {
    pub hash: String,
    pub created_at: i64,
    /// `None`: no expiry.
    pub expires_at: Option<i64>,
}

impl StoredSecret {
    /// Whether the secret is still accepted at `now`.
    pub fn is_valid_at(&self, now: i64) -> bool {
        self.expires_at.is_none_or(|at| at > now)
    }
}

/// An integration with its certificates and secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integration {
    pub client_id: String,
    pub name: String,
    pub org_id: String,
    pub technical_account_id: String,
    /// Scope names (`smart_tags`, `smart_tags_admin`).
    pub scopes: Vec<String>,
    pub status: IntegrationStatus,
    pub credential: Credential,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub tokens_issued: i64,
    pub last_exchange_at: Option<i64>,
    /// Oldest first.
    pub certificates: Vec<StoredCertificate>,
    /// Oldest first.
    pub secrets: Vec<StoredSecret>,
    /// The certificate token's hash (`sha256:<hex>`), when one was made.
    pub certificate_token_hash: Option<String>,
}

/// A new integration with its first secret, and its first certificate when it is a JWT one.
#[derive(Debug, Clone)]
pub struct NewIntegration<'a> {
    pub client_id: &'a str,
    pub name: &'a str,
    pub org_id: &'a str,
    pub technical_account_id: &'a str,
    pub scopes: &'a [String],
    /// `Some`: a JWT integration; `None`: an OAuth server-to-server one.
    pub certificate: Option<&'a NewCertificate>,
    pub secret_hash: &'a str,
    pub now: i64,
}

/// An HS256 key of the access tokens.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenKey {
    pub kid: String,
    pub key: Vec<u8>,
    pub created_at: i64,
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKey").field("kid", &self.kid).field("created_at", &self.created_at).finish_non_exhaustive()
    }
}

fn load(conn: &Connection, client_id: &str) -> Result<Option<Integration>, StoreError> {
    let row = conn
        .query_row(
            "SELECT client_id, name, org_id, technical_account_id, scopes, status, created_at, revoked_at, tokens_issued, last_exchange_at,
                    certificate_token_hash, credential
             FROM integrations WHERE client_id = ?1",
            [client_id],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?,
                    row.get::<_, i64>(6)?,
                    row.get::<_, Option<i64>>(7)?,
                    row.get::<_, i64>(8)?,
                    row.get::<_, Option<i64>>(9)?,
                    row.get::<_, Option<String>>(10)?,
                    row.get::<_, String>(11)?,
                ))
            },
        )
        .optional()?;
    let Some((
        client_id,
        name,
        org_id,
        technical_account_id,
        scopes,
        status,
        created_at,
        revoked_at,
        tokens_issued,
        last_exchange_at,
        certificate_token_hash,
        credential,
    )) = row
    else {
        return Ok(None);
    };
    let mut statement = conn.prepare_cached(
        "SELECT fingerprint, pem, subject, not_after, added_at FROM integration_certificates WHERE client_id = ?1 ORDER BY added_at, fingerprint",
    )?;
    let certificates = statement
        .query_map([&client_id], |row| {
            Ok(StoredCertificate {
                fingerprint: row.get(0)?,
                pem: row.get(1)?,
                subject: row.get(2)?,
                not_after: row.get(3)?,
                added_at: row.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut statement = conn.prepare_cached(
        "SELECT hash, created_at, expires_at FROM integration_secrets WHERE client_id = ?1 ORDER BY id",
    )?;
    let secrets = statement
        .query_map([&client_id], |row| {
            Ok(StoredSecret { hash: row.get(0)?, created_at: row.get(1)?, expires_at: row.get(2)? })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Integration {
        scopes: from_json(&scopes, "integration scopes")?,
        status: IntegrationStatus::parse_stored(&status)?,
        credential: Credential::parse_stored(&credential)?,
        client_id,
        name,
        org_id,
        technical_account_id,
        created_at,
        revoked_at,
        tokens_issued,
        last_exchange_at,
        certificates,
        secrets,
        certificate_token_hash,
    }))
}

fn require(conn: &Connection, client_id: &str) -> Result<Integration, StoreError> {
    load(conn, client_id)?.ok_or_else(|| StoreError::UnknownIntegration(printable(client_id)))
}

fn require_active(conn: &Connection, client_id: &str) -> Result<Integration, StoreError> {
    let integration = require(conn, client_id)?;
    if integration.status == IntegrationStatus::Revoked {
        return Err(StoreError::IntegrationRevoked(integration.client_id));
    }
    Ok(integration)
}

/// A short printable form of a caller-given id for a message.
fn printable(text: &str) -> String {
    text.chars().filter(|c| c.is_ascii_graphic()).take(64).collect()
}

fn insert_certificate(
    tx: &Transaction<'_>,
    client_id: &str,
    certificate: &NewCertificate,
    now: i64,
) -> Result<(), StoreError> {
    let inserted = tx.execute(
        "INSERT INTO integration_certificates (client_id, fingerprint, pem, subject, not_after, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT DO NOTHING",
        params![client_id, certificate.fingerprint, certificate.pem, certificate.subject, certificate.not_after, now],
    )?;
    if inserted == 0 {
        return Err(StoreError::CertificateExists(certificate.fingerprint.chars().take(16).collect()));
    }
    Ok(())
}

impl Store {
    /// Registers an integration with its first secret, and its first certificate (a JWT one).
    pub fn create_integration(&self, new: &NewIntegration<'_>) -> Result<Integration, StoreError> {
        let credential = if new.certificate.is_some() { Credential::Jwt } else { Credential::OauthServerToServer };
        self.write(|tx| {
            tx.execute(
                "INSERT INTO integrations (client_id, name, org_id, technical_account_id, scopes, status, created_at, credential)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6, ?7)",
                params![
                    new.client_id,
                    new.name,
                    new.org_id,
                    new.technical_account_id,
                    to_json(&new.scopes)?,
                    new.now,
                    credential.as_str()
                ],
            )?;
            if let Some(certificate) = new.certificate {
                insert_certificate(tx, new.client_id, certificate, new.now)?;
            }
            tx.execute(
                "INSERT INTO integration_secrets (client_id, hash, created_at, expires_at) VALUES (?1, ?2, ?3, NULL)",
                params![new.client_id, new.secret_hash, new.now],
            )?;
            require(tx, new.client_id)
        })
    }

    /// One integration; `None` when unknown.
    pub fn integration(&self, client_id: &str) -> Result<Option<Integration>, StoreError> {
        self.read(|conn| load(conn, client_id))
    }

    /// Every integration, oldest first.
    pub fn integrations(&self) -> Result<Vec<Integration>, StoreError> {
        self.read(|conn| {
            let mut statement =
                conn.prepare_cached("SELECT client_id FROM integrations ORDER BY created_at, client_id")?;
            let ids = statement.query_map([], |row| row.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
            ids.iter().map(|id| require(conn, id)).collect()
        })
    }

    /// Whether the integration exists and is active (the check of every access token).
    pub fn integration_is_active(&self, client_id: &str) -> Result<bool, StoreError> {
        self.read(|conn| {
            let status: Option<String> = conn
                .query_row("SELECT status FROM integrations WHERE client_id = ?1", [client_id], |row| row.get(0))
                .optional()?;
            Ok(status.as_deref() == Some(IntegrationStatus::Active.as_str()))
        })
    }

    /// Adds a certificate beside the others of an active integration.
    pub fn add_certificate(
        &self,
        client_id: &str,
        certificate: &NewCertificate,
        now: i64,
    ) -> Result<Integration, StoreError> {
        self.write(|tx| {
            let integration = require_active(tx, client_id)?;
            if integration.credential != Credential::Jwt {
                return Err(StoreError::NotJwtIntegration(integration.client_id));
            }
            insert_certificate(tx, client_id, certificate, now)?;
            require(tx, client_id)
        })
    }

    /// Removes one certificate, named by its id (the kid: 16 hex digits) or whole fingerprint;
    /// never the last one.
    pub fn remove_certificate(&self, client_id: &str, certificate_id: &str) -> Result<Integration, StoreError> {
        self.write(|tx| {
            let integration = require(tx, client_id)?;
            let id = certificate_id.to_ascii_lowercase();
            let matching: Vec<&StoredCertificate> = integration
                .certificates
                .iter()
                .filter(|c| c.fingerprint == id || (id.len() == 16 && c.fingerprint.starts_with(&id)))
                .collect();
            let [certificate] = matching.as_slice() else {
                return Err(StoreError::UnknownCertificate(printable(certificate_id)));
            };
            if integration.certificates.len() == 1 {
                return Err(StoreError::LastCertificate);
            }
            tx.execute(
                "DELETE FROM integration_certificates WHERE client_id = ?1 AND fingerprint = ?2",
                params![client_id, certificate.fingerprint],
            )?;
            require(tx, client_id)
        })
    }

    /// Adds a new secret; every other secret still valid expires at `now + overlap_seconds` at
    /// the latest.
    pub fn rotate_secret(
        &self,
        client_id: &str,
        secret_hash: &str,
        now: i64,
        overlap_seconds: i64,
    ) -> Result<Integration, StoreError> {
        self.write(|tx| {
            require_active(tx, client_id)?;
            let until = now.saturating_add(overlap_seconds.max(0));
            tx.execute(
                "UPDATE integration_secrets SET expires_at = ?2 WHERE client_id = ?1 AND (expires_at IS NULL OR expires_at > ?2)",
                params![client_id, until],
            )?;
            tx.execute(
                "INSERT INTO integration_secrets (client_id, hash, created_at, expires_at) VALUES (?1, ?2, ?3, NULL)",
                params![client_id, secret_hash, now],
            )?;
            require(tx, client_id)
        })
    }

    /// Sets the integration's certificate token (its hash), replacing the one before.
    pub fn set_certificate_token(&self, client_id: &str, token_hash: &str) -> Result<Integration, StoreError> {
        self.write(|tx| {
            let integration = require_active(tx, client_id)?;
            if integration.credential != Credential::Jwt {
                return Err(StoreError::NotJwtIntegration(integration.client_id));
            }
            tx.execute(
                "UPDATE integrations SET certificate_token_hash = ?2 WHERE client_id = ?1",
                params![client_id, token_hash],
            )?;
            require(tx, client_id)
        })
    }

    /// Revokes an integration (its access tokens stop working at once). Revoking twice keeps
    /// the first time.
    pub fn revoke_integration(&self, client_id: &str, now: i64) -> Result<Integration, StoreError> {
        self.write(|tx| {
            require(tx, client_id)?;
            tx.execute("UPDATE integrations SET status = 'revoked', revoked_at = COALESCE(revoked_at, ?2) WHERE client_id = ?1", params![client_id, now])?;
            require(tx, client_id)
        })
    }

    /// Records a JWT id as used until `keep_until`; `false` when it was already used. Prunes the
    /// ids whose tokens can no longer be accepted.
    pub fn use_jti(&self, client_id: &str, jti: &str, keep_until: i64, now: i64) -> Result<bool, StoreError> {
        self.write(|tx| {
            tx.execute("DELETE FROM used_jtis WHERE exp < ?1", [now])?;
            let inserted = tx.execute(
                "INSERT INTO used_jtis (client_id, jti, exp) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                params![client_id, jti, keep_until],
            )?;
            Ok(inserted == 1)
        })
    }

    /// Counts one more token issued to an integration.
    pub fn record_token_issued(&self, client_id: &str, now: i64) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE integrations SET tokens_issued = tokens_issued + 1, last_exchange_at = ?2 WHERE client_id = ?1",
                params![client_id, now],
            )?;
            Ok(())
        })
    }

    /// Every access-token key, newest first.
    pub fn token_keys(&self) -> Result<Vec<TokenKey>, StoreError> {
        self.read(token_keys)
    }

    /// Deletes every access-token key: once they are in the key file (`auth::token_keys`), the
    /// database no longer holds them.
    pub fn forget_token_keys(&self) -> Result<usize, StoreError> {
        // Overwrite the freed pages, and fold the WAL (which holds copies of them) into the
        // file, so the deleted keys' bytes do not linger in either.
        let deleted = self.write(|tx| {
            tx.pragma_update(None, "secure_delete", "ON")?;
            Ok(tx.execute("DELETE FROM token_keys", [])?)
        })?;
        self.read(|conn| Ok(conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?))?;
        Ok(deleted)
    }
}

fn token_keys(conn: &Connection) -> Result<Vec<TokenKey>, StoreError> {
    let mut statement =
        conn.prepare_cached("SELECT kid, key, created_at FROM token_keys ORDER BY created_at DESC, kid")?;
    let keys = statement
        .query_map([], |row| Ok(TokenKey { kid: row.get(0)?, key: row.get(1)?, created_at: row.get(2)? }))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::temp_store;
    use super::*;

    fn certificate(fingerprint: &str) -> NewCertificate {
        NewCertificate {
            fingerprint: fingerprint.repeat(64 / fingerprint.len()),
            pem: "PEM".to_owned(),
            subject: "CN=proxy".to_owned(),
            not_after: 2_000_000_000,
        }
    }

    fn create(store: &Store) -> Integration {
        let scopes = vec!["smart_tags".to_owned()];
        let first = certificate("a");
        let new = NewIntegration {
            client_id: "c1",
            name: "proxy",
            org_id: "O@Org",
            technical_account_id: "T@techacct.smart-tags",
            scopes: &scopes,
            certificate: Some(&first),
            secret_hash: "sha256:00",
            now: 100,
        };
        store.create_integration(&new).unwrap()
    }

    #[test]
    fn integrations_certificates_secrets_and_revocation() {
        let (_dir, store) = temp_store();
        let created = create(&store);
        assert_eq!(created.status, IntegrationStatus::Active);
        assert_eq!(
            created.secrets,
            vec![StoredSecret { hash: "sha256:00".to_owned(), created_at: 100, expires_at: None }]
        );
        assert!(matches!(store.add_certificate("c1", &certificate("a"), 110), Err(StoreError::CertificateExists(_))));
        assert_eq!(store.add_certificate("c1", &certificate("b"), 110).unwrap().certificates.len(), 2);
        assert!(matches!(store.remove_certificate("c1", "cccccccccccccccc"), Err(StoreError::UnknownCertificate(_))));
        let left = store.remove_certificate("c1", "aaaaaaaaaaaaaaaa").unwrap();
        assert_eq!(left.certificates.len(), 1);
        assert!(matches!(store.remove_certificate("c1", &"b".repeat(64)), Err(StoreError::LastCertificate)));
        let rotated = store.rotate_secret("c1", "sha256:01", 200, 50).unwrap();
        assert_eq!(rotated.secrets[0].expires_at, Some(250));
        assert_eq!(rotated.secrets[1].expires_at, None);
        // A second rotation never extends an earlier expiry.
        let again = store.rotate_secret("c1", "sha256:02", 210, 1_000).unwrap();
        assert_eq!(again.secrets.iter().map(|s| s.expires_at).collect::<Vec<_>>(), vec![Some(250), Some(1_210), None]);
        assert!(store.integration_is_active("c1").unwrap());
        assert_eq!(store.revoke_integration("c1", 300).unwrap().revoked_at, Some(300));
        assert_eq!(store.revoke_integration("c1", 400).unwrap().revoked_at, Some(300));
        assert!(!store.integration_is_active("c1").unwrap());
        assert!(!store.integration_is_active("nobody").unwrap());
        assert!(matches!(store.rotate_secret("c1", "sha256:03", 500, 0), Err(StoreError::IntegrationRevoked(_))));
        assert!(matches!(store.revoke_integration("nobody", 1), Err(StoreError::UnknownIntegration(_))));
        assert_eq!(store.integrations().unwrap().len(), 1);
    }

    #[test]
    fn jtis_are_single_use_and_pruned() {
        let (_dir, store) = temp_store();
        assert!(store.use_jti("c1", "j1", 200, 100).unwrap());
        assert!(!store.use_jti("c1", "j1", 200, 150).unwrap());
        assert!(store.use_jti("c2", "j1", 200, 150).unwrap(), "per client");
        // Once its token can no longer be accepted the id is forgotten.
        assert!(store.use_jti("c1", "j1", 400, 201).unwrap());
    }

    #[test]
    fn token_keys_left_by_an_older_version_can_be_read_and_forgotten() {
        let (dir, store) = temp_store();
        let conn = rusqlite::Connection::open(dir.path().join("data/smart-tags.sqlite3")).unwrap();
        conn.execute("INSERT INTO token_keys (kid, key, created_at) VALUES ('k1', x'0707', 5), ('k2', x'0808', 9)", [])
            .unwrap();
        let kids: Vec<String> = store.token_keys().unwrap().into_iter().map(|k| k.kid).collect();
        assert_eq!(kids, ["k2", "k1"], "newest first");
        assert_eq!(store.forget_token_keys().unwrap(), 2);
        assert!(store.token_keys().unwrap().is_empty());
    }
}
