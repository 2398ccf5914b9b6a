//! The letter-service file (docs/plans-and-letters.md; S2:5777-6002): every due letter that has a
//! letter number, to the debtor and (with `--cosigners`) its reportable cosigners, in
//! Ontario or CSV format, with `#K#02`/`#K#03` NCOA segments.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::Serialize;

use super::{due_letters, letter_body, BodyItem, Letters};
use crate::report::ast::CcKind;
use crate::report::StartOn;
use crate::store::contacts::contact_allowed;
use crate::store::{self, contacts, debtors, settings, Db};
use crate::{Env, Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ontario,
    Csv,
}

#[derive(Debug, Clone)]
pub struct ServiceOptions {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub format: Format,
    pub k03: bool,
    pub print_unverified: bool,
    pub cosigners: bool,
    pub mark_done: bool,
}

/// What a run wrote and skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceSummary {
    /// Letters written per letter number.
    pub letters: BTreeMap<String, usize>,
    pub debtors_skipped: BTreeMap<String, usize>,
    pub cosigners_skipped: BTreeMap<String, usize>,
    /// Contacts left alone (no such letter, not a letter-service letter).
    pub contacts_skipped: BTreeMap<String, usize>,
    pub warnings: Vec<String>,
}

impl ServiceSummary {
    pub fn total(&self) -> usize {
        self.letters.values().sum()
    }

    /// The summary with the file written, as `--json` and the text print it.
    pub fn report(&self, out: String) -> ServiceReport<'_> {
        ServiceReport {
            out,
            letters: &self.letters,
            total: self.total(),
            debtors_skipped: &self.debtors_skipped,
            cosigners_skipped: &self.cosigners_skipped,
            contacts_skipped: &self.contacts_skipped,
            warnings: self.warnings.len(),
            summary: self,
        }
    }
}

/// The batch summary: what `--summary FILE` holds and the text prints before `file:`.
impl fmt::Display for ServiceSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "letters written: {}", self.total())?;
        for (n, c) in &self.letters {
            writeln!(f, "  letter {n:<8} {c}")?;
        }
        for (title, map) in [
            ("debtors skipped", &self.debtors_skipped),
            ("cosigners skipped", &self.cosigners_skipped),
            ("contacts left alone", &self.contacts_skipped),
        ] {
            if !map.is_empty() {
                writeln!(f, "{title}:")?;
                for (why, c) in map {
                    writeln!(f, "  {why:<40} {c}")?;
                }
            }
        }
        Ok(())
    }
}

/// `letters service` output: `--json` keys in order (warnings are counted; their text
/// goes to the standard error), the text the summary then `file:`.
#[derive(Debug, Serialize)]
pub struct ServiceReport<'a> {
    pub out: String,
    pub letters: &'a BTreeMap<String, usize>,
    pub total: usize,
    pub debtors_skipped: &'a BTreeMap<String, usize>,
    pub cosigners_skipped: &'a BTreeMap<String, usize>,
    pub contacts_skipped: &'a BTreeMap<String, usize>,
    pub warnings: usize,
    #[serde(skip)]
    pub summary: &'a ServiceSummary,
}

impl fmt::Display for ServiceReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.summary)?;
        writeln!(f, "file: {}", self.out)
    }
}

/// One addressee: the debtor or a cosigner.
struct Person {
    /// `D1400` or `C1400`.
    id: String,
    cosigner_row: Option<i64>,
    name: String,
    address: String,
    address1: String,
    city: String,
    state: String,
    zip: String,
    ok: bool,
}

