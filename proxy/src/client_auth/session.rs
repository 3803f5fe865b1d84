//! Login sessions for the standalone upload page (`www/index.html`), when the proxy runs beyond
//! loopback without a host DAM to mint widget tokens.
//!
//! - [`PageUsers`]: the users file (`SMART_TAGS_PAGE_USERS_FILE`): one `name:hash` per line, the
//!   hash a [`PasswordHash`] (`pbkdf2-sha256$<iterations>$<salt>$<hash>`), written by
//!   `smart-tags-proxy user add NAME`.
//! - [`Sessions`]: the `smart_tags_session` cookie, an HS256 token (`sub` = the user, `exp` = 8 h
//!   ahead, `jti` = a random session id) signed with a random key made when the proxy starts, so
//!   every session ends when the proxy restarts. Signing out revokes the session id until it
//!   would have expired.
//!
//! Passwords and cookie values are never logged nor put into an error message.

use axum::http::{header, HeaderMap};
use smart_tags_credentials::error::JwtError;
use smart_tags_credentials::hmac_token;
use smart_tags_credentials::jwt::{check_claims, Claims, Expectations};
use smart_tags_credentials::secret::{PasswordHash, PASSWORD_ITERATIONS};

/// The cookie that carries a session.
pub const COOKIE_NAME: &str = "smart_tags_session";
/// How long a session lasts.
pub const SESSION_SECONDS: i64 = 8 * 3600;
/// The `aud` of a session token, so it can never pass for another kind of token.
pub const AUDIENCE: &str = "smart-tags-page-session";
/// The longest user name.
pub const MAX_NAME_CHARS: usize = 64;
/// The shortest password `user add` accepts.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Why a session cookie was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SessionError {
    #[error("the session is not valid: {0}")]
    Token(#[from] JwtError),
    #[error("the session names no user")]
    NoUser,
    #[error("the session's user no longer exists")]
    UnknownUser,
    #[error("the session was signed out")]
    SignedOut,
    #[error("the request comes from origin {0}, which may not use this session")]
    Origin(String),
}

/// Whether `name` may be a user name: 1 to [`MAX_NAME_CHARS`] letters, digits, `.`, `_`, `-`, `@`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= MAX_NAME_CHARS
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
}

/// The users of the upload page. `Debug` shows the names only.
pub struct PageUsers {
    users: Vec<(String, PasswordHash)>,
    /// Checked when the name is unknown, so an unknown name takes as long as a wrong password.
    decoy: Option<PasswordHash>,
}

impl std::fmt::Debug for PageUsers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.names().collect();
        write!(f, "PageUsers({names:?}, hashes redacted)")
    }
}

impl PageUsers {
    /// Reads a users file: `name:hash` per line; blank lines and `#` comments are skipped. Every
    /// problem is reported, with its line number (never the line itself).
    pub fn parse(text: &str) -> Result<PageUsers, Vec<String>> {
        let mut users: Vec<(String, PasswordHash)> = Vec::new();
        let mut problems = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            let number = number + 1;
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((name, hash)) = line.split_once(':') else {
                problems.push(format!("page user on line {number} is not name:hash"));
                continue;
            };
            if !valid_name(name) {
                problems.push(format!("page user name on line {number} must be 1 to {MAX_NAME_CHARS} letters, digits, '.', '_', '-' or '@'"));
            } else if users.iter().any(|(n, _)| n == name) {
                problems.push(format!("page user {name} appears twice (line {number})"));
            }
            match PasswordHash::parse(hash) {
                Ok(hash) => users.push((name.to_owned(), hash)),
                Err(e) => problems.push(format!("page user on line {number}: {e}")),
            }
        }
        if users.is_empty() && problems.is_empty() {
            problems.push("the page users file holds no user".to_owned());
        }
        if problems.is_empty() {
            // As costly as a user's hash; without a decoy an unknown name is merely faster.
            let iterations = users.iter().map(|(_, h)| h.iterations()).max().unwrap_or(PASSWORD_ITERATIONS);
            let decoy = PasswordHash::new("decoy", iterations).ok();
            Ok(PageUsers { users, decoy })
        } else {
            Err(problems)
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.users.iter().map(|(name, _)| name.as_str())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.users.iter().any(|(n, _)| n == name)
    }

