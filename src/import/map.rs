//! The import map model (docs/import-maps.md, S2:5178-5188): the map (file format), its record
//! definitions and their field specs, read from TOML and checked on load. Every
//! problem is a configuration error naming `file:line:column`.

use std::path::Path;

use encoding_rs::Encoding;
use rust_decimal::Decimal;

use super::dates::{DateOptions, DateOrder};
use super::footer::{Footer, DEFAULT_FOOTER};
use super::scan::Scan;
use super::toml_read::{Doc, Tbl};
use crate::catalog::{self, FieldDef, FieldType, Form};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Delimited,
    Fixed,
}

/// One delimiter: a byte, or the CR LF pair counted as one (S2:5201-5205).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delim {
    Byte(u8),
    CrLf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Debtor,
    Cosigner,
    Transaction,
    Note,
    Contact,
    Client,
    ClientNote,
    ClientContact,
    Phone,
    Payment,
}

impl RecordKind {
    pub const ALL: [RecordKind; 10] = [
        RecordKind::Debtor,
        RecordKind::Cosigner,
        RecordKind::Transaction,
        RecordKind::Note,
        RecordKind::Contact,
        RecordKind::Client,
        RecordKind::ClientNote,
        RecordKind::ClientContact,
        RecordKind::Phone,
        RecordKind::Payment,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Debtor => "debtor",
            RecordKind::Cosigner => "cosigner",
            RecordKind::Transaction => "transaction",
            RecordKind::Note => "note",
            RecordKind::Contact => "contact",
            RecordKind::Client => "client",
            RecordKind::ClientNote => "client_note",
            RecordKind::ClientContact => "client_contact",
            RecordKind::Phone => "phone",
            RecordKind::Payment => "payment",
        }
    }

    pub fn parse(s: &str) -> Option<RecordKind> {
        RecordKind::ALL
            .iter()
            .copied()
            .find(|k| k.name().eq_ignore_ascii_case(s.trim()))
    }

    /// The form whose fields this record writes.
    pub fn form(self) -> Form {
        match self {
            RecordKind::Debtor => Form::Debtor,
            RecordKind::Cosigner => Form::Cosigner,
            RecordKind::Transaction | RecordKind::Payment => Form::Transaction,
            RecordKind::Note | RecordKind::ClientNote => Form::Note,
            RecordKind::Contact | RecordKind::ClientContact => Form::Contact,
            RecordKind::Client => Form::Client,
            RecordKind::Phone => Form::Phone,
        }
    }

    /// The owner form whose key fields find the record this one hangs off.
    pub fn owner(self) -> Option<Form> {
        match self {
            RecordKind::Debtor => Some(Form::Client),
            RecordKind::Client => None,
            RecordKind::ClientNote | RecordKind::ClientContact => Some(Form::Client),
            _ => Some(Form::Debtor),
        }
    }

    pub fn is_debtor_sub(self) -> bool {
        self.owner() == Some(Form::Debtor)
    }

    /// The forms an exported row of this kind can read: its own, then its owners'
    /// (a transaction row reads its debtor and the debtor's client).
    pub fn readable_forms(self) -> Vec<Form> {
        let mut forms = vec![self.form()];
        match self.owner() {
            Some(Form::Debtor) => forms.extend([Form::Debtor, Form::Client]),
            Some(owner) => forms.push(owner),
            None => {}
        }
        forms
    }
}

/// Which way a map runs. Checks that protect the database (computed fields, owner
/// keys) belong to the import; an export may read every field its record type can.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Import,
    Export,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    None,
    Upper,
    Lower,
    Capitalize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    BlankPermitted,
    MustBeFilled,
    MustBeNonZero,
    MustEqual,
    MustNotEqual,
    GreaterThan,
    LessThan,
}

impl Condition {
    fn parse(s: &str) -> Option<Condition> {
        Some(match s {
            "blank_permitted" => Condition::BlankPermitted,
            "must_be_filled" => Condition::MustBeFilled,
            "must_be_non_zero" => Condition::MustBeNonZero,
            "must_equal" => Condition::MustEqual,
            "must_not_equal" => Condition::MustNotEqual,
            "greater_than" => Condition::GreaterThan,
            "less_than" => Condition::LessThan,
            _ => return None,
        })
    }
    /// Conditions that compare the source with `default` (S2:5419-5442).
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            Condition::MustEqual
                | Condition::MustNotEqual
                | Condition::GreaterThan
                | Condition::LessThan
        )
    }
}

/// Where a field spec reads its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Delimited, no `source`: the column at the cursor, then advance.
    Next,
    /// Delimited `@X`: that column (0-based); the cursor does not move.
    Column(usize),
    /// `"@ "`: reads nothing (static data from default/fill).
    Static,
    /// `"@>"`: reads nothing, advances the cursor (S2:5283-5286).
    StaticAdvance,
    /// Fixed length: `offset`, `length` (characters) on line `line` after the identifier.
    Fixed {
        offset: usize,
        length: usize,
        line: usize,
    },
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Strip {
    pub non_numeric: bool,
    pub spaces: bool,
    pub decimal_point: bool,
}

