//! The review bindings in headless Chromium: plain objects in and out, as the page uses them.

use js_sys::{Array, Reflect, JSON};
use smart_tags_wasm::export::{export_csv, export_xmp, xmp_sidecar_name};
use smart_tags_wasm::review::{key_action, key_map, ReviewSession};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn js(text: &str) -> JsValue {
    JSON::parse(text).expect("test json")
}

fn get(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |v, key| match key.parse::<u32>() {
        Ok(i) => Array::from(&v).get(i),
        Err(_) => Reflect::get(&v, &JsValue::from_str(key)).expect("property"),
    })
}

fn text(value: &JsValue, path: &str) -> String {
    get(value, path).as_string().unwrap_or_else(|| panic!("{path} is not a string"))
}

const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/// The `tags` of a service answer, as the proxy hands it to the page.
fn answer(cats: f32) -> JsValue {
    js(&format!(
        r##"{{"smart":[
            {{"id":"demo:animals/cats","title":"Cats & <Kittens>","path":["Animals","Cats & <Kittens>"],"confidence":{cats},"source":"taxonomy","model_version":"m@1"}},
            {{"id":"wordnet:n02084071","title":"dog","path":["animal","dog"],"confidence":0.55,"source":"generic","model_version":"m@1"}},
            {{"id":"color:red","title":"Red","path":["Red"],"confidence":0.2,"source":"color","model_version":"m@1","hex":"#ff0000"}}],
          "manual":[],"removed":[],"hidden":4}}"##
    ))
}

fn state_of(view: &JsValue, id: &str) -> String {
    let tag = Array::from(&get(view, "tags")).iter().find(|t| text(t, "id") == id).expect("tag on the asset");
    text(&tag, "state")
}

