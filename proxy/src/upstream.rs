//! The proxy's one client of the tagging service.

use std::time::Duration;

use reqwest::StatusCode;
use smart_tags_core::Prediction;

use crate::error::ProxyError;

#[derive(Debug, Clone)]
pub struct Upstream {
    client: reqwest::Client,
    base: String,
}

impl Upstream {
    pub fn new(base: &str, timeout: Duration) -> Result<Upstream, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(2)))
            .pool_idle_timeout(Duration::from_secs(60))
            .build()?;
        Ok(Upstream { client, base: base.trim_end_matches('/').to_owned() })
    }

    /// Asks the service for the `top` classes of one model input.
    pub async fn predict(&self, model_input: axum::body::Bytes, top: usize, request_id: &str) -> Result<Prediction, ProxyError> {
        let url = format!("{}/v1/predict?top={top}", self.base);
        let response = self
            .client
            .post(&url)
            .header("content-type", "application/octet-stream")
            .header("x-request-id", request_id)
            .body(model_input)
            .send()
            .await
            .map_err(|e| classify(&e, request_id))?;
        match response.status() {
            s if s.is_success() => response.json::<Prediction>().await.map_err(|e| {
                tracing::error!(request_id, error = %e, "the tagging service sent an unreadable answer");
                ProxyError::ServiceFailed
            }),
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS => Err(ProxyError::ServiceBusy),
            s if s.is_client_error() => {
                tracing::warn!(request_id, status = %s, "the tagging service refused the input");
                Err(ProxyError::ServiceRejected)
            }
            s => {
                tracing::error!(request_id, status = %s, "the tagging service failed");
                Err(ProxyError::ServiceFailed)
            }
        }
    }

    /// True when the service answers its health check.
    pub async fn healthy(&self) -> bool {
        let url = format!("{}/healthz", self.base);
        matches!(self.client.get(url).send().await, Ok(r) if r.status().is_success())
    }
}

fn classify(error: &reqwest::Error, request_id: &str) -> ProxyError {
    tracing::warn!(request_id, error = %error, "cannot reach the tagging service");
    if error.is_timeout() {
        ProxyError::ServiceTimeout
    } else {
        ProxyError::ServiceUnavailable
    }
}
