//! Check Health against the stand-in: a healthy chain, then one broken link at a time (expired
//! certificate, wrong client secret, service down, incomplete configuration), each failing at
//! its own step with the steps after it skipped; the admin route answers the same JSON; no
//! answer and no log line carries the private key or the client secret.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;
use smart_tags_proxy::config::auth::{AuthConfig, AuthSources, Grant};
use smart_tags_proxy::health::{check, HealthInput, Report, Status};
use smart_tags_proxy::keys::{CreateOptions, KeyStore};
use smart_tags_proxy::token::RetryPolicy;
use smart_tags_telemetry::logging::CapturedLog;

fn input(auth: AuthConfig, service_url: &str) -> HealthInput {
    HealthInput {
        auth,
        problems: Vec::new(),
        service_url: service_url.to_owned(),
        warn_days: 30,
        timeout: Duration::from_secs(5),
        retry: RetryPolicy { tries: 2, first_delay: Duration::from_millis(20), max_delay: Duration::from_millis(50) },
    }
}

fn statuses(report: &Report) -> Vec<(&'static str, Status)> {
    report.steps.iter().map(|s| (s.step, s.status)).collect()
}

fn reason<'a>(report: &'a Report, step: &str) -> &'a str {
    &report.step(step).unwrap().reason
}

#[tokio::test]
async fn a_complete_chain_is_healthy() {
    let stand_in = start_stand_in(3_600_000).await;
    let (dir, _store, id) = data_dir_with_key(&stand_in);
    let report = check(&input(auth_config(&stand_in, dir.path(), SECRET), &stand_in.url)).await;
    assert!(report.healthy, "{}", report.to_text());
    assert_eq!(report.summary, "healthy configuration");
    assert!(report.steps.iter().all(|s| s.status == Status::Ok), "{}", report.to_text());
    assert_eq!(report.steps.len(), 7);
    assert!(reason(&report, "key").contains(&id));
    assert!(reason(&report, "jwt").contains(&format!("signed ES256 with kid {id}")));
    assert!(reason(&report, "prediction").contains("top class alp"), "{}", reason(&report, "prediction"));

    // A certificate expiring within --warn-days is a warning, and still healthy.
    let mut warn = input(auth_config(&stand_in, dir.path(), SECRET), &stand_in.url);
    warn.warn_days = 400;
    let report = check(&warn).await;
    assert!(report.healthy);
    let step = report.step("certificate").unwrap();
    assert_eq!(step.status, Status::Warning);
    assert!(
        step.reason.starts_with("certificate expires in 36") && step.reason.contains(" days on "),
        "{}",
        step.reason
    );
}

#[tokio::test]
async fn an_expired_certificate_fails_its_step() {
    let stand_in = start_stand_in(3_600_000).await;
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::new(dir.path(), None);
    let long_ago = now() - 10 * 86_400;
    let options = CreateOptions {
        algorithm: smart_tags_credentials::KeyAlgorithm::P256,
        validity_days: 2,
        ..CreateOptions::default()
    };
    let id = store.create(&options, long_ago).unwrap();
    let date = store.certificate(&id).unwrap().not_after_date();
    let report = check(&input(auth_config(&stand_in, dir.path(), SECRET), &stand_in.url)).await;
    assert!(!report.healthy);
    assert_eq!(
        statuses(&report),
        vec![
            ("configuration", Status::Ok),
            ("key", Status::Ok),
            ("certificate", Status::Failed),
            ("jwt", Status::Skipped),
            ("exchange", Status::Skipped),
            ("service_token", Status::Skipped),
            ("prediction", Status::Skipped)
        ]
    );
    let expired = reason(&report, "certificate");
    assert!(
        expired.starts_with(&format!("certificate expired on {date}: renew it: `smart-tags-proxy cert create`")),
        "{expired}"
    );
    assert_eq!(reason(&report, "jwt"), "skipped: certificate validity failed");
    assert_eq!(stand_in.exchanges(), 0);
}

#[tokio::test]
async fn a_wrong_secret_is_named() {
    let stand_in = start_stand_in(3_600_000).await;
    let (dir, _store, _) = data_dir_with_key(&stand_in);
    let report = check(&input(auth_config(&stand_in, dir.path(), "stcs_not-the-secret"), &stand_in.url)).await;
    let step = report.step("exchange").unwrap();
    assert_eq!(step.status, Status::Failed);
    assert!(step.reason.starts_with("client secret rejected"), "{}", step.reason);
    assert!(step.reason.contains("authorization server says invalid_client"), "{}", step.reason);
    assert_eq!(report.step("service_token").unwrap().status, Status::Skipped);
    assert!(report.summary.starts_with("exchange accepted failed: client secret rejected"), "{}", report.summary);

    // An unregistered certificate: the server's own code and description.
    let other = tempfile::tempdir().unwrap();
    KeyStore::new(other.path(), None)
        .create(
            &CreateOptions { algorithm: smart_tags_credentials::KeyAlgorithm::P256, ..CreateOptions::default() },
            now(),
        )
        .unwrap();
    let report = check(&input(auth_config(&stand_in, other.path(), SECRET), &stand_in.url)).await;
    assert!(
        reason(&report, "exchange").starts_with("authorization server says invalid_token: the token names key id"),
        "{}",
        reason(&report, "exchange")
    );
}

