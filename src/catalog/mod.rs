//! The field catalogue: one dictionary of every printable code (`form.field`).
//!
//! Import and export maps, the report writer, plan conditions, ODBC sync and the
//! Metro 2 mapping all resolve names through this table (docs/store.md). A new field is
//! one line in `fields.rs`. Only the store writes SQL (`tests/store_boundary.rs` fails on
//! SQL, and names the catalogue columns it spells, anywhere else), and its statements
//! name a catalogue column by code, `{de.ow}`, expanded from this table (`store::sql`);
//! the schema that creates the columns is generated from it too.

mod fields;
mod value;

pub use fields::FIELDS;
pub use value::Value;

use std::fmt;

/// The product's field data types (S2:3764-3773).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// "any alphanumeric value ... up to the value in the Field Length column"
    TextAn,
    /// "only whole numbers" — stored as text so leading zeros survive.
    TextN,
    /// Up to 2 decimals; stored as INTEGER cents.
    Currency,
    /// Up to 3 decimals; stored as canonical decimal TEXT.
    Percent,
    /// `chrono::NaiveDate`, stored as `YYYY-MM-DD` TEXT.
    Date,
    /// Yes/No, stored as INTEGER 0/1.
    Flag,
}

impl FieldType {
    pub fn label(self) -> &'static str {
        match self {
            FieldType::TextAn => "Text AN",
            FieldType::TextN => "Text N",
            FieldType::Currency => "Currency",
            FieldType::Percent => "Percent",
            FieldType::Date => "Date",
            FieldType::Flag => "Flag",
        }
    }
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            FieldType::Currency | FieldType::Percent | FieldType::TextN
        )
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A form (record type) of the catalogue, with the SQLite table that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Form {
    Company,
    Client,
    Debtor,
    Cosigner,
    Transaction,
    Contact,
    Statement,
    InvoiceLine,
    Note,
    Phone,
}

impl Form {
    pub const ALL: [Form; 10] = [
        Form::Company,
        Form::Client,
        Form::Debtor,
        Form::Cosigner,
        Form::Transaction,
        Form::Contact,
        Form::Statement,
        Form::InvoiceLine,
        Form::Note,
        Form::Phone,
    ];

    /// The two-letter form code used in printable codes (`de` in `de.na`).
    pub fn code(self) -> &'static str {
        match self {
            Form::Company => "cd",
            Form::Client => "cl",
            Form::Debtor => "de",
            Form::Cosigner => "cs",
            Form::Transaction => "tr",
            Form::Contact => "co",
            Form::Statement => "st",
            Form::InvoiceLine => "il",
            Form::Note => "no",
            Form::Phone => "ph",
        }
    }

    pub fn from_code(code: &str) -> Option<Form> {
        Form::ALL
            .iter()
            .copied()
            .find(|f| f.code().eq_ignore_ascii_case(code))
    }

    /// The SQLite table holding records of this form.
    pub fn table(self) -> &'static str {
        match self {
            Form::Company => "company",
            Form::Client => "client",
            Form::Debtor => "debtor",
            Form::Cosigner => "cosigner",
            Form::Transaction => "trans",
            Form::Contact => "contact",
            Form::Statement => "statement",
            Form::InvoiceLine => "invoice_line",
            Form::Note => "note",
            Form::Phone => "phone",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Form::Company => "Company",
            Form::Client => "Client",
            Form::Debtor => "Debtor",
            Form::Cosigner => "Cosigner",
            Form::Transaction => "Transaction",
            Form::Contact => "Contact",
            Form::Statement => "Statement",
            Form::InvoiceLine => "Invoice line",
            Form::Note => "Note line",
            Form::Phone => "Phone",
        }
    }

    /// Every field of this form, in catalogue order.
    pub fn fields(self) -> impl Iterator<Item = &'static FieldDef> {
        FIELDS.iter().filter(move |f| f.form == self)
    }
}

/// One catalogue entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    pub form: Form,
    /// Field part of the printable code (`na` in `de.na`).
    pub field: &'static str,
    /// Catalogue name, also accepted by import maps (`"Acct"`).
    pub name: &'static str,
    pub ty: FieldType,
    /// Maximum width in characters (data dictionary, Collect! help, record layouts (data dictionary)).
    pub width: u16,
    /// SQL column in `form.table()`.
    pub column: &'static str,
    /// Computed fields are read-only: recalculation or statement generation writes them.
    pub computed: bool,
}

impl FieldDef {
    /// The full printable code, e.g. `de.na`.
    pub fn code(&self) -> String {
        format!("{}.{}", self.form.code(), self.field)
    }
}

/// Look a field up by printable code (`de.na`, case-insensitive, optional leading `@`).
pub fn by_code(code: &str) -> Option<&'static FieldDef> {
    let code = code.trim().trim_start_matches('@');
    let (form, field) = code.split_once('.')?;
    let form = Form::from_code(form)?;
    FIELDS
        .iter()
        .find(|f| f.form == form && f.field.eq_ignore_ascii_case(field))
}

