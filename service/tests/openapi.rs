//! The OpenAPI document (`service/openapi.json`, served at `GET /v1/openapi.json`) checked four
//! ways, without the model:
//! 1. against the router: exactly the routes of `app()`, `training_routes()`, `auth_routes()` and
//!    `store_routes()` in `src/lib.rs` (a list kept here, itself checked against the source of
//!    lib.rs), each with its actor header;
//! 2. structurally: OpenAPI 3.1, every `$ref` resolves, path parameters match their templates,
//!    unique operation ids, error answers use the shared `Error` schema, schema keywords are ones
//!    this file knows, and every schema example fits its schema;
//! 3. against real answers of the store routes and of the authorization server's routes (a real
//!    SQLite file): each status, content type and `x-smart-tags-*` header is documented, and each
//!    JSON body fits its documented schema;
//! 4. the training routes need the image model, so their answers are checked as the values their
//!    handlers serialize: a real store's tag models, examples, jobs and versions, a real lint and
//!    training run on synthetic embeddings, and the store's errors as the service answers them.
//!
//! The schema check below is a small JSON Schema subset (types, properties, required,
//! additionalProperties, items, enum, const, allOf/anyOf/oneOf, bounds); it ignores `pattern` and
//! `format`. The document was also checked with openapi-spec-validator when written.

// Test code: a failed unwrap is a failed test, helpers included.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use smart_tags_service::routes::openapi::DOCUMENT;
use smart_tags_service::{open_store, store_routes};
use tower::ServiceExt;

/// Every route of the router, as written in `src/lib.rs` (`app()`, the `training_routes()` it
/// merges, `auth_routes()`, then `store_routes()`), and whether its handler takes the
/// `x-smart-tags-actor` header.
const ROUTES: &[(&str, &str, bool)] = &[
    ("GET", "/healthz", false),
    ("GET", "/metrics", false),
    ("POST", "/v1/predict", false),
    ("POST", "/v1/assets/tag", false),
    ("GET", "/v1/assets", false),
    ("POST", "/v1/assets/moderation", true),
    ("POST", "/v1/assets/retag", false),
    ("GET", "/v1/assets/similar", false),
    ("POST", "/v1/assets/similar", false),
    ("GET", "/v1/assets/duplicates", false),
    ("GET", "/v1/assets/search", false),
    ("GET", "/v1/taxonomy/suggest", false),
    ("GET", "/v1/links", false),
    ("POST", "/v1/links", true),
    ("POST", "/v1/links/preview", false),
    ("GET", "/v1/concepts", false),
    ("GET", "/v1/scenes", false),
    ("GET", "/v1/openapi.json", false),
    ("GET", "/v1/training/models", false),
    ("POST", "/v1/training/models/import", false),
    ("PUT", "/v1/training/models/{name}", false),
    ("DELETE", "/v1/training/models/{name}", false),
    ("GET", "/v1/training/models/{name}/lint", false),
    ("POST", "/v1/training/models/{name}/train", false),
    ("POST", "/v1/training/models/{name}/deactivate", false),
    ("GET", "/v1/training/models/{name}/versions", false),
    ("DELETE", "/v1/training/models/{name}/versions/{version}", false),
    ("POST", "/v1/training/models/{name}/versions/{version}/activate", false),
    ("GET", "/v1/training/models/{name}/versions/{version}/export", false),
    ("GET", "/v1/training/jobs/{id}", false),
    ("POST", "/v1/training/jobs/{id}/cancel", false),
    ("GET", "/v1/training/examples", false),
    ("DELETE", "/v1/training/examples", false),
    ("POST", "/v1/training/examples/import", false),
    ("GET", "/v1/auth/check", false),
    ("POST", "/ims/exchange/jwt", false),
    ("POST", "/ims/token/v3", false),
    ("GET", "/console/integrations", false),
    ("POST", "/console/integrations", false),
    ("GET", "/console/integrations/{client_id}", false),
    ("POST", "/console/integrations/{client_id}/certificates", false),
    ("DELETE", "/console/integrations/{client_id}/certificates/{certificate_id}", false),
    ("POST", "/console/integrations/{client_id}/secret", false),
    ("POST", "/console/integrations/{client_id}/certificate-token", false),
    ("POST", "/console/integrations/{client_id}/revoke", false),
    ("GET", "/v1/taxonomy", false),
    ("PUT", "/v1/taxonomy", true),
    ("POST", "/v1/taxonomy/tags", true),
    ("GET", "/v1/taxonomy/tags/{*id}", false),
    ("PATCH", "/v1/taxonomy/tags/{*id}", true),
    ("DELETE", "/v1/taxonomy/tags/{*id}", true),
    ("POST", "/v1/taxonomy/move", true),
    ("GET", "/v1/taxonomy/changes", false),
    ("GET", "/v1/taxonomy/relinking", false),
    ("GET", "/v1/settings/thresholds", false),
    ("PUT", "/v1/settings/thresholds", true),
    ("POST", "/v1/settings/thresholds/preview", false),
    ("GET", "/v1/workflow", false),
    ("PUT", "/v1/workflow", true),
    ("GET", "/v1/folders", false),
    ("PUT", "/v1/folders", true),
    ("GET", "/v1/folders/resolve", false),
    ("GET", "/v1/assets/list", false),
];

/// The routes served by `store_routes()` alone (the rest need the model).
const STORE_ROUTE_PREFIXES: &[&str] =
    &["/v1/taxonomy", "/v1/settings", "/v1/workflow", "/v1/folders", "/v1/assets/list"];

const HTTP_METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

fn document() -> Value {
    serde_json::from_str(DOCUMENT).expect("service/openapi.json is valid JSON")
}

/// A router path in OpenAPI's form: `{*id}` (the rest of the path) is written `{id}`.
fn openapi_path(router_path: &str) -> String {
    router_path.replace("{*", "{")
}

fn is_store_route(path: &str) -> bool {
    STORE_ROUTE_PREFIXES.iter().any(|p| path.starts_with(p))
        && path != "/v1/taxonomy/suggest"
        && path != "/v1/settings/thresholds/preview" // needs the mapping cache of the whole app
        && path != "/v1/taxonomy/relinking" // needs the smart-tag engine's relinker
}

/// Follows a local `$ref` (`#/components/...`), repeatedly.
fn resolve<'a>(root: &'a Value, mut value: &'a Value) -> &'a Value {
    while let Some(reference) = value.get("$ref").and_then(Value::as_str) {
        let pointer = reference.strip_prefix('#').unwrap_or_else(|| panic!("non-local $ref {reference}"));
        value = root.pointer(pointer).unwrap_or_else(|| panic!("dangling $ref {reference}"));
    }
    value
}

fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if HTTP_METHODS.contains(&method.as_str()) {
                found.push((method.to_uppercase(), path.clone(), operation));
            }
        }
    }
    found
}

/// The parameters of an operation, path-level ones included, resolved.
fn parameters<'a>(doc: &'a Value, path: &str, operation: &'a Value) -> Vec<&'a Value> {
    let path_level = doc["paths"][path]["parameters"].as_array().into_iter().flatten();
    let own = operation["parameters"].as_array().into_iter().flatten();
    path_level.chain(own).map(|p| resolve(doc, p)).collect()
}

// ---- 1. the router --------------------------------------------------------------------------

#[test]
fn is_openapi_3_1_with_the_service_info() {
    let doc = document();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    assert_eq!(doc["info"]["title"], "Smart Tags tagging service");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(doc["info"]["description"].as_str().unwrap().contains("loopback only"));
    assert_eq!(
        doc["servers"],
        json!([{ "url": "http://127.0.0.1:7701", "description": "The default listen address (loopback only)." }])
    );
}

#[test]
fn documents_exactly_the_routes_of_the_router() {
    let doc = document();
    let listed: BTreeSet<(String, String)> =
        ROUTES.iter().map(|(m, p, _)| ((*m).to_owned(), openapi_path(p))).collect();
    assert_eq!(listed.len(), ROUTES.len(), "a route is listed twice");
    let documented: BTreeSet<(String, String)> = operations(&doc).into_iter().map(|(m, p, _)| (m, p)).collect();
    let undocumented: Vec<_> = listed.difference(&documented).collect();
    assert!(undocumented.is_empty(), "routes missing from openapi.json: {undocumented:?}");
    let unknown: Vec<_> = documented.difference(&listed).collect();
    assert!(unknown.is_empty(), "openapi.json documents routes the router lacks: {unknown:?}");
}

