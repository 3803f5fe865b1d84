//! The port of EfficientNet-Lite0 is exact: from the reference input tensors, the ONNX model run by
//! our engine gives the reference embeddings (cosine >= 0.9999) and the reference top-1 class.

use smart_tags_tests::{argmax, cosine, engine, reference_f32, reference_labels, REFERENCE_PHOTOS};

#[test]
fn embeddings_and_top1_match_the_pytorch_reference() {
    let labels = reference_labels();
    for photo in REFERENCE_PHOTOS {
        let input = reference_f32(&format!("{photo}.input.f32"));
        let out = engine().infer_tensor(&input, 1).unwrap().remove(0);
        let ref_emb = reference_f32(&format!("{photo}.emb.f32"));
        let ref_logits = reference_f32(&format!("{photo}.logits.f32"));
        let cos = cosine(&out.embedding, &ref_emb);
        let (ours, theirs) = (argmax(&out.logits), argmax(&ref_logits));
        println!("{photo}: embedding cosine {cos:.6}, top-1 {} (reference {})", labels[ours], labels[theirs]);
        assert!(cos >= 0.9999, "{photo}: embedding cosine {cos}");
        assert_eq!(ours, theirs, "{photo}: top-1 {} vs reference {}", labels[ours], labels[theirs]);
    }
}

#[test]
fn expected_classes_and_labels() {
    let expected = [
        ("chelsea.png", "tiger cat"),
        ("coffee.png", "espresso"),
        ("astronaut.png", "bobsled"),
        ("rocket.jpg", "missile"),
        ("motorcycle_left.png", "moped"),
    ];
    for (photo, label) in expected {
        let input = reference_f32(&format!("{photo}.input.f32"));
        let logits = engine().infer_tensor(&input, 1).unwrap().remove(0).logits;
        let prediction = engine().prediction_from_logits(&logits, 3);
        assert_eq!(prediction.tags[0].label, label, "{photo}");
        assert!(prediction.tags[0].wnid.starts_with('n') && prediction.tags[0].wnid.len() == 9);
        assert!(prediction.tags.windows(2).all(|w| w[0].confidence >= w[1].confidence));
    }
}

#[test]
fn a_batch_gives_the_same_answers_as_single_images() {
    let inputs: Vec<Vec<f32>> = REFERENCE_PHOTOS.iter().map(|p| reference_f32(&format!("{p}.input.f32"))).collect();
    let batch: Vec<f32> = inputs.concat();
    let batched = engine().infer_tensor(&batch, inputs.len()).unwrap();
    for (input, from_batch) in inputs.iter().zip(&batched) {
        let single = engine().infer_tensor(input, 1).unwrap().remove(0);
        assert!(cosine(&single.embedding, &from_batch.embedding) > 0.99999);
        assert_eq!(argmax(&single.logits), argmax(&from_batch.logits));
    }
}

#[test]
fn a_wrong_sized_tensor_is_an_error() {
    assert!(engine().infer_tensor(&[0.0; 10], 1).is_err());
    assert!(engine().infer_tensor(&[], 0).is_err());
}
