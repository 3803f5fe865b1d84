//! BCP-47 language tags (RFC 5646), checked for well-formedness and put in canonical case.
//!
//! The grammar is RFC 5646 §2.1, case-insensitive:
//! `language[-script][-region](-variant)*(-extension)*[-x-private]`, or a private-use tag alone
//! (`x-…`). Duplicate variants and duplicate extension singletons are refused (§2.2.9).
//!
//! Two deliberate departures from the bare grammar:
//! - a primary language subtag must be 2 or 3 letters. The grammar also allows 4 letters
//!   (reserved) and 5–8 letters (registered), but none such is registered, so `english` or
//!   `deutsch` is far more likely a mistake than a language;
//! - the irregular grandfathered tags (`i-klingon`, `en-GB-oed`, `sgn-BE-FR`, …) are refused: every
//!   one is deprecated and has a modern replacement. The regular grandfathered tags
//!   (`zh-min-nan`, `art-lojban`, …) happen to fit the grammar and are accepted.
//!
//! Whether a subtag is registered in the IANA registry is not checked (`qq-ZZ` is well-formed).

/// Why a locale is not a well-formed language tag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocaleError {
    #[error("the locale is empty")]
    Empty,
    #[error("empty subtag: subtags are separated by a single '-', with none at the start or end")]
    EmptySubtag,
    #[error("subtag {0:?} has a character other than an ASCII letter or digit (separate subtags with '-', not '_')")]
    BadCharacter(String),
    #[error("subtag {0:?} is longer than 8 characters")]
    TooLong(String),
    #[error("the language subtag {0:?} must be 2 or 3 letters, such as \"en\" or \"de\"")]
    BadLanguage(String),
    #[error("subtag {0:?} is not a script (4 letters), region (2 letters or 3 digits), variant (5 to 8 letters or digits, or a digit and 3 more) or extension at this place")]
    Unexpected(String),
    #[error("variant {0:?} appears twice")]
    DuplicateVariant(String),
    #[error("extension {0:?} appears twice")]
    DuplicateExtension(String),
    #[error("extension {0:?} must be followed by subtags of 2 to 8 letters or digits")]
    EmptyExtension(String),
    #[error("private use 'x' must be followed by subtags of 1 to 8 letters or digits")]
    EmptyPrivateUse,
    #[error("{0:?} is an irregular grandfathered tag; use its modern replacement")]
    Grandfathered(String),
}

/// The irregular grandfathered tags of RFC 5646 §2.2.8, lowercase.
const IRREGULAR: [&str; 17] = [
    "en-gb-oed",
    "i-ami",
    "i-bnn",
    "i-default",
    "i-enochian",
    "i-hak",
    "i-klingon",
    "i-lux",
    "i-mingo",
    "i-navajo",
    "i-pwn",
    "i-tao",
    "i-tay",
    "i-tsu",
    "sgn-be-fr",
    "sgn-be-nl",
    "sgn-ch-de",
];

/// `Ok` when `tag` is a well-formed language tag such as `en`, `pt-BR` or `zh-Hant-TW`.
pub fn check(tag: &str) -> Result<(), LocaleError> {
    canonical(tag).map(|_| ())
}

