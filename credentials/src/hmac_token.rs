//! HS256 tokens, for secrets two parties share: the access tokens the authorization server issues
//! and checks itself, and the widget tokens a host DAM's back end mints for the proxy.
//! Verification accepts HS256 only and compares signatures in constant time.

use ring::hmac;
use serde_json::{Map, Value};

use crate::b64url;
use crate::error::JwtError;
use crate::jwt::{parse, printable, signing_input, Claims};

/// Shortest HMAC key accepted, in bytes.
pub const MIN_KEY_BYTES: usize = 16;

/// Signs `claims` as an HS256 JWT with `key`.
pub fn sign(claims: &Claims, key: &[u8], kid: Option<&str>) -> String {
    let mut header = Map::new();
    header.insert("alg".into(), Value::from("HS256"));
    header.insert("typ".into(), Value::from("JWT"));
    if let Some(kid) = kid {
        header.insert("kid".into(), Value::from(kid));
    }
    let input = signing_input(&header, claims);
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), input.as_bytes());
    format!("{input}.{}", b64url(tag.as_ref()))
}

/// Checks an HS256 token's signature with the key that `key_for` gives for its kid (or `None`
/// for an unknown one) and returns its claims, unchecked otherwise (see
/// [`crate::jwt::check_claims`]).
pub fn verify<'k>(token: &str, key_for: impl Fn(Option<&str>) -> Option<&'k [u8]>) -> Result<Claims, JwtError> {
    let parsed = parse(token)?;
    if parsed.algorithm != "HS256" {
        return Err(JwtError::Algorithm(printable(&parsed.algorithm)));
    }
    let key = key_for(parsed.kid.as_deref())
        .ok_or_else(|| JwtError::UnknownKey(parsed.kid.as_deref().map_or_else(|| "(none)".to_owned(), printable)))?;
    hmac::verify(&hmac::Key::new(hmac::HMAC_SHA256, key), parsed.signing_input.as_bytes(), &parsed.signature)
        .map_err(|_| JwtError::Signature)?;
    Ok(parsed.claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_forgery() {
        let key = b"0123456789abcdef0123456789abcdef";
        let mut claims = Claims::new();
        claims.insert("sub".into(), "dam".into());
        let token = sign(&claims, key, Some("w1"));
        let got = verify(&token, |kid| (kid == Some("w1")).then_some(&key[..])).unwrap();
        assert_eq!(got.get("sub").and_then(Value::as_str), Some("dam"));
        assert_eq!(verify(&token, |_| Some(&b"another key of sixteen bytes or more"[..])), Err(JwtError::Signature));
        assert!(matches!(verify(&token, |_| None), Err(JwtError::UnknownKey(_))));
        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert!(verify(&tampered, |_| Some(&key[..])).is_err());
    }

    #[test]
    fn other_algorithms_are_refused() {
        let key = crate::keys::PrivateKey::generate(crate::keys::KeyAlgorithm::P256).unwrap();
        let token = crate::jwt::sign(&Claims::new(), &key, None).unwrap();
        assert!(matches!(verify(&token, |_| Some(&b"0123456789abcdef"[..])), Err(JwtError::Algorithm(_))));
    }
}
