//! The BERT uncased WordPiece tokenizer of all-MiniLM-L6-v2, giving the same ids as the
//! Hugging Face `tokenizers` pipeline in the model's `tokenizer.json`:
//!
//! 1. special tokens (`[CLS]`, `[SEP]`, `[UNK]`, `[PAD]`, `[MASK]`) written literally in the text
//!    are matched first, case-sensitively, and kept as they are (the "added tokens");
//! 2. the rest is normalised like `BertNormalizer`: control characters, NUL and U+FFFD dropped,
//!    whitespace turned into spaces, CJK ideographs surrounded by spaces, accents stripped (NFD,
//!    then non-spacing marks dropped), lowercased;
//! 3. split like `BertPreTokenizer`: on whitespace (removed) and punctuation (kept as one-char
//!    words; ASCII punctuation plus the Unicode `P*` categories);
//! 4. each word is split by WordPiece, greedy longest match first, continuations prefixed `##`;
//!    a word longer than 100 characters, or one that cannot be split, becomes one `[UNK]`;
//! 5. truncated to `max_len - 2` tokens and wrapped in `[CLS] ... [SEP]`.
//!
//! The character classes come from the same `unicode_categories` tables that `tokenizers` uses.
//! Golden test against `tokenizers` itself: `tests/tests/text_model.rs`.

use std::collections::HashMap;

use unicode_categories::UnicodeCategories;
use unicode_normalization::UnicodeNormalization;

/// Words longer than this (in characters) become `[UNK]`, as `max_input_chars_per_word` in BERT.
pub const MAX_INPUT_CHARS_PER_WORD: usize = 100;

/// Prefix of a word piece that continues a word.
const CONTINUATION: &str = "##";

/// Tokens that must be in the vocabulary.
const REQUIRED: [&str; 4] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"];

