//! The JWT bearer exchange: a JWT signed by one of the integration's certificates, with the
//! integration's client id and secret, becomes an access token. Every check of
//! docs/credentials.md, in this order: client, shape, algorithm and kid, signature, `exp` / `iat`
//! / `nbf` (with the configured leeway, at most 24 h ahead), `aud`, `iss`, `sub`, `jti` present,
//! metascopes, and last `jti` unused (so a refused JWT does not burn its id).

use serde_json::{Map, Value};
use smart_tags_credentials::jwt::{self, check_claims, Expectations, VerifyingKey};
use smart_tags_credentials::Certificate;

use super::access_token::IssuedToken;
use super::error::AuthError;
use super::scope::{parse_stored, Scope};
use super::server::{AuthServer, MAX_JWT_LIFETIME_SECONDS};
use crate::store::{Credential, Integration};

/// Longest `jti` accepted, in bytes.
pub const MAX_JTI_BYTES: usize = 256;

/// The three fields of the exchange form.
#[derive(Debug, Clone, Copy)]
pub struct ExchangeRequest<'a> {
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub jwt_token: &'a str,
}

fn printable(text: &str) -> String {
    text.chars().filter(|c| c.is_ascii_graphic()).take(64).collect()
}

/// The scopes a JWT's metascope claims ask for: every claim naming `/s/` with the value `true`.
/// Each must be `<issuer>/s/<scope>` of a scope the integration has.
fn requested_scopes(claims: &Map<String, Value>, issuer: &str, granted: &[Scope]) -> Result<Vec<Scope>, AuthError> {
    let prefix = format!("{issuer}/s/");
    let mut scopes = Vec::new();
    for (name, value) in claims {
        if !name.contains("/s/") || value != &Value::Bool(true) {
            continue;
        }
        let scope = name.strip_prefix(&prefix).and_then(Scope::parse).filter(|s| granted.contains(s));
        match scope {
            Some(scope) => scopes.push(scope),
            None => {
                return Err(AuthError::InvalidScope(format!(
                    "the integration does not have the metascope {}",
                    printable(name)
                )))
            }
        }
    }
    if scopes.is_empty() {
        return Err(AuthError::InvalidScope(format!("the jwt names no metascope (expected {prefix}smart_tags: true)")));
    }
    scopes.sort();
    scopes.dedup();
    Ok(scopes)
}

impl AuthServer {
    /// Exchanges a proxy's JWT for an access token.
    pub fn exchange_jwt(&self, request: &ExchangeRequest<'_>) -> Result<IssuedToken, AuthError> {
        let integration = self.authenticate_client(request.client_id, request.client_secret)?;
        if integration.credential != Credential::Jwt {
            return Err(AuthError::UnauthorizedClient(
                "the integration is an oauth server-to-server credential: use the client credentials grant (/ims/token/v3)"
                    .to_owned(),
            ));
        }
        let result = self
            .check_jwt(&integration, request.jwt_token)
            .and_then(|scopes| self.issue_access_token(&integration, &scopes));
        match &result {
            Ok(token) => {
                tracing::info!(client_id = %integration.client_id, scopes = ?token.scopes, "exchanged a jwt for an access token")
            }
            Err(e) => {
                tracing::info!(client_id = %integration.client_id, error = e.code(), reason = %e, "refused a jwt exchange")
            }
        }
        result
    }

    /// Checks the JWT of an exchange; answers the scopes it asks for.
    fn check_jwt(&self, integration: &Integration, token: &str) -> Result<Vec<Scope>, AuthError> {
        let parsed = jwt::parse(token)?;
        let certificates: Vec<Certificate> = integration
            .certificates
            .iter()
            .filter_map(|stored| match Certificate::from_pem(&stored.pem) {
                Ok(certificate) => Some(certificate),
                Err(e) => {
                    tracing::error!(client_id = %integration.client_id, error = %e, "a stored certificate cannot be read");
                    None
                }
            })
            .collect();
        let keys: Vec<VerifyingKey<'_>> =
            certificates.iter().map(|c| VerifyingKey { kid: c.kid(), key: &c.public_key }).collect();
        parsed.verify(&keys)?;
        let audience = self.audience(&integration.client_id);
        let now = self.now();
        let expect = Expectations {
            now,
            leeway: self.config.leeway_seconds,
            max_lifetime: MAX_JWT_LIFETIME_SECONDS,
            audience: Some(&audience),
            issuer: Some(&integration.org_id),
        };
        let checked = check_claims(&parsed.claims, &expect)?;
        match checked.sub.as_deref() {
            Some(sub) if sub == integration.technical_account_id => {}
            Some(sub) => {
                return Err(AuthError::InvalidToken(format!(
                    "the subject {} does not match {}",
                    printable(sub),
                    integration.technical_account_id
                )));
            }
            None => return Err(AuthError::InvalidToken("the sub claim is missing or has the wrong type".to_owned())),
        }
        let jti = match checked.jti.as_deref() {
            Some(jti) if !jti.is_empty() && jti.len() <= MAX_JTI_BYTES => jti,
            Some(_) => {
                return Err(AuthError::InvalidToken(format!("the jti claim must be 1 to {MAX_JTI_BYTES} bytes")))
            }
            None => return Err(AuthError::InvalidToken("the jti claim is missing or has the wrong type".to_owned())),
        };
        let scopes = requested_scopes(&parsed.claims, &self.config.issuer, &parse_stored(&integration.scopes))?;
        // Kept until the JWT could no longer be accepted anyway.
        let keep_until = checked.exp.saturating_add(self.config.leeway_seconds);
        if !self.store.use_jti(&integration.client_id, jti, keep_until, now)? {
            return Err(AuthError::InvalidToken(format!("jti {} was already used", printable(jti))));
        }
        Ok(scopes)
    }
}
