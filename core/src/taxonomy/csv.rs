//! CSV: one row per tag, RFC 4180 quoting, UTF-8 (a byte-order mark is skipped), CRLF or LF.
//!
//! The header row is required; its columns may come in any order:
//! - `id` (required): the tag id, e.g. `demo:animals/pets`; the parent is implied by the id and
//!   must have its own row;
//! - `title` (required): the English title; `title@<locale>` a title in another locale;
//! - `synonyms`: English synonyms separated by `|` (write `\|` for a `|` inside a synonym and
//!   `\\` for a backslash); `synonyms@<locale>` synonyms in another locale;
//! - `description`: an optional description.
//!
//! An empty cell means "none". Unknown or repeated columns, rows whose field count differs from
//! the header's, and unbalanced quotes are problems, each reported with its line number.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::iter::Peekable;
use std::str::Chars;

use super::validate::{ImportProblem, ImportReport};
use super::{locale, Tag, TagId, Taxonomy, DEFAULT_LOCALE};

/// What a header column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Column {
    Id,
    Title(String),
    Synonyms(String),
    Description,
    /// A column reported as a problem, whose cells are ignored.
    Ignored,
}

/// One parsed row: the line it starts on and its fields.
struct Record {
    line: usize,
    fields: Vec<String>,
}

/// Reads a taxonomy from CSV; all or nothing, every problem reported with its line.
pub fn import(text: &str) -> Result<Taxonomy, ImportReport> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (records, mut problems) = parse(text);
    let syntax_ok = problems.is_empty();
    let mut records = records.into_iter();
    let Some(header) = records.next() else {
        let message = "the file is empty; expected a header row such as id,title,synonyms".to_owned();
        problems.push(ImportProblem::Syntax { location: "line 1".to_owned(), message });
        return Err(ImportReport { problems });
    };
    let columns = parse_header(&header, &mut problems);
    let mut header_ok = true;
    for (required, name) in [(Column::Id, "id"), (Column::Title(DEFAULT_LOCALE.to_owned()), "title")] {
        if !columns.contains(&required) {
            let message = format!("the header has no {name} column");
            problems.push(ImportProblem::Syntax { location: format!("line {}", header.line), message });
            header_ok = false;
        }
    }
    if !header_ok {
        return Err(ImportReport { problems });
    }

    let mut rows_ok = syntax_ok;
    let mut tags = Vec::new();
    let mut lines: HashMap<String, Vec<usize>> = HashMap::new();
    for record in records {
        let location = format!("line {}", record.line);
        if record.fields.len() != columns.len() {
            let message = format!("{} fields where the header has {}", record.fields.len(), columns.len());
            problems.push(ImportProblem::Syntax { location, message });
            rows_ok = false;
            continue;
        }
        match row_tag(&columns, record.fields) {
            Ok(tag) => {
                lines.entry(tag.id.to_string()).or_default().push(record.line);
                tags.push(tag);
            }
            Err(message) => problems.push(ImportProblem::BadId { location, message }),
        }
    }
    // Rows that could not be read would make the whole-taxonomy check report parents as missing.
    if !rows_ok {
        return Err(ImportReport { problems });
    }
    match Taxonomy::new(tags) {
        Ok(taxonomy) if problems.is_empty() => Ok(taxonomy),
        Ok(_) => Err(ImportReport { problems }),
        Err(report) => {
            let mut duplicates_seen: HashMap<String, usize> = HashMap::new();
            for mut problem in report.problems {
                let nth = match &problem {
                    ImportProblem::DuplicateId { id, .. } => {
                        let seen = duplicates_seen.entry(id.clone()).or_insert(0);
                        *seen += 1;
                        *seen
                    }
                    _ => 0,
                };
                let line = problem.tag_id().and_then(|id| lines.get(id)).and_then(|l| l.get(nth)).copied();
                problem.locate(|| line.map(|l| format!("line {l}")));
                problems.push(problem);
            }
            Err(ImportReport { problems })
        }
    }
}