#[tokio::test]
async fn a_service_that_is_down_fails_the_service_step() {
    let stand_in = start_stand_in(3_600_000).await;
    let (dir, _store, _) = data_dir_with_key(&stand_in);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let down = format!("http://{closed}");
    let report = check(&input(auth_config(&stand_in, dir.path(), SECRET), &down)).await;
    assert_eq!(report.step("exchange").unwrap().status, Status::Ok);
    let step = report.step("service_token").unwrap();
    assert_eq!(step.status, Status::Failed);
    assert_eq!(step.reason, format!("cannot reach the tagging service at {down}: connection failed"));
    assert_eq!(report.step("prediction").unwrap().status, Status::Skipped);
}

#[tokio::test]
async fn an_incomplete_configuration_names_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let sources =
        AuthSources { api_key: Some(API_KEY.to_owned()), data_dir: dir.path().to_owned(), ..AuthSources::default() };
    let (auth, problems) = sources.with_environment(|_| None).resolve("http://127.0.0.1:9");
    assert_eq!(auth.grant, Grant::Jwt, "an api key means the jwt grant");
    let mut health = input(auth, "http://127.0.0.1:9");
    health.problems = problems;
    let report = check(&health).await;
    let step = report.step("configuration").unwrap();
    assert_eq!(step.status, Status::Failed);
    assert_eq!(step.reason, "grant jwt is missing SMART_TAGS_CLIENT_SECRET_FILE or SMART_TAGS_CLIENT_SECRET, SMART_TAGS_JWT_PAYLOAD_FILE or SMART_TAGS_JWT_PAYLOAD");
    assert!(report.steps[1..].iter().all(|s| s.status == Status::Skipped));

    // Nothing set: grant none, for a service in open mode.
    let (auth, problems) = AuthSources::default().with_environment(|_| None).resolve("http://127.0.0.1:9");
    assert_eq!((auth.grant, problems.len()), (Grant::None, 0));
    let (_, problems) = AuthSources { grant: Some("magic".to_owned()), ..AuthSources::default() }.resolve("http://x");
    assert_eq!(problems, vec!["SMART_TAGS_AUTH_GRANT must be jwt, client_credentials or none, not magic"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_route_answers_the_report_and_nothing_leaks() {
    let logs = CapturedLog::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    // Global: the proxy's tasks run on other threads. The only test of this binary that sets it.
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let stand_in = start_stand_in(3_600_000).await;
    let (dir, store, id) = data_dir_with_key(&stand_in);
    let key_pem = store.private_key(&id).unwrap().to_pkcs8_pem();
    let key_body: String = key_pem.lines().filter(|l| !l.starts_with("-----")).collect::<Vec<_>>().join("");
    let auth = auth_config(&stand_in, dir.path(), SECRET);
    let proxy = start_proxy(&stand_in.url, &auth).await;
    let client = reqwest::Client::new();

    let anonymous = client.get(format!("{proxy}/api/v1/admin/health")).send().await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    let response = client.get(format!("{proxy}/api/v1/admin/health")).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["healthy"], true, "{report}");
    assert_eq!(report["summary"], "healthy configuration");
    assert_eq!(report["steps"][4]["step"], "exchange");
    let mut bodies = vec![report.to_string()];

    // Failures, logged: a wrong secret through the proxy and through health, a revoked token.
    let wrong = auth_config(&stand_in, dir.path(), "stcs_the-wrong-secret-it-is");
    let wrong_proxy = start_proxy(&stand_in.url, &wrong).await;
    let answer = client.get(format!("{wrong_proxy}/api/v1/assets?content_hash=1")).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 502);
    bodies.push(answer.text().await.unwrap());
    let health =
        client.get(format!("{wrong_proxy}/api/v1/admin/health")).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    bodies.push(health.text().await.unwrap());
    stand_in.revoke_all();
    bodies
        .push(client.get(format!("{proxy}/api/v1/assets?content_hash=2")).send().await.unwrap().text().await.unwrap());
    bodies.push(format!("{auth:?} {wrong:?} {store:?} {:?}", proxy_config("127.0.0.1:1".parse().unwrap(), "http://x")));

    let logs = logs.text();
    assert!(logs.contains("access token refreshed"), "the log was captured: {logs}");
    for text in bodies.iter().chain([&logs]) {
        assert!(!text.contains(SECRET) && !text.contains("stcs_the-wrong-secret-it-is"), "a secret leaked: {text}");
        assert!(!text.contains(&key_body[..64]) && !text.contains("PRIVATE KEY"), "key material leaked: {text}");
        assert!(!text.contains("access-token-") && !text.contains(ADMIN_TOKEN), "a token leaked: {text}");
    }
}
