//! The token endpoints against a real SQLite file, without the model: the JWT exchange
//! (`POST /ims/exchange/jwt`) and the client-credentials grant (`POST /ims/token/v3`), with every
//! refusal of docs/credentials.md.

#![allow(clippy::unwrap_used)]

mod auth_support;

use auth_support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use smart_tags_credentials::{hmac_token, jwt, KeyAlgorithm};

#[tokio::test]
async fn a_signed_jwt_becomes_an_access_token() {
    let f = fixture();
    let key = p256();
    let integration = f.register(&key, None);
    let view = &integration.integration;
    assert_eq!(view.client_id.len(), 32);
    assert!(view.client_id.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert!(integration.client_secret.starts_with("stcs_") && integration.client_secret.len() == 5 + 43);
    assert!(view.org_id.ends_with("@Org") && view.org_id.len() == 24 + 4);
    assert!(view.technical_account_id.ends_with("@techacct.smart-tags") && view.technical_account_id.len() == 24 + 20);
    assert_eq!(
        view.jwt_payload,
        Some(json!({
            "iss": view.org_id,
            "sub": view.technical_account_id,
            "aud": format!("{ISSUER}/c/{}", view.client_id),
            format!("{ISSUER}/s/smart_tags"): true,
            format!("{ISSUER}/s/smart_tags_admin"): true,
        }))
    );

    let jwt = sign(&f.claims(&integration), &key);
    let answer = f.exchange(&view.client_id, &integration.client_secret, &jwt).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.body["token_type"], "bearer");
    assert_eq!(answer.body["expires_in"], 3_600_000, "milliseconds, as IMS");
    assert_eq!(answer.headers["cache-control"], "no-store");
    let token = answer.body["access_token"].as_str().unwrap();

    // The access token's claims, as the contract lists them.
    let claims = jwt::parse(token).unwrap();
    assert_eq!(claims.algorithm, "HS256");
    assert!(claims.kid.is_some());
    let c = &claims.claims;
    assert_eq!(
        (c["iss"].as_str(), c["sub"].as_str(), c["client_id"].as_str(), c["org"].as_str()),
        (
            Some(ISSUER),
            Some(view.technical_account_id.as_str()),
            Some(view.client_id.as_str()),
            Some(view.org_id.as_str())
        )
    );
    assert_eq!(c["scope"], "smart_tags smart_tags_admin");
    assert_eq!((c["iat"].as_i64(), c["exp"].as_i64()), (Some(NOW), Some(NOW + 3_600)));
    assert!(c["jti"].as_str().is_some_and(|j| !j.is_empty()));

    let check = f.check(token).await;
    assert_eq!(check.status, StatusCode::OK, "{}", check.text);
    assert_eq!(
        check.body,
        json!({ "client_id": view.client_id, "org_id": view.org_id, "technical_account_id": view.technical_account_id, "scopes": ["smart_tags", "smart_tags_admin"], "expires_at": NOW + 3_600 })
    );
    let stored = f.store.integration(&view.client_id).unwrap().unwrap();
    assert_eq!((stored.tokens_issued, stored.last_exchange_at), (1, Some(NOW)));
}

#[tokio::test]
async fn a_jwt_without_kid_is_tried_against_every_certificate_and_rs256_works() {
    let f = fixture();
    let rsa = proxy_key(KeyAlgorithm::Rsa { bits: 2048 });
    let integration = f.register(&rsa, Some(&["smart_tags"]));
    let claims = f.claims(&integration);
    let with_kid = jwt::sign(&claims, &rsa.key, Some(&rsa.kid)).unwrap();
    assert_eq!(jwt::parse(&with_kid).unwrap().algorithm, "RS256");
    let answer = f.exchange(&integration.integration.client_id, &integration.client_secret, &with_kid).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let no_kid = jwt::sign(&f.claims(&integration), &rsa.key, None).unwrap();
    let answer = f.exchange(&integration.integration.client_id, &integration.client_secret, &no_kid).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(f.check(answer.body["access_token"].as_str().unwrap()).await.body["scopes"], json!(["smart_tags"]));
}