#[derive(Debug, Clone)]
pub struct FieldSpec {
    /// None: a spec with no field (skips a column; on export writes its constant).
    pub field: Option<&'static FieldDef>,
    pub source: Source,
    pub default: Option<String>,
    pub fill: Option<String>,
    pub scan: Option<Scan>,
    pub date: Option<DateOptions>,
    pub multiply: Option<Decimal>,
    pub case: Case,
    pub strip: Strip,
    pub trailing_overpunch: bool,
    pub key: bool,
    pub exact: bool,
    pub inhibit_autocreate: bool,
    pub skip_subrecords_if_not_found: bool,
    pub skip_if_found: bool,
    pub log_skipped: bool,
    pub preserve: bool,
    pub append: bool,
    pub prepend_comma: bool,
    pub add_space: bool,
    pub insert_comma: bool,
    pub condition: Condition,
    pub fail_cancels_field_only: bool,
    pub skip_remaining: bool,
    pub disable_log_to_notes: bool,
    pub accumulator: Option<usize>,
    /// The `#comment` of a delimited source (`"@A #Account"`): the export header label.
    pub comment: Option<String>,
    /// The map file's line of this spec (for messages).
    pub line: usize,
}

impl FieldSpec {
    /// True when the field belongs to another form than the record writes: an owner key.
    pub fn is_owner_key(&self, kind: RecordKind) -> bool {
        self.field.is_some_and(|f| f.form != kind.form())
    }
}

#[derive(Debug, Clone)]
pub struct RecordDef {
    pub kind: RecordKind,
    pub identifier: Option<String>,
    pub identifier_offset: usize,
    pub fields: Vec<FieldSpec>,
    pub line: usize,
}

impl RecordDef {
    /// Multi-line fixed record: some spec reads a line after the identifier.
    pub fn is_multi_line(&self) -> bool {
        self.identifier.is_some()
            && self
                .fields
                .iter()
                .any(|f| matches!(f.source, Source::Fixed { line, .. } if line > 0))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeWhen {
    Before,
    After,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub client: Option<i64>,
    pub apply_client_settings: bool,
    pub include_transaction_posting: bool,
    pub recalculate: bool,
    pub manage_promises: bool,
    pub transaction_type: TypeWhen,
    pub auto_create_contact_records: bool,
    pub new_account_plan: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            client: None,
            apply_client_settings: false,
            include_transaction_posting: false,
            recalculate: true,
            manage_promises: false,
            transaction_type: TypeWhen::After,
            auto_create_contact_records: false,
            new_account_plan: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Map {
    pub path: String,
    pub name: String,
    pub format: Format,
    pub field_delimiters: Vec<Delim>,
    /// None: any of CR LF, LF (or CR LF only with `crlf_line_endings`).
    pub record_delimiters: Option<Vec<Delim>>,
    pub encoding: &'static Encoding,
    pub first_line_labels: bool,
    pub last_line_footer: bool,
    pub crlf_line_endings: bool,
    pub dates: DateOptions,
    pub options: Options,
    /// The last line when `last_line_footer` (default `TRAILER {count}`).
    pub footer: Option<Footer>,
    pub records: Vec<RecordDef>,
    /// Accumulator names, in order of first mention.
    pub accumulators: Vec<String>,
}

/// Parse `x7C`, `|`, `x0Dx0A`, `\t`…: up to 7 characters, ASCII or `xHH` hex; a leading
/// `x0Dx0A` pair is one delimiter (S2:5201-5205, multicharacterfielddelimiters).
pub fn parse_delimiters(text: &str) -> std::result::Result<Vec<Delim>, String> {
    let b = text.as_bytes();
    let mut bytes = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if (b[i] == b'x' || b[i] == b'X')
            && b.len() >= i + 3
            && b[i + 1].is_ascii_hexdigit()
            && b[i + 2].is_ascii_hexdigit()
        {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).map_err(|e| e.to_string())?;
            bytes.push(u8::from_str_radix(hex, 16).map_err(|e| e.to_string())?);
            i += 3;
        } else if b[i] == b'\\' && i + 1 < b.len() && matches!(b[i + 1], b't' | b'n' | b'r') {
            bytes.push(match b[i + 1] {
                b't' => b'\t',
                b'n' => b'\n',
                _ => b'\r',
            });
            i += 2;
        } else if b[i].is_ascii() {
            bytes.push(b[i]);
            i += 1;
        } else {
            return Err(format!("delimiter '{text}' is not ASCII or xHH hex"));
        }
    }
    if bytes.is_empty() {
        return Err("a delimiter may not be empty".into());
    }
    if bytes.len() > 7 {
        return Err(format!("delimiter '{text}' has more than 7 characters"));
    }
    let mut out = Vec::new();
    let mut rest = &bytes[..];
    if rest.starts_with(b"\r\n") {
        out.push(Delim::CrLf);
        rest = &rest[2..];
    }
    out.extend(rest.iter().map(|&b| Delim::Byte(b)));
    Ok(out)
}

const MAP_KEYS: &[&str] = &[
    "name",
    "note",
    "file",
    "format",
    "field_delimiter",
    "record_delimiter",
    "encoding",
    "first_line_labels",
    "last_line_footer",
    "crlf_line_endings",
    "dates",
    "options",
    "footer",
    "record",
];
const FOOTER_KEYS: &[&str] = &["text"];
const DATE_KEYS: &[&str] = &["order", "separator", "year_digits", "leading_zeros"];
const OPTION_KEYS: &[&str] = &[
    "client",
    "apply_client_settings",
    "include_transaction_posting",
    "recalculate",
    "manage_promises",
    "transaction_type",
    "auto_create_contact_records",
    "new_account_plan",
];
const RECORD_KEYS: &[&str] = &["type", "note", "identifier", "identifier_offset", "field"];
const FIELD_KEYS: &[&str] = &[
    "field",
    "note",
    "source",
    "offset",
    "length",
    "line",
    "default",
    "fill",
    "scan",
    "date",
    "multiply",
    "case",
    "strip",
    "trailing_overpunch",
    "key",
    "exact",
    "inhibit_autocreate",
    "skip_subrecords_if_not_found",
    "skip_if_found",
    "log_skipped",
    "preserve",
    "append",
    "prepend_comma",
    "add_space",
    "insert_comma",
    "condition",
    "fail_cancels_field_only",
    "skip_remaining",
    "disable_log_to_notes",
    "accumulator",
];

impl Map {
    pub fn load(path: &Path) -> Result<Map> {
        Map::load_for(path, Direction::Import)
    }

