//! The two transfer files as data: reading and writing them, with no database.
//!
//! `clienttransfers.csv` has one header row naming its columns — `record`, then the
//! printable code of every Client field and every Contact field in catalogue order,
//! then `payment.date`, `payment.amount`, `payment.note` — and one row per CLIENT,
//! CONTACT or PAYMENT record, each filling only its own columns (`cl.nu` is shared: it
//! names the client of a CONTACT or PAYMENT row). The column list comes from the
//! field catalogue, so a field added to the catalogue travels without touching this
//! code ("Nothing lost on the way out"; Collect! help, Client Related Records Transfer,
//! S1:3). Values are in their canonical plain form (`Value::plain`): dates
//! `YYYY-MM-DD`, money with two decimals, flags `1`/`0`.
//!
//! `clientnotes.csv` keeps the layout of the product's "Export Client Notes" report
//! (S1:33): `client,date,time,note`, dates `MM/DD/YYYY`, so the shipped "Client Notes"
//! map still reads it.
//!
//! Both are CSV through the `csv` crate: commas, quotes and newlines in values survive.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::catalog::{FieldDef, FieldType, Form, Value};
use crate::error::Place;
use crate::store::FieldValues;
use crate::{Error, Result};

const RECORD: &str = "record";
const PAYMENT_DATE: &str = "payment.date";
const PAYMENT_AMOUNT: &str = "payment.amount";
const PAYMENT_NOTE: &str = "payment.note";
/// Header of `clientnotes.csv`, as the "Export Client Notes" report writes it.
pub const NOTES_HEADER: [&str; 4] = ["client", "date", "time", "note"];