/// Tokens recognised literally in the raw text when the vocabulary has them.
const SPECIAL: [&str; 5] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenizerError {
    #[error("the vocabulary is empty")]
    Empty,
    #[error("the vocabulary has token {token:?} twice (lines {first} and {second})")]
    Duplicate { token: String, first: usize, second: usize },
    #[error("the vocabulary lacks the special token {0}")]
    MissingSpecial(&'static str),
    #[error("the vocabulary has more tokens than 32-bit ids can number")]
    TooLarge,
}

/// A WordPiece tokenizer over a BERT `vocab.txt` (one token per line, the id is the line number).
#[derive(Debug, Clone)]
pub struct Tokenizer {
    vocab: HashMap<String, u32>,
    /// The special tokens of [`SPECIAL`] present in the vocabulary, with their ids.
    special: Vec<(&'static str, u32)>,
    pad: u32,
    unk: u32,
    cls: u32,
    sep: u32,
}

impl Tokenizer {
    /// Reads a `vocab.txt`. Line endings may be `\n` or `\r\n`; an empty line is a token too
    /// (ids are line numbers), but no token may appear twice.
    pub fn from_vocab(vocab_txt: &str) -> Result<Tokenizer, TokenizerError> {
        let mut vocab = HashMap::new();
        for (line, token) in vocab_txt.lines().enumerate() {
            let id = u32::try_from(line).map_err(|_| TokenizerError::TooLarge)?;
            if let Some(first) = vocab.insert(token.to_owned(), id) {
                return Err(TokenizerError::Duplicate {
                    token: token.to_owned(),
                    first: first as usize + 1,
                    second: line + 1,
                });
            }
        }
        if vocab.is_empty() {
            return Err(TokenizerError::Empty);
        }
        let id = |token: &'static str| vocab.get(token).copied().ok_or(TokenizerError::MissingSpecial(token));
        let [pad, unk, cls, sep] = REQUIRED.map(id);
        let (pad, unk, cls, sep) = (pad?, unk?, cls?, sep?);
        let special = SPECIAL.iter().filter_map(|&t| vocab.get(t).map(|&id| (t, id))).collect();
        Ok(Tokenizer { vocab, special, pad, unk, cls, sep })
    }

    /// Number of tokens in the vocabulary.
    pub fn vocab_size(&self) -> usize {
        self.vocab.len()
    }

    /// Id of `[PAD]`, used for padding a batch (with attention mask 0).
    pub fn pad_id(&self) -> u32 {
        self.pad
    }

    /// Id of `[UNK]`.
    pub fn unk_id(&self) -> u32 {
        self.unk
    }

    /// Id of `[CLS]`, the first token of every encoding.
    pub fn cls_id(&self) -> u32 {
        self.cls
    }

    /// Id of `[SEP]`, the last token of every encoding.
    pub fn sep_id(&self) -> u32 {
        self.sep
    }

    /// The id of one token, if the vocabulary has it.
    pub fn token_id(&self, token: &str) -> Option<u32> {
        self.vocab.get(token).copied()
    }

    /// Token ids of `text`: `[CLS]`, at most `max_len - 2` word pieces, `[SEP]`.
    ///
    /// A `max_len` below 2 is treated as 2 (`[CLS] [SEP]`). Work stops once the budget is full,
    /// so a long text costs no more than its first `max_len` tokens.
    pub fn encode(&self, text: &str, max_len: usize) -> Vec<u32> {
        let budget = max_len.max(2) - 2;
        let mut ids = Vec::with_capacity(budget.min(text.len()) + 2);
        ids.push(self.cls);
        let mut words = WordPieces { tokenizer: self, budget: budget + 1, piece: String::new() };
        let mut rest = text;
        while ids.len() <= budget {
            match self.next_special(rest) {
                Some((start, token, id)) => {
                    words.encode_segment(&rest[..start], &mut ids);
                    if ids.len() <= budget {
                        ids.push(id);
                    }
                    rest = &rest[start + token.len()..];
                }
                None => {
                    words.encode_segment(rest, &mut ids);
                    break;
                }
            }
        }
        ids.truncate(budget + 1);
        ids.push(self.sep);
        ids
    }

    /// The first special token written literally in `text`: (byte offset, token, id).
    fn next_special(&self, text: &str) -> Option<(usize, &'static str, u32)> {
        text.match_indices('[').find_map(|(start, _)| {
            self.special
                .iter()
                .find(|(token, _)| text[start..].starts_with(token))
                .map(|&(token, id)| (start, token, id))
        })
    }
}

/// The splitting state of one `encode` call: the id budget and a reusable piece buffer.
struct WordPieces<'a> {
    tokenizer: &'a Tokenizer,
    /// Length of the id vector (with `[CLS]`) at which work stops.
    budget: usize,
    piece: String,
}

impl WordPieces<'_> {
    /// Normalises, splits and word-pieces one segment of text without special tokens.
    fn encode_segment(&mut self, segment: &str, ids: &mut Vec<u32>) {
        let mut word = String::new();
        let mut chars_in_word = 0usize;
        for c in normalize(segment) {
            if ids.len() >= self.budget {
                return;
            }
            if c.is_whitespace() {
                self.flush(&mut word, &mut chars_in_word, ids);
            } else if is_punctuation(c) {
                self.flush(&mut word, &mut chars_in_word, ids);
                word.push(c);
                chars_in_word = 1;
                self.flush(&mut word, &mut chars_in_word, ids);
            } else {
                // Past the limit the word is [UNK] anyway: stop storing its characters.
                if chars_in_word <= MAX_INPUT_CHARS_PER_WORD {
                    word.push(c);
                }
                chars_in_word = chars_in_word.saturating_add(1);
            }
        }
        self.flush(&mut word, &mut chars_in_word, ids);
    }

    /// Word-pieces the word gathered so far (if any) and clears it.
    fn flush(&mut self, word: &mut String, chars_in_word: &mut usize, ids: &mut Vec<u32>) {
        if *chars_in_word == 0 || ids.len() >= self.budget {
            word.clear();
            *chars_in_word = 0;
            return;
        }
        if *chars_in_word > MAX_INPUT_CHARS_PER_WORD {
            ids.push(self.tokenizer.unk);
        } else {
            self.word_piece(word, ids);
        }
        word.clear();
        *chars_in_word = 0;
    }

    /// Greedy longest-match-first split of one word; `[UNK]` alone when some part has no match.
    fn word_piece(&mut self, word: &str, ids: &mut Vec<u32>) {
        let first = ids.len();
        let mut start = 0;
        while start < word.len() {
            let mut end = word.len();
            let mut found = None;
            while start < end {
                self.piece.clear();
                if start > 0 {
                    self.piece.push_str(CONTINUATION);
                }
                self.piece.push_str(&word[start..end]);
                if let Some(&id) = self.tokenizer.vocab.get(self.piece.as_str()) {
                    found = Some(id);
                    break;
                }
                // One character shorter (char boundaries only).
                end = word[..end].char_indices().next_back().map_or(start, |(i, _)| i);
            }
            match found {
                Some(id) => {
                    ids.push(id);
                    start = end;
                }
                None => {
                    ids.truncate(first);
                    ids.push(self.tokenizer.unk);
                    return;
                }
            }
        }
    }
}