    /// Whether `name` and `password` match a user. An unknown name costs one hash as well, and
    /// the caller cannot tell the two failures apart. Slow on purpose: call it off the runtime.
    pub fn check(&self, name: &str, password: &str) -> bool {
        match self
            .users
            .iter()
            .find(|(n, _)| smart_tags_credentials::secret::constant_time_eq(n.as_bytes(), name.as_bytes()))
        {
            Some((_, hash)) => hash.verify(password),
            None => {
                if let Some(decoy) = &self.decoy {
                    let _ = decoy.verify(password);
                }
                false
            }
        }
    }
}

/// The users file line for a new user.
pub fn user_line(name: &str, password: &str) -> Result<String, String> {
    if !valid_name(name) {
        return Err(format!("a user name must be 1 to {MAX_NAME_CHARS} letters, digits, '.', '_', '-' or '@'"));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!("the password must be at least {MIN_PASSWORD_CHARS} characters"));
    }
    let hash = PasswordHash::new(password, PASSWORD_ITERATIONS).map_err(|e| e.to_string())?;
    Ok(format!("{name}:{hash}"))
}

/// Issues and checks session cookies. `Debug` hides the key.
pub struct Sessions {
    key: Vec<u8>,
    /// Signed-out session ids and when they would have expired.
    revoked: std::sync::Mutex<std::collections::HashMap<String, i64>>,
    pub users: std::sync::Arc<PageUsers>,
    /// Whether the cookie carries `Secure` (everywhere but on loopback).
    pub secure: bool,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("key", &"redacted")
            .field("users", &self.users)
            .field("secure", &self.secure)
            .finish()
    }
}

impl Sessions {
    /// Sessions signed with a new random key: those of an earlier start are no longer valid.
    pub fn new(
        users: std::sync::Arc<PageUsers>,
        secure: bool,
    ) -> Result<Sessions, smart_tags_credentials::CredentialError> {
        Ok(Sessions {
            key: smart_tags_credentials::secret::random_bytes(32)?,
            revoked: Default::default(),
            users,
            secure,
        })
    }

    /// A session token for `user`, valid [`SESSION_SECONDS`] from `now`.
    pub fn mint(&self, user: &str, now: i64) -> Result<String, smart_tags_credentials::CredentialError> {
        let mut claims = Claims::new();
        claims.insert("aud".into(), AUDIENCE.into());
        claims.insert("sub".into(), user.into());
        claims.insert("jti".into(), smart_tags_credentials::secret::random_hex(16)?.into());
        claims.insert("iat".into(), now.into());
        claims.insert("exp".into(), (now + SESSION_SECONDS).into());
        Ok(hmac_token::sign(&claims, &self.key, None))
    }

    /// The user of a session token.
    pub fn verify(&self, token: &str, now: i64) -> Result<String, SessionError> {
        self.check(token, now).map(|(user, _, _)| user)
    }

    /// Signs a session out: its token is refused from now on. A token that is not valid anyway
    /// is ignored.
    pub fn revoke(&self, token: &str, now: i64) {
        if let Ok((_, id, exp)) = self.check(token, now) {
            let mut revoked = self.revoked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            revoked.retain(|_, until| *until >= now);
            revoked.insert(id, exp);
        }
    }

    /// The user, session id and expiry of a valid token.
    fn check(&self, token: &str, now: i64) -> Result<(String, String, i64), SessionError> {
        let claims = hmac_token::verify(token, |_| Some(self.key.as_slice()))?;
        let expect =
            Expectations { now, leeway: 0, max_lifetime: SESSION_SECONDS, audience: Some(AUDIENCE), issuer: None };
        let checked = check_claims(&claims, &expect)?;
        let user = checked.sub.filter(|s| !s.is_empty()).ok_or(SessionError::NoUser)?;
        let id = checked.jti.filter(|s| !s.is_empty()).ok_or(SessionError::Token(JwtError::MissingClaim("jti")))?;
        if !self.users.contains(&user) {
            return Err(SessionError::UnknownUser);
        }
        if self.revoked.lock().unwrap_or_else(std::sync::PoisonError::into_inner).contains_key(&id) {
            return Err(SessionError::SignedOut);
        }
        Ok((user, id, checked.exp))
    }

