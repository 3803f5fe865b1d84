//! The concepts the detectors add to the concept graph, as classes after the image model's own:
//! WordNet synsets, so that a customer's "People › Portraits" links to them like to any other
//! concept. Their probabilities are not exclusive of the image model's (a photo is both a dog
//! and a portrait); the graph and the scoring combine them as independent evidence (see
//! `ConceptGraph::with_independent_classes`).

use super::people::People;

/// One detector concept: its WordNet id and the title its generic tag shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DetectorClass {
    pub wnid: &'static str,
    pub title: &'static str,
}

/// In the order of [`probabilities`].
pub const DETECTOR_CLASSES: [DetectorClass; 4] = [
    // people: "(plural) any group of human beings (men or women or children) collectively"
    DetectorClass { wnid: "n07942152", title: "people" },
    // portrait: "any likeness of a person, in any medium"
    DetectorClass { wnid: "n03987079", title: "portrait" },
    // gathering, assemblage: "a group of persons together in one place" (shown as "group")
    DetectorClass { wnid: "n07975026", title: "group" },
    // crowd: "a large number of things or people considered together" (a kind of gathering)
    DetectorClass { wnid: "n08182379", title: "crowd" },
];

/// The probability of each of [`DETECTOR_CLASSES`]; all zero when the detectors did not run.
pub fn probabilities(people: Option<&People>) -> [f32; DETECTOR_CLASSES.len()] {
    match people {
        Some(p) => [p.people, p.portrait, p.group, p.crowd],
        None => [0.0; DETECTOR_CLASSES.len()],
    }
}
