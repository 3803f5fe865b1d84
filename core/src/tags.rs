//! Smart tags, thresholds and moderation.
