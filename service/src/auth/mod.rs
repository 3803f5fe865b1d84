//! The authorization server (docs/credentials.md): integrations registered from a certificate,
//! the JWT exchange and client-credentials grant that turn them into access tokens, and the
//! check of those tokens on every `/v1/...` route.
//!
//! # Layout
//! - [`server`]: [`AuthServer`] and its [`AuthConfig`]: the store, the clock, the token keys.
//! - [`clock`]: the system clock, or a hand-moved one for tests.
//! - [`scope`]: `smart_tags` and `smart_tags_admin`, and their metascope claims.
//! - [`issuing`]: registering integrations, certificates, secret rotation, revocation; the JWT
//!   payload the console hands out; what the console shows of an integration.
//! - [`client`]: the client id + secret check of both grants.
//! - [`exchange`]: the JWT bearer exchange (`POST /ims/exchange/jwt`).
//! - [`client_credentials`]: the client-credentials grant (`POST /ims/token/v3`).
//! - [`access_token`]: issuing and verifying the HS256 access tokens.
//! - [`token_keys`]: their signing keys, in a 0600 file beside the database; rotation.
//! - [`middleware`]: the bearer check on the `/v1/...` routes, and which scope each needs.
//! - [`admin`]: the console's admin bearer.
//! - [`error`]: the refusals.

pub mod access_token;
pub mod admin;
pub mod client;
pub mod client_credentials;
pub mod clock;
pub mod error;
pub mod exchange;
pub mod issuing;
pub mod middleware;
pub mod scope;
pub mod server;
pub mod token_keys;

pub use access_token::{IssuedToken, TokenIdentity};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{AccessError, AuthError};
pub use scope::Scope;
pub use server::{AuthConfig, AuthConfigError, AuthServer};