/// A client as its transfer row: the number, then every other client field the
/// file carries (all of them when this build wrote it).
#[derive(Debug, Clone, PartialEq)]
pub struct ClientRow {
    pub line: u64,
    pub number: i64,
    pub values: FieldValues,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContactRow {
    pub line: u64,
    pub client: i64,
    pub values: FieldValues,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PaymentRow {
    pub line: u64,
    pub client: i64,
    pub date: NaiveDate,
    pub cents: i64,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NoteRow {
    pub line: u64,
    pub client: i64,
    pub date: Option<NaiveDate>,
    pub time: String,
    pub text: String,
}

/// Everything `clienttransfers.csv` holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transfers {
    pub clients: Vec<ClientRow>,
    pub contacts: Vec<ContactRow>,
    pub payments: Vec<PaymentRow>,
}

/// One column of `clienttransfers.csv`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Column {
    Record,
    Field(&'static FieldDef),
    PaymentDate,
    PaymentAmount,
    PaymentNote,
}

impl Column {
    fn name(self) -> String {
        match self {
            Column::Record => RECORD.into(),
            Column::Field(f) => f.code(),
            Column::PaymentDate => PAYMENT_DATE.into(),
            Column::PaymentAmount => PAYMENT_AMOUNT.into(),
            Column::PaymentNote => PAYMENT_NOTE.into(),
        }
    }

    fn parse(name: &str) -> Option<Column> {
        let name = name.trim();
        Some(match name.to_ascii_lowercase().as_str() {
            RECORD => Column::Record,
            PAYMENT_DATE => Column::PaymentDate,
            PAYMENT_AMOUNT => Column::PaymentAmount,
            PAYMENT_NOTE => Column::PaymentNote,
            _ => {
                let f = crate::catalog::by_code(name)?;
                if !matches!(f.form, Form::Client | Form::Contact)
                    || f.computed
                    || name.starts_with('@')
                {
                    return None;
                }
                Column::Field(f)
            }
        })
    }

    /// Whether a row of this kind may fill the column.
    fn belongs_to(self, kind: Kind) -> bool {
        match self {
            Column::Record => true,
            Column::Field(f) if is_client_number(f) => true,
            Column::Field(f) => match kind {
                Kind::Client => f.form == Form::Client,
                Kind::Contact => f.form == Form::Contact,
                Kind::Payment => false,
            },
            Column::PaymentDate | Column::PaymentAmount | Column::PaymentNote => {
                kind == Kind::Payment
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Client,
    Contact,
    Payment,
}

impl Kind {
    fn parse(s: &str) -> Option<Kind> {
        Some(match s.trim().to_ascii_uppercase().as_str() {
            "CLIENT" => Kind::Client,
            "CONTACT" => Kind::Contact,
            "PAYMENT" => Kind::Payment,
            _ => return None,
        })
    }
    fn name(self) -> &'static str {
        match self {
            Kind::Client => "CLIENT",
            Kind::Contact => "CONTACT",
            Kind::Payment => "PAYMENT",
        }
    }
}

fn is_client_number(f: &FieldDef) -> bool {
    f.form == Form::Client && f.field == "nu"
}

/// The columns this build writes: every Client field (the number first), every
/// Contact field, then the payment columns.
fn columns() -> Vec<Column> {
    let mut cols = vec![Column::Record];
    let client: Vec<&'static FieldDef> = Form::Client.fields().collect();
    cols.extend(
        client
            .iter()
            .filter(|f| is_client_number(f))
            .map(|f| Column::Field(f)),
    );
    cols.extend(
        client
            .iter()
            .filter(|f| !is_client_number(f))
            .map(|f| Column::Field(f)),
    );
    // A computed field (a promise's amount paid) is worked out again by the
    // receiving office from its own records; it is not sent.
    cols.extend(
        Form::Contact
            .fields()
            .filter(|f| !f.computed)
            .map(Column::Field),
    );
    cols.extend([
        Column::PaymentDate,
        Column::PaymentAmount,
        Column::PaymentNote,
    ]);
    cols
}

/// The header row this build writes.
pub fn header() -> Vec<String> {
    columns().into_iter().map(Column::name).collect()
}

fn bad(label: &str, line: u64, what: impl std::fmt::Display) -> Error {
    Error::validation(what.to_string()).at(Place::line(label, line))
}

/// A CSV row the reader could not split (exit 3), at its line when it has one.
fn csv_error(label: &str, e: csv::Error) -> Error {
    let place = match e.position() {
        Some(p) => Place::line(label, p.line()),
        None => Place::file(label),
    };
    Error::validation(e.to_string()).at(place).with_source(e)
}

fn writer_error(e: impl Into<crate::error::Source>) -> Error {
    let e = e.into();
    Error::runtime(format!("writing a transfer file: {e}")).with_source(e)
}

/// A cell as a catalogue value of the field's type. Blank is `Null`. Nothing is
/// rounded or cut: more decimals than the type keeps, or text wider than the
/// catalogue width, is refused rather than silently changed.
pub fn parse_value(f: &FieldDef, text: &str) -> std::result::Result<Value, String> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    let decimal = |places: u32| -> std::result::Result<Decimal, String> {
        let d =
            crate::money::parse_amount(text).ok_or_else(|| format!("'{text}' is not a number"))?;
        if d.normalize().scale() > places {
            return Err(format!("'{text}' has more than {places} decimals"));
        }
        Ok(d)
    };
    let value = match f.ty {
        FieldType::TextAn | FieldType::TextN => Value::Text(text.to_string()),
        FieldType::Currency => Value::Money(decimal(2)?),
        FieldType::Percent => Value::Percent(decimal(3)?),
        FieldType::Date => Value::Date(
            crate::dates::parse_iso(text.trim())
                .ok_or_else(|| format!("'{text}' is not a date (YYYY-MM-DD)"))?,
        ),
        FieldType::Flag => Value::Flag(parse_flag(text)?),
    };
    if let Value::Text(t) = &value {
        let n = t.chars().count();
        if n > f.width as usize {
            return Err(format!(
                "{n} characters, longer than the field's {}",
                f.width
            ));
        }
    }
    Ok(value)
}

fn parse_flag(text: &str) -> std::result::Result<bool, String> {
    match text.trim().to_ascii_uppercase().as_str() {
        "1" | "Y" | "YES" | "TRUE" | "X" => Ok(true),
        "0" | "N" | "NO" | "FALSE" => Ok(false),
        _ => Err(format!("'{text}' is not a flag (1 or 0)")),
    }
}

fn parse_client_number(text: &str) -> std::result::Result<i64, String> {
    match text.trim().parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("'{text}' is not a client number")),
    }
}

/// The cells of one row with their columns, blanks of other kinds' columns left out.
type Cells<'a> = Vec<(Column, &'a str)>;

