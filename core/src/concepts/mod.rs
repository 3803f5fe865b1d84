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
//! - [`senses`]: WordNet's sense order (`index.noun`) and where a word's first sense lies.
//! - [`abstract_rule`]: which concepts are too abstract to be tags ("entity", "whole", ...).
//!
//! No I/O: the caller reads `data.noun`, `noun.exc` and the class list (installed by
//! `scripts/setup-wordnet.sh` and `scripts/setup-model.sh`) and passes their text.

pub mod abstract_rule;
pub mod graph;
pub mod morphy;
pub mod senses;
pub mod wordnet;

pub use graph::{Concept, ConceptError, ConceptGraph, ConceptIdx, TermMeaning};
pub use morphy::{Morphy, MorphyError};
pub use senses::{SenseError, SenseIndex};
pub use wordnet::{WordNet, WordNetError};
