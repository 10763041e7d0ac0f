//! naming.*: rules about the names of tables, columns and indexes.

/// Fills a naming template: `{{table}}`, `{{column_list}}` (the columns
/// joined with `_`) and `{{referenced_table}}` become the escaped names, so
/// the rest of the pattern is read as a regular expression.
pub fn fill(pattern: &str, table: &str, columns: &[String], referenced: &str) -> String {
    pattern
        .replace("{{table}}", &regex::escape(table))
        .replace("{{column_list}}", &regex::escape(&columns.join("_")))
        .replace("{{referenced_table}}", &regex::escape(referenced))
}

pub mod auto_increment_column;
pub mod column;
pub mod identifier_no_keyword;
pub mod index_fk;
pub mod index_idx;
pub mod index_pk;
pub mod index_uk;
pub mod table;
pub mod table_no_keyword;

use sqlparser::tokenizer::Span;

use crate::context::Context;
use crate::diagnostic::Diagnostic;

/// Checks `name` against the rule's `format` (filled for this object) and
/// `max_length` options, reporting at `span`. `what` names the object in
/// the message, name included ("table OrderItems", "index ix on orders").
pub(crate) fn check_name(
    ctx: &Context<'_>,
    span: Span,
    what: &str,
    name: &str,
    table: &str,
    columns: &[String],
) -> Option<Diagnostic> {
    check_name_referencing(ctx, span, what, name, table, columns, "")
}

/// [`check_name`] for a name whose pattern may also use
/// `{{referenced_table}}` (foreign keys).
pub(crate) fn check_name_referencing(
    ctx: &Context<'_>,
    span: Span,
    what: &str,
    name: &str,
    table: &str,
    columns: &[String],
    referenced: &str,
) -> Option<Diagnostic> {
    let template = ctx.config.text("format");
    let pattern = fill(template, table, columns, referenced);
    let max = ctx.config.int("max_length");
    let length = name.chars().count();
    if max > 0 && length as i64 > max {
        return Some(
            ctx.report(
                span,
                format!("the name of {what} is {length} characters long, more than {max}"),
            )
            .help(format!("shorten it to at most {max} characters")),
        );
    }
    // Patterns are validated when the policy is loaded; one that still
    // fails to compile (the default, say) checks nothing rather than panic.
    if matches(&pattern, name)? {
        return None;
    }
    let expected = if template.contains("{{") {
        format!("{template} (here {pattern})")
    } else {
        template.to_string()
    };
    Some(
        ctx.report(
            span,
            format!("the name of {what} does not match the naming convention {expected}"),
        )
        .help("rename it to match; the convention is the rule's `format` option"),
    )
}

/// Whether `name` matches `pattern`, `None` when the pattern does not
/// compile. Compiling a regex costs far more than matching one, and a
/// template without placeholders (naming.table, naming.column) is the same
/// pattern for every name of a script: compiled patterns are kept per
/// thread, up to a bound (filled templates differ per table and would
/// otherwise grow the cache with the script).
fn matches(pattern: &str, name: &str) -> Option<bool> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    const KEEP: usize = 256;
    thread_local! {
        static COMPILED: RefCell<HashMap<String, Option<regex::Regex>>> =
            RefCell::new(HashMap::new());
    }
    COMPILED.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(regex) = cache.get(pattern) {
            return regex.as_ref().map(|r| r.is_match(name));
        }
        let regex = regex::Regex::new(pattern).ok();
        let result = regex.as_ref().map(|r| r.is_match(name));
        if cache.len() >= KEEP {
            cache.clear();
        }
        cache.insert(pattern.to_string(), regex);
        result
    })
}

/// Words the server reserves, so an identifier spelled like one must be
/// quoted in every statement that names it. PostgreSQL: the "reserved" and
/// "reserved (can be function or type)" columns of its key word appendix.
const POSTGRES_RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

