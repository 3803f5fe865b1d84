//! WordNet's noun morphology ("morphy", `morphy(7WN)`), so that "Cats", "Buses", "Women" and
//! "mice" find "cat", "bus", "woman" and "mouse".
//!
//! A word's candidate base forms are, in order: the forms listed for it in `noun.exc` (irregular
//! plurals), then the result of every detachment rule whose suffix it ends with
//! (`s`→"", `ses`→`s`, `xes`→`x`, `zes`→`z`, `ches`→`ch`, `shes`→`sh`, `men`→`man`, `ies`→`y`).
//! As in WordNet's own `morphstr`, no rule is applied to words of two letters or fewer or ending
//! in `ss` ("glass" is not "glas"). The candidates are *not* checked against the lexicon: the caller
//! keeps those that name a concept. Differences from WordNet's C code: the `-ful` rule
//! ("boxesful") and the word-by-word morphing of collocations are left out; a collocation is
//! morphed as a whole, which changes its last word ("sports cars" → "sports car").

use std::collections::HashMap;

use thiserror::Error;

/// Noun detachment rules: (suffix, replacement), in WordNet's order.
const RULES: [(&str, &str); 8] =
    [("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"), ("ies", "y")];

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MorphyError {
    #[error("noun.exc line {line}: expected an inflected form followed by at least one base form")]
    BadLine { line: usize },
}

/// The form every lookup compares: lowercase, `_` and `-` as spaces, runs of white space collapsed
/// to one space, no leading or trailing space ("Felis_catus" and "felis  catus" are both
/// "felis catus"; "T-shirt" is "t shirt").
pub fn normalize(term: &str) -> String {
    let spaced: String =
        term.chars().map(|c| if c == '_' || c == '-' { ' ' } else { c }).collect::<String>().to_lowercase();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The noun exceptions and detachment rules.
#[derive(Debug, Clone, Default)]
pub struct Morphy {
    /// Normalized inflected form → normalized base forms.
    exceptions: HashMap<String, Vec<String>>,
}

impl Morphy {
    /// Reads `noun.exc`: one inflected form per line followed by its base forms, separated by
    /// spaces, underscores inside collocations. Blank lines are skipped.
    pub fn parse_exceptions(noun_exc: &str) -> Result<Morphy, MorphyError> {
        let mut exceptions: HashMap<String, Vec<String>> = HashMap::new();
        for (i, line) in noun_exc.lines().enumerate() {
            let mut fields = line.split_whitespace();
            let Some(inflected) = fields.next() else { continue };
            let bases: Vec<String> = fields.map(normalize).collect();
            if bases.is_empty() {
                return Err(MorphyError::BadLine { line: i + 1 });
            }
            let entry = exceptions.entry(normalize(inflected)).or_default();
            for base in bases {
                if !entry.contains(&base) {
                    entry.push(base);
                }
            }
        }
        Ok(Morphy { exceptions })
    }

    /// Number of irregular forms known.
    pub fn exception_count(&self) -> usize {
        self.exceptions.len()
    }

    /// Candidate base forms of a word (normalized first), without the word itself, without
    /// duplicates, exceptions first.
    pub fn base_forms(&self, word: &str) -> Vec<String> {
        let word = normalize(word);
        let mut forms: Vec<String> = Vec::new();
        let mut add = |form: String| {
            if form != word && !form.is_empty() && !forms.contains(&form) {
                forms.push(form);
            }
        };
        if let Some(bases) = self.exceptions.get(&word) {
            bases.iter().cloned().for_each(&mut add);
        }
        if word.chars().count() > 2 && !word.ends_with("ss") {
            for (suffix, replacement) in RULES {
                if let Some(stem) = word.strip_suffix(suffix) {
                    add(format!("{stem}{replacement}"));
                }
            }
        }
        forms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXC: &str = "mice mouse\nfeet foot\naxes ax axis\nbeadsmen beadsman bedesman\n";

    #[test]
    fn normalizes_case_separators_and_spaces() {
        assert_eq!(normalize("  Felis_catus "), "felis catus");
        assert_eq!(normalize("T-Shirt"), "t shirt");
        assert_eq!(normalize("hot   dog"), "hot dog");
        assert_eq!(normalize(""), "");
    }

    #[test]
    fn regular_plurals_are_detached() {
        let morphy = Morphy::parse_exceptions(EXC).unwrap();
        assert!(morphy.base_forms("Cats").contains(&"cat".to_owned()));
        assert!(morphy.base_forms("Shoes").contains(&"shoe".to_owned()));
        assert!(morphy.base_forms("Buses").contains(&"bus".to_owned()));
        assert!(morphy.base_forms("boxes").contains(&"box".to_owned()));
        assert!(morphy.base_forms("churches").contains(&"church".to_owned()));
        assert!(morphy.base_forms("dishes").contains(&"dish".to_owned()));
        assert!(morphy.base_forms("Women").contains(&"woman".to_owned()));
        assert!(morphy.base_forms("Berries").contains(&"berry".to_owned()));
        assert!(morphy.base_forms("sports_cars").contains(&"sports car".to_owned()));
    }

    #[test]
    fn exceptions_come_first() {
        let morphy = Morphy::parse_exceptions(EXC).unwrap();
        assert_eq!(morphy.exception_count(), 4);
        assert_eq!(morphy.base_forms("Mice"), ["mouse"]);
        assert_eq!(morphy.base_forms("axes")[..2], ["ax", "axis"]);
        assert_eq!(morphy.base_forms("beadsmen")[..2], ["beadsman", "bedesman"]);
    }

    #[test]
    fn short_words_and_ss_are_left_alone() {
        let morphy = Morphy::default();
        assert!(morphy.base_forms("glass").is_empty());
        assert!(morphy.base_forms("as").is_empty());
        assert!(morphy.base_forms("cat").is_empty());
        assert!(morphy.base_forms("").is_empty());
    }

    #[test]
    fn a_line_without_a_base_form_is_an_error() {
        assert_eq!(Morphy::parse_exceptions("mice mouse\n\ngeese\n").unwrap_err(), MorphyError::BadLine { line: 3 });
    }
}
