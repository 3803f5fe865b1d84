//! One file per route. The store routes (taxonomy, settings) share [`support`]; [`auth`] holds the
//! token endpoints and the token check, [`console`] the integration console.

pub mod assets;
pub mod auth;
pub mod console;
pub mod folders;
pub mod health;
pub mod links;
pub mod openapi;
pub mod predict;
pub mod scenes;
pub mod settings;
pub mod support;
pub mod taxonomy;
pub mod training;
pub mod unknown;
pub mod workflow;
