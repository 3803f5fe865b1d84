//! One file per route.

pub mod admin;
pub mod admin_certificate_activate;
pub mod admin_certificate_create;
pub mod admin_certificate_download;
pub mod admin_certificate_list;
pub mod admin_certificate_retire;
pub mod admin_health;
pub mod asset;
pub mod asset_tag;
pub(crate) mod certificate_store;
pub(crate) mod forward;
pub mod health;
pub mod moderation;
pub mod session_login;
pub mod session_logout;
pub mod suggest;
pub mod tag;
pub mod workflow;
