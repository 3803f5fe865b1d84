//! The back-end API keys file: one `NAME sha256:<hex>` line per DAM back end (`#` comments and
//! blank lines allowed). Keys are random `stbk_` secrets shown once by `smart-tags-proxy
//! backend-key add NAME`; only their SHA-256 is stored, and a presented key is compared with
//! every stored digest in constant time.

use smart_tags_credentials::secret::{hash_secret, random_secret, verify_secret};

/// The prefix of every back-end API key.
pub const KEY_PREFIX: &str = "stbk_";

#[derive(Clone)]
pub struct BackendKeys {
    entries: Vec<(String, String)>,
}

/// Never shows a digest.
impl std::fmt::Debug for BackendKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.entries.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("BackendKeys").field("names", &names).finish()
    }
}

/// Whether `name` is a usable key name: 1–64 letters, digits, `.`, `_`, `-`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

impl BackendKeys {
    /// No key at all.
    pub fn empty() -> BackendKeys {
        BackendKeys { entries: Vec::new() }
    }

    /// Reads the file's text; every problem is reported, with its line number.
    pub fn parse(text: &str) -> Result<BackendKeys, Vec<String>> {
        let mut entries: Vec<(String, String)> = Vec::new();
        let mut problems = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = line.split_whitespace();
            match (words.next(), words.next(), words.next()) {
                (Some(name), Some(digest), None) if valid_name(name) && is_digest(digest) => {
                    if entries.iter().any(|(other, _)| other == name) {
                        problems.push(format!("line {}: the back-end key name {name} is used twice", n + 1));
                    }
                    entries.push((name.to_owned(), digest.to_owned()));
                }
                _ => problems.push(format!("line {}: expected `NAME sha256:<64 hex digits>`", n + 1)),
            }
        }
        if problems.is_empty() {
            Ok(BackendKeys { entries })
        } else {
            Err(problems)
        }
    }

    /// The name of the key `presented` is, if any. Every stored digest is compared, in
    /// constant time, whichever matches.
    pub fn verify(&self, presented: &str) -> Option<&str> {
        let mut found = None;
        for (name, digest) in &self.entries {
            if verify_secret(presented, digest) && found.is_none() {
                found = Some(name.as_str());
            }
        }
        found
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.entries.iter().any(|(n, _)| n == name)
    }
}

fn is_digest(text: &str) -> bool {
    text.strip_prefix("sha256:").is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A new key and the line the keys file stores for it.
pub fn new_key(name: &str) -> Result<(String, String), smart_tags_credentials::CredentialError> {
    let key = random_secret(KEY_PREFIX, 32)?;
    let line = format!("{name} {}", hash_secret(&key));
    Ok((key, line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_verifies_under_its_name_only() {
        let (key, line) = new_key("dam-prod").unwrap();
        assert!(key.starts_with(KEY_PREFIX) && key.len() > 40);
        let (other, other_line) = new_key("dam-test").unwrap();
        let keys = BackendKeys::parse(&format!("# keys\n{line}\n\n{other_line}\n")).unwrap();
        assert_eq!(keys.verify(&key), Some("dam-prod"));
        assert_eq!(keys.verify(&other), Some("dam-test"));
        assert_eq!(keys.verify("stbk_wrong"), None);
        assert!(!format!("{keys:?}").contains("sha256"));
    }

    #[test]
    fn bad_lines_are_all_reported() {
        let problems = BackendKeys::parse("a sha256:00\nb\nc sha256:0000000000000000000000000000000000000000000000000000000000000000\nc sha256:0000000000000000000000000000000000000000000000000000000000000000").unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("line 1"));
        assert!(problems[2].contains("used twice"));
    }
}