/// The columns of the header row; problems with it pushed to `problems`.
fn parse_header(header: &Record, problems: &mut Vec<ImportProblem>) -> Vec<Column> {
    let location = format!("line {}", header.line);
    let mut seen = BTreeSet::new();
    let mut columns = Vec::new();
    for cell in &header.fields {
        let cell = cell.trim();
        let (name, loc) = match cell.split_once('@') {
            Some((name, loc)) => (name.trim().to_ascii_lowercase(), Some(loc.trim())),
            None => (cell.to_ascii_lowercase(), None),
        };
        let loc = match loc.map(locale::canonical) {
            None => Ok(DEFAULT_LOCALE.to_owned()),
            Some(Ok(loc)) => Ok(loc),
            Some(Err(e)) => Err(e),
        };
        let column = match (name.as_str(), loc) {
            ("title" | "synonyms", Err(e)) => {
                let locale = cell.split_once('@').map_or("", |(_, l)| l).to_owned();
                problems.push(ImportProblem::BadLocale {
                    id: String::new(),
                    locale,
                    message: e.to_string(),
                    location: Some(format!("{location}, column {cell}")),
                });
                columns.push(Column::Ignored);
                continue;
            }
            ("title", Ok(loc)) => Column::Title(loc),
            ("synonyms", Ok(loc)) => Column::Synonyms(loc),
            ("id", _) if cell.eq_ignore_ascii_case("id") => Column::Id,
            ("description", Ok(loc)) if loc == DEFAULT_LOCALE => Column::Description,
            ("description", _) => {
                let message = format!(
                    "column {cell:?}: a description has one language ({DEFAULT_LOCALE}); use the description column"
                );
                problems.push(ImportProblem::Syntax { location: location.clone(), message });
                Column::Ignored
            }
            _ => {
                let message = format!("unknown column {cell:?}; expected id, title, title@<locale>, synonyms, synonyms@<locale> or description");
                problems.push(ImportProblem::Syntax { location: location.clone(), message });
                Column::Ignored
            }
        };
        if column != Column::Ignored && !seen.insert(format!("{column:?}")) {
            problems.push(ImportProblem::Syntax {
                location: location.clone(),
                message: format!("column {cell:?} appears twice"),
            });
            columns.push(Column::Ignored);
        } else {
            columns.push(column);
        }
    }
    columns
}

/// The tag of one row, or why its id is bad.
fn row_tag(columns: &[Column], fields: Vec<String>) -> Result<Tag, String> {
    let mut id = None;
    let mut titles = BTreeMap::new();
    let mut synonyms: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut description = None;
    for (column, field) in columns.iter().zip(fields) {
        let value = field.trim();
        match column {
            Column::Id if value.is_empty() => return Err("the id is empty".to_owned()),
            Column::Id => id = Some(TagId::parse(value).map_err(|e| e.to_string())?),
            _ if value.is_empty() => {}
            Column::Title(loc) => {
                titles.insert(loc.clone(), value.to_owned());
            }
            Column::Synonyms(loc) => {
                let list = split_synonyms(value).into_iter().filter(|s| !s.trim().is_empty());
                synonyms.entry(loc.clone()).or_default().extend(list);
            }
            Column::Description => description = Some(value.to_owned()),
            Column::Ignored => {}
        }
    }
    let id = id.ok_or_else(|| "the row has no id".to_owned())?;
    Ok(Tag { id, titles, synonyms, description, external_id: None })
}

/// `a|b\|c` -> `["a", "b|c"]`; `\\` is a backslash, any other `\` is kept as is.
fn split_synonyms(cell: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = cell.chars().peekable();
    while let Some(c) = chars.next() {
        let current = out.last_mut();
        match (c, chars.peek()) {
            ('\\', Some(&next)) if next == '|' || next == '\\' => {
                current.into_iter().for_each(|s| s.push(next));
                chars.next();
            }
            ('|', _) => out.push(String::new()),
            _ => current.into_iter().for_each(|s| s.push(c)),
        }
    }
    out
}

/// The records of `text`, blank lines skipped; a record with a syntax error is left out and the
/// error reported.
fn parse(text: &str) -> (Vec<Record>, Vec<ImportProblem>) {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let start = line;
        match read_record(&mut chars, &mut line) {
            Ok(fields) if fields.len() == 1 && fields[0].is_empty() => {}
            Ok(fields) => records.push(Record { line: start, fields }),
            Err((at, message)) => {
                problems.push(ImportProblem::Syntax { location: format!("line {at}"), message });
                // Go on with the next line.
                while let Some(c) = chars.next() {
                    if end_of_line(c, &mut chars) {
                        line += 1;
                        break;
                    }
                }
            }
        }
    }
    (records, problems)
}

/// Whether `c` ends a line: `\n`, `\r\n` (consuming the `\n`) or a lone `\r`.
fn end_of_line(c: char, chars: &mut Peekable<Chars<'_>>) -> bool {
    match c {
        '\n' => true,
        '\r' => {
            chars.next_if_eq(&'\n');
            true
        }
        _ => false,
    }
}

