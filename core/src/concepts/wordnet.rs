//! A parser for WordNet 3.0's `data.noun` (the format of `wndb(5WN)`), from text already in memory.
//!
//! Each synset line reads
//! `offset lex_filenum ss_type w_cnt word lex_id [word lex_id...] p_cnt [ptr...] | gloss`,
//! where `w_cnt` is two hex digits, `lex_id` one hex digit, `p_cnt` three decimal digits and each
//! pointer is `symbol offset pos source/target`. Lines starting with two spaces are the license
//! header. Every line is parsed into a map keyed by offset: Debian's `wordnet-base` ships a patched
//! 3.0, so nothing here assumes that a synset's offset equals its byte position in the file.
//!
//! Only the noun-to-noun relations the concept hierarchy needs are kept (hypernyms, instance
//! hypernyms and their inverses); other pointers are checked for shape and skipped.

use std::collections::HashMap;

use thiserror::Error;

/// Lexicographer file of the "unique beginners" (`noun.Tops`), WordNet's most general nouns.
pub const LEX_NOUN_TOPS: u8 = 3;

/// Largest lexicographer file number WordNet 3.0 defines (`lexnames(5WN)`: 0 to 44).
const MAX_LEX_FILE: u8 = 44;

/// Why a `data.noun` line could not be read. Line numbers count from 1.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WordNetError {
    #[error("data.noun line {line}: the synset offset {found:?} is not 8 digits")]
    BadOffset { line: usize, found: String },
    #[error("data.noun line {line}: the lexicographer file {found:?} is not a number from 00 to 44")]
    BadLexFile { line: usize, found: String },
    #[error("data.noun line {line}: the synset type {found:?} is not a noun (n)")]
    NotNoun { line: usize, found: String },
    #[error("data.noun line {line}: the {field} {found:?} is not a valid count")]
    BadCount { line: usize, field: &'static str, found: String },
    #[error("data.noun line {line}: the line ends before its {field}")]
    Truncated { line: usize, field: &'static str },
    #[error("data.noun line {line}: the pointer {found:?} is malformed")]
    BadPointer { line: usize, found: String },
    #[error("data.noun line {line}: expected '|' before the gloss, found {found:?}")]
    NoGloss { line: usize, found: String },
    #[error("data.noun line {line}: synset {offset:08} was already defined on line {first}")]
    Duplicate { line: usize, offset: u32, first: usize },
    #[error("data.noun has no synsets")]
    Empty,
}

/// The noun-to-noun relations kept from a synset's pointers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    /// `@`: the target is a more general concept ("cat" → "feline").
    Hypernym,
    /// `@i`: the synset is an instance of the target ("Mars" → "planet").
    InstanceHypernym,
    /// `~`: the target is a more specific concept.
    Hyponym,
    /// `~i`: the target is an instance of this synset.
    InstanceHyponym,
}

impl Relation {
    fn from_symbol(symbol: &str) -> Option<Relation> {
        match symbol {
            "@" => Some(Relation::Hypernym),
            "@i" => Some(Relation::InstanceHypernym),
            "~" => Some(Relation::Hyponym),
            "~i" => Some(Relation::InstanceHyponym),
            _ => None,
        }
    }
}

/// A pointer to another noun synset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pointer {
    pub relation: Relation,
    /// Offset (synset id) of the target.
    pub target: u32,
}

/// One noun synset.
#[derive(Debug, Clone, PartialEq)]
pub struct Synset {
    /// The synset id within `data.noun`; the WordNet id is `n` followed by it in 8 digits.
    pub offset: u32,
    /// Lexicographer file number (3 = `noun.Tops`, 5 = `noun.animal`, 6 = `noun.artifact`, ...).
    pub lex_file: u8,
    /// The synonyms in WordNet's order, underscores turned into spaces, original case kept
    /// ("domestic cat", "Felis catus").
    pub words: Vec<String>,
    /// Hypernym, instance hypernym and hyponym pointers, in file order.
    pub pointers: Vec<Pointer>,
    /// The definition and examples after `|`.
    pub gloss: String,
}

impl Synset {
    /// The WordNet id, e.g. `n02121808`.
    pub fn wnid(&self) -> String {
        wnid(self.offset)
    }

    /// The more general synsets: hypernyms and instance hypernyms, in file order.
    pub fn parents(&self) -> impl Iterator<Item = u32> + '_ {
        self.pointers
            .iter()
            .filter(|p| matches!(p.relation, Relation::Hypernym | Relation::InstanceHypernym))
            .map(|p| p.target)
    }
}

/// The WordNet id of a noun offset: `n` and 8 digits.
pub fn wnid(offset: u32) -> String {
    format!("n{offset:08}")
}

/// The offset of a noun WordNet id (`n02121808` → 2121808); `None` unless `n` and 8 digits.
pub fn parse_wnid(wnid: &str) -> Option<u32> {
    let digits = wnid.strip_prefix('n')?;
    parse_offset(digits)
}

fn parse_offset(digits: &str) -> Option<u32> {
    if digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()
    } else {
        None
    }
}

