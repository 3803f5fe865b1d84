//! The WordNet noun hierarchy above the ImageNet classes, and generic tags from it.
//!
//! The image model scores 1000 ImageNet classes, each a WordNet noun synset. Above them WordNet
//! has broader concepts ("tiger cat" → "domestic cat" → "cat" → "feline" → … → "animal"); a
//! concept's confidence is the summed probability of the distinct classes beneath it.
//!
//! - [`wordnet`]: parsing `data.noun` (synsets, lemmas, hypernyms, glosses).
//! - [`morphy`]: WordNet's noun morphology (`noun.exc` and plural rules) for lookups by name.
//! - [`graph`]: the [`ConceptGraph`] of the classes and their ancestors; roll-up, lookup, paths,
//!   generic tags.
//! - [`abstract_rule`]: which concepts are too abstract to be tags ("entity", "whole", ...).
//!
//! No I/O: the caller reads `data.noun`, `noun.exc` and the class list (installed by
//! `scripts/setup-wordnet.sh` and `scripts/setup-model.sh`) and passes their text.

pub mod abstract_rule;
pub mod graph;
pub mod morphy;
pub mod wordnet;

pub use graph::{Concept, ConceptError, ConceptGraph, ConceptIdx};
pub use morphy::{Morphy, MorphyError};
pub use wordnet::{WordNet, WordNetError};
