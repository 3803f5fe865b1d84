//! Webhooks: when a job ends, `POST` `{"event": "job.completed"|"job.failed"|"job.cancelled",
//! "delivery_id", "job": {...}}` to the job's `webhook_url` (an allowed prefix only; redirects are
//! never followed), signed `X-Smart-Tags-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret,
//! "<t>.<body>")>`. A 2xx answer is a delivery; anything else is tried again after 1, 2, 4, 8 and
//! 16 s (6 tries). Deliveries live in `jobs.sqlite3`, so a restart goes on with them.

use std::sync::Arc;
use std::time::Duration;

use ring::hmac;

use super::error::BackendError;
use super::jobs::store::{now_ms, Delivery};
use super::Backend;

/// The signature header of a body sent at unix time `t`.
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let tag = hmac::sign(&key, format!("{t}.{body}").as_bytes());
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={hex}")
}

/// The webhook client: no redirects, a short timeout.
pub fn client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
        .build()
}

/// Runs forever: sends the deliveries that are due.
pub async fn run(backend: Arc<Backend>) {
    loop {
        let now = now_ms();
        let due = backend.jobs.call(move |store| store.due_deliveries(now)).await.unwrap_or_default();
        for delivery in due {
            attempt(&backend, &delivery).await;
        }
        tokio::select! {
            () = backend.wake_webhooks.notified() => {}
            () = tokio::time::sleep(Duration::from_millis(250)) => {}
        }
    }
}

async fn attempt(backend: &Backend, delivery: &Delivery) {
    let tries = usize::try_from(delivery.attempts).unwrap_or(0) + 1;
    let retry_at = |backoff: &[Duration]| backoff.get(tries - 1).map(|wait| now_ms() + wait.as_millis() as i64);
    let Some(secret) = backend.config.webhook_secret.as_deref() else {
        // Restarted without the secret: a try that could not be sent.
        tracing::warn!(
            delivery = delivery.id,
            tries,
            "a webhook is due but no webhook secret is configured (SMART_TAGS_WEBHOOK_SECRET)"
        );
        let _ = record(backend, delivery, None, false, retry_at(&backend.config.webhook_backoff)).await;
        return;
    };
    // The allow-list may have changed since the job was made.
    if !backend.config.webhook_allowed(&delivery.url) {
        tracing::warn!(delivery = delivery.id, "the webhook url is no longer allowed: giving up");
        let _ = record(backend, delivery, None, false, None).await;
        return;
    }
    let t = now_ms() / 1000;
    let sent = backend
        .webhook_client
        .post(&delivery.url)
        .header("content-type", "application/json")
        .header("user-agent", "smart-tags-proxy")
        .header("x-smart-tags-event", &delivery.event)
        .header("x-smart-tags-delivery", &delivery.id)
        .header("x-smart-tags-signature", signature(secret, t, &delivery.body))
        .body(delivery.body.clone())
        .send()
        .await;
    let status = sent.as_ref().ok().map(|r| r.status().as_u16());
    let delivered = status.is_some_and(|s| (200..300).contains(&s));
    let next_at = if delivered { None } else { retry_at(&backend.config.webhook_backoff) };
    match (&sent, delivered) {
        (_, true) => tracing::info!(delivery = delivery.id, tries, "webhook delivered"),
        (Ok(r), false) => tracing::warn!(
            delivery = delivery.id,
            tries,
            status = r.status().as_u16(),
            retry = next_at.is_some(),
            "webhook refused"
        ),
        (Err(e), false) => {
            tracing::warn!(delivery = delivery.id, tries, error = %e, retry = next_at.is_some(), "webhook not delivered")
        }
    }
    if let Err(error) = record(backend, delivery, status, delivered, next_at).await {
        tracing::error!(delivery = delivery.id, %error, "cannot record a webhook attempt");
    }
}

/// Records one attempt of `delivery` in the store (on the blocking pool).
async fn record(
    backend: &Backend,
    delivery: &Delivery,
    status: Option<u16>,
    delivered: bool,
    next_at: Option<i64>,
) -> Result<(), BackendError> {
    let id = delivery.id.clone();
    backend.jobs.call(move |store| store.delivery_attempt(&id, status, delivered, next_at)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_of_t_dot_body() {
        // Python: hmac.new(b"whsec-test-secret-123", b'1700000000.{"event":"job.completed"}', hashlib.sha256).hexdigest()
        let sig = signature("whsec-test-secret-123", 1_700_000_000, r#"{"event":"job.completed"}"#);
        assert_eq!(sig, "t=1700000000,v1=afd6049bc82474c6a0bb58ef5f6e86dc48ebb106d884414723a5235bc9a0a3ed");
        assert_ne!(signature("whsec-test-secret-123", 1, "x"), signature("whsec-test-secret-123", 2, "x"));
    }
}
