//! `recoup setup show`: the settings in force, written back as setup.toml text
//! (so the output can be applied again), or as JSON.

use serde_json::{json, Map, Value as Json};

use crate::catalog::{self, Form};
use crate::store::{self, clients, settings, types, Db};
use crate::Result;

fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// All settings as one JSON object.
pub fn to_json(conn: &Db) -> Result<Json> {
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
    let holidays: Vec<Json> = types::holidays(conn)?
        .into_iter()
        .map(|h| json!([crate::dates::iso_date(h.date), h.description]))
        .collect();
    out.insert("holidays".into(), json!(holidays));
    let statuses: Vec<Json> = types::status_codes(conn)?
        .into_iter()
        .map(|s| json!([s.code, s.description, s.priority, s.plan]))
        .collect();
    out.insert("statuses".into(), json!(statuses));
    let pick_lists: Vec<Json> = types::pick_lists(conn)?
        .into_iter()
        .flat_map(|pl| {
            let field = pl.field;
            pl.entries
                .into_iter()
                .map(move |(key, text)| json!([field, key, text]))
        })
        .collect();
    out.insert("pick_lists".into(), json!(pick_lists));
    let controls: Vec<Json> = types::contact_controls(conn)?
        .into_iter()
        .map(|c| json!([c.kind, c.state, c.max_times, c.period_days]))
        .collect();
    out.insert("contact_controls".into(), json!(controls));
    // One row per bracket: a plan without brackets is not listed.
    let rate_plans: Vec<Json> = types::rate_plans_with_brackets(conn)?
        .into_iter()
        .flat_map(|p| {
            let (code, kind) = (p.code, p.kind);
            p.brackets
                .into_iter()
                .map(move |b| json!([code, kind, b.upto, b.rate, b.min_cents, b.max_cents]))
        })
        .collect();
    out.insert("rate_plans".into(), json!(rate_plans));
    let client_rows: Vec<Json> = clients::client_summaries(conn)?
        .into_iter()
        .map(|c| json!([c.number, c.name, c.remit, c.rate, c.tax_rate]))
        .collect();
    out.insert("clients".into(), json!(client_rows));
    out.insert("statute".into(), crate::sol::setup_json(conn)?);
    out.insert("promises".into(), crate::arrangements::setup_json(conn)?);
    out.insert("interest".into(), crate::setup::interest::to_json(conn)?);
    let trans_types: Vec<Json> = types::trans_type_summaries(conn)?
        .into_iter()
        .map(|t| {
            json!([
                t.code,
                t.description,
                t.fin_type,
                t.omit_statement,
                t.omit_cash,
                t.no_commission,
                t.no_tax,
                t.commission_rate
            ])
        })
        .collect();
    out.insert("transaction_types".into(), json!(trans_types));
    Ok(Json::Object(out))
}

/// The settings as setup.toml text.
pub fn render(conn: &Db) -> Result<String> {
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
    for h in types::holidays(conn)? {
        s.push_str(&format!(
            "\n[[holiday]]\ndate = {}\ndescription = {}\n",
            q(&crate::dates::iso_date(h.date)),
            q(&h.description)
        ));
    }
    for st in types::status_codes(conn)? {
        s.push_str(&format!(
            "\n[[status]]\ncode = {}\ndescription = {}\npriority = {}\nplan = {}\n",
            q(&st.code),
            q(&st.description),
            st.priority,
            q(st.plan.as_deref().unwrap_or_default())
        ));
    }
    for pl in types::pick_lists(conn)? {
        let entries: Vec<String> = pl
            .entries
            .iter()
            .map(|(key, text)| format!("{{ key = {}, text = {} }}", q(key), q(text)))
            .collect();
        s.push_str(&format!(
            "\n[[pick_list]]\nfield = {}\nentries = [{}]\n",
            q(&pl.field),
            entries.join(", ")
        ));
    }
    for c in types::contact_controls(conn)? {
        s.push_str(&format!(
            "\n[[contact_control]]\ntype = {}\ndescription = {}\nstate = {}\ncountry = {}\nmax_times = {}\nperiod_days = {}\n",
            q(&c.kind),
            q(&c.description),
            q(&c.state),
            q(&c.country),
            c.max_times,
            c.period_days
        ));
    }
    for p in types::rate_plans_with_brackets(conn)? {
        let brackets: Vec<String> = p
            .brackets
            .iter()
            .map(|b| {
                let mut e = format!("{{ upto = {}, rate = {}", q(&b.upto), q(&b.rate));
                if let Some(m) = b.min_cents {
                    e.push_str(&format!(
                        ", min = {}",
                        q(&crate::money::from_cents(m).to_string())
                    ));
                }
                if let Some(m) = b.max_cents {
                    e.push_str(&format!(
                        ", max = {}",
                        q(&crate::money::from_cents(m).to_string())
                    ));
                }
                e.push_str(" }");
                e
            })
            .collect();
        s.push_str(&format!(
            "\n[[rate_plan]]\ncode = {}\nkind = {}\ndescription = {}\nbrackets = [\n  {},\n]\n",
            q(&p.code),
            q(&p.kind),
            q(&p.description),
            brackets.join(",\n  ")
        ));
    }
    s.push_str(&crate::arrangements::render_setup(conn)?);
    s.push_str(&crate::setup::interest::render(conn)?);
    s.push_str(&crate::sol::render_setup(conn)?);
    for nu in clients::client_numbers(conn)? {
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
