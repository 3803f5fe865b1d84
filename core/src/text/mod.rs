//! Text processing for the MiniLM text model.
//!
//! - [`wordpiece`]: the BERT uncased WordPiece tokenizer (text -> `[CLS] ... [SEP]` token ids).

pub mod wordpiece;

pub use wordpiece::{Tokenizer, TokenizerError};