/// The `.route("path", get(..).post(..))` calls of `src/lib.rs`, read from its source: every
/// one in the file, those of `training_routes()` included (a test below checks that `app()`
/// merges it).
fn routes_in_lib_rs() -> BTreeSet<(String, String)> {
    let source = include_str!("../src/lib.rs");
    let mut routes = BTreeSet::new();
    let mut rest = source;
    while let Some(start) = rest.find(".route(") {
        let call = &rest[start + ".route(".len()..];
        let mut depth = 1;
        let end = call
            .char_indices()
            .find_map(|(i, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                (depth == 0).then_some(i)
            })
            .unwrap();
        let call = &call[..end];
        let path = call.split('"').nth(1).unwrap();
        for method in ["get", "post", "put", "patch", "delete"] {
            let needle = format!("{method}(");
            // A method call, not the end of a longer name (`DefaultBodyLimit::max(`,
            // `delete_model::delete_model(`); a path to the routing function is one
            // (`axum::routing::put(`).
            let starts_a_name = |i: usize| {
                i == 0
                    || call[..i].ends_with("routing::")
                    || !(call.as_bytes()[i - 1].is_ascii_alphanumeric()
                        || matches!(call.as_bytes()[i - 1], b'_' | b':'))
            };
            if call.match_indices(&needle).any(|(i, _)| starts_a_name(i)) {
                routes.insert((method.to_uppercase(), path.to_owned()));
            }
        }
        rest = &rest[start + 1..];
    }
    routes
}

#[test]
fn the_route_list_is_the_one_in_lib_rs() {
    let listed: BTreeSet<(String, String)> =
        ROUTES.iter().map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned())).collect();
    assert_eq!(routes_in_lib_rs(), listed, "update ROUTES (and openapi.json) after changing the router");
    // The routes of `training_routes()` are read from the file as well: they are served only
    // when `app()` merges them.
    let source = include_str!("../src/lib.rs");
    assert!(
        source.contains("fn training_routes() -> Router<Arc<AppState>>"),
        "training_routes() moved: update this test"
    );
    assert!(source.contains(".merge(training_routes())"), "app() no longer merges training_routes()");
}

#[tokio::test]
async fn the_store_routes_of_the_list_exist() {
    let api = api();
    for (method, path, _) in ROUTES.iter().filter(|(_, p, _)| is_store_route(p)) {
        let uri = path.replace("{*id}", "demo:nothing/here");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let answer = api.send(method.clone(), &uri, None, Vec::new()).await;
        // The router's own 404 and 405 have empty bodies; the handlers always answer a body.
        assert!(
            answer.status != StatusCode::METHOD_NOT_ALLOWED && !answer.bytes.is_empty(),
            "{method} {uri}: {}",
            answer.status
        );
    }
}

#[test]
fn actor_header_where_the_handler_reads_it() {
    let doc = document();
    for (method, path, takes_actor) in ROUTES {
        let path = openapi_path(path);
        let operation = &doc["paths"][&path][method.to_lowercase()];
        let has_actor =
            parameters(&doc, &path, operation).iter().any(|p| p["in"] == "header" && p["name"] == "x-smart-tags-actor");
        assert_eq!(has_actor, *takes_actor, "{method} {path}: x-smart-tags-actor");
    }
}

// ---- 2. structure ---------------------------------------------------------------------------

fn collect_refs<'a>(value: &'a Value, at: String, out: &mut Vec<(String, &'a str)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref" {
                    if let Some(r) = child.as_str() {
                        out.push((at.clone(), r));
                    }
                }
                collect_refs(child, format!("{at}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_refs(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_ref_points_at_an_existing_component() {
    let doc = document();
    let mut refs = Vec::new();
    collect_refs(&doc, String::new(), &mut refs);
    assert!(refs.len() > 50, "{} refs", refs.len());
    for (at, reference) in &refs {
        let pointer =
            reference.strip_prefix("#/components/").unwrap_or_else(|| panic!("{at}: {reference} is not a component"));
        assert_eq!(pointer.split('/').count(), 2, "{at}: {reference}");
        assert!(doc.pointer(&reference[1..]).is_some(), "{at}: dangling {reference}");
    }
    // Discriminator mappings are references too.
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        for target in
            schema["discriminator"]["mapping"].as_object().into_iter().flatten().map(|(_, t)| t.as_str().unwrap())
        {
            assert!(doc.pointer(&target[1..]).is_some(), "{name}: dangling mapping {target}");
        }
    }
}

#[test]
fn operations_are_well_formed() {
    let doc = document();
    let mut ids = BTreeSet::new();
    for (method, path, operation) in operations(&doc) {
        let what = format!("{method} {path}");
        let id = operation["operationId"].as_str().unwrap_or_else(|| panic!("{what}: no operationId"));
        assert!(ids.insert(id.to_owned()), "{what}: operationId {id} twice");
        assert!(operation["summary"].as_str().is_some_and(|s| !s.is_empty()), "{what}: no summary");

        // Path parameters: exactly the template's, required.
        let in_template: BTreeSet<&str> = path.split('{').skip(1).map(|s| s.split('}').next().unwrap()).collect();
        let params = parameters(&doc, &path, operation);
        let declared: BTreeSet<&str> =
            params.iter().filter(|p| p["in"] == "path").map(|p| p["name"].as_str().unwrap()).collect();
        assert_eq!(in_template, declared, "{what}: path parameters");
        for param in &params {
            assert!(["path", "query", "header"].contains(&param["in"].as_str().unwrap()), "{what}: {param}");
            assert!(param["in"] != "path" || param["required"] == true, "{what}: path parameter not required");
            assert!(param["schema"].is_object(), "{what}: parameter without a schema");
        }

        // Responses: real status codes, a success, and errors in the shared shape.
        let responses = operation["responses"].as_object().unwrap_or_else(|| panic!("{what}: no responses"));
        assert!(responses.keys().any(|s| s.starts_with('2')), "{what}: no success answer");
        for (status, response) in responses {
            let code: u16 = status.parse().unwrap_or_else(|_| panic!("{what}: status {status}"));
            assert!((200..600).contains(&code), "{what}: status {status}");
            let response = resolve(&doc, response);
            assert!(response["description"].as_str().is_some_and(|d| !d.is_empty()), "{what} {status}: no description");
            if code >= 400 {
                // Our errors are the Error shape (IMS errors on the token endpoints); a few
                // framework rejections are plain text.
                let content = response["content"].as_object().unwrap_or_else(|| panic!("{what} {status}: no content"));
                let error_schema = if path.starts_with("/ims/") {
                    "#/components/schemas/ImsError"
                } else {
                    "#/components/schemas/Error"
                };
                for (media, body) in content {
                    match media.as_str() {
                        "application/json" => assert_eq!(
                            body["schema"]["$ref"], error_schema,
                            "{what} {status}: errors use the {error_schema} schema"
                        ),
                        "text/plain" => {}
                        other => panic!("{what} {status}: error as {other}"),
                    }
                }
            }
        }
        let has = |status: &str| responses.contains_key(status);
        let body_types: Vec<&String> =
            operation["requestBody"]["content"].as_object().into_iter().flat_map(|c| c.keys()).collect();
        if body_types == ["application/json"] {
            // A required JSON body is read by the JSON extractor, which checks the content type;
            // an optional one (the train route's) is read as it comes.
            if operation["requestBody"]["required"] == true {
                assert!(has("400") && has("413") && has("415"), "{what}: a JSON body answers 400, 413 and 415");
            } else {
                assert!(has("400") && has("413"), "{what}: an optional JSON body answers 400 and 413");
            }
        }
        if parameters(&doc, &path, operation).iter().any(|p| p["name"] == "x-smart-tags-actor") {
            assert!(has("400"), "{what}: a bad actor header is a 400");
        }
    }
}

/// Keywords the schemas may use: checked by [`check`], or annotations it may ignore.
const SCHEMA_KEYWORDS: &[&str] = &[
    "$ref",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "propertyNames",
    "items",
    "enum",
    "const",
    "allOf",
    "anyOf",
    "oneOf",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "maxItems",
    "maxProperties",
    "description",
    "examples",
    "default",
    "pattern",
    "format",
    "discriminator",
    "contentMediaType",
];

/// Every schema object of the document: components, parameters, headers, bodies.
fn visit_schemas<'a>(value: &'a Value, at: &str, out: &mut Vec<(String, &'a Value)>) {
    fn walk<'a>(schema: &'a Value, at: String, out: &mut Vec<(String, &'a Value)>) {
        let Some(map) = schema.as_object() else { return };
        out.push((at.clone(), schema));
        for (key, child) in map {
            match key.as_str() {
                "properties" => {
                    child.as_object().unwrap().iter().for_each(|(k, v)| walk(v, format!("{at}/properties/{k}"), out))
                }
                "allOf" | "anyOf" | "oneOf" => child
                    .as_array()
                    .unwrap()
                    .iter()
                    .enumerate()
                    .for_each(|(i, v)| walk(v, format!("{at}/{key}/{i}"), out)),
                "items" | "additionalProperties" | "propertyNames" => walk(child, format!("{at}/{key}"), out),
                _ => {}
            }
        }
    }
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "schema" {
                    walk(child, format!("{at}/schema"), out);
                } else if at == "/components/schemas" {
                    walk(child, format!("{at}/{key}"), out);
                } else {
                    visit_schemas(child, &format!("{at}/{key}"), out);
                }
            }
        }
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| visit_schemas(v, &format!("{at}/{i}"), out)),
        _ => {}
    }
}

