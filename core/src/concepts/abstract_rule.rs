//! Which WordNet concepts become generic tags, and which are too abstract to be shown.
//!
//! The roll-up gives a score to every synset above the model's classes, but many of them are
//! words nobody would type into a DAM's search box: "entity" and "whole" score ≈ 1.0 on every
//! photo, "placental" and "chordate" sit between "mammal" and "animal" on every cat. A concept is
//! **taggable** unless one of two rules removes it:
//!
//! 1. **`noun.Tops` is out, with a few basic-level exceptions.** WordNet's lexicographer file
//!    `noun.Tops` (number 3) holds its "unique beginners": the top of the noun hierarchy. Above the
//!    1000 ImageNet classes they are 23 synsets (entity, physical entity, object, whole, living
//!    thing, organism, artifact, matter, substance, abstraction, natural object, causal agent, ...).
//!    Four of them are the basic-level categories people do search for and stay taggable:
//!    [`TOPS_ALLOWED`] (animal, person, plant, and food in its "nutrient" sense, which holds the
//!    prepared dishes and drinks).
//! 2. **An explicit deny-list** ([`DENIED`]), each entry with its reason, of the intermediates a
//!    DAM user would never type: WordNet's functional or commercial buckets of artifacts
//!    (instrumentality, device, covering, commodity, conveyance, ...), zoological taxa above the
//!    everyday animal names (chordate, vertebrate, placental, carnivore, diapsid, ...), botanical
//!    structure and states of matter (plant organ, solid, fluid), and relations (part). It was made
//!    by reviewing every non-class concept with at least 8 classes beneath (those show on many
//!    photos) and every concept the five reference photos score above 0.2. "container" is denied
//!    because WordNet files every wheeled vehicle under it, so it scored 0.71 on a motorcycle.
//!
//! The long tail of technical taxa with fewer than 8 classes ("colubrid" is denied, "elapid" and
//! "scorpaenid" are not) stays taggable: such a concept only scores high when the model is sure
//! of that narrow group, and then the word is correct, merely technical. The image classes
//! themselves are never denied.

use super::wordnet::LEX_NOUN_TOPS;

/// `noun.Tops` synsets that stay taggable: (WordNet id, title).
pub const TOPS_ALLOWED: &[(&str, &str)] = &[
    ("n00015388", "animal"),
    ("n00007846", "person"),
    ("n00017222", "plant"),
    ("n00021265", "food (nutrient: dishes and drinks)"),
];

