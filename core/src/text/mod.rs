//! Text processing for the MiniLM text model.
