//! The pages and modules the proxy serves (`www/`: the upload page, the admin page, the demo, the
//! browser module): embedded in the binary when it is built (rust-embed; `scripts/build.sh` makes
//! the browser module first, so a release binary carries everything), or read from a folder given
//! with `--www-dir` (development: edits show without a rebuild; the tests use it). Either way a
//! path with no file answers the upload page, and a folder without its trailing slash is
//! redirected to it. Embedded files carry their content type and an ETag (their SHA-256),
//! answered 304 when it matches.
//!
//! Written here rather than with a crate that serves rust-embed through axum: the ones found
//! (axum-embed, serve_embed) target older axum versions; this is rust-embed's own lookup plus
//! the three rules above.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tower_http::services::{ServeDir, ServeFile};

#[derive(rust_embed::Embed)]
#[folder = "../www"]
#[exclude = "pkg.tmp/*"]
struct Embedded;

/// What serves the pages: a folder, or the embedded copy (`None`).
pub fn service(www_dir: Option<&Path>) -> axum::routing::MethodRouter {
    match www_dir {
        Some(dir) => {
            axum::routing::get_service(ServeDir::new(dir).not_found_service(ServeFile::new(dir.join("index.html"))))
        }
        None => axum::routing::any(embedded),
    }
}

/// Whether the pages are there: the folder's or the embedded `index.html`.
pub fn has_index(www_dir: Option<&Path>) -> bool {
    match www_dir {
        Some(dir) => dir.join("index.html").is_file(),
        None => Embedded::get("index.html").is_some(),
    }
}

/// The HTML pages at the top and in the direct sub-folders, as text (for the CSP's import maps).
pub fn html_pages(www_dir: Option<&Path>) -> Vec<String> {
    let is_page = |path: &str| path.ends_with(".html") && path.matches('/').count() <= 1;
    match www_dir {
        Some(dir) => {
            let entries = |dir: &Path| -> Vec<PathBuf> {
                std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).collect()
            };
            let folders = std::iter::once(dir.to_owned()).chain(entries(dir).into_iter().filter(|p| p.is_dir()));
            folders
                .flat_map(|d| entries(&d))
                .filter(|p| p.extension().is_some_and(|e| e == "html"))
                .filter_map(|p| std::fs::read_to_string(p).ok())
                .collect()
        }
        None => Embedded::iter()
            .filter(|path| is_page(path))
            .filter_map(|path| Embedded::get(&path))
            .filter_map(|file| String::from_utf8(file.data.into_owned()).ok())
            .collect(),
    }
}

async fn embedded(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET, HEAD")]).into_response();
    }
    // Looked up decoded (as the folder's ServeDir does); redirected as the browser wrote it.
    let decoded = percent_encoding::percent_decode_str(uri.path()).decode_utf8_lossy();
    let path = decoded.trim_start_matches('/');
    let wanted = if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path.to_owned() };
    let file = match Embedded::get(&wanted) {
        Some(file) => file,
        None if Embedded::get(&format!("{path}/index.html")).is_some() => {
            let raw = uri.path().trim_start_matches('/');
            let location = match uri.query() {
                Some(query) => format!("/{raw}/?{query}"),
                None => format!("/{raw}/"),
            };
            return (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, location)]).into_response();
        }
        None => match Embedded::get("index.html") {
            Some(file) => file,
            None => return StatusCode::NOT_FOUND.into_response(),
        },
    };
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()));
    let content_type = HeaderValue::from_str(file.metadata.mimetype())
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let etag_value = HeaderValue::from_str(&etag).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*"));
    if matches {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]).into_response();
    }
    let length = file.data.len();
    let body = if method == Method::HEAD { Body::empty() } else { Body::from(file.data.into_owned()) };
    let mut response =
        (StatusCode::OK, [(header::CONTENT_TYPE, content_type), (header::ETAG, etag_value)], body).into_response();
    response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    response
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    async fn get(path: &str, if_none_match: Option<&str>) -> Response {
        let app = axum::Router::new().fallback_service(service(None));
        let mut request = axum::http::Request::get(path);
        if let Some(tag) = if_none_match {
            request = request.header(header::IF_NONE_MATCH, tag);
        }
        app.oneshot(request.body(Body::empty()).unwrap()).await.unwrap()
    }

    async fn text(response: Response) -> String {
        String::from_utf8(axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap()
    }

    #[tokio::test]
    async fn the_embedded_pages_answer_like_the_folder() {
        let index = get("/", None).await;
        assert_eq!(index.status(), StatusCode::OK);
        assert_eq!(index.headers()[header::CONTENT_TYPE], "text/html");
        let etag = index.headers()[header::ETAG].to_str().unwrap().to_owned();
        let page = text(index).await;
        assert_eq!(page, std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../www/index.html")).unwrap());
        // Unchanged since: 304, no body.
        let again = get("/index.html", Some(&etag)).await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert!(text(again).await.is_empty());
        // Modules and styles with their types.
        let worker = get("/worker.js", None).await;
        assert!(worker.headers()[header::CONTENT_TYPE].to_str().unwrap().contains("javascript"));
        assert_eq!(get("/admin.css", None).await.headers()[header::CONTENT_TYPE], "text/css");
        // A folder without its slash is redirected; a path with no file gets the upload page.
        let demo = get("/demo", None).await;
        assert_eq!(demo.status(), StatusCode::TEMPORARY_REDIRECT);
        assert_eq!(demo.headers()[header::LOCATION], "/demo/");
        assert_eq!(get("/demo?asset=a%20b", None).await.headers()[header::LOCATION], "/demo/?asset=a%20b");
        // Percent-encoded paths are looked up decoded.
        assert_eq!(get("/admin%2Ecss", None).await.headers()[header::CONTENT_TYPE], "text/css");
        assert_eq!(text(get("/no/such/page", None).await).await, page);
        // Only GET and HEAD.
        let app = axum::Router::new().fallback_service(service(None));
        let post = app.oneshot(axum::http::Request::post("/").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
    }

    #[test]
    fn the_embedded_pages_and_the_folder_give_the_same_html() {
        let folder = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../www"));
        let mut from_folder = html_pages(Some(folder));
        let mut embedded = html_pages(None);
        from_folder.sort();
        embedded.sort();
        assert!(!embedded.is_empty());
        assert_eq!(embedded, from_folder);
        assert!(has_index(None));
    }
}
