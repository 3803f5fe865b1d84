//! The two scopes of the tagging API and their metascope claims (`<issuer>/s/<name>`).

use serde::Serialize;

/// What an integration (and an access token) may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Tagging: predict, assets, suggest, every GET.
    SmartTags,
    /// Everything else: taxonomy writes, links, settings, training.
    SmartTagsAdmin,
}

impl Scope {
    pub const ALL: [Scope; 2] = [Scope::SmartTags, Scope::SmartTagsAdmin];

    pub fn name(self) -> &'static str {
        match self {
            Scope::SmartTags => "smart_tags",
            Scope::SmartTagsAdmin => "smart_tags_admin",
        }
    }

    pub fn parse(name: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The JWT claim naming this scope: `<issuer>/s/<name>`.
    pub fn metascope(self, issuer: &str) -> String {
        format!("{issuer}/s/{}", self.name())
    }
}

/// Scope names as stored, unknown ones left out, sorted and without repeats.
pub fn parse_stored(names: &[String]) -> Vec<Scope> {
    let mut scopes: Vec<Scope> = names.iter().filter_map(|n| Scope::parse(n)).collect();
    scopes.sort();
    scopes.dedup();
    scopes
}

/// Space separated names, the `scope` claim of an access token.
pub fn joined(scopes: &[Scope]) -> String {
    scopes.iter().map(|s| s.name()).collect::<Vec<_>>().join(" ")
}