    pub fn load_for(path: &Path, direction: Direction) -> Result<Map> {
        let src = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Map::parse_for(&path.display().to_string(), &src, direction)
    }

    /// Parse and check a map for import; `path` names it in messages.
    pub fn parse(path: &str, src: &str) -> Result<Map> {
        Map::parse_for(path, src, Direction::Import)
    }

    /// Parse and check a map for one direction.
    pub fn parse_for(path: &str, src: &str, direction: Direction) -> Result<Map> {
        let doc = Doc { path, src };
        // The `toml` parser checks the text first: toml_edit 0.23 panics on some invalid
        // input (found by fuzzing: "==`.\t.\r[\t.X\t"), and a map must never panic.
        if let Err(e) = toml::from_str::<toml::Table>(src) {
            let msg = e.message().trim().to_string();
            return Err(doc.err(e.span(), msg));
        }
        let parsed = toml_edit::Document::parse(src.to_string()).map_err(|e| {
            let msg = e.message().trim().to_string();
            doc.err(e.span(), msg)
        })?;
        let root = Tbl::new(&doc, parsed.as_item(), "the map")?;
        root.check_keys(MAP_KEYS)?;

        let name = root.str("name")?.unwrap_or("").to_string();
        let format = match root.str("format")?.unwrap_or("csv") {
            "csv" => Format::Csv,
            "delimited" => Format::Delimited,
            "fixed" => Format::Fixed,
            other => {
                return Err(root.err(
                    "format",
                    format!("unknown format '{other}' (csv, delimited or fixed)"),
                ))
            }
        };
        let field_delimiters = match (format, root.str("field_delimiter")?) {
            (Format::Delimited, Some(d)) => {
                let ds = parse_delimiters(d).map_err(|m| root.err("field_delimiter", m))?;
                if ds.iter().any(|d| matches!(d, Delim::Byte(b'"'))) {
                    return Err(root.err(
                        "field_delimiter",
                        "the quote character cannot delimit fields",
                    ));
                }
                ds
            }
            (Format::Delimited, None) => {
                return Err(root.err("format", "a delimited map needs field_delimiter"))
            }
            (_, Some(_)) => {
                return Err(root.err(
                    "field_delimiter",
                    "field_delimiter applies to format = \"delimited\" only",
                ))
            }
            (Format::Csv, None) => vec![Delim::Byte(b',')],
            (Format::Fixed, None) => Vec::new(),
        };
        let record_delimiters = match root.str("record_delimiter")? {
            Some(d) => Some(parse_delimiters(d).map_err(|m| root.err("record_delimiter", m))?),
            None => None,
        };
        if let Some(rd) = &record_delimiters {
            if rd.iter().any(|d| field_delimiters.contains(d)) {
                return Err(root.err(
                    "record_delimiter",
                    "a character cannot delimit both fields and records",
                ));
            }
        }
        let encoding = match root.str("encoding")? {
            None => encoding_rs::UTF_8,
            Some(label) => Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
                root.err(
                    "encoding",
                    format!("unknown encoding '{label}' (a WHATWG label)"),
                )
            })?,
        };
        let dates = match root.get("dates") {
            Some(item) => read_dates(&Tbl::new(&doc, item, "[dates]")?, &DateOptions::default())?,
            None => DateOptions::default(),
        };
        let options = match root.get("options") {
            Some(item) => read_options(&Tbl::new(&doc, item, "[options]")?)?,
            None => Options::default(),
        };

        let mut map = Map {
            path: path.to_string(),
            name,
            format,
            field_delimiters,
            record_delimiters,
            encoding,
            first_line_labels: root.bool("first_line_labels")?.unwrap_or(false),
            last_line_footer: root.bool("last_line_footer")?.unwrap_or(false),
            crlf_line_endings: root.bool("crlf_line_endings")?.unwrap_or(false),
            dates,
            options,
            footer: None,
            records: Vec::new(),
            accumulators: Vec::new(),
        };

        let records = match root.get("record") {
            None => return Err(doc.err(Some(0..0), "a map needs at least one [[record]]")),
            Some(item) => item.as_array_of_tables().ok_or_else(|| {
                root.err("record", "'record' must be an array of tables ([[record]])")
            })?,
        };
        for rec_table in records.iter() {
            let rt = Tbl {
                doc: &doc,
                t: rec_table,
                span: rec_table.span(),
                what: "[[record]]",
            };
            let def = read_record(&rt, &mut map, direction)?;
            map.records.push(def);
        }
        if map.records.is_empty() {
            return Err(doc.err(Some(0..0), "a map needs at least one [[record]]"));
        }
        map.footer = read_footer(&root, &map)?;
        Ok(map)
    }

    pub fn is_delimited(&self) -> bool {
        self.format != Format::Fixed
    }

    fn accumulator_index(&mut self, name: &str) -> usize {
        match self.accumulators.iter().position(|a| a == name) {
            Some(i) => i,
            None => {
                self.accumulators.push(name.to_string());
                self.accumulators.len() - 1
            }
        }
    }
}

