//! Text model benchmark: how long the MiniLM text engine takes to embed many short phrases
//! (WordNet-like lemmas, as when indexing concept names) and one tag name alone.
//!
//! Usage: `cargo run --release -p smart_tags_tests --example bench_text` (env `THREADS`, default 2;
//! `ITERS`, default 5). Phrases: the 1000 ImageNet class names of `tests/fixtures/reference/`
//! plus 1000 "adjective + name" variants, 1-4 words each. Prints one JSON line:
//! - `load_ms`: loading the model and the vocabulary;
//! - `tokenize_ms`: tokenizing the 2000 phrases (core's WordPiece alone);
//! - `batch_median_ms` / `batch_min_ms`: one `embed` call on the 2000 phrases (chunks of 64
//!   phrases of similar lengths, each padded to its longest);
//! - `batch_cpu_median_ms`: CPU time (all threads, user + system, from `/proc/self/stat` at
//!   100 ticks/s) of one batch run: less sensitive than wall time to a busy machine;
//! - `single_median_ms` / `single_min_ms`: `embed` of one 3-word phrase alone.

use std::time::Instant;

use smart_tags_service::text_engine::{TextEngine, TextEngineConfig, MAX_TOKENS};
use smart_tags_tests::{ort_library, reference_labels, text_model_dir};

const ADJECTIVES: [&str; 10] = ["red", "small", "old", "wild", "wooden", "young", "dark", "large", "broken", "white"];
const SINGLE: &str = "red sports car";

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn min(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}

fn ms<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let start = Instant::now();
    let out = f();
    (start.elapsed().as_secs_f64() * 1000.0, out)
}

/// CPU time of this process so far (user + system, all threads), if `/proc/self/stat` says.
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which ends with the last ')'): state is field 3, utime 14, stime 15.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10.0) // USER_HZ is 100 on Linux
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn phrases() -> Vec<String> {
    let labels = reference_labels();
    let mut out: Vec<String> = labels.iter().map(|l| l.split(' ').take(4).collect::<Vec<_>>().join(" ")).collect();
    for (i, label) in labels.iter().enumerate() {
        let words: Vec<&str> = label.split(' ').take(3).collect();
        out.push(format!("{} {}", ADJECTIVES[i % ADJECTIVES.len()], words.join(" ")));
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let threads = env_usize("THREADS", 2);
    let iters = env_usize("ITERS", 5).max(1);
    let config = TextEngineConfig { model_dir: text_model_dir(), runtime_library: ort_library(), threads };
    let (load_ms, engine) = ms(|| TextEngine::load(&config));
    let engine = engine?;

    let phrases = phrases();
    let texts: Vec<&str> = phrases.iter().map(String::as_str).collect();
    let (tokenize_ms, tokens) =
        ms(|| texts.iter().map(|t| engine.tokenizer().encode(t, MAX_TOKENS).len()).sum::<usize>());

    engine.embed(&texts)?; // warm-up
    engine.embed(&[SINGLE])?;
    let (mut batch, mut single, mut cpu) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..iters {
        let cpu_before = cpu_ms();
        let (t, out) = ms(|| engine.embed(&texts));
        if let (Some(before), Some(after)) = (cpu_before, cpu_ms()) {
            cpu.push(after - before);
        }
        if out?.len() != texts.len() {
            return Err("wrong number of embeddings".into());
        }
        batch.push(t);
    }
    for _ in 0..iters * 10 {
        let (t, out) = ms(|| engine.embed(&[SINGLE]));
        out?;
        single.push(t);
    }
    println!(
        "{{\"model\":\"{}\",\"threads\":{threads},\"phrases\":{},\"tokens\":{tokens},\"load_ms\":{load_ms:.1},\
         \"tokenize_ms\":{tokenize_ms:.2},\"batch_median_ms\":{:.1},\"batch_min_ms\":{:.1},\
         \"batch_cpu_median_ms\":{:.0},\"single_median_ms\":{:.2},\"single_min_ms\":{:.2}}}",
        engine.version(),
        texts.len(),
        median(&mut batch),
        min(&batch),
        median(&mut cpu),
        median(&mut single),
        min(&single),
    );
    Ok(())
}