#[tokio::test]
async fn refuses_bad_clients_and_bad_forms() {
    let f = fixture();
    let key = p256();
    let integration = f.register(&key, None);
    let id = integration.integration.client_id.clone();
    let secret = integration.client_secret.clone();
    let jwt = sign(&f.claims(&integration), &key);

    f.form("/ims/exchange/jwt", &[("client_id", &id), ("client_secret", &secret)])
        .await
        .assert_ims(StatusCode::BAD_REQUEST, "invalid_request");
    f.form("/ims/exchange/jwt", &[("client_id", &id), ("jwt_token", &jwt)])
        .await
        .assert_ims(StatusCode::BAD_REQUEST, "invalid_request");
    let json_body =
        Request::post("/ims/exchange/jwt").header("content-type", "application/json").body(Body::from("{}")).unwrap();
    f.send(json_body).await.assert_ims(StatusCode::BAD_REQUEST, "invalid_request");
    let huge = "x".repeat(40 * 1024);
    let too_large =
        f.form("/ims/exchange/jwt", &[("client_id", &id), ("client_secret", &secret), ("jwt_token", &huge)]).await;
    too_large.assert_ims(StatusCode::PAYLOAD_TOO_LARGE, "invalid_request");

    let unknown = f.exchange("0123456789abcdef0123456789abcdef", &secret, &jwt).await;
    unknown.assert_ims(StatusCode::UNAUTHORIZED, "invalid_client");
    assert!(unknown.description().contains("unknown client"), "{}", unknown.text);
    let wrong = f.exchange(&id, "stcs_not-the-secret", &jwt).await;
    wrong.assert_ims(StatusCode::UNAUTHORIZED, "invalid_client");
    assert!(wrong.description().contains("secret"), "{}", wrong.text);
    assert_eq!(wrong.description(), unknown.description(), "the answer does not say whether the client id exists");
    assert!(!wrong.text.contains(&secret) && !wrong.text.contains(&jwt), "no secret or token in an error");

    f.auth.revoke(&id).unwrap();
    let revoked = f.exchange(&id, &secret, &jwt).await;
    revoked.assert_ims(StatusCode::UNAUTHORIZED, "invalid_client");
    assert!(revoked.description().contains("revoked"), "{}", revoked.text);
    let guessed = f.exchange(&id, "stcs_not-the-secret", &jwt).await;
    assert_eq!(
        guessed.description(),
        unknown.description(),
        "without the secret, a revoked integration is not told apart"
    );
}

/// Sends a JWT with an otherwise good client; asserts the refusal.
async fn refused(
    f: &Fixture,
    integration: &smart_tags_service::auth::issuing::WithSecret,
    jwt: &str,
    code: &str,
) -> String {
    let answer = f.exchange(&integration.integration.client_id, &integration.client_secret, jwt).await;
    answer.assert_ims(StatusCode::BAD_REQUEST, code);
    answer.description().to_owned()
}

fn unsigned(header: Value, claims: &jwt::Claims, signature: &[u8]) -> String {
    use base64::Engine;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    format!(
        "{}.{}.{}",
        b64(header.to_string().as_bytes()),
        b64(Value::Object(claims.clone()).to_string().as_bytes()),
        b64(signature)
    )
}