/// `BertNormalizer` (clean text, pad CJK, strip accents, lowercase) as a lazy character stream.
fn normalize(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .filter(|&c| !(c == '\0' || c == '\u{fffd}' || is_control(c)))
        .map(|c| if is_whitespace(c) { ' ' } else { c })
        .flat_map(|c| {
            let pad = is_chinese_char(c).then_some(' ');
            [pad, Some(c), pad].into_iter().flatten()
        })
        .nfd()
        .filter(|c| !c.is_mark_nonspacing())
        .flat_map(char::to_lowercase)
}

/// Whitespace for cleaning: tab, newline, carriage return and Unicode `White_Space`.
fn is_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || c.is_whitespace()
}

/// Control characters for cleaning: categories Cc, Cf and Co, except tab, newline and return.
fn is_control(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\r') && c.is_other()
}

/// Punctuation for splitting: ASCII punctuation (`$`, `+`, `^`... included) and Unicode `P*`.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || c.is_punctuation()
}

/// The CJK ideograph blocks that BERT splits into one word per character.
fn is_chinese_char(c: char) -> bool {
    matches!(
        u32::from(c),
        0x4E00..=0x9FFF
            | 0x3400..=0x4DBF
            | 0x20000..=0x2A6DF
            | 0x2A700..=0x2B73F
            | 0x2B740..=0x2B81F
            | 0x2B920..=0x2CEAF
            | 0xF900..=0xFAFF
            | 0x2F800..=0x2FA1F
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny vocabulary: ids are line numbers.
    const VOCAB: &str = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nmotor\n##bike\n##s\nbike\ncafe\ncreme\nt\n-\nshirt\n&\n东\n京\n!\nun\n##aff\n##able\n";
    const PAD: u32 = 0;
    const UNK: u32 = 1;
    const CLS: u32 = 2;
    const SEP: u32 = 3;
    const MASK: u32 = 4;

    fn tok() -> Tokenizer {
        Tokenizer::from_vocab(VOCAB).unwrap()
    }

    fn ids(text: &str) -> Vec<u32> {
        tok().encode(text, 64)
    }

    #[test]
    fn special_ids_come_from_the_vocabulary() {
        let t = tok();
        assert_eq!((t.pad_id(), t.unk_id(), t.cls_id(), t.sep_id()), (PAD, UNK, CLS, SEP));
        assert_eq!(t.vocab_size(), 21);
        assert_eq!(t.token_id("##bike"), Some(6));
        assert_eq!(t.token_id("nope"), None);
    }

    #[test]
    fn word_pieces_greedy_longest_first() {
        assert_eq!(ids("motorbikes"), [CLS, 5, 6, 7, SEP]);
        assert_eq!(ids("unaffable"), [CLS, 18, 19, 20, SEP]);
        assert_eq!(ids("bike motor"), [CLS, 8, 5, SEP]);
    }

    #[test]
    fn a_word_that_cannot_be_split_is_one_unk() {
        assert_eq!(ids("motorbikez"), [CLS, UNK, SEP]);
        assert_eq!(ids("bike xyz bike"), [CLS, 8, UNK, 8, SEP]);
    }

    #[test]
    fn lowercases_and_strips_accents() {
        assert_eq!(ids("MotorBikes"), [CLS, 5, 6, 7, SEP]);
        assert_eq!(ids("Café Crème"), [CLS, 9, 10, SEP]);
        assert_eq!(ids("cafe\u{301}"), [CLS, 9, SEP]);
    }

    #[test]
    fn splits_on_punctuation_and_whitespace() {
        assert_eq!(ids("T-shirt & bike!"), [CLS, 11, 12, 13, 14, 8, 17, SEP]);
        assert_eq!(ids("\tbike\n\r bike\u{a0}bike"), [CLS, 8, 8, 8, SEP]);
    }

    #[test]
    fn cleans_control_characters() {
        assert_eq!(ids("bi\u{0}ke\u{fffd}"), [CLS, 8, SEP]);
        assert_eq!(ids("bi\u{200b}ke"), [CLS, 8, SEP]);
    }

    #[test]
    fn splits_cjk_ideographs() {
        assert_eq!(ids("东京"), [CLS, 15, 16, SEP]);
        assert_eq!(ids("bike东京bike"), [CLS, 8, 15, 16, 8, SEP]);
    }

    #[test]
    fn empty_and_blank_texts() {
        assert_eq!(ids(""), [CLS, SEP]);
        assert_eq!(ids(" \t\n "), [CLS, SEP]);
    }

    #[test]
    fn long_words_are_unk() {
        let long = "a".repeat(MAX_INPUT_CHARS_PER_WORD + 1);
        assert_eq!(ids(&format!("bike {long} bike")), [CLS, 8, UNK, 8, SEP]);
        let very_long = "motor".repeat(100_000);
        assert_eq!(ids(&very_long), [CLS, UNK, SEP]);
    }

    #[test]
    fn special_tokens_in_the_text_are_kept() {
        assert_eq!(ids("bike [MASK] bike[SEP]"), [CLS, 8, MASK, 8, SEP, SEP]);
        assert_eq!(ids("[mask]"), [CLS, UNK, UNK, UNK, SEP]);
    }

    #[test]
    fn truncates_keeping_sep() {
        let t = tok();
        assert_eq!(t.encode("motorbikes bike", 4), [CLS, 5, 6, SEP]);
        assert_eq!(t.encode("motorbikes", 2), [CLS, SEP]);
        assert_eq!(t.encode("motorbikes", 0), [CLS, SEP]);
        assert_eq!(t.encode("bike [MASK] bike", 3), [CLS, 8, SEP]);
        assert_eq!(t.encode("bike [MASK] bike", 4), [CLS, 8, MASK, SEP]);
        let many = "bike ".repeat(1_000_000);
        assert_eq!(t.encode(&many, 5).len(), 5);
    }

    #[test]
    fn vocabulary_errors() {
        assert_eq!(Tokenizer::from_vocab("").unwrap_err(), TokenizerError::Empty);
        assert_eq!(
            Tokenizer::from_vocab("[PAD]\n[UNK]\n[CLS]\n").unwrap_err(),
            TokenizerError::MissingSpecial("[SEP]")
        );
        assert_eq!(
            Tokenizer::from_vocab("[PAD]\n[UNK]\n[CLS]\n[SEP]\nx\nx\n").unwrap_err(),
            TokenizerError::Duplicate { token: "x".to_owned(), first: 5, second: 6 }
        );
        assert!(Tokenizer::from_vocab("[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\n").is_ok());
        let err = TokenizerError::MissingSpecial("[SEP]").to_string();
        assert_eq!(err, "the vocabulary lacks the special token [SEP]");
    }
}
