//! Compact JWS tokens (JWTs) signed with a key pair: RS256 or ES256. Parsing is bounded and
//! strict; verification never trusts the header to pick a weaker algorithm: the algorithm must be
//! the one of the registered key (so `none` and HS256-with-the-public-key are refused).

use serde_json::{Map, Value};

use crate::error::{CredentialError, JwtError};
use crate::keys::{PrivateKey, PublicKey};
use crate::{b64url, b64url_decode, UnixTime};

/// Longest token accepted, in bytes: more than any real JWT, little enough to parse cheaply.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// The algorithms a signed JWT may carry.
pub const ACCEPTED_ALGORITHMS: [&str; 2] = ["RS256", "ES256"];

/// JSON claims.
pub type Claims = Map<String, Value>;

/// Signs `claims` with `key` (RS256 for RSA, ES256 for P-256); `kid` goes into the header.
pub fn sign(claims: &Claims, key: &PrivateKey, kid: Option<&str>) -> Result<String, CredentialError> {
    let mut header = Map::new();
    header.insert("alg".into(), Value::from(key.algorithm().jws()));
    header.insert("typ".into(), Value::from("JWT"));
    if let Some(kid) = kid {
        header.insert("kid".into(), Value::from(kid));
    }
    let input = signing_input(&header, claims);
    let signature = key.sign(input.as_bytes())?;
    Ok(format!("{input}.{}", b64url(&signature)))
}

pub(crate) fn signing_input(header: &Claims, claims: &Claims) -> String {
    let encode = |m: &Claims| b64url(Value::Object(m.clone()).to_string().as_bytes());
    format!("{}.{}", encode(header), encode(claims))
}

/// A token split into its parts, its signature not yet checked.
#[derive(Debug, Clone)]
pub struct Unverified {
    pub algorithm: String,
    pub kid: Option<String>,
    pub claims: Claims,
    pub(crate) signing_input: String,
    pub(crate) signature: Vec<u8>,
}

/// Splits and decodes a compact JWS. Checks nothing but its shape.
pub fn parse(token: &str) -> Result<Unverified, JwtError> {
    let token = token.trim();
    if token.len() > MAX_TOKEN_BYTES {
        return Err(JwtError::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(claims), Some(signature), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let decode_object = |part: &str, wrap: fn(String) -> JwtError| -> Result<Claims, JwtError> {
        let bytes = b64url_decode(part).ok_or(JwtError::Malformed)?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(wrap("not an object".to_owned())),
            Err(e) => Err(wrap(e.to_string())),
        }
    };
    let header_map = decode_object(header, JwtError::Header)?;
    let claims_map = decode_object(claims, JwtError::Claims)?;
    let signature = b64url_decode(signature).ok_or(JwtError::Malformed)?;
    let algorithm = match header_map.get("alg") {
        Some(Value::String(alg)) => alg.clone(),
        _ => return Err(JwtError::Header("no alg".to_owned())),
    };
    let kid = match header_map.get("kid") {
        None | Some(Value::Null) => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(JwtError::Header("kid is not a string".to_owned())),
    };
    // RFC 7515 §4.1.11: a token whose `crit` names an extension the recipient does not
    // understand is invalid, and this implementation understands none.
    if let Some(crit) = header_map.get("crit") {
        return Err(JwtError::Critical(printable(&crit.to_string())));
    }
    Ok(Unverified { algorithm, kid, claims: claims_map, signing_input: format!("{header}.{claims}"), signature })
}

/// A registered verification key with its key id.
#[derive(Debug, Clone)]
pub struct VerifyingKey<'a> {
    pub kid: &'a str,
    pub key: &'a PublicKey,
}

impl Unverified {
    /// Checks the signature against the registered keys. A token naming a `kid` is checked against
    /// that key only (unknown kid: refused); one without is checked against every key of its
    /// algorithm (Adobe's console writes no kid). Returns the kid of the key that matched.
    pub fn verify<'a>(&self, keys: &[VerifyingKey<'a>]) -> Result<&'a str, JwtError> {
        if !ACCEPTED_ALGORITHMS.contains(&self.algorithm.as_str()) {
            return Err(JwtError::Algorithm(printable(&self.algorithm)));
        }
        let candidates: Vec<&VerifyingKey<'a>> = match &self.kid {
            Some(kid) => {
                let found: Vec<_> = keys.iter().filter(|k| k.kid == kid).collect();
                if found.is_empty() {
                    return Err(JwtError::UnknownKey(printable(kid)));
                }
                found
            }
            None => keys.iter().collect(),
        };
        for candidate in candidates {
            if candidate.key.jws() == self.algorithm
                && candidate.key.verify(self.signing_input.as_bytes(), &self.signature)
            {
                return Ok(candidate.kid);
            }
        }
        Err(JwtError::Signature)
    }
}

