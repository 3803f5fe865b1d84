//! BCP-47 language tags (RFC 5646), checked for well-formedness.

/// `Ok` when `tag` is a well-formed BCP-47 language tag such as `en`, `pt-BR` or `zh-Hant-TW`.
pub fn check(tag: &str) -> Result<(), String> {
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or_default();
    if !(2..=8).contains(&language.len()) || !language.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err("the language subtag must be 2 to 8 letters".to_owned());
    }
    for part in parts {
        if part.is_empty() || part.len() > 8 || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format!("bad subtag {part:?}"));
        }
    }
    Ok(())
}
