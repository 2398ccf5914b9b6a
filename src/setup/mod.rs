//! `setup.toml` (README "Using it"): the agency's settings as text under version control.
//! `apply` is declarative — each section present replaces that section; absent
//! sections are kept — except clients and transaction types, which are upserted
//! (a client may own debtors; stock types are never deleted). Strict: an unknown
//! key or a wrong type is exit 2 naming `file:line:col`.

mod file;
pub mod interest;
pub mod owners;
pub mod show;

pub use file::SetupFile;
pub use show::render;

use std::path::Path;

use crate::catalog::{self, FieldType, Form, Value};
use crate::money::{to_cents, PlanKind};
use crate::store::{self, settings, types, Db};
use crate::tomlutil::{config_error_at, toml_error};
use crate::{Error, Result};

/// Parse and check a setup file without touching a database.
pub fn parse(path: &Path) -> Result<(SetupFile, String)> {
    let src = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let file = parse_str(path, &src)?;
    Ok((file, src))
}

/// Parse and check setup text; `path` names it in errors.
pub fn parse_str(path: &Path, src: &str) -> Result<SetupFile> {
    let file: SetupFile = toml::from_str(src).map_err(|e| toml_error(path, src, &e))?;
    file.check(path, src)?;
    Ok(file)
}

/// What `recoup setup apply` applied: `--json` is its serialisation (the sections), the
/// line its `Display`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Applied {
    #[serde(skip)]
    pub file: String,
    pub applied: Vec<String>,
}

impl std::fmt::Display for Applied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "applied {}: {}", self.file, self.applied.join(", "))
    }
}

/// Apply a setup file in one transaction.
pub fn apply(conn: &mut Db, path: &Path) -> Result<Vec<String>> {
    let (_, src) = parse(path)?;
    apply_str(conn, path, &src)
}

/// Apply setup text in one transaction; `path` names it in errors.
pub fn apply_str(conn: &mut Db, path: &Path, src: &str) -> Result<Vec<String>> {
    let file = parse_str(path, src)?;
    let tx = store::begin(conn)?;
    let applied = apply_file(&tx, &file, path, src)?;
    tx.commit()?;
    Ok(applied)
}

/// The shipped setup.toml, embedded so `recoup demo` works from any directory.
pub const SHIPPED_SETUP: &str = include_str!("../../setup.toml");

fn flag(b: bool) -> String {
    b.to_string()
}