#[tokio::test]
async fn refuses_bad_algorithms_keys_and_signatures() {
    let f = fixture();
    let key = p256();
    let integration = f.register(&key, None);

    for malformed in ["not a jwt", "a.b", "e30.e30.e30.e30", "eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.AAAA"] {
        refused(&f, &integration, malformed, "invalid_token").await;
    }
    let none = unsigned(json!({ "alg": "none", "typ": "JWT" }), &f.claims(&integration), b"");
    assert!(refused(&f, &integration, &none, "invalid_token").await.contains("algorithm"));
    // HS256 "signed" with the public certificate as the HMAC key: the classic confusion attack.
    let hs256 = hmac_token::sign(&f.claims(&integration), key.pem.as_bytes(), Some(&key.kid));
    assert!(refused(&f, &integration, &hs256, "invalid_token").await.contains("algorithm"));
    let unknown_kid = jwt::sign(&f.claims(&integration), &key.key, Some("0000000000000000")).unwrap();
    assert!(refused(&f, &integration, &unknown_kid, "invalid_token").await.contains("key id"));
    // Signed by another key: under the registered kid, and without a kid.
    let other = p256();
    let forged = jwt::sign(&f.claims(&integration), &other.key, Some(&key.kid)).unwrap();
    refused(&f, &integration, &forged, "invalid_signature").await;
    let forged = jwt::sign(&f.claims(&integration), &other.key, None).unwrap();
    refused(&f, &integration, &forged, "invalid_signature").await;
    // A good signature with a changed claim.
    let good = sign(&f.claims(&integration), &key);
    let mut parts: Vec<&str> = good.split('.').collect();
    let mut changed = f.claims(&integration);
    changed.insert("sub".into(), json!("SOMEONE@techacct.smart-tags"));
    let tampered = unsigned(json!({ "alg": "ES256", "kid": key.kid }), &changed, b"");
    let tampered_claims = tampered.split('.').nth(1).unwrap().to_owned();
    parts[1] = &tampered_claims;
    refused(&f, &integration, &parts.join("."), "invalid_signature").await;
}

#[tokio::test]
async fn refuses_bad_times_with_the_leeway() {
    let f = fixture();
    let key = p256();
    let integration = f.register(&key, None);
    let with = |changes: &[(&str, Value)]| {
        let mut claims = f.claims(&integration);
        for (name, value) in changes {
            claims.insert((*name).into(), value.clone());
        }
        sign(&claims, &key)
    };
    assert!(refused(&f, &integration, &with(&[("exp", json!(NOW - 61))]), "invalid_token").await.contains("expired"));
    let too_long = with(&[("exp", json!(NOW + 24 * 3_600 + 61))]);
    assert!(refused(&f, &integration, &too_long, "invalid_token").await.contains("ahead"));
    refused(&f, &integration, &with(&[("iat", json!(NOW + 61))]), "invalid_token").await;
    refused(&f, &integration, &with(&[("nbf", json!(NOW + 61))]), "invalid_token").await;
    let mut no_exp = f.claims(&integration);
    no_exp.remove("exp");
    refused(&f, &integration, &sign(&no_exp, &key), "invalid_token").await;
    // Within the 60 s leeway: accepted.
    for ok in [
        with(&[("exp", json!(NOW - 30))]),
        with(&[("iat", json!(NOW + 30))]),
        with(&[("exp", json!(NOW + 24 * 3_600))]),
    ] {
        let answer = f.exchange(&integration.integration.client_id, &integration.client_secret, &ok).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    }
}

#[tokio::test]
async fn the_leeway_is_configurable() {
    let f = fixture_with(|config| config.leeway_seconds = 5);
    let key = p256();
    let integration = f.register(&key, None);
    let mut claims = f.claims(&integration);
    claims.insert("exp".into(), json!(NOW - 30));
    refused(&f, &integration, &sign(&claims, &key), "invalid_token").await;
}

