//! Widget tokens: short-lived HS256 JWTs that a host DAM's back end mints for the user of its
//! page, with a secret it shares with the proxy, so the browser proves who it is without any
//! secret of ours. Claims: `aud` = [`AUDIENCE`] (required), `exp` (required, at most
//! [`MAX_LIFETIME_SECONDS`] ahead), `iss` (the DAM, required), `sub` (its user, required),
//! `origin` (optional: the page's origin; when present, the request's `Origin` must equal it),
//! `iat`/`nbf` (optional). Several secrets may be configured, each under a key id (`kid` in the
//! token's header), so a DAM can rotate its secret without downtime.

use smart_tags_credentials::error::JwtError;
use smart_tags_credentials::hmac_token;
use smart_tags_credentials::jwt::{check_claims, Expectations};

/// The `aud` every widget token must carry.
pub const AUDIENCE: &str = "smart-tags-proxy";
/// The longest lifetime accepted.
pub const MAX_LIFETIME_SECONDS: i64 = 3600;
/// Clock difference tolerated between the DAM's back end and the proxy.
pub const LEEWAY_SECONDS: i64 = 30;
/// Shortest secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;
/// The key id of a secret configured without one.
pub const DEFAULT_KID: &str = "default";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WidgetTokenError {
    #[error("{0}")]
    Token(#[from] JwtError),
    #[error("the {0} claim is missing")]
    MissingClaim(&'static str),
    #[error("it was minted for origin {expected}, not this page's")]
    Origin { expected: String },
}

/// The secrets widget tokens are checked with, by key id. `Debug` shows the key ids only.
pub struct WidgetKeys {
    keys: Vec<(String, Vec<u8>)>,
}

impl std::fmt::Debug for WidgetKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kids: Vec<&str> = self.keys.iter().map(|(kid, _)| kid.as_str()).collect();
        write!(f, "WidgetKeys({kids:?}, secrets redacted)")
    }
}

/// What a valid token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetClaims {
    pub issuer: String,
    pub subject: String,
    pub expires: i64,
}

