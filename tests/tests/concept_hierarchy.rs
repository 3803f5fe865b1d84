//! The WordNet concept hierarchy on the real data: Debian's WordNet 3.0 above the model's 1000
//! ImageNet classes, and the roll-up of our engine's probabilities for the reference photos.
//! The thresholds sit below the values observed on the reference inputs (noted next to each).

use std::sync::OnceLock;

use smart_tags_core::concepts::abstract_rule::{DENIED, TOPS_ALLOWED};
use smart_tags_core::concepts::wordnet::LEX_NOUN_TOPS;
use smart_tags_core::concepts::{ConceptGraph, ConceptIdx, Morphy, WordNet};
use smart_tags_core::detect::classes::{added_classes, ADDED_CLASSES};
use smart_tags_core::prediction::softmax;
use smart_tags_tests::{engine, model_dir, read, reference_f32, wordnet_dir};

const ENTITY: &str = "n00001740";
const ANIMAL: &str = "n00015388";
const DOMESTIC_CAT: &str = "n02121808";
const BEVERAGE: &str = "n07881800";
const VEHICLE: &str = "n04524313";
const WHEELED_VEHICLE: &str = "n04576211";
const MOTOR_VEHICLE: &str = "n03791235";

fn text(path: &std::path::Path) -> String {
    String::from_utf8(read(path)).unwrap_or_else(|e| panic!("{} is not utf-8: {e}", path.display()))
}

fn class_wnids() -> Vec<String> {
    text(&model_dir().join("imagenet_synsets.txt")).lines().map(str::to_owned).collect()
}

fn graph() -> &'static ConceptGraph {
    static GRAPH: OnceLock<ConceptGraph> = OnceLock::new();
    GRAPH.get_or_init(|| {
        let wordnet = WordNet::parse(&text(&wordnet_dir().join("data.noun"))).unwrap();
        let morphy = Morphy::parse_exceptions(&text(&wordnet_dir().join("noun.exc"))).unwrap();
        // As the service builds it: the image model's classes, then the detector concepts and the
        // built-in scenes.
        let mut classes = class_wnids();
        let image_classes = classes.len();
        classes.extend(added_classes().map(|c| c.wnid.to_owned()));
        ConceptGraph::build(&wordnet, &classes).unwrap().with_independent_classes(image_classes).with_morphy(morphy)
    })
}

fn idx(wnid: &str) -> ConceptIdx {
    graph().find(wnid).unwrap_or_else(|| panic!("{wnid} is not in the graph"))
}

/// Concept scores of a reference photo, from our engine's logits on the reference input tensor.
fn scores(photo: &str) -> Vec<f32> {
    let input = reference_f32(&format!("{photo}.input.f32"));
    let logits = engine().infer_tensor(&input, 1).unwrap().remove(0).logits;
    graph().roll_up(&softmax(&logits))
}

fn generic_tags(photo: &str) -> (Vec<f32>, Vec<(ConceptIdx, f32)>) {
    let scores = scores(photo);
    let tags = graph().generic_tags(&scores, 0.2, 20);
    let shown: Vec<String> = tags.iter().map(|&(i, s)| format!("{} {s:.3}", graph().title(i))).collect();
    println!("{photo}: {}", shown.join(", "));
    for &(i, _) in &tags {
        assert!(graph().concept(i).taggable, "{photo}: {} is not taggable", graph().title(i));
    }
    (scores, tags)
}

fn score(scores: &[f32], wnid: &str) -> f32 {
    scores[idx(wnid).index()]
}

#[test]
fn every_class_is_in_the_graph_with_a_path_to_entity() {
    let g = graph();
    let wnids = class_wnids();
    assert_eq!(wnids.len(), 1000);
    assert_eq!(
        g.class_count(),
        1000 + ADDED_CLASSES,
        "the image model's classes, then the detector concepts and the scenes"
    );
    println!("{} concepts, {} taggable", g.concepts().len(), g.concepts().iter().filter(|c| c.taggable).count());
    for (class, wnid) in wnids.iter().enumerate() {
        let concept = g.class_concept(class).unwrap();
        assert_eq!(&g.concept(concept).wnid, wnid);
        assert!(g.concept(concept).classes.contains(&(class as u16)));
        assert!(g.concept(concept).taggable, "class {wnid} ({}) is not taggable", g.title(concept));
        // Up along first hypernyms: depth strictly decreases, so this ends at a root.
        let mut at = concept;
        while let Some(&parent) = g.concept(at).parents.first() {
            assert!(g.concept(parent).depth < g.concept(at).depth);
            at = parent;
        }
        assert_eq!(g.concept(at).wnid, ENTITY, "class {wnid}");
        assert!(!g.primary_path(concept).is_empty());
    }
    let roots: Vec<&str> = g.concepts().iter().filter(|c| c.parents.is_empty()).map(|c| c.wnid.as_str()).collect();
    assert_eq!(roots, [ENTITY]);
    assert_eq!(g.concept(idx(ENTITY)).classes.len(), 1000 + ADDED_CLASSES);
}