/// A CLIENT row turned into a client record: the one place a transferred client
/// row becomes a client, so every check on transferred clients belongs here.
fn client_record(label: &str, line: u64, cells: &Cells<'_>) -> Result<ClientRow> {
    let mut number = None;
    let mut values = Vec::new();
    for (col, text) in cells {
        let Column::Field(f) = *col else { continue };
        if is_client_number(f) {
            number = Some(parse_client_number(text).map_err(|m| bad(label, line, m))?);
        } else {
            let v = parse_value(f, text).map_err(|m| field_error(label, line, f, m))?;
            // Amounts within the ceiling, rates within 0-100 % (docs/limits.md).
            crate::money::limits::check_bounds(&v).map_err(|m| field_error(label, line, f, m))?;
            values.push((f, v));
        }
    }
    let number = number.ok_or_else(|| bad(label, line, "CLIENT row without cl.nu"))?;
    Ok(ClientRow {
        line,
        number,
        values,
    })
}

fn field_error(label: &str, line: u64, f: &FieldDef, m: String) -> Error {
    bad(label, line, format!("{} ({}): {m}", f.code(), f.name))
}

fn row_client(label: &str, line: u64, kind: Kind, cells: &Cells<'_>) -> Result<i64> {
    let text = cells
        .iter()
        .find(|(c, _)| matches!(c, Column::Field(f) if is_client_number(f)))
        .map(|(_, t)| *t)
        .ok_or_else(|| bad(label, line, format!("{} row without cl.nu", kind.name())))?;
    parse_client_number(text).map_err(|m| bad(label, line, m))
}

fn contact_record(label: &str, line: u64, cells: &Cells<'_>) -> Result<ContactRow> {
    let client = row_client(label, line, Kind::Contact, cells)?;
    let mut values = Vec::new();
    for (col, text) in cells {
        if let Column::Field(f) = *col {
            if f.form == Form::Contact {
                let v = parse_value(f, text).map_err(|m| field_error(label, line, f, m))?;
                values.push((f, v));
            }
        }
    }
    Ok(ContactRow {
        line,
        client,
        values,
    })
}

fn payment_record(label: &str, line: u64, cells: &Cells<'_>) -> Result<PaymentRow> {
    let client = row_client(label, line, Kind::Payment, cells)?;
    let cell = |c: Column| cells.iter().find(|(col, _)| *col == c).map(|(_, t)| *t);
    let date_text = cell(Column::PaymentDate).unwrap_or("");
    let date = crate::dates::parse_iso(date_text.trim()).ok_or_else(|| {
        bad(
            label,
            line,
            format!("{PAYMENT_DATE}: '{date_text}' is not a date (YYYY-MM-DD)"),
        )
        .with_input(date_text)
    })?;
    let amount_text = cell(Column::PaymentAmount).unwrap_or("");
    let amount = crate::money::parse_amount(amount_text)
        .filter(|d| d.normalize().scale() <= 2)
        .ok_or_else(|| {
            bad(
                label,
                line,
                format!("{PAYMENT_AMOUNT}: '{amount_text}' is not an amount in cents"),
            )
            .with_input(amount_text)
        })?;
    let cents = crate::money::limits::amount_cents(amount)
        .map_err(|m| bad(label, line, format!("{PAYMENT_AMOUNT}: {m}")))?;
    Ok(PaymentRow {
        line,
        client,
        date,
        cents,
        note: cell(Column::PaymentNote).unwrap_or("").to_string(),
    })
}

fn read_header(label: &str, header: &csv::StringRecord) -> Result<Vec<Column>> {
    let mut cols = Vec::with_capacity(header.len());
    let mut seen = BTreeSet::new();
    for name in header {
        let col = Column::parse(name).ok_or_else(|| {
            bad(
                label,
                1,
                format!("column '{name}' is not a client or contact field of this recoup (importing would lose it)"),
            )
        })?;
        if !seen.insert(col.name()) {
            return Err(bad(label, 1, format!("column '{name}' appears twice")));
        }
        cols.push(col);
    }
    if cols.first() != Some(&Column::Record) {
        return Err(bad(
            label,
            1,
            "the header must start with 'record' (is this a client transfer file?)",
        ));
    }
    Ok(cols)
}

