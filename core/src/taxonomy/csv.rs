//! CSV import and export (one row per tag).