fn keys(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[wasm_bindgen_test]
fn a_selection_action_gives_wire_requests_and_undoes_in_one_step() {
    let mut session = ReviewSession::new(Some(js(r#"{"minConfidence":0.5}"#))).expect("session");
    let view = session.upsert_asset(A, "a.jpg", answer(0.9)).expect("upsert a");
    assert_eq!(text(&view, "tags.0.state"), "suggested");
    assert_eq!(text(&view, "tags.0.modelVersion"), "m@1");
    assert_eq!(get(&view, "undecided").as_f64(), Some(3.0));
    session.upsert_asset(B, "b.jpg", answer(0.52)).expect("upsert b");
    assert_eq!(session.length(), 2);
    assert_eq!(session.queue(), keys(&[B, A]), "b's cats sit 0.02 from the threshold");

    let ops = session.accept(keys(&[A, B]), "demo:animals/cats").expect("accept");
    let ops = Array::from(&ops);
    assert_eq!(ops.length(), 2);
    assert_eq!(text(&ops.get(0), "content_hash"), A);
    assert_eq!(text(&ops.get(0), "tag_id"), "demo:animals/cats");
    assert_eq!(text(&ops.get(0), "action"), "promote");
    assert!(get(&ops.get(0), "title").is_undefined());
    assert_eq!(session.undo_description().as_deref(), Some("undo: accept Cats & <Kittens> on 2 assets"));
    assert_eq!(state_of(&session.asset(B).expect("asset"), "demo:animals/cats"), "accepted");

    let undo = Array::from(&session.undo().expect("undo"));
    assert_eq!(undo.length(), 2);
    assert_eq!(text(&undo.get(1), "action"), "clear");
    assert!(session.can_redo() && !session.can_undo());
    assert_eq!(state_of(&session.asset(B).expect("asset"), "demo:animals/cats"), "suggested");
    assert_eq!(Array::from(&session.undo().expect("nothing to undo")).length(), 0);

    let ops =
        Array::from(&session.add(keys(&[A]), "demo:birds", "Birds", Some(keys(&["Animals", "Birds"]))).expect("add"));
    assert_eq!(
        (text(&ops.get(0), "action"), text(&ops.get(0), "title")),
        ("add_manual".to_owned(), "Birds".to_owned())
    );

    let report = session.set_view_threshold(0.6).expect("threshold");
    assert_eq!(get(&report, "count").as_f64(), Some(3.0), "dog on both, b's cats");
    assert!(session.set_view_threshold(2.0).is_err());
    assert_eq!(session.next_tag(B, None).expect("tags").as_deref(), Some("color:red"), "hidden tags are skipped");
    assert_eq!(session.next_asset(None), Some(session.queue()[0].clone()));

    let finals = Array::from(&session.final_tags(A).expect("final"));
    let ids: Vec<String> = finals.iter().map(|t| text(&t, "id")).collect();
    assert_eq!(ids, keys(&["demo:animals/cats", "color:red", "demo:birds"]));
    assert!(session.final_tags("nope").is_err());

    let xmp = session.export_xmp(A, JsValue::UNDEFINED).expect("xmp");
    assert!(xmp.contains("<rdf:li>Cats &amp; &lt;Kittens&gt;</rdf:li>"), "{xmp}");
    assert!(xmp.contains("<rdf:li>Animals|Birds</rdf:li>"));
    let json = js(&session.export_json(None, JsValue::UNDEFINED).expect("json"));
    assert_eq!(text(&json, "format"), "smart-tags-export");
    assert_eq!(text(&json, "assets.0.content_hash"), session.queue()[0]);
    let csv = session.export_csv(Some(keys(&[A])), JsValue::UNDEFINED).expect("csv");
    assert!(csv.starts_with("asset,content_hash,tag_id,title,hierarchy,confidence,source,confirmed,text_in_image\r\n"));
    assert!(csv.contains("a.jpg,aaaa"));
    // The filter object of the page: colours are not the customer's taxonomy; a wrong field is refused.
    let filter = js(r#"{"taxonomyOnly": true}"#);
    let own = js(&session.export_json(Some(keys(&[A])), filter).expect("filtered json"));
    let tags = Array::from(&get(&own, "assets.0.tags"));
    let ids: Vec<String> = tags.iter().map(|t| text(&t, "id")).collect();
    assert_eq!(ids, keys(&["demo:animals/cats", "demo:birds"]));
    assert!(session.export_json(None, js(r#"{"onlyCats": true}"#)).is_err());
}

#[wasm_bindgen_test]
fn service_answers_after_moderation_keep_the_session_consistent() {
    let mut session = ReviewSession::new(None).expect("session");
    session.upsert_asset(A, "a.jpg", answer(0.9)).expect("upsert");
    session.reject(keys(&[A]), "wordnet:n02084071").expect("reject");
    // What the service answers after the `remove`.
    let after = js(r##"{"smart":[
        {"id":"demo:animals/cats","title":"Cats & <Kittens>","path":["Animals","Cats & <Kittens>"],"confidence":0.9,"source":"taxonomy","model_version":"m@1"},
        {"id":"color:red","title":"Red","path":["Red"],"confidence":0.2,"source":"color","model_version":"m@1","hex":"#ff0000"}],
      "manual":[],"removed":["wordnet:n02084071"],"hidden":4}"##);
    let view = session.upsert_asset(A, "a.jpg", after).expect("upsert");
    let states: Vec<(String, String)> =
        Array::from(&get(&view, "tags")).iter().map(|t| (text(&t, "id"), text(&t, "state"))).collect();
    assert_eq!(
        states,
        [("demo:animals/cats", "suggested"), ("wordnet:n02084071", "rejected"), ("color:red", "suggested")]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert_eq!(text(&view, "tags.1.title"), "dog");
    assert!(session.upsert_asset(A, "a.jpg", js(r#"{"smart":7}"#)).is_err());
    assert!(ReviewSession::new(Some(js(r#"{"minConfidence":3}"#))).is_err());
    assert!(ReviewSession::new(Some(js(r#"{"bogus":1}"#))).is_err());
}

#[wasm_bindgen_test]
fn the_key_map_is_data_and_key_action_reads_events() {
    let map = Array::from(&key_map().expect("key map"));
    assert!(map.length() >= 20);
    let first = map.get(0);
    assert_eq!(
        (text(&first, "key"), text(&first, "action"), text(&first, "label")),
        ("j".to_owned(), "nextAsset".to_owned(), "J".to_owned())
    );
    assert!(get(&first, "description").as_string().is_some_and(|d| !d.is_empty()));
    let action = |event: &str| key_action(js(event)).expect("key action").as_string();
    assert_eq!(action(r#"{"key":"a"}"#).as_deref(), Some("accept"));
    assert_eq!(action(r#"{"key":"a","ctrlKey":true}"#).as_deref(), Some("selectAll"));
    assert_eq!(action(r#"{"key":"z","metaKey":true}"#).as_deref(), Some("undo"));
    assert_eq!(action(r#"{"key":"Z","shiftKey":true}"#).as_deref(), Some("redo"));
    assert_eq!(action(r#"{"key":"ArrowRight"}"#).as_deref(), Some("nextTag"));
    assert_eq!(action(r#"{"key":"a","altKey":true}"#), None);
    assert_eq!(action(r#"{"code":"KeyA"}"#), None);
    // A real KeyboardEvent (its properties live on the prototype).
    let init = web_event("x");
    assert_eq!(key_action(init).expect("event").as_string().as_deref(), Some("reject"));
}

fn web_event(key: &str) -> JsValue {
    let constructor = Reflect::get(&js_sys::global(), &JsValue::from_str("KeyboardEvent")).expect("KeyboardEvent");
    let options = js(&format!(r#"{{"key":"{key}"}}"#));
    Reflect::construct(&constructor.into(), &Array::of2(&JsValue::from_str("keydown"), &options))
        .expect("new KeyboardEvent")
}

#[wasm_bindgen_test]
fn exports_work_without_a_session() {
    let assets = js(
        r#"[{"name":"x, y.jpg","tags":[{"id":"demo:a","title":"A|B","path":["Root","A|B"],"confidence":0.5,"source":"taxonomy"}],"words":["OPEN","24/7"]}]"#,
    );
    let csv = export_csv(assets).expect("csv");
    assert!(csv.contains("\"x, y.jpg\",,demo:a,A|B,Root|A\u{a6}B,0.5000,taxonomy,false,OPEN 24/7\r\n"), "{csv}");
    let xmp = export_xmp(js(r#"{"name":"x.jpg","tags":[{"id":"demo:c","title":"Crème","path":["Crème"],"confidence":1,"source":"manual","confirmed":true}]}"#)).expect("xmp");
    assert!(xmp.contains("<rdf:li>Crème</rdf:li>"));
    assert!(export_xmp(js(r#"{"tags":[]}"#)).is_err(), "a name is required");
    assert_eq!(xmp_sidecar_name("IMG_0001.JPG"), "IMG_0001.xmp");
}
