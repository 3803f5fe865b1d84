//! `core`'s own decoding and preprocessing of the scikit-image photos reproduces the reference
//! input tensors (mean absolute difference <= 1/128) and, through the model, the reference
//! embeddings (cosine >= 0.999) and top-1 classes.

use smart_tags_core::preprocess::{preprocess, Options};
use smart_tags_tests::{argmax, cosine, engine, fixture, mean_abs_diff, read, reference_f32, REFERENCE_PHOTOS};

#[test]
fn core_preprocessing_matches_the_reference_inputs_and_embeddings() {
    for photo in REFERENCE_PHOTOS {
        let bytes = read(&fixture(&format!("skimage/{photo}")));
        let prepared = preprocess(&bytes, &Options::default()).unwrap_or_else(|e| panic!("{photo}: {e}"));
        let tensor = prepared.model_input.to_tensor();
        let reference = reference_f32(&format!("{photo}.input.f32"));
        let mad = mean_abs_diff(&tensor, &reference);
        let out = engine().infer_tensor(&tensor, 1).unwrap().remove(0);
        let cos = cosine(&out.embedding, &reference_f32(&format!("{photo}.emb.f32")));
        let same_top1 = argmax(&out.logits) == argmax(&reference_f32(&format!("{photo}.logits.f32")));
        println!(
            "{photo}: input mean |diff| {mad:.6} (limit {:.6}), embedding cosine {cos:.6}, same top-1 {same_top1}",
            1.0 / 128.0
        );
        assert!(mad <= 1.0 / 128.0, "{photo}: mean abs diff {mad}");
        assert!(cos >= 0.999, "{photo}: cosine {cos}");
        assert!(same_top1, "{photo}: top-1 differs");
    }
}
