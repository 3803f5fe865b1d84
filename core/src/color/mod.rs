//! Dominant colours of an image with human colour names.
