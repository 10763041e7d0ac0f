//! What SQLite's `ALTER TABLE` can do in place (its documented limits),
//! so everything else becomes a rebuild.

use sluice_schema::render::order::identifiers;
use sluice_schema::{Column, GeneratedKind, ServerInfo, Table};

/// `ALTER TABLE ... DROP COLUMN` came with SQLite 3.35.0.
const DROP_COLUMN_SINCE: (u32, u32) = (3, 35);

/// Whether `ALTER TABLE ADD COLUMN` adds `column` as `target` has it:
/// no key, no stored generated value, a constant default (a NOT NULL
/// column needs one), and the new columns come after every kept one (SQLite
/// appends; a column in the middle needs a rebuild to stay in place).
pub(super) fn can_add_column(column: &Column, source: &Table, target: &Table) -> bool {
    let in_key = target
        .primary_key
        .iter()
        .flat_map(|pk| &pk.columns)
        .chain(target.uniques.iter().flat_map(|u| &u.columns))
        .chain(target.foreign_keys.iter().flat_map(|fk| &fk.columns))
        .any(|c| c.eq_ignore_ascii_case(&column.name));
    !in_key && addable(column) && appends_only(source, target)
}

/// What `ADD COLUMN` asks of the column itself: no stored generated
/// value, a constant default, and a default when it is NOT NULL.
pub(super) fn addable(column: &Column) -> bool {
    let stored = column
        .generated
        .as_ref()
        .is_some_and(|g| g.kind == GeneratedKind::Stored);
    let default_ok = match &column.default {
        Some(d) => is_constant(d) && (column.nullable || !is_null(d)),
        None => column.nullable || column.generated.is_some(),
    };
    !stored && default_ok
}

/// Whether `ALTER TABLE DROP COLUMN` drops `name` from `source`: the
/// server has it, and no key, check or generated column of the table uses
/// the column.
pub(super) fn can_drop_column(name: &str, source: &Table, server: Option<&ServerInfo>) -> bool {
    if server.is_some_and(|s| version(&s.version) < DROP_COLUMN_SINCE) {
        return false;
    }
    let named = |cols: &[String]| cols.iter().any(|c| c.eq_ignore_ascii_case(name));
    let mentioned = |text: &str| {
        identifiers(text)
            .iter()
            .any(|i| i.eq_ignore_ascii_case(name))
    };
    let in_key = source
        .primary_key
        .as_ref()
        .is_some_and(|pk| named(&pk.columns))
        || source.uniques.iter().any(|u| named(&u.columns))
        || source.foreign_keys.iter().any(|fk| named(&fk.columns));
    let in_expression = source.checks.iter().any(|c| mentioned(&c.expression))
        || source.columns.iter().any(|c| {
            c.name != name
                && c.generated
                    .as_ref()
                    .is_some_and(|g| mentioned(&g.expression))
        });
    !in_key && !in_expression
}

/// Every column `target` keeps from `source` comes before every new one.
fn appends_only(source: &Table, target: &Table) -> bool {
    let kept = |c: &Column| {
        source
            .columns
            .iter()
            .any(|s| s.name.eq_ignore_ascii_case(&c.name))
    };
    let first_new = target.columns.iter().position(|c| !kept(c));
    match first_new {
        Some(at) => target.columns[at..].iter().all(|c| !kept(c)),
        None => true,
    }
}

/// A literal SQLite accepts as an added column's default: a number, a
/// string or blob literal, NULL, TRUE or FALSE, but not an expression in
/// parentheses nor `CURRENT_TIME`/`CURRENT_DATE`/`CURRENT_TIMESTAMP`.
fn is_constant(default: &str) -> bool {
    let d = default.trim();
    let upper = d.to_ascii_uppercase();
    if d.starts_with('\'') || upper.starts_with("X'") {
        return true;
    }
    if matches!(upper.as_str(), "NULL" | "TRUE" | "FALSE") {
        return true;
    }
    let digits = d.trim_start_matches(['+', '-']);
    !digits.is_empty()
        && digits
            .chars()
            .all(|c| c.is_ascii_hexdigit() || matches!(c, '.' | 'x' | 'X' | 'e' | 'E' | '+' | '-'))
        && digits.starts_with(|c: char| c.is_ascii_digit() || c == '.')
}

fn is_null(default: &str) -> bool {
    default.trim().eq_ignore_ascii_case("NULL")
}

/// `3.40.1` as (3, 40); anything unreadable as the newest.
fn version(text: &str) -> (u32, u32) {
    let mut parts = text.split(|c: char| !c.is_ascii_digit());
    let major = parts.next().and_then(|p| p.parse().ok());
    let minor = parts.next().and_then(|p| p.parse().ok());
    match (major, minor) {
        (Some(a), Some(b)) => (a, b),
        _ => (u32::MAX, u32::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_defaults() {
        for ok in [
            "0", "-1", "1.5", "'x'", "X'00'", "NULL", "true", "1e3", "0x1F",
        ] {
            assert!(is_constant(ok), "{ok}");
        }
        for no in ["(1)", "CURRENT_TIMESTAMP", "abs(1)", "", "e1"] {
            assert!(!is_constant(no), "{no}");
        }
    }

    #[test]
    fn versions() {
        assert_eq!(version("3.40.1"), (3, 40));
        assert!(version("3.34.9") < DROP_COLUMN_SINCE);
        assert_eq!(version("?"), (u32::MAX, u32::MAX));
    }
}
