//! `recoup setup show`: the settings in force, written back as setup.toml text
//! (so the output can be applied again), or as JSON.

use rusqlite::Connection;
use serde_json::{json, Map, Value as Json};

use crate::catalog::{self, Form};
use crate::store::{self, settings};
use crate::Result;

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// All settings as one JSON object.
pub fn to_json(conn: &Connection) -> Result<Json> {
    let mut out = Map::new();
    let company = store::read_record(conn, Form::Company, 1)?.unwrap_or_default();
    let mut c = Map::new();
    for (f, v) in company {
        c.insert(
            f.code(),
            if v.is_null() {
                Json::Null
            } else {
                Json::String(v.plain())
            },
        );
    }
    out.insert("company".into(), Json::Object(c));
    for section in [
        "company",
        "credit_bureau",
        "letter_service",
        "scheduling",
        "client_defaults",
    ] {
        let pairs = settings::section(conn, section)?;
        let key = if section == "company" {
            "company_settings"
        } else {
            section
        };
        out.insert(
            key.into(),
            Json::Object(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k, Json::String(v)))
                    .collect(),
            ),
        );
    }
    let rows = |sql: &str| -> Result<Vec<Vec<Json>>> {
        let mut stmt = conn.prepare(sql)?;
        let n = stmt.column_count();
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut row = Vec::with_capacity(n);
            for i in 0..n {
                row.push(match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => Json::Null,
                    rusqlite::types::ValueRef::Integer(x) => json!(x),
                    rusqlite::types::ValueRef::Text(t) => json!(String::from_utf8_lossy(t)),
                    _ => Json::Null,
                });
            }
            out.push(row);
        }
        Ok(out)
    };
    out.insert(
        "holidays".into(),
        json!(rows("SELECT date, description FROM holiday ORDER BY date")?),
    );
    out.insert(
        "statuses".into(),
        json!(rows(
            "SELECT code, description, priority, plan FROM status_code ORDER BY code"
        )?),
    );
    out.insert(
        "pick_lists".into(),
        json!(rows(
            "SELECT field, key, text FROM pick_list ORDER BY field, ord"
        )?),
    );
    out.insert(
        "contact_controls".into(),
        json!(rows(
            "SELECT type, state, max_times, period_days FROM contact_control ORDER BY id"
        )?),
    );
    out.insert("rate_plans".into(), json!(rows("SELECT p.code, p.kind, b.upto, b.rate, b.min_cents, b.max_cents FROM rate_plan p JOIN rate_plan_bracket b ON b.plan = p.code ORDER BY p.code, b.ord")?));
    out.insert(
        "clients".into(),
        json!(rows("SELECT nu, na, rm, rt, tx FROM client ORDER BY nu")?),
    );
    out.insert("statute".into(), crate::sol::setup_json(conn)?);
    out.insert("promises".into(), crate::arrangements::setup_json(conn)?);
    out.insert("interest".into(), crate::setup::interest::to_json(conn)?);
    out.insert("transaction_types".into(), json!(rows("SELECT code, description, fin_type, omit_statement, omit_cash, no_commission, no_tax, commission_rate FROM trans_type ORDER BY CAST(code AS INTEGER), code")?));
    Ok(Json::Object(out))
}

