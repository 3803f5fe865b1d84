//! Registering integrations (the self-hosted "developer console"): a certificate in, a client id,
//! a client secret (shown once), an organization id, a technical account id and the JWT payload
//! out; certificates added and removed, secrets rotated, integrations revoked. Also what the
//! console shows of an integration ([`IntegrationView`]): never a secret, only when each was made
//! and until when it works.

use serde::Serialize;
use serde_json::{Map, Value};
use smart_tags_credentials::secret::{hash_secret, random_hex, random_secret};
use smart_tags_credentials::{Certificate, CredentialError};

use super::clock::rfc3339;
use super::scope::{parse_stored, Scope};
use super::server::{AuthServer, DEFAULT_SECRET_OVERLAP_SECONDS};
use crate::store::{Credential, Integration, IntegrationStatus, NewCertificate, NewIntegration, StoreError};

/// What a certificate token starts with (then the client id, a dot and the random part).
pub const CERTIFICATE_TOKEN_PREFIX: &str = "stct_";
/// Longest integration name, in bytes.
pub const MAX_NAME_BYTES: usize = 200;
/// Longest certificate PEM accepted, in bytes.
pub const MAX_CERTIFICATE_BYTES: usize = 16 * 1024;
/// Longest secret overlap accepted: 30 days.
pub const MAX_OVERLAP_SECONDS: i64 = 30 * 86_400;

/// Why a console action was refused.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    /// 400 `bad_input`.
    #[error("{0}")]
    BadInput(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// 500: the OS random source failed.
    #[error("cannot generate a credential: {0}")]
    Random(CredentialError),
}

/// A certificate as the console shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateView {
    /// The certificate id and JWT `kid`: the first 16 hex digits of the fingerprint.
    pub id: String,
    /// SHA-256 of the DER.
    pub fingerprint: String,
    pub subject: String,
    pub not_after: String,
    pub added_at: String,
}

/// A client secret as the console shows it (never the secret).
#[derive(Debug, Clone, Serialize)]
pub struct SecretView {
    pub created_at: String,
    /// `None`: no expiry.
    pub expires_at: Option<String>,
    /// Whether it is still accepted.
    pub valid: bool,
}

/// An integration as the console shows it.
#[derive(Debug, Clone, Serialize)]
pub struct IntegrationView {
    pub client_id: String,
    pub name: String,
    pub org_id: String,
    pub technical_account_id: String,
    pub scopes: Vec<Scope>,
    pub status: IntegrationStatus,
    /// `jwt` or `oauth_server_to_server`: the one grant it gets tokens with.
    pub credential: Credential,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    pub tokens_issued: i64,
    pub last_exchange_at: Option<String>,
    pub certificates: Vec<CertificateView>,
    pub secrets: Vec<SecretView>,
    /// The claims the proxy's JWTs carry (it adds `exp`, `iat` and `jti`); a JWT integration only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwt_payload: Option<Value>,
}

/// An integration with a secret that is shown this once.
#[derive(Debug, Clone, Serialize)]
pub struct WithSecret {
    #[serde(flatten)]
    pub integration: IntegrationView,
    pub client_secret: String,
}

/// What registering asks for.
#[derive(Debug, Clone)]
pub struct Registration<'a> {
    pub name: &'a str,
    /// `Some`: a JWT integration signing with this certificate's key; `None`: an OAuth
    /// server-to-server one (the client-credentials grant).
    pub certificate_pem: Option<&'a str>,
    /// Scope names; `None` or empty: every scope.
    pub scopes: Option<&'a [String]>,
}

fn random<T>(result: Result<T, CredentialError>) -> Result<T, IssueError> {
    result.map_err(IssueError::Random)
}

/// A new client secret: `stcs_` + 43 base64url characters.
fn new_secret() -> Result<String, IssueError> {
    random(random_secret("stcs_", 32))
}