/// Read `clienttransfers.csv`. Any unreadable row is an error naming the line and
/// the field (exit 3); nothing is skipped.
pub fn read_transfers(label: &str, bytes: &[u8]) -> Result<Transfers> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let header = rdr.headers().map_err(|e| csv_error(label, e))?.clone();
    let cols = read_header(label, &header)?;
    let mut out = Transfers::default();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| csv_error(label, e))?;
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue; // a spreadsheet's trailing empty row
        }
        let kind_text = rec.get(0).unwrap_or("");
        let kind = Kind::parse(kind_text).ok_or_else(|| {
            bad(
                label,
                line,
                format!("record type '{kind_text}' is not CLIENT, CONTACT or PAYMENT"),
            )
        })?;
        let mut cells = Vec::with_capacity(cols.len());
        for (col, text) in cols.iter().zip(rec.iter()).skip(1) {
            if col.belongs_to(kind) {
                cells.push((*col, text));
            } else if !text.trim().is_empty() {
                return Err(bad(
                    label,
                    line,
                    format!(
                        "a {} row fills {}, which is not one of its fields",
                        kind.name(),
                        col.name()
                    ),
                ));
            }
        }
        match kind {
            Kind::Client => out.clients.push(client_record(label, line, &cells)?),
            Kind::Contact => out.contacts.push(contact_record(label, line, &cells)?),
            Kind::Payment => out.payments.push(payment_record(label, line, &cells)?),
        }
    }
    Ok(out)
}

fn value_of(values: &FieldValues, f: &FieldDef) -> String {
    values
        .iter()
        .find(|(g, _)| g.form == f.form && g.field == f.field)
        .map(|(_, v)| v.plain())
        .unwrap_or_default()
}

/// Write `clienttransfers.csv`: the header, the CLIENT rows, their CONTACT rows,
/// then the PAYMENT rows.
pub fn write_transfers(t: &Transfers) -> Result<Vec<u8>> {
    let cols = columns();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header()).map_err(writer_error)?;
    let number = |n: i64| n.to_string();
    for c in &t.clients {
        let row = cols.iter().map(|col| match *col {
            Column::Record => Kind::Client.name().to_string(),
            Column::Field(f) if is_client_number(f) => number(c.number),
            Column::Field(f) if f.form == Form::Client => value_of(&c.values, f),
            _ => String::new(),
        });
        w.write_record(row).map_err(writer_error)?;
    }
    for c in &t.contacts {
        let row = cols.iter().map(|col| match *col {
            Column::Record => Kind::Contact.name().to_string(),
            Column::Field(f) if is_client_number(f) => number(c.client),
            Column::Field(f) if f.form == Form::Contact => value_of(&c.values, f),
            _ => String::new(),
        });
        w.write_record(row).map_err(writer_error)?;
    }
    for p in &t.payments {
        let row = cols.iter().map(|col| match *col {
            Column::Record => Kind::Payment.name().to_string(),
            Column::Field(f) if is_client_number(f) => number(p.client),
            Column::PaymentDate => crate::dates::iso_date(p.date),
            Column::PaymentAmount => format!("{:.2}", crate::money::from_cents(p.cents)),
            Column::PaymentNote => p.note.clone(),
            _ => String::new(),
        });
        w.write_record(row).map_err(writer_error)?;
    }
    w.into_inner().map_err(writer_error)
}

/// Write `clientnotes.csv` in the "Export Client Notes" layout.
pub fn write_notes(notes: &[NoteRow]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(NOTES_HEADER).map_err(writer_error)?;
    for n in notes {
        let date = n
            .date
            .map(|d| d.format("%m/%d/%Y").to_string())
            .unwrap_or_default();
        w.write_record([n.client.to_string(), date, n.time.clone(), n.text.clone()])
            .map_err(writer_error)?;
    }
    w.into_inner().map_err(writer_error)
}