#[test]
fn schemas_use_known_keywords_and_their_examples_fit() {
    let doc = document();
    let mut schemas = Vec::new();
    visit_schemas(&doc, "", &mut schemas);
    assert!(schemas.len() > 100, "{} schemas", schemas.len());
    for (at, schema) in &schemas {
        for key in schema.as_object().unwrap().keys() {
            assert!(SCHEMA_KEYWORDS.contains(&key.as_str()), "{at}: unknown schema keyword {key}");
        }
        for example in schema["examples"].as_array().into_iter().flatten() {
            let problems = problems(&doc, schema, example);
            assert!(problems.is_empty(), "{at}: example {example} does not fit: {problems:?}");
        }
        if let Some(default) = schema.get("default") {
            let problems = problems(&doc, schema, default);
            assert!(problems.is_empty(), "{at}: default {default} does not fit: {problems:?}");
        }
    }
    // Every component schema is used somewhere.
    let mut refs = Vec::new();
    collect_refs(&doc, String::new(), &mut refs);
    let used: BTreeSet<&str> = refs.iter().map(|(_, r)| *r).collect();
    for name in doc["components"]["schemas"].as_object().unwrap().keys() {
        assert!(used.contains(format!("#/components/schemas/{name}").as_str()), "schema {name} is never used");
    }
}

// ---- the schema check -------------------------------------------------------------------------

fn has_type(value: &Value, kind: &str) -> bool {
    match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0),
        other => panic!("unknown type {other}"),
    }
}

/// What is wrong with `value` under `schema` (empty when it fits).
fn problems(root: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    check(root, schema, value, "$", &mut found);
    found
}

fn check(root: &Value, schema: &Value, value: &Value, at: &str, found: &mut Vec<String>) {
    if let Some(fits) = schema.as_bool() {
        if !fits {
            found.push(format!("{at}: nothing is allowed here"));
        }
        return;
    }
    if schema.get("$ref").is_some() {
        check(root, resolve(root, schema), value, at, found);
    }
    if let Some(kinds) = schema.get("type") {
        let kinds: Vec<&str> = match kinds {
            Value::String(kind) => vec![kind],
            other => other.as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect(),
        };
        if !kinds.iter().any(|k| has_type(value, k)) {
            found.push(format!("{at}: {value} is not {kinds:?}"));
            return;
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            found.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    if let Some(constant) = schema.get("const") {
        if constant != value {
            found.push(format!("{at}: {value} is not {constant}"));
        }
    }
    for sub in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        check(root, sub, value, at, found);
    }
    let fitting = |subs: &Vec<Value>| subs.iter().filter(|s| problems(root, s, value).is_empty()).count();
    if let Some(subs) = schema.get("anyOf").and_then(Value::as_array) {
        if fitting(subs) == 0 {
            found.push(format!("{at}: {value} fits none of anyOf"));
        }
    }
    if let Some(subs) = schema.get("oneOf").and_then(Value::as_array) {
        let n = fitting(subs);
        if n != 1 {
            found.push(format!("{at}: {value} fits {n} of oneOf"));
        }
    }
    if let Some(number) = value.as_f64() {
        if schema.get("minimum").and_then(Value::as_f64).is_some_and(|min| number < min) {
            found.push(format!("{at}: {value} is below the minimum"));
        }
        if schema.get("maximum").and_then(Value::as_f64).is_some_and(|max| number > max) {
            found.push(format!("{at}: {value} is above the maximum"));
        }
        if schema.get("exclusiveMinimum").and_then(Value::as_f64).is_some_and(|min| number <= min) {
            found.push(format!("{at}: {value} is not above the exclusive minimum"));
        }
        if schema.get("exclusiveMaximum").and_then(Value::as_f64).is_some_and(|max| number >= max) {
            found.push(format!("{at}: {value} is not below the exclusive maximum"));
        }
    }
    if let Some(text) = value.as_str() {
        let chars = text.chars().count() as u64;
        if schema.get("minLength").and_then(Value::as_u64).is_some_and(|min| chars < min) {
            found.push(format!("{at}: {value} is too short"));
        }
        if schema.get("maxLength").and_then(Value::as_u64).is_some_and(|max| chars > max) {
            found.push(format!("{at}: {value} is too long"));
        }
    }
    if let Some(items) = value.as_array() {
        if schema.get("maxItems").and_then(Value::as_u64).is_some_and(|max| items.len() as u64 > max) {
            found.push(format!("{at}: too many items"));
        }
        if let Some(item_schema) = schema.get("items") {
            for (i, item) in items.iter().enumerate() {
                check(root, item_schema, item, &format!("{at}[{i}]"), found);
            }
        }
    }
    if let Some(object) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        for name in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            if !object.contains_key(name.as_str().unwrap()) {
                found.push(format!("{at}: missing {name}"));
            }
        }
        if schema.get("maxProperties").and_then(Value::as_u64).is_some_and(|max| object.len() as u64 > max) {
            found.push(format!("{at}: too many properties"));
        }
        for (key, child) in object {
            let child_at = format!("{at}.{key}");
            if let Some(names) = schema.get("propertyNames") {
                check(root, names, &Value::String(key.clone()), &format!("{child_at} (name)"), found);
            }
            match (properties.and_then(|p| p.get(key)), schema.get("additionalProperties")) {
                (Some(property), _) => check(root, property, child, &child_at, found),
                (None, Some(additional)) => check(root, additional, child, &child_at, found),
                (None, None) => {}
            }
        }
    }
}

// ---- 3. real answers of the store routes --------------------------------------------------------

struct Api {
    _dir: tempfile::TempDir,
    store: Arc<smart_tags_service::store::Store>,
    router: Router,
    doc: Value,
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    bytes: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.bytes)))
    }
}

fn api() -> Api {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open_store(&dir.path().join("data")).unwrap());
    Api { router: store_routes(Arc::clone(&store)), store, _dir: dir, doc: document() }
}

impl Api {
    async fn send(&self, method: Method, uri: &str, content_type: Option<&str>, body: Vec<u8>) -> Answer {
        let mut request = Request::builder().method(method).uri(uri).header("x-smart-tags-actor", "openapi-test");
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = self.router.clone().oneshot(request.body(Body::from(body)).unwrap()).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec();
        Answer { status, headers, bytes }
    }

    /// Sends a request and checks the answer against the document: `path` is the documented
    /// path (template) the request goes to.
    async fn call(&self, method: Method, path: &str, uri: &str, content_type: Option<&str>, body: Vec<u8>) -> Answer {
        let answer = self.send(method.clone(), uri, content_type, body).await;
        self.assert_documented(method.as_str(), path, uri, &answer);
        answer
    }

    /// Like [`Api::call`], for a request built by hand.
    async fn call_request(&self, path: &str, request: Request<Body>) -> Answer {
        let (method, uri) = (request.method().to_string(), request.uri().to_string());
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec();
        let answer = Answer { status, headers, bytes };
        self.assert_documented(&method, path, &uri, &answer);
        answer
    }

    async fn call_json(&self, method: Method, path: &str, uri: &str, body: &Value) -> Answer {
        self.call(method, path, uri, Some("application/json"), body.to_string().into_bytes()).await
    }

    async fn get(&self, path: &str, uri: &str) -> Answer {
        self.call(Method::GET, path, uri, None, Vec::new()).await
    }

    fn assert_documented(&self, method: &str, path: &str, uri: &str, answer: &Answer) {
        let doc = &self.doc;
        let what = format!("{method} {uri} -> {}", answer.status);
        let operation = &doc["paths"][path][method.to_lowercase()];
        assert!(operation.is_object(), "{what}: {method} {path} is not documented");
        let response = operation["responses"]
            .get(answer.status.as_str())
            .unwrap_or_else(|| panic!("{what}: status not documented"));
        let response = resolve(doc, response);

        let content_type = answer
            .headers
            .get("content-type")
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().trim().to_owned());
        let content_type = content_type.unwrap_or_else(|| panic!("{what}: no content-type"));
        let media = &response["content"][&content_type];
        assert!(media.is_object(), "{what}: content type {content_type} not documented");
        if content_type == "application/json" {
            let body = answer.json();
            let problems = problems(doc, &media["schema"], &body);
            assert!(problems.is_empty(), "{what}: the body does not fit the document:\n{problems:#?}\n{body:#}");
        }