impl Person {
    fn city_line(&self) -> String {
        [self.city.as_str(), self.state.as_str(), self.zip.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

struct Written {
    letter_number: String,
    segment: Option<String>,
    person: Person,
    body: Vec<BodyItem>,
    coa: bool,
}

fn text(v: Option<String>) -> String {
    v.unwrap_or_default().trim().to_string()
}

/// The debtor as an addressee, and its mode.
fn debtor_person(conn: &Db, fi: i64) -> Result<(Person, String)> {
    let d = debtors::letter_address(conn, fi)?;
    Ok((
        Person {
            id: format!("D{fi}"),
            cosigner_row: None,
            name: text(d.name),
            address: text(d.address),
            address1: text(d.address1),
            city: text(d.city),
            state: text(d.state),
            zip: text(d.zip),
            ok: d.ok,
        },
        d.mode,
    ))
}

/// The debtor's related parties that get letters: class Cosigner only when setup
/// restricts to cosigners (S2:5948-5959), else all of them.
fn cosigners(conn: &Db, fi: i64, restrict: bool, debtor: &Person) -> Result<Vec<Person>> {
    let mut out = Vec::new();
    for c in debtors::cosigner_addresses(conn, fi)? {
        if restrict && !c.class.trim().eq_ignore_ascii_case("cosigner") {
            continue;
        }
        let mut p = Person {
            id: format!("C{fi}"),
            cosigner_row: Some(c.id),
            name: text(c.name),
            address: text(c.address),
            address1: text(c.address1),
            city: text(c.city),
            state: text(c.state),
            zip: text(c.zip),
            ok: c.ok,
        };
        if c.same_as_debtor {
            // Same address as the debtor: the debtor's address and its OK flag.
            p.address = debtor.address.clone();
            p.address1 = debtor.address1.clone();
            p.city = debtor.city.clone();
            p.state = debtor.state.clone();
            p.zip = debtor.zip.clone();
            p.ok = debtor.ok;
        }
        out.push(p);
    }
    Ok(out)
}

/// Run the letter service: the file's bytes and the summary. The database changes
/// only with `mark_done` (in the caller's transaction).
pub fn run(env: &Env, conn: &Db, opts: &ServiceOptions) -> Result<(Vec<u8>, ServiceSummary)> {
    let letters = Letters::load(env)?;
    let restrict =
        settings::get_bool(conn, "letter_service", "restrict_to_cosigners")?.unwrap_or(true);
    let mut summary = ServiceSummary::default();
    if opts.k03 && opts.format == Format::Csv {
        summary
            .warnings
            .push("the #K#03 addressee line does not apply to the CSV format; ignored".into());
    }
    // Select and order: by letter number, then file number (S2; docs/plans-and-letters.md).
    let mut due = Vec::new();
    for d in due_letters(conn, opts.from, opts.to)? {
        let Some(report) = letters.get(&d.description) else {
            *summary
                .contacts_skipped
                .entry(format!("no letter named '{}'", d.description))
                .or_default() += 1;
            continue;
        };
        if report.front.letter_number.trim().is_empty() {
            // "Only templates with a value in the Letter Number field are processed" (S2:5893-5897)
            *summary
                .contacts_skipped
                .entry("not a letter-service letter (no letter number)".into())
                .or_default() += 1;
            continue;
        }
        if report.front.start_on != StartOn::Debtor {
            *summary
                .contacts_skipped
                .entry(format!(
                    "letter '{}' does not start on debtor",
                    report.front.name
                ))
                .or_default() += 1;
            continue;
        }
        due.push((
            report.front.letter_number.trim().to_string(),
            d.file_number,
            d.contact,
            d,
            report,
        ));
    }
    due.sort_by(|a, b| (&a.0, a.1, a.2).cmp(&(&b.0, b.1, b.2)));

    let mut written: Vec<Written> = Vec::new();
    let mut sent: HashSet<(String, String, Option<i64>)> = HashSet::new();
    let mut letters_this_run: BTreeMap<i64, i64> = BTreeMap::new();
    let skip_debtor = |s: &mut ServiceSummary, why: &str| {
        *s.debtors_skipped.entry(why.to_string()).or_default() += 1
    };
    for (number, fi, contact, d, report) in due {
        let (debtor, mode) = debtor_person(conn, fi)?;
        if mode.trim().eq_ignore_ascii_case("C") {
            skip_debtor(&mut summary, "closed account");
            continue;
        }
        let already = letters_this_run.get(&fi).copied().unwrap_or(0);
        if !contact_allowed(conn, CcKind::Letter, fi, env.today, already)? {
            skip_debtor(&mut summary, "contact controls");
            continue;
        }
        // A retry after a skip writes only to the person skipped (S2:5972-5981).
        let related = if opts.cosigners && d.skip_indicator != "0" {
            cosigners(conn, fi, restrict, &debtor)?
        } else {
            Vec::new()
        };
        let mut people = Vec::new();
        if d.skip_indicator != "1" {
            people.push(debtor);
        }
        people.extend(related);
        let body = letter_body(env, conn, &report, fi)?;
        let (mut debtor_skipped, mut cosigner_skipped) = (false, false);
        for person in people {
            let key = (number.clone(), person.id.clone(), person.cosigner_row);
            if sent.contains(&key) {
                continue; // never the same letter twice to the same person
            }
            let segment_id = format!("^{}^", person.id);
            let (segment, coa) = if person.ok {
                (opts.k03.then(|| format!("#K#03{segment_id}")), false)
            } else if report.front.ncoa {
                (Some(format!("#K#02{segment_id}")), true)
            } else if opts.print_unverified {
                (None, false)
            } else {
                if person.cosigner_row.is_some() {
                    cosigner_skipped = true;
                    *summary
                        .cosigners_skipped
                        .entry("address not OK".into())
                        .or_default() += 1;
                } else {
                    debtor_skipped = true;
                    skip_debtor(&mut summary, "address not OK");
                }
                continue;
            };
            let segment = if opts.format == Format::Csv {
                None
            } else {
                segment
            };
            sent.insert(key);
            *summary.letters.entry(number.clone()).or_default() += 1;
            *letters_this_run.entry(fi).or_default() += 1;
            written.push(Written {
                letter_number: number.clone(),
                segment,
                person,
                body: body.clone(),
                coa,
            });
        }
        if opts.mark_done {
            let indicator = match (debtor_skipped, cosigner_skipped) {
                (false, false) => None,
                (true, false) => Some("0"),
                (false, true) => Some("1"),
                // Both skipped: nobody got it, everyone is retried.
                (true, true) => Some(""),
            };
            match indicator {
                None => {
                    contacts::mark_contact_done(conn, contact, env.today)?;
                    contacts::set_attachment(conn, contact, None)?;
                }
                Some(i) => contacts::set_letter_retry(conn, contact, i)?,
            }
        }
    }
    let bytes = match opts.format {
        Format::Ontario => ontario(conn, &written)?,
        Format::Csv => csv_format(&written)?,
    };
    Ok((bytes, summary))
}

/// Ontario format, CRLF line ends (docs/plans-and-letters.md).
fn ontario(conn: &Db, letters: &[Written]) -> Result<Vec<u8>> {
    let company = store::read_record(conn, crate::catalog::Form::Company, 1)?.unwrap_or_default();
    let get = |f: &str| {
        company
            .iter()
            .find(|(d, _)| d.field == f)
            .map(|(_, v)| v.plain())
            .unwrap_or_default()
    };
    let mut out = String::new();
    let mut push = |s: &str| {
        out.push_str(s);
        out.push_str("\r\n");
    };
    push(&get("na"));
    for f in ["ad", "a1", "a2"] {
        let v = get(f);
        if !v.trim().is_empty() {
            push(&v);
        }
    }
    let city = [get("ci"), get("st"), get("zi")]
        .iter()
        .filter(|s| !s.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    if !city.is_empty() {
        push(&city);
    }
    push("/def/");
    push("*** End Of Header ***");
    push("");
    for w in letters {
        let mut items: Vec<String> = Vec::new();
        if let Some(s) = &w.segment {
            items.push(s.clone());
        }
        items.push(w.letter_number.clone());
        items.push(w.person.name.clone());
        items.push(w.person.address.clone());
        items.push(w.person.address1.clone());
        items.push(w.person.city_line());
        for item in &w.body {
            match item {
                BodyItem::Line(l) => items.push(l.clone()),
                BodyItem::Loop(lines) => items.push(format!("{{{}\r\n}}", lines.join("\r\n"))),
            }
        }
        let n = items.len();
        for (i, item) in items.iter().enumerate() {
            if i + 1 < n {
                push(&format!("{item},"));
            } else {
                push(item);
            }
        }
        push("");
    }
    push(&format!("{:04} X - end", letters.len()));
    Ok(out.into_bytes())
}

/// CSV format (docs/plans-and-letters.md): per letter one row of the id, `OK` or `COA`, the letter
/// number, then one column per line of the letter's body and one per loop (its lines
/// joined by CR LF inside the column), so every letter of a number has the same
/// columns however many transactions it lists. Written by the csv crate: a value
/// holding a comma, a quote or a line break (`$15,075.00`, `Smith, Jr.`) is quoted.
fn csv_format(letters: &[Written]) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for letter in letters {
        w.write_record(csv_row(letter))
            .map_err(|e| Error::runtime(format!("letter-service CSV: {e}")))?;
    }
    w.into_inner()
        .map_err(|e| Error::runtime(format!("letter-service CSV: {e}")))
}

fn csv_row(w: &Written) -> Vec<String> {
    let mut fields = vec![
        w.person.id.clone(),
        if w.coa { "COA".into() } else { "OK".into() },
        w.letter_number.clone(),
    ];
    for item in &w.body {
        match item {
            BodyItem::Line(l) => fields.push(l.clone()),
            BodyItem::Loop(lines) => fields.push(lines.join("\r\n")),
        }
    }
    fields
}

#[cfg(test)]
mod summary_tests {
    use super::*;

    #[test]
    fn report_json_keys_in_order_and_display_is_the_summary_then_the_file() {
        let s = ServiceSummary {
            letters: BTreeMap::from([("12".to_string(), 2)]),
            debtors_skipped: BTreeMap::from([("closed".to_string(), 1)]),
            warnings: vec!["w".into()],
            ..ServiceSummary::default()
        };
        let r = s.report("ls.txt".into());
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"out":"ls.txt","letters":{"12":2},"total":2,"debtors_skipped":{"closed":1},"cosigners_skipped":{},"contacts_skipped":{},"warnings":1}"#
        );
        let summary = format!(
            "letters written: 2\n  letter {:<8} 2\ndebtors skipped:\n  {:<40} 1\n",
            "12", "closed"
        );
        assert_eq!(s.to_string(), summary);
        assert_eq!(r.to_string(), format!("{summary}file: ls.txt\n"));
    }
}
