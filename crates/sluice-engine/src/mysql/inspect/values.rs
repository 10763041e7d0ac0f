//! Turning `information_schema` values into the model's spelling. Pure
//! functions, so each rule is tested here without a server.

use sluice_schema::{
    CheckOption, Dialect, PartitionStrategy, ReferentialAction, ViewSecurity, quote_literal,
};

/// Which server the values came from; they spell a few things differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    Mysql,
    Mariadb,
}

/// The character set of a collation: the part before the first `_`
/// (`utf8mb4_unicode_ci` → `utf8mb4`, `binary` → `binary`). No character
/// set name contains an underscore, so this needs no lookup in
/// `information_schema.COLLATIONS`.
pub fn charset_of(collation: &str) -> String {
    collation.split('_').next().unwrap_or(collation).to_string()
}

/// The column default as an SQL expression, exactly what follows
/// `DEFAULT`, in one spelling for both servers:
///
/// - a NULL default is no default (`None`): a nullable column without one
///   defaults to NULL anyway. MariaDB reports it as the word `NULL`, MySQL
///   as SQL NULL; a string default `'NULL'` stays a quoted literal.
/// - literals are written as SQL literals: MariaDB already quotes strings
///   (`'it''s'`); MySQL reports them bare, so non-numeric literals are
///   quoted here, numbers and `b'...'` bit literals are kept.
/// - expressions are MariaDB's spelling. MySQL marks them
///   `DEFAULT_GENERATED` and prints them bare; they are wrapped in
///   parentheses as its own `SHOW CREATE TABLE` does, except the
///   current-timestamp family.
/// - `CURRENT_TIMESTAMP`, `now()` and `localtimestamp` in any case are
///   written `current_timestamp()` or `current_timestamp(n)` (MariaDB's
///   spelling).
pub fn column_default(
    flavor: Flavor,
    raw: Option<&str>,
    is_sql_null: bool,
    extra: &str,
    data_type: &str,
) -> Option<String> {
    let raw = raw?;
    if is_sql_null {
        return None;
    }
    if let Some(ts) = current_timestamp(raw) {
        return Some(ts);
    }
    match flavor {
        Flavor::Mariadb => (raw != "NULL").then(|| raw.to_string()),
        Flavor::Mysql => {
            if extra.to_ascii_uppercase().contains("DEFAULT_GENERATED") {
                Some(format!("({raw})"))
            } else if is_numeric_type(data_type) || is_bit_literal(raw) {
                Some(raw.to_string())
            } else {
                Some(quote_literal(Dialect::Mysql, raw))
            }
        }
    }
}

/// `on update current_timestamp(3)` (MariaDB) or `DEFAULT_GENERATED on
/// update CURRENT_TIMESTAMP(3)` (MySQL) → `current_timestamp(3)`.
pub fn on_update(extra: &str) -> Option<String> {
    let lower = extra.to_ascii_lowercase();
    let at = lower.find("on update ")?;
    let expr = extra[at + "on update ".len()..].trim();
    let expr = expr.split_whitespace().next().unwrap_or(expr);
    Some(current_timestamp(expr).unwrap_or_else(|| expr.to_string()))
}

/// The canonical spelling of the current-timestamp family, or `None` if
/// `expr` is something else.
fn current_timestamp(expr: &str) -> Option<String> {
    let lower = expr.trim().to_ascii_lowercase();
    let (name, args) = match lower.find('(') {
        Some(at) if lower.ends_with(')') => (&lower[..at], &lower[at + 1..lower.len() - 1]),
        Some(_) => return None,
        None => (lower.as_str(), ""),
    };
    let known = matches!(
        name,
        "current_timestamp" | "now" | "localtimestamp" | "localtime"
    );
    if !known || !args.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(format!("current_timestamp({args})"))
}

fn is_numeric_type(data_type: &str) -> bool {
    let t = data_type.trim_start().to_ascii_lowercase();
    [
        "tinyint",
        "smallint",
        "mediumint",
        "int",
        "integer",
        "bigint",
        "decimal",
        "numeric",
        "float",
        "double",
        "real",
        "bit",
        "year",
    ]
    .iter()
    .any(|n| {
        t.strip_prefix(n)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['(', ' ']))
    })
}