/// All noun synsets of a `data.noun` file.
#[derive(Debug, Clone, Default)]
pub struct WordNet {
    synsets: Vec<Synset>,
    by_offset: HashMap<u32, usize>,
}

impl WordNet {
    /// Parses the whole text of `data.noun`. Every malformed line is an error naming its line.
    pub fn parse(data_noun: &str) -> Result<WordNet, WordNetError> {
        let mut wordnet = WordNet::default();
        let mut first_line: HashMap<u32, usize> = HashMap::new();
        for (i, raw) in data_noun.lines().enumerate() {
            let line = i + 1;
            if raw.starts_with("  ") || raw.trim().is_empty() {
                continue;
            }
            let synset = parse_line(raw, line)?;
            if let Some(&first) = first_line.get(&synset.offset) {
                return Err(WordNetError::Duplicate { line, offset: synset.offset, first });
            }
            first_line.insert(synset.offset, line);
            wordnet.by_offset.insert(synset.offset, wordnet.synsets.len());
            wordnet.synsets.push(synset);
        }
        if wordnet.synsets.is_empty() {
            return Err(WordNetError::Empty);
        }
        Ok(wordnet)
    }

    /// All synsets in file order.
    pub fn synsets(&self) -> &[Synset] {
        &self.synsets
    }

    /// The synset with this offset.
    pub fn get(&self, offset: u32) -> Option<&Synset> {
        self.by_offset.get(&offset).map(|&i| &self.synsets[i])
    }

    /// The synset with this WordNet id (`n02121808`).
    pub fn find(&self, wnid: &str) -> Option<&Synset> {
        self.get(parse_wnid(wnid)?)
    }
}

