//! Access tokens on the protected routes and the console, against a real SQLite file without
//! the model: scopes, expiry, forgery, revocation, secret rotation with overlap, certificate
//! rotation, the admin token; and the binary's `integration` commands (no model loaded).

#![allow(clippy::unwrap_used)]

mod auth_support;

use auth_support::*;
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use smart_tags_credentials::{hmac_token, jwt};

#[tokio::test]
async fn routes_need_a_token_with_their_scope() {
    let f = fixture();
    let integration = f.register_oauth(None);
    let (id, secret) = (&integration.integration.client_id, &integration.client_secret);
    let token_for = |scope: &'static str| {
        let f = &f;
        async move { f.client_credentials(id, secret, Some(scope)).await.body["access_token"].as_str().unwrap().to_owned() }
    };
    let tagging = token_for("smart_tags").await;
    let admin = token_for("smart_tags_admin").await;

    // No token, a malformed header, a malformed token: 401 with the challenge.
    for (token, what) in [(None, "no header"), (Some("not-a-token"), "garbage")] {
        let answer = f.call(Method::GET, "/v1/taxonomy", token, None).await;
        answer.assert_code(StatusCode::UNAUTHORIZED, "unauthorized");
        assert_eq!(answer.headers["www-authenticate"], r#"Bearer error="invalid_token""#, "{what}");
    }
    let basic = f
        .send(
            axum::http::Request::get("/v1/taxonomy")
                .header("authorization", "Basic YTpi")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    basic.assert_code(StatusCode::UNAUTHORIZED, "unauthorized");

    // GETs need smart_tags; writes need smart_tags_admin.
    assert_eq!(f.call(Method::GET, "/v1/taxonomy", Some(&tagging), None).await.status, StatusCode::OK);
    assert_eq!(f.call(Method::GET, "/v1/settings/thresholds", Some(&tagging), None).await.status, StatusCode::OK);
    let put =
        f.call(Method::PUT, "/v1/settings/thresholds", Some(&tagging), Some(json!({ "min_confidence": 0.3 }))).await;
    put.assert_code(StatusCode::FORBIDDEN, "forbidden");
    assert!(put.body["message"].as_str().unwrap().contains("smart_tags_admin"));
    assert_eq!(
        f.call(Method::PUT, "/v1/settings/thresholds", Some(&admin), Some(json!({ "min_confidence": 0.3 })))
            .await
            .status,
        StatusCode::OK
    );
    f.call(Method::GET, "/v1/taxonomy", Some(&admin), None).await.assert_code(StatusCode::FORBIDDEN, "forbidden");
    f.check(&admin).await.assert_code(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(f.check(&tagging).await.status, StatusCode::OK);
}

#[tokio::test]
async fn expired_forged_and_foreign_tokens_are_refused() {
    let f = fixture();
    let key = p256();
    let integration = f.register(&key, None);
    let token = f.token(&integration, &key).await;
    assert_eq!(f.check(&token).await.status, StatusCode::OK);

    // Forged: the claims changed under the same signature, or signed with another key.
    let parsed = jwt::parse(&token).unwrap();
    let mut claims = parsed.claims.clone();
    claims.insert("scope".into(), json!("smart_tags smart_tags_admin"));
    claims.insert("exp".into(), json!(NOW + 80_000));
    let resigned = hmac_token::sign(&claims, b"a key of at least sixteen bytes!", parsed.kid.as_deref());
    let refused = f.check(&resigned).await;
    refused.assert_code(StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(!refused.text.contains(&resigned), "no token in an error");
    let spliced = format!("{}.{}", resigned.rsplit_once('.').unwrap().0, token.rsplit('.').next().unwrap());
    f.check(&spliced).await.assert_code(StatusCode::UNAUTHORIZED, "unauthorized");
    let unknown_kid = hmac_token::sign(&parsed.claims, b"a key of at least sixteen bytes!", Some("ffffffffffffffff"));
    f.check(&unknown_kid).await.assert_code(StatusCode::UNAUTHORIZED, "unauthorized");
    // The proxy's own JWT is no access token.
    f.check(&sign(&f.claims(&integration), &key)).await.assert_code(StatusCode::UNAUTHORIZED, "unauthorized");

    // Expired after an hour.
    f.clock.advance(3_599);
    assert_eq!(f.check(&token).await.status, StatusCode::OK);
    f.clock.advance(1);
    let expired = f.check(&token).await;
    expired.assert_code(StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(expired.body["message"].as_str().unwrap().contains("expired"), "{}", expired.text);
}

#[tokio::test]
async fn the_token_lifetime_is_configurable() {
    let f = fixture_with(|config| config.access_token_seconds = 120);
    let key = p256();
    let integration = f.register(&key, None);
    let answer = f
        .exchange(&integration.integration.client_id, &integration.client_secret, &sign(&f.claims(&integration), &key))
        .await;
    assert_eq!(answer.body["expires_in"], 120_000);
    f.clock.advance(120);
    f.check(answer.body["access_token"].as_str().unwrap()).await.assert_code(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn revocation_stops_issued_tokens_at_once() {
    let f = fixture();
    let key = p256();
    let integration = f.register(&key, None);
    let id = integration.integration.client_id.clone();
    let token = f.token(&integration, &key).await;
    let other = f.register_oauth(None);
    let other_token = f.client_credentials(&other.integration.client_id, &other.client_secret, None).await.body
        ["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let revoked = f.console(Method::POST, &format!("/console/integrations/{id}/revoke"), None).await;
    assert_eq!((revoked.status, &revoked.body["status"]), (StatusCode::OK, &json!("revoked")), "{}", revoked.text);
    let refused = f.check(&token).await;
    refused.assert_code(StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(refused.body["message"].as_str().unwrap().contains("revoked"));
    f.call(Method::GET, "/v1/taxonomy", Some(&token), None).await.assert_code(StatusCode::UNAUTHORIZED, "unauthorized");
    f.exchange(&id, &integration.client_secret, &sign(&f.claims(&integration), &key))
        .await
        .assert_ims(StatusCode::UNAUTHORIZED, "invalid_client");
    // Another integration is not touched.
    assert_eq!(f.check(&other_token).await.status, StatusCode::OK);
    // A revoked integration gets no new secret or certificate.
    f.console(Method::POST, &format!("/console/integrations/{id}/secret"), None)
        .await
        .assert_code(StatusCode::CONFLICT, "integration_revoked");
}

#[tokio::test]
async fn the_signing_key_lives_in_a_private_file_and_rotates_with_an_overlap() {
    use std::os::unix::fs::PermissionsExt;
    let f = fixture();
    let key = p256();
    let integration = f.register(&key, None);
    let before = f.token(&integration, &key).await;
    let kid_of = |token: &str| jwt::parse(token).unwrap().kid.unwrap();
    let file = f.dir.path().join("data").join(smart_tags_service::auth::token_keys::FILE_NAME);
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    assert!(f.store.token_keys().unwrap().is_empty(), "a copy of the database cannot mint tokens");
    // Another process (the `token-key rotate` command) rotates on the same data directory.
    let other = smart_tags_service::auth::AuthServer::with_clock(
        std::sync::Arc::clone(&f.store),
        smart_tags_service::auth::AuthConfig::new(ISSUER),
        f.clock.clone(),
    )
    .unwrap();
    // The file's modification time must change visibly even on a coarse clock.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let rotation = other.rotate_token_key().unwrap();
    assert_eq!(rotation.verifying, [rotation.signing.clone(), kid_of(&before)]);
    let after = f.token(&integration, &key).await;
    assert_eq!(kid_of(&after), rotation.signing, "the running server signs with the new key");
    assert_eq!(f.check(&before).await.status, StatusCode::OK, "a token of the old key still verifies in the overlap");
    assert_eq!(f.check(&after).await.status, StatusCode::OK);
    // A day after the new key was made, a token of the old one is no longer accepted (it would
    // have expired anyway; a key copied from an old backup stops working with it).
    f.clock.advance(smart_tags_service::auth::token_keys::OVERLAP_SECONDS);
    assert_eq!(f.check(&before).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn secret_rotation_keeps_the_old_secret_for_the_overlap() {
    let f = fixture();
    let integration = f.register_oauth(None);
    let id = integration.integration.client_id.clone();
    let old = integration.client_secret.clone();

    let rotated = f
        .console(Method::POST, &format!("/console/integrations/{id}/secret"), Some(json!({ "overlap_seconds": 600 })))
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.text);
    let new = rotated.body["client_secret"].as_str().unwrap().to_owned();
    assert!(new.starts_with("stcs_") && new != old);
    let secrets = rotated.body["secrets"].as_array().unwrap();
    assert_eq!(secrets.len(), 2);
    assert_eq!(secrets[0]["expires_at"], json!(smart_tags_service::auth::clock::rfc3339(NOW + 600)));
    assert_eq!(secrets[1]["expires_at"], Value::Null);

    f.clock.advance(599);
    assert_eq!(
        f.client_credentials(&id, &old, None).await.status,
        StatusCode::OK,
        "the old secret works during the overlap"
    );
    assert_eq!(f.client_credentials(&id, &new, None).await.status, StatusCode::OK);
    f.clock.advance(1);
    f.client_credentials(&id, &old, None).await.assert_ims(StatusCode::UNAUTHORIZED, "invalid_client");
    assert_eq!(f.client_credentials(&id, &new, None).await.status, StatusCode::OK);

    // The default overlap is 24 h; an empty body is fine.
    let again = f.console(Method::POST, &format!("/console/integrations/{id}/secret"), None).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    f.clock.advance(24 * 3_600 - 1);
    assert_eq!(f.client_credentials(&id, &new, None).await.status, StatusCode::OK);
    f.clock.advance(1);
    f.client_credentials(&id, &new, None).await.assert_ims(StatusCode::UNAUTHORIZED, "invalid_client");
    let bad = f
        .console(Method::POST, &format!("/console/integrations/{id}/secret"), Some(json!({ "overlap_seconds": -1 })))
        .await;
    bad.assert_code(StatusCode::BAD_REQUEST, "bad_input");
}

#[tokio::test]
async fn certificates_are_added_and_removed() {
    let f = fixture();
    let first = p256();
    let integration = f.register(&first, None);
    let id = integration.integration.client_id.clone();
    let second = p256();

    f.clock.advance(1);
    let added = f
        .console(
            Method::POST,
            &format!("/console/integrations/{id}/certificates"),
            Some(json!({ "certificate": second.pem })),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    let ids: Vec<&str> =
        added.body["certificates"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [first.kid.as_str(), second.kid.as_str()]);
    let twice = f
        .console(
            Method::POST,
            &format!("/console/integrations/{id}/certificates"),
            Some(json!({ "certificate": second.pem })),
        )
        .await;
    twice.assert_code(StatusCode::CONFLICT, "certificate_exists");
    let garbage = f
        .console(
            Method::POST,
            &format!("/console/integrations/{id}/certificates"),
            Some(json!({ "certificate": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----" })),
        )
        .await;
    garbage.assert_code(StatusCode::BAD_REQUEST, "bad_input");
    // Both keys sign accepted JWTs.
    f.token(&integration, &first).await;
    f.token(&integration, &second).await;

    let removed =
        f.console(Method::DELETE, &format!("/console/integrations/{id}/certificates/{}", first.kid), None).await;
    assert_eq!(
        (removed.status, removed.body["certificates"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(1)),
        "{}",
        removed.text
    );
    // A JWT of the removed certificate is refused: by kid, and without one.
    let by_kid = f.exchange(&id, &integration.client_secret, &sign(&f.claims(&integration), &first)).await;
    by_kid.assert_ims(StatusCode::BAD_REQUEST, "invalid_token");
    let no_kid = jwt::sign(&f.claims(&integration), &first.key, None).unwrap();
    f.exchange(&id, &integration.client_secret, &no_kid).await.assert_ims(StatusCode::BAD_REQUEST, "invalid_signature");
    f.token(&integration, &second).await;

    let last =
        f.console(Method::DELETE, &format!("/console/integrations/{id}/certificates/{}", second.kid), None).await;
    last.assert_code(StatusCode::CONFLICT, "last_certificate");
    let unknown =
        f.console(Method::DELETE, &format!("/console/integrations/{id}/certificates/{}", first.kid), None).await;
    unknown.assert_code(StatusCode::NOT_FOUND, "unknown_certificate");
}

#[tokio::test]
async fn the_console_needs_the_admin_token() {
    let f = fixture();
    let key = p256();
    let body = json!({ "name": "dam proxy", "certificate": key.pem, "scopes": ["smart_tags"] });
    let without = f.call(Method::POST, "/console/integrations", None, Some(body.clone())).await;
    without.assert_code(StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(without.headers["www-authenticate"], r#"Bearer error="invalid_token""#);
    f.call(Method::GET, "/console/integrations", Some("admin-token-0123456789abcdeX"), None)
        .await
        .assert_code(StatusCode::UNAUTHORIZED, "unauthorized");
    f.call(Method::GET, "/console/integrations", Some("short"), None)
        .await
        .assert_code(StatusCode::UNAUTHORIZED, "unauthorized");
    // An access token is not the admin token.
    let integration = f.register(&p256(), None);
    let token = f.token(&integration, &p256_of(&f, &integration)).await;
    f.call(Method::GET, "/console/integrations", Some(&token), None)
        .await
        .assert_code(StatusCode::UNAUTHORIZED, "unauthorized");

    let created = f.console(Method::POST, "/console/integrations", Some(body)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let secret = created.body["client_secret"].as_str().unwrap().to_owned();
    let id = created.body["client_id"].as_str().unwrap().to_owned();
    assert_eq!(created.body["name"], "dam proxy");
    assert_eq!(created.body["scopes"], json!(["smart_tags"]));
    assert_eq!(created.body["jwt_payload"][format!("{ISSUER}/s/smart_tags")], true);
    assert!(created.body["jwt_payload"].get(format!("{ISSUER}/s/smart_tags_admin")).is_none());
    assert_eq!(created.body["certificates"][0]["id"], key.kid.as_str());

    let list = f.console(Method::GET, "/console/integrations", None).await;
    assert_eq!(list.body["integrations"].as_array().unwrap().len(), 2);
    assert!(!list.text.contains(&secret), "the secret is shown once");
    let shown = f.console(Method::GET, &format!("/console/integrations/{id}"), None).await;
    assert_eq!(
        (shown.status, &shown.body["status"], &shown.body["tokens_issued"]),
        (StatusCode::OK, &json!("active"), &json!(0))
    );
    assert!(!shown.text.contains(&secret));
    f.console(Method::GET, "/console/integrations/0123", None)
        .await
        .assert_code(StatusCode::NOT_FOUND, "unknown_integration");
    let bad_scope = f
        .console(
            Method::POST,
            "/console/integrations",
            Some(json!({ "name": "x", "certificate": key.pem, "scopes": ["everything"] })),
        )
        .await;
    bad_scope.assert_code(StatusCode::BAD_REQUEST, "bad_input");

    // The secret is nowhere in the database files.
    for entry in std::fs::read_dir(f.dir.path().join("data")).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "a client secret in clear in the store");
    }
}

/// The key registered for an integration made by [`Fixture::register`] is not kept; this
/// registers a fresh one beside it and returns it.
fn p256_of(f: &Fixture, integration: &smart_tags_service::auth::issuing::WithSecret) -> ProxyKey {
    let key = p256();
    f.auth.add_certificate(&integration.integration.client_id, &key.pem).unwrap();
    key
}

#[tokio::test]
async fn the_console_is_off_without_an_admin_token() {
    let f = fixture_with(|_| {});
    let answer = f.call(Method::GET, "/console/integrations", Some(ADMIN_TOKEN), None).await;
    answer.assert_code(StatusCode::NOT_FOUND, "not_found");
}

#[test]
fn the_binary_manages_integrations_without_a_model() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let key = p256();
    let cert = dir.path().join("proxy.pem");
    std::fs::write(&cert, &key.pem).unwrap();
    let data = dir.path().join("data");
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_smart-tags-service"))
            .env_remove("SMART_TAGS_MODEL_DIR")
            .env_remove("ORT_DYLIB_PATH")
            .env_remove("SMART_TAGS_PUBLIC_URL")
            .arg("--data-dir")
            .arg(&data)
            .args(args)
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(&[
        "integration",
        "create",
        "--name",
        "proxy",
        "--certificate",
        cert.to_str().unwrap(),
        "--scope",
        "smart_tags",
        "--public-url",
        "https://tags.example.com/",
    ]);
    assert!(ok, "{err}");
    let created: Value = serde_json::from_str(&out).unwrap();
    let id = created["client_id"].as_str().unwrap();
    let secret = created["client_secret"].as_str().unwrap();
    assert!(secret.starts_with("stcs_"));
    assert!(created["org_id"].as_str().unwrap().ends_with("@Org"));
    assert!(created["technical_account_id"].as_str().unwrap().ends_with("@techacct.smart-tags"));
    assert_eq!(created["jwt_payload"]["aud"], format!("https://tags.example.com/c/{id}"));
    assert_eq!(created["jwt_payload"]["https://tags.example.com/s/smart_tags"], true);
    assert!(!err.contains(secret), "the secret is printed once, on stdout");

    let (ok, out, err) = run(&["integration", "list"]);
    assert!(ok, "{err}");
    assert!(!out.contains(secret));
    let listed: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(listed["integrations"][0]["client_id"], id);
    let (ok, out, _) = run(&["integration", "rotate-secret", id, "--overlap-seconds", "60"]);
    assert!(ok);
    assert_ne!(serde_json::from_str::<Value>(&out).unwrap()["client_secret"], secret);
    let other = p256();
    std::fs::write(&cert, &other.pem).unwrap();
    assert!(run(&["integration", "add-certificate", id, cert.to_str().unwrap()]).0);
    assert!(run(&["integration", "remove-certificate", id, &key.kid]).0);
    let (ok, _, err) = run(&["integration", "remove-certificate", id, &other.kid]);
    assert!(!ok && err.contains("at least one certificate"), "{err}");
    let (ok, out, _) = run(&["integration", "revoke", id]);
    assert!(ok);
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["status"], "revoked");
    let (ok, out, _) = run(&["integration", "show", id]);
    assert!(ok && out.contains("revoked"));

    // Open mode is loopback only; serving needs the model.
    let (ok, _, err) = run(&["--open", "--listen", "0.0.0.0:7799"]);
    assert!(!ok && err.contains("open mode") && err.contains("loopback"), "{err}");
    let (ok, _, err) = run(&["--listen", "0.0.0.0:7799"]);
    assert!(!ok && err.contains("--model-dir"), "{err}");
}

#[tokio::test]
async fn a_certificate_token_opens_only_its_integrations_certificates() {
    let f = fixture();
    let (first, other_key) = (p256(), p256());
    let integration = f.register(&first, None);
    let other = f.register(&other_key, None);
    let (id, other_id) = (integration.integration.client_id.clone(), other.integration.client_id.clone());
    let made = f.console(Method::POST, &format!("/console/integrations/{id}/certificate-token"), None).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let token = made.body["certificate_token"].as_str().unwrap().to_owned();
    assert!(token.starts_with(&format!("stct_{id}.")), "{token}");
    assert!(!f.console(Method::GET, &format!("/console/integrations/{id}"), None).await.text.contains(&token));

    // Its own integration: shown, a certificate added, then removed.
    let shown = f.call(Method::GET, &format!("/console/integrations/{id}"), Some(&token), None).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
    let next = p256();
    let added = f
        .call(
            Method::POST,
            &format!("/console/integrations/{id}/certificates"),
            Some(&token),
            Some(json!({ "certificate": next.pem })),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    f.token(&integration, &next).await;
    let removed = f
        .call(Method::DELETE, &format!("/console/integrations/{id}/certificates/{}", first.kid), Some(&token), None)
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.text);

    // Another integration's certificates, and every other console route: refused (403).
    for (method, uri, body) in [
        (Method::GET, format!("/console/integrations/{other_id}"), None),
        (
            Method::POST,
            format!("/console/integrations/{other_id}/certificates"),
            Some(json!({ "certificate": next.pem })),
        ),
        (Method::DELETE, format!("/console/integrations/{other_id}/certificates/{}", other_key.kid), None),
        (Method::GET, "/console/integrations".to_owned(), None),
        (Method::POST, format!("/console/integrations/{id}/secret"), None),
        (Method::POST, format!("/console/integrations/{id}/revoke"), None),
        (Method::POST, format!("/console/integrations/{id}/certificate-token"), None),
        (Method::POST, "/console/integrations".to_owned(), Some(json!({ "name": "x", "certificate": next.pem }))),
    ] {
        let refused = f.call(method.clone(), &uri, Some(&token), body).await;
        refused.assert_code(StatusCode::FORBIDDEN, "forbidden");
    }
    assert_eq!(
        f.console(Method::GET, &format!("/console/integrations/{other_id}"), None).await.body["certificates"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    // A forged one, and the one before a new one was made: refused (401).
    let forged = format!("stct_{id}.{}", "A".repeat(43));
    f.call(Method::GET, &format!("/console/integrations/{id}"), Some(&forged), None)
        .await
        .assert_code(StatusCode::UNAUTHORIZED, "unauthorized");
    let again = f.console(Method::POST, &format!("/console/integrations/{id}/certificate-token"), None).await;
    let newer = again.body["certificate_token"].as_str().unwrap().to_owned();
    f.call(Method::GET, &format!("/console/integrations/{id}"), Some(&token), None)
        .await
        .assert_code(StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(
        f.call(Method::GET, &format!("/console/integrations/{id}"), Some(&newer), None).await.status,
        StatusCode::OK
    );

    // A revoked integration's token opens nothing, and it gets no new one.
    f.console(Method::POST, &format!("/console/integrations/{id}/revoke"), None).await;
    f.call(Method::GET, &format!("/console/integrations/{id}"), Some(&newer), None)
        .await
        .assert_code(StatusCode::UNAUTHORIZED, "unauthorized");
    let refused = f.console(Method::POST, &format!("/console/integrations/{id}/certificate-token"), None).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
}
