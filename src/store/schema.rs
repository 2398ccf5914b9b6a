//! The schema: catalogue tables generated from the field catalogue, plus the
//! settings and bookkeeping tables written by hand. Versioned migrations run in
//! order; each is applied once and recorded in `PRAGMA user_version`.

use rusqlite::Connection;

use crate::catalog::{FieldType, Form};
use crate::{bail, Result};

/// The schema version this build writes. A database with a higher version was
/// written by a newer recoup and is refused.
pub const SCHEMA_VERSION: i64 = 5;

/// Key and owner columns of each catalogue table (not catalogue fields themselves,
/// or catalogue key fields that need INTEGER affinity).
fn key_columns(form: Form) -> &'static str {
    match form {
        Form::Company => "id INTEGER PRIMARY KEY CHECK (id = 1)",
        Form::Client => "nu INTEGER PRIMARY KEY",
        Form::Debtor => "fi INTEGER PRIMARY KEY, cn INTEGER NOT NULL REFERENCES client(nu)",
        Form::Cosigner => "id INTEGER PRIMARY KEY, fi INTEGER NOT NULL REFERENCES debtor(fi)",
        Form::Transaction => "id INTEGER PRIMARY KEY, fi INTEGER NOT NULL REFERENCES debtor(fi)",
        Form::Contact | Form::Note | Form::Phone => {
            "id INTEGER PRIMARY KEY, fi INTEGER REFERENCES debtor(fi), cn INTEGER REFERENCES client(nu)"
        }
        Form::Statement => "nu INTEGER PRIMARY KEY, cl INTEGER NOT NULL",
        Form::InvoiceLine => "id INTEGER PRIMARY KEY, st INTEGER NOT NULL REFERENCES statement(nu), trans INTEGER",
    }
}

/// Columns already declared by `key_columns`.
fn is_key_column(form: Form, column: &str) -> bool {
    matches!(
        (form, column),
        (Form::Client, "nu")
            | (Form::Debtor, "fi")
            | (Form::Debtor, "cn")
            | (Form::Transaction, "id")
            | (Form::Statement, "nu")
            | (Form::Statement, "cl")
    )
}

/// SQLite storage type of a catalogue field (STRICT tables: no affinity surprises,
/// so ZIP "02110" stays text and money is never REAL).
pub fn sql_type(ty: FieldType) -> &'static str {
    match ty {
        FieldType::TextAn | FieldType::TextN | FieldType::Percent | FieldType::Date => "TEXT",
        FieldType::Currency | FieldType::Flag => "INTEGER",
    }
}

fn create_catalogue_table(form: Form) -> String {
    let mut sql = format!("CREATE TABLE {} ({}", form.table(), key_columns(form));
    for f in form.fields() {
        if is_key_column(form, f.column) {
            continue;
        }
        sql.push_str(&format!(", {} {}", f.column, sql_type(f.ty)));
    }
    sql.push_str(") STRICT;\n");
    sql
}