/// Look a field up by catalogue name within a form (`"Acct"`), case-insensitive.
pub fn by_name(form: Form, name: &str) -> Option<&'static FieldDef> {
    let name = name.trim();
    FIELDS
        .iter()
        .find(|f| f.form == form && f.name.eq_ignore_ascii_case(name))
}

/// Resolve a printable code or, failing that, a catalogue name in any form
/// (debtor first, as import maps most often mean debtor fields).
pub fn resolve(name_or_code: &str) -> Option<&'static FieldDef> {
    if let Some(f) = by_code(name_or_code) {
        return Some(f);
    }
    const ORDER: [Form; 10] = [
        Form::Debtor,
        Form::Client,
        Form::Transaction,
        Form::Cosigner,
        Form::Contact,
        Form::Note,
        Form::Phone,
        Form::Company,
        Form::Statement,
        Form::InvoiceLine,
    ];
    ORDER.iter().find_map(|form| by_name(*form, name_or_code))
}

/// A field the code needs by its printable code: an unknown code is an error naming it
/// (never a panic or a guessed field).
pub fn field(code: &str) -> crate::Result<&'static FieldDef> {
    by_code(code).ok_or_else(|| {
        crate::Error::runtime(format!("unknown field code '{code}'{}", did_you_mean(code)))
    })
}

/// `": did you mean de.na?"` for an unknown field code (empty when no printable code
/// is close), so every "unknown field code" message offers the same hint.
pub fn did_you_mean(code: &str) -> String {
    let codes: Vec<String> = FIELDS.iter().map(|f| f.code()).collect();
    crate::suggest::did_you_mean(code, codes.iter().map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_columns_are_unique_per_form() {
        let mut codes = HashSet::new();
        let mut cols = HashSet::new();
        for f in FIELDS {
            assert!(codes.insert(f.code()), "duplicate code {}", f.code());
            assert!(
                cols.insert((f.form, f.column)),
                "duplicate column {}.{}",
                f.form.table(),
                f.column
            );
            assert!(f.width > 0, "{} has no width", f.code());
        }
    }

    #[test]
    fn spec_codes_exist() {
        // docs/store.md: these codes must exist and may not be renamed.
        let spec = [
            ("cd", "na ad a1 a2 ci st zi ph re tr em"),
            ("cl", "nu na dba co ad a1 ci st zi cy ph em u1 u2 u3 u4 ty ob bp rm rt tx te rb sd ou so np rpl mb dd"),
            ("de", "fi cn ac na ct ge ad a1 ci st zi cy ok ss dob hp wp cp em mo sta op sa li dq ch cld u1 u2 u3 u4 rt rpl rp ib pr in fe lg aj pa ow opr oi lpd lpa cbr cbd cbs ecoa tx te"),
            ("cs", "cl na ge ad a1 ci st zi cy ok ss dob hp em sm cbr ecoa"),
            ("tr", "ty de py pd tu di cr cm tr tx os oc id op iv"),
            ("co", "ty de du ti pr op at am do dd st cr"),
            ("st", "nu cl dt fr to rm tu di cm tx bf ck du a30 a60 a90"),
            ("il", "fi na ac dt su ty py pd tu di cm tx rt"),
            ("no", "te dt tm"),
            ("ph", "nu ty ac"),
        ];
        for (form, fields) in spec {
            for field in fields.split_whitespace() {
                let code = format!("{form}.{field}");
                assert!(by_code(&code).is_some(), "missing {code}");
            }
        }
    }

    #[test]
    fn spec_widths() {
        for (code, w) in [
            ("de.na", 62),
            ("de.ad", 40),
            ("de.a1", 63),
            ("de.ci", 31),
            ("de.st", 31),
            ("de.zi", 14),
            ("de.ss", 31),
            ("cl.na", 62),
            ("tr.de", 126),
            ("co.de", 79),
            ("tr.ty", 4),
            ("de.sta", 4),
        ] {
            assert_eq!(by_code(code).unwrap().width, w, "{code}");
        }
    }

    #[test]
    fn computed_debtor_fields() {
        for c in [
            "pr", "in", "fe", "lg", "aj", "pa", "ow", "opr", "oi", "lpd", "lpa",
        ] {
            assert!(by_code(&format!("de.{c}")).unwrap().computed, "de.{c}");
        }
        assert!(!by_code("de.na").unwrap().computed);
    }

    #[test]
    fn lookup_by_name_and_code() {
        assert_eq!(by_code("@DE.NA").unwrap().name, "Name");
        assert_eq!(resolve("Acct").unwrap().code(), "de.ac");
        assert!(by_code("de.zz").is_none());
        assert!(by_code("zz.na").is_none());
    }
}
