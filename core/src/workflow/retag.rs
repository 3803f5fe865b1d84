//! Whether an asset is tagged again: never for the same bytes with the same model, taxonomy,
//! settings and trained-model versions (idempotent by content hash); for the same bytes whose
//! prediction is stale only after [`RetagPolicy::unchanged_after_hours`] (AEM: 24 h); always for new
//! bytes or when forced.

use super::RetagPolicy;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetagDecision {
    /// Answer the stored prediction; the model does not run.
    Reuse,
    /// Run the model.
    Retag,
}

/// `current`: the stored prediction is of the same bytes with every version current;
/// `same_bytes`: it is of the same bytes; `age_seconds`: its age; `force`: the caller insists.
pub fn decide(policy: &RetagPolicy, current: bool, same_bytes: bool, age_seconds: i64, force: bool) -> RetagDecision {
    if force || !same_bytes {
        return RetagDecision::Retag;
    }
    if current {
        return RetagDecision::Reuse;
    }
    let limit = i64::from(policy.unchanged_after_hours) * 3600;
    if age_seconds < limit {
        RetagDecision::Reuse
    } else {
        RetagDecision::Retag
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions() {
        let policy = RetagPolicy { unchanged_after_hours: 24 };
        let hour = 3600;
        assert_eq!(
            decide(&policy, true, true, 100 * hour, false),
            RetagDecision::Reuse,
            "current is never tagged twice"
        );
        assert_eq!(decide(&policy, false, true, 23 * hour, false), RetagDecision::Reuse, "stale but younger than 24 h");
        assert_eq!(decide(&policy, false, true, 24 * hour, false), RetagDecision::Retag);
        assert_eq!(decide(&policy, false, false, 0, false), RetagDecision::Retag, "new bytes");
        assert_eq!(decide(&policy, true, true, 0, true), RetagDecision::Retag, "forced");
        let eager = RetagPolicy { unchanged_after_hours: 0 };
        assert_eq!(decide(&eager, false, true, 0, false), RetagDecision::Retag);
        assert_eq!(decide(&eager, true, true, 0, false), RetagDecision::Reuse);
    }
}