const SETTINGS_TABLES: &str = r#"
CREATE TABLE setting (
    section TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (section, key)
) STRICT;
CREATE TABLE trans_type (
    code TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    fin_type TEXT NOT NULL,          -- header | payment | principal | interest | fee | legal | adjustment | internal | client_fee
    reserved INTEGER NOT NULL DEFAULT 0,
    omit_statement INTEGER NOT NULL DEFAULT 0,
    omit_cash INTEGER NOT NULL DEFAULT 0,
    no_commission INTEGER NOT NULL DEFAULT 0,
    no_tax INTEGER NOT NULL DEFAULT 0,
    commission_rate TEXT,            -- overrides the debtor's rate when set (S2:2097-2098)
    tax_rate TEXT,
    fixed_to_us INTEGER,             -- 'Use dollar amounts': default To Agency, cents
    fixed_commission INTEGER,        -- 'Use dollar amounts': commission used as-is, cents
    fee_due_agency INTEGER NOT NULL DEFAULT 0,  -- billed to the client on statements (397, 205)
    copy_description INTEGER NOT NULL DEFAULT 1,
    plan TEXT
) STRICT;
CREATE TABLE status_code (
    code TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    plan TEXT,
    listing_reversal INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE pick_list (
    field TEXT NOT NULL,
    ord INTEGER NOT NULL,
    key TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (field, key)
) STRICT;
CREATE TABLE holiday (
    date TEXT PRIMARY KEY,
    description TEXT NOT NULL
) STRICT;
CREATE TABLE contact_control (
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,              -- letter | phone | text | email
    description TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    max_times INTEGER NOT NULL,
    period_days INTEGER NOT NULL
) STRICT;
CREATE TABLE rate_plan (
    code TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE TABLE rate_plan_bracket (
    plan TEXT NOT NULL REFERENCES rate_plan(code) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    upto TEXT NOT NULL,              -- inclusive upper bound (amount or days)
    rate TEXT NOT NULL,
    min_cents INTEGER,
    max_cents INTEGER,
    PRIMARY KEY (plan, ord)
) STRICT;
CREATE TABLE import_batch (
    nu INTEGER PRIMARY KEY,
    map TEXT NOT NULL,
    file TEXT NOT NULL,
    run_date TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE TABLE client_payment (
    id INTEGER PRIMARY KEY,
    cn INTEGER NOT NULL REFERENCES client(nu),
    date TEXT NOT NULL,
    amount INTEGER NOT NULL
) STRICT;
"#;

const INDEXES: &str = r#"
CREATE INDEX debtor_client_acct ON debtor(cn, ac COLLATE NOCASE);
CREATE INDEX debtor_acct ON debtor(ac COLLATE NOCASE);
CREATE INDEX trans_debtor ON trans(fi, id);
CREATE INDEX trans_posted ON trans(pd);
CREATE INDEX trans_ext_id ON trans(ext_id);
CREATE INDEX cosigner_debtor ON cosigner(fi);
CREATE INDEX contact_debtor ON contact(fi);
CREATE INDEX contact_due ON contact(done, du);
CREATE INDEX note_debtor ON note(fi);
CREATE INDEX phone_debtor ON phone(fi);
CREATE INDEX invoice_line_statement ON invoice_line(st);
"#;

/// Migration 1: the whole schema.
fn migration_1(conn: &Connection) -> Result<()> {
    let mut sql = String::new();
    for form in Form::ALL {
        sql.push_str(&create_catalogue_table(form));
    }
    sql.push_str(SETTINGS_TABLES);
    sql.push_str(INDEXES);
    conn.execute_batch(&sql)?;
    conn.execute("INSERT INTO company (id) VALUES (1)", [])?;
    super::stock::install_transaction_types(conn)?;
    Ok(())
}

/// Migration 2: email and address sub-records of debtors and clients (S2:827-831,
/// "Auto-Create Phone, Email, and Address Records" S2:5223-5224). They are not
/// catalogue forms: they are written by imports and shown in lists, never printed by code.
fn migration_2(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE email (
            id INTEGER PRIMARY KEY,
            fi INTEGER REFERENCES debtor(fi),
            cn INTEGER REFERENCES client(nu),
            address TEXT NOT NULL,
            type TEXT,
            active INTEGER NOT NULL DEFAULT 1
         ) STRICT;
         CREATE TABLE address (
            id INTEGER PRIMARY KEY,
            fi INTEGER REFERENCES debtor(fi),
            cn INTEGER REFERENCES client(nu),
            type TEXT,
            ad TEXT, a1 TEXT, ci TEXT, st TEXT, zi TEXT, cy TEXT,
            ok INTEGER NOT NULL DEFAULT 0,
            active INTEGER NOT NULL DEFAULT 1
         ) STRICT;
         CREATE INDEX email_debtor ON email(fi);
         CREATE INDEX address_debtor ON address(fi);",
    )?;
    Ok(())
}

/// Migration 3: what each statement left for the client to pay (`charge`, the part
/// new in that statement) and how it was paid down (`allocation`: by netting from a
/// later statement's To Us, or by a client payment), oldest first. The open amount of
/// a statement is its charge less its allocations; 30/60/90 aging reads it.
fn migration_3(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "ALTER TABLE statement ADD COLUMN charge INTEGER NOT NULL DEFAULT 0;
         ALTER TABLE client_payment ADD COLUMN note TEXT;
         CREATE TABLE allocation (
            id INTEGER PRIMARY KEY,
            target INTEGER NOT NULL REFERENCES statement(nu),
            by_statement INTEGER REFERENCES statement(nu),
            by_payment INTEGER REFERENCES client_payment(id),
            amount INTEGER NOT NULL
         ) STRICT;
         CREATE INDEX allocation_target ON allocation(target);
         CREATE INDEX statement_client ON statement(cl, pto);",
    )?;
    Ok(())
}

/// Migration 4: Metro 2 report history and activation (docs/metro2.md). `metro2_report` holds
/// one row per account reported with `--mark-done` (the as-of date and the status sent);
/// it feeds the Payment History Profile and stops an account after its final 62/DA/DF.
/// `metro2_activation` records when an account was activated for reporting and, when the
/// one-time minimum-balance test failed, why it is never reported (S2:580-590).
fn migration_4(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE metro2_report (
            id INTEGER PRIMARY KEY,
            fi INTEGER NOT NULL REFERENCES debtor(fi) ON DELETE CASCADE,
            as_of TEXT NOT NULL,
            status TEXT NOT NULL,
            run_date TEXT NOT NULL,
            UNIQUE (fi, as_of)
         ) STRICT;
         CREATE TABLE metro2_activation (
            fi INTEGER PRIMARY KEY REFERENCES debtor(fi) ON DELETE CASCADE,
            date TEXT NOT NULL,
            start TEXT,
            excluded TEXT
         ) STRICT;",
    )?;
    Ok(())
}