/// Synsets outside `noun.Tops` that are never tags: (WordNet id, title, reason).
pub const DENIED: &[(&str, &str, &str)] = &[
    // Functional and commercial buckets of artifacts.
    ("n03575240", "instrumentality", "WordNet's bucket for every artifact that serves a purpose"),
    ("n03183080", "device", "groups weapons, machines, lamps and instruments: too broad to search for"),
    ("n03574816", "instrument", "'a device that requires skill'; reads as musical instrument, its own concept"),
    ("n03094503", "container", "WordNet files every wheeled vehicle under it, so it scores high on car photos"),
    ("n04531098", "vessel", "the container sense (cups, bottles); the word reads as a ship"),
    ("n03122748", "covering", "groups clothing, roofs and armour by function"),
    ("n04014297", "protective covering", "groups armour, roofs and screens by function"),
    ("n03076708", "commodity", "a trade category, not something one sees"),
    ("n03093574", "consumer goods", "a trade category, not something one sees"),
    ("n03257877", "durables", "a trade category, not something one sees"),
    ("n03100490", "conveyance", "the bucket above vehicle; 'vehicle' is the word people use"),
    ("n04170037", "self-propelled vehicle", "jargon between wheeled vehicle and motor vehicle"),
    ("n03563967", "implement", "jargon bucket above tool and utensil"),
    ("n04341686", "structure", "groups buildings, fences, towers and signs"),
    ("n03297735", "establishment", "abstract bucket above shop and institution"),
    ("n03953020", "place of business", "jargon above shop"),
    ("n03748162", "mercantile establishment", "jargon above shop"),
    ("n03839993", "obstruction", "abstract bucket above barrier"),
    ("n04081844", "restraint", "abstract bucket above fastener and brake"),
    ("n03738472", "mechanism", "abstract bucket of moving parts"),
    ("n03736970", "mechanical device", "abstract bucket of moving parts"),
    ("n03405265", "furnishing", "bucket above furniture and rugs"),
    ("n03125870", "craft", "boats and aircraft together; reads as handicraft"),
    ("n03892891", "part", "a relation (a part of something), not a kind of thing"),
    ("n13809207", "part", "a relation (a part of something), not a kind of thing"),
    // Zoological taxa above the everyday animal names.
    ("n01466257", "chordate", "zoological phylum"),
    ("n01471682", "vertebrate", "zoological subphylum; nobody tags a cat photo 'vertebrate'"),
    ("n01886756", "placental", "zoological jargon between mammal and the orders"),
    ("n02075296", "carnivore", "zoological order; would show on every cat and dog photo"),
    ("n01905661", "invertebrate", "defined by what it lacks; insect, spider, crab are the tags"),
    ("n01767661", "arthropod", "zoological phylum"),
    ("n01473806", "aquatic vertebrate", "structural bucket above fish and amphibians"),
    ("n01661818", "diapsid", "zoological jargon"),
    ("n01674216", "saurian", "zoological jargon above lizard"),
    ("n01524359", "passerine", "zoological jargon"),
    ("n01525720", "oscine", "zoological jargon"),
    ("n02370806", "ungulate", "zoological jargon"),
    ("n02394477", "even-toed ungulate", "zoological jargon"),
    ("n02399000", "ruminant", "zoological jargon"),
    ("n02401031", "bovid", "zoological jargon"),
    ("n02514825", "bony fish", "zoological jargon above fish"),
    ("n02528163", "teleost fish", "zoological jargon above fish"),
    ("n01727646", "colubrid snake", "zoological jargon above snake"),
    ("n01976146", "decapod crustacean", "zoological jargon above crab and lobster"),
    // Botanical structure, states of matter and abstract nutrition.
    ("n13086908", "plant part", "botanical structure above fruit"),
    ("n13087625", "plant organ", "botanical structure above fruit"),
    ("n11675842", "reproductive structure", "botanical structure above fruit"),
    ("n15046900", "solid", "state of matter above solid food"),
    ("n14939900", "fluid", "state of matter; duplicates liquid"),
    ("n07570720", "nutriment", "abstract ('nourishment, sustenance') above dish and course"),
    // Above the detector concepts (`detect::classes`): a group photo is not tagged "social group",
    // nor a portrait "likeness", "picture", "representation" or "creation".
    ("n07950920", "social group", "sociology's bucket above gathering and people's groups"),
    ("n03668642", "likeness", "abstract bucket above portrait"),
    ("n03931044", "picture", "every photo is a picture; above portrait"),
    ("n04076846", "representation", "abstract bucket above picture and likeness"),
    ("n03129123", "creation", "abstract bucket of everything made (above representation)"),
    // Above the built-in scenes (sky, sea, mountains, city…): geography's and physics' buckets.
    ("n11425580", "atmospheric phenomenon", "physics' bucket above cloud and sunset"),
    ("n11419404", "physical phenomenon", "physics' bucket above atmospheric phenomena"),
    ("n11408559", "natural phenomenon", "abstract bucket above physical phenomena"),
    ("n09210604", "atmosphere", "above sky; reads as a mood"),
    ("n14877585", "gas", "a state of matter (above atmosphere)"),
    ("n14939445", "fluid", "a state of matter (above gas and liquid)"),
    ("n09287968", "geological formation", "geology's bucket above mountain and beach"),
    ("n09366317", "natural elevation", "geology's bucket above mountain and hill"),
    ("n09334396", "land", "vague: above forest and shore"),
    ("n07941945", "biome", "ecology's bucket above forest and desert"),
    ("n07941729", "community", "ecology's bucket (biotic community) above biome"),
    ("n08673395", "tract", "surveying's bucket above field and desert"),
    ("n08574314", "geographical area", "geography's bucket above tract and urban area"),
    ("n08630985", "region", "vague: above geographical area"),
    ("n08630039", "region", "a relation (a part of something), above layer"),
    ("n08591680", "layer", "above snow cover; reads as a relation"),
    ("n15113229", "time period", "abstract bucket above night"),
    ("n13575869", "fundamental quantity", "a measure, above time period"),
    ("n08626283", "municipality", "administrative bucket above city"),
    ("n08491826", "administrative district", "administrative bucket above municipality"),
    ("n08552138", "district", "administrative bucket above administrative district"),
    ("n04564698", "way", "abstract bucket above road and thoroughfare"),
    ("n04426618", "thoroughfare", "planning jargon between street and road"),
    ("n02735688", "area", "a part of a structure, above room"),
];