fn read_dates(t: &Tbl, base: &DateOptions) -> Result<DateOptions> {
    t.check_keys(DATE_KEYS)?;
    let mut d = base.clone();
    if let Some(o) = t.str("order")? {
        d.order = DateOrder::parse(o).ok_or_else(|| {
            t.err(
                "order",
                format!("unknown date order '{o}' (MDY, YMD, DMY, YJ, J or DMONY)"),
            )
        })?;
    }
    if let Some(s) = t.str("separator")? {
        if s.chars().count() > 1 || s.chars().any(|c| c.is_ascii_alphanumeric()) {
            return Err(t.err(
                "separator",
                format!("date separator '{s}' must be one non-alphanumeric character or \"\""),
            ));
        }
        d.separator = s.to_string();
    }
    if let Some(y) = t.int("year_digits")? {
        if y != 2 && y != 4 {
            return Err(t.err("year_digits", "year_digits must be 2 or 4"));
        }
        d.year_digits = y as u8;
    }
    if let Some(l) = t.bool("leading_zeros")? {
        d.leading_zeros = l;
    }
    Ok(d)
}

fn read_options(t: &Tbl) -> Result<Options> {
    t.check_keys(OPTION_KEYS)?;
    Ok(Options {
        client: t.int("client")?,
        apply_client_settings: t.bool("apply_client_settings")?.unwrap_or(false),
        include_transaction_posting: t.bool("include_transaction_posting")?.unwrap_or(false),
        recalculate: t.bool("recalculate")?.unwrap_or(true),
        manage_promises: t.bool("manage_promises")?.unwrap_or(false),
        transaction_type: match t.str("transaction_type")?.unwrap_or("after") {
            "after" => TypeWhen::After,
            "before" => TypeWhen::Before,
            other => {
                return Err(t.err(
                    "transaction_type",
                    format!("transaction_type '{other}' must be \"before\" or \"after\""),
                ))
            }
        },
        auto_create_contact_records: t.bool("auto_create_contact_records")?.unwrap_or(false),
        new_account_plan: match t.str("new_account_plan")?.map(str::trim) {
            Some("") | None => None,
            Some(code) => match crate::plans::code::code_problem(code) {
                Some(problem) => return Err(t.err("new_account_plan", problem)),
                None => Some(code.to_string()),
            },
        },
    })
}

/// `[footer] text = "…"` (see `footer.rs`); only with `last_line_footer = true`.
fn read_footer(root: &Tbl, map: &Map) -> Result<Option<Footer>> {
    let Some(item) = root.get("footer") else {
        return Ok(map
            .last_line_footer
            .then(|| Footer::parse(DEFAULT_FOOTER, &[]).expect("the default footer parses")));
    };
    let t = Tbl::new(root.doc, item, "[footer]")?;
    t.check_keys(FOOTER_KEYS)?;
    if !map.last_line_footer {
        return Err(root.err(
            "footer",
            "[footer] describes the last line: set last_line_footer = true",
        ));
    }
    let text = t.str("text")?.ok_or_else(|| {
        root.err(
            "footer",
            "[footer] needs text (e.g. \"TRAILER {count:06}\")",
        )
    })?;
    Footer::parse(text, &map.accumulators)
        .map(Some)
        .map_err(|m| t.err("text", m))
}

fn read_record(t: &Tbl, map: &mut Map, direction: Direction) -> Result<RecordDef> {
    t.check_keys(RECORD_KEYS)?;
    let line = t.doc.line_of(t.span.clone());
    let kind = match t.str("type")? {
        Some(k) => RecordKind::parse(k).ok_or_else(|| {
            t.err(
                "type",
                format!(
                    "unknown record type '{k}' ({})",
                    RecordKind::ALL.map(|k| k.name()).join(", ")
                ),
            )
        })?,
        None => return Err(t.doc.err(t.span.clone(), "[[record]] needs a type")),
    };
    let identifier = t.text("identifier")?.filter(|s| !s.is_empty());
    let identifier_offset = t.usize("identifier_offset")?.unwrap_or(0);
    let mut def = RecordDef {
        kind,
        identifier,
        identifier_offset,
        fields: Vec::new(),
        line,
    };
    let fields = match t.get("field") {
        None => {
            return Err(t.doc.err(
                t.span.clone(),
                "[[record]] needs at least one [[record.field]]",
            ))
        }
        Some(item) => item.as_array_of_tables().ok_or_else(|| {
            t.err(
                "field",
                "'field' must be an array of tables ([[record.field]])",
            )
        })?,
    };
    for ft in fields.iter() {
        let f = Tbl {
            doc: t.doc,
            t: ft,
            span: ft.span(),
            what: "[[record.field]]",
        };
        let spec = read_field(&f, map, kind, direction)?;
        def.fields.push(spec);
    }
    if def.fields.is_empty() {
        return Err(t.doc.err(
            t.span.clone(),
            "[[record]] needs at least one [[record.field]]",
        ));
    }
    Ok(def)
}

