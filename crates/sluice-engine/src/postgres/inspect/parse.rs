//! Small, exact readers of the text PostgreSQL's deparsing functions print
//! (`pg_get_constraintdef`, `pg_get_partkeydef`, `pg_get_triggerdef`), for
//! the few facts the catalogs keep only as expression trees.

use sluice_schema::PartitionStrategy;

/// The expression inside `CHECK (...)` of a check constraint's definition,
/// without the trailing `NO INHERIT` / `NOT VALID` (kept elsewhere).
pub fn check_expression(definition: &str) -> String {
    let mut s = definition.trim();
    for suffix in [" NOT VALID", " NO INHERIT"] {
        s = s.strip_suffix(suffix).unwrap_or(s);
    }
    match s.strip_prefix("CHECK (").and_then(|s| s.strip_suffix(')')) {
        Some(inner) => inner.to_string(),
        None => s.to_string(),
    }
}

/// The partition key inside `RANGE (...)`, as `pg_get_partkeydef` prints
/// it (`at`, `lower(name)`, `a, b`).
pub fn partition_key(definition: &str) -> String {
    let s = definition.trim();
    let after_strategy = s.split_once(' ').map_or(s, |(_, rest)| rest).trim();
    match after_strategy
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
    {
        Some(inner) => inner.to_string(),
        None => after_strategy.to_string(),
    }
}

/// `pg_partitioned_table.partstrat`.
pub fn partition_strategy(code: &str) -> Option<PartitionStrategy> {
    match code {
        "r" => Some(PartitionStrategy::Range),
        "l" => Some(PartitionStrategy::List),
        "h" => Some(PartitionStrategy::Hash),
        _ => None,
    }
}

/// The condition of a trigger's `WHEN (...)`, without the keyword and the
/// parentheses the syntax requires, and the function call after `EXECUTE
/// FUNCTION` (`EXECUTE PROCEDURE` on older servers), from
/// `pg_get_triggerdef`.
///
/// Both clauses come after `FOR EACH ROW|STATEMENT`, which follows the
/// names, so the search starts there; quoted names and string literals
/// inside the condition are skipped when matching its parentheses.
pub fn trigger_clauses(definition: &str) -> (Option<String>, Option<String>) {
    let start = [" FOR EACH ROW", " FOR EACH STATEMENT"]
        .iter()
        .filter_map(|k| definition.find(k).map(|i| i + k.len()))
        .min()
        .unwrap_or(0);
    let mut rest = &definition[start..];
    let mut condition = None;
    if let Some(after) = rest.strip_prefix(" WHEN (")
        && let Some(end) = closing_paren(after)
    {
        condition = Some(after[..end].to_string());
        rest = &after[end + 1..];
    }
    let function = [" EXECUTE FUNCTION ", " EXECUTE PROCEDURE "]
        .iter()
        .find_map(|k| rest.find(k).map(|i| rest[i + k.len()..].trim().to_string()));
    (condition, function)
}

/// The byte offset of the `)` that closes a group whose `(` came just
/// before `s`, skipping parentheses inside `'...'` and `"..."`.
fn closing_paren(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match quote {
            // A doubled quote closes and reopens: same state either way.
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' => depth += 1,
                ')' if depth == 0 => return Some(i),
                ')' => depth -= 1,
                _ => {}
            },
        }
    }
    None
}

/// A boolean reloption value as PostgreSQL accepts it.
pub fn option_is_true(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "true" | "on" | "yes" | "1"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_expressions_lose_the_wrapper_and_flags() {
        assert_eq!(
            check_expression("CHECK ((price > (0)::numeric))"),
            "(price > (0)::numeric)"
        );
        assert_eq!(
            check_expression("CHECK ((btrim(title) <> ''::text)) NO INHERIT NOT VALID"),
            "(btrim(title) <> ''::text)"
        );
    }

    #[test]
    fn partition_keys_lose_strategy_and_parentheses() {
        assert_eq!(partition_key("RANGE (at)"), "at");
        assert_eq!(partition_key("LIST (lower(name))"), "lower(name)");
        assert_eq!(partition_key("HASH (a, b)"), "a, b");
    }

    #[test]
    fn trigger_condition_and_function() {
        let def = "CREATE TRIGGER t BEFORE UPDATE ON s.c FOR EACH ROW \
                   WHEN ((old.email IS DISTINCT FROM new.email) AND new.note <> ')') \
                   EXECUTE FUNCTION audit.record_change('x)')";
        let (cond, func) = trigger_clauses(def);
        assert_eq!(
            cond.as_deref(),
            Some("(old.email IS DISTINCT FROM new.email) AND new.note <> ')'")
        );
        assert_eq!(func.as_deref(), Some("audit.record_change('x)')"));

        let plain = "CREATE TRIGGER \"FOR EACH ROW WHEN (\" AFTER TRUNCATE ON s.p \
                     FOR EACH STATEMENT EXECUTE PROCEDURE f()";
        assert_eq!(trigger_clauses(plain), (None, Some("f()".to_string())));
    }
}
