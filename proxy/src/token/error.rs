//! Why no access token could be had. Messages are lowercase and never carry the client secret,
//! the private key or a token.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The authorization server refused: its `error` code and `error_description`.
    #[error("authorization server says {code}: {description}")]
    Rejected { status: u16, code: String, description: String },
    #[error("cannot reach the authorization server after {tries} tries: {reason}")]
    Unreachable { tries: u32, reason: String },
    #[error("the authorization server failed with status {status} after {tries} tries")]
    ServerFailed { status: u16, tries: u32 },
    #[error("the authorization server sent an unreadable answer: {0}")]
    Unreadable(String),
    /// The key store could not give the signing key.
    #[error("{0}")]
    Key(String),
    #[error("cannot sign the jwt: {0}")]
    Sign(String),
    #[error("the configuration is incomplete: {0}")]
    Configuration(String),
}

impl TokenError {
    /// The authorization server's error code, when it refused.
    pub fn code(&self) -> Option<&str> {
        match self {
            TokenError::Rejected { code, .. } => Some(code),
            _ => None,
        }
    }
}
