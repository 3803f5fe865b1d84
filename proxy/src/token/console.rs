//! The authorization server's console, as the admin page's certificate rotation uses it — only
//! with the console token (`AuthConfig::console_token`: the integration's certificate token, which
//! opens nothing but these three calls for this integration) and
//! the integration's API key: which of the proxy's certificates the integration lists
//! (`GET /console/integrations/{client_id}`), and registering the next one beside the others
//! (`POST …/certificates`) and removing a retired one (`DELETE …/certificates/{id}`), so the page
//! runs create → register → activate → retire without the service's CLI. The proxy holds this token like its other secrets; the browser never sees it.

use std::collections::BTreeSet;
use std::time::Duration;

use serde::Deserialize;

use crate::config::auth::{AuthConfig, Grant};

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error("the proxy cannot register certificates itself: it has no console token (SMART_TAGS_CONSOLE_TOKEN_FILE: the integration's certificate token from `smart-tags-service integration certificate-token`), no api key, or does not sign jwts; register it with `smart-tags-service integration add-certificate` instead")]
    NotConfigured,
    #[error("the console refused ({status}): {message}")]
    Refused { status: u16, message: String },
    #[error("cannot reach the console at {url}: {reason}")]
    Unreachable { url: String, reason: String },
}

/// The console of the integration the proxy signs for.
pub struct Console<'a> {
    auth: &'a AuthConfig,
    client_id: &'a str,
    timeout: Duration,
}

#[derive(Deserialize)]
struct Integration {
    certificates: Vec<Registered>,
}

#[derive(Deserialize)]
struct Registered {
    id: String,
}

#[derive(Deserialize)]
struct Refusal {
    message: Option<String>,
}

impl<'a> Console<'a> {
    /// The console of the integration, when the proxy signs JWTs (certificates mean nothing to the
    /// other grants) and holds the console token.
    pub fn of(auth: &'a AuthConfig, timeout: Duration) -> Result<Console<'a>, ConsoleError> {
        match (&auth.console_token, auth.api_key.as_deref(), auth.grant) {
            (Some(_), Some(client_id), Grant::Jwt) => Ok(Console { auth, client_id, timeout }),
            _ => Err(ConsoleError::NotConfigured),
        }
    }

    /// The ids of the certificates the integration lists.
    pub async fn registered(&self) -> Result<BTreeSet<String>, ConsoleError> {
        let url = self.url(&[])?;
        let response = self.send(self.client()?.get(url.clone())).await?;
        let integration: Integration = response.json().await.map_err(|e| ConsoleError::Unreachable {
            url: url.to_string(),
            reason: format!("unreadable answer: {e}"),
        })?;
        Ok(integration.certificates.into_iter().map(|c| c.id).collect())
    }

    /// Adds the certificate (PEM) to the integration, beside the others.
    pub async fn register(&self, pem: &str) -> Result<(), ConsoleError> {
        let url = self.url(&["certificates"])?;
        self.send(self.client()?.post(url).json(&serde_json::json!({ "certificate": pem }))).await?;
        Ok(())
    }

    /// Removes the certificate from the integration (one the proxy no longer signs with); one the
    /// integration does not list is fine.
    pub async fn unregister(&self, id: &str) -> Result<(), ConsoleError> {
        let url = self.url(&["certificates", id])?;
        match self.send(self.client()?.delete(url)).await {
            Ok(_) | Err(ConsoleError::Refused { status: 404, .. }) => Ok(()),
            Err(error) => Err(error),
        }
    }

    fn client(&self) -> Result<reqwest::Client, ConsoleError> {
        reqwest::Client::builder()
            .timeout(self.timeout)
            .build()
            .map_err(|e| ConsoleError::Unreachable { url: self.auth.auth_url.clone(), reason: e.to_string() })
    }

    /// `{auth_url}/console/integrations/{client_id}/{rest…}`, each segment escaped.
    fn url(&self, rest: &[&str]) -> Result<reqwest::Url, ConsoleError> {
        let bad = |reason: String| ConsoleError::Unreachable { url: self.auth.auth_url.clone(), reason };
        let mut url = reqwest::Url::parse(&self.auth.auth_url).map_err(|e| bad(e.to_string()))?;
        url.path_segments_mut()
            .map_err(|()| bad("not a base url".to_owned()))?
            .pop_if_empty()
            .extend(["console", "integrations", self.client_id])
            .extend(rest);
        Ok(url)
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response, ConsoleError> {
        let token = self.auth.console_token.as_ref().ok_or(ConsoleError::NotConfigured)?;
        let response = request.bearer_auth(token.expose()).send().await.map_err(|e| ConsoleError::Unreachable {
            url: self.auth.auth_url.clone(),
            reason: e.without_url().to_string(),
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let message = response.json::<Refusal>().await.ok().and_then(|r| r.message).unwrap_or_default();
        Err(ConsoleError::Refused { status: status.as_u16(), message })
    }
}