/// Concepts that stay linkable (a customer's "Weapons" or "Drinks › Alcohol" tag links to them)
/// but are not shown as **generic** tags by default, because on a photo the model is unsure of
/// they mislead or offend: (WordNet id, title, reason). An administrator can show them again
/// (`ConceptGraph::with_generic_vocabulary`, the service's `--generic-allow`).
pub const SENSITIVE: &[(&str, &str, &str)] = &[
    ("n03247620", "drug", "reads as narcotics; reached from wine and punch, so a cup of coffee scored it"),
    ("n03248958", "drug of abuse", "a loaded word; WordNet files every alcoholic drink under it"),
    ("n14778436", "agent", "'a substance that exerts some force or effect': abstract, reads as a person"),
    ("n04565375", "weapon", "loaded; reached from missile and projectile, so a space rocket scored it"),
    ("n03575691", "instrument of execution", "loaded; above guillotine and electric chair"),
    ("n14940386", "liquid", "a state of matter above beverages: 'beverage' and 'drink' are the words"),
    ("n14580897", "material", "abstract ('the tangible substance that goes into the makeup of a thing')"),
];

/// Whether a taggable concept is shown as a generic tag by default (not [`SENSITIVE`]).
pub fn is_generic_by_default(wnid: &str) -> bool {
    !SENSITIVE.iter().any(|&(id, _, _)| id == wnid)
}

/// Whether the synset `wnid` of lexicographer file `lex_file` may become a generic tag (see the
/// module documentation).
pub fn is_taggable(wnid: &str, lex_file: u8) -> bool {
    not_taggable_reason(wnid, lex_file).is_none()
}

/// Why a synset is not taggable, or `None` when it is.
pub fn not_taggable_reason(wnid: &str, lex_file: u8) -> Option<&'static str> {
    if lex_file == LEX_NOUN_TOPS {
        if TOPS_ALLOWED.iter().any(|&(id, _)| id == wnid) {
            return None;
        }
        return Some("a unique beginner of WordNet (noun.Tops): too abstract to be a tag");
    }
    DENIED.iter().find(|&&(id, _, _)| id == wnid).map(|&(_, _, reason)| reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tops_are_out_except_the_allowed() {
        assert!(!is_taggable("n00001740", LEX_NOUN_TOPS), "entity");
        assert!(!is_taggable("n00003553", LEX_NOUN_TOPS), "whole");
        assert!(is_taggable("n00015388", LEX_NOUN_TOPS), "animal");
        assert!(is_taggable("n00007846", LEX_NOUN_TOPS), "person");
    }

    #[test]
    fn denied_concepts_are_out_with_a_reason() {
        assert!(!is_taggable("n01466257", 5), "chordate");
        assert!(not_taggable_reason("n03575240", 6).is_some_and(|r| r.contains("bucket")));
        assert!(is_taggable("n02121808", 5), "domestic cat");
        assert!(is_taggable("n01861778", 5), "mammal");
    }

    #[test]
    fn the_lists_are_well_formed() {
        for (id, title, reason) in DENIED {
            assert!(super::super::wordnet::parse_wnid(id).is_some(), "{id}");
            assert!(!title.is_empty() && !reason.is_empty(), "{id}");
            assert_eq!(DENIED.iter().filter(|d| d.0 == *id).count(), 1, "{id} twice");
        }
        for (id, title, reason) in SENSITIVE {
            assert!(super::super::wordnet::parse_wnid(id).is_some(), "{id}");
            assert!(!title.is_empty() && !reason.is_empty(), "{id}");
            assert!(!DENIED.iter().any(|d| d.0 == *id), "{id} both denied and sensitive");
        }
        for (id, _) in TOPS_ALLOWED {
            assert!(super::super::wordnet::parse_wnid(id).is_some(), "{id}");
            assert!(!DENIED.iter().any(|d| d.0 == *id), "{id} both allowed and denied");
        }
    }
}
