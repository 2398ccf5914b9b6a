//! The `[interest]` section of `setup.toml`: the order in which a payment pays the
//! balances interest depends on (docs/money.md "Interest and judgments"). Kept in
//! the `setting` table, section `interest`.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::money::interest::{Bucket, PaymentOrder, DEFAULT_PAYMENT_ORDER};
use crate::store::{settings, Db};
use crate::tomlutil::config_error_at;
use crate::Result;

const SECTION: &str = "interest";
const ORDER_KEY: &str = "payment_order";

/// `[interest]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterestSettings {
    /// `["interest", "fees", "principal"]` in the order a payment pays them.
    pub payment_order: Option<Spanned<Vec<String>>>,
}

/// The three balances, each named once, or `None`.
fn parse_order(names: &[String]) -> Option<PaymentOrder> {
    let buckets: Vec<Bucket> = names.iter().filter_map(|n| Bucket::parse(n)).collect();
    let [a, b, c] = buckets[..] else { return None };
    let distinct = a != b && b != c && a != c;
    (names.len() == 3 && distinct).then_some([a, b, c])
}

impl InterestSettings {
    /// `setup apply` refuses an order that does not name each balance once (exit 2).
    pub fn check(&self, path: &Path, src: &str) -> Result<()> {
        if let Some(order) = &self.payment_order {
            if parse_order(order.get_ref()).is_none() {
                return Err(config_error_at(
                    path,
                    src,
                    order.span().start,
                    "[interest] payment_order must name \"interest\", \"fees\" and \"principal\" once each",
                ));
            }
        }
        Ok(())
    }

    /// `setup apply`: the section replaces the one in force.
    pub fn apply(&self, conn: &Db) -> Result<()> {
        settings::clear_section(conn, SECTION)?;
        if let Some(order) = self
            .payment_order
            .as_ref()
            .and_then(|o| parse_order(o.get_ref()))
        {
            settings::set(conn, SECTION, ORDER_KEY, &order_text(order))?;
        }
        Ok(())
    }
}

fn order_text(order: PaymentOrder) -> String {
    order.map(Bucket::name).join(",")
}

/// The payment order in force.
pub fn payment_order(conn: &Db) -> Result<PaymentOrder> {
    let stored = settings::get(conn, SECTION, ORDER_KEY)?;
    Ok(stored
        .map(|s| s.split(',').map(str::to_string).collect::<Vec<_>>())
        .and_then(|names| parse_order(&names))
        .unwrap_or(DEFAULT_PAYMENT_ORDER))
}

/// `setup show`: the section as setup.toml text (applies again), empty when unset.
pub fn render(conn: &Db) -> Result<String> {
    if settings::get(conn, SECTION, ORDER_KEY)?.is_none() {
        return Ok(String::new());
    }
    let names: Vec<String> = payment_order(conn)?
        .iter()
        .map(|b| format!("\"{}\"", b.name()))
        .collect();
    Ok(format!(
        "\n[interest]\npayment_order = [{}]\n",
        names.join(", ")
    ))
}

/// `setup show --json`.
pub fn to_json(conn: &Db) -> Result<serde_json::Value> {
    let order: Vec<&str> = payment_order(conn)?.iter().map(|b| b.name()).collect();
    Ok(serde_json::json!({ ORDER_KEY: order }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn an_order_names_each_balance_once() {
        assert_eq!(
            parse_order(&names(&["principal", "Interest", "fees"])),
            Some([Bucket::Principal, Bucket::Interest, Bucket::Fees])
        );
        assert_eq!(parse_order(&names(&["interest", "interest", "fees"])), None);
        assert_eq!(parse_order(&names(&["interest", "fees"])), None);
        assert_eq!(
            parse_order(&names(&["interest", "fees", "principal", "fees"])),
            None
        );
        assert_eq!(parse_order(&names(&["interest", "fees", "tax"])), None);
    }
}
