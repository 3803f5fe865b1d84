//! The steps of Check Health, in order: configuration complete, key matches certificate,
//! certificate validity, JWT signed, exchange accepted, token accepted by the service, a real
//! prediction on the built-in image.

use std::time::Duration;

use serde::Deserialize;
use smart_tags_core::Prediction;

use super::{sample, HealthInput, Report, Status, Step};
use crate::config::auth::Grant;
use crate::keys::ActiveKey;
use crate::token::{assertion, exchange, unix_now, TokenError};

const CONFIGURATION: (&str, &str) = ("configuration", "configuration complete");
const KEY: (&str, &str) = ("key", "key matches certificate");
const CERTIFICATE: (&str, &str) = ("certificate", "certificate validity");
const JWT: (&str, &str) = ("jwt", "jwt signed");
const EXCHANGE: (&str, &str) = ("exchange", "exchange accepted");
const SERVICE_TOKEN: (&str, &str) = ("service_token", "token accepted by the service");
const PREDICTION: (&str, &str) = ("prediction", "prediction on the built-in image");

/// What a step found.
enum Outcome {
    Ok(String),
    Warning(String),
    Failed(String),
    /// The configured grant does not use this step.
    NotNeeded,
}

/// Collects the steps; once one failed, the rest are skipped.
struct Runner {
    steps: Vec<Step>,
    grant: Grant,
    failed: Option<&'static str>,
}

impl Runner {
    /// True when the step must not run (a step before it failed); records it as skipped.
    fn skip(&mut self, (step, title): (&'static str, &'static str)) -> bool {
        let Some(failed) = self.failed else {
            return false;
        };
        self.steps.push(Step { step, title, status: Status::Skipped, reason: format!("skipped: {failed} failed") });
        true
    }

    fn record(&mut self, (step, title): (&'static str, &'static str), outcome: Outcome) {
        let (status, reason) = match outcome {
            Outcome::Ok(reason) => (Status::Ok, reason),
            Outcome::Warning(reason) => (Status::Warning, reason),
            Outcome::Failed(reason) => {
                self.failed = Some(title);
                (Status::Failed, reason)
            }
            Outcome::NotNeeded => (Status::Skipped, format!("not needed for grant {}", self.grant.as_str())),
        };
        self.steps.push(Step { step, title, status, reason });
    }
}

pub(super) async fn run(input: &HealthInput) -> Report {
    let grant = input.auth.grant;
    let mut runner = Runner { steps: Vec::new(), grant, failed: None };
    runner.record(CONFIGURATION, configuration(input));

    let mut key = None;
    if !runner.skip(KEY) {
        let outcome = if grant == Grant::Jwt {
            match input.auth.key_store().active() {
                Ok(active) => {
                    let reason =
                        format!("key {} ({}) matches its certificate", active.id, active.certificate.algorithm);
                    key = Some(active);
                    Outcome::Ok(reason)
                }
                Err(e) => Outcome::Failed(e.to_string()),
            }
        } else {
            Outcome::NotNeeded
        };
        runner.record(KEY, outcome);
    }
    let now = unix_now();
    if !runner.skip(CERTIFICATE) {
        let outcome = match &key {
            Some(key) => validity(key, now, input.warn_days),
            None => Outcome::NotNeeded,
        };
        runner.record(CERTIFICATE, outcome);
    }
    let mut jwt = None;
    if !runner.skip(JWT) {
        let outcome = match (&key, &input.auth.jwt_payload) {
            (Some(key), Some(payload)) => match assertion::sign(payload, key, now) {
                Ok(signed) => {
                    jwt = Some(signed);
                    Outcome::Ok(format!(
                        "signed {} with kid {}, expires in {} s",
                        key.key.algorithm().jws(),
                        key.id,
                        assertion::LIFETIME_SECONDS
                    ))
                }
                Err(e) => Outcome::Failed(e.to_string()),
            },
            _ => Outcome::NotNeeded,
        };
        runner.record(JWT, outcome);
    }
    let client = match reqwest::Client::builder()
        .timeout(input.timeout)
        .connect_timeout(input.timeout.min(Duration::from_secs(2)))
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            runner.record(EXCHANGE, Outcome::Failed(format!("cannot make an http client: {e}")));
            reqwest::Client::new()
        }
    };
    let mut token = None;
    if !runner.skip(EXCHANGE) {
        let outcome = if grant == Grant::None {
            Outcome::NotNeeded
        } else {
            match exchange::request(&client, &input.auth, jwt.as_deref(), input.retry).await {
                Ok(issued) => {
                    token = Some(issued.access_token);
                    Outcome::Ok(format!("access token issued, valid for {} s", issued.expires_in.as_secs()))
                }
                Err(e) => Outcome::Failed(exchange_reason(&e)),
            }
        };
        runner.record(EXCHANGE, outcome);
    }
    let service = input.service_url.trim_end_matches('/');
    if !runner.skip(SERVICE_TOKEN) {
        let outcome = match &token {
            Some(token) => auth_check(&client, service, token).await,
            None => Outcome::NotNeeded,
        };
        runner.record(SERVICE_TOKEN, outcome);
    }
    if !runner.skip(PREDICTION) {
        runner.record(PREDICTION, prediction(&client, service, token.as_deref()).await);
    }
    Report::new(runner.steps)
}