fn is_bit_literal(raw: &str) -> bool {
    (raw.starts_with("b'") || raw.starts_with("B'")) && raw.ends_with('\'')
}

/// `row_format=DYNAMIC` out of `CREATE_OPTIONS`, upper-cased; `None` when
/// the row format was not chosen explicitly.
pub fn row_format(create_options: &str) -> Option<String> {
    create_options.split_whitespace().find_map(|opt| {
        let (key, value) = opt.split_once('=')?;
        key.eq_ignore_ascii_case("row_format")
            .then(|| value.to_ascii_uppercase())
    })
}

pub fn referential_action(rule: &str) -> ReferentialAction {
    match rule.to_ascii_uppercase().as_str() {
        "CASCADE" => ReferentialAction::Cascade,
        "SET NULL" => ReferentialAction::SetNull,
        "SET DEFAULT" => ReferentialAction::SetDefault,
        "RESTRICT" => ReferentialAction::Restrict,
        _ => ReferentialAction::NoAction,
    }
}

pub fn check_option(value: &str) -> Option<CheckOption> {
    match value.to_ascii_uppercase().as_str() {
        "LOCAL" => Some(CheckOption::Local),
        "CASCADED" => Some(CheckOption::Cascaded),
        _ => None,
    }
}

pub fn view_security(value: &str) -> Option<ViewSecurity> {
    match value.to_ascii_uppercase().as_str() {
        "DEFINER" => Some(ViewSecurity::Definer),
        "INVOKER" => Some(ViewSecurity::Invoker),
        _ => None,
    }
}

/// `PARTITION_METHOD` → strategy; `None` for kinds the model has no name
/// for (MariaDB's `SYSTEM_TIME`).
pub fn partition_strategy(method: &str) -> Option<PartitionStrategy> {
    Some(match method.to_ascii_uppercase().as_str() {
        "RANGE" => PartitionStrategy::Range,
        "RANGE COLUMNS" => PartitionStrategy::RangeColumns,
        "LIST" => PartitionStrategy::List,
        "LIST COLUMNS" => PartitionStrategy::ListColumns,
        "HASH" => PartitionStrategy::Hash,
        "LINEAR HASH" => PartitionStrategy::LinearHash,
        "KEY" => PartitionStrategy::Key,
        "LINEAR KEY" => PartitionStrategy::LinearKey,
        _ => return None,
    })
}

/// A partition's bound clause from `PARTITION_DESCRIPTION`: `VALUES LESS
/// THAN (10)`, `VALUES LESS THAN MAXVALUE`, `VALUES IN (1,2)`; `None` for
/// HASH and KEY partitions, which have none.
pub fn partition_bound(strategy: PartitionStrategy, description: Option<&str>) -> Option<String> {
    let d = description?.trim();
    match strategy {
        PartitionStrategy::Range if d.eq_ignore_ascii_case("MAXVALUE") => {
            Some("VALUES LESS THAN MAXVALUE".into())
        }
        PartitionStrategy::Range | PartitionStrategy::RangeColumns => {
            Some(format!("VALUES LESS THAN ({d})"))
        }
        PartitionStrategy::List | PartitionStrategy::ListColumns => {
            Some(format!("VALUES IN ({d})"))
        }
        PartitionStrategy::Hash
        | PartitionStrategy::LinearHash
        | PartitionStrategy::Key
        | PartitionStrategy::LinearKey => None,
    }
}

