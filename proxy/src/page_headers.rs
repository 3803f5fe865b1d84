//! Security headers on every answer of the proxy, its pages (upload page, admin page, demo) and
//! API alike:
//! - `Content-Security-Policy`: scripts, styles, workers and connections from the proxy's own
//!   origin only — the pages have no inline script or style; the one inline element they have,
//!   the demo's import map, is allowed by its SHA-256, read from the served pages at start
//!   ([`import_map_hashes`]) —, WebAssembly compilation allowed
//!   (`'wasm-unsafe-eval'`, the preprocessing worker), images also from `blob:` (thumbnails) and
//!   `data:`, no plugins, no `<base>`; `frame-ancestors 'self'` plus the origins an operator lets
//!   frame the pages (`--frame-ancestors`, for a DAM that shows the upload page in an iframe);
//! - `X-Frame-Options: SAMEORIGIN` for browsers without CSP level 2, when no other origin may
//!   frame the pages;
//! - `Referrer-Policy: same-origin`: asset ids and folders in URLs never leave for other sites.
//!
//! The widget embedded in a DAM's own page runs under that page's policy, not this one.

use std::path::Path;

use axum::http::{header, HeaderName, HeaderValue};
use axum::Router;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;

const IMPORT_MAP_OPEN: &str = "<script type=\"importmap\">";
const SCRIPT_CLOSE: &str = "</script>";

/// The CSP sources (`'sha256-…'`) of the inline import maps in the HTML pages served (the
/// folder's or the embedded ones, `site::html_pages`: the top and the direct sub-folders),
/// sorted. An import map is JSON that names modules, never code that runs, so allowing exactly
/// the ones shipped keeps the policy strict.
pub fn import_map_hashes(www_dir: Option<&Path>) -> Vec<String> {
    let mut hashes: Vec<String> = Vec::new();
    for text in crate::site::html_pages(www_dir) {
        let mut rest = text.as_str();
        while let Some(start) = rest.find(IMPORT_MAP_OPEN) {
            let after = &rest[start + IMPORT_MAP_OPEN.len()..];
            let Some(end) = after.find(SCRIPT_CLOSE) else { break };
            let digest = Sha256::digest(&after.as_bytes()[..end]);
            hashes.push(format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest)));
            rest = &after[end..];
        }
    }
    hashes.sort();
    hashes.dedup();
    hashes
}

/// The policy for `frame_ancestors` (origins like `https://dam.example.com`, already checked)
/// and the allowed inline import maps (`import_maps`, from [`import_map_hashes`]).
pub fn content_security_policy(frame_ancestors: &[String], import_maps: &[String]) -> String {
    let mut ancestors = vec!["'self'"];
    ancestors.extend(frame_ancestors.iter().map(String::as_str));
    let mut scripts = vec!["'self'", "'wasm-unsafe-eval'"];
    scripts.extend(import_maps.iter().map(String::as_str));
    [
        "default-src 'self'".to_owned(),
        format!("script-src {}", scripts.join(" ")),
        "style-src 'self'".to_owned(),
        "img-src 'self' blob: data:".to_owned(),
        "connect-src 'self'".to_owned(),
        "worker-src 'self'".to_owned(),
        "object-src 'none'".to_owned(),
        "base-uri 'none'".to_owned(),
        "form-action 'self'".to_owned(),
        format!("frame-ancestors {}", ancestors.join(" ")),
    ]
    .join("; ")
}

/// Adds the headers to every answer of `app` that does not set them itself; the pages are those
/// of `www_dir` (`None`: the embedded ones).
pub fn with_page_headers(app: Router, frame_ancestors: &[String], www_dir: Option<&Path>) -> Router {
    let policy = content_security_policy(frame_ancestors, &import_map_hashes(www_dir));
    let csp = HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; frame-ancestors 'self'"));
    let app = app.layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, csp)).layer(
        SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")),
    );
    if frame_ancestors.is_empty() {
        app.layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("SAMEORIGIN"),
        ))
    } else {
        app
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_only_the_own_origin_and_the_allowed_framers() {
        let policy = content_security_policy(&[], &[]);
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval';"), "{policy}");
        assert!(policy.ends_with("frame-ancestors 'self'"), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        let framed = content_security_policy(&["https://dam.example.com".to_owned()], &[]);
        assert!(framed.ends_with("frame-ancestors 'self' https://dam.example.com"), "{framed}");
    }

    #[test]
    fn the_import_maps_of_the_pages_are_allowed_by_their_hash_and_nothing_else_inline() {
        let www = tempfile::tempdir().unwrap();
        std::fs::create_dir(www.path().join("demo")).unwrap();
        let map = "\n    { \"imports\": { \"x\": \"./x.js\" } }\n  ";
        std::fs::write(
            www.path().join("demo/index.html"),
            format!("<head>{IMPORT_MAP_OPEN}{map}</script><script>alert(1)</script></head>"),
        )
        .unwrap();
        std::fs::write(www.path().join("index.html"), "<script type=\"module\" src=\"app.js\"></script>").unwrap();
        let expected =
            format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(map.as_bytes())));
        assert_eq!(import_map_hashes(Some(www.path())), [expected]);
    }
}