fn configuration(input: &HealthInput) -> Outcome {
    if !input.problems.is_empty() {
        return Outcome::Failed(input.problems.join("; "));
    }
    let auth = &input.auth;
    match auth.grant {
        Grant::None => Outcome::Ok("grant none: the service must run in open mode".to_owned()),
        grant => Outcome::Ok(format!(
            "grant {}, api key {}, authorization server {}",
            grant.as_str(),
            auth.api_key.as_deref().unwrap_or_default(),
            auth.auth_url
        )),
    }
}

/// What to do about an expiring or expired certificate (README, "Renewing the certificate").
const RENEWAL: &str = "renew it: `smart-tags-proxy cert create`, register the new certificate beside the old one (`smart-tags-service integration add-certificate`), then `smart-tags-proxy cert activate` it";

fn validity(key: &ActiveKey, now: i64, warn_days: i64) -> Outcome {
    let certificate = &key.certificate;
    let date = certificate.not_after_date();
    if certificate.not_after <= now {
        return Outcome::Failed(format!("certificate expired on {date}: {RENEWAL}"));
    }
    if certificate.not_before > now + 60 {
        let from = smart_tags_credentials::certificate::iso_date(certificate.not_before);
        return Outcome::Failed(format!("certificate is not valid before {from}"));
    }
    let days = certificate.days_left(now);
    if days < warn_days {
        Outcome::Warning(format!("certificate expires in {days} days on {date}: {RENEWAL}"))
    } else {
        Outcome::Ok(format!("certificate valid until {date} ({days} days)"))
    }
}

/// The reason of a failed exchange, in the words an administrator acts on.
fn exchange_reason(error: &TokenError) -> String {
    match error {
        TokenError::Rejected { code, .. } if code == "invalid_client" => {
            format!("client secret rejected (or unknown api key): {error}")
        }
        _ => error.to_string(),
    }
}

#[derive(Deserialize)]
struct Identity {
    client_id: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
}

#[derive(Deserialize)]
struct ServiceError {
    code: Option<String>,
    message: Option<String>,
}

fn service_error(status: reqwest::StatusCode, body: &[u8]) -> String {
    match serde_json::from_slice::<ServiceError>(body) {
        Ok(ServiceError { code: Some(code), message }) => {
            format!("the service answered {} {code}: {}", status.as_u16(), message.unwrap_or_default().to_lowercase())
        }
        _ => format!("the service answered status {}", status.as_u16()),
    }
}

fn unreachable(service: &str, error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() { "timed out" } else { "connection failed" };
    format!("cannot reach the tagging service at {service}: {kind}")
}

/// Sends a request to the service: the body of a success, or why it failed.
async fn answer(request: reqwest::RequestBuilder, service: &str) -> Result<axum::body::Bytes, String> {
    let response = request.send().await.map_err(|e| unreachable(service, &e))?;
    let status = response.status();
    let body = response.bytes().await.unwrap_or_default();
    if status.is_success() {
        Ok(body)
    } else {
        Err(service_error(status, &body))
    }
}

async fn auth_check(client: &reqwest::Client, service: &str, token: &str) -> Outcome {
    let body = match answer(client.get(format!("{service}/v1/auth/check")).bearer_auth(token), service).await {
        Ok(body) => body,
        Err(reason) => return Outcome::Failed(reason),
    };
    match serde_json::from_slice::<Identity>(&body) {
        Ok(identity) => Outcome::Ok(format!(
            "the service accepts the token of client {} (scopes: {})",
            identity.client_id.unwrap_or_default(),
            identity.scopes.join(" ")
        )),
        Err(_) => Outcome::Failed("the service's /v1/auth/check answer is not the identity json".to_owned()),
    }
}

async fn prediction(client: &reqwest::Client, service: &str, token: Option<&str>) -> Outcome {
    let input = match sample::model_input() {
        Ok(input) => input,
        Err(e) => return Outcome::Failed(e),
    };
    let mut request = client
        .post(format!("{service}/v1/predict?top=1"))
        .header("content-type", "application/octet-stream")
        .body(input);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let body = match answer(request, service).await {
        Ok(body) => body,
        Err(reason) => return Outcome::Failed(reason),
    };
    match serde_json::from_slice::<Prediction>(&body) {
        Ok(prediction) => match prediction.tags.first() {
            Some(top) => {
                Outcome::Ok(format!("top class {} ({:.2}) from model {}", top.label, top.confidence, prediction.model))
            }
            None => Outcome::Failed("the service answered no class".to_owned()),
        },
        Err(_) => Outcome::Failed("the service's prediction is not the prediction json".to_owned()),
    }
}