fn read_certificate(pem: &str, now: i64) -> Result<NewCertificate, IssueError> {
    if pem.len() > MAX_CERTIFICATE_BYTES {
        return Err(IssueError::BadInput(format!("the certificate is larger than {MAX_CERTIFICATE_BYTES} bytes")));
    }
    let certificate = Certificate::from_pem(pem).map_err(|e| IssueError::BadInput(e.to_string()))?;
    if certificate.not_after <= now {
        return Err(IssueError::BadInput(format!(
            "the certificate {} expired on {}",
            certificate.kid(),
            certificate.not_after_date()
        )));
    }
    Ok(NewCertificate {
        pem: certificate.to_pem(),
        subject: certificate.subject.clone(),
        not_after: certificate.not_after,
        fingerprint: certificate.fingerprint,
    })
}

fn check_scopes(names: Option<&[String]>) -> Result<Vec<Scope>, IssueError> {
    let names = names.unwrap_or_default();
    if names.is_empty() {
        return Ok(Scope::ALL.to_vec());
    }
    let mut scopes = Vec::new();
    for name in names {
        let scope = Scope::parse(name.trim()).ok_or_else(|| {
            IssueError::BadInput(format!(
                "unknown scope {:?}: use smart_tags or smart_tags_admin",
                name.chars().take(40).collect::<String>()
            ))
        })?;
        scopes.push(scope);
    }
    scopes.sort();
    scopes.dedup();
    Ok(scopes)
}

fn check_name(name: &str) -> Result<&str, IssueError> {
    let name = name.trim();
    if name.is_empty() || name.len() > MAX_NAME_BYTES || name.chars().any(char::is_control) {
        return Err(IssueError::BadInput(format!(
            "the name must be 1 to {MAX_NAME_BYTES} bytes without control characters"
        )));
    }
    Ok(name)
}

impl AuthServer {
    /// The JWT payload of an integration: `iss`, `sub`, `aud` and one `"<metascope>": true` per
    /// scope.
    pub fn jwt_payload(&self, integration: &Integration) -> Value {
        let mut payload = Map::new();
        payload.insert("iss".into(), Value::from(integration.org_id.as_str()));
        payload.insert("sub".into(), Value::from(integration.technical_account_id.as_str()));
        payload.insert("aud".into(), Value::from(self.audience(&integration.client_id)));
        for scope in parse_stored(&integration.scopes) {
            payload.insert(scope.metascope(&self.config.issuer), Value::Bool(true));
        }
        Value::Object(payload)
    }

    /// What the console shows of an integration.
    pub fn view(&self, integration: &Integration) -> IntegrationView {
        let now = self.now();
        IntegrationView {
            client_id: integration.client_id.clone(),
            name: integration.name.clone(),
            org_id: integration.org_id.clone(),
            technical_account_id: integration.technical_account_id.clone(),
            scopes: parse_stored(&integration.scopes),
            status: integration.status,
            credential: integration.credential,
            created_at: rfc3339(integration.created_at),
            revoked_at: integration.revoked_at.map(rfc3339),
            tokens_issued: integration.tokens_issued,
            last_exchange_at: integration.last_exchange_at.map(rfc3339),
            certificates: integration
                .certificates
                .iter()
                .map(|c| CertificateView {
                    id: c.fingerprint.chars().take(16).collect(),
                    fingerprint: c.fingerprint.clone(),
                    subject: c.subject.clone(),
                    not_after: rfc3339(c.not_after),
                    added_at: rfc3339(c.added_at),
                })
                .collect(),
            secrets: integration
                .secrets
                .iter()
                .map(|s| SecretView {
                    created_at: rfc3339(s.created_at),
                    expires_at: s.expires_at.map(rfc3339),
                    valid: s.is_valid_at(now),
                })
                .collect(),
            jwt_payload: (integration.credential == Credential::Jwt).then(|| self.jwt_payload(integration)),
        }
    }

