//! What a word means according to WordNet, beyond the concepts above the model's classes.
//!
//! WordNet's `index.noun` lists, for every noun lemma, its senses (synsets) in order of
//! frequency: "toy" is first a plaything and only fifth a toy dog; "deer" has one sense, which no
//! ImageNet class lies beneath. The linker uses this to read a tag's title the way a person
//! would:
//! - lookups prefer the most frequent sense ([`super::ConceptGraph::lookup`] sorts by it);
//! - a word whose most frequent sense has no concept in the graph is not matched by text
//!   similarity to a concept outside that sense's *genus*: the nearest concepts of the graph
//!   above the sense ("deer" → ruminant, so never "Scottish deerhound"). When the nearest such
//!   concept is one of WordNet's unique beginners (`noun.Tops`: artifact, object, whole… — other
//!   than the four basic-level ones that stay tags), the sense is out of the model's reach and
//!   the word links to nothing: "space" (first sense: the unlimited expanse) never becomes the
//!   space bar, "wildlife" never becomes every animal.
//!
//! `index.noun` lines read `lemma pos synset_cnt p_cnt [ptr_symbol…] sense_cnt tagsense_cnt
//! synset_offset…` (`wndb(5WN)`); lines starting with two spaces are the licence header.

use std::collections::{HashMap, HashSet, VecDeque};

use thiserror::Error;

use super::abstract_rule::TOPS_ALLOWED;
use super::wordnet::{parse_wnid, Relation, WordNet, LEX_NOUN_TOPS};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SenseError {
    #[error("index.noun line {line}: {message}")]
    Bad { line: usize, message: String },
    #[error("index.noun has no lemmas")]
    Empty,
}

/// The senses of every noun lemma, most frequent first, as WordNet offsets.
#[derive(Debug, Clone, Default)]
pub struct SenseIndex {
    senses: HashMap<String, Vec<u32>>,
}

impl SenseIndex {
    /// Parses `index.noun`.
    pub fn parse(index_noun: &str) -> Result<SenseIndex, SenseError> {
        let mut senses: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, line) in index_noun.lines().enumerate() {
            if line.starts_with("  ") || line.trim().is_empty() {
                continue;
            }
            let bad = |message: &str| SenseError::Bad { line: i + 1, message: message.to_owned() };
            let fields: Vec<&str> = line.split_whitespace().collect();
            let count = |at: usize, what: &str| -> Result<usize, SenseError> {
                fields.get(at).and_then(|f| f.parse::<usize>().ok()).ok_or_else(|| bad(&format!("bad {what}")))
            };
            let synset_cnt = count(2, "synset count")?;
            let p_cnt = count(3, "pointer count")?;
            let first_offset = 4 + p_cnt + 2;
            if fields.len() != first_offset + synset_cnt {
                return Err(bad("the synset count does not match the offsets"));
            }
            let offsets = fields[first_offset..]
                .iter()
                .map(|f| if f.len() == 8 { f.parse::<u32>().ok() } else { None })
                .collect::<Option<Vec<u32>>>()
                .ok_or_else(|| bad("a synset offset is not 8 digits"))?;
            senses.insert(super::morphy::normalize(fields[0]), offsets);
        }
        if senses.is_empty() {
            return Err(SenseError::Empty);
        }
        Ok(SenseIndex { senses })
    }

    /// The senses of a normalized lemma, most frequent first.
    pub fn senses(&self, lemma: &str) -> Option<&[u32]> {
        self.senses.get(lemma).map(Vec::as_slice)
    }

    /// Every lemma with its senses.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u32])> {
        self.senses.iter().map(|(l, s)| (l.as_str(), s.as_slice()))
    }

    pub fn len(&self) -> usize {
        self.senses.len()
    }

    pub fn is_empty(&self) -> bool {
        self.senses.is_empty()
    }
}

/// Where a word's most frequent sense lies relative to the concepts of the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Genus {
    /// WordNet does not know the word (nor its base forms): nothing restricts it.
    Unknown,
    /// The sense's nearest concepts in the graph (the sense itself when it is in the graph).
    Within(Vec<u32>),
    /// The sense lies outside everything the model can see (its nearest concept in the graph is
    /// a unique beginner such as "artifact" or "object", or there is none).
    OutOfReach,
}

