//! column.maximum-character-length: CHAR columns are short.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "column.maximum-character-length",
    code: 309,
    title: "CHAR columns must not exceed the maximum length",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[OptionSpec {
        key: "max",
        description: "The longest CHAR(n) allowed; longer text belongs in VARCHAR.",
        default: DefaultValue::Int(20),
    }],
    doc: Doc {
        problem: "CHAR(n) is fixed-length: every value is padded to n characters, so a long \
                  CHAR wastes space on every row (and with multi-byte character sets, up to \
                  four bytes per character), and trailing-space semantics surprise comparisons.",
        fix: "Use CHAR only for short fixed-size codes (country, currency); use VARCHAR(n) \
              for anything longer.",
        bad: "CREATE TABLE users (id bigint PRIMARY KEY, name char(100));",
        good: "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(100), country char(2));",
    },
    check,
};

/// n for CHAR(n) / CHARACTER(n), `None` for any other type.
fn char_length(data_type: &DataType) -> Option<u64> {
    match data_type {
        DataType::Char(Some(CharacterLength::IntegerLength { length, .. }))
        | DataType::Character(Some(CharacterLength::IntegerLength { length, .. })) => Some(*length),
        _ => None,
    }
}

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let max = ctx.config.int("max");
    let mut found: Vec<(&ObjectName, &Ident, &DataType)> = columns_of(statement)
        .into_iter()
        .map(|s| (s.table, &s.def.name, &s.def.data_type))
        .collect();
    if let Statement::AlterTable(alter) = statement {
        for op in &alter.operations {
            match op {
                AlterTableOperation::ChangeColumn {
                    new_name,
                    data_type,
                    ..
                } => found.push((&alter.name, new_name, data_type)),
                AlterTableOperation::ModifyColumn {
                    col_name,
                    data_type,
                    ..
                } => found.push((&alter.name, col_name, data_type)),
                AlterTableOperation::AlterColumn {
                    column_name,
                    op: AlterColumnOperation::SetDataType { data_type, .. },
                } => found.push((&alter.name, column_name, data_type)),
                _ => {}
            }
        }
    }
    found
        .into_iter()
        .filter_map(|(table, column, data_type)| {
            let n = char_length(data_type)?;
            if max <= 0 || n as i64 <= max {
                return None;
            }
            Some(
                ctx.report(
                    column.span,
                    format!(
                        "column {} of {} is {data_type}: fixed-length, so every row stores {n} characters (the limit is {max})",
                        column.value,
                        display_name(table)
                    ),
                )
                .help(format!("use VARCHAR({n}) instead")),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        for d in Dialect::ALL {
            let sql = "CREATE TABLE t (a char(20), b varchar(500), c char, d text)";
            assert!(run(&RULE, d, sql).is_empty(), "{d}");
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE TABLE t (code character(64));\nALTER TABLE t ALTER COLUMN code TYPE char(32);"
        ));
    }
}