fn apply_file(conn: &Db, f: &SetupFile, path: &Path, src: &str) -> Result<Vec<String>> {
    let mut applied = Vec::new();
    if let Some(c) = &f.company {
        settings::set_company_details(
            conn,
            &settings::CompanyDetails {
                name: c.name.clone(),
                address: c.address.clone(),
                address2: c.address2.clone(),
                address3: c.address3.clone(),
                city: c.city.clone(),
                state: c.state.clone(),
                zip: c.zip.clone(),
                phone: c.phone.clone(),
                representative: c.representative.clone(),
                email: c.email.clone(),
                tax_rate: c.tax_rate.map(|d| d.0.normalize().to_string()),
            },
        )?;
        settings::clear_section(conn, "company")?;
        settings::set(
            conn,
            "company",
            "first_file_number",
            &c.first_file_number.unwrap_or(1).to_string(),
        )?;
        settings::set(
            conn,
            "company",
            "dont_calculate_tax",
            &flag(c.dont_calculate_tax),
        )?;
        applied.push("company".to_string());
    }
    if let Some(cb) = &f.credit_bureau {
        settings::clear_section(conn, "credit_bureau")?;
        for (k, v) in cb.pairs() {
            settings::set(conn, "credit_bureau", k, &v)?;
        }
        applied.push("credit_bureau".to_string());
    }
    if let Some(ls) = &f.letter_service {
        settings::clear_section(conn, "letter_service")?;
        for (k, v) in ls.pairs() {
            settings::set(conn, "letter_service", k, &v)?;
        }
        applied.push("letter_service".to_string());
    }
    if let Some(s) = &f.scheduling {
        settings::clear_section(conn, "scheduling")?;
        settings::set(
            conn,
            "scheduling",
            "schedule_on_weekends",
            &flag(s.schedule_on_weekends),
        )?;
        applied.push("scheduling".to_string());
    }
    if let Some(list) = &f.holiday {
        let rows: Vec<types::Holiday> = list
            .iter()
            .map(|h| types::Holiday {
                date: *h.date.get_ref(),
                description: h.description.clone(),
            })
            .collect();
        types::replace_holidays(conn, &rows)?;
        applied.push(format!("holiday ({})", list.len()));
    }
    if let Some(list) = &f.status {
        let rows: Vec<types::StatusCode> = list
            .iter()
            .map(|s| types::StatusCode {
                code: s.code.clone(),
                description: s.description.clone(),
                priority: s.priority,
                plan: s.plan.clone().filter(|p| !p.is_empty()),
                listing_reversal: s.listing_reversal,
            })
            .collect();
        types::replace_status_codes(conn, &rows)?;
        applied.push(format!("status ({})", list.len()));
    }
    if let Some(lists) = &f.pick_list {
        let mut rows = Vec::with_capacity(lists.len());
        for pl in lists {
            let field = catalog::by_code(pl.field.get_ref()).ok_or_else(|| {
                config_error_at(
                    path,
                    src,
                    pl.field.span().start,
                    format!(
                        "unknown field code '{}'{}",
                        pl.field.get_ref(),
                        catalog::did_you_mean(pl.field.get_ref())
                    ),
                )
            })?;
            rows.push(types::PickList {
                field: field.code(),
                entries: pl
                    .entries
                    .iter()
                    .map(|e| (e.key.clone(), e.text.clone().unwrap_or_default()))
                    .collect(),
            });
        }
        types::replace_pick_lists(conn, &rows)?;
        applied.push(format!("pick_list ({})", lists.len()));
    }
    if let Some(list) = &f.contact_control {
        let rows: Vec<types::ContactControl> = list
            .iter()
            .map(|c| types::ContactControl {
                kind: c.r#type.get_ref().clone(),
                description: c.description.clone(),
                state: c.state.clone(),
                country: c.country.clone(),
                max_times: c.max_times,
                period_days: c.period_days,
            })
            .collect();
        types::replace_contact_controls(conn, &rows)?;
        applied.push(format!("contact_control ({})", list.len()));
    }
    if let Some(list) = &f.rate_plan {
        let rows: Vec<types::RatePlanRow> = list
            .iter()
            .map(|p| types::RatePlanRow {
                code: p.code.clone(),
                kind: p.kind.get_ref().clone(),
                description: p.description.clone(),
                brackets: p
                    .brackets
                    .iter()
                    .map(|b| types::RatePlanBracket {
                        upto: b.upto.0.normalize().to_string(),
                        rate: b.rate.0.normalize().to_string(),
                        min_cents: b.min.map(|d| to_cents(d.0)),
                        max_cents: b.max.map(|d| to_cents(d.0)),
                    })
                    .collect(),
            })
            .collect();
        types::replace_rate_plans(conn, &rows)?;
        applied.push(format!("rate_plan ({})", list.len()));
    }
    if let Some(list) = &f.transaction_type {
        for t in list {
            t.apply(conn)?;
        }
        applied.push(format!("transaction_type ({})", list.len()));
    }
    if let Some(d) = &f.client_defaults {
        settings::clear_section(conn, "client_defaults")?;
        for (k, v) in d {
            settings::set(conn, "client_defaults", k, &v.get_ref().to_string())?;
        }
        applied.push("client_defaults".to_string());
    }
    if let Some(list) = &f.client {
        for c in list {
            apply_client(conn, c, path, src)?;
        }
        // Owners are checked once every client of the file is written: an owner may
        // come later in the file than the clients it owns.
        for c in list {
            check_client_owner(conn, c, path, src)?;
        }
        applied.push(format!("client ({})", list.len()));
    }
    if let Some(p) = &f.promises {
        p.apply(conn)?;
        applied.push("promises".to_string());
    }
    if let Some(i) = &f.interest {
        i.apply(conn)?;
        applied.push("interest".to_string());
    }
    if let Some(t) = &f.time_barred {
        crate::sol::apply_settings(conn, t)?;
        applied.push("time_barred".to_string());
    }
    if let Some(rules) = &f.statute {
        crate::sol::apply_rules(conn, rules)?;
        // New rules move every debtor's time-barred date.
        crate::sol::refresh_all(conn)?;
        applied.push(format!("statute ({})", rules.len()));
    }
    Ok(applied)
}