/// Drops the `` `db`. `` qualifier that `VIEW_DEFINITION` puts before names
/// of the view's own database, outside string literals, so the definition
/// applies to a database of another name (as `SHOW CREATE VIEW` prints it).
pub fn strip_schema(definition: &str, database: &str) -> String {
    let prefix = format!("`{}`.", database.replace('`', "``"));
    let bytes = definition.as_bytes();
    let mut out = String::with_capacity(definition.len());
    let mut i = 0;
    while i < definition.len() {
        let c = bytes[i];
        if c == b'\'' || c == b'"' {
            // Copy the literal through its closing quote; doubled quotes
            // and backslash escapes stay inside.
            let start = i;
            i += 1;
            while i < definition.len() {
                if bytes[i] == b'\\' {
                    i += 2;
                    continue;
                }
                if bytes[i] == c {
                    if bytes.get(i + 1) == Some(&c) {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            let end = i.min(definition.len());
            out.push_str(&definition[start..end]);
            continue;
        }
        if c == b'`' {
            if definition[i..].starts_with(&prefix) {
                i += prefix.len();
                continue;
            }
            // Copy the quoted identifier whole.
            let start = i;
            i += 1;
            while i < definition.len() {
                if bytes[i] == b'`' {
                    if bytes.get(i + 1) == Some(&b'`') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            out.push_str(&definition[start..i.min(definition.len())]);
            continue;
        }
        let ch = definition[i..].chars().next().expect("in bounds");
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_have_one_spelling_for_both_servers() {
        let m = Flavor::Mariadb;
        let y = Flavor::Mysql;
        assert_eq!(column_default(m, Some("NULL"), false, "", "int(11)"), None);
        assert_eq!(column_default(y, None, true, "", "int"), None);
        assert_eq!(
            column_default(m, Some("'NULL'"), false, "", "varchar(10)").as_deref(),
            Some("'NULL'")
        );
        assert_eq!(
            column_default(m, Some("'it''s'"), false, "", "varchar(9)").as_deref(),
            Some("'it''s'")
        );
        assert_eq!(
            column_default(y, Some("it's"), false, "", "varchar(9)").as_deref(),
            Some("'it''s'")
        );
        assert_eq!(
            column_default(y, Some("0.00"), false, "", "decimal(10,2)").as_deref(),
            Some("0.00")
        );
        assert_eq!(
            column_default(y, Some("b'101'"), false, "", "bit(3)").as_deref(),
            Some("b'101'")
        );
        assert_eq!(
            column_default(
                y,
                Some("CURRENT_TIMESTAMP"),
                false,
                "DEFAULT_GENERATED",
                "timestamp"
            )
            .as_deref(),
            Some("current_timestamp()")
        );
        assert_eq!(
            column_default(m, Some("current_timestamp(3)"), false, "", "datetime(3)").as_deref(),
            Some("current_timestamp(3)")
        );
        assert_eq!(
            column_default(y, Some("uuid()"), false, "DEFAULT_GENERATED", "char(36)").as_deref(),
            Some("(uuid())")
        );
    }

    #[test]
    fn on_update_is_read_from_extra() {
        assert_eq!(
            on_update("on update current_timestamp(3)").as_deref(),
            Some("current_timestamp(3)")
        );
        assert_eq!(
            on_update("DEFAULT_GENERATED on update CURRENT_TIMESTAMP").as_deref(),
            Some("current_timestamp()")
        );
        assert_eq!(on_update("auto_increment"), None);
    }

    #[test]
    fn small_values() {
        assert_eq!(charset_of("utf8mb4_unicode_ci"), "utf8mb4");
        assert_eq!(charset_of("binary"), "binary");
        assert_eq!(
            row_format("stats_persistent=0 row_format=compact").as_deref(),
            Some("COMPACT")
        );
        assert_eq!(row_format("partitioned"), None);
        assert_eq!(
            partition_bound(PartitionStrategy::Range, Some("MAXVALUE")).as_deref(),
            Some("VALUES LESS THAN MAXVALUE")
        );
        assert_eq!(
            partition_bound(PartitionStrategy::List, Some("1,2")).as_deref(),
            Some("VALUES IN (1,2)")
        );
        assert_eq!(partition_bound(PartitionStrategy::Key, None), None);
    }

    #[test]
    fn view_definitions_lose_their_own_schema_only() {
        let def = "select `db`.`t`.`a` AS `a`,'`db`.x' AS `s` from `db`.`t` join `other`.`u`";
        assert_eq!(
            strip_schema(def, "db"),
            "select `t`.`a` AS `a`,'`db`.x' AS `s` from `t` join `other`.`u`"
        );
    }
}