    /// Registers an integration: a JWT one from its first certificate, or an OAuth
    /// server-to-server one.
    pub fn register(&self, registration: &Registration<'_>) -> Result<WithSecret, IssueError> {
        let now = self.now();
        let name = check_name(registration.name)?;
        let scopes: Vec<String> = check_scopes(registration.scopes)?.into_iter().map(|s| s.name().to_owned()).collect();
        let certificate = registration.certificate_pem.map(|pem| read_certificate(pem, now)).transpose()?;
        let client_id = random(random_hex(16))?;
        let org_id = format!("{}@Org", random(random_hex(12))?.to_ascii_uppercase());
        let technical_account_id = format!("{}@techacct.smart-tags", random(random_hex(12))?.to_ascii_uppercase());
        let secret = new_secret()?;
        let new = NewIntegration {
            client_id: &client_id,
            name,
            org_id: &org_id,
            technical_account_id: &technical_account_id,
            scopes: &scopes,
            certificate: certificate.as_ref(),
            secret_hash: &hash_secret(&secret),
            now,
        };
        let integration = self.store.create_integration(&new)?;
        let certificate = certificate.as_ref().map_or("none", |c| &c.fingerprint[..16]);
        tracing::info!(client_id = %integration.client_id, name = %integration.name, credential = integration.credential.name(), certificate, "registered an integration");
        Ok(WithSecret { integration: self.view(&integration), client_secret: secret })
    }

    /// One integration.
    pub fn integration(&self, client_id: &str) -> Result<IntegrationView, IssueError> {
        let integration = self
            .store
            .integration(client_id)?
            .ok_or_else(|| StoreError::UnknownIntegration(client_id.chars().take(64).collect()))?;
        Ok(self.view(&integration))
    }

    /// Every integration.
    pub fn integrations(&self) -> Result<Vec<IntegrationView>, IssueError> {
        Ok(self.store.integrations()?.iter().map(|i| self.view(i)).collect())
    }

    /// Adds a certificate beside the others.
    pub fn add_certificate(&self, client_id: &str, pem: &str) -> Result<IntegrationView, IssueError> {
        let now = self.now();
        let certificate = read_certificate(pem, now)?;
        let integration = self.store.add_certificate(client_id, &certificate, now)?;
        tracing::info!(client_id, certificate = %&certificate.fingerprint[..16], "added a certificate");
        Ok(self.view(&integration))
    }

    /// Removes a certificate (never the last).
    pub fn remove_certificate(&self, client_id: &str, certificate_id: &str) -> Result<IntegrationView, IssueError> {
        let integration = self.store.remove_certificate(client_id, certificate_id)?;
        tracing::info!(client_id, "removed a certificate");
        Ok(self.view(&integration))
    }

    /// A new secret (shown once); the previous ones expire after `overlap_seconds` (default 24 h).
    pub fn rotate_secret(&self, client_id: &str, overlap_seconds: Option<i64>) -> Result<WithSecret, IssueError> {
        let overlap = overlap_seconds.unwrap_or(DEFAULT_SECRET_OVERLAP_SECONDS);
        if !(0..=MAX_OVERLAP_SECONDS).contains(&overlap) {
            return Err(IssueError::BadInput(format!("overlap_seconds must be 0 to {MAX_OVERLAP_SECONDS}")));
        }
        let secret = new_secret()?;
        let integration = self.store.rotate_secret(client_id, &hash_secret(&secret), self.now(), overlap)?;
        tracing::info!(client_id, overlap_seconds = overlap, "rotated the client secret");
        Ok(WithSecret { integration: self.view(&integration), client_secret: secret })
    }

    /// A new certificate token for the integration (shown once; the one before stops working):
    /// `stct_<client id>.<43 base64url characters>`. It opens only the console routes of this
    /// integration's certificates ([`super::admin::ConsoleCaller`]), what the proxy needs to rotate
    /// its own key, so the proxy never holds the console's admin token.
    pub fn new_certificate_token(&self, client_id: &str) -> Result<String, IssueError> {
        let token = random(random_secret(&format!("{CERTIFICATE_TOKEN_PREFIX}{client_id}."), 32))?;
        self.store.set_certificate_token(client_id, &hash_secret(&token))?;
        tracing::info!(client_id, "made a new certificate token");
        Ok(token)
    }

    /// Revokes an integration: no more tokens, and the issued ones stop working.
    pub fn revoke(&self, client_id: &str) -> Result<IntegrationView, IssueError> {
        let integration = self.store.revoke_integration(client_id, self.now())?;
        tracing::info!(client_id, "revoked an integration");
        Ok(self.view(&integration))
    }
}