/// The `[[client]]` keys and the catalogue field each sets.
pub const CLIENT_KEYS: &[(&str, &str)] = &[
    ("number", "cl.nu"),
    ("name", "cl.na"),
    ("dba", "cl.dba"),
    ("contact", "cl.co"),
    ("address", "cl.ad"),
    ("address1", "cl.a1"),
    ("city", "cl.ci"),
    ("state", "cl.st"),
    ("zip", "cl.zi"),
    ("country", "cl.cy"),
    ("phone", "cl.ph"),
    ("email", "cl.em"),
    ("user1", "cl.u1"),
    ("user2", "cl.u2"),
    ("user3", "cl.u3"),
    ("user4", "cl.u4"),
    ("type", "cl.ty"),
    ("owned_by", "cl.ob"),
    ("billing_period", "cl.bp"),
    ("remit", "cl.rm"),
    ("bill_negative_to_us", "cl.bn"),
    ("rate", "cl.rt"),
    ("rate2", "cl.r2"),
    ("rate3", "cl.r3"),
    ("rate4", "cl.r4"),
    ("tax_rate", "cl.tx"),
    ("tax_exempt", "cl.te"),
    ("report_to_bureaus", "cl.rb"),
    ("send_client_detail", "cl.sd"),
    ("original_creditor_in_user", "cl.ou"),
    ("sort_order", "cl.so"),
    ("new_account_plan", "cl.np"),
    ("rate_plan", "cl.rpl"),
    ("min_balance", "cl.mb"),
    ("delay_days", "cl.dd"),
    ("operator", "cl.op"),
    ("sales", "cl.sa"),
];

/// A TOML value as a catalogue value of the field's type, or a message.
pub fn toml_to_value(ty: FieldType, v: &toml::Value) -> std::result::Result<Value, String> {
    use toml::Value as T;
    Ok(match (ty, v) {
        (FieldType::Flag, T::Boolean(b)) => Value::Flag(*b),
        (FieldType::Flag, _) => return Err("expected true or false".into()),
        (FieldType::Currency | FieldType::Percent, T::String(s)) => {
            let d = crate::money::parse_amount(s)
                .ok_or_else(|| format!("'{s}' is not a decimal number"))?;
            if ty == FieldType::Currency {
                Value::Money(d)
            } else {
                Value::Percent(d)
            }
        }
        (FieldType::Currency | FieldType::Percent, T::Integer(i)) => {
            let d = rust_decimal::Decimal::from(*i);
            if ty == FieldType::Currency {
                Value::Money(d)
            } else {
                Value::Percent(d)
            }
        }
        (FieldType::Currency | FieldType::Percent, T::Float(x)) => {
            let d: rust_decimal::Decimal = x
                .to_string()
                .parse()
                .map_err(|_| format!("{x} is not a decimal number"))?;
            if ty == FieldType::Currency {
                Value::Money(d)
            } else {
                Value::Percent(d)
            }
        }
        (FieldType::Date, T::String(s)) => Value::Date(
            crate::dates::parse_iso(s)
                .ok_or_else(|| format!("'{s}' is not a date (YYYY-MM-DD)"))?,
        ),
        (FieldType::TextN, T::Integer(i)) => Value::Text(i.to_string()),
        (FieldType::TextN, T::String(s)) if s.chars().all(|c| c.is_ascii_digit()) => {
            Value::Text(s.clone())
        }
        (FieldType::TextN, _) => return Err("expected a whole number".into()),
        (FieldType::TextAn, T::String(s)) => Value::Text(s.clone()),
        (FieldType::TextAn, T::Integer(i)) => Value::Text(i.to_string()),
        (_, other) => {
            return Err(format!(
                "expected a {} value, found {}",
                ty.label(),
                other.type_str()
            ))
        }
    })
}