/// One record, up to and including its line end; `line` is advanced past it. An error gives the
/// line it is on.
fn read_record(chars: &mut Peekable<Chars<'_>>, line: &mut usize) -> Result<Vec<String>, (usize, String)> {
    let mut fields = Vec::new();
    loop {
        let mut field = String::new();
        if chars.next_if_eq(&'"').is_some() {
            let opened = *line;
            loop {
                match chars.next() {
                    None => {
                        return Err((
                            opened,
                            "a quoted field starting on this line is never closed (unbalanced quotes)".to_owned(),
                        ))
                    }
                    Some('"') if chars.next_if_eq(&'"').is_some() => field.push('"'),
                    Some('"') => break,
                    Some(c) => {
                        if c == '\n' || (c == '\r' && chars.peek() != Some(&'\n')) {
                            *line += 1;
                        }
                        field.push(c);
                    }
                }
            }
            match chars.next() {
                None => {
                    fields.push(field);
                    return Ok(fields);
                }
                Some(',') => fields.push(field),
                Some(c) if end_of_line(c, chars) => {
                    *line += 1;
                    fields.push(field);
                    return Ok(fields);
                }
                Some(c) => {
                    return Err((
                        *line,
                        format!(
                            "unexpected {c:?} after a closing quote; a quote inside a quoted field is written \"\""
                        ),
                    ))
                }
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        fields.push(field);
                        return Ok(fields);
                    }
                    Some(',') => {
                        fields.push(field);
                        break;
                    }
                    Some('"') => {
                        return Err((
                            *line,
                            "a quote inside an unquoted field; quote the whole field and write the quote as \"\""
                                .to_owned(),
                        ))
                    }
                    Some(c) if end_of_line(c, chars) => {
                        *line += 1;
                        fields.push(field);
                        return Ok(fields);
                    }
                    Some(c) => field.push(c),
                }
            }
        }
    }
}

/// Writes the taxonomy as CSV with CRLF line ends: `id`, `title`, a `title@<locale>` column per
/// other locale present, `synonyms`, a `synonyms@<locale>` column per other locale present, and
/// `description`. Rows come sorted by id, so parents come before their children.
pub fn export(taxonomy: &Taxonomy) -> String {
    let other = |locales: BTreeSet<&String>| {
        locales.into_iter().filter(|l| *l != DEFAULT_LOCALE).cloned().collect::<Vec<String>>()
    };
    let title_locales = other(taxonomy.tags().flat_map(|t| t.titles.keys()).collect());
    let synonym_locales = other(taxonomy.tags().flat_map(|t| t.synonyms.keys()).collect());

    let mut header = vec!["id".to_owned(), "title".to_owned()];
    header.extend(title_locales.iter().map(|l| format!("title@{l}")));
    header.push("synonyms".to_owned());
    header.extend(synonym_locales.iter().map(|l| format!("synonyms@{l}")));
    header.push("description".to_owned());

    let mut out = String::new();
    write_row(&mut out, header.iter().map(String::as_str));
    let join = |list: Option<&Vec<String>>| {
        list.map(|l| l.iter().map(|s| s.replace('\\', "\\\\").replace('|', "\\|")).collect::<Vec<_>>().join("|"))
            .unwrap_or_default()
    };
    for tag in taxonomy.tags() {
        let mut row: Vec<String> =
            vec![tag.id.to_string(), tag.titles.get(DEFAULT_LOCALE).cloned().unwrap_or_default()];
        row.extend(title_locales.iter().map(|l| tag.titles.get(l).cloned().unwrap_or_default()));
        row.push(join(tag.synonyms.get(DEFAULT_LOCALE)));
        row.extend(synonym_locales.iter().map(|l| join(tag.synonyms.get(l))));
        row.push(tag.description.clone().unwrap_or_default());
        write_row(&mut out, row.iter().map(String::as_str));
    }
    out
}

