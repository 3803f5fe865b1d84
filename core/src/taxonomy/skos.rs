//! SKOS in Turtle: import and export.