/// Migration 5: fewer index writes per imported row. `debtor_acct` duplicated the
/// lead column of `debtor_client_acct` for no query that uses it (acct lookups without a
/// client trim the value, which no index serves), and most transactions have no external
/// id, so that index only needs the rows that do. With query-planner stability on every
/// connection the partial index no longer costs re-preparations (docs/store.md).
fn migration_5(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DROP INDEX IF EXISTS debtor_acct;
         DROP INDEX IF EXISTS trans_ext_id;
         CREATE INDEX trans_ext_id ON trans(ext_id) WHERE ext_id IS NOT NULL;",
    )?;
    Ok(())
}

type Migration = fn(&Connection) -> Result<()>;

/// Every migration, in order: index 0 takes a database from version 0 to 1. A
/// migration is never edited once released; a change is a new step.
const MIGRATIONS: &[Migration] = &[
    migration_1,
    migration_2,
    migration_3,
    migration_4,
    migration_5,
];

/// Bring the database to `SCHEMA_VERSION`, each step in its own transaction.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        bail!(
            runtime,
            "database schema version {version} is newer than this recoup understands ({SCHEMA_VERSION}); use a newer recoup"
        );
    }
    for (i, step) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction()?;
        step(&tx)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    add_missing_catalogue_columns(conn)?;
    super::stock::install_missing_transaction_types(conn)?;
    Ok(())
}

/// Apply the first `version` migrations to an empty database (tests of upgrades).
#[cfg(test)]
pub fn migrate_to(conn: &Connection, version: usize) -> Result<()> {
    for step in &MIGRATIONS[..version] {
        step(conn)?;
    }
    conn.pragma_update(None, "user_version", version as i64)?;
    Ok(())
}

/// A field added to the catalogue after a database was created gets its column here:
/// new fields are additive, so this needs no numbered migration.
fn add_missing_catalogue_columns(conn: &Connection) -> Result<()> {
    for form in Form::ALL {
        let mut existing = Vec::new();
        let mut stmt = conn.prepare(&format!("PRAGMA table_info({})", form.table()))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            existing.push(row.get::<_, String>(1)?);
        }
        for f in form.fields() {
            if !existing.iter().any(|c| c == f.column) {
                conn.execute_batch(&format!(
                    "ALTER TABLE {} ADD COLUMN {} {}",
                    form.table(),
                    f.column,
                    sql_type(f.ty)
                ))?;
            }
        }
    }
    Ok(())
}