impl WidgetKeys {
    /// Reads a secrets file: one secret per line, either `<kid> <secret>` or a lone secret (key
    /// id [`DEFAULT_KID`]); blank lines and `#` comments are skipped. Every problem is reported.
    pub fn parse(text: &str) -> Result<WidgetKeys, Vec<String>> {
        let mut keys = Vec::new();
        let mut problems = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (kid, secret) = match line.split_once(char::is_whitespace) {
                Some((kid, secret)) => (kid.to_owned(), secret.trim()),
                None => (DEFAULT_KID.to_owned(), line),
            };
            if secret.len() < MIN_SECRET_BYTES {
                problems.push(format!("widget secret on line {} is shorter than {MIN_SECRET_BYTES} bytes", number + 1));
            }
            if keys.iter().any(|(k, _): &(String, Vec<u8>)| *k == kid) {
                problems.push(format!("widget secret key id {kid} appears twice"));
            }
            keys.push((kid, secret.as_bytes().to_vec()));
        }
        if keys.is_empty() {
            problems.push("the widget secrets file holds no secret".to_owned());
        }
        if problems.is_empty() {
            Ok(WidgetKeys { keys })
        } else {
            Err(problems)
        }
    }

    /// Checks a token presented by a page whose `Origin` header is `origin`.
    pub fn verify(&self, token: &str, origin: Option<&str>, now: i64) -> Result<WidgetClaims, WidgetTokenError> {
        let claims = hmac_token::verify(token, |kid| {
            let kid = kid.unwrap_or(DEFAULT_KID);
            self.keys.iter().find(|(k, _)| k == kid).map(|(_, secret)| secret.as_slice())
        })?;
        let expect = Expectations {
            now,
            leeway: LEEWAY_SECONDS,
            max_lifetime: MAX_LIFETIME_SECONDS,
            audience: Some(AUDIENCE),
            issuer: None,
        };
        let checked = check_claims(&claims, &expect)?;
        let issuer = checked.iss.filter(|s| !s.is_empty()).ok_or(WidgetTokenError::MissingClaim("iss"))?;
        let subject = checked.sub.filter(|s| !s.is_empty()).ok_or(WidgetTokenError::MissingClaim("sub"))?;
        if let Some(expected) = claims.get("origin").and_then(|o| o.as_str()) {
            if origin != Some(expected) {
                return Err(WidgetTokenError::Origin { expected: expected.to_owned() });
            }
        }
        Ok(WidgetClaims { issuer, subject, expires: checked.exp })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use smart_tags_credentials::jwt::Claims;

    const SECRET: &str = "a-widget-secret-of-at-least-32-bytes!";
    const NOW: i64 = 1_800_000_000;

    fn mint(claims: serde_json::Value, secret: &str, kid: Option<&str>) -> String {
        let claims: Claims = claims.as_object().cloned().unwrap_or_default();
        hmac_token::sign(&claims, secret.as_bytes(), kid)
    }

    fn good() -> serde_json::Value {
        json!({ "aud": AUDIENCE, "iss": "dam", "sub": "user-7", "exp": NOW + 600 })
    }

    #[test]
    fn a_valid_token_names_its_dam_and_user() {
        let keys = WidgetKeys::parse(SECRET).unwrap();
        let claims = keys.verify(&mint(good(), SECRET, None), None, NOW).unwrap();
        assert_eq!((claims.issuer.as_str(), claims.subject.as_str()), ("dam", "user-7"));
    }

    #[test]
    fn forged_expired_long_lived_and_foreign_tokens_are_refused() {
        let keys = WidgetKeys::parse(SECRET).unwrap();
        let forged = mint(good(), "another-secret-that-is-long-enough-too", None);
        assert_eq!(keys.verify(&forged, None, NOW), Err(WidgetTokenError::Token(JwtError::Signature)));
        let mut expired = good();
        expired["exp"] = json!(NOW - 31);
        assert!(matches!(
            keys.verify(&mint(expired, SECRET, None), None, NOW),
            Err(WidgetTokenError::Token(JwtError::Expired(_)))
        ));
        let mut long = good();
        long["exp"] = json!(NOW + 7200);
        assert!(matches!(
            keys.verify(&mint(long, SECRET, None), None, NOW),
            Err(WidgetTokenError::Token(JwtError::TooLongLived { .. }))
        ));
        let mut other_aud = good();
        other_aud["aud"] = json!("someone-else");
        assert!(matches!(
            keys.verify(&mint(other_aud, SECRET, None), None, NOW),
            Err(WidgetTokenError::Token(JwtError::Audience { .. }))
        ));
        let mut no_sub = good();
        no_sub.as_object_mut().unwrap().remove("sub");
        assert_eq!(keys.verify(&mint(no_sub, SECRET, None), None, NOW), Err(WidgetTokenError::MissingClaim("sub")));
        assert!(matches!(
            keys.verify(&mint(good(), SECRET, Some("unknown")), None, NOW),
            Err(WidgetTokenError::Token(JwtError::UnknownKey(_)))
        ));
        assert!(keys.verify("not a token", None, NOW).is_err());
    }

    #[test]
    fn origin_binding_and_key_rotation() {
        let keys =
            WidgetKeys::parse(&format!("# two secrets during a rotation\nold {SECRET}\nnew {SECRET}-next\n")).unwrap();
        let mut bound = good();
        bound["origin"] = json!("https://dam.example");
        let token = mint(bound, SECRET, Some("old"));
        assert!(keys.verify(&token, Some("https://dam.example"), NOW).is_ok());
        assert!(matches!(keys.verify(&token, Some("https://evil.example"), NOW), Err(WidgetTokenError::Origin { .. })));
        assert!(matches!(keys.verify(&token, None, NOW), Err(WidgetTokenError::Origin { .. })));
        assert!(keys.verify(&mint(good(), &format!("{SECRET}-next"), Some("new")), None, NOW).is_ok());
        assert!(format!("{keys:?}").contains("old") && !format!("{keys:?}").contains(SECRET));
    }

    #[test]
    fn bad_secret_files_report_every_problem() {
        let problems = WidgetKeys::parse("a short\na short-too\n").unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(WidgetKeys::parse("\n# nothing\n").is_err());
    }
}
