//! Owned-by (`cl.ob`): a sub-client rolls up to the client that owns it on statements
//! (Collect! help, Client Settings — Owned By, S2:376-382), through any number of
//! levels. An owner must be another client on file, and following owners must never
//! come back to where it started: `statements generate` could not say whose statement
//! a client in a loop belongs on. Checked wherever a client is written — `setup apply`,
//! imports, client transfer — so a loop never reaches the database (docs/limits.md).

use std::collections::BTreeSet;

use crate::store::{clients, Db};

use crate::Result;

/// Why an owner cannot be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnerProblem {
    /// The client names itself.
    ItSelf,
    /// No client has that number (yet).
    Unknown,
    /// Following owners from the new owner comes back to the client: the chain, from
    /// the client back to it.
    Loop(Vec<i64>),
}

impl OwnerProblem {
    pub fn describe(&self, client: i64, owner: i64) -> String {
        match self {
            OwnerProblem::ItSelf => format!("client {client} cannot be owned by itself"),
            OwnerProblem::Unknown => {
                format!("client {client} is owned by client {owner}, which is not a client")
            }
            OwnerProblem::Loop(chain) => {
                let chain: Vec<String> = chain.iter().map(|c| c.to_string()).collect();
                format!(
                    "client {client} owned by client {owner} makes a loop: {}",
                    chain.join(" → ")
                )
            }
        }
    }
}

/// An owned-by value as a client number: blank is no owner.
pub fn parse_owner(text: &str) -> Option<i64> {
    text.trim().parse().ok()
}

/// The stored owner of a client, if any.
fn stored_owner(conn: &Db, client: i64) -> Result<Option<Option<i64>>> {
    Ok(clients::client_owned_by(conn, client)?.map(|ob| ob.as_deref().and_then(parse_owner)))
}

/// Check that `client` may be owned by `owner`, against the clients on file. A client
/// that does not exist yet may be the one being checked (a new client).
pub fn check_owner(
    conn: &Db,
    client: i64,
    owner: i64,
) -> Result<std::result::Result<(), OwnerProblem>> {
    if owner == client {
        return Ok(Err(OwnerProblem::ItSelf));
    }
    let mut chain = vec![client, owner];
    let mut seen = BTreeSet::from([client, owner]);
    let mut current = owner;
    loop {
        let next = match stored_owner(conn, current)? {
            None if current == owner => return Ok(Err(OwnerProblem::Unknown)),
            // An owner further up that is not on file ends the chain (it was written
            // before these checks; statements take the last known client as the top).
            None | Some(None) => return Ok(Ok(())),
            Some(Some(next)) => next,
        };
        if next == client {
            chain.push(client);
            return Ok(Err(OwnerProblem::Loop(chain)));
        }
        if !seen.insert(next) {
            // A loop further up that does not pass through `client`: not this
            // write's doing, and `statements generate` reports it.
            return Ok(Ok(()));
        }
        chain.push(next);
        current = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(clients: &[(i64, Option<i64>)]) -> crate::store::Store {
        let store = crate::store::Store::open_in_memory().unwrap();
        let ob = crate::catalog::by_code("cl.ob").unwrap();
        for (nu, owner) in clients {
            let values = match owner {
                Some(o) => vec![(ob, crate::catalog::Value::Text(o.to_string()))],
                None => Vec::new(),
            };
            crate::store::create_client(store.conn(), *nu, &values).unwrap();
        }
        store
    }

    #[test]
    fn owners_must_exist_and_never_loop() {
        let store = db(&[
            (1, None),
            (2, Some(1)),
            (3, Some(2)),
            (7, Some(8)),
            (8, Some(7)),
        ]);
        let c = store.conn();
        assert_eq!(check_owner(c, 4, 3).unwrap(), Ok(()));
        assert_eq!(check_owner(c, 4, 4).unwrap(), Err(OwnerProblem::ItSelf));
        assert_eq!(check_owner(c, 4, 9).unwrap(), Err(OwnerProblem::Unknown));
        // 1 owned by 3: 1 → 3 → 2 → 1
        assert_eq!(
            check_owner(c, 1, 3).unwrap(),
            Err(OwnerProblem::Loop(vec![1, 3, 2, 1]))
        );
        assert_eq!(
            check_owner(c, 1, 2).unwrap(),
            Err(OwnerProblem::Loop(vec![1, 2, 1]))
        );
        // an old loop further up ends the walk without hanging
        assert_eq!(check_owner(c, 5, 7).unwrap(), Ok(()));
        assert_eq!(
            OwnerProblem::Loop(vec![1, 2, 1]).describe(1, 2),
            "client 1 owned by client 2 makes a loop: 1 → 2 → 1"
        );
    }
}
