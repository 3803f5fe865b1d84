//! The concepts the detectors and the built-in scene model add to the concept graph, as classes
//! after the image model's own: WordNet synsets, so that a customer's "People › Portraits" or
//! "Landscape › Mountains" links to them like to any other concept. Their probabilities are not exclusive of the image model's (a photo is both a dog
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

/// The built-in scene tags (`crate::scenes`), in the order of the scene model's confidences; the
/// title is also the tag's name in the scene labels (`tests/eval/scenes/GUIDE.md`).
pub const SCENE_CLASSES: [DetectorClass; 18] = [
    // sky: "the atmosphere and outer space as viewed from the earth"
    DetectorClass { wnid: "n09436708", title: "sky" },
    // cloud: "a visible mass of water or ice particles suspended at a considerable altitude"
    DetectorClass { wnid: "n09247410", title: "clouds" },
    // sunset: "atmospheric phenomena accompanying the daily disappearance of the sun"
    DetectorClass { wnid: "n11517776", title: "sunset" },
    // night, nighttime, dark: "the time after sunset and before sunrise while it is dark outside"
    DetectorClass { wnid: "n15167027", title: "night" },
    // sea: "a division of an ocean or a large body of salt water partially enclosed by land"
    DetectorClass { wnid: "n09426788", title: "sea" },
    // beach: "an area of sand sloping down to the water of a sea or lake"
    DetectorClass { wnid: "n09217230", title: "beach" },
    // lake: "a body of (usually fresh) water surrounded by land"
    DetectorClass { wnid: "n09328904", title: "lake" },
    // river: "a large natural stream of water (larger than a creek)"
    DetectorClass { wnid: "n09411430", title: "river" },
    // waterfall, falls: "a steep descent of the water of a river"
    DetectorClass { wnid: "n09475292", title: "waterfall" },
    // mountain, mount: "a land mass that projects well above its surroundings; higher than a hill"
    DetectorClass { wnid: "n09359803", title: "mountains" },
    // forest, woodland, timberland, timber: "land that is covered with trees and shrubs"
    DetectorClass { wnid: "n09284015", title: "forest" },
    // snow: "a layer of snowflakes (white crystals of frozen water) covering the ground"
    DetectorClass { wnid: "n15043763", title: "snow" },
    // field: "a piece of land cleared of trees and usually enclosed"
    DetectorClass { wnid: "n08569998", title: "fields" },
    // desert: "arid land with little or no vegetation"
    DetectorClass { wnid: "n08505573", title: "desert" },
    // city, metropolis, urban center: "a large and densely populated urban area"
    DetectorClass { wnid: "n08524735", title: "city" },
    // street: "a thoroughfare (usually including sidewalks) that is lined with buildings"
    DetectorClass { wnid: "n04334599", title: "street" },
    // building, edifice: "a structure that has a roof and walls and stands more or less permanently in one place"
    DetectorClass { wnid: "n02913152", title: "buildings" },
    // room: "an area within a building enclosed by walls and floor and ceiling" (shown as "interior")
    DetectorClass { wnid: "n04105893", title: "interior" },
];

/// Every added class, in the order of [`probabilities`]: the detectors', then the scenes'.
pub fn added_classes() -> impl Iterator<Item = &'static DetectorClass> {
    DETECTOR_CLASSES.iter().chain(SCENE_CLASSES.iter())
}

/// How many classes [`added_classes`] has.
pub const ADDED_CLASSES: usize = DETECTOR_CLASSES.len() + SCENE_CLASSES.len();

/// What the detectors and the scene model found, as the graph needs it: the people summary, the
/// confidence that the picture contains text and the scene confidences (`None`: that part did
/// not run).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Detected<'a> {
    pub people: Option<&'a People>,
    pub text: Option<f32>,
    /// The words read, which support the taxonomy tags they name.
    pub words: &'a [Word],
    /// One confidence per [`SCENE_CLASSES`] entry (`crate::scenes::confidences`).
    pub scenes: Option<&'a [f32; SCENE_CLASSES.len()]>,
}

/// The probability of each of [`added_classes`]; zero for what did not run.
pub fn probabilities(detected: Detected<'_>) -> [f32; ADDED_CLASSES] {
    let [people, portrait, group, crowd] = match detected.people {
        Some(p) => [p.people, p.portrait, p.group, p.crowd],
        None => [0.0; 4],
    };
    let mut out = [0.0; ADDED_CLASSES];
    out[..DETECTOR_CLASSES.len()].copy_from_slice(&[people, portrait, group, crowd, detected.text.unwrap_or(0.0)]);
    if let Some(scenes) = detected.scenes {
        out[DETECTOR_CLASSES.len()..].copy_from_slice(scenes);
    }
    out
}