fn write_row<'a>(out: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if field.contains([',', '"', '\r', '\n']) || field.starts_with(' ') || field.ends_with(' ') {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(report: &ImportReport) -> Vec<String> {
        report.problems.iter().map(|p| serde_json::to_value(p).unwrap()["kind"].as_str().unwrap().to_owned()).collect()
    }

    const SAMPLE: &str = "\u{feff}id,title,title@de,synonyms,synonyms@de,description\r\n\
        demo:,Demo,Demo,,,\r\n\
        demo:vehicles,Vehicles,Fahrzeuge,,,\"Cars, boats and more\"\r\n\
        demo:vehicles/motorbikes,Motorbikes,Motorräder,motorcycle|scooter|moped,Motorrad|Roller,\r\n\
        \r\n\
        demo:vehicles/boats,Boats,Boote,\"ship | \"\"vessel\"\"\",,\"Line one\r\nline two\"\r\n";

    #[test]
    fn imports_quoting_bom_and_crlf() {
        let taxonomy = import(SAMPLE).unwrap();
        assert_eq!(taxonomy.len(), 4);
        let moto = taxonomy.get(&TagId::parse("demo:vehicles/motorbikes").unwrap()).unwrap();
        assert_eq!(moto.titles["de"], "Motorräder");
        assert_eq!(moto.synonyms["en"], ["motorcycle", "scooter", "moped"]);
        assert_eq!(moto.synonyms["de"], ["Motorrad", "Roller"]);
        let boats = taxonomy.get(&TagId::parse("demo:vehicles/boats").unwrap()).unwrap();
        assert_eq!(boats.synonyms["en"], ["ship", "\"vessel\""]);
        assert_eq!(boats.description.as_deref(), Some("Line one\nline two"));
        let vehicles = taxonomy.get(&TagId::parse("demo:vehicles").unwrap()).unwrap();
        assert_eq!(vehicles.description.as_deref(), Some("Cars, boats and more"));
        // LF only, columns in another order
        let lf = "title,id\nDemo,demo:\nVehicles,demo:vehicles\n";
        assert_eq!(import(lf).unwrap().len(), 2);
    }

    #[test]
    fn round_trips_exactly() {
        let mut taxonomy = import(SAMPLE).unwrap().into_tags();
        let mut odd = Tag::new(TagId::parse("demo:vehicles/odd").unwrap(), "Odd, \"quoted\" title");
        odd.synonyms.insert("en".into(), vec!["pipe|inside".into(), "back\\slash\\".into(), "x".into()]);
        odd.synonyms.insert("pt-BR".into(), vec!["estranho".into()]);
        odd.titles.insert("zh-Hant-TW".into(), "奇".into());
        odd.description = Some("multi\nline, with \"quotes\"".into());
        taxonomy.push(odd);
        let taxonomy = Taxonomy::new(taxonomy).unwrap();
        let text = export(&taxonomy);
        assert!(
            text.starts_with("id,title,title@de,title@zh-Hant-TW,synonyms,synonyms@de,synonyms@pt-BR,description\r\n"),
            "{text}"
        );
        assert_eq!(import(&text).unwrap(), taxonomy);
        assert_eq!(export(&import(&text).unwrap()), text);
    }

    #[test]
    fn reports_every_problem_with_its_line() {
        let text = "id,title,title@english,colour\n\
            demo:,Demo,,\n\
            demo:a,A,,\n\
            demo:a,A again,,\n\
            demo:b/c,C,,\n\
            demo:d,,,\n\
            Demo:E,E,,\n";
        let report = import(text).unwrap_err();
        assert_eq!(
            kinds(&report),
            ["bad_locale", "syntax", "bad_id", "duplicate_id", "missing_title", "unknown_parent"],
            "{report:#?}"
        );
        let messages: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        assert!(messages[0].starts_with("line 1, column title@english: bad locale \"english\""), "{}", messages[0]);
        assert!(messages[1].contains("unknown column \"colour\""));
        assert!(messages[2].starts_with("line 7: bad tag id"));
        assert_eq!(messages[3], "line 4: duplicate tag id demo:a");
        assert_eq!(messages[4], "line 6: tag demo:d has no title in en");
        assert_eq!(messages[5], "line 5: tag demo:b/c has unknown parent demo:b");
    }

    #[test]
    fn malformed_input_gives_a_report() {
        let empty = import("").unwrap_err();
        assert_eq!(kinds(&empty), ["syntax"]);
        assert!(import("\u{feff}").is_err());
        assert!(import("\n\n").is_err());
        let unbalanced = import("id,title\ndemo:,Demo\ndemo:a,\"A\n").unwrap_err();
        assert_eq!(
            unbalanced.problems[0].to_string(),
            "line 3: a quoted field starting on this line is never closed (unbalanced quotes)"
        );
        let stray = import("id,title\ndemo:,\"Demo\"x\ndemo:a,A\"b\ndemo:c,C,extra\n").unwrap_err();
        let locations: Vec<String> =
            stray.problems.iter().map(ToString::to_string).map(|m| m.split(':').next().unwrap().to_owned()).collect();
        assert_eq!(locations, ["line 2", "line 3", "line 4"]);
        assert!(import("title\nDemo\n").unwrap_err().problems[0].to_string().contains("no id column"));
        let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        assert!(import(&String::from_utf8_lossy(&garbage)).is_err());
        assert!(import("\"").is_err());
        assert!(import(",,,\n\"\"\"").is_err());
    }

    #[test]
    fn splits_synonyms_with_escapes() {
        assert_eq!(split_synonyms(r"a|b\|c|d\\|e\x"), ["a", "b|c", "d\\", "e\\x"]);
    }
}