/// The settings as setup.toml text.
pub fn render(conn: &Connection) -> Result<String> {
    let mut s = String::new();
    s.push_str("[company]\n");
    let company = store::read_record(conn, Form::Company, 1)?.unwrap_or_default();
    let names = [
        ("na", "name"),
        ("ad", "address"),
        ("a1", "address2"),
        ("a2", "address3"),
        ("ci", "city"),
        ("st", "state"),
        ("zi", "zip"),
        ("ph", "phone"),
        ("re", "representative"),
        ("em", "email"),
        ("tr", "tax_rate"),
    ];
    for (f, v) in &company {
        if let Some((_, key)) = names.iter().find(|(c, _)| *c == f.field) {
            if !v.is_null() {
                s.push_str(&format!("{key} = {}\n", q(&v.plain())));
            }
        }
    }
    for (k, v) in settings::section(conn, "company")? {
        s.push_str(&format!(
            "{k} = {}\n",
            if k == "first_file_number" || v == "true" || v == "false" {
                v
            } else {
                q(&v)
            }
        ));
    }
    for section in ["credit_bureau", "letter_service", "scheduling"] {
        let pairs = settings::section(conn, section)?;
        if pairs.is_empty() {
            continue;
        }
        s.push_str(&format!("\n[{section}]\n"));
        for (k, v) in pairs {
            let raw =
                v == "true" || v == "false" || (k == "delay_days" && v.parse::<i64>().is_ok());
            s.push_str(&format!("{k} = {}\n", if raw { v } else { q(&v) }));
        }
    }
    let mut stmt = conn.prepare("SELECT date, description FROM holiday ORDER BY date")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        s.push_str(&format!(
            "\n[[holiday]]\ndate = {}\ndescription = {}\n",
            q(&r.get::<_, String>(0)?),
            q(&r.get::<_, String>(1)?)
        ));
    }
    let mut stmt = conn.prepare(
        "SELECT code, description, priority, COALESCE(plan, '') FROM status_code ORDER BY code",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        s.push_str(&format!(
            "\n[[status]]\ncode = {}\ndescription = {}\npriority = {}\nplan = {}\n",
            q(&r.get::<_, String>(0)?),
            q(&r.get::<_, String>(1)?),
            r.get::<_, i64>(2)?,
            q(&r.get::<_, String>(3)?)
        ));
    }
    let mut stmt = conn.prepare("SELECT DISTINCT field FROM pick_list ORDER BY field")?;
    let fields: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<std::result::Result<_, _>>()?;
    for field in fields {
        let mut e =
            conn.prepare_cached("SELECT key, text FROM pick_list WHERE field = ?1 ORDER BY ord")?;
        let entries: Vec<String> = e
            .query_map([&field], |r| {
                Ok(format!(
                    "{{ key = {}, text = {} }}",
                    q(&r.get::<_, String>(0)?),
                    q(&r.get::<_, String>(1)?)
                ))
            })?
            .collect::<std::result::Result<_, _>>()?;
        s.push_str(&format!(
            "\n[[pick_list]]\nfield = {}\nentries = [{}]\n",
            q(&field),
            entries.join(", ")
        ));
    }
    let mut stmt = conn.prepare("SELECT type, description, state, country, max_times, period_days FROM contact_control ORDER BY id")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        s.push_str(&format!(
            "\n[[contact_control]]\ntype = {}\ndescription = {}\nstate = {}\ncountry = {}\nmax_times = {}\nperiod_days = {}\n",
            q(&r.get::<_, String>(0)?),
            q(&r.get::<_, String>(1)?),
            q(&r.get::<_, String>(2)?),
            q(&r.get::<_, String>(3)?),
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?
        ));
    }
    let mut stmt = conn.prepare("SELECT code, kind, description FROM rate_plan ORDER BY code")?;
    let plans: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<std::result::Result<_, _>>()?;
    for (code, kind, desc) in plans {
        let mut b = conn.prepare_cached("SELECT upto, rate, min_cents, max_cents FROM rate_plan_bracket WHERE plan = ?1 ORDER BY ord")?;
        let brackets: Vec<String> = b
            .query_map([&code], |r| {
                let mut e = format!(
                    "{{ upto = {}, rate = {}",
                    q(&r.get::<_, String>(0)?),
                    q(&r.get::<_, String>(1)?)
                );
                if let Some(m) = r.get::<_, Option<i64>>(2)? {
                    e.push_str(&format!(
                        ", min = {}",
                        q(&crate::money::from_cents(m).to_string())
                    ));
                }
                if let Some(m) = r.get::<_, Option<i64>>(3)? {
                    e.push_str(&format!(
                        ", max = {}",
                        q(&crate::money::from_cents(m).to_string())
                    ));
                }
                e.push_str(" }");
                Ok(e)
            })?
            .collect::<std::result::Result<_, _>>()?;
        s.push_str(&format!(
            "\n[[rate_plan]]\ncode = {}\nkind = {}\ndescription = {}\nbrackets = [\n  {},\n]\n",
            q(&code),
            q(&kind),
            q(&desc),
            brackets.join(",\n  ")
        ));
    }
    s.push_str(&crate::arrangements::render_setup(conn)?);
    s.push_str(&crate::setup::interest::render(conn)?);
    s.push_str(&crate::sol::render_setup(conn)?);
    let mut stmt = conn.prepare("SELECT nu FROM client ORDER BY nu")?;
    let clients: Vec<i64> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<std::result::Result<_, _>>()?;
    for nu in clients {
        s.push_str("\n[[client]]\n");
        let rec = store::read_record(conn, Form::Client, nu)?.unwrap_or_default();
        for (key, code) in super::CLIENT_KEYS {
            let Some(field) = catalog::by_code(code) else {
                continue;
            };
            let Some((_, v)) = rec.iter().find(|(f, _)| f.field == field.field) else {
                continue;
            };
            if v.is_null() {
                continue;
            }
            let text = match v {
                catalog::Value::Flag(b) => b.to_string(),
                _ if field.field == "nu" => v.plain(),
                _ => q(&v.plain()),
            };
            s.push_str(&format!("{key} = {text}\n"));
        }
    }
    Ok(s)
}
