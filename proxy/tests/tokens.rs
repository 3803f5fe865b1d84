//! The token manager against the stand-in authorization server: one exchange for a burst of
//! 1,000 requests, refresh before expiry, retries with backoff on 503, one refresh and one retry
//! on a 401 from the service, and a new active certificate picked up without a restart.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use smart_tags_proxy::config::auth::Grant;
use smart_tags_proxy::keys::CreateOptions;
use smart_tags_proxy::token::{RetryPolicy, TokenError, TokenManager};

fn fast_retry() -> RetryPolicy {
    RetryPolicy { tries: 3, first_delay: Duration::from_millis(50), max_delay: Duration::from_millis(200) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_1000_requests_makes_one_exchange() {
    let stand_in = start_stand_in(3_600_000).await;
    stand_in.delay_ms.store(300, Ordering::SeqCst);
    let (dir, _store, _) = data_dir_with_key(&stand_in);
    let proxy = start_proxy(&stand_in.url, &auth_config(&stand_in, dir.path(), SECRET)).await;
    let client = reqwest::Client::new();
    let requests: Vec<_> = (0..1000)
        .map(|i| {
            let (client, url) = (client.clone(), format!("{proxy}/api/v1/assets?content_hash={i}"));
            tokio::spawn(async move { client.get(url).send().await.unwrap().status().as_u16() })
        })
        .collect();
    for request in requests {
        assert_eq!(request.await.unwrap(), 200);
    }
    assert_eq!(stand_in.exchanges(), 1, "exactly one exchange for the burst");
    assert_eq!(stand_in.service_requests.load(Ordering::SeqCst), 1000);
    assert_eq!(stand_in.unauthorized.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_token_is_refreshed_before_it_expires() {
    let stand_in = start_stand_in(2_000).await;
    let (dir, _store, _) = data_dir_with_key(&stand_in);
    let tokens =
        TokenManager::new(&auth_config(&stand_in, dir.path(), SECRET), Duration::from_secs(5)).unwrap().unwrap();
    let started = Instant::now();
    let first = tokens.token().await.unwrap();
    assert_eq!(tokens.token().await.unwrap().value(), first.value(), "cached");
    assert_eq!(stand_in.exchanges(), 1);
    // A fifth of the 2 s lifetime is 400 ms: at 1.7 s the token is still valid but refreshed.
    tokio::time::sleep(Duration::from_millis(1_700).saturating_sub(started.elapsed())).await;
    let second = tokens.token().await.unwrap();
    assert!(started.elapsed() < Duration::from_millis(2_000), "refreshed before the first token expired");
    assert_ne!(second.value(), first.value());
    assert_eq!(stand_in.exchanges(), 2);
    assert_eq!(stand_in.kids.lock().unwrap().len(), 2, "each exchange signed a fresh jwt (new jti)");
}

#[tokio::test]
async fn a_503_is_retried_with_backoff() {
    let stand_in = start_stand_in(3_600_000).await;
    let (dir, _store, _) = data_dir_with_key(&stand_in);
    let auth = auth_config(&stand_in, dir.path(), SECRET);
    let tokens = TokenManager::new(&auth, Duration::from_secs(5)).unwrap().unwrap().with_retry(fast_retry());
    stand_in.fail_next.store(2, Ordering::SeqCst);
    let started = Instant::now();
    tokens.token().await.unwrap();
    assert_eq!(stand_in.exchanges(), 3, "two 503s, then success");
    assert!(started.elapsed() >= Duration::from_millis(150), "waited 50 ms, then 100 ms");

    let tokens = TokenManager::new(&auth, Duration::from_secs(5)).unwrap().unwrap().with_retry(fast_retry());
    stand_in.fail_next.store(10, Ordering::SeqCst);
    let error = tokens.token().await.unwrap_err();
    assert_eq!(error, TokenError::ServerFailed { status: 503, tries: 3 });
    assert_eq!(stand_in.exchanges(), 6, "bounded: three tries");
}

#[tokio::test]
async fn refusals_carry_the_servers_code_and_never_the_secret() {
    let stand_in = start_stand_in(3_600_000).await;
    let (dir, _store, _) = data_dir_with_key(&stand_in);
    let tokens =
        TokenManager::new(&auth_config(&stand_in, dir.path(), "stcs_wrong-secret-value"), Duration::from_secs(5))
            .unwrap()
            .unwrap();
    let error = tokens.token().await.unwrap_err();
    assert_eq!(error.code(), Some("invalid_client"));
    assert_eq!(error.to_string(), "authorization server says invalid_client: unknown client id or wrong client secret");
    assert_eq!(stand_in.exchanges(), 1, "a 4xx is not retried");

    let mut auth = auth_config(&stand_in, dir.path(), SECRET);
    auth.jwt_payload.as_mut().unwrap().insert("aud".into(), "http://elsewhere/c/x".into());
    let tokens = TokenManager::new(&auth, Duration::from_secs(5)).unwrap().unwrap();
    let error = tokens.token().await.unwrap_err();
    assert_eq!(error.code(), Some("invalid_token"));
    assert!(error.to_string().contains("audience"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_from_the_service_refreshes_once_and_retries_once() {
    let stand_in = start_stand_in(3_600_000).await;
    let (dir, _store, _) = data_dir_with_key(&stand_in);
    let proxy = start_proxy(&stand_in.url, &auth_config(&stand_in, dir.path(), SECRET)).await;
    let get = || async { reqwest::get(format!("{proxy}/api/v1/assets?content_hash=1")).await.unwrap() };
    assert_eq!(get().await.status().as_u16(), 200);
    assert_eq!(stand_in.exchanges(), 1);

    stand_in.revoke_all();
    assert_eq!(get().await.status().as_u16(), 200, "the proxy got a new token and retried");
    assert_eq!(stand_in.exchanges(), 2, "one refresh");
    assert_eq!(stand_in.service_requests.load(Ordering::SeqCst), 3, "the first request, the refused one, the retry");
    assert_eq!(stand_in.unauthorized.load(Ordering::SeqCst), 1);

    // The tagging route (POST with a body) replays its body too.
    stand_in.revoke_all();
    let response = reqwest::Client::new()
        .post(format!("{proxy}/api/v1/tag?top=1"))
        .header("content-type", "application/octet-stream")
        .body(vec![0u8; smart_tags_core::model_input::BYTES])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(stand_in.exchanges(), 3);
}

#[tokio::test]
async fn a_service_that_keeps_refusing_gets_one_retry_and_the_browser_a_fixed_error() {
    let stand_in = start_stand_in(3_600_000).await;
    let (dir, _store, _) = data_dir_with_key(&stand_in);
    let auth = auth_config(&stand_in, dir.path(), SECRET);
    let tokens = Arc::new(TokenManager::new(&auth, Duration::from_secs(5)).unwrap().unwrap());
    // A service (here: a second stand-in) that knows none of the first one's tokens.
    let other = start_stand_in(3_600_000).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = proxy_config(listener.local_addr().unwrap(), &other.url);
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(smart_tags_proxy::AppState::with_tokens(&config, &auth, Some(tokens)).unwrap());
    tokio::spawn(
        async move { smart_tags_proxy::run_with_state(listener, &config, state, std::future::pending()).await },
    );
    let response = reqwest::get(format!("{base}/api/v1/assets?content_hash=1")).await.unwrap();
    assert_eq!(response.status().as_u16(), 502);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "service_authorization");
    assert!(!body.to_string().contains(&other.url) && !body.to_string().contains("access-token"));
    assert_eq!(stand_in.exchanges(), 2, "one refresh after the 401");
    assert_eq!(other.service_requests.load(Ordering::SeqCst), 2, "one retry");
}

#[tokio::test]
async fn an_activated_certificate_signs_from_the_next_refresh() {
    let stand_in = start_stand_in(3_600_000).await;
    let (dir, store, first) = data_dir_with_key(&stand_in);
    let tokens =
        TokenManager::new(&auth_config(&stand_in, dir.path(), SECRET), Duration::from_secs(5)).unwrap().unwrap();
    let token = tokens.token().await.unwrap();
    let second = store
        .create(
            &CreateOptions { algorithm: smart_tags_credentials::KeyAlgorithm::P256, ..CreateOptions::default() },
            now(),
        )
        .unwrap();
    stand_in.register(&store.download(Some(&second)).unwrap().1);
    store.activate(&second).unwrap();
    tokens.invalidate(&token);
    tokens.token().await.unwrap();
    assert_eq!(*stand_in.kids.lock().unwrap(), vec![first, second], "the running manager reloaded the key");
}

#[tokio::test]
async fn the_client_credentials_grant_counts_seconds() {
    let stand_in = start_stand_in(3_600_000).await;
    let dir = tempfile::tempdir().unwrap();
    let mut auth = auth_config(&stand_in, dir.path(), SECRET);
    auth.grant = Grant::ClientCredentials;
    auth.jwt_payload = None;
    assert!(auth.problems().is_empty(), "{:?}", auth.problems());
    let tokens = TokenManager::new(&auth, Duration::from_secs(5)).unwrap().unwrap();
    let token = tokens.token().await.unwrap();
    assert!(token.value().starts_with("access-token-"));
    assert_eq!(tokens.token().await.unwrap().value(), token.value(), "3600 s is not refreshed at once");
    assert_eq!(stand_in.exchanges(), 1);
}
