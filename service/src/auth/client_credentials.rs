//! The OAuth 2.0 client-credentials grant: the client id and secret of an OAuth server-to-server
//! integration (never a JWT one) get an access token, for the scopes asked (comma or space
//! separated names) or all of the integration's.

use super::access_token::IssuedToken;
use super::error::AuthError;
use super::scope::{parse_stored, Scope};
use super::server::AuthServer;
use crate::store::Credential;

/// The client-credentials form.
#[derive(Debug, Clone, Copy)]
pub struct ClientCredentialsRequest<'a> {
    pub grant_type: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    /// `None` or blank: every scope of the integration.
    pub scope: Option<&'a str>,
}

/// The scopes asked for, each one the integration must have.
fn asked_scopes(scope: Option<&str>, granted: &[Scope]) -> Result<Vec<Scope>, AuthError> {
    let names: Vec<&str> =
        scope.unwrap_or_default().split([',', ' ']).map(str::trim).filter(|n| !n.is_empty()).collect();
    if names.is_empty() {
        return if granted.is_empty() {
            Err(AuthError::InvalidScope("the integration has no scope".to_owned()))
        } else {
            Ok(granted.to_vec())
        };
    }
    let mut scopes = Vec::new();
    for name in names {
        match Scope::parse(name).filter(|s| granted.contains(s)) {
            Some(scope) => scopes.push(scope),
            None => {
                return Err(AuthError::InvalidScope(format!(
                    "the integration does not have the scope {}",
                    name.chars().filter(char::is_ascii_graphic).take(40).collect::<String>()
                )))
            }
        }
    }
    scopes.sort();
    scopes.dedup();
    Ok(scopes)
}

impl AuthServer {
    /// Grants an access token for a client id and secret.
    pub fn client_credentials(&self, request: &ClientCredentialsRequest<'_>) -> Result<IssuedToken, AuthError> {
        if request.grant_type != "client_credentials" {
            return Err(AuthError::UnsupportedGrantType("grant_type must be client_credentials".to_owned()));
        }
        let integration = self.authenticate_client(request.client_id, request.client_secret)?;
        // The secret alone must not be enough for a JWT integration: its key is the credential.
        if integration.credential != Credential::OauthServerToServer {
            return Err(AuthError::UnauthorizedClient(
                "the integration is a jwt credential: exchange a jwt signed with its key (/ims/exchange/jwt); the client credentials grant needs an oauth server-to-server integration".to_owned(),
            ));
        }
        let scopes = asked_scopes(request.scope, &parse_stored(&integration.scopes))?;
        let token = self.issue_access_token(&integration, &scopes)?;
        tracing::info!(client_id = %integration.client_id, scopes = ?token.scopes, "granted an access token for client credentials");
        Ok(token)
    }
}
