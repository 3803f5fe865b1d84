//! One token request to the authorization server, retried with exponential backoff on transport
//! failures and 5xx answers. The JWT exchange answers `expires_in` in milliseconds (as Adobe IMS
//! does), the client-credentials grant in seconds.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::TokenError;
use crate::config::auth::{AuthConfig, Grant};

/// Path of the JWT exchange.
pub const JWT_PATH: &str = "/ims/exchange/jwt";
/// Path of the client-credentials grant.
pub const CLIENT_CREDENTIALS_PATH: &str = "/ims/token/v3";

/// How often and how patiently a failed exchange is tried again.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub tries: u32,
    /// Wait before the second try; doubled for each one after.
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { tries: 3, first_delay: Duration::from_millis(250), max_delay: Duration::from_secs(4) }
    }
}

/// An access token as the authorization server issued it.
#[derive(Clone)]
pub struct Issued {
    pub access_token: String,
    pub expires_in: Duration,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued").field("access_token", &"redacted").field("expires_in", &self.expires_in).finish()
    }
}

#[derive(Deserialize)]
struct Answer {
    access_token: Option<String>,
    expires_in: Option<Value>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Asks for an access token: with `jwt` (the signed assertion) for the JWT grant, without for
/// the client-credentials grant.
pub async fn request(
    client: &reqwest::Client,
    config: &AuthConfig,
    jwt: Option<&str>,
    retry: RetryPolicy,
) -> Result<Issued, TokenError> {
    let api_key = config.api_key.clone().unwrap_or_default();
    let secret = config.client_secret.as_ref().map(|s| s.expose().to_owned()).unwrap_or_default();
    let (path, form, millis): (&str, Vec<(&str, String)>, bool) = match config.grant {
        Grant::Jwt => {
            let jwt = jwt.ok_or_else(|| TokenError::Configuration("no signed jwt".to_owned()))?;
            (
                JWT_PATH,
                vec![("client_id", api_key), ("client_secret", secret.clone()), ("jwt_token", jwt.to_owned())],
                true,
            )
        }
        Grant::ClientCredentials => (
            CLIENT_CREDENTIALS_PATH,
            vec![
                ("grant_type", "client_credentials".to_owned()),
                ("client_id", api_key),
                ("client_secret", secret.clone()),
            ],
            false,
        ),
        Grant::None => return Err(TokenError::Configuration("grant none asks for no token".to_owned())),
    };
    let url = format!("{}{path}", config.auth_url);
    let tries = retry.tries.max(1);
    let mut delay = retry.first_delay;
    let mut attempt = 1;
    loop {
        let outcome = once(client, &url, &form, millis, &secret).await;
        let retryable = matches!(outcome, Err(Failure::Transport(_)) | Err(Failure::Server(_)));
        if !retryable || attempt >= tries {
            return outcome.map_err(|failure| match failure {
                Failure::Transport(reason) => TokenError::Unreachable { tries: attempt, reason },
                Failure::Server(status) => TokenError::ServerFailed { status, tries: attempt },
                Failure::Final(error) => error,
            });
        }
        tracing::warn!(attempt, delay_ms = delay.as_millis() as u64, "token exchange failed, trying again");
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(retry.max_delay);
        attempt += 1;
    }
}

enum Failure {
    Transport(String),
    Server(u16),
    Final(TokenError),
}

async fn once(
    client: &reqwest::Client,
    url: &str,
    form: &[(&str, String)],
    millis: bool,
    secret: &str,
) -> Result<Issued, Failure> {
    let response = client.post(url).form(form).send().await.map_err(|e| Failure::Transport(transport_reason(&e)))?;
    let status = response.status();
    if status.is_server_error() {
        return Err(Failure::Server(status.as_u16()));
    }
    let body = response.bytes().await.map_err(|e| Failure::Transport(transport_reason(&e)))?;
    let answer: Answer = serde_json::from_slice(&body).map_err(|_| {
        Failure::Final(TokenError::Unreadable(format!(
            "status {} with a body that is not the token json",
            status.as_u16()
        )))
    })?;
    if !status.is_success() || answer.error.is_some() {
        let clean = |text: String| redact(&text.to_lowercase(), secret);
        return Err(Failure::Final(TokenError::Rejected {
            status: status.as_u16(),
            code: clean(answer.error.unwrap_or_else(|| format!("http_{}", status.as_u16()))),
            description: clean(answer.error_description.unwrap_or_default()),
        }));
    }
    let access_token = answer
        .access_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Failure::Final(TokenError::Unreadable("no access_token".to_owned())))?;
    let amount = match answer.expires_in {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|n| n.is_finite() && *n > 0.0)
    .ok_or_else(|| Failure::Final(TokenError::Unreadable("no positive expires_in".to_owned())))?;
    let expires_in = if millis { Duration::from_secs_f64(amount / 1000.0) } else { Duration::from_secs_f64(amount) };
    Ok(Issued { access_token, expires_in })
}

fn transport_reason(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    match error.url() {
        Some(url) => format!("{kind} ({})", url.as_str()),
        None => kind.to_owned(),
    }
}

/// An error text with the client secret cut out, should a server ever echo it.
fn redact(text: &str, secret: &str) -> String {
    if secret.len() >= 4 {
        text.replace(&secret.to_lowercase(), "(redacted)")
    } else {
        text.to_owned()
    }
}
