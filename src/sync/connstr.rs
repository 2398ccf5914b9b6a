//! ODBC connection strings as key/value pairs: `KEY=value;KEY={braced; value};`.
//! The `[odbcsync]` file's `UID=` and `PWD=` are added to the pairs and the string
//! rebuilt, so a `ConnectionString=` written without its trailing `;` can no longer
//! glue `UID=` onto the database name (`Database=/x/t.db` + `UID=u` once became the
//! file `t.dbUID=u`, and the sync wrote to a new, empty database).

/// One `KEY=value` pair; the value as written, braces included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub key: String,
    pub value: String,
}

/// Split a connection string into its pairs. A value in braces may hold `;` and `=`,
/// and `}}` stands for `}` inside it (ODBC `SQLDriverConnect` syntax).
pub fn parse(text: &str) -> Result<Vec<Attribute>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches([';', ' ', '\t']);
        if rest.is_empty() {
            return Ok(out);
        }
        let eq = rest.find('=').ok_or_else(|| {
            format!(
                "'{}' is not KEY=value",
                rest.split(';').next().unwrap_or(rest)
            )
        })?;
        let key = rest[..eq].trim();
        if key.is_empty() || key.contains(';') {
            return Err(format!("'{}' has no key before '='", &rest[..=eq]));
        }
        let after = rest[eq + 1..].trim_start();
        let (value, tail) = if after.starts_with('{') {
            let end = closing_brace(after)
                .ok_or_else(|| format!("the value of {key} opens '{{' and never closes it"))?;
            let tail = after[end + 1..].trim_start();
            if !(tail.is_empty() || tail.starts_with(';')) {
                return Err(format!("unexpected text after the braced value of {key}"));
            }
            (&after[..=end], tail)
        } else {
            let end = after.find(';').unwrap_or(after.len());
            (after[..end].trim_end(), &after[end..])
        };
        out.push(Attribute {
            key: key.to_string(),
            value: value.to_string(),
        });
        rest = tail;
    }
}

/// Index of the `}` closing a value that starts with `{` (a doubled `}}` is text).
fn closing_brace(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        if bytes[i] == b'}' {
            if bytes.get(i + 1) == Some(&b'}') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

/// A value as it must be written: braced when it holds what would end or split it.
pub fn quote(value: &str) -> String {
    let plain = !value.contains([';', '{', '}', '=']) && value.trim() == value;
    if plain {
        value.to_string()
    } else {
        format!("{{{}}}", value.replace('}', "}}"))
    }
}

/// Set `key` (case-insensitively, as ODBC keys are) to an already-quoted value,
/// replacing it where it stands or adding it at the end.
pub fn set(attrs: &mut Vec<Attribute>, key: &str, value: String) {
    match attrs.iter_mut().find(|a| a.key.eq_ignore_ascii_case(key)) {
        Some(a) => a.value = value,
        None => attrs.push(Attribute {
            key: key.to_string(),
            value,
        }),
    }
}

/// The connection string again: every pair followed by `;`.
pub fn build(attrs: &[Attribute]) -> String {
    attrs
        .iter()
        .map(|a| format!("{}={};", a.key, a.value))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_user(cs: &str) -> String {
        let mut a = parse(cs).unwrap();
        set(&mut a, "UID", quote("sync"));
        set(&mut a, "PWD", quote("Top;Secret}"));
        build(&a)
    }

    #[test]
    fn uid_and_pwd_join_with_or_without_the_trailing_semicolon() {
        let want = "Driver={SQLite3};Database=/x/target.db;UID=sync;PWD={Top;Secret}}};";
        assert_eq!(with_user("Driver={SQLite3};Database=/x/target.db"), want);
        assert_eq!(with_user("Driver={SQLite3};Database=/x/target.db;"), want);
        assert_eq!(
            with_user(" Driver={SQLite3} ; Database=/x/target.db ;; "),
            want
        );
        assert_eq!(
            with_user("DSN=dialer"),
            "DSN=dialer;UID=sync;PWD={Top;Secret}}};"
        );
    }

    #[test]
    fn braced_values_keep_their_semicolons_and_braces() {
        let a = parse("Driver={SQLite3 ODBC Driver};Database={/d/a;b=c.db};Opt={x}}y}").unwrap();
        assert_eq!(
            a.iter().map(|a| a.value.as_str()).collect::<Vec<_>>(),
            ["{SQLite3 ODBC Driver}", "{/d/a;b=c.db}", "{x}}y}"]
        );
        assert_eq!(
            build(&a),
            "Driver={SQLite3 ODBC Driver};Database={/d/a;b=c.db};Opt={x}}y};"
        );
        // a UID already in the string is replaced where it stands
        let mut a = parse("DSN=d;uid=old;Timeout=5").unwrap();
        set(&mut a, "UID", quote("new"));
        assert_eq!(build(&a), "DSN=d;uid=new;Timeout=5;");
    }

    #[test]
    fn broken_strings_are_refused() {
        assert!(parse("Driver={SQLite3;Database=x")
            .unwrap_err()
            .contains("never closes"));
        assert!(parse("Database").unwrap_err().contains("not KEY=value"));
        assert!(parse("=x").is_err());
        assert!(parse("Driver={a}b;").is_err());
        assert_eq!(parse("").unwrap(), vec![]);
    }
}
