//! Linking taxonomy tags to WordNet concepts and scoring them from a prediction.
