//! The concepts the detectors add to the concept graph, as classes after the image model's own:
//! WordNet synsets, so that a customer's "People › Portraits" links to them like to any other
//! concept. Their probabilities are not exclusive of the image model's (a photo is both a dog
//! and a portrait); the graph and the scoring combine them as independent evidence (see
//! `ConceptGraph::with_independent_classes`).

use super::people::People;
use super::text::Word;

/// One detector concept: its WordNet id and the title its generic tag shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DetectorClass {
    pub wnid: &'static str,
    pub title: &'static str,
}

/// In the order of [`probabilities`].
pub const DETECTOR_CLASSES: [DetectorClass; 5] = [
    // people: "(plural) any group of human beings (men or women or children) collectively"
    DetectorClass { wnid: "n07942152", title: "people" },
    // portrait: "any likeness of a person, in any medium"
    DetectorClass { wnid: "n03987079", title: "portrait" },
    // gathering, assemblage: "a group of persons together in one place" (shown as "group")
    DetectorClass { wnid: "n07975026", title: "group" },
    // crowd: "a large number of things or people considered together" (a kind of gathering)
    DetectorClass { wnid: "n08182379", title: "crowd" },
    // text, textual matter: "the words of something written"
    DetectorClass { wnid: "n06387980", title: "text" },
];

/// What the detectors found, as the graph needs it: the people summary and the confidence that
/// the picture contains text (`None`: that detector did not run).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Detected<'a> {
    pub people: Option<&'a People>,
    pub text: Option<f32>,
    /// The words read, which support the taxonomy tags they name.
    pub words: &'a [Word],
}

/// The probability of each of [`DETECTOR_CLASSES`]; zero for what did not run.
pub fn probabilities(detected: Detected<'_>) -> [f32; DETECTOR_CLASSES.len()] {
    let [people, portrait, group, crowd] = match detected.people {
        Some(p) => [p.people, p.portrait, p.group, p.crowd],
        None => [0.0; 4],
    };
    [people, portrait, group, crowd, detected.text.unwrap_or(0.0)]
}