#[tokio::test]
async fn refuses_wrong_audience_issuer_subject_and_jti() {
    let f = fixture();
    let key = p256();
    let integration = f.register(&key, None);
    let with = |name: &str, value: Option<Value>| {
        let mut claims = f.claims(&integration);
        match value {
            Some(value) => claims.insert(name.into(), value),
            None => claims.remove(name),
        };
        sign(&claims, &key)
    };
    let other_aud = format!("{ISSUER}/c/ffffffffffffffffffffffffffffffff");
    assert!(refused(&f, &integration, &with("aud", Some(json!(other_aud))), "invalid_token")
        .await
        .contains("audience"));
    refused(&f, &integration, &with("aud", None), "invalid_token").await;
    assert!(refused(&f, &integration, &with("iss", Some(json!("ABCDEF0123456789ABCDEF01@Org"))), "invalid_token")
        .await
        .contains("issuer"));
    assert!(refused(
        &f,
        &integration,
        &with("sub", Some(json!("ABCDEF0123456789ABCDEF01@techacct.smart-tags"))),
        "invalid_token"
    )
    .await
    .contains("subject"));
    refused(&f, &integration, &with("sub", None), "invalid_token").await;
    assert!(refused(&f, &integration, &with("jti", None), "invalid_token").await.contains("jti"));

    // A jti is single use: the second exchange of one JWT is refused.
    let jwt = sign(&f.claims(&integration), &key);
    assert_eq!(
        f.exchange(&integration.integration.client_id, &integration.client_secret, &jwt).await.status,
        StatusCode::OK
    );
    let replay = refused(&f, &integration, &jwt, "invalid_token").await;
    assert!(replay.contains("jti") && replay.contains("was already used"), "{replay}");
    // A refused JWT does not burn its jti.
    let mut claims = f.claims(&integration);
    claims.insert("aud".into(), json!("http://elsewhere/c/x"));
    refused(&f, &integration, &sign(&claims, &key), "invalid_token").await;
    claims.insert("aud".into(), json!(f.auth.audience(&integration.integration.client_id)));
    assert_eq!(
        f.exchange(&integration.integration.client_id, &integration.client_secret, &sign(&claims, &key)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn refuses_missing_and_foreign_metascopes() {
    let f = fixture();
    let key = p256();
    let tagging_only = f.register(&key, Some(&["smart_tags"]));
    let tagging = format!("{ISSUER}/s/smart_tags");
    let admin = format!("{ISSUER}/s/smart_tags_admin");
    let mut none = f.claims(&tagging_only);
    none.remove(&tagging);
    assert!(refused(&f, &tagging_only, &sign(&none, &key), "invalid_scope").await.contains("no metascope"));
    let mut falsy = none.clone();
    falsy.insert(tagging.clone(), json!(false));
    refused(&f, &tagging_only, &sign(&falsy, &key), "invalid_scope").await;
    let mut lacking = f.claims(&tagging_only);
    lacking.insert(admin.clone(), json!(true));
    assert!(refused(&f, &tagging_only, &sign(&lacking, &key), "invalid_scope").await.contains("smart_tags_admin"));
    let mut unknown = f.claims(&tagging_only);
    unknown.insert(format!("{ISSUER}/s/ent_dataservices_sdk"), json!(true));
    refused(&f, &tagging_only, &sign(&unknown, &key), "invalid_scope").await;
    let mut foreign = f.claims(&tagging_only);
    foreign.insert("https://ims-na1.adobelogin.com/s/smart_tags".into(), json!(true));
    refused(&f, &tagging_only, &sign(&foreign, &key), "invalid_scope").await;
}

#[tokio::test]
async fn client_credentials() {
    let f = fixture();
    let integration = f.register_oauth(None);
    assert_eq!(serde_json::to_value(&integration.integration).unwrap()["credential"], "oauth_server_to_server");
    assert!(integration.integration.jwt_payload.is_none() && integration.integration.certificates.is_empty());
    let id = &integration.integration.client_id;
    let secret = &integration.client_secret;

    let all = f.client_credentials(id, secret, None).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text);
    assert_eq!((&all.body["token_type"], &all.body["expires_in"]), (&json!("bearer"), &json!(3_600)), "seconds");
    assert_eq!(
        f.check(all.body["access_token"].as_str().unwrap()).await.body["scopes"],
        json!(["smart_tags", "smart_tags_admin"])
    );
    let one = f.client_credentials(id, secret, Some("smart_tags")).await;
    assert_eq!(f.check(one.body["access_token"].as_str().unwrap()).await.body["scopes"], json!(["smart_tags"]));
    let both = f.client_credentials(id, secret, Some("smart_tags_admin,smart_tags")).await;
    assert_eq!(
        f.check(both.body["access_token"].as_str().unwrap()).await.body["scopes"],
        json!(["smart_tags", "smart_tags_admin"])
    );

    f.client_credentials(id, secret, Some("smart_tags openid"))
        .await
        .assert_ims(StatusCode::BAD_REQUEST, "invalid_scope");
    f.client_credentials(id, "stcs_wrong", None).await.assert_ims(StatusCode::UNAUTHORIZED, "invalid_client");
    let bad_grant =
        f.form("/ims/token/v3", &[("grant_type", "password"), ("client_id", id), ("client_secret", secret)]).await;
    bad_grant.assert_ims(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    f.form("/ims/token/v3", &[("client_id", id), ("client_secret", secret)])
        .await
        .assert_ims(StatusCode::BAD_REQUEST, "invalid_request");

    let tagging_only = f.register_oauth(Some(&["smart_tags"]));
    let answer = f
        .client_credentials(&tagging_only.integration.client_id, &tagging_only.client_secret, Some("smart_tags_admin"))
        .await;
    answer.assert_ims(StatusCode::BAD_REQUEST, "invalid_scope");
}

#[tokio::test]
async fn each_integration_gets_tokens_with_its_own_grant_only() {
    let f = fixture();
    let key = p256();
    let jwt_integration = f.register(&key, None);
    let (jwt_id, jwt_secret) = (&jwt_integration.integration.client_id, &jwt_integration.client_secret);
    // A JWT integration's secret alone gets nothing: its private key is the credential.
    let refused = f.client_credentials(jwt_id, jwt_secret, None).await;
    refused.assert_ims(StatusCode::BAD_REQUEST, "unauthorized_client");
    assert!(refused.description().contains("jwt credential"), "{}", refused.text);
    f.token(&jwt_integration, &key).await;
    // An unknown client or a wrong secret still says only invalid_client.
    f.client_credentials(jwt_id, "stcs_wrong", None).await.assert_ims(StatusCode::UNAUTHORIZED, "invalid_client");

    // An OAuth integration has no key, and the JWT exchange refuses it whatever it signs.
    let oauth = f.register_oauth(None);
    let (oauth_id, oauth_secret) = (&oauth.integration.client_id, &oauth.client_secret);
    let mut claims = f.claims(&jwt_integration);
    claims.insert("aud".into(), json!(f.auth.audience(oauth_id)));
    f.exchange(oauth_id, oauth_secret, &sign(&claims, &key))
        .await
        .assert_ims(StatusCode::BAD_REQUEST, "unauthorized_client");
    assert_eq!(f.client_credentials(oauth_id, oauth_secret, None).await.status, StatusCode::OK);
    // It takes no certificate, and no certificate token.
    let added = f
        .console(
            axum::http::Method::POST,
            &format!("/console/integrations/{oauth_id}/certificates"),
            Some(json!({ "certificate": key.pem })),
        )
        .await;
    added.assert_code(StatusCode::CONFLICT, "wrong_credential");
    let token =
        f.console(axum::http::Method::POST, &format!("/console/integrations/{oauth_id}/certificate-token"), None).await;
    token.assert_code(StatusCode::CONFLICT, "wrong_credential");

    // The console makes either, and refuses a mismatched request.
    let created = f
        .console(
            axum::http::Method::POST,
            "/console/integrations",
            Some(json!({ "name": "dam", "credential": "oauth_server_to_server" })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.body["credential"], "oauth_server_to_server");
    assert!(created.body.get("jwt_payload").is_none(), "{}", created.text);
    for body in [
        json!({ "name": "dam" }),
        json!({ "name": "dam", "credential": "oauth_server_to_server", "certificate": key.pem }),
        json!({ "name": "dam", "credential": "password", "certificate": key.pem }),
    ] {
        f.console(axum::http::Method::POST, "/console/integrations", Some(body))
            .await
            .assert_code(StatusCode::BAD_REQUEST, "bad_input");
    }
}
