//! The JWT the proxy signs for `/ims/exchange/jwt`: the console's payload (`iss`, `sub`, `aud`,
//! metascopes) plus `exp` = now + 300 s, `iat` = now and a random `jti`; the header names the
//! certificate as `kid`.

use serde_json::Value;
use smart_tags_credentials::jwt::{self, Claims};

use super::TokenError;
use crate::keys::ActiveKey;

/// Lifetime of a signed JWT, in seconds.
pub const LIFETIME_SECONDS: i64 = 300;

/// Signs a fresh JWT over `payload` with the active key.
pub fn sign(payload: &Claims, key: &ActiveKey, now: i64) -> Result<String, TokenError> {
    let mut claims = payload.clone();
    claims.insert("exp".into(), Value::from(now + LIFETIME_SECONDS));
    claims.insert("iat".into(), Value::from(now));
    claims.remove("nbf");
    let jti = smart_tags_credentials::secret::random_hex(16).map_err(|e| TokenError::Sign(e.to_string()))?;
    claims.insert("jti".into(), Value::from(jti));
    jwt::sign(&claims, &key.key, Some(&key.id)).map_err(|e| TokenError::Sign(e.to_string()))
}
