//! A contact plan is named by a code that is also its file name (`plans/CODE.toml`,
//! docs/plans-and-letters.md). A code from data or a map is a name, never a path: `../x` or `/etc/x`
//! would read a file outside `plans/`.

use crate::catalog::{FieldDef, Form};

/// Does the field hold a contact plan code: the debtor's Run Plan (`de.rp`) or the
/// client's Contact Plan For New Accounts (`cl.np`)?
pub fn is_plan_code_field(f: &FieldDef) -> bool {
    matches!(
        (f.form, f.field),
        (Form::Debtor, "rp") | (Form::Client, "np")
    )
}

/// Why `code` cannot name a plan, or `None` when it can: letters, digits, `-`, `_`
/// and `.`, not starting with `.` (so never `..`, a separator or an absolute path).
pub fn code_problem(code: &str) -> Option<String> {
    let c = code.trim();
    let ok = !c.is_empty()
        && !c.starts_with('.')
        && c.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'));
    (!ok).then(|| {
        format!("'{c}' is not a plan code (letters, digits, '-', '_' and '.' only; not a path)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_names_not_paths() {
        for good in ["NEW", "L1", "pif", "skip-2", "a_b", "v1.2"] {
            assert_eq!(code_problem(good), None, "{good}");
        }
        for bad in [
            "../x",
            "/etc/passwd",
            "a/b",
            "a\\b",
            "..",
            ".hidden",
            "",
            "C:x",
            "a\0",
        ] {
            assert!(code_problem(bad).is_some(), "{bad:?}");
        }
    }
}
