//! When `CREATE OR REPLACE VIEW` may replace a view: PostgreSQL accepts it
//! only when the old output columns stay, same names and types in the same
//! order, with new ones appended.
//!
//! The model has no column types for views, so the test is on the text:
//! the old select list must be the start of the new one, item for item.
//! An unchanged item reads the same columns, so it keeps its name and
//! type; anything less certain is a drop and create.

use sluice_schema::View;

pub(super) fn only_appends_columns(from: &View, to: &View) -> bool {
    if !to.columns.starts_with(&from.columns) {
        return false;
    }
    match (select_list(&from.definition), select_list(&to.definition)) {
        (Some(old), Some(new)) => {
            new.len() >= old.len() && old.iter().zip(&new).all(|(a, b)| a == b)
        }
        _ => false,
    }
}

/// The items between the first `SELECT` and its `FROM` (or the end), split
/// on top-level commas, each with its blanks squeezed. `None` when the text
/// does not start with `SELECT`.
fn select_list(definition: &str) -> Option<Vec<String>> {
    let text = definition.trim();
    let head = text.get(..6)?;
    if !head.eq_ignore_ascii_case("select") {
        return None;
    }
    let body = &text[6..];
    let chars: Vec<char> = body.chars().collect();
    let mut items = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        if let Some(q) = quote {
            current.push(c);
            if c == q {
                quote = None;
            }
            k += 1;
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                items.push(squeeze(&current));
                current.clear();
                k += 1;
                continue;
            }
            ';' if depth == 0 => break,
            _ if depth == 0 && starts_word(&chars, k, "from") => break,
            _ => {}
        }
        current.push(c);
        k += 1;
    }
    items.push(squeeze(&current));
    Some(items)
}

/// `word` starts at `k` as a whole word.
fn starts_word(chars: &[char], k: usize, word: &str) -> bool {
    let boundary = |c: Option<&char>| c.is_none_or(|c| !(c.is_alphanumeric() || *c == '_'));
    let n = word.len();
    k + n <= chars.len()
        && chars[k..k + n]
            .iter()
            .zip(word.chars())
            .all(|(a, b)| a.eq_ignore_ascii_case(&b))
        && boundary(k.checked_sub(1).and_then(|p| chars.get(p)))
        && boundary(chars.get(k + n))
}

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_lists_split_at_top_level_commas() {
        let items =
            select_list(" SELECT o.id,\n    coalesce(o.a, 1) AS b,\n 'x, from' AS c\n   FROM t o;")
                .unwrap();
        assert_eq!(items, ["o.id", "coalesce(o.a, 1) AS b", "'x, from' AS c"]);
    }

    #[test]
    fn appended_columns_replace_and_changed_ones_do_not() {
        let v = |d: &str| View::new("v", d);
        let old = v(" SELECT t.a,\n t.b\n FROM t;");
        assert!(only_appends_columns(
            &old,
            &v("SELECT t.a, t.b, t.c FROM t WHERE t.a > 1")
        ));
        assert!(!only_appends_columns(&old, &v("SELECT t.b, t.a FROM t")));
        assert!(!only_appends_columns(&old, &v("SELECT t.a FROM t")));
    }
}
