//! Tag ids in AEM's form `namespace:path/to/tag`. The namespace alone (`products:`) is the root tag
//! of its namespace; the path's segments give the hierarchy.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Longest id accepted, in bytes.
pub const MAX_LEN: usize = 512;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TagIdError {
    #[error("tag id is empty")]
    Empty,
    #[error("tag id {0:?} is longer than {MAX_LEN} bytes")]
    TooLong(String),
    #[error("tag id {0:?} has no namespace (expected namespace:path/to/tag)")]
    NoNamespace(String),
    #[error("tag id {id:?} has an invalid segment {segment:?}: use lowercase letters, digits, '-', '_' or '.'")]
    BadSegment { id: String, segment: String },
}

/// A validated tag id. Segments are lowercase ASCII letters, digits, `-`, `_` and `.`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TagId(String);

fn valid_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment != "."
        && segment != ".."
        && segment.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.'))
}

impl TagId {
    pub fn parse(id: &str) -> Result<TagId, TagIdError> {
        if id.is_empty() {
            return Err(TagIdError::Empty);
        }
        if id.len() > MAX_LEN {
            return Err(TagIdError::TooLong(id.chars().take(40).collect::<String>() + "…"));
        }
        let Some((namespace, path)) = id.split_once(':') else {
            return Err(TagIdError::NoNamespace(id.to_owned()));
        };
        let bad = |segment: &str| TagIdError::BadSegment { id: id.to_owned(), segment: segment.to_owned() };
        if !valid_segment(namespace) {
            return Err(bad(namespace));
        }
        if !path.is_empty() {
            for segment in path.split('/') {
                if !valid_segment(segment) {
                    return Err(bad(segment));
                }
            }
        }
        Ok(TagId(id.to_owned()))
    }

    /// The namespace root tag, e.g. `products:`.
    pub fn namespace_root(namespace: &str) -> Result<TagId, TagIdError> {
        TagId::parse(&format!("{namespace}:"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn namespace(&self) -> &str {
        self.0.split_once(':').map_or(self.0.as_str(), |(ns, _)| ns)
    }

    /// The part after `namespace:`, empty for a namespace root.
    pub fn path(&self) -> &str {
        self.0.split_once(':').map_or("", |(_, path)| path)
    }

    pub fn is_namespace(&self) -> bool {
        self.path().is_empty()
    }

    /// The last segment (the namespace for a namespace root).
    pub fn name(&self) -> &str {
        match self.path().rsplit_once('/') {
            Some((_, name)) => name,
            None if self.is_namespace() => self.namespace(),
            None => self.path(),
        }
    }

    /// The parent tag id; `None` for a namespace root.
    pub fn parent(&self) -> Option<TagId> {
        if self.is_namespace() {
            return None;
        }
        Some(match self.path().rsplit_once('/') {
            Some((parent, _)) => TagId(format!("{}:{parent}", self.namespace())),
            None => TagId(format!("{}:", self.namespace())),
        })
    }

    /// The namespace root first, this id last.
    pub fn ancestors_and_self(&self) -> Vec<TagId> {
        let mut chain = vec![self.clone()];
        while let Some(parent) = chain.last().and_then(TagId::parent) {
            chain.push(parent);
        }
        chain.reverse();
        chain
    }

    /// Whether `self` is `other` or lies beneath it.
    pub fn is_within(&self, other: &TagId) -> bool {
        self == other
            || (other.is_namespace() && self.namespace() == other.namespace())
            || self.0.starts_with(&format!("{}/", other.0))
    }

    /// The child id `self/segment`.
    pub fn child(&self, segment: &str) -> Result<TagId, TagIdError> {
        if self.is_namespace() {
            TagId::parse(&format!("{}{segment}", self.0))
        } else {
            TagId::parse(&format!("{}/{segment}", self.0))
        }
    }

    /// This id moved from under `from` to under `to` (for moving a subtree).
    pub fn rebased(&self, from: &TagId, to: &TagId) -> Result<TagId, TagIdError> {
        if self == from {
            return Ok(to.clone());
        }
        let rest = self.0.strip_prefix(&format!("{}/", from.0)).or_else(|| {
            if from.is_namespace() {
                self.0.strip_prefix(from.as_str())
            } else {
                None
            }
        });
        match rest {
            Some(rest) => to.child(rest),
            None => Ok(self.clone()),
        }
    }
}

/// A readable id segment from a title: `"Running Shoes"` -> `running-shoes`. Common Latin
/// letters with diacritics are folded (`"Crème brûlée"` -> `creme-brulee`, `ß` -> `ss`); other
/// characters separate words. A title with no letter or digit left gives `tag`.
pub fn slug(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if let Some(folded) = fold(c) {
            slug.push_str(folded);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.is_empty() {
        slug.push_str("tag");
    }
    slug
}

/// The ASCII spelling of a lowercase Latin letter with a diacritic.
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' | 'ľ' | 'ĺ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' | 'ŕ' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

impl fmt::Display for TagId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for TagId {
    type Err = TagIdError;
    fn from_str(s: &str) -> Result<TagId, TagIdError> {
        TagId::parse(s)
    }
}

impl Serialize for TagId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TagId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<TagId, D::Error> {
        let s = String::deserialize(deserializer)?;
        TagId::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_walks_the_hierarchy() {
        let id = TagId::parse("products:apparel/shoes").unwrap();
        assert_eq!(id.namespace(), "products");
        assert_eq!(id.name(), "shoes");
        assert_eq!(id.parent().unwrap().as_str(), "products:apparel");
        assert_eq!(id.parent().unwrap().parent().unwrap().as_str(), "products:");
        assert_eq!(TagId::parse("products:").unwrap().parent(), None);
        let chain: Vec<String> = id.ancestors_and_self().iter().map(|t| t.to_string()).collect();
        assert_eq!(chain, ["products:", "products:apparel", "products:apparel/shoes"]);
        assert!(id.is_within(&TagId::parse("products:apparel").unwrap()));
        assert!(id.is_within(&TagId::parse("products:").unwrap()));
        assert!(!TagId::parse("products:apparels").unwrap().is_within(&TagId::parse("products:apparel").unwrap()));
    }

    #[test]
    fn refuses_bad_ids() {
        for bad in
            ["", "shoes", ":shoes", "products:Shoes", "products:a//b", "products:a/", "products:a b", "products:../x"]
        {
            assert!(TagId::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn rebases_a_subtree() {
        let id = TagId::parse("products:apparel/shoes/boots").unwrap();
        let moved =
            id.rebased(&TagId::parse("products:apparel").unwrap(), &TagId::parse("catalog:wear").unwrap()).unwrap();
        assert_eq!(moved.as_str(), "catalog:wear/shoes/boots");
        assert_eq!(slug("Running  Shoes!"), "running-shoes");
        assert_eq!(slug("Crème brûlée"), "creme-brulee");
        assert_eq!(slug("Straße & Brücke"), "strasse-brucke");
        assert_eq!(slug("日本"), "tag");
    }
}