/// The genus of `offset` (see the module documentation): a breadth-first walk up the hypernyms
/// of the full WordNet, stopping at the first level that reaches the graph (`in_graph`).
pub fn genus_of(wordnet: &WordNet, offset: u32, in_graph: impl Fn(u32) -> bool) -> Genus {
    let allowed_top = |o: u32| TOPS_ALLOWED.iter().any(|&(id, _)| parse_wnid(id) == Some(o));
    let mut seen: HashSet<u32> = HashSet::from([offset]);
    let mut level: VecDeque<u32> = VecDeque::from([offset]);
    while !level.is_empty() {
        let reached: Vec<u32> = level.iter().copied().filter(|&o| in_graph(o)).collect();
        if !reached.is_empty() {
            let usable: Vec<u32> = reached
                .into_iter()
                .filter(|&o| wordnet.get(o).is_some_and(|s| s.lex_file != LEX_NOUN_TOPS) || allowed_top(o))
                .collect();
            return if usable.is_empty() { Genus::OutOfReach } else { Genus::Within(usable) };
        }
        let mut next = VecDeque::new();
        for o in level {
            let Some(synset) = wordnet.get(o) else { continue };
            for p in
                synset.pointers.iter().filter(|p| matches!(p.relation, Relation::Hypernym | Relation::InstanceHypernym))
            {
                if seen.insert(p.target) {
                    next.push_back(p.target);
                }
            }
        }
        level = next;
    }
    Genus::OutOfReach
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = "  1 This software and database is being provided\n\
        toy n 2 3 @ ~ + 2 1 03964744 02085374  \n\
        military_vehicle n 1 2 @ ~ 1 0 03764276  \n";

    #[test]
    fn senses_keep_wordnet_order_and_lemmas_are_normalized() {
        let index = SenseIndex::parse(INDEX).unwrap();
        assert_eq!(index.senses("toy"), Some(&[3964744, 2085374][..]));
        assert_eq!(index.senses("military vehicle"), Some(&[3764276][..]));
        assert_eq!(index.len(), 2);
    }

    #[test]
    fn malformed_lines_are_refused_with_their_number() {
        let err = SenseIndex::parse("toy n 2 0 2 1 03964744\n").unwrap_err();
        assert_eq!(err, SenseError::Bad { line: 1, message: "the synset count does not match the offsets".into() });
        assert_eq!(SenseIndex::parse("  header only\n").unwrap_err(), SenseError::Empty);
    }

    fn toy_wordnet() -> WordNet {
        // entity(Tops) > artifact(Tops) > plaything; animal(Tops, allowed) > ruminant > deer;
        // artifact > way > stairway > flight.
        let lines = [
            "00001740 03 n 01 entity 0 000 | that which exists",
            "00021939 03 n 01 artifact 0 001 @ 00001740 n 0000 | a man-made object",
            "03964744 06 n 01 plaything 0 001 @ 00021939 n 0000 | an artifact designed to be played with",
            "00015388 03 n 01 animal 0 001 @ 00001740 n 0000 | a living organism",
            "02399000 05 n 01 ruminant 0 001 @ 00015388 n 0000 | cud-chewing mammal",
            "02430045 05 n 01 deer 0 001 @ 02399000 n 0000 | antlered ruminant",
            "04564698 06 n 01 way 0 001 @ 00021939 n 0000 | any artifact consisting of a road or path",
            "04314914 06 n 01 stairway 0 001 @ 04564698 n 0000 | a way of stairs",
            "03363059 06 n 01 flight 0 001 @ 04314914 n 0000 | a set of steps",
        ];
        WordNet::parse(&(lines.join("\n") + "\n")).unwrap()
    }

    #[test]
    fn the_genus_is_the_nearest_concept_in_the_graph_unless_it_is_a_unique_beginner() {
        let wordnet = toy_wordnet();
        let graph: HashSet<u32> = [1740, 21939, 3964744, 15388, 2399000].into();
        let in_graph = |o: u32| graph.contains(&o);
        assert_eq!(genus_of(&wordnet, 2430045, in_graph), Genus::Within(vec![2399000]), "deer → ruminant");
        assert_eq!(genus_of(&wordnet, 3964744, in_graph), Genus::Within(vec![3964744]), "in the graph: itself");
        assert_eq!(
            genus_of(&wordnet, 3363059, in_graph),
            Genus::OutOfReach,
            "flight of stairs → artifact, a unique beginner"
        );
        assert_eq!(genus_of(&wordnet, 15388, in_graph), Genus::Within(vec![15388]), "animal is an allowed top");
    }
}