/// Read `clientnotes.csv`; every row is checked, an unreadable one is an error
/// naming the line (exit 3).
pub fn read_notes(label: &str, bytes: &[u8]) -> Result<Vec<NoteRow>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let header = rdr.headers().map_err(|e| csv_error(label, e))?.clone();
    let names: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    if names != NOTES_HEADER {
        return Err(bad(
            label,
            1,
            format!(
                "the header must be {} (found {})",
                NOTES_HEADER.join(","),
                names.join(",")
            ),
        ));
    }
    let text_field = crate::catalog::field("no.te")?;
    let time_field = crate::catalog::field("no.tm")?;
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| csv_error(label, e))?;
        let line = rec.position().map_or(0, |p| p.line());
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let client = parse_client_number(&rec[0]).map_err(|m| bad(label, line, m))?;
        let date = match rec[1].trim() {
            "" => None,
            d => Some(
                NaiveDate::parse_from_str(d, "%m/%d/%Y")
                    .map_err(|_| bad(label, line, format!("date '{d}' is not MM/DD/YYYY")))?,
            ),
        };
        let time = parse_value(time_field, &rec[2])
            .map_err(|m| field_error(label, line, time_field, m))?
            .plain();
        let text = parse_value(text_field, &rec[3])
            .map_err(|m| field_error(label, line, text_field, m))?
            .plain();
        out.push(NoteRow {
            line,
            client,
            date,
            time,
            text,
        });
    }
    Ok(out)
}