/// A `[[client]]` entry as its number and catalogue values, checked.
pub(crate) fn client_values(
    c: &file::ClientEntry,
    path: &Path,
    src: &str,
) -> Result<(i64, Vec<(&'static catalog::FieldDef, Value)>)> {
    let mut number = None;
    let mut values = Vec::new();
    for (key, value) in c {
        let Some((_, code)) = CLIENT_KEYS
            .iter()
            .find(|(k, _)| *k == key.get_ref().as_str())
        else {
            let known: Vec<&str> = CLIENT_KEYS.iter().map(|(k, _)| *k).collect();
            return Err(config_error_at(
                path,
                src,
                key.span().start,
                format!(
                    "unknown key '{}' in [[client]] (known: {})",
                    key.get_ref(),
                    known.join(", ")
                ),
            ));
        };
        let field = catalog::by_code(code)
            .ok_or_else(|| Error::runtime(format!("catalogue lacks {code}")))?;
        let v = toml_to_value(field.ty, value.get_ref()).map_err(|m| {
            config_error_at(
                path,
                src,
                value.span().start,
                format!("{}: {m}", key.get_ref()),
            )
        })?;
        if let Value::Text(t) = &v {
            if t.chars().count() > field.width as usize {
                return Err(config_error_at(
                    path,
                    src,
                    value.span().start,
                    format!(
                        "{} is longer than {} characters",
                        key.get_ref(),
                        field.width
                    ),
                ));
            }
        }
        check_client_value(key.get_ref(), &v)
            .map_err(|m| config_error_at(path, src, value.span().start, m))?;
        if field.field == "nu" {
            number = v.plain().parse::<i64>().ok();
        } else {
            values.push((field, v));
        }
    }
    let Some(number) = number else {
        let at = c.keys().next().map_or(0, |k| k.span().start);
        return Err(config_error_at(path, src, at, "[[client]] needs a number"));
    };
    Ok((number, values))
}

fn apply_client(conn: &Db, c: &file::ClientEntry, path: &Path, src: &str) -> Result<()> {
    let (number, values) = client_values(c, path, src)?;
    if store::client_exists(conn, number)? {
        let refs: Vec<_> = values.iter().map(|(f, v)| (*f, v.clone())).collect();
        store::update_fields(conn, Form::Client, number, &refs)
    } else {
        store::create_client(conn, number, &values)
    }
}

/// A `[[client]]` entry's `owned_by`, checked against the clients on file (exit 2 at
/// the value: unknown, itself, or a loop).
fn check_client_owner(conn: &Db, c: &file::ClientEntry, path: &Path, src: &str) -> Result<()> {
    let Some((_, owned_by)) = c.iter().find(|(k, _)| k.get_ref() == "owned_by") else {
        return Ok(());
    };
    let (number, _) = client_values(c, path, src)?;
    let owner = match owned_by.get_ref() {
        toml::Value::Integer(i) => Some(*i),
        toml::Value::String(s) => owners::parse_owner(s),
        _ => None,
    };
    let Some(owner) = owner else { return Ok(()) };
    match owners::check_owner(conn, number, owner)? {
        Ok(()) => Ok(()),
        Err(problem) => Err(config_error_at(
            path,
            src,
            owned_by.span().start,
            format!("owned_by: {}", problem.describe(number, owner)),
        )),
    }
}

fn check_client_value(key: &str, v: &Value) -> std::result::Result<(), String> {
    // Amounts within the ceiling, rates within 0-100 % (money::limits).
    crate::money::limits::check_bounds(v).map_err(|m| format!("{key}: {m}"))?;
    let s = v.plain();
    let ok = match key {
        "remit" => matches!(s.as_str(), "N" | "G" | "C"),
        "sort_order" => matches!(s.as_str(), "N" | "A"),
        "original_creditor_in_user" => matches!(s.as_str(), "0" | "1" | "2"),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{key}: '{s}' is not allowed here"))
    }
}

/// Kinds of rate plans accepted in `[[rate_plan]] kind`.
pub fn rate_plan_kind_ok(kind: &str) -> bool {
    PlanKind::parse(kind).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorKind, Place};

    #[test]
    fn an_unknown_client_key_is_an_error_at_its_line_and_column() {
        let mut store = crate::store::Store::open_in_memory().unwrap();
        let src = "[[client]]\nnumber = 7\n  colour = \"red\"\n";
        let e = apply_str(store.conn_mut(), Path::new("setup.toml"), src).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Config);
        assert_eq!(e.exit_code(), 2);
        assert_eq!(e.place, Some(Place::at("setup.toml", 3, 3)));
        assert!(
            e.message.starts_with("unknown key 'colour' in [[client]]"),
            "{e}"
        );
        assert!(
            e.to_string()
                .starts_with("setup.toml:3:3: unknown key 'colour'"),
            "{e}"
        );
    }

    #[test]
    fn a_bad_status_code_names_the_file_and_keeps_the_code() {
        let src = "[[status]]\ncode = \"TOOLONG\"\ndescription = \"x\"\n";
        let e = parse_str(Path::new("setup.toml"), src).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Config);
        assert_eq!(e.place, Some(Place::file("setup.toml")));
        assert_eq!(e.input.as_deref(), Some("TOOLONG"));
        assert_eq!(
            e.to_string(),
            "setup.toml: status code 'TOOLONG' must have 1 to 4 characters (S2:987)"
        );
    }
}
