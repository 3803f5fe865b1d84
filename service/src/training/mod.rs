//! Enhanced Smart Tags in the service: gathering training input from the store ([`examples`]),
//! bulk example imports ([`import`]), background training jobs ([`jobs`]), the active trained
//! models that join every prediction ([`active`]), and the passes that apply a change of them to
//! stored assets ([`apply`]). The learning itself is
//! `smart_tags_core::training`.

pub mod active;
pub mod apply;
pub mod examples;
pub mod import;
pub mod jobs;