/// Parses one synset line (without its newline).
fn parse_line(raw: &str, line: usize) -> Result<Synset, WordNetError> {
    let (head, gloss) = match raw.split_once(" | ") {
        Some((head, gloss)) => (head, gloss.trim()),
        // A synset with an empty gloss ends in " |".
        None => match raw.trim_end().strip_suffix(" |") {
            Some(head) => (head, ""),
            None => (raw, ""),
        },
    };
    let mut tokens = head.split_ascii_whitespace();
    let mut next = |field: &'static str| tokens.next().ok_or(WordNetError::Truncated { line, field });

    let offset_text = next("synset offset")?;
    let offset =
        parse_offset(offset_text).ok_or_else(|| WordNetError::BadOffset { line, found: offset_text.to_owned() })?;

    let lex_text = next("lexicographer file")?;
    let lex_file = match (lex_text.len(), lex_text.parse::<u8>()) {
        (2, Ok(n)) if n <= MAX_LEX_FILE => n,
        _ => return Err(WordNetError::BadLexFile { line, found: lex_text.to_owned() }),
    };

    let ss_type = next("synset type")?;
    if ss_type != "n" {
        return Err(WordNetError::NotNoun { line, found: ss_type.to_owned() });
    }

    let w_cnt_text = next("word count")?;
    let w_cnt = match (w_cnt_text.len(), u8::from_str_radix(w_cnt_text, 16)) {
        (2, Ok(n)) if n > 0 => usize::from(n),
        _ => return Err(WordNetError::BadCount { line, field: "word count", found: w_cnt_text.to_owned() }),
    };
    let mut words = Vec::with_capacity(w_cnt);
    for _ in 0..w_cnt {
        let word = next("words")?;
        let lex_id = next("words")?;
        if lex_id.len() != 1 || !lex_id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(WordNetError::BadCount { line, field: "lex id", found: lex_id.to_owned() });
        }
        words.push(word.replace('_', " "));
    }

    let p_cnt_text = next("pointer count")?;
    let p_cnt = match (p_cnt_text.len(), p_cnt_text.parse::<usize>()) {
        (3, Ok(n)) => n,
        _ => return Err(WordNetError::BadCount { line, field: "pointer count", found: p_cnt_text.to_owned() }),
    };
    let mut pointers = Vec::new();
    for _ in 0..p_cnt {
        let symbol = next("pointers")?;
        let target_text = next("pointers")?;
        let pos = next("pointers")?;
        let source_target = next("pointers")?;
        let bad = || WordNetError::BadPointer { line, found: format!("{symbol} {target_text} {pos} {source_target}") };
        let target = parse_offset(target_text).ok_or_else(bad)?;
        if !matches!(pos, "n" | "v" | "a" | "s" | "r")
            || source_target.len() != 4
            || !source_target.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(bad());
        }
        if pos == "n" {
            if let Some(relation) = Relation::from_symbol(symbol) {
                pointers.push(Pointer { relation, target });
            }
        }
    }

    // Nouns have no verb frames: '|' must come next (or nothing, for a gloss-less line).
    if let Some(extra) = tokens.next() {
        if extra != "|" {
            return Err(WordNetError::NoGloss { line, found: extra.to_owned() });
        }
    }
    Ok(Synset { offset, lex_file, words, pointers, gloss: gloss.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "  1 This software and database is being provided to you, the LICENSEE, by  \n  2 Princeton University.  \n";
    const CAT: &str = "02121808 05 n 04 domestic_cat 0 house_cat 0 Felis_domesticus 0 Felis_catus 0 004 @ 02121620 n 0000 @ 01317541 n 0000 #m 02121234 n 0000 ~ 02123159 n 0000 | any domesticated member of the genus Felis  ";

    #[test]
    fn parses_a_synset_line() {
        let wn = WordNet::parse(&format!("{HEADER}{CAT}\n")).unwrap();
        assert_eq!(wn.synsets().len(), 1);
        let cat = wn.find("n02121808").unwrap();
        assert_eq!(cat.offset, 2_121_808);
        assert_eq!(cat.wnid(), "n02121808");
        assert_eq!(cat.lex_file, 5);
        assert_eq!(cat.words, ["domestic cat", "house cat", "Felis domesticus", "Felis catus"]);
        assert_eq!(cat.parents().collect::<Vec<_>>(), [2_121_620, 1_317_541]);
        assert_eq!(cat.pointers.len(), 3, "the member holonym is skipped");
        assert_eq!(cat.pointers[2], Pointer { relation: Relation::Hyponym, target: 2_123_159 });
        assert_eq!(cat.gloss, "any domesticated member of the genus Felis");
    }

    #[test]
    fn offsets_need_not_match_byte_positions() {
        let text = "00000007 03 n 01 entity 0 000 | x  \n00000001 03 n 01 thing 0 001 @i 00000007 n 0000 | y  \n";
        let wn = WordNet::parse(text).unwrap();
        assert_eq!(wn.get(1).unwrap().words, ["thing"]);
        assert_eq!(wn.get(1).unwrap().pointers[0].relation, Relation::InstanceHypernym);
        assert!(wn.get(2).is_none());
    }

    #[test]
    fn wnids_round_trip() {
        assert_eq!(parse_wnid("n00001740"), Some(1740));
        assert_eq!(wnid(1740), "n00001740");
        for bad in ["", "n", "n123", "v00001740", "n0000174x", "n000017400", "n+0001740"] {
            assert_eq!(parse_wnid(bad), None, "{bad}");
        }
    }

    #[test]
    fn malformed_lines_are_errors_with_line_numbers() {
        type Check = fn(&WordNetError) -> bool;
        let cases: &[(&str, Check)] = &[
            ("0212180x 05 n 01 cat 0 000 | g", |e| matches!(e, WordNetError::BadOffset { line: 3, .. })),
            ("02121808 99 n 01 cat 0 000 | g", |e| matches!(e, WordNetError::BadLexFile { line: 3, .. })),
            ("02121808 05 v 01 cat 0 000 | g", |e| matches!(e, WordNetError::NotNoun { line: 3, .. })),
            ("02121808 05 n zz cat 0 000 | g", |e| matches!(e, WordNetError::BadCount { line: 3, .. })),
            ("02121808 05 n 00 000 | g", |e| matches!(e, WordNetError::BadCount { line: 3, .. })),
            ("02121808 05 n 02 cat 0 | g", |e| matches!(e, WordNetError::Truncated { line: 3, .. })),
            ("02121808 05 n 01 cat 0 001 @ 1 n 0000 | g", |e| matches!(e, WordNetError::BadPointer { line: 3, .. })),
            ("02121808 05 n 01 cat 0 001 @ 02121620 q 0000 | g", |e| {
                matches!(e, WordNetError::BadPointer { line: 3, .. })
            }),
            ("02121808 05 n 01 cat 0 002 @ 02121620 n 0000 | g", |e| {
                matches!(e, WordNetError::Truncated { line: 3, .. })
            }),
            ("02121808 05 n 01 cat 0 1 | g", |e| matches!(e, WordNetError::BadCount { line: 3, .. })),
            ("02121808 05 n 01 cat 0 000 extra | g", |e| matches!(e, WordNetError::NoGloss { line: 3, .. })),
            ("02121808", |e| matches!(e, WordNetError::Truncated { line: 3, .. })),
            ("02121808 05 n 01 cat 0 000 | a\n02121808 05 n 01 cat 0 000 | b", |e| {
                matches!(e, WordNetError::Duplicate { line: 4, first: 3, .. })
            }),
        ];
        for (text, expected) in cases {
            let err = WordNet::parse(&format!("{HEADER}{text}\n")).unwrap_err();
            assert!(expected(&err), "{text}: {err:?}");
            let message = err.to_string();
            assert!(message.starts_with("data.noun line"), "{message}");
        }
        assert_eq!(WordNet::parse(HEADER).unwrap_err(), WordNetError::Empty);
        assert_eq!(WordNet::parse("").unwrap_err(), WordNetError::Empty);
    }

    #[test]
    fn a_gloss_may_be_missing_and_lines_may_end_in_crlf() {
        let wn = WordNet::parse("00001740 03 n 01 entity 0 000 |\r\n00001741 03 n 01 thing 0 000\r\n").unwrap();
        assert_eq!(wn.get(1740).unwrap().gloss, "");
        assert_eq!(wn.get(1741).unwrap().gloss, "");
    }
}