/// MySQL 8.0's reserved words (the ones marked (R) in its keyword list).
const MYSQL_RESERVED: &[&str] = &[
    "accessible",
    "add",
    "all",
    "alter",
    "analyze",
    "and",
    "as",
    "asc",
    "asensitive",
    "before",
    "between",
    "bigint",
    "binary",
    "blob",
    "both",
    "by",
    "call",
    "cascade",
    "case",
    "change",
    "char",
    "character",
    "check",
    "collate",
    "column",
    "condition",
    "constraint",
    "continue",
    "convert",
    "create",
    "cross",
    "cube",
    "cume_dist",
    "current_date",
    "current_time",
    "current_timestamp",
    "current_user",
    "cursor",
    "database",
    "databases",
    "day_hour",
    "day_microsecond",
    "day_minute",
    "day_second",
    "dec",
    "decimal",
    "declare",
    "default",
    "delayed",
    "delete",
    "dense_rank",
    "desc",
    "describe",
    "deterministic",
    "distinct",
    "distinctrow",
    "div",
    "double",
    "drop",
    "dual",
    "each",
    "else",
    "elseif",
    "empty",
    "enclosed",
    "escaped",
    "except",
    "exists",
    "exit",
    "explain",
    "false",
    "fetch",
    "first_value",
    "float",
    "float4",
    "float8",
    "for",
    "force",
    "foreign",
    "from",
    "fulltext",
    "function",
    "generated",
    "get",
    "grant",
    "group",
    "grouping",
    "groups",
    "having",
    "high_priority",
    "hour_microsecond",
    "hour_minute",
    "hour_second",
    "if",
    "ignore",
    "in",
    "index",
    "infile",
    "inner",
    "inout",
    "insensitive",
    "insert",
    "int",
    "int1",
    "int2",
    "int3",
    "int4",
    "int8",
    "integer",
    "intersect",
    "interval",
    "into",
    "io_after_gtids",
    "io_before_gtids",
    "is",
    "iterate",
    "join",
    "json_table",
    "key",
    "keys",
    "kill",
    "lag",
    "last_value",
    "lateral",
    "lead",
    "leading",
    "leave",
    "left",
    "like",
    "limit",
    "linear",
    "lines",
    "load",
    "localtime",
    "localtimestamp",
    "lock",
    "long",
    "longblob",
    "longtext",
    "loop",
    "low_priority",
    "master_bind",
    "master_ssl_verify_server_cert",
    "match",
    "maxvalue",
    "mediumblob",
    "mediumint",
    "mediumtext",
    "middleint",
    "minute_microsecond",
    "minute_second",
    "mod",
    "modifies",
    "natural",
    "no_write_to_binlog",
    "not",
    "nth_value",
    "ntile",
    "null",
    "numeric",
    "of",
    "on",
    "optimize",
    "optimizer_costs",
    "option",
    "optionally",
    "or",
    "order",
    "out",
    "outer",
    "outfile",
    "over",
    "partition",
    "percent_rank",
    "precision",
    "primary",
    "procedure",
    "purge",
    "range",
    "rank",
    "read",
    "read_write",
    "reads",
    "real",
    "recursive",
    "references",
    "regexp",
    "release",
    "rename",
    "repeat",
    "replace",
    "require",
    "resignal",
    "restrict",
    "return",
    "revoke",
    "right",
    "rlike",
    "row",
    "row_number",
    "rows",
    "schema",
    "schemas",
    "second_microsecond",
    "select",
    "sensitive",
    "separator",
    "set",
    "show",
    "signal",
    "smallint",
    "spatial",
    "specific",
    "sql",
    "sql_big_result",
    "sql_calc_found_rows",
    "sql_small_result",
    "sqlexception",
    "sqlstate",
    "sqlwarning",
    "ssl",
    "starting",
    "stored",
    "straight_join",
    "system",
    "table",
    "terminated",
    "then",
    "tinyblob",
    "tinyint",
    "tinytext",
    "to",
    "trailing",
    "trigger",
    "true",
    "undo",
    "union",
    "unique",
    "unlock",
    "unsigned",
    "update",
    "usage",
    "use",
    "using",
    "utc_date",
    "utc_time",
    "utc_timestamp",
    "values",
    "varbinary",
    "varchar",
    "varcharacter",
    "varying",
    "virtual",
    "when",
    "where",
    "while",
    "window",
    "with",
    "write",
    "xor",
    "year_month",
    "zerofill",
];

/// Whether `word` is reserved by `dialect`'s server (case-insensitive).
pub(crate) fn is_reserved(dialect: sluice_schema::Dialect, word: &str) -> bool {
    let list = match dialect {
        sluice_schema::Dialect::Postgres => POSTGRES_RESERVED,
        sluice_schema::Dialect::Mysql => MYSQL_RESERVED,
        sluice_schema::Dialect::Sqlite => return false,
    };
    let word = word.to_ascii_lowercase();
    list.binary_search(&word.as_str()).is_ok()
}

/// The server's name for messages.
pub(crate) fn server(dialect: sluice_schema::Dialect) -> &'static str {
    match dialect {
        sluice_schema::Dialect::Postgres => "PostgreSQL",
        sluice_schema::Dialect::Mysql => "MySQL",
        sluice_schema::Dialect::Sqlite => "SQLite",
    }
}

#[cfg(test)]
mod keyword_tests {
    use super::*;

    /// `is_reserved` binary-searches: the lists must stay sorted.
    #[test]
    fn keyword_lists_are_sorted() {
        for list in [POSTGRES_RESERVED, MYSQL_RESERVED] {
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted, list, "keep the list sorted and without duplicates");
        }
        assert!(is_reserved(sluice_schema::Dialect::Postgres, "Order"));
        assert!(!is_reserved(sluice_schema::Dialect::Postgres, "orders"));
        assert!(is_reserved(sluice_schema::Dialect::Mysql, "KEY"));
    }
}
