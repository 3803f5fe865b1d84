//! The training-set linter: what is wrong with a model's examples before any training.
//!
//! Errors block training: too few tags, too few examples of a tag, a tag that is not in the
//! taxonomy, a tag that is in another model too. Warnings do not: more examples than are used (a
//! sample is drawn), images carrying two or more of the model's tags (left out), near-duplicate
//! images under different tags, and imbalanced tag counts.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::jobs;
use super::linalg::matmul_abt;
use super::logistic::l2_normalized;
use super::select::{select, Selection};
use super::{Example, ModelKind, ModelSpec, TrainingOptions, EMBEDDING_DIM};
use crate::taxonomy::TagId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Blocks training.
    Error,
    /// Training goes on.
    Warning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    TooFewTags,
    TooFewExamples,
    TooManyExamples,
    /// One image carries two or more tags of this model.
    ConflictingTags,
    TagInTwoModels,
    NearDuplicates,
    ClassImbalance,
    /// A tag of the model is not in the taxonomy.
    UnknownTag,
    /// A tag's examples are crops or near copies of fewer than [`MIN_DISTINCT_IMAGES`] pictures.
    FewDistinctImages,
}

/// Fewest distinct pictures (groups of near duplicates) a tag's examples should show.
pub const MIN_DISTINCT_IMAGES: usize = 3;

