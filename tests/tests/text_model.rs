//! The MiniLM text model end to end: core's WordPiece tokenizer against the reference `tokenizers`
//! package, and the service's text engine (ONNX Runtime) against the numpy forward pass of
//! `scripts/model/convert_minilm.py`. Fixtures: `tests/fixtures/minilm/`, made by
//! `scripts/model/make_minilm_fixtures.py`.

use smart_tags_core::text::Tokenizer;
use smart_tags_service::text_engine::{BATCH, DIM, MAX_TOKENS};
use smart_tags_tests::{cosine, minilm_fixture, read, shared_text_engine, text_model_dir};

fn tokenizer() -> Tokenizer {
    let vocab = String::from_utf8(read(&text_model_dir().join("vocab.txt"))).expect("vocab.txt is utf-8");
    Tokenizer::from_vocab(&vocab).unwrap()
}

fn cases(fixture: &serde_json::Value) -> &Vec<serde_json::Value> {
    fixture["cases"].as_array().expect("fixture has cases")
}

fn ids(case: &serde_json::Value) -> Vec<u32> {
    case["ids"].as_array().unwrap().iter().map(|v| u32::try_from(v.as_u64().unwrap()).unwrap()).collect()
}

fn embedding(case: &serde_json::Value) -> Vec<f32> {
    case["embedding"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect()
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn tokenizer_matches_the_reference_tokenizer_exactly() {
    let tokenizer = tokenizer();
    assert_eq!(tokenizer.vocab_size(), 30522);
    let fixture = minilm_fixture("tokens.json");
    let cases = cases(&fixture);
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let mut mismatches = Vec::new();
    for case in cases {
        let text = case["text"].as_str().unwrap();
        let max_len = usize::try_from(case["max_len"].as_u64().unwrap()).unwrap();
        let got = tokenizer.encode(text, max_len);
        let want = ids(case);
        if got != want {
            mismatches.push(format!("{text:?} (max_len {max_len}):\n  got  {got:?}\n  want {want:?}"));
        }
    }
    assert!(mismatches.is_empty(), "{} of {} differ:\n{}", mismatches.len(), cases.len(), mismatches.join("\n"));
}

#[test]
fn embeddings_match_the_numpy_reference() {
    let engine = shared_text_engine();
    assert_eq!(engine.version(), "all-minilm-l6-v2@1");
    let fixture = minilm_fixture("embeddings.json");
    let cases = cases(&fixture);
    let texts: Vec<&str> = cases.iter().map(|c| c["text"].as_str().unwrap()).collect();
    let got = engine.embed(&texts).unwrap();
    assert_eq!(got.len(), texts.len());
    let (mut worst, mut max_diff) = (1.0f64, 0.0f32);
    for (case, emb) in cases.iter().zip(&got) {
        assert_eq!(engine.tokenizer().encode(case["text"].as_str().unwrap(), MAX_TOKENS), ids(case));
        let want = embedding(case);
        assert_eq!(emb.len(), DIM);
        let c = cosine(emb, &want);
        worst = worst.min(c);
        max_diff = emb.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(max_diff, f32::max);
        assert!(c >= 0.9999, "{:?}: cosine {c} with the reference", case["text"]);
    }
    eprintln!(
        "numpy reference, {} texts: lowest cosine {worst:.9}, max |diff| {max_diff:e} (fixture rounded to 1e-6)",
        texts.len()
    );
}

#[test]
fn batched_and_one_by_one_give_the_same_embeddings() {
    let engine = shared_text_engine();
    let texts = [
        "motorbike",
        "a photo of a dog playing in the snow on a sunny winter morning",
        "pets",
        "",
        "Café crème",
        "東京タワー",
    ];
    // More than one chunk, each padded to its longest text.
    let many: Vec<&str> = (0..BATCH * 2 + 3).map(|i| texts[i % texts.len()]).collect();
    let batched = engine.embed(&many).unwrap();
    assert_eq!(batched.len(), many.len());
    let alone: Vec<Vec<f32>> = texts.iter().map(|t| engine.embed(&[t]).unwrap().remove(0)).collect();
    let mut worst = 0.0f32;
    for (i, emb) in batched.iter().enumerate() {
        let single = &alone[i % texts.len()];
        let diff = emb.iter().zip(single).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        worst = worst.max(diff);
        assert!(diff < 1e-5, "{:?}: batched differs from alone by {diff}", many[i]);
        let norm = dot(emb, emb).sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "{:?}: norm {norm}", many[i]);
    }
    eprintln!("max |batched - alone| over {} texts: {worst:e}", many.len());
}

#[test]
fn empty_input_and_long_texts() {
    let engine = shared_text_engine();
    assert!(engine.embed(&[]).unwrap().is_empty());
    let long = "red vintage motorcycle ".repeat(500);
    let truncated: String = long.split(' ').take(40).collect::<Vec<_>>().join(" ");
    let out = engine.embed(&[&long, &truncated]).unwrap();
    // 40 words = 60 tokens after [CLS]: the long text is cut just after them, so they stay close.
    let c = cosine(&out[0], &out[1]);
    eprintln!("cosine(500 repeats truncated, 40 words) = {c:.4}");
    assert!(c > 0.95, "{c}");
}

#[test]
fn similar_tag_names_are_closer_than_unrelated_ones() {
    let engine = shared_text_engine();
    let words = [
        "motorbike",
        "motorcycle",
        "espresso",
        "pets",
        "domestic cat",
        "bridge",
        "breakfast",
        "coffee",
        "suspension bridge",
    ];
    let emb = engine.embed(&words).unwrap();
    let sim = |a: &str, b: &str| {
        let i = words.iter().position(|w| *w == a).unwrap();
        let j = words.iter().position(|w| *w == b).unwrap();
        dot(&emb[i], &emb[j])
    };
    for (a, b) in [
        ("motorbike", "motorcycle"),
        ("motorbike", "espresso"),
        ("pets", "domestic cat"),
        ("pets", "bridge"),
        ("breakfast", "coffee"),
        ("breakfast", "bridge"),
        ("bridge", "suspension bridge"),
        ("bridge", "espresso"),
    ] {
        eprintln!("sim({a:?}, {b:?}) = {:.4}", sim(a, b));
    }
    // Measured (ONNX Runtime 1.32, x86-64): 0.808 vs 0.094; 0.592 vs 0.237; 0.450 vs 0.225.
    assert!(sim("motorbike", "motorcycle") > 0.7);
    assert!(sim("motorbike", "motorcycle") > sim("motorbike", "espresso") + 0.5);
    assert!(sim("pets", "domestic cat") > sim("pets", "bridge") + 0.25);
    assert!(sim("breakfast", "coffee") > sim("breakfast", "bridge") + 0.15);
    assert!(sim("bridge", "suspension bridge") > sim("bridge", "espresso") + 0.3);
}
