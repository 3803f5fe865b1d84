//! What every request passes on its way in and out ([`track_requests`]): its request id, its
//! metrics and its access log line.
//!
//! **Request ids.** A request keeps the `x-request-id` its caller sent when that is 1–64 ASCII
//! letters, digits, `-`, `_` or `.` (so the proxy's id reaches the service's log, and a DAM's own
//! id reaches both); otherwise it gets a new one: 16 hex digits. The id is answered in
//! `x-request-id` and is the task-local [`request_id`] while the request is served, which error
//! bodies carry and the proxy sends on to the service.
//!
//! **Metrics.** `http_requests_total{server,route,method,status}` and
//! `http_request_duration_seconds{server,route,method}` (arrival to response head). Labels are
//! bounded: the route is the template axum matched (`/v1/training/jobs/{id}`, `unmatched` for
//! none) and unknown methods are `other`.
//!
//! **Access log.** One line per request at `info`, target `smart_tags::request`: request id,
//! server, method, route, path (never the query: it may carry ids a log need not keep), status
//! and milliseconds.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

/// The header that carries a request's id both ways.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Longest request id taken from a caller.
const MAX_ID_LENGTH: usize = 64;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The `server` label and log field of a server: `proxy`, `service`.
#[derive(Debug, Clone, Copy)]
pub struct Server(pub &'static str);

/// The id of the request this task serves; a new one outside a request (a background task).
pub fn request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_else(|_| new_request_id())
}

/// A new request id: 16 hex digits, unique within the process and unlikely to repeat across
/// restarts (the clock's nanoseconds, then a counter).
pub fn new_request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("{:08x}{:08x}", nanos, n as u32)
}

/// The caller's id when it is a sane one.
fn callers_id(request: &Request) -> Option<String> {
    let value = request.headers().get(&REQUEST_ID_HEADER)?.to_str().ok()?;
    let sane = !value.is_empty()
        && value.len() <= MAX_ID_LENGTH
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    sane.then(|| value.to_owned())
}

/// Axum middleware (`from_fn_with_state(Server("proxy"), track_requests)`, added with
/// `Router::layer` so the matched route is known): the request's id, metrics and log line.
pub async fn track_requests(State(server): State<Server>, request: Request, next: Next) -> Response {
    let id = callers_id(&request).unwrap_or_else(new_request_id);
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let method = method_label(request.method());
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let mut response = REQUEST_ID.scope(id.clone(), next.run(request)).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    ::metrics::counter!("http_requests_total", "server" => server.0, "route" => route.clone(), "method" => method, "status" => status.to_string()).increment(1);
    ::metrics::histogram!("http_request_duration_seconds", "server" => server.0, "route" => route.clone(), "method" => method).record(elapsed.as_secs_f64());
    let ms = (elapsed.as_secs_f64() * 1e6).round() / 1e3;
    tracing::info!(target: "smart_tags::request", request_id = %id, server = server.0, method, route = %route, path = %path, status, ms, "request");
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// The method as a label: the standard ones by name, anything else `other`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use crate::*;
    use axum::body::{to_bytes, Body};
    use axum::http::StatusCode;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    async fn call(router: &Router, method: &str, uri: &str) -> (StatusCode, String) {
        let request = axum::http::Request::builder().method(method).uri(uri).body(Body::empty()).unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        (status, String::from_utf8(to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap())
    }

    async fn answered_id(router: &Router, sent: Option<&str>) -> (String, String) {
        let mut request = axum::http::Request::builder().uri("/whoami");
        if let Some(sent) = sent {
            request = request.header("x-request-id", sent);
        }
        let response = router.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
        let header = response.headers().get("x-request-id").unwrap().to_str().unwrap().to_owned();
        (header, String::from_utf8(to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap())
    }

    #[tokio::test]
    async fn a_request_keeps_a_sane_callers_id_and_its_handler_sees_the_id_it_answers() {
        let router = Router::new()
            .route("/whoami", get(|| async { request_id() }))
            .layer(axum::middleware::from_fn_with_state(Server("test"), track_requests));
        assert_eq!(
            answered_id(&router, Some("dam-job-7.item_3")).await,
            ("dam-job-7.item_3".to_owned(), "dam-job-7.item_3".to_owned())
        );
        for insane in ["", "has space", "quote\"d", "ünïcode", &"x".repeat(65)] {
            let (header, seen) = answered_id(&router, Some(insane)).await;
            assert!(header.len() == 16 && header.bytes().all(|b| b.is_ascii_hexdigit()), "{insane:?} -> {header}");
            assert_eq!(seen, header);
        }
        let (first, _) = answered_id(&router, None).await;
        let (second, _) = answered_id(&router, None).await;
        assert_ne!(first, second);
        // Outside a request: a fresh id each time.
        assert_ne!(request_id(), request_id());
    }

    fn line<'a>(text: &'a str, starts: &str) -> Option<&'a str> {
        text.lines().find(|l| l.starts_with(starts))
    }

    #[tokio::test]
    async fn requests_are_counted_by_route_template_and_timed_in_buckets() {
        install().expect("the first recorder");
        let router = Router::new()
            .route("/things/{id}", get(|| async { "a thing" }))
            .route("/metrics", get(exposition))
            .layer(axum::middleware::from_fn_with_state(Server("test"), track_requests));
        for id in ["1", "2", "3"] {
            assert_eq!(call(&router, "GET", &format!("/things/{id}")).await.0, StatusCode::OK);
        }
        assert_eq!(call(&router, "GET", "/nothing/here").await.0, StatusCode::NOT_FOUND);
        assert_eq!(call(&router, "BREW", "/things/4").await.0, StatusCode::METHOD_NOT_ALLOWED);
        let (status, text) = call(&router, "GET", "/metrics").await;
        assert_eq!(status, StatusCode::OK);
        let count = r#"http_requests_total{server="test",route="/things/{id}",method="GET",status="200"} "#;
        assert_eq!(line(&text, count), Some(format!("{count}3").as_str()), "{text}");
        assert!(
            line(&text, r#"http_requests_total{server="test",route="unmatched",method="GET",status="404"} 1"#)
                .is_some(),
            "{text}"
        );
        assert!(
            line(&text, r#"http_requests_total{server="test",route="/things/{id}",method="other",status="405"} 1"#)
                .is_some(),
            "{text}"
        );
        let inf = r#"http_request_duration_seconds_bucket{server="test",route="/things/{id}",method="GET",le="+Inf"} "#;
        assert_eq!(line(&text, inf), Some(format!("{inf}3").as_str()), "{text}");
        assert!(
            line(
                &text,
                r#"http_request_duration_seconds_bucket{server="test",route="/things/{id}",method="GET",le="0.001"}"#
            )
            .is_some(),
            "{text}"
        );
        assert!(text.contains("# TYPE http_request_duration_seconds histogram"), "{text}");
        assert!(text.contains("# HELP http_requests_total "), "{text}");
        // A second install shares the recorder.
        assert!(install().is_some());
    }
}
