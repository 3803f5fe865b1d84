//! One file per route. The store routes (taxonomy, settings) share [`support`].

pub mod assets;
pub mod health;
pub mod links;
pub mod openapi;
pub mod predict;
pub mod settings;
pub mod support;
pub mod taxonomy;
pub mod training;