/// `@A`, `@AA`, `@0`, `@ `, `@>`, each optionally followed by `#comment` (S2:5274-5286).
pub fn parse_source(s: &str) -> std::result::Result<Source, String> {
    let body = match s.find('#') {
        Some(i) => &s[..i],
        None => s,
    };
    let Some(rest) = body.strip_prefix('@') else {
        return Err(format!(
            "source '{s}' must start with '@' (e.g. \"@A #Account\")"
        ));
    };
    if let Some(after) = rest.strip_prefix('>') {
        if after.trim().is_empty() {
            return Ok(Source::StaticAdvance);
        }
        return Err(format!("unexpected text after '@>' in source '{s}'"));
    }
    let col = rest.trim();
    if col.is_empty() {
        // "@ " (or a bare "@" once the comment is gone): static data.
        return Ok(Source::Static);
    }
    if rest.starts_with(' ') {
        return Err(format!("source '{s}': no space between '@' and the column"));
    }
    if col.bytes().all(|b| b.is_ascii_digit()) {
        return col
            .parse::<usize>()
            .ok()
            .filter(|&n| n < 100_000)
            .map(Source::Column)
            .ok_or_else(|| format!("column number in '{s}' is too large"));
    }
    if col.len() <= 3 && col.bytes().all(|b| b.is_ascii_alphabetic()) {
        // Spreadsheet letters: A=0 … Z=25, AA=26 …
        let mut n = 0usize;
        for b in col.bytes() {
            n = n * 26 + (b.to_ascii_uppercase() - b'A') as usize + 1;
        }
        return Ok(Source::Column(n - 1));
    }
    Err(format!(
        "source '{s}' is not a column (@A, @AA, @0), \"@ \" or \"@>\""
    ))
}

fn read_field(t: &Tbl, map: &mut Map, kind: RecordKind, direction: Direction) -> Result<FieldSpec> {
    t.check_keys(FIELD_KEYS)?;
    let line = t.doc.line_of(t.span.clone());
    let field = match t.str("field")? {
        None => None,
        Some(s) if s.trim().is_empty() => None,
        Some(s) => Some(catalog::resolve(s).ok_or_else(|| {
            if s.contains('.') {
                t.err(
                    "field",
                    format!("unknown field code '{s}'{}", catalog::did_you_mean(s)),
                )
                .with_input(s)
            } else {
                t.err(
                    "field",
                    format!("unknown field '{s}' (not a code or catalogue name)"),
                )
                .with_input(s)
            }
        })?),
    };
    let flag = |k: &str| -> Result<bool> { Ok(t.bool(k)?.unwrap_or(false)) };

    // Where the text comes from, per format.
    let has_fixed = ["offset", "length", "line"]
        .iter()
        .any(|k| t.get(k).is_some());
    let source = if map.format == Format::Fixed {
        if t.get("source").is_some() {
            let src = t.str("source")?.unwrap_or("");
            match parse_source(src) {
                Ok(Source::Static) | Ok(Source::StaticAdvance) => Source::Static,
                _ => {
                    return Err(t.err(
                        "source",
                        "a fixed-length map reads offset/length, not a column source",
                    ))
                }
            }
        } else if has_fixed {
            let length = t.usize("length")?.ok_or_else(|| {
                t.doc
                    .err(t.span.clone(), "a fixed-length field needs length")
            })?;
            if length == 0 {
                return Err(t.err("length", "length must be at least 1"));
            }
            Source::Fixed {
                offset: t.usize("offset")?.unwrap_or(0),
                length,
                line: t.usize("line")?.unwrap_or(0),
            }
        } else {
            Source::Static
        }
    } else {
        if has_fixed {
            let k = ["offset", "length", "line"]
                .into_iter()
                .find(|k| t.get(k).is_some())
                .unwrap_or("offset");
            return Err(t.err(
                k,
                format!("'{k}' applies to fixed-length maps; a delimited map uses source = \"@A\""),
            ));
        }
        match t.str("source")? {
            None => Source::Next,
            Some(s) => parse_source(s).map_err(|m| t.err("source", m))?,
        }
    };

    let case = match t.str("case")?.unwrap_or("none") {
        "none" => Case::None,
        "upper" => Case::Upper,
        "lower" => Case::Lower,
        "capitalize" => Case::Capitalize,
        other => {
            return Err(t.err(
                "case",
                format!("unknown case '{other}' (none, upper, lower, capitalize)"),
            ))
        }
    };
    let mut strip = Strip::default();
    for (s, span) in t.str_list("strip")?.unwrap_or_default() {
        match s {
            "non_numeric" => strip.non_numeric = true,
            "spaces" => strip.spaces = true,
            "decimal_point" => strip.decimal_point = true,
            other => {
                return Err(t.doc.err(
                    span,
                    format!("unknown strip option '{other}' (non_numeric, spaces, decimal_point)"),
                ))
            }
        }
    }
    let condition = match t.str("condition")? {
        None => Condition::BlankPermitted,
        Some(c) => Condition::parse(c).ok_or_else(|| {
            t.err(
                "condition",
                format!("unknown condition '{c}' (blank_permitted, must_be_filled, must_be_non_zero, must_equal, must_not_equal, greater_than, less_than)"),
            )
        })?,
    };
    let scan = match t.str("scan")? {
        None => None,
        Some(p) => Some(Scan::compile(p).map_err(|m| t.err("scan", m))?),
    };
    let date = match t.get("date") {
        None => None,
        Some(item) => Some(read_dates(
            &Tbl::new(t.doc, item, "date options")?,
            &map.dates,
        )?),
    };
    let multiply = t.decimal("multiply")?;
    let accumulator = match t.str("accumulator")? {
        Some(a) if !a.trim().is_empty() => Some(map.accumulator_index(a.trim())),
        _ => None,
    };

    let spec = FieldSpec {
        field,
        source,
        default: t.text("default")?,
        fill: t.text("fill")?,
        scan,
        date,
        multiply,
        case,
        strip,
        trailing_overpunch: flag("trailing_overpunch")?,
        key: flag("key")?,
        exact: flag("exact")?,
        inhibit_autocreate: flag("inhibit_autocreate")?,
        skip_subrecords_if_not_found: flag("skip_subrecords_if_not_found")?,
        skip_if_found: flag("skip_if_found")?,
        log_skipped: flag("log_skipped")?,
        preserve: flag("preserve")?,
        append: flag("append")?,
        prepend_comma: flag("prepend_comma")?,
        add_space: flag("add_space")?,
        insert_comma: flag("insert_comma")?,
        condition,
        fail_cancels_field_only: flag("fail_cancels_field_only")?,
        skip_remaining: flag("skip_remaining")?,
        disable_log_to_notes: flag("disable_log_to_notes")?,
        accumulator,
        comment: t
            .str("source")?
            .and_then(|s| s.split_once('#'))
            .map(|(_, c)| c.trim().to_string())
            .filter(|c| !c.is_empty()),
        line,
    };
    match direction {
        Direction::Import => check_import_field(t, map, kind, &spec)?,
        Direction::Export => check_export_field(t, kind, &spec)?,
    }
    check_field_shape(t, &spec)?;
    Ok(spec)
}