/// The tag in its conventional case (RFC 5646 §2.1.1): language lowercase, script title case,
/// region uppercase, the rest lowercase. `PT-br` -> `pt-BR`, `ZH-hant-tw` -> `zh-Hant-TW`.
pub fn canonical(tag: &str) -> Result<String, LocaleError> {
    if tag.is_empty() {
        return Err(LocaleError::Empty);
    }
    let subtags: Vec<&str> = tag.split('-').collect();
    for subtag in &subtags {
        if subtag.is_empty() {
            return Err(LocaleError::EmptySubtag);
        }
        if !subtag.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(LocaleError::BadCharacter(shorten(subtag)));
        }
        if subtag.len() > 8 {
            return Err(LocaleError::TooLong(shorten(subtag)));
        }
    }
    let lower = tag.to_ascii_lowercase();
    if IRREGULAR.contains(&lower.as_str()) {
        return Err(LocaleError::Grandfathered(tag.to_owned()));
    }
    let mut out: Vec<String> = Vec::with_capacity(subtags.len());
    let mut rest = subtags.iter().map(|s| s.to_ascii_lowercase()).peekable();

    // language, or a private-use tag alone
    let language = rest.next().ok_or(LocaleError::Empty)?;
    if language == "x" {
        return private_use(language, rest.collect(), out);
    }
    if !(2..=3).contains(&language.len()) || !is_alpha(&language) {
        return Err(LocaleError::BadLanguage(language));
    }
    out.push(language.clone());
    // up to 3 extended language subtags, only after a 2-3 letter language
    let mut extlangs = 0;
    while extlangs < 3 && rest.peek().is_some_and(|s| s.len() == 3 && is_alpha(s)) {
        out.extend(rest.next());
        extlangs += 1;
    }
    // script
    if let Some(script) = rest.next_if(|s| s.len() == 4 && is_alpha(s)) {
        let mut chars = script.chars();
        let first = chars.next().map(|c| c.to_ascii_uppercase()).into_iter();
        out.push(first.chain(chars).collect());
    }
    // region
    if let Some(region) =
        rest.next_if(|s| (s.len() == 2 && is_alpha(s)) || (s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit())))
    {
        out.push(region.to_ascii_uppercase());
    }
    // variants
    let mut variants: Vec<String> = Vec::new();
    while let Some(variant) = rest.next_if(|s| is_variant(s)) {
        if variants.contains(&variant) {
            return Err(LocaleError::DuplicateVariant(variant));
        }
        variants.push(variant.clone());
        out.push(variant);
    }
    // extensions
    let mut singletons: Vec<String> = Vec::new();
    while let Some(singleton) = rest.next_if(|s| s.len() == 1 && s != "x") {
        if singletons.contains(&singleton) {
            return Err(LocaleError::DuplicateExtension(singleton));
        }
        singletons.push(singleton.clone());
        out.push(singleton.clone());
        let mut count = 0;
        while let Some(subtag) = rest.next_if(|s| s.len() >= 2) {
            out.push(subtag);
            count += 1;
        }
        if count == 0 {
            return Err(LocaleError::EmptyExtension(singleton));
        }
    }
    match rest.next() {
        None => Ok(out.join("-")),
        Some(x) if x == "x" => private_use(x, rest.collect(), out),
        Some(other) => Err(LocaleError::Unexpected(other)),
    }
}

/// Appends `x-…` (every subtag 1 to 8 alphanumerics, already checked) to `out`.
fn private_use(x: String, subtags: Vec<String>, mut out: Vec<String>) -> Result<String, LocaleError> {
    if subtags.is_empty() {
        return Err(LocaleError::EmptyPrivateUse);
    }
    out.push(x);
    out.extend(subtags);
    Ok(out.join("-"))
}

fn is_alpha(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphabetic())
}

/// `5*8alphanum / (DIGIT 3alphanum)`; subtags are already known to be alphanumeric.
fn is_variant(s: &str) -> bool {
    (5..=8).contains(&s.len()) || (s.len() == 4 && s.as_bytes().first().is_some_and(u8::is_ascii_digit))
}

/// At most 20 characters of `s`, for messages.
fn shorten(s: &str) -> String {
    if s.chars().count() > 20 {
        s.chars().take(20).collect::<String>() + "…"
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_well_formed_tags() {
        for tag in [
            "en",
            "pt-BR",
            "zh-Hant-TW",
            "de-CH-1901",
            "sr-Latn-RS",
            "x-private",
            "es-419",
            "zh-yue-HK",
            "en-US-x-twain",
            "de-DE-u-co-phonebk",
            "sl-rozaj-biske",
            "zh-min-nan",
            "qaa",
        ] {
            assert_eq!(check(tag), Ok(()), "{tag:?} should be accepted");
        }
    }

    #[test]
    fn refuses_malformed_tags() {
        for tag in [
            "e",
            "english",
            "en_US",
            "en--US",
            "123",
            "",
            "-en",
            "en-",
            "en-US-US",
            "de-1901-1901",
            "en-a-bb-a-cc",
            "en-a",
            "en-x",
            "x",
            "i-klingon",
            "en-GB-oed",
            "en-toolongsubtag",
            "en-US-Latn",
            "é",
        ] {
            assert!(check(tag).is_err(), "{tag:?} should be refused");
        }
    }

    #[test]
    fn gives_canonical_case_and_clear_messages() {
        assert_eq!(canonical("PT-br").unwrap(), "pt-BR");
        assert_eq!(canonical("zh-hant-tw").unwrap(), "zh-Hant-TW");
        assert_eq!(canonical("SR-LATN-rs").unwrap(), "sr-Latn-RS");
        assert_eq!(canonical("de-ch-1901").unwrap(), "de-CH-1901");
        assert_eq!(canonical("en-US-X-Twain").unwrap(), "en-US-x-twain");
        assert_eq!(canonical("X-Private").unwrap(), "x-private");
        assert!(check("en_US").unwrap_err().to_string().contains("not '_'"));
        assert!(check("english").unwrap_err().to_string().contains("2 or 3 letters"));
        assert_eq!(check("en--US"), Err(LocaleError::EmptySubtag));
    }
}