/// Column letter of a 0-based index, as import maps name columns (`@A`, `@AA`).
fn column_letters(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// The text of the shipped "Client Transfers" map (`maps/client-transfers.toml`),
/// generated from the same column list, so `recoup import client-transfers` reads
/// the files `transfer export` writes (S1:29-37: the receiving office imports the
/// file through that map). A test keeps the shipped file equal to this.
pub fn client_transfers_map() -> String {
    let mut s = String::from(
        "# Client Transfers (S1): clients and their client contacts between offices.\n\
         # Generated from the field catalogue (src/transfer/file.rs, client_transfers_map):\n\
         # the columns of clienttransfers.csv as `recoup transfer export` writes them.\n\
         # `recoup transfer import DIR` is the safer way in (duplicate checks, payments,\n\
         # notes, one transaction); this map lets `recoup import` read the same file.\n\
         # Column A says which record a row is: CLIENT or CONTACT (PAYMENT rows are skipped).\n\
         name = \"Client Transfers\"\nformat = \"csv\"\nfirst_line_labels = true\n\n\
         [dates]\norder = \"YMD\"\nseparator = \"-\"\nyear_digits = 4\n",
    );
    let cols = columns();
    for (kind, record) in [(Kind::Client, "client"), (Kind::Contact, "client_contact")] {
        s.push_str(&format!(
            "\n[[record]]\ntype = \"{record}\"\nidentifier = \"{}\"\n",
            kind.name()
        ));
        for (i, col) in cols.iter().enumerate() {
            let Column::Field(f) = *col else { continue };
            if !col.belongs_to(kind) {
                continue;
            }
            s.push_str(&format!(
                "\n  [[record.field]]\n  field = \"{}\"\n  source = \"@{} #{}\"\n",
                f.code(),
                column_letters(i),
                f.name
            ));
            // Client numbers find the client; a contact is found again by its description.
            if is_client_number(f) || (kind == Kind::Contact && f.field == "de") {
                s.push_str("  key = true\n");
            }
            if kind == Kind::Contact && f.field == "de" {
                s.push_str("  exact = true\n");
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(code: &str) -> &'static FieldDef {
        crate::catalog::by_code(code).unwrap()
    }

    #[test]
    fn header_names_every_client_and_contact_field_once() {
        let h = header();
        assert_eq!(h[0], "record");
        assert_eq!(h[1], "cl.nu");
        for f in Form::Client.fields().chain(Form::Contact.fields()) {
            // Computed fields are worked out again by the receiving office.
            let expected = usize::from(!f.computed);
            assert_eq!(
                h.iter().filter(|c| **c == f.code()).count(),
                expected,
                "{}",
                f.code()
            );
        }
        assert_eq!(
            &h[h.len() - 3..],
            [PAYMENT_DATE, PAYMENT_AMOUNT, PAYMENT_NOTE]
        );
    }

    #[test]
    fn awkward_text_round_trips() {
        let tricky = "Smith, \"Jr\"\nsecond line, with comma";
        let t = Transfers {
            clients: vec![ClientRow {
                line: 2,
                number: 7,
                values: vec![
                    (field("cl.na"), Value::Text(tricky.into())),
                    (field("cl.dba"), Value::Text(" padded ".into())),
                    (field("cl.tx"), Value::Percent("7.125".parse().unwrap())),
                    (field("cl.bn"), Value::Flag(true)),
                    (field("cl.mb"), Value::Money("25.50".parse().unwrap())),
                    (
                        field("cl.li"),
                        Value::Date(NaiveDate::from_ymd_opt(2023, 2, 28).unwrap()),
                    ),
                ],
            }],
            contacts: vec![],
            payments: vec![PaymentRow {
                line: 0,
                client: 7,
                date: NaiveDate::from_ymd_opt(2024, 1, 5).unwrap(),
                cents: -1234,
                note: "a, \"b\"\nc".into(),
            }],
        };
        let bytes = write_transfers(&t).unwrap();
        let back = read_transfers("t.csv", &bytes).unwrap();
        let c = &back.clients[0];
        assert_eq!(c.number, 7);
        let get = |code: &str| value_of(&c.values, field(code));
        assert_eq!(get("cl.na"), tricky);
        assert_eq!(get("cl.dba"), " padded ");
        assert_eq!(get("cl.tx"), "7.125");
        assert_eq!(get("cl.bn"), "1");
        assert_eq!(get("cl.mb"), "25.50");
        assert_eq!(get("cl.li"), "2023-02-28");
        assert_eq!(get("cl.ci"), "", "absent fields come back blank");
        assert_eq!(back.payments[0].cents, -1234);
        assert_eq!(back.payments[0].note, "a, \"b\"\nc");
        // The newline inside the quoted name moves the payment row's line number.
        assert_eq!(back.payments[0].line, 4);

        let notes = vec![NoteRow {
            line: 0,
            client: 7,
            date: NaiveDate::from_ymd_opt(2024, 7, 16),
            time: "14:20".into(),
            text: tricky.into(),
        }];
        let back = read_notes("n.csv", &write_notes(&notes).unwrap()).unwrap();
        assert_eq!(back[0].text, tricky);
        assert_eq!(back[0].date, notes[0].date);
        assert_eq!(back[0].time, "14:20");
    }

    #[test]
    fn the_shipped_client_transfers_map_is_the_generated_one() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27 * 26), "AAA");
        let shipped = include_str!("../../maps/client-transfers.toml");
        let generated = client_transfers_map();
        assert!(
            shipped == generated,
            "maps/client-transfers.toml is out of date; replace it with:\n{generated}"
        );
        crate::import::Map::parse("client-transfers.toml", &generated).unwrap();
    }

    fn message(r: Result<Transfers>) -> String {
        let e = r.unwrap_err();
        assert_eq!(e.exit_code(), 3, "{e}");
        e.to_string()
    }

    #[test]
    fn bad_rows_name_the_line_and_the_field() {
        let m = message(read_transfers(
            "t.csv",
            b"record,cl.nu,cl.tx\nCLIENT,5,abc\n",
        ));
        assert_eq!(m, "t.csv:2: cl.tx (Tax Rate): 'abc' is not a number");
        let e = read_transfers("t.csv", b"record,cl.nu,cl.tx\nCLIENT,5,abc\n").unwrap_err();
        assert_eq!(e.place, Some(Place::line("t.csv", 2)));
        assert_eq!(e.message, "cl.tx (Tax Rate): 'abc' is not a number");
        let m = message(read_transfers("t.csv", b"record,cl.nu,cl.zz\n"));
        assert!(m.starts_with("t.csv:1: column 'cl.zz'"), "{m}");
        let m = message(read_transfers("t.csv", b"record,cl.nu,co.de\nCLIENT,5,x\n"));
        assert_eq!(
            m,
            "t.csv:2: a CLIENT row fills co.de, which is not one of its fields"
        );
        let m = message(read_transfers("t.csv", b"record,cl.nu\nDEBTOR,5\n"));
        assert!(m.contains("t.csv:2: record type 'DEBTOR'"), "{m}");
        let m = message(read_transfers(
            "t.csv",
            b"record,cl.nu,cl.ty\nCLIENT,5,abc\n",
        ));
        assert_eq!(
            m,
            "t.csv:2: cl.ty (Type): 3 characters, longer than the field's 2"
        );
        let m = message(read_transfers(
            "t.csv",
            b"record,cl.nu,cl.mb\nCLIENT,5,1.005\n",
        ));
        assert!(m.contains("more than 2 decimals"), "{m}");
        let m = message(read_transfers("t.csv", b"record,cl.nu\nCLIENT,5,6\n"));
        assert!(m.starts_with("t.csv:2:"), "{m}");
        let m = message(read_transfers("t.csv", b""));
        assert!(m.contains("header must start with 'record'"), "{m}");
    }
}