    /// The `Set-Cookie` value that starts a session.
    pub fn set_cookie(&self, token: &str) -> String {
        format!("{COOKIE_NAME}={token}; Max-Age={SESSION_SECONDS}; {}", self.attributes())
    }

    /// The `Set-Cookie` value that ends a session.
    pub fn clear_cookie(&self) -> String {
        format!("{COOKIE_NAME}=; Max-Age=0; {}", self.attributes())
    }

    fn attributes(&self) -> &'static str {
        if self.secure {
            "Path=/api/; HttpOnly; SameSite=Strict; Secure"
        } else {
            "Path=/api/; HttpOnly; SameSite=Strict"
        }
    }
}

/// The session cookie's value among a request's cookies.
pub fn presented_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// Whether a request's `Origin` (when it has one) may use a session cookie: the proxy's own
/// origin (its `Host`) or one on the CORS allow-list.
pub fn origin_allowed(headers: &HeaderMap, cors: &super::cors::Cors) -> Result<(), SessionError> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or("(not text)");
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let own = reqwest::Url::parse(origin).ok().filter(|u| matches!(u.scheme(), "http" | "https")).and_then(|u| {
        let host_port = match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            _ => return None,
        };
        Some(Some(host_port.as_str()) == host)
    });
    if own == Some(true) || cors.allows(origin) {
        Ok(())
    } else {
        Err(SessionError::Origin(origin.chars().filter(|c| !c.is_control()).take(100).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use smart_tags_credentials::secret::{PasswordHashError, MIN_PASSWORD_ITERATIONS};
    use std::sync::Arc;

    const NOW: i64 = 1_800_000_000;

    fn line(name: &str, password: &str) -> String {
        let hash = PasswordHash::new(password, MIN_PASSWORD_ITERATIONS).unwrap();
        format!("{name}:{hash}")
    }

    #[test]
    fn the_hash_format_round_trips_and_is_strict() {
        let hash = PasswordHash::new("correct horse battery", MIN_PASSWORD_ITERATIONS).unwrap();
        let text = hash.to_string();
        let parts: Vec<&str> = text.split('$').collect();
        assert_eq!((parts.len(), parts[0], parts[1]), (4, "pbkdf2-sha256", "100000"), "{text}");
        assert!(!text.contains("correct"));
        let parsed = PasswordHash::parse(&text).unwrap();
        assert!(parsed.verify("correct horse battery") && !parsed.verify("correct horse batterY"));
        assert_ne!(
            text,
            PasswordHash::new("correct horse battery", MIN_PASSWORD_ITERATIONS).unwrap().to_string(),
            "salted"
        );
        assert!(!format!("{parsed:?}").contains(parts[3]));
        assert_eq!(
            PasswordHash::parse(&text.replace("$100000$", "$99999$")).unwrap_err(),
            PasswordHashError::TooFewIterations(99_999)
        );
        assert_eq!(
            PasswordHash::parse(&text.replace("pbkdf2-sha256", "pbkdf2-sha1")).unwrap_err(),
            PasswordHashError::Format
        );
        assert_eq!(PasswordHash::parse(&format!("{text}$x")).unwrap_err(), PasswordHashError::Format);
        assert_eq!(
            PasswordHash::parse(&format!("{}$AAAA", &text[..text.rfind('$').unwrap()])).unwrap_err(),
            PasswordHashError::Encoding
        );
        assert_eq!(PasswordHash::parse("plain-password").unwrap_err(), PasswordHashError::Format);
        assert_eq!(PasswordHash::parse("pbkdf2-sha256$100000$c2FsdHNhbHQ$").unwrap_err(), PasswordHashError::Encoding);
    }

    #[test]
    fn a_users_file_parses_and_checks_passwords() {
        let text = format!(
            "# upload page users\n\n{}\n{}\n",
            line("alice", "alice-password-1"),
            line("bob@example.org", "bob-password-22")
        );
        let users = PageUsers::parse(&text).unwrap();
        assert_eq!(users.names().collect::<Vec<_>>(), ["alice", "bob@example.org"]);
        assert!(users.check("alice", "alice-password-1"));
        assert!(!users.check("alice", "bob-password-22"));
        assert!(!users.check("carol", "alice-password-1"));
        assert!(!format!("{users:?}").contains("pbkdf2"));
    }

    #[test]
    fn bad_users_files_report_every_problem() {
        let good = line("alice", "alice-password-1");
        let text =
            format!("{good}\n{good}\nno-colon-here\nbad name:{}\ncarol:pbkdf2-sha256$1000$AAAA$AAAA\n", &good[6..]);
        let problems = PageUsers::parse(&text).unwrap_err();
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(
            problems[0].contains("twice")
                && problems[1].contains("line 3")
                && problems[2].contains("line 4")
                && problems[3].contains("fewer than"),
            "{problems:?}"
        );
        assert!(problems.iter().all(|p| !p.contains("AAAA")), "{problems:?}");
        assert_eq!(PageUsers::parse("\n# nobody\n").unwrap_err(), ["the page users file holds no user"]);
    }

    #[test]
    fn user_lines_need_a_good_name_and_password() {
        let line = user_line("alice", "a-long-enough-password").unwrap();
        assert!(line.starts_with("alice:pbkdf2-sha256$600000$"), "{line}");
        assert!(PageUsers::parse(&line).unwrap().check("alice", "a-long-enough-password"));
        assert!(user_line("alice", "short").unwrap_err().contains("at least"));
        assert!(user_line("a:b", "a-long-enough-password").is_err());
        assert!(user_line("", "a-long-enough-password").is_err());
    }

    #[test]
    fn session_tokens_expire_and_belong_to_this_start() {
        let users = Arc::new(PageUsers::parse(&line("alice", "alice-password-1")).unwrap());
        let sessions = Sessions::new(users.clone(), true).unwrap();
        let token = sessions.mint("alice", NOW).unwrap();
        assert_eq!(sessions.verify(&token, NOW + SESSION_SECONDS - 1).unwrap(), "alice");
        assert!(matches!(
            sessions.verify(&token, NOW + SESSION_SECONDS + 1),
            Err(SessionError::Token(JwtError::Expired(_)))
        ));
        let restarted = Sessions::new(users, true).unwrap();
        assert_eq!(restarted.verify(&token, NOW), Err(SessionError::Token(JwtError::Signature)));
        assert_eq!(sessions.verify(&sessions.mint("mallory", NOW).unwrap(), NOW), Err(SessionError::UnknownUser));
        let other = sessions.mint("alice", NOW).unwrap();
        sessions.revoke(&token, NOW + 5);
        assert_eq!(sessions.verify(&token, NOW + 6), Err(SessionError::SignedOut));
        assert_eq!(sessions.verify(&other, NOW + 6).unwrap(), "alice", "only that session ends");
        let cookie = sessions.set_cookie(&token);
        assert!(
            cookie.starts_with("smart_tags_session=")
                && cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Strict")
                && cookie.contains("Path=/api/")
                && cookie.ends_with("Secure")
        );
        assert!(sessions.clear_cookie().contains("Max-Age=0"));
        assert!(!format!("{sessions:?}").contains(&token));
    }

    #[test]
    fn cookies_and_origins_are_read_strictly() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("theme=dark; smart_tags_session=abc.def.ghi"));
        headers.insert(header::HOST, HeaderValue::from_static("tags.example:8080"));
        assert_eq!(presented_cookie(&headers), Some("abc.def.ghi"));
        let cors = super::super::cors::Cors::parse("https://dam.example").unwrap();
        assert!(origin_allowed(&headers, &cors).is_ok(), "no origin: a same-origin GET");
        for (origin, ok) in [
            ("http://tags.example:8080", true),
            ("https://dam.example", true),
            ("https://evil.example", false),
            ("http://tags.example", false),
            ("null", false),
        ] {
            headers.insert(header::ORIGIN, HeaderValue::from_static(origin));
            assert_eq!(origin_allowed(&headers, &cors).is_ok(), ok, "{origin}");
        }
        assert_eq!(presented_cookie(&HeaderMap::new()), None);
    }
}
