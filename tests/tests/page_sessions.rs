//! Sign-in to the standalone upload page: a real proxy with a page users file in front of a real
//! tagging service. A right name and password set the session cookie, which opens the browser
//! API; a wrong password and an unknown name get the same 401; a missing, forged, expired or
//! signed-out cookie is refused; a foreign origin cannot use the cookie; the login is rate
//! limited per IP address; a users file lets the proxy listen beyond loopback.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use smart_tags_core::preprocess::{preprocess, Options};
use smart_tags_proxy::client_auth::session::{user_line, PageUsers, Sessions, SESSION_SECONDS};
use smart_tags_proxy::config::{BrowserAccess, Config};
use smart_tags_service::AppState;
use smart_tags_tests::{fixture, read, shared_engine};
use tokio::net::TcpListener;

const PASSWORD: &str = "alice-has-a-long-password";

/// The sessions of a users file with alice, as `user add` writes it.
fn sessions() -> Arc<Sessions> {
    let users =
        PageUsers::parse(&format!("# the upload page's users\n{}\n", user_line("alice", PASSWORD).unwrap())).unwrap();
    Arc::new(Sessions::new(Arc::new(users), false).unwrap())
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

fn config(listen: SocketAddr, service_url: String, sessions: Option<Arc<Sessions>>) -> Config {
    Config {
        listen,
        service_url,
        www_dir: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../www")),
        service_timeout: Duration::from_secs(10),
        connections: Default::default(),
        admin_token: None,
        browser: BrowserAccess { sessions, rate_per_second: 0.0, rate_burst: 1, ..BrowserAccess::default() },
    }
}

/// A proxy with alice as its page user; answers its url and its sessions.
async fn start() -> (String, Arc<Sessions>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let service: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(smart_tags_service::run(listener, Arc::new(AppState::new(shared_engine())), std::future::pending()));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sessions = sessions();
    let config = config(listener.local_addr().unwrap(), format!("http://{service}"), Some(sessions.clone()));
    config.validate().unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { smart_tags_proxy::run(listener, &config, std::future::pending()).await });
    (format!("http://{addr}"), sessions)
}

/// Signs in; answers the status, the body and the `Set-Cookie` header.
async fn login(proxy: &str, name: &str, password: &str) -> (u16, Value, Option<String>) {
    let response = reqwest::Client::new()
        .post(format!("{proxy}/api/v1/session"))
        .json(&json!({ "name": name, "password": password }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let cookie = response.headers().get("set-cookie").map(|v| v.to_str().unwrap().to_owned());
    (status, response.json().await.unwrap_or(Value::Null), cookie)
}

/// The `name=value` part of a `Set-Cookie` header.
fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

async fn tag(proxy: &str, cookie: Option<&str>, origin: Option<&str>) -> (u16, Value) {
    let input =
        preprocess(&read(&fixture("skimage/coffee.png")), &Options::default()).unwrap().model_input.into_bytes();
    let mut request = reqwest::Client::new()
        .post(format!("{proxy}/api/v1/tag?top=1"))
        .header("content-type", "application/octet-stream")
        .body(input);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_session_cookie_opens_the_browser_api_until_logout() {
    let (proxy, _) = start().await;
    let (status, body) = tag(&proxy, None, None).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("widget_token_required")), "{body}");

    let (status, body, set_cookie) = login(&proxy, "alice", PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    let set_cookie = set_cookie.unwrap();
    assert!(set_cookie.starts_with("smart_tags_session="), "{set_cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/api/", "Max-Age=28800"] {
        assert!(set_cookie.contains(attribute), "{attribute}: {set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "no Secure on loopback (plain http): {set_cookie}");
    let cookie = cookie_pair(&set_cookie);

    let (status, body) = tag(&proxy, Some(&cookie), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tags"][0]["label"], "espresso");
    // The proxy's own origin may use the cookie; another site may not (CSRF).
    let own = proxy.clone();
    assert_eq!(tag(&proxy, Some(&cookie), Some(&own)).await.0, 200);
    let (status, body) = tag(&proxy, Some(&cookie), Some("https://evil.example")).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("origin_not_allowed")), "{body}");

    let response = reqwest::Client::new()
        .delete(format!("{proxy}/api/v1/session"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let cleared = response.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(cleared.starts_with("smart_tags_session=;") && cleared.contains("Max-Age=0"), "{cleared}");
    // What a browser sends after the logout, and the old cookie replayed: both refused.
    assert_eq!(tag(&proxy, Some(&cookie_pair(&cleared)), None).await.0, 401);
    let (status, body) = tag(&proxy, Some(&cookie), None).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("session_invalid")), "{body}");
}

#[tokio::test]
async fn wrong_passwords_unknown_users_and_forged_or_expired_cookies_are_refused() {
    let (proxy, own) = start().await;
    let (wrong_status, wrong, wrong_cookie) = login(&proxy, "alice", "not-alices-password").await;
    let (unknown_status, unknown, unknown_cookie) = login(&proxy, "mallory", PASSWORD).await;
    assert_eq!((wrong_status, wrong["code"].as_str()), (401, Some("login_failed")), "{wrong}");
    assert_eq!((unknown_status, unknown["code"].as_str()), (401, Some("login_failed")), "{unknown}");
    assert_eq!(wrong["message"], unknown["message"], "the same answer for both");
    assert!(wrong_cookie.is_none() && unknown_cookie.is_none());
    assert!(!wrong.to_string().contains("not-alices-password"));

    // A cookie signed with another key: a forgery, or one from before a restart.
    let forged = sessions().mint("alice", now()).unwrap();
    let (status, body) = tag(&proxy, Some(&format!("smart_tags_session={forged}")), None).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("session_invalid")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("signature"), "{body}");
    assert_eq!(tag(&proxy, Some("smart_tags_session=garbage"), None).await.0, 401);

    // The proxy's own key, but expired (minted 8 h and a minute ago).
    let expired = own.mint("alice", now() - SESSION_SECONDS - 60).unwrap();
    let (status, body) = tag(&proxy, Some(&format!("smart_tags_session={expired}")), None).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("session_invalid")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("expired"), "{body}");
    // And valid: so only the expiry was wrong above.
    let fresh = own.mint("alice", now()).unwrap();
    assert_eq!(tag(&proxy, Some(&format!("smart_tags_session={fresh}")), None).await.0, 200);
}

#[tokio::test]
async fn the_login_is_rate_limited_per_address() {
    let (proxy, _) = start().await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(login(&proxy, "alice", "guess-number-n").await.0);
    }
    assert_eq!(&statuses[..5], &[401; 5], "{statuses:?}");
    assert_eq!(statuses[5], 429, "{statuses:?}");
    // Even the right password waits now.
    let (status, body, cookie) = login(&proxy, "alice", PASSWORD).await;
    assert_eq!((status, body["code"].as_str(), cookie), (429, Some("rate_limited"), None), "{body}");
}

#[test]
fn page_users_let_the_proxy_listen_beyond_loopback() {
    let anywhere = SocketAddr::from(([0, 0, 0, 0], 8080));
    let neither = config(anywhere, "http://127.0.0.1:7701".to_owned(), None);
    let problems = neither.validate().unwrap_err();
    assert!(problems.iter().any(|p| p.contains("SMART_TAGS_PAGE_USERS_FILE")), "{problems:?}");
    config(anywhere, "http://127.0.0.1:7701".to_owned(), Some(sessions())).validate().unwrap();
}