/// What an import may not write (docs/import-maps.md): computed fields (except the write-once
/// `de.opr` / `de.oi` on a posting debtor map) and another form's fields other than the
/// owner keys that find the record's owner.
fn check_import_field(t: &Tbl, map: &Map, kind: RecordKind, spec: &FieldSpec) -> Result<()> {
    let Some(f) = spec.field else {
        return Ok(());
    };
    let code = f.code();
    if f.computed {
        let write_once = f.form == Form::Debtor && (f.field == "opr" || f.field == "oi");
        if !write_once {
            return Err(t.err(
                "field",
                format!("{code} ({}) is computed and cannot be imported", f.name),
            ));
        }
        if kind != RecordKind::Debtor {
            return Err(t.err(
                "field",
                format!("{code} can only be imported on a debtor record"),
            ));
        }
        if !map.options.include_transaction_posting {
            return Err(t.err(
                "field",
                format!("{code} needs [options] include_transaction_posting = true (it posts a {} transaction)",
                    if f.field == "opr" { "196" } else { "197" }),
            ));
        }
    }
    if f.form != kind.form() {
        // A field of another form: only as the key that finds the owner record.
        let owner_ok = match kind.owner() {
            Some(Form::Debtor) => {
                f.form == Form::Debtor && matches!(f.field, "fi" | "ac" | "cn")
                    || f.form == Form::Client && f.field == "nu"
            }
            Some(Form::Client) => f.form == Form::Client && f.field == "nu",
            _ => false,
        };
        if !owner_ok {
            return Err(t.err(
                "field",
                format!(
                    "a {} record cannot write {code} ({} form); its fields are {}.*{}",
                    kind.name(),
                    f.form.name(),
                    kind.form().code(),
                    match kind.owner() {
                        Some(Form::Debtor) => ", plus de.fi / de.ac / de.cn / cl.nu as owner keys",
                        Some(Form::Client) if kind != RecordKind::Debtor =>
                            ", plus cl.nu as the owner key",
                        _ => "",
                    }
                ),
            ));
        }
        if !spec.key {
            return Err(t.err(
                "field",
                format!(
                    "{code} on a {} record only finds the owner: add key = true",
                    kind.name()
                ),
            ));
        }
    }
    Ok(())
}

