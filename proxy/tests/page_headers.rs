//! Every page and answer of the proxy carries a strict Content-Security-Policy, framing
//! protection and a same-origin Referrer-Policy; an operator may let named origins frame the pages.

#![allow(clippy::unwrap_used)]

mod common;

use common::proxy_config;
use tokio::net::TcpListener;

async fn start(frame_ancestors: Vec<String>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = proxy_config(addr, "http://127.0.0.1:9");
    config.browser.frame_ancestors = frame_ancestors;
    tokio::spawn(async move { smart_tags_proxy::run(listener, &config, std::future::pending()).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn pages_and_answers_carry_the_security_headers() {
    let base = start(Vec::new()).await;
    for path in ["/", "/index.html", "/admin.html", "/demo/", "/worker.js", "/api/v1/workflow"] {
        let response = reqwest::get(format!("{base}{path}")).await.unwrap();
        let headers = response.headers();
        let csp = headers
            .get("content-security-policy")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("{path}: no csp"));
        assert!(
            csp.contains("default-src 'self'")
                && csp.contains("frame-ancestors 'self'")
                && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(headers.get("x-frame-options").map(|v| v.to_str().unwrap()), Some("SAMEORIGIN"), "{path}");
        assert_eq!(headers.get("referrer-policy").map(|v| v.to_str().unwrap()), Some("same-origin"), "{path}");
    }
}

#[tokio::test]
async fn an_operator_may_let_a_dam_frame_the_pages() {
    let base = start(vec!["https://dam.example.com".to_owned()]).await;
    let response = reqwest::get(format!("{base}/index.html")).await.unwrap();
    let csp = response.headers().get("content-security-policy").unwrap().to_str().unwrap().to_owned();
    assert!(csp.ends_with("frame-ancestors 'self' https://dam.example.com"), "{csp}");
    assert!(response.headers().get("x-frame-options").is_none(), "X-Frame-Options would forbid the DAM's frame");
}