#[test]
fn the_abstract_rule_names_real_concepts() {
    let g = graph();
    for (wnid, title) in TOPS_ALLOWED {
        let concept = g.concept(idx(wnid));
        assert_eq!(concept.lex_file, LEX_NOUN_TOPS, "{wnid} {title} is not in noun.Tops");
        assert!(concept.taggable);
    }
    for (wnid, title, _) in DENIED {
        let concept = g.concept(idx(wnid));
        assert_eq!(concept.lemmas[0], *title, "{wnid}");
        assert_ne!(concept.lex_file, LEX_NOUN_TOPS, "{wnid} {title} is denied by the noun.Tops rule already");
        assert!(!concept.taggable);
    }
    let tops = g.concepts().iter().filter(|c| c.lex_file == LEX_NOUN_TOPS).count();
    assert_eq!(tops, 28, "noun.Tops synsets above the ImageNet classes, the detector concepts (group) and the scenes (location, phenomenon, process, measure)");
}

#[test]
fn a_cat_photo_is_a_cat_and_an_animal() {
    let (scores, tags) = generic_tags("chelsea.png");
    // Observed: domestic cat 0.916, animal 0.952, mammal 0.945.
    assert!(score(&scores, DOMESTIC_CAT) >= 0.85, "domestic cat {}", score(&scores, DOMESTIC_CAT));
    assert!(score(&scores, ANIMAL) >= 0.93, "animal {}", score(&scores, ANIMAL));
    assert!(score(&scores, ENTITY) > 0.999);
    let titles: Vec<&str> = tags.iter().map(|&(i, _)| graph().title(i)).collect();
    for expected in ["animal", "mammal", "feline", "cat", "domestic animal", "domestic cat", "tiger cat"] {
        assert!(titles.contains(&expected), "{expected} missing from {titles:?}");
    }
    for jargon in ["entity", "whole", "organism", "chordate", "vertebrate", "placental", "carnivore"] {
        assert!(!titles.contains(&jargon), "{jargon} in {titles:?}");
    }
    assert_eq!(titles[0], "animal");
    assert!(tags.windows(2).all(|w| w[0].1 >= w[1].1));
}

#[test]
fn a_coffee_photo_is_a_beverage() {
    let (scores, tags) = generic_tags("coffee.png");
    // Observed: beverage 0.971, coffee 0.957.
    assert!(score(&scores, BEVERAGE) >= 0.9, "beverage {}", score(&scores, BEVERAGE));
    assert!(tags.iter().any(|&(i, _)| i == idx(BEVERAGE)));
    assert!(tags.iter().any(|&(i, _)| graph().title(i) == "coffee"));
}

#[test]
fn a_motorcycle_photo_is_a_vehicle() {
    let (scores, tags) = generic_tags("motorcycle_left.png");
    // Observed: vehicle 0.703, wheeled vehicle 0.699, motor vehicle 0.508, motorcycle 0.499.
    assert!(score(&scores, VEHICLE) >= 0.6, "vehicle {}", score(&scores, VEHICLE));
    assert!(score(&scores, WHEELED_VEHICLE) >= 0.6, "wheeled vehicle {}", score(&scores, WHEELED_VEHICLE));
    assert!(score(&scores, MOTOR_VEHICLE) >= 0.4, "motor vehicle {}", score(&scores, MOTOR_VEHICLE));
    let titles: Vec<&str> = tags.iter().map(|&(i, _)| graph().title(i)).collect();
    assert!(titles.contains(&"motorcycle"), "{titles:?}");
    // WordNet files wheeled vehicles under "container"; the abstract rule keeps it out.
    assert!(!titles.contains(&"container") && !titles.contains(&"conveyance"), "{titles:?}");
}

#[test]
fn every_reference_photo_has_only_taggable_tags() {
    for photo in smart_tags_tests::REFERENCE_PHOTOS {
        let (_, tags) = generic_tags(photo);
        assert!(!tags.is_empty(), "{photo}: no generic tag at 0.2");
    }
}

#[test]
fn lookups_find_concepts_by_everyday_words() {
    let g = graph();
    let first = |term: &str| g.lookup(term).first().map(|&i| g.concept(i).wnid.clone());
    assert_eq!(first("motorcycles").as_deref(), Some("n03790512"));
    assert_eq!(first("Cats").as_deref(), Some("n02121620"), "the feline before 'big cat'");
    assert_eq!(g.lookup("Cats").len(), 2);
    assert_eq!(first("dog").as_deref(), Some("n02084071"));
    assert_eq!(first("Dogs").as_deref(), Some("n02084071"));
    assert_eq!(first("Buses").as_deref(), Some("n02924116"));
    assert_eq!(first("Shoes").as_deref(), Some("n04199027"));
    assert_eq!(first("Berries").as_deref(), Some("n07742704"));
    assert_eq!(first("geese").as_deref(), Some("n01855672"), "noun.exc");
    assert_eq!(first("house_cat").as_deref(), Some(DOMESTIC_CAT));
    assert_eq!(first("vehicles").as_deref(), Some(VEHICLE));
    assert!(g.lookup("women").is_empty(), "no ImageNet class lies beneath 'woman'");
    assert!(g.lookup("").is_empty());
}