/// An export row reads its own record and its owners' (docs/import-maps.md export): a field of
/// any other form is a configuration error.
fn check_export_field(t: &Tbl, kind: RecordKind, spec: &FieldSpec) -> Result<()> {
    let Some(f) = spec.field else {
        return Ok(());
    };
    let readable = kind.readable_forms();
    if !readable.contains(&f.form) {
        return Err(t.err(
            "field",
            format!(
                "a {} record cannot read {} ({} form); it reads {}",
                kind.name(),
                f.code(),
                f.form.name(),
                readable
                    .iter()
                    .map(|f| format!("{}.*", f.code()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    Ok(())
}

/// Combinations the map may not ask for in either direction (docs/import-maps.md).
fn check_field_shape(t: &Tbl, spec: &FieldSpec) -> Result<()> {
    let Some(f) = spec.field else {
        if spec.key {
            return Err(t.err("key", "a key spec needs a field"));
        }
        return Ok(());
    };
    let code = f.code();
    if spec.multiply.is_some() && !f.ty.is_numeric() {
        return Err(t.err(
            "multiply",
            format!("multiply applies to numeric fields; {code} is {}", f.ty),
        ));
    }
    if spec.date.is_some() && !matches!(f.ty, FieldType::Date | FieldType::TextAn) {
        return Err(t.err(
            "date",
            format!(
                "date options apply to date or text fields; {code} is {}",
                f.ty
            ),
        ));
    }
    if spec.append && f.ty != FieldType::TextAn && f.ty != FieldType::TextN {
        return Err(t.err(
            "append",
            format!("append applies to text fields; {code} is {}", f.ty),
        ));
    }
    if spec.skip_remaining && spec.condition == Condition::BlankPermitted {
        return Err(t.err("skip_remaining", "skip_remaining needs a condition"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> String {
        Map::parse("maps/t.toml", src).unwrap_err().to_string()
    }

    const HEAD: &str = "format = \"csv\"\n[[record]]\ntype = \"debtor\"\n";

    #[test]
    fn invalid_toml_is_an_error_with_a_position_never_a_panic() {
        // found by the import_map fuzz target: toml_edit 0.23 alone panics on it
        let e = err("==`.\t.\r[\t.X\t");
        assert!(e.starts_with("maps/t.toml:1:"), "{e}");
    }

    #[test]
    fn spec_payment_example_parses() {
        let src = include_str!("../../maps/payments.toml");
        let m = Map::parse("maps/payments.toml", src).unwrap();
        assert_eq!(m.records[0].kind, RecordKind::Transaction);
        assert_eq!(m.records[0].fields[0].source, Source::Column(0));
        assert_eq!(m.dates.year_digits, 2);
    }

    #[test]
    fn unknown_code_names_line_and_column() {
        let e = err(&format!("{HEAD}  [[record.field]]\n  field = \"de.zz\"\n"));
        assert_eq!(
            e,
            "maps/t.toml:5:11: unknown field code 'de.zz': did you mean de.zi?"
        );
        let e = Map::parse(
            "maps/t.toml",
            &format!("{HEAD}  [[record.field]]\n  field = \"de.zz\"\n"),
        )
        .unwrap_err();
        assert_eq!(e.kind, crate::error::ErrorKind::Config);
        assert_eq!(e.place, Some(crate::error::Place::at("maps/t.toml", 5, 11)));
        assert_eq!(e.input.as_deref(), Some("de.zz"));
        assert_eq!(e.message, "unknown field code 'de.zz': did you mean de.zi?");
    }

    #[test]
    fn unknown_keys_everywhere() {
        assert!(err("formt = \"csv\"\n").starts_with("maps/t.toml:1:1: unknown key 'formt'"));
        let e = err(&format!(
            "{HEAD}  [[record.field]]\n  field = \"de.na\"\n  colour = 1\n"
        ));
        assert!(
            e.starts_with("maps/t.toml:6:3: unknown key 'colour'"),
            "{e}"
        );
        let e = err("[dates]\nordr = \"MDY\"\n[[record]]\ntype=\"debtor\"\n[[record.field]]\nfield=\"de.na\"\n");
        assert!(e.starts_with("maps/t.toml:2:1: unknown key 'ordr'"), "{e}");
    }

    #[test]
    fn names_resolve_like_codes() {
        let m = Map::parse("t", &format!("{HEAD}[[record.field]]\nfield = \"Acct\"\n")).unwrap();
        assert_eq!(m.records[0].fields[0].field.unwrap().code(), "de.ac");
    }

    #[test]
    fn impossible_combinations() {
        let e = err(&format!(
            "{HEAD}[[record.field]]\nfield = \"de.na\"\noffset = 3\n"
        ));
        assert!(e.contains("t.toml:6:") && e.contains("fixed-length"), "{e}");
        let e = err("format = \"fixed\"\n[[record]]\ntype = \"debtor\"\n[[record.field]]\nfield = \"de.na\"\nsource = \"@A\"\n");
        assert!(e.contains(":6:") && e.contains("offset/length"), "{e}");
        let e = err(&format!("{HEAD}[[record.field]]\nfield = \"de.ow\"\n"));
        assert!(e.contains(":5:") && e.contains("computed"), "{e}");
        let e = err(&format!("{HEAD}[[record.field]]\nfield = \"de.opr\"\n"));
        assert!(e.contains("include_transaction_posting"), "{e}");
        let ok = "[options]\ninclude_transaction_posting = true\n[[record]]\ntype = \"debtor\"\n[[record.field]]\nfield = \"de.opr\"\n";
        assert!(Map::parse("t", ok).is_ok());
        let e = err(
            "[[record]]\ntype = \"transaction\"\n[[record.field]]\nfield = \"de.na\"\nkey = true\n",
        );
        assert!(e.contains("cannot write de.na"), "{e}");
        let e = err("[[record]]\ntype = \"transaction\"\n[[record.field]]\nfield = \"de.ac\"\n");
        assert!(e.contains("add key = true"), "{e}");
        let e = err("format = \"delimited\"\n[[record]]\ntype = \"debtor\"\n[[record.field]]\nfield = \"de.na\"\n");
        assert!(e.contains("field_delimiter"), "{e}");
        let e = err(&format!(
            "{HEAD}[[record.field]]\nfield = \"de.na\"\nmultiply = 2\n"
        ));
        assert!(e.contains("multiply applies"), "{e}");
        let e = err(&format!(
            "{HEAD}[[record.field]]\nfield = \"de.na\"\nscan = \"%s %s\"\n"
        ));
        assert!(e.contains("exactly one"), "{e}");
        let e = err(&format!(
            "{HEAD}[[record.field]]\nfield = \"de.na\"\nsource = \"A\"\n"
        ));
        assert!(e.contains("must start with '@'"), "{e}");
    }

    /// The import's protections (computed fields, owner keys) do not bind an export:
    /// a sub-record row reads its debtor's fields, a debtor row its computed ones.
    #[test]
    fn export_maps_read_every_field_of_their_record_type() {
        let exp = |src: &str| Map::parse_for("maps/t.toml", src, Direction::Export);
        let tr = "[[record]]\ntype = \"transaction\"\n[[record.field]]\nfield = \"de.ac\"\n[[record.field]]\nfield = \"de.na\"\n[[record.field]]\nfield = \"cl.na\"\n";
        assert!(exp(tr).is_ok());
        assert!(
            err(tr).contains("maps/t.toml:4:"),
            "the import still refuses it"
        );
        let de = format!("{HEAD}[[record.field]]\nfield = \"de.ow\"\n[[record.field]]\nfield = \"de.opr\"\n[[record.field]]\nfield = \"de.pa\"\n");
        assert!(exp(&de).is_ok());
        assert!(err(&de).contains("maps/t.toml:5:"));
        let e = exp(&format!("{HEAD}[[record.field]]\nfield = \"tr.tu\"\n")).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert_eq!(e.place.as_ref().and_then(|p| p.line), Some(5));
        assert!(
            e.to_string().starts_with("maps/t.toml:5:") && e.message.contains("cannot read tr.tu"),
            "{e}"
        );
    }

    #[test]
    fn footer_section() {
        const REC: &str = "[[record]]\ntype = \"debtor\"\n[[record.field]]\nfield = \"de.u1\"\n";
        let m = Map::parse("t", &format!("last_line_footer = true\n[footer]\ntext = \"T {{count:06}} {{P}}\"\n{REC}accumulator = \"P\"\n")).unwrap();
        assert_eq!(m.footer.unwrap().prefix(), "T ");
        let m = Map::parse("t", &format!("last_line_footer = true\n{REC}")).unwrap();
        assert_eq!(m.footer.unwrap().text, "TRAILER {count}");
        let e = err(&format!("[footer]\ntext = \"T\"\n{REC}"));
        assert!(e.contains("set last_line_footer = true"), "{e}");
        let e = err(&format!(
            "last_line_footer = true\n[footer]\ntext = \"T {{Fees}}\"\n{REC}"
        ));
        assert!(
            e.starts_with("maps/t.toml:3:") && e.contains("unknown value '{Fees}'"),
            "{e}"
        );
    }

    #[test]
    fn decimals_as_strings_or_numbers() {
        for m in ["\"0.01\"", "0.01", "1e-2"] {
            let src = format!("{HEAD}[[record.field]]\nfield = \"de.rt\"\nmultiply = {m}\n");
            let map = Map::parse("t", &src).unwrap();
            assert_eq!(
                map.records[0].fields[0].multiply.unwrap().to_string(),
                "0.01",
                "{m}"
            );
        }
    }

    #[test]
    fn sources() {
        assert_eq!(parse_source("@A #Account"), Ok(Source::Column(0)));
        assert_eq!(parse_source("@Z"), Ok(Source::Column(25)));
        assert_eq!(parse_source("@AA"), Ok(Source::Column(26)));
        assert_eq!(parse_source("@ab"), Ok(Source::Column(27)));
        assert_eq!(parse_source("@0 #Account"), Ok(Source::Column(0)));
        assert_eq!(parse_source("@12"), Ok(Source::Column(12)));
        assert_eq!(parse_source("@ "), Ok(Source::Static));
        assert_eq!(parse_source("@ #mode"), Ok(Source::Static));
        assert_eq!(parse_source("@>"), Ok(Source::StaticAdvance));
        assert_eq!(parse_source("@> #ok"), Ok(Source::StaticAdvance));
        assert!(parse_source("@A1").is_err());
        assert!(parse_source("A").is_err());
    }

    #[test]
    fn delimiters() {
        assert_eq!(parse_delimiters("x7C"), Ok(vec![Delim::Byte(b'|')]));
        assert_eq!(parse_delimiters("|"), Ok(vec![Delim::Byte(b'|')]));
        assert_eq!(
            parse_delimiters("x09;"),
            Ok(vec![Delim::Byte(9), Delim::Byte(b';')])
        );
        assert_eq!(parse_delimiters("x0Dx0A"), Ok(vec![Delim::CrLf]));
        assert_eq!(
            parse_delimiters("x0Dx0Ax0A"),
            Ok(vec![Delim::CrLf, Delim::Byte(b'\n')])
        );
        assert!(parse_delimiters("12345678").is_err());
        assert!(parse_delimiters("").is_err());
    }

    proptest::proptest! {
        /// Damaged maps (a byte changed, a cut, junk spliced in) parse or fail with a
        /// configuration error naming the file; never a panic.
        #[test]
        fn damaged_maps_never_panic(pos in 0usize..2000, byte in proptest::prelude::any::<u8>(), cut in 0usize..2000, junk in "[ -~\\n]{0,40}") {
            let base = include_str!("../../maps/placement-csv.toml");
            let mut bytes = base.as_bytes().to_vec();
            let p = pos % bytes.len();
            bytes[p] = byte;
            let c = cut % bytes.len();
            bytes.splice(c..c, junk.bytes());
            if let Ok(text) = std::str::from_utf8(&bytes) {
                if let Err(e) = Map::parse("maps/x.toml", text) {
                    proptest::prop_assert!(e.to_string().starts_with("maps/x.toml"), "{e}");
                    proptest::prop_assert_eq!(e.exit_code(), 2);
                }
            }
        }
    }
}