        let documented: BTreeSet<String> =
            response["headers"].as_object().into_iter().flatten().map(|(name, _)| name.to_lowercase()).collect();
        for name in &documented {
            // The links header needs the smart-tag engine, which these tests do not load.
            if name != "x-smart-tags-links" {
                assert!(answer.headers.contains_key(name.as_str()), "{what}: documented header {name} is missing");
            }
        }
        for name in answer.headers.keys().map(|n| n.as_str()).filter(|n| n.starts_with("x-smart-tags-")) {
            assert!(documented.contains(name), "{what}: header {name} is not documented");
        }
    }
}

fn assert_code(answer: &Answer, code: &str) {
    assert_eq!(answer.json()["code"], code, "{}", String::from_utf8_lossy(&answer.bytes));
}

#[tokio::test]
async fn store_route_answers_fit_the_document() {
    let api = api();
    let tags = "/v1/taxonomy/tags";
    let tag = "/v1/taxonomy/tags/{id}";

    // Settings.
    let thresholds = api.get("/v1/settings/thresholds", "/v1/settings/thresholds").await;
    assert_eq!(thresholds.status, StatusCode::OK);
    assert_eq!(thresholds.headers["x-smart-tags-settings-version"], "0");
    let put = api
        .call_json(
            Method::PUT,
            "/v1/settings/thresholds",
            "/v1/settings/thresholds",
            &json!({ "min_confidence": 0.4, "per_tag": { "demo:animals": 0.2 } }),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK);
    assert_eq!(put.headers["x-smart-tags-settings-version"], "1");
    let bad = api
        .call_json(Method::PUT, "/v1/settings/thresholds", "/v1/settings/thresholds", &json!({ "max_tags": 0 }))
        .await;
    assert_code(&bad, "bad_input");
    let unknown_field = api
        .call_json(Method::PUT, "/v1/settings/thresholds", "/v1/settings/thresholds", &json!({ "maximum": 3 }))
        .await;
    assert_code(&unknown_field, "bad_input");
    let no_type =
        api.call(Method::PUT, "/v1/settings/thresholds", "/v1/settings/thresholds", None, b"{}".to_vec()).await;
    assert_code(&no_type, "unsupported_format");

    // Import in every format, then export in every format.
    let csv = include_str!("../../taxonomies/demo.csv");
    let imported = api
        .call(Method::PUT, "/v1/taxonomy", "/v1/taxonomy?format=csv", Some("text/csv"), csv.as_bytes().to_vec())
        .await;
    assert_eq!(imported.status, StatusCode::OK);
    assert_eq!(imported.json()["added"], 52);
    let ttl = include_str!("../../taxonomies/demo.ttl");
    let merged = api
        .call(
            Method::PUT,
            "/v1/taxonomy",
            "/v1/taxonomy?format=skos&mode=merge",
            Some("text/turtle"),
            ttl.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(merged.status, StatusCode::OK);
    let exported = api.get("/v1/taxonomy", "/v1/taxonomy").await;
    assert_eq!(exported.status, StatusCode::OK);
    let reimported = api
        .call(Method::PUT, "/v1/taxonomy", "/v1/taxonomy?format=json", Some("application/json"), exported.bytes.clone())
        .await;
    assert_eq!(reimported.json()["unchanged"], 52);
    for format in ["csv", "skos"] {
        let answer = api.get("/v1/taxonomy", &format!("/v1/taxonomy?format={format}")).await;
        assert_eq!(answer.status, StatusCode::OK);
    }
    assert_code(&api.get("/v1/taxonomy", "/v1/taxonomy?format=xml").await, "bad_input");

    // An invalid import lists problems of many kinds, each in the documented shape.
    let invalid = json!({ "format": "smart-tags-taxonomy", "version": 1, "tags": [
        { "id": "zoo:", "titles": { "en": "Zoo" } },
        { "id": "zoo:cats/kittens", "titles": { "en": "Kittens" } },
        { "id": "zoo:dogs", "titles": { "fr": "Chiens" } },
        { "id": "zoo:dogs", "titles": { "en": "Dogs" } },
        { "id": "zoo:owls", "titles": { "en": "Owls", "english": "Owls" } },
        { "id": "zoo:bats", "titles": { "en": " " } },
    ] });
    let answer = api.call_json(Method::PUT, "/v1/taxonomy", "/v1/taxonomy?mode=merge", &invalid).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    let kinds: BTreeSet<String> =
        answer.json()["problems"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap().to_owned()).collect();
    assert!(kinds.len() >= 4, "{kinds:?}");
    let syntax = api
        .call(
            Method::PUT,
            "/v1/taxonomy",
            "/v1/taxonomy?format=csv",
            Some("text/csv"),
            b"id,title\n\"demo:x,X\n".to_vec(),
        )
        .await;
    assert_eq!(syntax.status, StatusCode::UNPROCESSABLE_ENTITY);
    let cycle = "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
                 <http://x/a> a skos:Concept ; skos:prefLabel \"A\"@en ; skos:broader <http://x/b> .\n\
                 <http://x/b> a skos:Concept ; skos:prefLabel \"B\"@en ; skos:broader <http://x/a> .\n";
    let cycle = api
        .call(Method::PUT, "/v1/taxonomy", "/v1/taxonomy?format=skos", Some("text/turtle"), cycle.as_bytes().to_vec())
        .await;
    assert_eq!(cycle.status, StatusCode::UNPROCESSABLE_ENTITY);
    let not_utf8 = api
        .call(Method::PUT, "/v1/taxonomy", "/v1/taxonomy?format=csv", Some("text/csv"), vec![0xff, 0xfe, 0x00])
        .await;
    assert_code(&not_utf8, "bad_input");
    let huge = api
        .call(Method::PUT, "/v1/taxonomy", "/v1/taxonomy", Some("application/json"), vec![b' '; 10 * 1024 * 1024 + 1])
        .await;
    assert_code(&huge, "too_large");
    let bad_actor = Request::put("/v1/taxonomy?mode=merge")
        .header("x-smart-tags-actor", &b"caf\xe9"[..])
        .body(Body::from(exported.bytes.clone()))
        .unwrap();
    assert_code(&api.call_request("/v1/taxonomy", bad_actor).await, "bad_input");

    // One tag, created, changed, moved, deleted.
    let found = api.get(tag, "/v1/taxonomy/tags/demo:animals/pets").await;
    assert_eq!(found.status, StatusCode::OK);
    assert_code(&api.get(tag, "/v1/taxonomy/tags/demo:unicorns").await, "unknown_tag");
    assert_code(&api.get(tag, "/v1/taxonomy/tags/Demo:Bad").await, "bad_input");
    let new_tag = json!({ "id": "demo:animals/pets/rabbits", "titles": { "en": "Rabbits", "de": "Kaninchen" }, "synonyms": { "en": ["bunny"] }, "description": "Small pets." });
    let created = api.call_json(Method::POST, tags, tags, &new_tag).await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.headers["location"], "/v1/taxonomy/tags/demo:animals/pets/rabbits");
    assert_code(&api.call_json(Method::POST, tags, tags, &new_tag).await, "tag_exists");
    let orphan = api
        .call_json(Method::POST, tags, tags, &json!({ "id": "demo:nowhere/rabbits", "titles": { "en": "Rabbits" } }))
        .await;
    assert_code(&orphan, "invalid_taxonomy");
    let too_big = api.call(Method::POST, tags, tags, Some("application/json"), vec![b' '; 1024 * 1024 + 1]).await;
    assert_code(&too_big, "too_large");
    let patched = api
        .call_json(
            Method::PATCH,
            tag,
            "/v1/taxonomy/tags/demo:animals/pets/rabbits",
            &json!({ "titles": { "en": "Rabbits & hares" }, "description": null }),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK);
    let untitled = api
        .call_json(
            Method::PATCH,
            tag,
            "/v1/taxonomy/tags/demo:animals/pets/rabbits",
            &json!({ "titles": { "de": "Hasen" } }),
        )
        .await;
    assert_code(&untitled, "invalid_taxonomy");
    assert_code(&api.call_json(Method::PATCH, tag, "/v1/taxonomy/tags/demo:unicorns", &json!({})).await, "unknown_tag");
    let moved = api
        .call_json(
            Method::POST,
            "/v1/taxonomy/move",
            "/v1/taxonomy/move",
            &json!({ "id": "demo:animals/pets/rabbits", "parent": "demo:animals/wildlife" }),
        )
        .await;
    assert_eq!(moved.json()["id"], "demo:animals/wildlife/rabbits");
    let in_place = api
        .call_json(
            Method::POST,
            "/v1/taxonomy/move",
            "/v1/taxonomy/move",
            &json!({ "id": "demo:animals/pets/cats", "parent": "demo:animals/pets" }),
        )
        .await;
    assert_eq!(in_place.status, StatusCode::OK, "moving a tag where it is changes nothing");
    api.call_json(Method::POST, tags, tags, &json!({ "id": "demo:plants/cats", "titles": { "en": "Catnip" } })).await;
    let clash = api
        .call_json(
            Method::POST,
            "/v1/taxonomy/move",
            "/v1/taxonomy/move",
            &json!({ "id": "demo:plants/cats", "parent": "demo:animals/pets" }),
        )
        .await;
    assert_code(&clash, "tag_exists");
    let namespace = api
        .call_json(
            Method::POST,
            "/v1/taxonomy/move",
            "/v1/taxonomy/move",
            &json!({ "id": "demo:", "parent": "demo:animals" }),
        )
        .await;
    assert_code(&namespace, "bad_input");
    let nowhere = api
        .call_json(
            Method::POST,
            "/v1/taxonomy/move",
            "/v1/taxonomy/move",
            &json!({ "id": "demo:animals/pets", "parent": "demo:unicorns" }),
        )
        .await;
    assert_code(&nowhere, "unknown_tag");
    let parent = api.call(Method::DELETE, tag, "/v1/taxonomy/tags/demo:animals/pets", None, Vec::new()).await;
    assert_code(&parent, "has_children");
    let deleted =
        api.call(Method::DELETE, tag, "/v1/taxonomy/tags/demo:animals/pets?recursive=true", None, Vec::new()).await;
    assert_eq!(deleted.json()["deleted"].as_array().unwrap().len(), 3);
    assert_code(
        &api.call(Method::DELETE, tag, "/v1/taxonomy/tags/demo:animals/pets?recursive=maybe", None, Vec::new()).await,
        "bad_input",
    );

    // The change log holds every kind of row so far.
    let changes = api.get("/v1/taxonomy/changes", "/v1/taxonomy/changes?since=0&limit=1000").await;
    let ops: BTreeSet<String> =
        changes.json()["changes"].as_array().unwrap().iter().map(|c| c["op"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ops, BTreeSet::from(["import", "create", "update", "move", "delete"].map(String::from)));
    assert_code(&api.get("/v1/taxonomy/changes", "/v1/taxonomy/changes?page=2").await, "bad_input");
    // A deleted tag's threshold went with it; the thresholds still fit.
    api.get("/v1/settings/thresholds", "/v1/settings/thresholds").await;
}

#[tokio::test]
async fn workflow_folder_and_listing_answers_fit_the_document() {
    let api = api();
    let first = api.get("/v1/workflow", "/v1/workflow").await;
    assert_eq!((first.status, first.json()["version"].as_i64()), (StatusCode::OK, Some(0)));
    let example = document()["components"]["schemas"]["Workflow"]["examples"][0].clone();
    let put = api.call_json(Method::PUT, "/v1/workflow", "/v1/workflow", &example).await;
    assert_eq!((put.status, put.json()["version"].as_i64()), (StatusCode::OK, Some(1)));
    assert_eq!(put.json()["workflow"]["steps"][1]["sources"], example["steps"][1]["sources"]);
    let invalid = api
        .call_json(
            Method::PUT,
            "/v1/workflow",
            "/v1/workflow",
            &json!({ "steps": [{ "kind": "color_tags" }, { "kind": "thumbnails", "retries": 11 }] }),
        )
        .await;
    assert_code(&invalid, "invalid_workflow");
    assert_eq!(invalid.json()["problems"].as_array().unwrap().len(), 2);
    assert_code(&api.call_json(Method::PUT, "/v1/workflow", "/v1/workflow", &json!({ "step": [] })).await, "bad_input");
    assert_code(
        &api.call(Method::PUT, "/v1/workflow", "/v1/workflow", None, b"{}".to_vec()).await,
        "unsupported_format",
    );
    assert_code(
        &api.call(Method::PUT, "/v1/workflow", "/v1/workflow", Some("application/json"), vec![b' '; 1024 * 1024 + 1])
            .await,
        "too_large",
    );

    let change = document()["components"]["schemas"]["FolderChange"]["examples"][0].clone();
    let set = api.call_json(Method::PUT, "/v1/folders", "/v1/folders", &change).await;
    assert_eq!(set.status, StatusCode::OK);
    let inherit = api
        .call_json(Method::PUT, "/v1/folders", "/v1/folders", &json!({ "path": "/other", "smart_tags": "inherit" }))
        .await;
    assert_eq!(inherit.json()["setting"], Value::Null);
    assert_code(
        &api.call_json(Method::PUT, "/v1/folders", "/v1/folders", &json!({ "path": "/a/..", "smart_tags": "enabled" }))
            .await,
        "bad_input",
    );
    let listed = api.get("/v1/folders", "/v1/folders").await;
    assert_eq!(listed.json()["folders"].as_array().unwrap().len(), 1);
    let resolved = api.get("/v1/folders/resolve", "/v1/folders/resolve?path=/archive/2019").await;
    assert_eq!(resolved.json(), document()["components"]["schemas"]["ResolvedFolder"]["examples"][0]);
    assert_code(&api.get("/v1/folders/resolve", "/v1/folders/resolve").await, "bad_input");

    // Assets are made by tagging (which needs the model); the store makes them here.
    for (i, folder) in ["/archive", "/archive/2019", "/campaigns"].iter().enumerate() {
        let key = api.store.resolve_asset(Some(&format!("{i:064x}")), Some(&format!("dam-{i}"))).unwrap();
        api.store.set_folder(key, folder).unwrap();
    }
    let page = api.get("/v1/assets/list", "/v1/assets/list?folder=/archive&recursive=true&limit=1").await;
    assert_eq!(page.json()["assets"][0]["folder"], "/archive");
    let next = page.json()["next"].as_i64().unwrap();
    let last = api
        .get("/v1/assets/list", &format!("/v1/assets/list?folder=/archive&recursive=true&limit=1&after={next}"))
        .await;
    assert_eq!(
        (last.json()["assets"][0]["folder"].as_str(), last.json()["next"].as_i64()),
        (Some("/archive/2019"), None)
    );
    assert_eq!(api.get("/v1/assets/list", "/v1/assets/list").await.json()["assets"].as_array().unwrap().len(), 3);
    assert_code(&api.get("/v1/assets/list", "/v1/assets/list?limit=0").await, "bad_input");
    assert_code(&api.get("/v1/assets/list", "/v1/assets/list?folder=/a/../b").await, "bad_input");
}

#[tokio::test]
async fn the_handler_serves_the_document_as_json() {
    use axum::response::IntoResponse;
    let response = smart_tags_service::routes::openapi::openapi().await.into_response();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    assert_eq!(bytes, DOCUMENT.as_bytes());
}

// ---- 3b. the authorization server's answers -----------------------------------------------------

const ADMIN_TOKEN: &str = "an-admin-token-for-the-openapi-test";

/// A request with an optional bearer and body, of the given content type.
fn auth_request(
    method: Method,
    uri: &str,
    bearer: Option<&str>,
    content_type: Option<&str>,
    body: String,
) -> Request<Body> {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(bearer) = bearer {
        request = request.header("authorization", format!("Bearer {bearer}"));
    }
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    request.body(Body::from(body)).unwrap()
}

fn form(fields: &[(&str, &str)]) -> String {
    // The values here need no escaping but for '+' in nothing; keep them url-safe.
    fields.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

#[tokio::test]
async fn auth_route_answers_fit_the_document() {
    use smart_tags_credentials::certificate::self_signed;
    use smart_tags_credentials::{jwt, Certificate, KeyAlgorithm, PrivateKey};
    use smart_tags_service::auth::{AuthConfig, AuthServer};

    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open_store(&dir.path().join("data")).unwrap());
    let config = AuthConfig { admin_token: Some(ADMIN_TOKEN.to_owned()), ..AuthConfig::new("http://127.0.0.1:7701") };
    let auth = Arc::new(AuthServer::new(Arc::clone(&store), config).unwrap());
    let router = smart_tags_service::auth::middleware::protect(store_routes(Arc::clone(&store)), Arc::clone(&auth))
        .merge(smart_tags_service::auth_routes(Arc::clone(&auth)));
    let api = Api { router, store, _dir: dir, doc: document() };
    let json_type = Some("application/json");
    let form_type = Some("application/x-www-form-urlencoded");
    let now = auth.now();
    let key = PrivateKey::generate(KeyAlgorithm::P256).unwrap();
    let pem = self_signed(&key, "proxy", 30, now).unwrap();
    let kid = Certificate::from_pem(&pem).unwrap().kid().to_owned();

    // The console.
    let list = "/console/integrations";
    let create_body = json!({ "name": "dam", "certificate": pem }).to_string();
    let created = api
        .call_request(list, auth_request(Method::POST, list, Some(ADMIN_TOKEN), json_type, create_body.clone()))
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let created = created.json();
    let id = created["client_id"].as_str().unwrap().to_owned();
    let secret = created["client_secret"].as_str().unwrap().to_owned();
    assert_code(
        &api.call_request(list, auth_request(Method::POST, list, None, json_type, create_body.clone())).await,
        "unauthorized",
    );
    assert_code(
        &api.call_request(list, auth_request(Method::POST, list, Some(ADMIN_TOKEN), None, create_body)).await,
        "unsupported_format",
    );
    let bad = json!({ "name": "dam", "certificate": "not a certificate" }).to_string();
    assert_code(
        &api.call_request(list, auth_request(Method::POST, list, Some(ADMIN_TOKEN), json_type, bad)).await,
        "bad_input",
    );
    assert_eq!(
        api.call_request(list, auth_request(Method::GET, list, Some(ADMIN_TOKEN), None, String::new())).await.status,
        StatusCode::OK
    );
    let one = "/console/integrations/{client_id}";
    assert_eq!(
        api.call_request(
            one,
            auth_request(Method::GET, &format!("{list}/{id}"), Some(ADMIN_TOKEN), None, String::new())
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_code(
        &api.call_request(
            one,
            auth_request(Method::GET, &format!("{list}/nobody"), Some(ADMIN_TOKEN), None, String::new()),
        )
        .await,
        "unknown_integration",
    );
    let certificates = "/console/integrations/{client_id}/certificates";
    let other = self_signed(&PrivateKey::generate(KeyAlgorithm::P256).unwrap(), "proxy next", 30, now).unwrap();
    let other_kid = Certificate::from_pem(&other).unwrap().kid().to_owned();
    let add = json!({ "certificate": other }).to_string();
    let added = api
        .call_request(
            certificates,
            auth_request(Method::POST, &format!("{list}/{id}/certificates"), Some(ADMIN_TOKEN), json_type, add.clone()),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED);
    assert_code(
        &api.call_request(
            certificates,
            auth_request(Method::POST, &format!("{list}/{id}/certificates"), Some(ADMIN_TOKEN), json_type, add),
        )
        .await,
        "certificate_exists",
    );
    let certificate = "/console/integrations/{client_id}/certificates/{certificate_id}";
    let removed = api
        .call_request(
            certificate,
            auth_request(
                Method::DELETE,
                &format!("{list}/{id}/certificates/{other_kid}"),
                Some(ADMIN_TOKEN),
                None,
                String::new(),
            ),
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK);
    assert_code(
        &api.call_request(
            certificate,
            auth_request(
                Method::DELETE,
                &format!("{list}/{id}/certificates/{kid}"),
                Some(ADMIN_TOKEN),
                None,
                String::new(),
            ),
        )
        .await,
        "last_certificate",
    );
    let token_path = "/console/integrations/{client_id}/certificate-token";
    let made = api
        .call_request(
            token_path,
            auth_request(
                Method::POST,
                &format!("{list}/{id}/certificate-token"),
                Some(ADMIN_TOKEN),
                None,
                String::new(),
            ),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED);
    let certificate_token = made.json()["certificate_token"].as_str().unwrap().to_owned();
    let shown = api
        .call_request(
            one,
            auth_request(Method::GET, &format!("{list}/{id}"), Some(&certificate_token), None, String::new()),
        )
        .await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_code(
        &api.call_request(list, auth_request(Method::GET, list, Some(&certificate_token), None, String::new())).await,
        "forbidden",
    );
    let rotate = "/console/integrations/{client_id}/secret";
    let rotated = api
        .call_request(
            rotate,
            auth_request(
                Method::POST,
                &format!("{list}/{id}/secret"),
                Some(ADMIN_TOKEN),
                json_type,
                json!({ "overlap_seconds": 3600 }).to_string(),
            ),
        )
        .await;
    assert_eq!(rotated.status, StatusCode::OK);
    let new_secret = rotated.json()["client_secret"].as_str().unwrap().to_owned();
    assert_code(
        &api.call_request(
            rotate,
            auth_request(
                Method::POST,
                &format!("{list}/{id}/secret"),
                Some(ADMIN_TOKEN),
                None,
                "{\"overlap\":1}".to_owned(),
            ),
        )
        .await,
        "bad_input",
    );

    // The token endpoints and the token check.
    let exchange = "/ims/exchange/jwt";
    let payload = created["jwt_payload"].as_object().unwrap().clone();
    let mut claims = payload.clone();
    claims.insert("exp".into(), json!(now + 300));
    claims.insert("iat".into(), json!(now));
    claims.insert("jti".into(), json!("openapi-1"));
    let jwt = jwt::sign(&claims, &key, Some(&kid)).unwrap();
    let fields = form(&[("client_id", &id), ("client_secret", &secret), ("jwt_token", &jwt)]);
    let token = api.call_request(exchange, auth_request(Method::POST, exchange, None, form_type, fields.clone())).await;
    assert_eq!(token.status, StatusCode::OK);
    let token = token.json()["access_token"].as_str().unwrap().to_owned();
    let replayed = api.call_request(exchange, auth_request(Method::POST, exchange, None, form_type, fields)).await;
    assert_eq!((replayed.status, &replayed.json()["error"]), (StatusCode::BAD_REQUEST, &json!("invalid_token")));
    let wrong = api
        .call_request(
            exchange,
            auth_request(
                Method::POST,
                exchange,
                None,
                form_type,
                form(&[("client_id", &id), ("client_secret", "stcs_x"), ("jwt_token", &jwt)]),
            ),
        )
        .await;
    assert_eq!(wrong.json()["error"], "invalid_client");
    let huge =
        api.call_request(exchange, auth_request(Method::POST, exchange, None, form_type, "x".repeat(40_000))).await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    let grant = "/ims/token/v3";
    let grant_form = |id: &str, secret: &str| {
        form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
            ("scope", "smart_tags"),
        ])
    };
    // A JWT integration's secret alone gets nothing.
    let jwt_only =
        api.call_request(grant, auth_request(Method::POST, grant, None, form_type, grant_form(&id, &new_secret))).await;
    assert_eq!(jwt_only.json()["error"], "unauthorized_client");
    let oauth_body = json!({ "name": "dam back end", "credential": "oauth_server_to_server" }).to_string();
    let oauth =
        api.call_request(list, auth_request(Method::POST, list, Some(ADMIN_TOKEN), json_type, oauth_body)).await;
    assert_eq!(oauth.status, StatusCode::CREATED);
    let oauth = oauth.json();
    let (oauth_id, oauth_secret) =
        (oauth["client_id"].as_str().unwrap().to_owned(), oauth["client_secret"].as_str().unwrap().to_owned());
    let granted = api
        .call_request(grant, auth_request(Method::POST, grant, None, form_type, grant_form(&oauth_id, &oauth_secret)))
        .await;
    assert_eq!(granted.status, StatusCode::OK);
    let tagging = granted.json()["access_token"].as_str().unwrap().to_owned();
    let unsupported = api
        .call_request(
            grant,
            auth_request(
                Method::POST,
                grant,
                None,
                form_type,
                form(&[("grant_type", "password"), ("client_id", &oauth_id), ("client_secret", &oauth_secret)]),
            ),
        )
        .await;
    assert_eq!(unsupported.json()["error"], "unsupported_grant_type");
    let check = "/v1/auth/check";
    assert_eq!(
        api.call_request(check, auth_request(Method::GET, check, Some(&token), None, String::new())).await.status,
        StatusCode::OK
    );
    assert_code(
        &api.call_request(check, auth_request(Method::GET, check, None, None, String::new())).await,
        "unauthorized",
    );
    let thresholds = "/v1/settings/thresholds";
    let forbidden = api
        .call_request(thresholds, auth_request(Method::PUT, thresholds, Some(&tagging), json_type, "{}".to_owned()))
        .await;
    assert_code(&forbidden, "forbidden");
    assert_code(
        &api.call_request("/v1/taxonomy", auth_request(Method::GET, "/v1/taxonomy", None, None, String::new())).await,
        "unauthorized",
    );

    let revoke = "/console/integrations/{client_id}/revoke";
    assert_eq!(
        api.call_request(
            revoke,
            auth_request(Method::POST, &format!("{list}/{id}/revoke"), Some(ADMIN_TOKEN), None, String::new())
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_code(
        &api.call_request(check, auth_request(Method::GET, check, Some(&token), None, String::new())).await,
        "unauthorized",
    );
    assert_code(
        &api.call_request(
            rotate,
            auth_request(Method::POST, &format!("{list}/{id}/secret"), Some(ADMIN_TOKEN), None, String::new()),
        )
        .await,
        "integration_revoked",
    );
}

// ---- 4. the training routes' answers, as their handlers make them -------------------------------

/// A value as it goes over the wire (f32 fields as serde_json writes them).
fn wire<T: serde::Serialize>(value: &T) -> Value {
    serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap()
}

/// Checks a JSON body against what the document says `method path` answers with `status`.
fn assert_answer_fits(doc: &Value, method: &str, path: &str, status: u16, body: &Value) {
    let what = format!("{method} {path} -> {status}");
    let operation = &doc["paths"][path][method.to_lowercase()];
    assert!(operation.is_object(), "{what}: not documented");
    let response =
        operation["responses"].get(status.to_string()).unwrap_or_else(|| panic!("{what}: status not documented"));
    let schema = &resolve(doc, response)["content"]["application/json"]["schema"];
    assert!(schema.is_object(), "{what}: no JSON body documented");
    let problems = problems(doc, schema, body);
    assert!(problems.is_empty(), "{what}: the body does not fit the document:\n{problems:#?}\n{body:#}");
}

/// A store error as the service answers it: status and body.
async fn error_answer(error: smart_tags_service::store::StoreError) -> (u16, Value) {
    use axum::response::IntoResponse;
    let response = smart_tags_service::error::ServiceError::from(error).into_response();
    let status = response.status().as_u16();
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

async fn assert_error_fits(
    doc: &Value,
    method: &str,
    path: &str,
    error: smart_tags_service::store::StoreError,
    code: &str,
) {
    let (status, body) = error_answer(error).await;
    assert_eq!(body["code"], code, "{method} {path}: {body}");
    assert_answer_fits(doc, method, path, status, &body);
}

#[test]
fn training_options_defaults_and_request_examples_are_the_services() {
    use smart_tags_core::training::TrainingOptions;
    use smart_tags_service::routes::training::{delete_examples::DeleteBody, put_model::ModelBody, train::TrainBody};
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let defaults = wire(&TrainingOptions::default());
    let properties = schemas["TrainingOptions"]["properties"].as_object().unwrap();
    let documented: Vec<&String> = properties.keys().collect();
    let served: Vec<&String> = defaults.as_object().unwrap().keys().collect();
    assert_eq!(BTreeSet::from_iter(documented), BTreeSet::from_iter(served), "TrainingOptions: the fields");
    for (name, property) in properties {
        assert_eq!(property["default"], defaults[name], "TrainingOptions.{name}: the default");
    }
    // Request examples are bodies the handlers accept.
    let examples =
        |name: &str| schemas[name]["examples"].as_array().unwrap_or_else(|| panic!("{name} has no examples")).clone();
    for example in examples("TrainingOptions") {
        let options: TrainingOptions =
            serde_json::from_value(example.clone()).unwrap_or_else(|e| panic!("{example}: {e}"));
        options.validate().unwrap();
    }
    for example in examples("TagModelRequest") {
        let body: ModelBody = serde_json::from_value(example.clone()).unwrap_or_else(|e| panic!("{example}: {e}"));
        body.options.validate().unwrap();
    }
    for example in examples("TrainRequest") {
        let _: TrainBody = serde_json::from_value(example.clone()).unwrap_or_else(|e| panic!("{example}: {e}"));
    }
    for example in examples("DeleteExamplesRequest") {
        let _: DeleteBody = serde_json::from_value(example.clone()).unwrap_or_else(|e| panic!("{example}: {e}"));
    }
    // Unknown fields are refused, as the schemas say.
    assert!(serde_json::from_value::<ModelBody>(json!({ "tags": [], "name": "x" })).is_err());
    assert!(serde_json::from_value::<TrainingOptions>(json!({ "folds": 3, "epochs": 2 })).is_err());
    assert!(serde_json::from_value::<TrainBody>(json!({ "activate": true, "now": true })).is_err());
}

#[tokio::test]
async fn training_answers_fit_the_document() {
    use smart_tags_core::taxonomy::TagId;
    use smart_tags_core::training::lint::{blocks_training, lint, Severity};
    use smart_tags_core::training::{activation, artifact, synthetic, train, TrainingOptions};
    use smart_tags_service::routes::training::{
        delete_examples::Removed, lint::LintAnswer, list_examples::Examples, list_models::Models,
        list_versions::Versions, model_summary, version_answer,
    };
    use smart_tags_service::store::{ImportMode, Job, JobStatus, NewExample, NewVersion, StoreError, VersionOrigin};
    use smart_tags_service::training::examples::{counts, gather};
    use smart_tags_service::training::import::{ImportReport, Refused};
    use smart_tags_service::training::jobs::summary;

    const IMAGE_MODEL: &str = "efficientnet-lite0@000000000000";
    const NAME: &str = "vehicle-type";
    let doc = document();
    let dir = tempfile::tempdir().unwrap();
    let store = open_store(&dir.path().join("data")).unwrap();
    let demo = smart_tags_core::taxonomy::csv::import(include_str!("../../taxonomies/demo.csv")).unwrap();
    store.import_taxonomy(&demo, ImportMode::Replace, "openapi-test").unwrap();
    let (taxonomy, taxonomy_version) = store.taxonomy_with_version().unwrap();

    // Synthetic embeddings of three demo tags, and one image carrying two of them.
    let ids = ["demo:vehicles/cars", "demo:vehicles/motorbikes", "demo:vehicles/bicycles"];
    let set = synthetic::clustered(3, 12, 1.0, 5);
    let demo_id = |tag: &TagId| ids[set.spec.tags.iter().position(|t| t == tag).unwrap()].to_owned();
    let mut examples: Vec<NewExample> = set
        .examples
        .iter()
        .enumerate()
        .map(|(i, e)| NewExample {
            content_hash: e.asset.clone(),
            embedding: e.embedding.clone(),
            tags: e.tags.iter().map(demo_id).collect(),
            file: Some(format!("{}/{i}.jpg", demo_id(&e.tags[0]).rsplit('/').next().unwrap())),
            picture: None,
        })
        .collect();
    examples.push(NewExample {
        content_hash: "ab".repeat(32),
        embedding: set.examples[0].embedding.clone(),
        tags: vec![ids[0].to_owned(), ids[1].to_owned()],
        file: None,
        picture: None,
    });
    store.add_examples(IMAGE_MODEL, &examples).unwrap();

    // Two models: one that trains (with warnings), one the linter refuses.
    let options =
        TrainingOptions { min_examples_per_tag: 5, max_examples_per_tag: 10, folds: 3, ..TrainingOptions::default() };
    let tags: Vec<String> = ids.iter().map(|t| (*t).to_owned()).collect();
    store.put_model(NAME, &tags, smart_tags_core::training::ModelKind::Exclusive, &options).unwrap();
    let summary_of = |name: &str| {
        let counts = store.example_counts(IMAGE_MODEL).unwrap();
        wire(&model_summary(&store, &taxonomy, &counts, store.model(name).unwrap()).unwrap())
    };
    assert_answer_fits(&doc, "PUT", "/v1/training/models/{name}", 200, &summary_of(NAME));
    let bad_name =
        store.put_model("Vehicle Type", &tags, smart_tags_core::training::ModelKind::Exclusive, &options).unwrap_err();
    assert_error_fits(&doc, "PUT", "/v1/training/models/{name}", bad_name, "bad_input").await;

    // Lint, as the lint and train handlers run it.
    let lint_of = |name: &str| {
        let input = gather(&store, &taxonomy, taxonomy_version, IMAGE_MODEL, name).unwrap();
        let known = |tag: &TagId| input.known_tags.contains(tag);
        let findings = lint(&input.spec, &input.other_specs, &known, &input.examples, &input.options);
        (input.clone(), LintAnswer { can_train: !blocks_training(&findings), examples: counts(&input), findings })
    };
    let (input, good) = lint_of(NAME);
    assert!(good.can_train && !good.findings.is_empty(), "{good:?}");
    assert_answer_fits(&doc, "GET", "/v1/training/models/{name}/lint", 200, &wire(&good));
    // A tag of the first model, one without examples, one the taxonomy lacks.
    let broken = [ids[2], "demo:vehicles/boats", "demo:vehicles/hovercraft"].map(str::to_owned);
    store
        .put_model("broken", &broken, smart_tags_core::training::ModelKind::Independent, &TrainingOptions::default())
        .unwrap();
    assert_answer_fits(&doc, "PUT", "/v1/training/models/{name}", 200, &summary_of("broken"));
    let (_, bad) = lint_of("broken");
    assert!(!bad.can_train, "{bad:?}");
    assert_answer_fits(&doc, "GET", "/v1/training/models/{name}/lint", 200, &wire(&bad));
    let kinds: BTreeSet<String> =
        good.findings.iter().chain(&bad.findings).map(|f| wire(&f.kind).as_str().unwrap().to_owned()).collect();
    assert!(kinds.len() >= 5, "{kinds:?}");
    let errors: Vec<_> = bad.findings.iter().filter(|f| f.severity == Severity::Error).collect();
    let lint_failed = json!({ "code": "lint_failed", "message": format!("the linter found {} error(s); fix them before training", errors.len()), "findings": errors });
    assert_answer_fits(&doc, "POST", "/v1/training/models/{name}/train", 422, &wire(&lint_failed));
    assert_error_fits(
        &doc,
        "GET",
        "/v1/training/models/{name}/lint",
        store.model("nothing").unwrap_err(),
        "unknown_model",
    )
    .await;

    // A job through its states, and the version it makes.
    let job = store.create_job(NAME, true).unwrap();
    assert_answer_fits(&doc, "POST", "/v1/training/models/{name}/train", 202, &wire(&job));
    assert_error_fits(
        &doc,
        "POST",
        "/v1/training/models/{name}/train",
        store.create_job(NAME, true).unwrap_err(),
        "job_running",
    )
    .await;
    assert_error_fits(
        &doc,
        "POST",
        "/v1/training/models/{name}/train",
        store.create_job("nothing", true).unwrap_err(),
        "unknown_model",
    )
    .await;
    store.job_progress(job.id, 0.4).unwrap();
    let running = store.job(job.id).unwrap();
    assert_eq!(running.status, JobStatus::Training);
    assert_answer_fits(&doc, "GET", "/v1/training/jobs/{id}", 200, &wire(&running));
    let known = |tag: &TagId| input.known_tags.contains(tag);
    let model = train(&input.spec, &input.other_specs, &known, &input.examples, &input.options, &|_| true).unwrap();
    let version_summary = summary(&model);
    let export = |version: i64, created_at: &str| {
        let meta = artifact::ArtifactMeta {
            image_model: IMAGE_MODEL.to_owned(),
            taxonomy_version,
            version,
            created_at: created_at.to_owned(),
        };
        artifact::export(&model, &meta)
    };
    let new = NewVersion {
        origin: VersionOrigin::Trained,
        image_model: IMAGE_MODEL,
        taxonomy_version,
        summary: &version_summary,
        artifact: &export,
        activate: true,
    };
    let trained = store.complete_job(job.id, &new, None).unwrap();
    assert_eq!((trained.status, trained.version), (JobStatus::Trained, Some(1)));
    assert_answer_fits(&doc, "GET", "/v1/training/jobs/{id}", 200, &wire(&trained));
    // A job whose version was held back (too few pictures of a tag) says why.
    let thin = activation::HeldBack { tags: vec![activation::ThinTag { id: model.tags[0].id.clone(), pictures: 4 }] };
    let held = Job { held_back: Some(thin.to_string()), ..trained.clone() };
    assert_answer_fits(&doc, "GET", "/v1/training/jobs/{id}", 200, &wire(&held));
    assert_answer_fits(&doc, "POST", "/v1/training/jobs/{id}/cancel", 200, &wire(&trained));
    let failed = store.create_job(NAME, false).unwrap();
    let failed =
        store.finish_job(failed.id, JobStatus::Failed, Some("not enough examples: the smallest tag has 1")).unwrap();
    assert_answer_fits(&doc, "GET", "/v1/training/jobs/{id}", 200, &wire(&failed));
    let cancelled = store.create_job(NAME, true).unwrap();
    let cancelled = store.finish_job(cancelled.id, JobStatus::Cancelled, None).unwrap();
    assert_answer_fits(&doc, "POST", "/v1/training/jobs/{id}/cancel", 200, &wire(&cancelled));
    assert_error_fits(&doc, "GET", "/v1/training/jobs/{id}", store.job(9999).unwrap_err(), "unknown_job").await;
    assert_error_fits(&doc, "POST", "/v1/training/jobs/{id}/cancel", store.job(9999).unwrap_err(), "unknown_job").await;

    // The exported file, imported again as a second version (as the import handler does).
    let file = store.artifact(NAME, 1).unwrap();
    let (imported, meta) = artifact::import(&file, IMAGE_MODEL).unwrap();
    let imported_summary = summary(&imported);
    let keep = move |_: i64, _: &str| file.clone();
    let new = NewVersion {
        origin: VersionOrigin::Imported,
        image_model: IMAGE_MODEL,
        taxonomy_version: meta.taxonomy_version,
        summary: &imported_summary,
        artifact: &keep,
        activate: false,
    };
    assert_eq!(store.add_version(NAME, &new).unwrap(), 2);
    let active = store.model(NAME).unwrap().active_version;
    let versions: Vec<_> =
        store.versions_of(NAME).unwrap().into_iter().map(|v| version_answer(v, active, &taxonomy)).collect();
    let newest = wire(&versions[0]);
    assert_eq!((&newest["origin"], &newest["tags"][0]["title"]), (&json!("imported"), &json!("Cars")));
    assert_answer_fits(&doc, "POST", "/v1/training/models/import", 201, &newest);
    assert_answer_fits(&doc, "GET", "/v1/training/models/{name}/versions", 200, &wire(&Versions { versions }));
    let damaged = artifact::import(b"not a model file", IMAGE_MODEL).unwrap_err();
    assert_answer_fits(
        &doc,
        "POST",
        "/v1/training/models/import",
        422,
        &json!({ "code": "bad_model_file", "message": damaged.to_string() }),
    );
    let other_model =
        artifact::import(&store.artifact(NAME, 1).unwrap(), "efficientnet-lite0@ffffffffffff").unwrap_err();
    assert_answer_fits(
        &doc,
        "POST",
        "/v1/training/models/import",
        422,
        &json!({ "code": "bad_model_file", "message": other_model.to_string() }),
    );
    assert_error_fits(
        &doc,
        "GET",
        "/v1/training/models/{name}/versions",
        store.versions_of("nothing").unwrap_err(),
        "unknown_model",
    )
    .await;
    assert_error_fits(
        &doc,
        "GET",
        "/v1/training/models/{name}/versions/{version}/export",
        store.artifact(NAME, 9).unwrap_err(),
        "unknown_version",
    )
    .await;

    // Versions: activate, roll back, delete, deactivate.
    let path = "/v1/training/models/{name}/versions/{version}";
    assert_error_fits(&doc, "DELETE", path, store.delete_version(NAME, 1).unwrap_err(), "version_active").await;
    assert_error_fits(&doc, "DELETE", path, store.delete_version(NAME, 9).unwrap_err(), "unknown_version").await;
    assert_error_fits(&doc, "DELETE", path, store.delete_version("nothing", 1).unwrap_err(), "unknown_model").await;
    store.activate(NAME, 2).unwrap();
    assert_answer_fits(&doc, "POST", "/v1/training/models/{name}/versions/{version}/activate", 200, &summary_of(NAME));
    assert_error_fits(
        &doc,
        "POST",
        "/v1/training/models/{name}/versions/{version}/activate",
        store.activate(NAME, 9).unwrap_err(),
        "unknown_version",
    )
    .await;
    store.deactivate(NAME).unwrap();
    let deactivated = summary_of(NAME);
    assert_eq!((&deactivated["active_version"], &deactivated["versions"]), (&Value::Null, &json!(2)));
    assert_answer_fits(&doc, "POST", "/v1/training/models/{name}/deactivate", 200, &deactivated);
    assert_error_fits(
        &doc,
        "POST",
        "/v1/training/models/{name}/deactivate",
        store.deactivate("nothing").unwrap_err(),
        "unknown_model",
    )
    .await;
    assert_error_fits(
        &doc,
        "DELETE",
        "/v1/training/models/{name}",
        store.delete_model("nothing").unwrap_err(),
        "unknown_model",
    )
    .await;

    // Every model, a model with no job and no version among them.
    let counts = store.example_counts(IMAGE_MODEL).unwrap();
    let models: Vec<_> =
        store.models().unwrap().into_iter().map(|m| model_summary(&store, &taxonomy, &counts, m).unwrap()).collect();
    let applying =
        smart_tags_service::training::apply::ApplyProgress { updated: 3, needs_image: 1, ..Default::default() };
    let models = wire(&Models { models, applying });
    assert_eq!(models["models"].as_array().unwrap().len(), 2);
    assert!(
        models["models"].as_array().unwrap().iter().any(|m| m["job"].is_null() && m["tags"][2]["title"].is_null()),
        "{models:#}"
    );
    assert_answer_fits(&doc, "GET", "/v1/training/models", 200, &models);

    // Examples: listed, one removed; an import's report.
    let listed = wire(&Examples { examples: store.examples(IMAGE_MODEL, None).unwrap() });
    assert_eq!(listed["examples"].as_array().unwrap().len(), 37);
    assert_answer_fits(&doc, "GET", "/v1/training/examples", 200, &listed);
    let removed = Removed { removed: store.remove_examples(&"ab".repeat(32), Some(ids[1])).unwrap() };
    assert_eq!(removed.removed, 1);
    assert_answer_fits(&doc, "DELETE", "/v1/training/examples", 200, &wire(&removed));
    let report = ImportReport {
        files: 2,
        imported: 3,
        already_known: 1,
        refused: vec![Refused {
            file: "notes.txt".to_owned(),
            reason: "not in a tag folder, and there is no manifest".to_owned(),
        }],
        examples: counts,
        rolled_back: false,
    };
    assert_answer_fits(&doc, "POST", "/v1/training/examples/import", 200, &wire(&report));
    assert_error_fits(
        &doc,
        "POST",
        "/v1/training/examples/import",
        StoreError::BadValue("a file name is at most 1024 bytes".to_owned()),
        "bad_input",
    )
    .await;
}
