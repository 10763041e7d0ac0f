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

pub mod column;
pub mod index_idx;
pub mod index_uk;
pub mod table;

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
    let template = ctx.config.text("format");
    let pattern = fill(template, table, columns, "");
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
    let regex = regex::Regex::new(&pattern).ok()?;
    if regex.is_match(name) {
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