impl FindingKind {
    pub fn severity(self) -> Severity {
        match self {
            FindingKind::TooFewTags
            | FindingKind::TooFewExamples
            | FindingKind::UnknownTag
            | FindingKind::TagInTwoModels => Severity::Error,
            FindingKind::TooManyExamples
            | FindingKind::ConflictingTags
            | FindingKind::NearDuplicates
            | FindingKind::ClassImbalance
            | FindingKind::FewDistinctImages => Severity::Warning,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub severity: Severity,
    /// Lowercase; names the tags and counts.
    pub message: String,
    pub tags: Vec<TagId>,
    /// Content hashes of the offending images.
    pub assets: Vec<String>,
}

impl Finding {
    fn new(kind: FindingKind, message: String, tags: Vec<TagId>, assets: Vec<String>) -> Finding {
        Finding { kind, severity: kind.severity(), message, tags, assets }
    }
}

/// Whether any finding is an error.
pub fn blocks_training(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

fn short(asset: &str) -> String {
    let head: String = asset.chars().take(12).collect();
    if head.len() < asset.len() {
        head + "…"
    } else {
        head
    }
}

/// Lints `spec` against the other models, the taxonomy (`known_tags`) and the examples.
pub fn lint(
    spec: &ModelSpec,
    other_specs: &[ModelSpec],
    known_tags: &dyn Fn(&TagId) -> bool,
    examples: &[Example],
    options: &TrainingOptions,
) -> Vec<Finding> {
    lint_selection(spec, other_specs, known_tags, &select(spec, examples, options), options)
}

pub(crate) fn lint_selection(
    spec: &ModelSpec,
    other_specs: &[ModelSpec],
    known_tags: &dyn Fn(&TagId) -> bool,
    selection: &Selection<'_>,
    options: &TrainingOptions,
) -> Vec<Finding> {
    let tags = &selection.tags;
    let mut findings = Vec::new();
    if tags.len() < options.min_tags {
        findings.push(Finding::new(
            FindingKind::TooFewTags,
            format!(
                "model {:?} has {}; a model needs at least {} tags",
                spec.name,
                plural(tags.len(), "tag", "tags"),
                options.min_tags
            ),
            tags.clone(),
            Vec::new(),
        ));
    }
    for tag in tags.iter().filter(|tag| !known_tags(tag)) {
        findings.push(Finding::new(
            FindingKind::UnknownTag,
            format!("tag {tag} is not in the taxonomy"),
            vec![tag.clone()],
            Vec::new(),
        ));
    }
    for tag in tags {
        let others: Vec<String> = other_specs
            .iter()
            .filter(|other| other.name != spec.name && other.tags.contains(tag))
            .map(|other| format!("{:?}", other.name))
            .collect();
        if !others.is_empty() {
            findings.push(Finding::new(
                FindingKind::TagInTwoModels,
                format!("tag {tag} is also in model {}; a tag can belong to one model only", others.join(", ")),
                vec![tag.clone()],
                Vec::new(),
            ));
        }
    }
    for (i, tag) in tags.iter().enumerate() {
        let available = selection.available[i];
        let assets = || selection.used[i].iter().map(|e| e.asset.clone()).collect();
        if available < options.min_examples_per_tag {
            findings.push(Finding::new(
                FindingKind::TooFewExamples,
                format!(
                    "tag {tag} has {}; at least {} are needed",
                    plural(available, "usable example", "usable examples"),
                    options.min_examples_per_tag
                ),
                vec![tag.clone()],
                assets(),
            ));
        } else if available > options.max_examples_per_tag && spec.kind == ModelKind::Exclusive {
            findings.push(Finding::new(
                FindingKind::TooManyExamples,
                format!(
                    "tag {tag} has {available} examples; a sample of {} will be used",
                    options.max_examples_per_tag
                ),
                vec![tag.clone()],
                Vec::new(),
            ));
        }
    }
    if !selection.conflicting.is_empty() {
        let involved: BTreeSet<usize> =
            selection.conflicting.iter().flat_map(|(_, carried)| carried.iter().copied()).collect();
        let involved: Vec<TagId> = involved.into_iter().map(|i| tags[i].clone()).collect();
        findings.push(Finding::new(
            FindingKind::ConflictingTags,
            format!(
                "{} more than one tag of this model ({}); they are left out of training",
                plural(selection.conflicting.len(), "image carries", "images carry"),
                involved.iter().map(TagId::as_str).collect::<Vec<_>>().join(", ")
            ),
            involved,
            selection.conflicting.iter().map(|(e, _)| e.asset.clone()).collect(),
        ));
    }
    findings.extend(near_duplicates(selection, options));
    findings.extend(imbalance(selection, options));
    findings.extend(few_distinct(selection, options));
    findings
}

/// Tags whose usable examples form fewer than [`MIN_DISTINCT_IMAGES`] groups of near duplicates
/// (see `evaluate::similarity_groups`): their cross-validated metrics say little about new images.
fn few_distinct(selection: &Selection<'_>, options: &TrainingOptions) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (tag, examples) in selection.tags.iter().zip(&selection.used) {
        let usable: Vec<&Example> = examples
            .iter()
            .copied()
            .filter(|e| e.embedding.len() == EMBEDDING_DIM && e.embedding.iter().all(|v| v.is_finite()))
            .collect();
        if usable.len() < MIN_DISTINCT_IMAGES {
            continue;
        }
        let rows: Vec<Vec<f32>> = usable.iter().map(|e| l2_normalized(&e.embedding)).collect();
        let refs: Vec<&[f32]> = rows.iter().map(Vec::as_slice).collect();
        let groups = super::evaluate::similarity_groups(&refs, &vec![0; refs.len()], options.group_cosine);
        let distinct = super::evaluate::group_counts(&vec![0; refs.len()], &groups, 1)[0];
        if distinct < MIN_DISTINCT_IMAGES {
            findings.push(Finding::new(
                FindingKind::FewDistinctImages,
                format!(
                    "the {} examples of tag {tag} look like {} (crops or near copies, cosine ≥ {}); add photos of other subjects or scenes, or its precision and recall cannot be measured",
                    usable.len(),
                    plural(distinct, "distinct picture", "distinct pictures"),
                    options.group_cosine
                ),
                vec![tag.clone()],
                usable.iter().map(|e| e.asset.clone()).collect(),
            ));
        }
    }
    findings
}

/// Pairs of used examples of different tags whose normalised embeddings have a cosine of at least
/// `near_duplicate_cosine`. The gram matrix is computed in blocks of rows (sgemm), upper half only,
/// on `threads` threads.
fn near_duplicates(selection: &Selection<'_>, options: &TrainingOptions) -> Option<Finding> {
    const BLOCK: usize = 256;
    let mut rows = Vec::new();
    let mut owners: Vec<(&Example, usize)> = Vec::new();
    for (tag, examples) in selection.used.iter().enumerate() {
        for example in examples {
            if example.embedding.len() == EMBEDDING_DIM && example.embedding.iter().all(|v| v.is_finite()) {
                rows.extend(l2_normalized(&example.embedding));
                owners.push((example, tag));
            }
        }
    }
    let n = owners.len();
    // One job per block of rows against the rows after it: the pair count, the first pairs and
    // the rows involved. Blocks are independent, so they may run on several threads.
    let block = |index: usize| -> (usize, Vec<(usize, usize)>, BTreeSet<usize>) {
        let start = index * BLOCK;
        let height = BLOCK.min(n - start);
        let width = n - start;
        let mut gram = vec![0.0; height * width];
        matmul_abt(
            &rows[start * EMBEDDING_DIM..],
            &rows[start * EMBEDDING_DIM..],
            &mut gram,
            height,
            EMBEDDING_DIM,
            width,
        );
        let (mut count, mut first, mut involved) = (0, Vec::new(), BTreeSet::new());
        for a in 0..height {
            for b in a + 1..width {
                let (i, j) = (start + a, start + b);
                // An asset listed under two independent tags is not its own near duplicate.
                let same_asset = owners[i].0.asset == owners[j].0.asset;
                if owners[i].1 != owners[j].1 && !same_asset && gram[a * width + b] >= options.near_duplicate_cosine {
                    count += 1;
                    if first.len() < 3 {
                        first.push((i, j));
                    }
                    involved.extend([i, j]);
                }
            }
        }
        (count, first, involved)
    };
    let mut pairs = 0usize;
    let mut first_pairs = Vec::new();
    let mut involved = BTreeSet::new();
    for (count, first, rows) in jobs::run(options.threads, n.div_ceil(BLOCK), &block) {
        pairs += count;
        first_pairs.extend(first);
        involved.extend(rows);
    }
    first_pairs.truncate(3);
    let assets: BTreeSet<String> = involved.iter().map(|&i| owners[i].0.asset.clone()).collect();
    let tags: BTreeSet<usize> = involved.iter().map(|&i| owners[i].1).collect();
    if pairs == 0 {
        return None;
    }
    let describe = |i: usize| format!("{} ({})", short(&owners[i].0.asset), selection.tags[owners[i].1]);
    let examples: Vec<String> =
        first_pairs.iter().map(|&(i, j)| format!("{} and {}", describe(i), describe(j))).collect();
    Some(Finding::new(
        FindingKind::NearDuplicates,
        format!(
            "{} of images with different tags {} near duplicates (cosine ≥ {}): {}",
            plural(pairs, "pair", "pairs"),
            if pairs == 1 { "is" } else { "are" },
            options.near_duplicate_cosine,
            examples.join("; ")
        ),
        tags.into_iter().map(|t| selection.tags[t].clone()).collect(),
        assets.into_iter().collect(),
    ))
}

fn imbalance(selection: &Selection<'_>, options: &TrainingOptions) -> Option<Finding> {
    let counts: Vec<usize> = selection.used.iter().map(Vec::len).collect();
    let (most, least) =
        (counts.iter().enumerate().max_by_key(|(_, c)| **c)?, counts.iter().enumerate().min_by_key(|(_, c)| **c)?);
    if *least.1 == 0 {
        return None;
    }
    let ratio = *most.1 as f32 / *least.1 as f32;
    (ratio > options.imbalance_ratio).then(|| {
        let (big, small) = (&selection.tags[most.0], &selection.tags[least.0]);
        Finding::new(
            FindingKind::ClassImbalance,
            format!(
                "tags are imbalanced: {big} has {} and {small} has {} (ratio {ratio:.1}, above {})",
                plural(*most.1, "example", "examples"),
                plural(*least.1, "example", "examples"),
                options.imbalance_ratio
            ),
            vec![big.clone(), small.clone()],
            Vec::new(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::synthetic;
    use super::*;

    fn tag(id: &str) -> TagId {
        TagId::parse(id).unwrap()
    }

    /// The synthetic examples of one tag are tight clusters: only (near-)identical ones group.
    fn options() -> TrainingOptions {
        TrainingOptions {
            min_examples_per_tag: 3,
            max_examples_per_tag: 6,
            group_cosine: 0.999,
            ..TrainingOptions::default()
        }
    }

    /// Three tags with four well-separated examples each.
    fn clean() -> (ModelSpec, Vec<Example>) {
        let set = synthetic::clustered(3, 4, 1.0, 11);
        (set.spec, set.examples)
    }

    fn kinds(findings: &[Finding]) -> Vec<FindingKind> {
        findings.iter().map(|f| f.kind).collect()
    }

    fn all_known(_: &TagId) -> bool {
        true
    }

    #[test]
    fn examples_that_are_near_copies_of_one_picture_are_a_warning() {
        let (spec, examples) = clean();
        // At the default 0.6 each tag's tight cluster is one picture.
        let findings = lint(&spec, &[], &all_known, &examples, &TrainingOptions { group_cosine: 0.6, ..options() });
        assert_eq!(kinds(&findings), vec![FindingKind::FewDistinctImages; 3]);
        assert_eq!(findings[0].assets.len(), 4);
        assert!(findings[0].message.contains("look like 1 distinct picture"), "{}", findings[0].message);
        assert!(!blocks_training(&findings));
    }

    #[test]
    fn a_clean_set_has_no_findings() {
        let (spec, examples) = clean();
        let findings = lint(&spec, &[], &all_known, &examples, &options());
        assert_eq!(findings, vec![]);
        assert!(!blocks_training(&findings));
    }

    #[test]
    fn too_few_tags_and_unknown_and_shared_tags_are_errors() {
        let (mut spec, examples) = clean();
        let other = ModelSpec {
            name: "other".into(),
            tags: vec![spec.tags[1].clone(), tag("x:y")],
            kind: ModelKind::Exclusive,
        };
        let known = |t: &TagId| t != &spec.tags[2];
        let findings = lint(&spec, std::slice::from_ref(&other), &known, &examples, &options());
        assert_eq!(kinds(&findings), vec![FindingKind::UnknownTag, FindingKind::TagInTwoModels]);
        assert!(findings[1].message.contains("\"other\""), "{}", findings[1].message);
        assert!(blocks_training(&findings));
        spec.tags.truncate(1);
        let findings = lint(&spec, &[], &all_known, &examples, &options());
        assert_eq!(kinds(&findings), vec![FindingKind::TooFewTags]);
        assert_eq!(findings[0].severity, Severity::Error);
    }

    #[test]
    fn too_few_and_too_many_examples() {
        let (spec, mut examples) = clean();
        // Tag 0 gets three more examples (7 > 6); tag 2 loses three (1 < 3), so 6 : 1 is imbalanced.
        let extra = synthetic::clustered_draw(3, 3, 1.0, 11, 1);
        examples.extend(extra.examples.into_iter().filter(|e| e.tags[0] == spec.tags[0]));
        let dropped: Vec<String> =
            examples.iter().filter(|e| e.tags[0] == spec.tags[2]).take(3).map(|e| e.asset.clone()).collect();
        examples.retain(|e| !dropped.contains(&e.asset));
        let findings = lint(&spec, &[], &all_known, &examples, &options());
        assert_eq!(
            kinds(&findings),
            vec![FindingKind::TooManyExamples, FindingKind::TooFewExamples, FindingKind::ClassImbalance]
        );
        assert_eq!(findings[0].severity, Severity::Warning);
        assert!(findings[0].message.contains("7 examples"), "{}", findings[0].message);
        assert!(findings[1].message.contains("1 usable example;"), "{}", findings[1].message);
        assert_eq!(findings[1].assets.len(), 1);
        assert_eq!(findings[2].tags, vec![spec.tags[0].clone(), spec.tags[2].clone()]);
    }

    #[test]
    fn conflicting_tags_and_near_duplicates_are_warnings() {
        let (spec, mut examples) = clean();
        examples[0].tags.push(spec.tags[1].clone());
        // A copy of a tag-1 image filed under tag 2 with a slightly different embedding.
        let mut copy = examples.iter().find(|e| e.tags == vec![spec.tags[1].clone()]).unwrap().clone();
        copy.asset = "f".repeat(64);
        copy.tags = vec![spec.tags[2].clone()];
        copy.embedding[0] += 0.01;
        examples.push(copy);
        let findings = lint(&spec, &[], &all_known, &examples, &options());
        assert_eq!(kinds(&findings), vec![FindingKind::ConflictingTags, FindingKind::NearDuplicates]);
        assert_eq!(findings[0].assets, vec![examples[0].asset.clone()]);
        assert!(findings[0].message.starts_with("1 image carries"), "{}", findings[0].message);
        assert_eq!(findings[1].assets.len(), 2);
        assert!(findings[1].assets.contains(&"f".repeat(64)));
        assert!(findings[1].message.starts_with("1 pair"), "{}", findings[1].message);
        assert!(!blocks_training(&findings));
    }

    #[test]
    fn near_duplicates_span_blocks_and_threads() {
        // 600 rows make three blocks of the gram; copies of the first image of tags 0 and 1 go
        // under tag 2, so the pairs sit in the first and second blocks and in the last rows.
        let set = synthetic::clustered(3, 200, 1.0, 14);
        let mut examples = set.examples;
        for (n, source) in [0usize, 200, 205].into_iter().enumerate() {
            let mut copy = examples[source].clone();
            copy.asset = format!("{n}").repeat(64);
            copy.tags = vec![set.spec.tags[2].clone()];
            examples.push(copy);
        }
        let options = TrainingOptions { max_examples_per_tag: 300, group_cosine: 0.999, ..TrainingOptions::default() };
        let one = lint(&set.spec, &[], &all_known, &examples, &options);
        let two = lint(&set.spec, &[], &all_known, &examples, &TrainingOptions { threads: 2, ..options });
        assert_eq!(one, two);
        assert_eq!(kinds(&one), vec![FindingKind::NearDuplicates]);
        assert!(one[0].message.starts_with("3 pairs"), "{}", one[0].message);
        assert_eq!(one[0].assets.len(), 6);
    }

    #[test]
    fn class_imbalance_is_a_warning() {
        let set = synthetic::clustered(2, 10, 1.0, 13);
        let mut examples = set.examples;
        let dropped: Vec<String> =
            examples.iter().filter(|e| e.tags[0] == set.spec.tags[1]).take(7).map(|e| e.asset.clone()).collect();
        examples.retain(|e| !dropped.contains(&e.asset));
        let options = TrainingOptions { min_examples_per_tag: 3, group_cosine: 0.999, ..TrainingOptions::default() };
        let findings = lint(&set.spec, &[], &all_known, &examples, &options);
        assert_eq!(kinds(&findings), vec![FindingKind::ClassImbalance]);
        assert!(
            findings[0].message.contains("10 examples") && findings[0].message.contains("3 examples"),
            "{}",
            findings[0].message
        );
    }
}