/// Short, printable form of an attacker-chosen string for an error message.
pub(crate) fn printable(text: &str) -> String {
    let cleaned: String = text.chars().filter(|c| c.is_ascii_graphic()).take(40).collect();
    if cleaned.is_empty() {
        "(empty)".to_owned()
    } else {
        cleaned
    }
}

/// What the claims of a token must satisfy.
#[derive(Debug, Clone)]
pub struct Expectations<'a> {
    /// The current time.
    pub now: UnixTime,
    /// Seconds of clock difference tolerated on `exp`, `nbf` and `iat`.
    pub leeway: i64,
    /// The longest lifetime accepted: `exp` more than this ahead of `now` is refused.
    pub max_lifetime: i64,
    /// The `aud` the token must name (a string, or an array containing it); `None`: not checked.
    pub audience: Option<&'a str>,
    /// The `iss` the token must name; `None`: not checked.
    pub issuer: Option<&'a str>,
}

/// The registered claims after [`check_claims`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub exp: UnixTime,
    pub iss: Option<String>,
    pub sub: Option<String>,
    pub jti: Option<String>,
}

/// Checks `exp` (required), `nbf`, `iat`, `aud` and `iss`.
pub fn check_claims(claims: &Claims, expect: &Expectations<'_>) -> Result<Checked, JwtError> {
    let exp = claims.get("exp").and_then(Value::as_i64).ok_or(JwtError::MissingClaim("exp"))?;
    if exp + expect.leeway <= expect.now {
        return Err(JwtError::Expired(exp));
    }
    if exp > expect.now + expect.max_lifetime + expect.leeway {
        return Err(JwtError::TooLongLived { exp, max_seconds: expect.max_lifetime });
    }
    if let Some(nbf) = claims.get("nbf") {
        let nbf = nbf.as_i64().ok_or(JwtError::MissingClaim("nbf"))?;
        if nbf > expect.now + expect.leeway {
            return Err(JwtError::NotYetValid(nbf));
        }
    }
    if let Some(iat) = claims.get("iat") {
        let iat = iat.as_i64().ok_or(JwtError::MissingClaim("iat"))?;
        if iat > expect.now + expect.leeway {
            return Err(JwtError::NotYetValid(iat));
        }
    }
    let text = |name: &'static str| -> Result<Option<String>, JwtError> {
        match claims.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(JwtError::MissingClaim(name)),
        }
    };
    let iss = text("iss")?;
    let sub = text("sub")?;
    let jti = text("jti")?;
    if let Some(expected) = expect.audience {
        let matches = match claims.get("aud") {
            Some(Value::String(aud)) => aud == expected,
            Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(expected)),
            _ => return Err(JwtError::MissingClaim("aud")),
        };
        if !matches {
            let found = match claims.get("aud") {
                Some(Value::String(aud)) => printable(aud),
                _ => "(a list)".to_owned(),
            };
            return Err(JwtError::Audience { found, expected: expected.to_owned() });
        }
    }
    if let Some(expected) = expect.issuer {
        match &iss {
            Some(found) if found == expected => {}
            Some(found) => return Err(JwtError::Issuer { found: printable(found), expected: expected.to_owned() }),
            None => return Err(JwtError::MissingClaim("iss")),
        }
    }
    Ok(Checked { exp, iss, sub, jti })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyAlgorithm;

    fn claims(exp: i64) -> Claims {
        let mut c = Claims::new();
        c.insert("exp".into(), exp.into());
        c.insert("iss".into(), "ORG@Org".into());
        c.insert("aud".into(), "http://auth/c/client".into());
        c.insert("jti".into(), "j1".into());
        c
    }

    fn expect(now: i64) -> Expectations<'static> {
        Expectations {
            now,
            leeway: 30,
            max_lifetime: 86_400,
            audience: Some("http://auth/c/client"),
            issuer: Some("ORG@Org"),
        }
    }

    #[test]
    fn es256_round_trip_and_tampering() {
        let key = PrivateKey::generate(KeyAlgorithm::P256).unwrap();
        let public = key.public_key();
        let token = sign(&claims(1_000), &key, Some("k1")).unwrap();
        let keys = [VerifyingKey { kid: "k1", key: &public }];
        let parsed = parse(&token).unwrap();
        assert_eq!(parsed.verify(&keys).unwrap(), "k1");
        assert_eq!(check_claims(&parsed.claims, &expect(900)).unwrap().jti.as_deref(), Some("j1"));
        // Changing one claim breaks the signature.
        let mut forged = claims(1_000);
        forged.insert("iss".into(), "OTHER@Org".into());
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        parts[1] = b64url(Value::Object(forged).to_string().as_bytes());
        let forged = parts.join(".");
        assert_eq!(parse(&forged).unwrap().verify(&keys), Err(JwtError::Signature));
        // Another key of the same algorithm does not verify it.
        let other = PrivateKey::generate(KeyAlgorithm::P256).unwrap().public_key();
        let wrong = [VerifyingKey { kid: "k1", key: &other }];
        assert_eq!(parsed.verify(&wrong), Err(JwtError::Signature));
        assert!(matches!(parsed.verify(&[VerifyingKey { kid: "k2", key: &public }]), Err(JwtError::UnknownKey(_))));
    }

    #[test]
    fn alg_none_and_hs256_are_refused() {
        let key = PrivateKey::generate(KeyAlgorithm::P256).unwrap();
        let public = key.public_key();
        let keys = [VerifyingKey { kid: "k1", key: &public }];
        for alg in ["none", "HS256", "RS512", ""] {
            let mut header = Claims::new();
            header.insert("alg".into(), alg.into());
            let token = format!("{}.", signing_input(&header, &claims(1_000)));
            let parsed = parse(&token).unwrap();
            assert!(matches!(parsed.verify(&keys), Err(JwtError::Algorithm(_))), "{alg}");
        }
        // An RS256 header over an ES256 key is not checked against that key.
        let mut header = Claims::new();
        header.insert("alg".into(), "RS256".into());
        let input = signing_input(&header, &claims(1_000));
        let sig = key.sign(input.as_bytes()).unwrap();
        let token = format!("{input}.{}", b64url(&sig));
        assert_eq!(parse(&token).unwrap().verify(&keys), Err(JwtError::Signature));
    }

    #[test]
    fn a_header_marking_an_extension_critical_is_refused_even_when_signed() {
        let key = PrivateKey::generate(KeyAlgorithm::P256).unwrap();
        let public = key.public_key();
        let keys = [VerifyingKey { kid: "k1", key: &public }];
        for crit in [serde_json::json!(["exp"]), serde_json::json!(["b64"]), serde_json::json!([])] {
            let mut header = Claims::new();
            header.insert("alg".into(), "ES256".into());
            header.insert("kid".into(), "k1".into());
            header.insert("crit".into(), crit.clone());
            header.insert("exp".into(), 0.into());
            let input = signing_input(&header, &claims(1_000));
            let token = format!("{input}.{}", b64url(&key.sign(input.as_bytes()).unwrap()));
            assert!(matches!(parse(&token), Err(JwtError::Critical(_))), "{crit}");
        }
        // The same token without crit is accepted.
        let mut header = Claims::new();
        header.insert("alg".into(), "ES256".into());
        header.insert("kid".into(), "k1".into());
        let input = signing_input(&header, &claims(1_000));
        let token = format!("{input}.{}", b64url(&key.sign(input.as_bytes()).unwrap()));
        assert_eq!(parse(&token).unwrap().verify(&keys), Ok("k1"));
    }

    #[test]
    fn claim_checks() {
        let c = claims(1_000);
        assert_eq!(check_claims(&c, &expect(1_000 + 30)), Err(JwtError::Expired(1_000)));
        assert!(check_claims(&c, &expect(1_000 + 29)).is_ok(), "within the leeway");
        assert!(matches!(check_claims(&c, &expect(1_000 - 86_400 - 31)), Err(JwtError::TooLongLived { .. })));
        let mut e = expect(900);
        e.audience = Some("http://auth/c/other");
        assert!(matches!(check_claims(&c, &e), Err(JwtError::Audience { .. })));
        let mut e = expect(900);
        e.issuer = Some("B@Org");
        assert!(matches!(check_claims(&c, &e), Err(JwtError::Issuer { .. })));
        let mut no_exp = c.clone();
        no_exp.remove("exp");
        assert_eq!(check_claims(&no_exp, &expect(900)), Err(JwtError::MissingClaim("exp")));
        let mut nbf = c.clone();
        nbf.insert("nbf".into(), 2_000.into());
        assert_eq!(check_claims(&nbf, &expect(900)), Err(JwtError::NotYetValid(2_000)));
        let mut list = c;
        list.insert("aud".into(), serde_json::json!(["x", "http://auth/c/client"]));
        assert!(check_claims(&list, &expect(900)).is_ok());
    }

    #[test]
    fn garbage_never_panics() {
        for token in
            ["", ".", "..", "a.b.c", "e30.e30.", "e30.W10.", "e30.e30.e30.e30", &"a".repeat(MAX_TOKEN_BYTES + 1)]
        {
            let _ = parse(token).map(|p| p.verify(&[]));
        }
        assert!(matches!(parse("e30.e30."), Err(JwtError::Header(_))));
        assert!(matches!(parse("eyJhbGciOiJSUzI1NiJ9.W10."), Err(JwtError::Claims(_))));
    }
}
